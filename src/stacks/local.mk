# src/stacks: `calltrap stacks` (every thread's backtrace in one stop) and
# the symbolizer it shares (symbolize.h).
libcalltrap_a_SOURCES += \
	src/stacks/stacks.h \
	src/stacks/symbolize.h \
	src/stacks/internal.h \
	src/stacks/sysnames_x86_64.h \
	src/stacks/sysnames_aarch64.h \
	src/stacks/stacks.c \
	src/stacks/stop.c \
	src/stacks/memcache.c \
	src/stacks/sysarch.c \
	src/stacks/sysdecode.c \
	src/stacks/locks.c \
	src/stacks/unwind.c \
	src/stacks/symbolize.c \
	src/stacks/print.c

