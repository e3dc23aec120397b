libcalltrap_a_SOURCES += \
	src/cli/cli.h \
	src/cli/options.c \
	src/cli/cmd_trace.c \
	src/cli/help.c
