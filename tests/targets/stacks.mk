# tests/targets/stacks.mk: the targets of `calltrap stacks`
# (tests/integration/stacks*.sh), at -O0 and -O2 like every target
# (see tests/targets/local.mk for why CFLAGS/CXXFLAGS are emptied).

# threads deadlocked on two mutexes, in read() on a pipe, in nanosleep...
check_PROGRAMS += tests/targets/deadlock-O0
tests_targets_deadlock_O0_SOURCES = tests/targets/deadlock.c
tests_targets_deadlock_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_deadlock_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/deadlock-O0$(EXEEXT) tests/targets/deadlock_O0-deadlock.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/deadlock-O2
tests_targets_deadlock_O2_SOURCES = tests/targets/deadlock.c
tests_targets_deadlock_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_deadlock_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/deadlock-O2$(EXEEXT) tests/targets/deadlock_O2-deadlock.$(OBJEXT): CFLAGS =

# two threads deadlocked inside transfer(), inlined at -O2; mutexes inside
# data symbols (accounts in .data, audit in .bss)
check_PROGRAMS += tests/targets/accounts-O0
tests_targets_accounts_O0_SOURCES = tests/targets/accounts.c
tests_targets_accounts_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_accounts_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/accounts-O0$(EXEEXT) tests/targets/accounts_O0-accounts.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/accounts-O2
tests_targets_accounts_O2_SOURCES = tests/targets/accounts.c
tests_targets_accounts_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_accounts_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/accounts-O2$(EXEEXT) tests/targets/accounts_O2-accounts.$(OBJEXT): CFLAGS =

# no CFI in the program's own code (and no DWARF, whose .debug_frame would
# be CFI too): its frames are found by the frame-pointer fallback
STACKS_FP_FLAGS = -g0 -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables
check_PROGRAMS += tests/targets/stacks_fp-O0
tests_targets_stacks_fp_O0_SOURCES = tests/targets/stacks_fp.c
tests_targets_stacks_fp_O0_CFLAGS = $(TGT_CFLAGS) -O0 $(STACKS_FP_FLAGS)
tests_targets_stacks_fp_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/stacks_fp-O0$(EXEEXT) tests/targets/stacks_fp_O0-stacks_fp.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/stacks_fp-O2
tests_targets_stacks_fp_O2_SOURCES = tests/targets/stacks_fp.c
tests_targets_stacks_fp_O2_CFLAGS = $(TGT_CFLAGS) -O2 $(STACKS_FP_FLAGS)
tests_targets_stacks_fp_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/stacks_fp-O2$(EXEEXT) tests/targets/stacks_fp_O2-stacks_fp.$(OBJEXT): CFLAGS =

# C++ frames: namespaces, templates, a lambda (demangled names)
check_PROGRAMS += tests/targets/stacks_cxx-O0
tests_targets_stacks_cxx_O0_SOURCES = tests/targets/stacks_cxx.cc
tests_targets_stacks_cxx_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_stacks_cxx_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/stacks_cxx-O0$(EXEEXT) tests/targets/stacks_cxx_O0-stacks_cxx.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/stacks_cxx-O2
tests_targets_stacks_cxx_O2_SOURCES = tests/targets/stacks_cxx.cc
tests_targets_stacks_cxx_O2_CXXFLAGS = $(TGT_CFLAGS) -O2
tests_targets_stacks_cxx_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/stacks_cxx-O2$(EXEEXT) tests/targets/stacks_cxx_O2-stacks_cxx.$(OBJEXT): CXXFLAGS =
