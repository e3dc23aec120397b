# The seccomp filter interpreter (src/ptrace/seccomp_bpf.c)
check_PROGRAMS += tests/unit/test_seccomp
TESTS += tests/unit/test_seccomp
tests_unit_test_seccomp_SOURCES = tests/unit/test_seccomp.c
tests_unit_test_seccomp_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_seccomp_CFLAGS = $(UT_CFLAGS)
tests_unit_test_seccomp_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_seccomp_LDADD = $(UT_LIBS)
