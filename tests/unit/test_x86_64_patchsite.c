/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch->patch_site on x86_64: where the fast path's 5-byte jmp may go at a
 * function's entry, and the function's exits.  Each case is a whole
 * function (the bytes of [st_value, st_value + st_size)) annotated with
 * its assembly, offsets from the function's start on the left.  The
 * hand-written ones come from GNU as (objdump -d); "calls-O2" ones are
 * tests/targets/calls.c built by `make check` at -O2; "cf-protection"
 * ones are gcc 13 -O2 -fcf-protection=full of the C shown, linked
 * -no-pie, at the addresses shown.  test_x86_64_patchsite_sweep.c runs the
 * analysis over whole files.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"

#define X (&ct_arch_x86_64)
#define F 0x401000ull /* where the hand-written functions start */

/* code, sizeof code, for a compound literal of bytes */
#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

#define MAX_EXITS 16

struct result {
	struct ct_patch_site s;
	struct ct_patch_exit e[MAX_EXITS];
};

static void plan(struct result *r, const uint8_t *code, size_t len, uint64_t addr)
{
	memset(r, 0xa5, sizeof(*r)); /* every field must be written */
	r->s.exits = r->e;
	r->s.exits_cap = MAX_EXITS;
	assert_int_equal(X->patch_site(code, len, addr, &r->s), 0);
	assert_int_equal(r->s.addr, addr);
	assert_int_equal(r->s.size, len);
	assert_ptr_equal(r->s.exits, r->e);
	assert_int_equal(r->s.patch_len, 5);
}

/* The entry: its verdict, where the jump goes and what it displaces. */
static void check_entry(const struct result *r, enum ct_patch_why why, uint32_t patch_off,
			uint8_t displaced_len, uint8_t nr_displaced)
{
	assert_string_equal(ct_patch_why_name(r->s.why), ct_patch_why_name(why));
	assert_int_equal(r->s.patch_off, patch_off);
	assert_int_equal(r->s.endbr, patch_off == 4);
	if (why == CT_PATCH_OK || displaced_len) {
		assert_int_equal(r->s.displaced_len, displaced_len);
		assert_int_equal(r->s.nr_displaced, nr_displaced);
	}
	if (why == CT_PATCH_OK) {
		uint64_t pc = r->s.addr + patch_off;

		/* whole instructions, back to back, from the jump's start */
		for (unsigned i = 0; i < r->s.nr_displaced; i++) {
			assert_int_equal(r->s.displaced[i].pc, pc);
			pc += r->s.displaced[i].len;
		}
		assert_int_equal(pc, r->s.addr + patch_off + displaced_len);
	}
}

static void check_exit(const struct result *r, size_t i, uint32_t off, uint8_t len,
		       enum ct_exit_kind kind, uint32_t patch_off, enum ct_patch_why why)
{
	const struct ct_patch_exit *e = &r->e[i];

	assert_true(i < r->s.nr_exits);
	assert_int_equal(e->off, off);
	assert_int_equal(e->len, len);
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->patch_off, patch_off);
	assert_string_equal(ct_patch_why_name(e->why), ct_patch_why_name(why));
}

/* --- accepted ---------------------------------------------------------- */

static void test_tiny_leaf(void **state CT_UNUSED)
{
	struct result r;

	/* calls-O2 add(), st_size 5 */
	plan(&r, B(0x48, 0x8d, 0x04, 0x37, /* 0: lea (%rdi,%rsi,1),%rax */
		   0xc3),                  /* 4: ret */
	     0x15a0);
	check_entry(&r, CT_PATCH_OK, 0, 5, 2);
	assert_true(r.s.swept);
	assert_int_equal(r.s.nr_insns, 2);
	/* the entry trampoline runs the ret: this exit is its business */
	assert_int_equal(r.s.nr_exits, 1);
	check_exit(&r, 0, 4, 1, CT_EXIT_RET, 0, CT_PATCH_OVERLAP);
	assert_int_equal(r.s.nr_exits_patchable, 0);
	assert_int_equal(r.s.displaced[1].action, CT_INSN_RELOCATE);
}

static void test_recursion_jcc_displaced(void **state CT_UNUSED)
{
	struct result r;

	/* calls-O2 recurse(), st_size 0x26; the call to itself lands on the
	 * jump's first byte, the jle goes past the displaced bytes */
	plan(&r, B(0x48, 0x83, 0xff, 0x01,             /* 0x00: cmp $0x1,%rdi */
		   0x7e, 0x1a,                         /* 0x04: jle 0x20 */
		   0x53,                               /* 0x06: push %rbx */
		   0x48, 0x89, 0xfb,                   /* 0x07: mov %rdi,%rbx */
		   0x48, 0x8d, 0x7f, 0xff,             /* 0x0a: lea -0x1(%rdi),%rdi */
		   0xe8, 0xed, 0xff, 0xff, 0xff,       /* 0x0e: call 0x0 <recurse> */
		   0x48, 0x01, 0xd8,                   /* 0x13: add %rbx,%rax */
		   0x5b,                               /* 0x16: pop %rbx */
		   0xc3,                               /* 0x17: ret */
		   0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, /* 0x18: nopl 0x0(%rax,%rax,1) */
		   0xb8, 0x01, 0x00, 0x00, 0x00,       /* 0x20: mov $0x1,%eax */
		   0xc3),                              /* 0x25: ret */
	     0x15f0);
	check_entry(&r, CT_PATCH_OK, 0, 6, 2);
	assert_int_equal(r.s.displaced[1].action, CT_INSN_RELOCATE); /* jle */
	assert_int_equal(r.s.displaced[1].target, 0x1610);
	assert_int_equal(r.s.nr_exits, 2);
	/* add; pop; ret: the jump starts at the call's return address */
	check_exit(&r, 0, 0x17, 1, CT_EXIT_RET, 0x13, CT_PATCH_OK);
	/* mov; ret: the jle lands on the jump's first byte */
	check_exit(&r, 1, 0x25, 1, CT_EXIT_RET, 0x20, CT_PATCH_OK);
	assert_int_equal(r.s.nr_exits_patchable, 2);
}

static void test_endbr_loop(void **state CT_UNUSED)
{
	struct result r;

	/* cf-protection gcd():
	 *   while (b) { unsigned long t = a % b; a = b; b = t; } return a;
	 * endbr64 stays; the loop goes back to 0x10, past the jump */
	plan(&r, B(0xf3, 0x0f, 0x1e, 0xfa,       /* 0x00: endbr64 */
		   0x48, 0x89, 0xf8,             /* 0x04: mov %rdi,%rax */
		   0x48, 0x89, 0xf2,             /* 0x07: mov %rsi,%rdx */
		   0x48, 0x85, 0xf6,             /* 0x0a: test %rsi,%rsi */
		   0x74, 0x19,                   /* 0x0d: je 0x28 */
		   0x90,                         /* 0x0f: nop */
		   0x48, 0x89, 0xd1,             /* 0x10: mov %rdx,%rcx */
		   0x31, 0xd2,                   /* 0x13: xor %edx,%edx */
		   0x48, 0xf7, 0xf1,             /* 0x15: div %rcx */
		   0x48, 0x89, 0xc8,             /* 0x18: mov %rcx,%rax */
		   0x48, 0x85, 0xd2,             /* 0x1b: test %rdx,%rdx */
		   0x75, 0xf0,                   /* 0x1e: jne 0x10 */
		   0x48, 0x89, 0xc8,             /* 0x20: mov %rcx,%rax */
		   0xc3,                         /* 0x23: ret */
		   0x0f, 0x1f, 0x40, 0x00,       /* 0x24: nopl 0x0(%rax) */
		   0x48, 0x89, 0xf9,             /* 0x28: mov %rdi,%rcx */
		   0x48, 0x89, 0xc8,             /* 0x2b: mov %rcx,%rax */
		   0xc3),                        /* 0x2e: ret */
	     0x401220);
	check_entry(&r, CT_PATCH_OK, 4, 6, 2);
	assert_int_equal(r.s.nr_exits, 2);
	/* mov; ret is 4 bytes and a jne comes before it */
	check_exit(&r, 0, 0x23, 1, CT_EXIT_RET, 0x20, CT_PATCH_TOO_SHORT);
	/* mov; mov; ret from the je's target */
	check_exit(&r, 1, 0x2e, 1, CT_EXIT_RET, 0x28, CT_PATCH_OK);
}

static void test_loop_to_entry(void **state CT_UNUSED)
{
	struct result r;

	/* a jump to the entry meets the jump itself: fine */
	plan(&r, B(0x48, 0x83, 0xef, 0x01, /* 0: sub $0x1,%rdi */
		   0x48, 0x85, 0xff,       /* 4: test %rdi,%rdi */
		   0x75, 0xf7,             /* 7: jne 0 */
		   0xc3),                  /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 7, 2);
	assert_int_equal(r.s.nr_exits, 1);
	check_exit(&r, 0, 9, 1, CT_EXIT_RET, 9, CT_PATCH_TOO_SHORT);
}

static void test_call_next_insn(void **state CT_UNUSED)
{
	struct result r;

	/* the PIC idiom: the call lands on the next instruction, past the
	 * jump, and is no exit */
	plan(&r, B(0x53,                         /* 0x00: push %rbx */
		   0x48, 0x83, 0xec, 0x10,       /* 0x01: sub $0x10,%rsp */
		   0xe8, 0x00, 0x00, 0x00, 0x00, /* 0x05: call 0xa */
		   0x58,                         /* 0x0a: pop %rax */
		   0x48, 0x83, 0xc4, 0x10,       /* 0x0b: add $0x10,%rsp */
		   0x5b,                         /* 0x0f: pop %rbx */
		   0xc3),                        /* 0x10: ret */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 5, 2);
	assert_int_equal(r.s.nr_exits, 1);
	/* add; pop; ret (pop %rax, the call's target, stays out) */
	check_exit(&r, 0, 0x10, 1, CT_EXIT_RET, 0x0b, CT_PATCH_OK);
	assert_false(r.e[0].at_return_point);
}

static void test_exit_at_return_point(void **state CT_UNUSED)
{
	struct result r;

	/* the exit's run starts where the call returns: a return breakpoint
	 * for the callee would land on the jump's first byte */
	plan(&r, B(0x53,                         /* 0x00: push %rbx */
		   0x48, 0x83, 0xec, 0x10,       /* 0x01: sub $0x10,%rsp */
		   0xe8, 0x10, 0x00, 0x00, 0x00, /* 0x05: call 0x1a (out) */
		   0x48, 0x83, 0xc4, 0x10,       /* 0x0a: add $0x10,%rsp */
		   0x5b,                         /* 0x0e: pop %rbx */
		   0xc3),                        /* 0x0f: ret */
	     F);
	assert_int_equal(r.s.nr_exits, 1);
	check_exit(&r, 0, 0x0f, 1, CT_EXIT_RET, 0x0a, CT_PATCH_OK);
	assert_true(r.e[0].at_return_point);
}

static void test_riprel_and_nops(void **state CT_UNUSED)
{
	struct result r;

	/* a rip-relative load is relocated with its disp32 */
	plan(&r, B(0x48, 0x8b, 0x05, 0xdb, 0x2e, 0x00, 0x00, /* 0: mov 0x2edb(%rip),%rax */
		   0xc3),                                    /* 7: ret */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 7, 1);
	assert_int_equal(r.s.displaced[0].disp_size, 4);
	assert_int_equal(r.s.displaced[0].target, F + 7 + 0x2edb);
	/* mov; ret would reach into the entry's jump */
	check_exit(&r, 0, 7, 1, CT_EXIT_RET, 0, CT_PATCH_OVERLAP);

	/* a 5-byte nop is displaced alone; ret imm16 is an exit of its kind */
	plan(&r, B(0x66, 0x0f, 0x1f, 0x04, 0x00, /* 0: nopw (%rax,%rax,1) */
		   0x55,                         /* 5: push %rbp */
		   0x5d,                         /* 6: pop %rbp */
		   0xc2, 0x08, 0x00),            /* 7: ret $0x8 */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 5, 1);
	assert_int_equal(r.s.displaced[0].action, CT_INSN_EMULATE);
	/* push; pop; ret $8 is 5 bytes */
	check_exit(&r, 0, 7, 3, CT_EXIT_RET_IMM, 5, CT_PATCH_OK);
}

static void test_single_insn_despite_indirect_jump(void **state CT_UNUSED)
{
	struct result r;

	/* jmp *%rsi may land on any instruction start, none of which is
	 * inside a jump that replaces one 5-byte instruction whole */
	plan(&r, B(0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x0: mov $0x1,%eax */
		   0x85, 0xff,                   /* 0x5: test %edi,%edi */
		   0x74, 0x02,                   /* 0x7: je 0xb */
		   0xff, 0xe6,                   /* 0x9: jmp *%rsi */
		   0xc3),                        /* 0xb: ret */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 5, 1);
	assert_true(r.s.indirect_jump);
	/* jmp *%rsi may leave; neither it nor the ret can hold a jump */
	assert_int_equal(r.s.nr_exits, 2);
	check_exit(&r, 0, 0x9, 2, CT_EXIT_INDIRECT, 0x9, CT_PATCH_TOO_SHORT);
	check_exit(&r, 1, 0xb, 1, CT_EXIT_RET, 0xb, CT_PATCH_TOO_SHORT);
}

static void test_tail_calls(void **state CT_UNUSED)
{
	struct result r;

	/* je and jmp out of [F, F + 0x10): exits with their targets */
	plan(&r, B(0x83, 0xff, 0x10,                   /* 0x0: cmp $0x10,%edi */
		   0x0f, 0x84, 0xfa, 0x0f, 0x00, 0x00, /* 0x3: je F+0x1003 */
		   0x89, 0xf8,                         /* 0x9: mov %edi,%eax */
		   0xe9, 0xfb, 0x1f, 0x00, 0x00),      /* 0xb: jmp F+0x200b */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 9, 2);
	assert_int_equal(r.s.nr_exits, 2);
	/* the je is displaced by the entry jump; the jmp holds its own */
	check_exit(&r, 0, 3, 6, CT_EXIT_TAIL_JCC, 3, CT_PATCH_OVERLAP);
	assert_int_equal(r.e[0].target, F + 0x1003);
	check_exit(&r, 1, 0xb, 5, CT_EXIT_TAIL_JMP, 0xb, CT_PATCH_OK);
	assert_int_equal(r.e[1].target, F + 0x200b);

	/* a thunk: the function is one jmp, displaced whole */
	plan(&r, B(0xe9, 0xfb, 0x1f, 0x00, 0x00), F); /* 0: jmp F+0x2000 */
	check_entry(&r, CT_PATCH_OK, 0, 5, 1);
	assert_int_equal(r.s.displaced[0].action, CT_INSN_EMULATE);
	assert_int_equal(r.s.displaced[0].target, F + 0x2000);
	check_exit(&r, 0, 0, 5, CT_EXIT_TAIL_JMP, 0, CT_PATCH_OVERLAP);
}

static void test_exits_over_capacity(void **state CT_UNUSED)
{
	/* five exits, room for two: all counted, the first two stored */
	static const uint8_t code[] = {
		0x85, 0xff,                   /* 0x00: test %edi,%edi */
		0x74, 0x0b,                   /* 0x02: je 0xf */
		0x83, 0xff, 0x01,             /* 0x04: cmp $0x1,%edi */
		0x74, 0x0c,                   /* 0x07: je 0x15 */
		0xb8, 0x03, 0x00, 0x00, 0x00, /* 0x09: mov $0x3,%eax */
		0xc3,                         /* 0x0e: ret */
		0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x0f: mov $0x1,%eax */
		0xc3,                         /* 0x14: ret */
		0xb8, 0x02, 0x00, 0x00, 0x00, /* 0x15: mov $0x2,%eax */
		0xc3,                         /* 0x1a: ret */
		0xf3, 0xc3,                   /* 0x1b: rep ret */
		0xc3,                         /* 0x1d: ret */
	};
	struct ct_patch_exit e[3];
	struct ct_patch_site s = { .exits = e, .exits_cap = 2 };

	memset(e, 0, sizeof(e));
	assert_int_equal(X->patch_site(code, sizeof(code), F, &s), 0);
	assert_int_equal(s.why, CT_PATCH_OK);
	assert_int_equal(s.nr_exits, 5);
	assert_int_equal(s.nr_exits_patchable, 3); /* the three mov; ret */
	assert_int_equal(e[0].off, 0x0e);
	assert_int_equal(e[0].patch_off, 0x09);
	assert_int_equal(e[1].off, 0x14);
	assert_int_equal(e[2].off, 0); /* not written */

	/* with room for all: rep ret and ret after a ret cannot hold a jump
	 * (mov; ret; rep ret would be 8 bytes, but a ret is no straight line) */
	{
		struct result r;

		plan(&r, code, sizeof(code), F);
		assert_int_equal(r.s.nr_exits, 5);
		check_exit(&r, 2, 0x1a, 1, CT_EXIT_RET, 0x15, CT_PATCH_OK);
		check_exit(&r, 3, 0x1b, 2, CT_EXIT_REP_RET, 0x1b, CT_PATCH_TOO_SHORT);
		check_exit(&r, 4, 0x1d, 1, CT_EXIT_RET, 0x1d, CT_PATCH_TOO_SHORT);
	}
}

/* --- refused ----------------------------------------------------------- */

static void test_no_size(void **state CT_UNUSED)
{
	struct result r;
	static const uint8_t code[] = { 0xc3 };

	plan(&r, code, 0, F);
	check_entry(&r, CT_PATCH_NO_SIZE, 0, 0, 0);
	assert_int_equal(r.s.nr_exits, 0);
	assert_false(r.s.swept);
}

static void test_too_short(void **state CT_UNUSED)
{
	struct result r;

	plan(&r, B(0xc3), F); /* 0: ret */
	check_entry(&r, CT_PATCH_TOO_SHORT, 0, 0, 0);
	check_exit(&r, 0, 0, 1, CT_EXIT_RET, 0, CT_PATCH_TOO_SHORT);

	plan(&r, B(0xf3, 0xc3), F); /* 0: rep ret */
	check_entry(&r, CT_PATCH_TOO_SHORT, 0, 0, 0);
	check_exit(&r, 0, 0, 2, CT_EXIT_REP_RET, 0, CT_PATCH_TOO_SHORT);

	plan(&r, B(0x31, 0xc0, /* 0: xor %eax,%eax */
		   0xc3),      /* 2: ret */
	     F);
	check_entry(&r, CT_PATCH_TOO_SHORT, 0, 0, 0);
	check_exit(&r, 0, 2, 1, CT_EXIT_RET, 0, CT_PATCH_TOO_SHORT);

	/* endbr64; xor; ret: 7 bytes, but only 3 after the endbr64 */
	plan(&r, B(0xf3, 0x0f, 0x1e, 0xfa, /* 0: endbr64 */
		   0x31, 0xc0,             /* 4: xor %eax,%eax */
		   0xc3),                  /* 6: ret */
	     F);
	check_entry(&r, CT_PATCH_TOO_SHORT, 4, 0, 0);
	/* no return jump reaches back into the endbr64 */
	check_exit(&r, 0, 6, 1, CT_EXIT_RET, 0, CT_PATCH_OVERLAP);
}

static void test_loop_to_entry_plus_2(void **state CT_UNUSED)
{
	struct result r;

	/* the case: the first instructions are a branch target */
	plan(&r, B(0x31, 0xc0,       /* 0: xor %eax,%eax */
		   0x83, 0xc0, 0x01, /* 2: add $0x1,%eax */
		   0x39, 0xf8,       /* 5: cmp %edi,%eax */
		   0x75, 0xf9,       /* 7: jne 2 */
		   0xc3),            /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_BRANCH_INSIDE, 0, 5, 2);

	/* the same with loop; a jrcxz out of the function is an exit */
	plan(&r, B(0x31, 0xc9,       /* 0: xor %ecx,%ecx */
		   0x83, 0xc0, 0x01, /* 2: add $0x1,%eax */
		   0xe2, 0xfb,       /* 5: loop 2 */
		   0xe3, 0x10,       /* 7: jrcxz 0x19 */
		   0xc3),            /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_BRANCH_INSIDE, 0, 5, 2);
	assert_int_equal(r.s.nr_exits, 2);
	check_exit(&r, 0, 7, 2, CT_EXIT_TAIL_JCC, 7, CT_PATCH_TOO_SHORT);
	assert_int_equal(r.e[0].target, F + 0x19);
	check_exit(&r, 1, 9, 1, CT_EXIT_RET, 9, CT_PATCH_TOO_SHORT);
}

static void test_jump_into_patch_from_later(void **state CT_UNUSED)
{
	struct result r;

	plan(&r, B(0x53,                   /* 0x0: push %rbx */
		   0x48, 0x89, 0xfb,       /* 0x1: mov %rdi,%rbx */
		   0x48, 0x85, 0xdb,       /* 0x4: test %rbx,%rbx */
		   0x74, 0x06,             /* 0x7: je 0xf */
		   0x48, 0x83, 0xc3, 0x01, /* 0x9: add $0x1,%rbx */
		   0xeb, 0xf2,             /* 0xd: jmp 0x1 */
		   0x5b,                   /* 0xf: pop %rbx */
		   0xc3),                  /* 0x10: ret */
	     F);
	check_entry(&r, CT_PATCH_BRANCH_INSIDE, 0, 7, 3);
	/* pop; ret is 2 bytes after a jmp */
	check_exit(&r, 0, 0x10, 1, CT_EXIT_RET, 0xf, CT_PATCH_TOO_SHORT);
}

static void test_exit_run_entered_midway(void **state CT_UNUSED)
{
	struct result r;

	/* mov; pop; ret would hold a return jump, but the je lands on the pop */
	plan(&r, B(0x53,                         /* 0x0: push %rbx */
		   0x48, 0x89, 0xfb,             /* 0x1: mov %rdi,%rbx */
		   0x48, 0x85, 0xff,             /* 0x4: test %rdi,%rdi */
		   0x74, 0x05,                   /* 0x7: je 0xe */
		   0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x9: mov $0x1,%eax */
		   0x5b,                         /* 0xe: pop %rbx */
		   0xc3),                        /* 0xf: ret */
	     F);
	check_entry(&r, CT_PATCH_OK, 0, 7, 3);
	check_exit(&r, 0, 0xf, 1, CT_EXIT_RET, 0x9, CT_PATCH_BRANCH_INSIDE);
	assert_int_equal(r.s.nr_exits_patchable, 0);
}

static void test_branch_mid_insn(void **state CT_UNUSED)
{
	struct result r;

	/* the jne lands inside the mov: the sweep is not the code */
	plan(&r, B(0xb8, 0x78, 0x56, 0x34, 0x12, /* 0: mov $0x12345678,%eax */
		   0x85, 0xff,                   /* 5: test %edi,%edi */
		   0x75, 0xf8,                   /* 7: jne 1 */
		   0xc3),                        /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_BRANCH_MIDINSN, 0, 0, 0);
	check_exit(&r, 0, 9, 1, CT_EXIT_RET, 9, CT_PATCH_BRANCH_MIDINSN);
}

static void test_jump_table(void **state CT_UNUSED)
{
	struct result r;

	/*
	 * cf-protection sw(), st_size 0x95 at 0x401180:
	 *   switch (x) { case 0: return f0(y); case 1: return f1(y) + 1;
	 *   case 2: return f2(y) * 3; case 3: return f3(y) - 7;
	 *   case 4: return f4(y) ^ 5; case 5: return f5(y) + y; } return -1;
	 * The cases are reached through `notrack jmp *%rax` only.
	 */
	plan(&r, B(0xf3, 0x0f, 0x1e, 0xfa,                   /* 0x00: endbr64 */
		   0x89, 0xf8,                               /* 0x04: mov %edi,%eax */
		   0x48, 0x83, 0xec, 0x18,                   /* 0x06: sub $0x18,%rsp */
		   0x83, 0xf8, 0x05,                         /* 0x0a: cmp $0x5,%eax */
		   0x0f, 0x87, 0xad, 0xfe, 0xff, 0xff,       /* 0x0d: ja 401040 <sw.cold> */
		   0x48, 0x8d, 0x15, 0x6a, 0x0e, 0x00, 0x00, /* 0x13: lea 0xe6a(%rip),%rdx */
		   0x89, 0xf7,                               /* 0x1a: mov %esi,%edi */
		   0x48, 0x63, 0x04, 0x82,                   /* 0x1c: movslq (%rdx,%rax,4),%rax */
		   0x48, 0x01, 0xd0,                         /* 0x20: add %rdx,%rax */
		   0x3e, 0xff, 0xe0,                         /* 0x23: notrack jmp *%rax */
		   0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, /* 0x26: cs nopw */
		   0xe8, 0x0b, 0x01, 0x00, 0x00,             /* 0x30: call 4012c0 <f4> */
		   0x83, 0xf0, 0x05,                         /* 0x35: xor $0x5,%eax */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x38: add $0x18,%rsp */
		   0xc3,                                     /* 0x3c: ret */
		   0x0f, 0x1f, 0x00,                         /* 0x3d: nopl (%rax) */
		   0x89, 0x74, 0x24, 0x0c,                   /* 0x40: mov %esi,0xc(%rsp) */
		   0xe8, 0x07, 0x01, 0x00, 0x00,             /* 0x44: call 4012d0 <f5> */
		   0x8b, 0x7c, 0x24, 0x0c,                   /* 0x49: mov 0xc(%rsp),%edi */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x4d: add $0x18,%rsp */
		   0x01, 0xf8,                               /* 0x51: add %edi,%eax */
		   0xc3,                                     /* 0x53: ret */
		   0x0f, 0x1f, 0x40, 0x00,                   /* 0x54: nopl 0x0(%rax) */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x58: add $0x18,%rsp */
		   0xe9, 0x9f, 0x00, 0x00, 0x00,             /* 0x5c: jmp 401280 <f0> */
		   0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00, /* 0x61: nopl 0x0(%rax) */
		   0xe8, 0xa3, 0x00, 0x00, 0x00,             /* 0x68: call 401290 <f1> */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x6d: add $0x18,%rsp */
		   0x83, 0xc0, 0x01,                         /* 0x71: add $0x1,%eax */
		   0xc3,                                     /* 0x74: ret */
		   0x0f, 0x1f, 0x00,                         /* 0x75: nopl (%rax) */
		   0xe8, 0xa3, 0x00, 0x00, 0x00,             /* 0x78: call 4012a0 <f2> */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x7d: add $0x18,%rsp */
		   0x8d, 0x04, 0x40,                         /* 0x81: lea (%rax,%rax,2),%eax */
		   0xc3,                                     /* 0x84: ret */
		   0x0f, 0x1f, 0x00,                         /* 0x85: nopl (%rax) */
		   0xe8, 0xa3, 0x00, 0x00, 0x00,             /* 0x88: call 4012b0 <f3> */
		   0x48, 0x83, 0xc4, 0x18,                   /* 0x8d: add $0x18,%rsp */
		   0x83, 0xe8, 0x07,                         /* 0x91: sub $0x7,%eax */
		   0xc3),                                    /* 0x94: ret */
	     0x401180);
	/* mov; sub: two instructions, and a case may start at the second */
	check_entry(&r, CT_PATCH_INDIRECT_JUMP, 4, 6, 2);
	assert_true(r.s.swept);
	assert_true(r.s.indirect_jump);
	assert_int_equal(r.s.nr_exits, 8);
	/* ja to sw.cold leaves the function; 6 bytes, replaced whole */
	check_exit(&r, 0, 0x0d, 6, CT_EXIT_TAIL_JCC, 0x0d, CT_PATCH_OK);
	assert_int_equal(r.e[0].target, 0x401040);
	/* the dispatch itself: add; notrack jmp */
	check_exit(&r, 1, 0x23, 3, CT_EXIT_INDIRECT, 0x20, CT_PATCH_INDIRECT_JUMP);
	/* add; ret could be a case target for all we know */
	check_exit(&r, 2, 0x3c, 1, CT_EXIT_RET, 0x38, CT_PATCH_INDIRECT_JUMP);
	check_exit(&r, 3, 0x53, 1, CT_EXIT_RET, 0x4d, CT_PATCH_INDIRECT_JUMP);
	/* the tail call to f0 is one whole 5-byte instruction */
	check_exit(&r, 4, 0x5c, 5, CT_EXIT_TAIL_JMP, 0x5c, CT_PATCH_OK);
	assert_int_equal(r.e[4].target, 0x401280);
	check_exit(&r, 5, 0x74, 1, CT_EXIT_RET, 0x6d, CT_PATCH_INDIRECT_JUMP);
	check_exit(&r, 6, 0x84, 1, CT_EXIT_RET, 0x7d, CT_PATCH_INDIRECT_JUMP);
	check_exit(&r, 7, 0x94, 1, CT_EXIT_RET, 0x8d, CT_PATCH_INDIRECT_JUMP);
	assert_int_equal(r.s.nr_exits_patchable, 2);

	/* sw.cold (or $-1,%eax; jmp sw+0x38) lands on the first byte of the
	 * exit jump at 0x38: harmless; one landing at 0x39 would not be */
	ct_patch_site_external_target(&r.s, 0x401180 + 0x38);
	assert_int_equal(r.s.nr_exits_patchable, 2);
	ct_patch_site_external_target(&r.s, 0x401180 + 0x5d);
	assert_int_equal(r.e[4].why, CT_PATCH_BRANCH_INSIDE);
	assert_int_equal(r.s.nr_exits_patchable, 1);
}

static void test_call_displaced(void **state CT_UNUSED)
{
	struct result r;

	/* a thread inside the call would return into the jump */
	plan(&r, B(0x53,                         /* 0: push %rbx */
		   0xe8, 0xeb, 0xff, 0xff, 0xff, /* 1: call F-0xf */
		   0x5b,                         /* 6: pop %rbx */
		   0xc3),                        /* 7: ret */
	     F);
	check_entry(&r, CT_PATCH_CALL_DISPLACED, 0, 6, 2);
	/* the exit run starts at the call's return address */
	check_exit(&r, 0, 7, 1, CT_EXIT_RET, 6, CT_PATCH_TOO_SHORT);
	assert_string_equal(r.s.detail, "call");

	/* a thread blocked in the syscall has its pc at 4 */
	plan(&r, B(0x31, 0xc0, /* 0: xor %eax,%eax */
		   0x0f, 0x05, /* 2: syscall */
		   0xc3),      /* 4: ret */
	     F);
	check_entry(&r, CT_PATCH_CALL_DISPLACED, 0, 5, 3);
	assert_string_equal(r.s.detail, "system call");
	check_exit(&r, 0, 4, 1, CT_EXIT_RET, 4, CT_PATCH_TOO_SHORT);
}

static void test_not_relocatable(void **state CT_UNUSED)
{
	struct result r;

	/* a breakpoint already in the bytes */
	plan(&r, B(0x55,             /* 0: push %rbp */
		   0xcc,             /* 1: int3 */
		   0x48, 0x89, 0xe5, /* 2: mov %rsp,%rbp */
		   0x5d,             /* 5: pop %rbp */
		   0xc3),            /* 6: ret */
	     F);
	check_entry(&r, CT_PATCH_NOT_RELOCATABLE, 0, 5, 3);
	assert_non_null(strstr(r.s.detail, "int3"));

	/* xbegin's abort target is relative, and a branch target */
	plan(&r, B(0xc7, 0xf8, 0x03, 0x00, 0x00, 0x00, /* 0: xbegin 9 */
		   0x0f, 0x01, 0xd5,                   /* 6: xend */
		   0xc3),                              /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_NOT_RELOCATABLE, 0, 6, 1);
	/* xend; ret would be 4 bytes, and the ret is xbegin's target */
	check_exit(&r, 0, 9, 1, CT_EXIT_RET, 6, CT_PATCH_TOO_SHORT);

	/* an abort lands where xbegin says: here inside the entry jump */
	plan(&r, B(0x53,                               /* 0: push %rbx */
		   0x48, 0x89, 0xfb,                   /* 1: mov %rdi,%rbx */
		   0x48, 0x85, 0xdb,                   /* 4: test %rbx,%rbx */
		   0xc7, 0xf8, 0xf4, 0xff, 0xff, 0xff, /* 7: xbegin 1 */
		   0x5b,                               /* d: pop %rbx */
		   0xc3),                              /* e: ret */
	     F);
	check_entry(&r, CT_PATCH_BRANCH_INSIDE, 0, 7, 3);
}

static void test_far_branch(void **state CT_UNUSED)
{
	struct result r;

	plan(&r, B(0x48, 0x89, 0xf8,       /* 0: mov %rdi,%rax */
		   0x48, 0x83, 0xec, 0x08, /* 3: sub $0x8,%rsp */
		   0xff, 0x28),            /* 7: ljmp *(%rax) */
	     F);
	check_entry(&r, CT_PATCH_FAR_BRANCH, 0, 0, 0);
	assert_int_equal(r.s.nr_exits, 0);

	/* jmpw: a 16-bit target we refuse to follow */
	plan(&r, B(0x53,                   /* 0: push %rbx */
		   0x48, 0x89, 0xfb,       /* 1: mov %rdi,%rbx */
		   0x5b,                   /* 4: pop %rbx */
		   0x66, 0xe9, 0x00, 0x00, /* 5: jmpw 9 */
		   0xc3),                  /* 9: ret */
	     F);
	check_entry(&r, CT_PATCH_FAR_BRANCH, 0, 0, 0);
}

static void test_undecodable(void **state CT_UNUSED)
{
	struct result r;

	/* data after the ret: the sweep stops, the exit found is kept */
	plan(&r, B(0xb8, 0x01, 0x00, 0x00, 0x00, /* 0: mov $0x1,%eax */
		   0xc3,                         /* 5: ret */
		   0x06, 0x07),                  /* 6: (bad) (bad) */
	     F);
	check_entry(&r, CT_PATCH_UNDECODABLE, 0, 0, 0);
	assert_false(r.s.swept);
	assert_int_equal(r.s.nr_insns, 2);
	check_exit(&r, 0, 5, 1, CT_EXIT_RET, 0, CT_PATCH_UNDECODABLE);
}

static void test_names(void **state CT_UNUSED)
{
	for (int i = 0; i < CT_PATCH_NR_WHY; i++) {
		const char *n = ct_patch_why_name((enum ct_patch_why)i);

		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, ct_patch_why_name((enum ct_patch_why)j));
	}
	assert_string_equal(ct_patch_why_name(CT_PATCH_NR_WHY), "unknown");
	assert_null(ct_arch_aarch64.patch_site);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny_leaf),
		cmocka_unit_test(test_recursion_jcc_displaced),
		cmocka_unit_test(test_endbr_loop),
		cmocka_unit_test(test_loop_to_entry),
		cmocka_unit_test(test_call_next_insn),
		cmocka_unit_test(test_riprel_and_nops),
		cmocka_unit_test(test_single_insn_despite_indirect_jump),
		cmocka_unit_test(test_tail_calls),
		cmocka_unit_test(test_exits_over_capacity),
		cmocka_unit_test(test_no_size),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_loop_to_entry_plus_2),
		cmocka_unit_test(test_jump_into_patch_from_later),
		cmocka_unit_test(test_exit_run_entered_midway),
		cmocka_unit_test(test_branch_mid_insn),
		cmocka_unit_test(test_jump_table),
		cmocka_unit_test(test_call_displaced),
		cmocka_unit_test(test_not_relocatable),
		cmocka_unit_test(test_far_branch),
		cmocka_unit_test(test_undecodable),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_exit_at_return_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
