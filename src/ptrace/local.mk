libcalltrap_a_SOURCES += \
	src/ptrace/ptrace.h \
	src/ptrace/ptrace.c \
	src/ptrace/procfs.c \
	src/ptrace/attach.c \
	src/ptrace/spawn.c \
	src/ptrace/mem.c \
	src/ptrace/inject.c \
	src/ptrace/sigguard.c \
	src/ptrace/seccomp.h \
	src/ptrace/seccomp.c \
	src/ptrace/seccomp_bpf.c \
	src/ptrace/guardian.h \
	src/ptrace/guardian.c \
	src/ptrace/guardian_main.c \
	src/ptrace/guardian_proto.h \
	src/ptrace/guardtab.c
