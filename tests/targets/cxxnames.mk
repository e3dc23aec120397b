# tests/targets/cxxnames.mk: the C++ target of tests/integration/cxxnames.sh
# (libstdc++ templates, an overloaded pair, a virtual base, an exception
# class), at -O0 and -O2 (see tests/targets/local.mk for why CXXFLAGS is
# emptied).

check_PROGRAMS += tests/targets/cxxnames-O0
tests_targets_cxxnames_O0_SOURCES = tests/targets/cxxnames.cc
tests_targets_cxxnames_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_cxxnames_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/cxxnames-O0$(EXEEXT) tests/targets/cxxnames_O0-cxxnames.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/cxxnames-O2
tests_targets_cxxnames_O2_SOURCES = tests/targets/cxxnames.cc
tests_targets_cxxnames_O2_CXXFLAGS = $(TGT_CFLAGS) -O2
tests_targets_cxxnames_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/cxxnames-O2$(EXEEXT) tests/targets/cxxnames_O2-cxxnames.$(OBJEXT): CXXFLAGS =
