# tests/targets/debuginfo.mk: the target of tests/integration/stacks_debuginfo.sh
# (where `calltrap stacks` finds DWARF), at -O0 and -O2 like every target (see
# tests/targets/local.mk for why CFLAGS are emptied).  The test makes its
# stripped copies and separate debug files itself (objcopy, strip).  Linked
# with -rdynamic (debuginfo_read in .dynsym) and an explicit build-id (the
# separate debug file is looked up by it; not every toolchain adds one).
DEBUGINFO_LINK_OPTS = -rdynamic -Wl,--build-id

check_PROGRAMS += tests/targets/debuginfo-O0
tests_targets_debuginfo_O0_SOURCES = tests/targets/debuginfo.c
tests_targets_debuginfo_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_debuginfo_O0_LDFLAGS = $(TGT_LINKFLAGS) $(DEBUGINFO_LINK_OPTS)
tests/targets/debuginfo-O0$(EXEEXT) tests/targets/debuginfo_O0-debuginfo.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/debuginfo-O2
tests_targets_debuginfo_O2_SOURCES = tests/targets/debuginfo.c
tests_targets_debuginfo_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_debuginfo_O2_LDFLAGS = $(TGT_LINKFLAGS) $(DEBUGINFO_LINK_OPTS)
tests/targets/debuginfo-O2$(EXEEXT) tests/targets/debuginfo_O2-debuginfo.$(OBJEXT): CFLAGS =
