# src/view: call trees and per-function statistics over trace files
libcalltrap_a_SOURCES += \
	src/view/view.h \
	src/view/vbuf.h \
	src/view/vbuf.c \
	src/view/filter.c \
	src/view/input.c \
	src/view/view.c \
	src/view/replay.c \
	src/view/report.c \
	src/view/cct.h \
	src/view/cct.c \
	src/view/svg.c \
	src/view/pbuf.h \
	src/view/pbuf.c \
	src/view/perfetto.h \
	src/view/perfetto_fields.h \
	src/view/perfetto.c \
	src/view/dump.c
