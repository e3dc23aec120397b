# src/output
libcalltrap_a_SOURCES += src/output/output.c src/output/output.h \
	src/output/text.c src/output/jsonl.c \
	src/output/internal.h src/output/record.c src/output/tee.c \
	src/output/summary.c
