# tests/targets/guardian.mk: the target of the guardian tests (calltrap
# killed while attached), at -O0 and -O2 like every target (see
# tests/targets/local.mk for why CFLAGS are emptied).
check_PROGRAMS += tests/targets/guarded-O0
tests_targets_guarded_O0_SOURCES = tests/targets/guarded.c
tests_targets_guarded_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_guarded_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/guarded-O0$(EXEEXT) tests/targets/guarded_O0-guarded.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/guarded-O2
tests_targets_guarded_O2_SOURCES = tests/targets/guarded.c
tests_targets_guarded_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_guarded_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/guarded-O2$(EXEEXT) tests/targets/guarded_O2-guarded.$(OBJEXT): CFLAGS =
