# tests/unit/guardian.mk: the guardian's shared table and process
# (src/ptrace/guardian.h).
check_PROGRAMS += tests/unit/test_guardian
TESTS += tests/unit/test_guardian
tests_unit_test_guardian_SOURCES = tests/unit/test_guardian.c
tests_unit_test_guardian_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_guardian_CFLAGS = $(UT_CFLAGS)
tests_unit_test_guardian_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_guardian_LDADD = $(UT_LIBS)
