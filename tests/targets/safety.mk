# tests/targets/safety.mk: targets of the "never harm the traced process"
# tests (signals during injected code, seccomp), at -O0 and -O2 like every
# target (see tests/targets/local.mk for why CFLAGS are emptied).
check_PROGRAMS += tests/targets/sigflood-O0
tests_targets_sigflood_O0_SOURCES = tests/targets/sigflood.c
tests_targets_sigflood_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_sigflood_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/sigflood-O0$(EXEEXT) tests/targets/sigflood_O0-sigflood.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/sigflood-O2
tests_targets_sigflood_O2_SOURCES = tests/targets/sigflood.c
tests_targets_sigflood_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_sigflood_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/sigflood-O2$(EXEEXT) tests/targets/sigflood_O2-sigflood.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/seccomp-O0
tests_targets_seccomp_O0_SOURCES = tests/targets/seccomp.c
tests_targets_seccomp_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_seccomp_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/seccomp-O0$(EXEEXT) tests/targets/seccomp_O0-seccomp.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/seccomp-O2
tests_targets_seccomp_O2_SOURCES = tests/targets/seccomp.c
tests_targets_seccomp_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_seccomp_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/seccomp-O2$(EXEEXT) tests/targets/seccomp_O2-seccomp.$(OBJEXT): CFLAGS =
