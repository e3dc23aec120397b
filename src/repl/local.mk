# src/repl
libcalltrap_a_SOURCES += src/repl/repl.h src/repl/internal.h src/repl/state.h \
	src/repl/repl.c src/repl/commands.c src/repl/words.c src/repl/words.h \
	src/repl/lineio.c src/repl/complete.c src/repl/complete.h src/repl/live.c \
	src/repl/cmd_live.c
libcalltrap_a_SOURCES += src/repl/store.h src/repl/store_impl.h src/repl/store.c src/repl/store_bits.c src/repl/cursor.c \
	src/repl/cmd_events.h src/repl/cmd_events.c src/repl/cmd_views.c \
	src/repl/cmd_print.c src/repl/cmd_filter.c
