# tests/targets/frames.mk: targets of how frames are told apart (tail
# calls, frames abandoned by longjmp or an exception and called again from
# the same site, compiler-split cold parts), at -O0 and -O2 like every
# target (see tests/targets/local.mk for why CFLAGS are emptied).

check_PROGRAMS += tests/targets/tailcall-O0
tests_targets_tailcall_O0_SOURCES = tests/targets/tailcall.c
tests_targets_tailcall_O0_CFLAGS = $(TGT_CFLAGS) -O0
tests_targets_tailcall_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/tailcall-O0$(EXEEXT) tests/targets/tailcall_O0-tailcall.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/tailcall_cxx-O0
tests_targets_tailcall_cxx_O0_SOURCES = tests/targets/tailcall_cxx.cc
tests_targets_tailcall_cxx_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_tailcall_cxx_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/tailcall_cxx-O0$(EXEEXT) tests/targets/tailcall_cxx_O0-tailcall_cxx.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/coldparts-O0
tests_targets_coldparts_O0_SOURCES = tests/targets/coldparts.cc
tests_targets_coldparts_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_coldparts_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/coldparts-O0$(EXEEXT) tests/targets/coldparts_O0-coldparts.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/tailcall-O2
tests_targets_tailcall_O2_SOURCES = tests/targets/tailcall.c
tests_targets_tailcall_O2_CFLAGS = $(TGT_CFLAGS) -O2
tests_targets_tailcall_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/tailcall-O2$(EXEEXT) tests/targets/tailcall_O2-tailcall.$(OBJEXT): CFLAGS =

check_PROGRAMS += tests/targets/tailcall_cxx-O2
tests_targets_tailcall_cxx_O2_SOURCES = tests/targets/tailcall_cxx.cc
tests_targets_tailcall_cxx_O2_CXXFLAGS = $(TGT_CFLAGS) -O2
tests_targets_tailcall_cxx_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/tailcall_cxx-O2$(EXEEXT) tests/targets/tailcall_cxx_O2-tailcall_cxx.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/coldparts-O2
tests_targets_coldparts_O2_SOURCES = tests/targets/coldparts.cc
# (GCC splits hot and cold parts at -O2 on x86_64 only by default; asked
# for, it does on aarch64 too, and the test has cold parts to look at)
tests_targets_coldparts_O2_CXXFLAGS = $(TGT_CFLAGS) -O2 -freorder-blocks-and-partition
tests_targets_coldparts_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/coldparts-O2$(EXEEXT) tests/targets/coldparts_O2-coldparts.$(OBJEXT): CXXFLAGS =
