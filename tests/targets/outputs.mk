# tests/targets/outputs.mk: targets of the output safety tests (issue 11
# item 10), at -O0 and -O2 like every target (see tests/targets/local.mk for
# why CFLAGS are emptied).

# thread names, and a file name, that try to forge `calltrap stacks` lines
check_PROGRAMS += tests/targets/names-O0
tests_targets_names_O0_SOURCES = tests/targets/names.c
tests_targets_names_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_names_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/names-O0$(EXEEXT) tests/targets/names_O0-names.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/names-O2
tests_targets_names_O2_SOURCES = tests/targets/names.c
tests_targets_names_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_names_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/names-O2$(EXEEXT) tests/targets/names_O2-names.$(OBJEXT): CFLAGS =

# a recursion N frames deep: text output stays linear in the events
check_PROGRAMS += tests/targets/deep-O0
tests_targets_deep_O0_SOURCES = tests/targets/deep.c
tests_targets_deep_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_deep_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/deep-O0$(EXEEXT) tests/targets/deep_O0-deep.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/deep-O2
tests_targets_deep_O2_SOURCES = tests/targets/deep.c
tests_targets_deep_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_deep_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/deep-O2$(EXEEXT) tests/targets/deep_O2-deep.$(OBJEXT): CFLAGS =
