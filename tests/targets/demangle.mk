# tests/targets/demangle.mk: the C++ target of tests/integration/demangle.sh
# (namespaces, a class template, overloads, an operator, an anonymous
# namespace), at -O0 and -O2 like every target (see tests/targets/local.mk
# for why CXXFLAGS is emptied).

check_PROGRAMS += tests/targets/demangle-O0
tests_targets_demangle_O0_SOURCES = tests/targets/demangle.cc
tests_targets_demangle_O0_CXXFLAGS = $(TGT_CFLAGS) -O0
tests_targets_demangle_O0_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/demangle-O0$(EXEEXT) tests/targets/demangle_O0-demangle.$(OBJEXT): CXXFLAGS =

check_PROGRAMS += tests/targets/demangle-O2
tests_targets_demangle_O2_SOURCES = tests/targets/demangle.cc
tests_targets_demangle_O2_CXXFLAGS = $(TGT_CFLAGS) -O2
tests_targets_demangle_O2_LDFLAGS = $(TGT_LINKFLAGS)
tests/targets/demangle-O2$(EXEEXT) tests/targets/demangle_O2-demangle.$(OBJEXT): CXXFLAGS =
