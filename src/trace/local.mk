# src/trace
libcalltrap_a_SOURCES += src/trace/event.c src/trace/event.h
# the binary trace file (docs/trace-format.md)
libcalltrap_a_SOURCES += src/trace/tracefile.h src/trace/writer.c src/trace/reader.c \
	src/trace/writer_impl.h src/trace/writer_tables.c src/trace/writer_threads.c \
	src/trace/writer_typed.c \
	src/trace/reader_impl.h src/trace/reader_chunks.c src/trace/reader_tables.c \
	src/trace/reader_events.c src/trace/crc32c.c src/trace/crc32c.h
