check_PROGRAMS += tests/unit/test_hashmap
TESTS += tests/unit/test_hashmap
tests_unit_test_hashmap_SOURCES = tests/unit/test_hashmap.c
tests_unit_test_hashmap_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_hashmap_CFLAGS = $(UT_CFLAGS)
tests_unit_test_hashmap_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_hashmap_LDADD = $(UT_LIBS)

# the fast path's patches in a breakpoint set
check_PROGRAMS += tests/unit/test_patch
TESTS += tests/unit/test_patch
tests_unit_test_patch_SOURCES = tests/unit/test_patch.c
tests_unit_test_patch_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_patch_CFLAGS = $(UT_CFLAGS)
tests_unit_test_patch_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_patch_LDADD = $(UT_LIBS)
