# src/fastpath: the shared-memory rings of the fast path (layout, consumer,
# reference producer, counter calibration, injection into a tracee);
# nothing calls it yet
libcalltrap_a_SOURCES += \
	src/fastpath/ring.h \
	src/fastpath/fastpath.h \
	src/fastpath/area.c \
	src/fastpath/produce.c \
	src/fastpath/inject.h \
	src/fastpath/inject.c \
	src/fastpath/clock.h \
	src/fastpath/clock.c
