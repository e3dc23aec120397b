# tests/unit/output.mk
check_PROGRAMS += tests/unit/test_jsonl tests/unit/test_text
TESTS += tests/unit/test_jsonl tests/unit/test_text

tests_unit_test_jsonl_SOURCES = tests/unit/test_jsonl.c
tests_unit_test_jsonl_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_jsonl_CFLAGS = $(UT_CFLAGS)
tests_unit_test_jsonl_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_jsonl_LDADD = $(UT_LIBS)

tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_text_CFLAGS = $(UT_CFLAGS)
tests_unit_test_text_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_text_LDADD = $(UT_LIBS)

# struct ct_sbuf (src/util/strbuf.c), the formatters' buffer
check_PROGRAMS += tests/unit/test_strbuf
TESTS += tests/unit/test_strbuf
tests_unit_test_strbuf_SOURCES = tests/unit/test_strbuf.c
tests_unit_test_strbuf_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_strbuf_CFLAGS = $(UT_CFLAGS)
tests_unit_test_strbuf_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_strbuf_LDADD = $(UT_LIBS)

# struct ct_outfile (src/util/outfile.c): -o files replaced only on success
check_PROGRAMS += tests/unit/test_outfile
TESTS += tests/unit/test_outfile
tests_unit_test_outfile_SOURCES = tests/unit/test_outfile.c
tests_unit_test_outfile_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_outfile_CFLAGS = $(UT_CFLAGS)
tests_unit_test_outfile_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_outfile_LDADD = $(UT_LIBS)
