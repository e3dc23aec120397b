# tests/unit/session_control.mk: the session's live control on a real
# program (tests/targets/control.c, found under $TARGETS as make check sets
# it, else in this build directory).
check_PROGRAMS += tests/unit/test_session_control
TESTS += tests/unit/test_session_control
tests_unit_test_session_control_SOURCES = tests/unit/test_session_control.c
tests_unit_test_session_control_CPPFLAGS = $(UT_CPPFLAGS) \
	-DCT_TARGETS_DIR='"$(abs_top_builddir)/tests/targets"'
tests_unit_test_session_control_CFLAGS = $(UT_CFLAGS)
tests_unit_test_session_control_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_session_control_LDADD = $(UT_LIBS)
# built with it, so that running it alone finds them
EXTRA_tests_unit_test_session_control_DEPENDENCIES = tests/targets/control-O0$(EXEEXT) \
	tests/targets/control-O2$(EXEEXT)
