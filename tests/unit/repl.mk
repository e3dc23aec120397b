# Unit tests for src/repl: the event store and the event commands
REPL_UT_CPPFLAGS = $(UT_CPPFLAGS) -I$(top_srcdir)/tests/unit

# numbering, cursor across chunks, filters, finish, regs, live refresh, save
check_PROGRAMS += tests/unit/test_repl_store
TESTS += tests/unit/test_repl_store
tests_unit_test_repl_store_SOURCES = tests/unit/test_repl_store.c tests/unit/repl_trace.h \
	tests/unit/trace_util.h
tests_unit_test_repl_store_CPPFLAGS = $(REPL_UT_CPPFLAGS)
tests_unit_test_repl_store_CFLAGS = $(UT_CFLAGS)
tests_unit_test_repl_store_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_repl_store_LDADD = $(UT_LIBS)

# the event commands through their table, with a fake REPL (no lineio, no session)
check_PROGRAMS += tests/unit/test_repl_events
TESTS += tests/unit/test_repl_events
tests_unit_test_repl_events_SOURCES = tests/unit/test_repl_events.c tests/unit/repl_trace.h \
	tests/unit/trace_util.h
tests_unit_test_repl_events_CPPFLAGS = $(REPL_UT_CPPFLAGS)
tests_unit_test_repl_events_CFLAGS = $(UT_CFLAGS)
tests_unit_test_repl_events_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_repl_events_LDADD = $(UT_LIBS)

# Tab completion (module-qualified names) and the command lookup (gdb's short forms, prefixes)
check_PROGRAMS += tests/unit/test_repl_complete
TESTS += tests/unit/test_repl_complete
tests_unit_test_repl_complete_SOURCES = tests/unit/test_repl_complete.c
tests_unit_test_repl_complete_CPPFLAGS = $(REPL_UT_CPPFLAGS)
tests_unit_test_repl_complete_CFLAGS = $(UT_CFLAGS)
tests_unit_test_repl_complete_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_repl_complete_LDADD = $(UT_LIBS)
