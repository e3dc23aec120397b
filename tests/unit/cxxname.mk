# tests/unit/cxxname.mk: C++ names a person can read (src/util/cxxname.c, labels.c)
check_PROGRAMS += tests/unit/test_cxxname
TESTS += tests/unit/test_cxxname
tests_unit_test_cxxname_SOURCES = tests/unit/test_cxxname.c
tests_unit_test_cxxname_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_cxxname_CFLAGS = $(UT_CFLAGS)
tests_unit_test_cxxname_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_cxxname_LDADD = $(UT_LIBS)
