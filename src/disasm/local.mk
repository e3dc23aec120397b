# src/disasm: capstone decoding and the arch-free prepare driver
libcalltrap_a_SOURCES += \
	src/disasm/disasm.c \
	src/disasm/disasm.h
