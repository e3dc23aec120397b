# tests/targets/durations.mk: the target of the durations tests (a first
# call as long as the others; the REPL's prompt time not counted), at -O0
# and -O2 like every target (see tests/targets/local.mk for why CFLAGS are
# emptied).
check_PROGRAMS += tests/targets/durations-O0
tests_targets_durations_O0_SOURCES = tests/targets/durations.c
tests_targets_durations_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_durations_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/durations-O0$(EXEEXT) tests/targets/durations_O0-durations.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/durations-O2
tests_targets_durations_O2_SOURCES = tests/targets/durations.c
tests_targets_durations_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_durations_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/durations-O2$(EXEEXT) tests/targets/durations_O2-durations.$(OBJEXT): CFLAGS =
