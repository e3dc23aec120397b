# tests/unit/demangle.mk: C++ names (src/symtab/demangle.c)
check_PROGRAMS += tests/unit/test_demangle
TESTS += tests/unit/test_demangle
tests_unit_test_demangle_SOURCES = tests/unit/test_demangle.c
tests_unit_test_demangle_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_demangle_CFLAGS = $(UT_CFLAGS)
tests_unit_test_demangle_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_demangle_LDADD = $(UT_LIBS)
