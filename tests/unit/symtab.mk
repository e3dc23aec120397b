# tests/unit/symtab.mk
check_PROGRAMS += tests/unit/test_match tests/unit/test_maps tests/unit/test_elf
TESTS += tests/unit/test_match tests/unit/test_maps tests/unit/test_elf

tests_unit_test_match_SOURCES = tests/unit/test_match.c
tests_unit_test_match_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_match_CFLAGS = $(UT_CFLAGS)
tests_unit_test_match_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_match_LDADD = $(UT_LIBS)

tests_unit_test_maps_SOURCES = tests/unit/test_maps.c
tests_unit_test_maps_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_maps_CFLAGS = $(UT_CFLAGS)
tests_unit_test_maps_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_maps_LDADD = $(UT_LIBS)

# test_elf checks symbol values against dlsym() of its own process
tests_unit_test_elf_SOURCES = tests/unit/test_elf.c
tests_unit_test_elf_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_elf_CFLAGS = $(UT_CFLAGS)
tests_unit_test_elf_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_elf_LDADD = $(UT_LIBS) -ldl

check_PROGRAMS += tests/unit/test_elfcache
TESTS += tests/unit/test_elfcache
tests_unit_test_elfcache_SOURCES = tests/unit/test_elfcache.c
tests_unit_test_elfcache_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_elfcache_CFLAGS = $(UT_CFLAGS)
tests_unit_test_elfcache_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_elfcache_LDADD = $(UT_LIBS)
