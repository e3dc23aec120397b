# tests/targets/args.mk: the target of tests/integration/args.sh (DWARF-typed
# arguments and return values), at -O0 and -O2 like every target (see
# tests/targets/local.mk for why CFLAGS are emptied).
check_PROGRAMS += tests/targets/args-O0
tests_targets_args_O0_SOURCES = tests/targets/args.c
tests_targets_args_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_args_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/args-O0$(EXEEXT) tests/targets/args_O0-args.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/args-O2
tests_targets_args_O2_SOURCES = tests/targets/args.c
tests_targets_args_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_args_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/args-O2$(EXEEXT) tests/targets/args_O2-args.$(OBJEXT): CFLAGS =
