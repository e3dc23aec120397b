/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86_64 trampolines' bytes (arch->tramp_entry, tramp_exit,
 * patch_jump), on any host: the pieces whose encoding matters, annotated
 * with their assembly (checked with objdump -D -b binary -mi386:x86-64
 * --adjust-vma=0x500000).  Functions start at F, trampolines at T.  What
 * the code does when it runs is test_x86_64_tramp_run.c's business.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "fastpath/ring.h"

#define X (&ct_arch_x86_64)
#define F 0x401000ull
#define T 0x500000ull
#define AREA 0x7f1122334000ull

#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* The frame every trampoline opens and closes around its record. */
static const uint8_t save[] = {
	0x48, 0x8d, 0x64, 0x24, 0x80, /* lea -0x80(%rsp),%rsp */
	0x9c,                         /* pushf */
	0x50, 0x51, 0x52, 0x56, 0x57, /* push %rax %rcx %rdx %rsi %rdi */
	0x41, 0x50, 0x41, 0x51,       /* push %r8 %r9 */
	0x41, 0x52, 0x41, 0x53,       /* push %r10 %r11 */
};
static const uint8_t restore[] = {
	0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58, /* pop %r11 %r10 %r9 %r8 */
	0x5f, 0x5e, 0x5a, 0x59, 0x58,                   /* pop %rdi %rsi %rdx %rcx %rax */
	0x9d,                                           /* popf */
	0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00, /* lea 0x80(%rsp),%rsp */
};
/* save, the producer of a CALL record, restore (a RETURN record's
 * producer is 16 bytes shorter: a movabs of the exit pc, 2 bytes longer
 * than the load of the return address, then 2 registers and 4 zeros
 * instead of 6 arguments, 18 bytes shorter) */
#define CALL_RECORD_LEN 410
#define RETURN_RECORD_LEN 394

struct emitted {
	struct ct_patch_site s;
	struct ct_patch_exit e[8];
	uint8_t buf[4096];
	struct ct_codebuf cb;
	struct ct_tramp_spans spans;
};

static void judge(struct emitted *t, const uint8_t *code, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->s.exits = t->e;
	t->s.exits_cap = 8;
	assert_int_equal(X->patch_site(code, len, F, &t->s), 0);
	ct_codebuf_init(&t->cb, t->buf, sizeof(t->buf), T);
}

static int entry(struct emitted *t, const uint8_t *code, size_t len, uint64_t at)
{
	struct ct_tramp_ctx ctx = { .area = AREA, .func_id = 7, .spans = &t->spans };

	judge(t, code, len);
	t->cb.pc = at;
	return X->tramp_entry(&t->s, code, &ctx, &t->cb);
}

static int exit_(struct emitted *t, const uint8_t *code, size_t len, size_t i, uint64_t at)
{
	struct ct_tramp_ctx ctx = { .area = AREA, .func_id = 7, .spans = &t->spans };

	judge(t, code, len);
	t->cb.pc = at;
	return X->tramp_exit(&t->s, i, code, &ctx, &t->cb);
}

/* got[0..n) is want[0..n) */
static void eq(const uint8_t *got, const uint8_t *want, size_t n)
{
	assert_memory_equal(got, want, n);
}

static bool contains(const uint8_t *buf, size_t len, const uint8_t *pat, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, pat, n) == 0)
			return true;
	return false;
}

/* buf ends with (what follows the record's restore) */
static void check_tail(const struct emitted *t, const uint8_t *tail, size_t n)
{
	assert_true(t->cb.len >= n + sizeof(restore));
	assert_memory_equal(t->buf + t->cb.len - n - sizeof(restore), restore, sizeof(restore));
	assert_memory_equal(t->buf + t->cb.len - n, tail, n);
}

static void check_record(const struct emitted *t, uint32_t kind)
{
	/* the area and the kind / func_id stores */
	assert_true(contains(t->buf, t->cb.len, B(0x49, 0xbb, 0x00, 0x40, 0x33, 0x22, 0x11, 0x7f,
						  0x00, 0x00))); /* movabs $AREA,%r11 */
	assert_true(contains(t->buf, t->cb.len,
			     B(0x41, 0xc7, 0x00, (uint8_t)kind, 0x00, 0x00, 0x00, /* movl $kind,(%r8) */
			       0x41, 0xc7, 0x40, 0x04, 0x07, 0x00, 0x00, 0x00))); /* movl $7,4(%r8) */
	assert_true(contains(t->buf, t->cb.len,
			     B(0x64, 0x4c, 0x8b, 0x14, 0x25, 0, 0, 0, 0))); /* mov %fs:0,%r10 */
}

static void test_patch_jump(void **state)
{
	uint8_t out[16];
	(void)state;

	memset(out, 0, sizeof(out));
	assert_int_equal(X->patch_jump(F + 4, T, 5, out), 0);
	/* jmp 0x500000 (rel32 = 0x500000 - 0x401009) */
	eq(out, B(0xe9, 0xf7, 0xef, 0x0f, 0x00, 0x00));
	assert_int_equal(X->patch_jump(F, T, 8, out), 0);
	/* jmp 0x500000; int3 x3 over the rest of the displaced run */
	eq(out, B(0xe9, 0xfb, 0xef, 0x0f, 0x00, 0xcc, 0xcc, 0xcc, 0x00));
	assert_int_equal(X->patch_jump(T, F, 5, out), 0);
	/* backwards: jmp 0x401000 (rel32 = 0x401000 - 0x500005) */
	eq(out, B(0xe9, 0xfb, 0x0f, 0xf0, 0xff));
	/* rel32 reaches [at + 5 - 2^31, at + 5 + 2^31) */
	assert_int_equal(X->patch_jump(F, F + 5 + 0x7fffffff, 5, out), 0);
	assert_int_equal(X->patch_jump(F, F + 5 + 0x80000000ull, 5, out), -ERANGE);
	assert_int_equal(X->patch_jump(0x7f0000000000ull, F, 5, out), -ERANGE);
	assert_int_equal(X->patch_jump(F, T, 4, out), -EINVAL);
}

/* endbr64 kept; push %rbp; mov %rsp,%rbp; lea rip-relative displaced */
static const uint8_t f_endbr[] = {
	0xf3, 0x0f, 0x1e, 0xfa,                   /* 0  endbr64 */
	0x55,                                     /* 4  push %rbp */
	0x48, 0x89, 0xe5,                         /* 5  mov %rsp,%rbp */
	0x48, 0x8d, 0x05, 0x00, 0x10, 0x00, 0x00, /* 8  lea 0x1000(%rip),%rax: 0x40200f */
	0x48, 0x89, 0xca,                         /* f  mov %rcx,%rdx */
	0x5d,                                     /* 12 pop %rbp */
	0xc2, 0x08, 0x00,                         /* 13 ret $8 */
};

static void test_entry_relocates(void **state)
{
	struct emitted t;
	(void)state;

	assert_int_equal(entry(&t, f_endbr, sizeof(f_endbr), T), 0);
	assert_int_equal(t.s.patch_off, 4);
	assert_int_equal(t.s.displaced_len, 11);
	assert_int_equal(t.cb.len, CALL_RECORD_LEN + 1 + 3 + 7 + 5);
	assert_memory_equal(t.buf, save, sizeof(save));
	check_record(&t, CT_FP_CALL);
	/* the CALL record's sp and pc: the function's sp, the word there */
	assert_true(contains(t.buf, t.cb.len, B(0x48, 0x8d, 0x84, 0x24, 0xd0, 0, 0, 0))); /* lea 0xd0(%rsp),%rax */
	assert_true(contains(t.buf, t.cb.len, B(0x48, 0x8b, 0x84, 0x24, 0xd0, 0, 0, 0))); /* mov 0xd0(%rsp),%rax */
	check_tail(&t, B(0x55,                                     /* 50019a push %rbp */
			 0x48, 0x89, 0xe5,                         /* 50019b mov %rsp,%rbp */
			 0x48, 0x8d, 0x05, 0x6a, 0x1e, 0xf0, 0xff, /* 50019e lea -0xfe196(%rip),%rax: 0x40200f */
			 0xe9, 0x65, 0x0e, 0xf0, 0xff));           /* 5001a5 jmp 0x40100f */
	/* one record, from the first byte (lea -128(%rsp)) to the restore's
	 * end: the displaced push %rbp at 0x50019a */
	assert_int_equal(t.spans.n, 1);
	assert_int_equal(t.spans.v[0].start, 0);
	assert_int_equal(t.spans.v[0].end, 0x19a);

	/* the lea out of reach: -ERANGE */
	assert_int_equal(entry(&t, f_endbr, sizeof(f_endbr), 0x7f0000000000ull), -ERANGE);
}

/* test %rdi,%rdi; je (into the function) displaced */
static const uint8_t f_jcc[] = {
	0x48, 0x85, 0xff,                         /* 0  test %rdi,%rdi */
	0x74, 0x08,                               /* 3  je 0xd */
	0x48, 0x8d, 0x47, 0x01,                   /* 5  lea 1(%rdi),%rax */
	0x48, 0x89, 0xf2,                         /* 9  mov %rsi,%rdx */
	0xc3,                                     /* c  ret */
	0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, /* d  mov $-1,%rax */
	0x48, 0x31, 0xd2,                         /* 14 xor %rdx,%rdx */
	0xf3, 0xc3,                               /* 17 rep ret */
};

static void test_entry_jcc(void **state)
{
	struct emitted t;
	(void)state;

	assert_int_equal(entry(&t, f_jcc, sizeof(f_jcc), T), 0);
	check_tail(&t, B(0x48, 0x85, 0xff,                   /* 50019a test %rdi,%rdi */
			 0x74, 0x02,                         /* 50019d je 5001a1 */
			 0xeb, 0x05,                         /* 50019f jmp 5001a6 */
			 0xe9, 0x67, 0x0e, 0xf0, 0xff,       /* 5001a1 jmp 0x40100d */
			 0xe9, 0x5a, 0x0e, 0xf0, 0xff));     /* 5001a6 jmp 0x401005 */

	/* a displaced jmp: a jump to its target ends the path (the nops it
	 * skips are dropped, no jump back) */
	static const uint8_t f_jmp[] = {
		0xeb, 0x03,       /* 0 jmp 0x401005 */
		0x90, 0x90, 0x90, /* 2 nop x3 */
		0x31, 0xc0,       /* 5 xor %eax,%eax */
		0xc3,             /* 7 ret */
	};
	assert_int_equal(entry(&t, f_jmp, sizeof(f_jmp), T), 0);
	assert_int_equal(t.s.nr_displaced, 4);
	assert_int_equal(t.cb.len, CALL_RECORD_LEN + 5);
	check_tail(&t, B(0xe9, 0x66, 0x0e, 0xf0, 0xff)); /* 50019a jmp 0x401005 */
}

static void test_exit_rets(void **state)
{
	struct emitted t;
	(void)state;

	/* ret: the straight line before it relocated, the record, the ret */
	assert_int_equal(exit_(&t, f_jcc, sizeof(f_jcc), 0, T), 0);
	assert_int_equal(t.e[0].patch_off, 5);
	eq(t.buf, B(0x48, 0x8d, 0x47, 0x01,  /* lea 1(%rdi),%rax */
				     0x48, 0x89, 0xf2));      /* mov %rsi,%rdx */
	assert_memory_equal(t.buf + 7, save, sizeof(save));
	check_record(&t, CT_FP_RETURN);
	/* pc = the exit's address; a[0] = rax, a[1] = rdx, the rest 0 */
	assert_true(contains(t.buf, t.cb.len, B(0x48, 0xb8, 0x0c, 0x10, 0x40, 0, 0, 0, 0, 0))); /* movabs $0x40100c,%rax */
	assert_true(contains(t.buf, t.cb.len, B(0x48, 0x8b, 0x44, 0x24, 0x40,   /* mov 0x40(%rsp),%rax: saved rax */
						0x49, 0x89, 0x40, 0x20,         /* mov %rax,0x20(%r8) */
						0x48, 0x8b, 0x44, 0x24, 0x30,   /* mov 0x30(%rsp),%rax: saved rdx */
						0x49, 0x89, 0x40, 0x28,         /* mov %rax,0x28(%r8) */
						0x31, 0xc0,                     /* xor %eax,%eax */
						0x49, 0x89, 0x40, 0x30)));      /* mov %rax,0x30(%r8) */
	check_tail(&t, B(0xc3)); /* ret */
	assert_int_equal(t.cb.len, 7 + RETURN_RECORD_LEN + 1);
	/* the record from the save after the straight line to the ret */
	assert_int_equal(t.spans.n, 1);
	assert_int_equal(t.spans.v[0].start, 7);
	assert_int_equal(t.spans.v[0].end, 7 + RETURN_RECORD_LEN);

	/* rep ret as it was */
	assert_int_equal(exit_(&t, f_jcc, sizeof(f_jcc), 1, T), 0);
	assert_int_equal(t.e[1].patch_off, 0x14);
	eq(t.buf, B(0x48, 0x31, 0xd2)); /* xor %rdx,%rdx */
	assert_memory_equal(t.buf + 3, save, sizeof(save));
	check_tail(&t, B(0xf3, 0xc3)); /* repz ret */

	/* ret imm16 as it was */
	assert_int_equal(exit_(&t, f_endbr, sizeof(f_endbr), 0, T), 0);
	eq(t.buf, B(0x48, 0x89, 0xca, /* mov %rcx,%rdx */
				     0x5d));           /* pop %rbp */
	check_tail(&t, B(0xc2, 0x08, 0x00)); /* ret $8 */
}

/* tail calls: jmp rel32 and jg rel32 out of the function */
static const uint8_t f_tail[] = {
	0x48, 0x89, 0xf8,                   /* 0  mov %rdi,%rax */
	0x48, 0x83, 0xff, 0x0a,             /* 3  cmp $10,%rdi */
	0x0f, 0x8f, 0xf3, 0x0f, 0x00, 0x00, /* 7  jg 0x402000 */
	0x48, 0xf7, 0xd8,                   /* d  neg %rax */
	0xe9, 0xeb, 0x0f, 0x00, 0x00,       /* 10 jmp 0x402000 */
};

static void test_exit_tail(void **state)
{
	struct emitted t;
	(void)state;

	/* jg: the condition first, on the function's flags; not taken, back
	 * after it without a record */
	assert_int_equal(exit_(&t, f_tail, sizeof(f_tail), 0, T), 0);
	assert_int_equal(t.e[0].kind, CT_EXIT_TAIL_JCC);
	eq(t.buf, B(0x7f, 0x05,                    /* 500000 jg 500007 */
				     0xe9, 0x06, 0x10, 0xf0, 0xff)); /* 500002 jmp 0x40100d */
	assert_memory_equal(t.buf + 7, save, sizeof(save));
	check_record(&t, CT_FP_RETURN);
	check_tail(&t, B(0xe9, 0x6a, 0x1e, 0xf0, 0xff)); /* 500191 jmp 0x402000 */
	assert_int_equal(t.cb.len, 7 + RETURN_RECORD_LEN + 5);

	/* jmp near */
	assert_int_equal(exit_(&t, f_tail, sizeof(f_tail), 1, T), 0);
	assert_int_equal(t.e[1].kind, CT_EXIT_TAIL_JMP);
	assert_memory_equal(t.buf, save, sizeof(save));
	check_tail(&t, B(0xe9, 0x71, 0x1e, 0xf0, 0xff)); /* 50018a jmp 0x402000 */

	/* jmp far: the trampoline beyond rel32 of the target */
	assert_int_equal(exit_(&t, f_tail, sizeof(f_tail), 1, 0x7f0000000000ull), 0);
	check_tail(&t, B(0xff, 0x25, 0x00, 0x00, 0x00, 0x00,             /* jmp *0(%rip) */
			 0x00, 0x20, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00)); /* .quad 0x402000 */
}

static void test_refused(void **state)
{
	struct emitted t;
	(void)state;

	/* an indirect jump: a tail call or a jump table, only its target tells */
	static const uint8_t f_ind[] = {
		0x48, 0x8b, 0x04, 0xf8, /* 0 mov (%rax,%rdi,8),%rax */
		0x48, 0x01, 0xf0,       /* 4 add %rsi,%rax */
		0x90,                   /* 7 nop */
		0xff, 0xe0,             /* 8 jmp *%rax */
	};
	judge(&t, f_ind, sizeof(f_ind));
	assert_int_equal(t.s.nr_exits, 1);
	assert_int_equal(t.e[0].kind, CT_EXIT_INDIRECT);
	assert_int_equal(exit_(&t, f_ind, sizeof(f_ind), 0, T), -ENOTSUP);

	/* an exit that patch_site refused (too short), and no such exit */
	static const uint8_t f_short[] = {
		0x48, 0x89, 0xf8, /* 0 mov %rdi,%rax */
		0x48, 0x01, 0xf0, /* 3 add %rsi,%rax */
		0x74, 0x01,       /* 6 je 9 */
		0x90,             /* 8 nop */
		0xc3,             /* 9 ret */
	};
	judge(&t, f_short, sizeof(f_short));
	assert_int_equal(t.e[0].why, CT_PATCH_TOO_SHORT);
	assert_int_equal(exit_(&t, f_short, sizeof(f_short), 0, T), -EINVAL);
	assert_int_equal(exit_(&t, f_short, sizeof(f_short), 1, T), -EINVAL);

	/* an entry that patch_site refused */
	static const uint8_t f_tiny[] = { 0x31, 0xc0, 0xc3 }; /* xor %eax,%eax; ret */
	assert_int_equal(entry(&t, f_tiny, sizeof(f_tiny), T), -EINVAL);

	/* no room: -ENOSPC, from the first byte that does not fit to the last */
	for (size_t cap = 0; cap < CALL_RECORD_LEN + 16; cap += 7) {
		judge(&t, f_jcc, sizeof(f_jcc));
		ct_codebuf_init(&t.cb, t.buf, cap, T);
		struct ct_tramp_ctx ctx = { .area = AREA, .func_id = 7 };
		assert_int_equal(X->tramp_entry(&t.s, f_jcc, &ctx, &t.cb), -ENOSPC);
	}

	/* an indirect jump among the displaced instructions */
	static const uint8_t f_thunk[] = {
		0xf3, 0x0f, 0x1e, 0xfa,                   /* endbr64 */
		0xff, 0x25, 0x00, 0x10, 0x00, 0x00,       /* jmp *0x1000(%rip) */
	};
	judge(&t, f_thunk, sizeof(f_thunk));
	assert_int_equal(t.s.why, CT_PATCH_OK);
	assert_int_equal(entry(&t, f_thunk, sizeof(f_thunk), T), -ENOTSUP);
}

/* A function shorter than the jump: its exits run in the entry
 * trampoline and record there; the longest trampoline there is. */
static void test_entry_exits(void **state)
{
	struct emitted t;
	(void)state;

	static const uint8_t f_exits[] = {
		0x75, 0x10,       /* 0 jne 0x401012 (out) */
		0x74, 0x20,       /* 2 je 0x401024 (out) */
		0xc3,             /* 4 ret */
	};
	assert_int_equal(entry(&t, f_exits, sizeof(f_exits), T), 0);
	assert_int_equal(t.s.nr_displaced, 3);
	/* a CALL record and three RETURN records, two behind their jcc */
	assert_int_equal(t.cb.len, CALL_RECORD_LEN + 2 * (2 + 5 + RETURN_RECORD_LEN + 5) +
				   RETURN_RECORD_LEN + 1);
	check_tail(&t, B(0xc3));
	assert_true(t.cb.len <= X->tramp_max_size);
	print_message("      longest: %zu bytes, tramp_max_size %zu\n", t.cb.len, X->tramp_max_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_jump),
		cmocka_unit_test(test_entry_relocates),
		cmocka_unit_test(test_entry_jcc),
		cmocka_unit_test(test_exit_rets),
		cmocka_unit_test(test_exit_tail),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_entry_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
