# Unit tests for src/view (replay, report, dump)
VIEW_UT_CPPFLAGS = $(UT_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-DCT_FIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'

# filter values, frames and self time, filters, the input (window, lookahead, damage)
check_PROGRAMS += tests/unit/test_view
TESTS += tests/unit/test_view
tests_unit_test_view_SOURCES = tests/unit/test_view.c tests/unit/trace_util.h
tests_unit_test_view_CPPFLAGS = $(VIEW_UT_CPPFLAGS)
tests_unit_test_view_CFLAGS = $(UT_CFLAGS)
tests_unit_test_view_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_view_LDADD = $(UT_LIBS)

# replay, report and dump (jsonl, chrome, folded, svg) line by line
check_PROGRAMS += tests/unit/test_view_output
TESTS += tests/unit/test_view_output
tests_unit_test_view_output_SOURCES = tests/unit/test_view_output.c tests/unit/trace_util.h
tests_unit_test_view_output_CPPFLAGS = $(VIEW_UT_CPPFLAGS)
tests_unit_test_view_output_CFLAGS = $(UT_CFLAGS)
tests_unit_test_view_output_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_view_output_LDADD = $(UT_LIBS)

# dump --format=perfetto: the protobuf writer byte by byte, the interning
check_PROGRAMS += tests/unit/test_perfetto
TESTS += tests/unit/test_perfetto
tests_unit_test_perfetto_SOURCES = tests/unit/test_perfetto.c tests/unit/trace_util.h
tests_unit_test_perfetto_CPPFLAGS = $(VIEW_UT_CPPFLAGS)
tests_unit_test_perfetto_CFLAGS = $(UT_CFLAGS)
tests_unit_test_perfetto_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_perfetto_LDADD = $(UT_LIBS)
