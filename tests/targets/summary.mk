# tests/targets/summary.mk: the target of trace -c (summary.sh): known call
# counts, and a loop to attach to; at -O0 and -O2 like every target (see
# tests/targets/local.mk for why CFLAGS are emptied).
check_PROGRAMS += tests/targets/summary-O0
tests_targets_summary_O0_SOURCES = tests/targets/summary.c
tests_targets_summary_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_summary_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/summary-O0$(EXEEXT) tests/targets/summary_O0-summary.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/summary-O2
tests_targets_summary_O2_SOURCES = tests/targets/summary.c
tests_targets_summary_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_summary_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/summary-O2$(EXEEXT) tests/targets/summary_O2-summary.$(OBJEXT): CFLAGS =
