# tests/targets/control.mk: the target of tests/unit/test_session_control
# (the session's live control), at -O0 and -O2 like every target (see
# tests/targets/local.mk for why CFLAGS are emptied).
check_PROGRAMS += tests/targets/control-O0
tests_targets_control_O0_SOURCES = tests/targets/control.c
tests_targets_control_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_control_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/control-O0$(EXEEXT) tests/targets/control_O0-control.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/control-O2
tests_targets_control_O2_SOURCES = tests/targets/control.c
tests_targets_control_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_control_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/control-O2$(EXEEXT) tests/targets/control_O2-control.$(OBJEXT): CFLAGS =
