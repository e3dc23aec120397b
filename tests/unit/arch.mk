# tests/unit/arch.mk: the x86_64 backend and the capstone layer (pure, any host)
check_PROGRAMS += tests/unit/test_x86_64_relocate tests/unit/test_x86_64_regs \
	tests/unit/test_x86_64_disasm
TESTS += tests/unit/test_x86_64_relocate tests/unit/test_x86_64_regs \
	tests/unit/test_x86_64_disasm

tests_unit_test_x86_64_relocate_SOURCES = tests/unit/test_x86_64_relocate.c
tests_unit_test_x86_64_relocate_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_relocate_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_relocate_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_relocate_LDADD = $(UT_LIBS)

tests_unit_test_x86_64_regs_SOURCES = tests/unit/test_x86_64_regs.c
tests_unit_test_x86_64_regs_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_regs_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_regs_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_regs_LDADD = $(UT_LIBS)

tests_unit_test_x86_64_disasm_SOURCES = tests/unit/test_x86_64_disasm.c
tests_unit_test_x86_64_disasm_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_disasm_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_disasm_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_disasm_LDADD = $(UT_LIBS)

# the aarch64 backend, tested on any host
check_PROGRAMS += tests/unit/test_aarch64_regs tests/unit/test_aarch64_relocate \
	tests/unit/test_aarch64_emulate tests/unit/test_aarch64_exclusive
TESTS += tests/unit/test_aarch64_regs tests/unit/test_aarch64_relocate \
	tests/unit/test_aarch64_emulate tests/unit/test_aarch64_exclusive

tests_unit_test_aarch64_regs_SOURCES = tests/unit/test_aarch64_regs.c
tests_unit_test_aarch64_regs_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_aarch64_regs_CFLAGS = $(UT_CFLAGS)
tests_unit_test_aarch64_regs_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_aarch64_regs_LDADD = $(UT_LIBS)

tests_unit_test_aarch64_relocate_SOURCES = tests/unit/test_aarch64_relocate.c tests/unit/fake_mem.h
tests_unit_test_aarch64_relocate_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_aarch64_relocate_CFLAGS = $(UT_CFLAGS)
tests_unit_test_aarch64_relocate_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_aarch64_relocate_LDADD = $(UT_LIBS)

tests_unit_test_aarch64_emulate_SOURCES = tests/unit/test_aarch64_emulate.c tests/unit/fake_mem.h
tests_unit_test_aarch64_emulate_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_aarch64_emulate_CFLAGS = $(UT_CFLAGS)
tests_unit_test_aarch64_emulate_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_aarch64_emulate_LDADD = $(UT_LIBS)

tests_unit_test_aarch64_exclusive_SOURCES = tests/unit/test_aarch64_exclusive.c
tests_unit_test_aarch64_exclusive_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_aarch64_exclusive_CFLAGS = $(UT_CFLAGS)
tests_unit_test_aarch64_exclusive_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_aarch64_exclusive_LDADD = $(UT_LIBS)

# where aarch64 prologues save x30 (frame liveness after longjmp/exceptions)
check_PROGRAMS += tests/unit/test_aarch64_prologue
TESTS += tests/unit/test_aarch64_prologue
tests_unit_test_aarch64_prologue_SOURCES = tests/unit/test_aarch64_prologue.c
tests_unit_test_aarch64_prologue_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_aarch64_prologue_CFLAGS = $(UT_CFLAGS)
tests_unit_test_aarch64_prologue_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_aarch64_prologue_LDADD = $(UT_LIBS)

# where a return breakpoint may go, on both ISAs
check_PROGRAMS += tests/unit/test_callsite
TESTS += tests/unit/test_callsite
tests_unit_test_callsite_SOURCES = tests/unit/test_callsite.c
tests_unit_test_callsite_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_callsite_CFLAGS = $(UT_CFLAGS)
tests_unit_test_callsite_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_callsite_LDADD = $(UT_LIBS)

# where the fast path may patch an x86_64 function, and its exits
check_PROGRAMS += tests/unit/test_x86_64_patchsite
TESTS += tests/unit/test_x86_64_patchsite
tests_unit_test_x86_64_patchsite_SOURCES = tests/unit/test_x86_64_patchsite.c
tests_unit_test_x86_64_patchsite_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_patchsite_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_patchsite_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_patchsite_LDADD = $(UT_LIBS)

check_PROGRAMS += tests/unit/test_x86_64_patchsite_sweep
TESTS += tests/unit/test_x86_64_patchsite_sweep
# it sweeps the host's own x86_64 libc: nothing to sweep in the aarch64 guest
HOST_ONLY_TESTS += tests/unit/test_x86_64_patchsite_sweep
tests_unit_test_x86_64_patchsite_sweep_SOURCES = tests/unit/test_x86_64_patchsite_sweep.c
tests_unit_test_x86_64_patchsite_sweep_CPPFLAGS = $(UT_CPPFLAGS)
tests_unit_test_x86_64_patchsite_sweep_CFLAGS = $(UT_CFLAGS)
tests_unit_test_x86_64_patchsite_sweep_LDFLAGS = $(UT_LINKFLAGS)
tests_unit_test_x86_64_patchsite_sweep_LDADD = $(UT_LIBS)
