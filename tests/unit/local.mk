# Unit tests: each area keeps its own fragment.
include tests/unit/arch.mk
include tests/unit/symtab.mk
include tests/unit/output.mk
include tests/unit/engine.mk
include tests/unit/trace.mk
include tests/unit/view.mk
include tests/unit/stacks.mk
include tests/unit/repl.mk
include tests/unit/session_control.mk
include tests/unit/demangle.mk
include tests/unit/cxxname.mk
include tests/unit/seccomp.mk
include tests/unit/guardian.mk
include tests/unit/fastpath.mk
include tests/unit/tramp.mk

# DWARF-typed values: both calling conventions (any host) and the C rendering
check_PROGRAMS += tests/unit/test_abi tests/unit/test_render
TESTS += tests/unit/test_abi tests/unit/test_render

tests_unit_test_abi_SOURCES = tests/unit/test_abi.c
tests_unit_test_abi_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_abi_CFLAGS = $(UT_CFLAGS)
tests_unit_test_abi_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_abi_LDADD = $(UT_LIBS)

tests_unit_test_render_SOURCES = tests/unit/test_render.c
tests_unit_test_render_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_render_CFLAGS = $(UT_CFLAGS)
tests_unit_test_render_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_render_LDADD = $(UT_LIBS)
