# tests/unit/tramp.mk: the fast path's x86_64 trampolines (arch->tramp_entry,
# tramp_exit, patch_jump): their bytes on any host, and executed in-process
# where the build host is x86_64
check_PROGRAMS += tests/unit/test_x86_64_tramp
TESTS += tests/unit/test_x86_64_tramp
tests_unit_test_x86_64_tramp_SOURCES = tests/unit/test_x86_64_tramp.c
tests_unit_test_x86_64_tramp_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_tramp_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_tramp_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_tramp_LDADD = $(UT_LIBS)

if HOST_X86_64
check_PROGRAMS += tests/unit/test_x86_64_tramp_run
TESTS += tests/unit/test_x86_64_tramp_run
# it runs x86_64 machine code in its own process
HOST_ONLY_TESTS += tests/unit/test_x86_64_tramp_run
endif
tests_unit_test_x86_64_tramp_run_SOURCES = tests/unit/test_x86_64_tramp_run.c tests/unit/fp_util.h
tests_unit_test_x86_64_tramp_run_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_tramp_run_CFLAGS = $(UT_CFLAGS) -pthread
tests_unit_test_x86_64_tramp_run_LDFLAGS = $(UT_LINKFLAGS) -pthread
tests_unit_test_x86_64_tramp_run_LDADD = $(UT_LIBS)
