# src/arch: the ISA tables (only place that knows an instruction set)
libcalltrap_a_SOURCES += \
	src/arch/arch.c \
	src/arch/arch.h \
	src/arch/codebuf.c \
	src/arch/ticks.h \
	src/arch/ticks.c \
	src/arch/x86_64/ticks.c \
	src/arch/aarch64/ticks.c \
	src/arch/x86_64/x86_64.h \
	src/arch/x86_64/arch.c \
	src/arch/x86_64/regs.c \
	src/arch/x86_64/decode.c \
	src/arch/x86_64/relocate.c \
	src/arch/x86_64/emulate.c \
	src/arch/x86_64/abi.c \
	src/arch/x86_64/callsite.c \
	src/arch/x86_64/patchsite.c \
	src/arch/x86_64/tramp.c \
	src/arch/x86_64/tramp_emit.h \
	src/arch/x86_64/producer.c \
	src/arch/aarch64/aarch64.h \
	src/arch/aarch64/arch.c \
	src/arch/aarch64/regs.c \
	src/arch/aarch64/decode.c \
	src/arch/aarch64/relocate.c \
	src/arch/aarch64/emulate.c \
	src/arch/aarch64/exclusive.c \
	src/arch/aarch64/prologue.c \
	src/arch/aarch64/abi.c \
	src/arch/aarch64/callsite.c
