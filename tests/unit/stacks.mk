# tests/unit/stacks.mk: src/stacks without a process (both ISAs on any host)
check_PROGRAMS += tests/unit/test_stacks
TESTS += tests/unit/test_stacks
tests_unit_test_stacks_SOURCES = tests/unit/test_stacks.c
tests_unit_test_stacks_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_stacks_CFLAGS = $(UT_CFLAGS)
tests_unit_test_stacks_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_stacks_LDADD = $(UT_LIBS)
