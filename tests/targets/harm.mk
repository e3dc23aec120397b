# tests/targets/harm.mk: targets of the "never harm the traced process"
# tests (a return breakpoint only after a call, signals in slots at detach),
# at -O0 and -O2 like every target (see tests/targets/local.mk for why
# CFLAGS are emptied).
check_PROGRAMS += tests/targets/coldjump-O0
tests_targets_coldjump_O0_SOURCES = tests/targets/coldjump.c
tests_targets_coldjump_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_coldjump_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/coldjump-O0$(EXEEXT) tests/targets/coldjump_O0-coldjump.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/coldjump-O2
tests_targets_coldjump_O2_SOURCES = tests/targets/coldjump.c
tests_targets_coldjump_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_coldjump_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/coldjump-O2$(EXEEXT) tests/targets/coldjump_O2-coldjump.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/sigslot-O0
tests_targets_sigslot_O0_SOURCES = tests/targets/sigslot.c
tests_targets_sigslot_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_sigslot_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/sigslot-O0$(EXEEXT) tests/targets/sigslot_O0-sigslot.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/sigslot-O2
tests_targets_sigslot_O2_SOURCES = tests/targets/sigslot.c
tests_targets_sigslot_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_sigslot_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/sigslot-O2$(EXEEXT) tests/targets/sigslot_O2-sigslot.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/vforkwait-O0
tests_targets_vforkwait_O0_SOURCES = tests/targets/vforkwait.c
tests_targets_vforkwait_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_vforkwait_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/vforkwait-O0$(EXEEXT) tests/targets/vforkwait_O0-vforkwait.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/vforkwait-O2
tests_targets_vforkwait_O2_SOURCES = tests/targets/vforkwait.c
tests_targets_vforkwait_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_vforkwait_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/vforkwait-O2$(EXEEXT) tests/targets/vforkwait_O2-vforkwait.$(OBJEXT): CFLAGS =

# churn: memory stays flat across execs, forks, dlopen/dlclose and threads
check_PROGRAMS += tests/targets/churn-O0
tests_targets_churn_O0_SOURCES = tests/targets/churn.c
tests_targets_churn_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_churn_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_churn_O0_LDADD = -ldl
tests/targets/churn-O0$(EXEEXT) tests/targets/churn_O0-churn.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/churn-O2
tests_targets_churn_O2_SOURCES = tests/targets/churn.c
tests_targets_churn_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_churn_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests_targets_churn_O2_LDADD = -ldl
tests/targets/churn-O2$(EXEEXT) tests/targets/churn_O2-churn.$(OBJEXT): CFLAGS =

# peakrss: the peak RSS of a command (tests/integration/memory.sh)
check_PROGRAMS += tests/targets/peakrss
tests_targets_peakrss_SOURCES = tests/targets/peakrss.c
tests_targets_peakrss_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_peakrss_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/peakrss$(EXEEXT) tests/targets/peakrss-peakrss.$(OBJEXT): CFLAGS =
