# Unit tests for the trace file (src/trace/).
TRACE_UT_CPPFLAGS = $(UT_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-DCT_FIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'

# writer/reader round trips, index, damage; CRC-32C
check_PROGRAMS += tests/unit/test_tracefile
TESTS += tests/unit/test_tracefile
tests_unit_test_tracefile_SOURCES = tests/unit/test_tracefile.c tests/unit/trace_util.h
tests_unit_test_tracefile_CPPFLAGS = $(TRACE_UT_CPPFLAGS)
tests_unit_test_tracefile_CFLAGS = $(UT_CFLAGS)
tests_unit_test_tracefile_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_tracefile_LDADD = $(UT_LIBS)

# the reader against tests/fixtures/ (written by tests/fixtures/gen.py)
check_PROGRAMS += tests/unit/test_trace_fixtures
TESTS += tests/unit/test_trace_fixtures
tests_unit_test_trace_fixtures_SOURCES = tests/unit/test_trace_fixtures.c tests/unit/trace_util.h
tests_unit_test_trace_fixtures_CPPFLAGS = $(TRACE_UT_CPPFLAGS)
tests_unit_test_trace_fixtures_CFLAGS = $(UT_CFLAGS)
tests_unit_test_trace_fixtures_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_trace_fixtures_LDADD = $(UT_LIBS)

# bytes per event on 1M synthetic events (printed and bounded)
check_PROGRAMS += tests/unit/test_trace_size
TESTS += tests/unit/test_trace_size
tests_unit_test_trace_size_SOURCES = tests/unit/test_trace_size.c tests/unit/trace_util.h
tests_unit_test_trace_size_CPPFLAGS = $(TRACE_UT_CPPFLAGS)
tests_unit_test_trace_size_CFLAGS = $(UT_CFLAGS)
tests_unit_test_trace_size_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_trace_size_LDADD = $(UT_LIBS)

# the committed fixtures are what tests/fixtures/gen.py writes
TESTS += tests/fixtures/check.sh
EXTRA_DIST += tests/fixtures tests/fuzz
