# tests/unit/fastpath.mk: the fast path's shared rings (src/fastpath) and
# the counter calibration (src/arch/ticks.h)
check_PROGRAMS += tests/unit/test_fp_ring tests/unit/test_fp_wait tests/unit/test_fp_clock
TESTS += tests/unit/test_fp_ring tests/unit/test_fp_wait tests/unit/test_fp_clock
tests_unit_test_fp_ring_SOURCES = tests/unit/test_fp_ring.c tests/unit/fp_util.h
tests_unit_test_fp_ring_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_fp_ring_CFLAGS = $(UT_CFLAGS) -pthread
tests_unit_test_fp_ring_LDFLAGS = $(UT_LINKFLAGS) -pthread
tests_unit_test_fp_ring_LDADD = $(UT_LIBS)
tests_unit_test_fp_wait_SOURCES = tests/unit/test_fp_wait.c tests/unit/fp_util.h
tests_unit_test_fp_wait_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_fp_wait_CFLAGS = $(UT_CFLAGS) -pthread
tests_unit_test_fp_wait_LDFLAGS = $(UT_LINKFLAGS) -pthread
tests_unit_test_fp_wait_LDADD = $(UT_LIBS)
tests_unit_test_fp_clock_SOURCES = tests/unit/test_fp_clock.c
tests_unit_test_fp_clock_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_fp_clock_CFLAGS = $(UT_CFLAGS)
tests_unit_test_fp_clock_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_fp_clock_LDADD = $(UT_LIBS)
# the shared area and trampoline memory injected into a real traced child
check_PROGRAMS += tests/unit/test_fp_inject
TESTS += tests/unit/test_fp_inject
tests_unit_test_fp_inject_SOURCES = tests/unit/test_fp_inject.c
tests_unit_test_fp_inject_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_fp_inject_CFLAGS = $(UT_CFLAGS)
tests_unit_test_fp_inject_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_fp_inject_LDADD = $(UT_LIBS)
