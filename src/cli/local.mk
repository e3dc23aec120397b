libcalltrap_a_SOURCES += \
	src/cli/cli.h \
	src/cli/options.c \
	src/cli/common.c \
	src/cli/cmd_trace.c \
	src/cli/run.c \
	src/cli/help.c \
	src/cli/cmd_record.c \
	src/cli/cmd_replay.c \
	src/cli/cmd_report.c \
	src/cli/cmd_dump.c \
	src/cli/cmd_stacks.c \
	src/cli/cmd_repl.c
