/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86_64 trampolines, executed (x86_64 hosts only): small
 * hand-assembled functions are copied into an RWX mapping, judged by
 * arch->patch_site, given trampolines (arch->tramp_entry/tramp_exit) in
 * another page of the mapping and patched with arch->patch_jump, then
 * called through an assembly harness that loads every general register
 * and the flags with known values, calls on a stack of its own and saves
 * every register and the flags after the return.  Each call is made once
 * unpatched and once patched: every register, the flags, rsp and the
 * caller's red zone must come out the same, and the area must hold exactly
 * the records the protocol (ring.h, ct_fp_produce) promises.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

#include <cmocka.h>

#include "fp_util.h"
#include "arch/arch.h"

#define X (&ct_arch_x86_64)

/* Registers in and out of the harness. */
struct hregs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t flags, rsp;
};

/*
 * harness_call(in, out, fn, stack_top): on the stack below stack_top
 * (16-aligned), with every register and the flags from *in, call fn; then
 * every register, the flags and rsp into *out.  The caller's rsp at the
 * call is stack_top - 32 ("X"); the return address is harness_ret.
 */
void harness_call(const struct hregs *in, struct hregs *out, void *fn, void *stack_top);
extern const char harness_ret[];
__asm__(".text\n"
	".globl harness_call\n"
	".type harness_call,@function\n"
	"harness_call:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov %rsp,%rax\n"
	"	mov %rcx,%rsp\n"
	"	push %rax\n"          /* X+24: the host's rsp */
	"	push %rsi\n"          /* X+16: out */
	"	push %rdx\n"          /* X+8: fn */
	"	sub $8,%rsp\n"        /* X */
	"	pushq 120(%rdi)\n popfq\n"
	"	mov 0(%rdi),%rax\n mov 8(%rdi),%rbx\n mov 16(%rdi),%rcx\n mov 24(%rdi),%rdx\n"
	"	mov 32(%rdi),%rsi\n mov 48(%rdi),%rbp\n mov 56(%rdi),%r8\n mov 64(%rdi),%r9\n"
	"	mov 72(%rdi),%r10\n mov 80(%rdi),%r11\n mov 88(%rdi),%r12\n mov 96(%rdi),%r13\n"
	"	mov 104(%rdi),%r14\n mov 112(%rdi),%r15\n mov 40(%rdi),%rdi\n"
	"	call *8(%rsp)\n"
	".globl harness_ret\n"
	"harness_ret:\n"
	"	push %rdi\n"          /* */
	"	mov 24(%rsp),%rdi\n"  /* out */
	"	mov %rax,0(%rdi)\n mov %rbx,8(%rdi)\n mov %rcx,16(%rdi)\n mov %rdx,24(%rdi)\n"
	"	mov %rsi,32(%rdi)\n mov %rbp,48(%rdi)\n mov %r8,56(%rdi)\n mov %r9,64(%rdi)\n"
	"	mov %r10,72(%rdi)\n mov %r11,80(%rdi)\n mov %r12,88(%rdi)\n mov %r13,96(%rdi)\n"
	"	mov %r14,104(%rdi)\n mov %r15,112(%rdi)\n"
	"	pushfq\n pop %rax\n mov %rax,120(%rdi)\n"
	"	pop %rax\n mov %rax,40(%rdi)\n"
	"	mov %rsp,128(%rdi)\n"
	"	mov 24(%rsp),%rsp\n"
	"	cld\n"               /* the C ABI wants DF clear; the test set it */
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".size harness_call,.-harness_call\n");

/* The functions, at their offset in the code page. */
#define OFF_DATA 0x000   /* an 8-byte constant F1 loads rip-relatively */
#define OFF_F1 0x040
#define OFF_F2 0x080
#define OFF_F3 0x0c0
#define OFF_F4 0x100
#define OFF_G 0x140
#define OFF_F5 0x180
#define DATA_VALUE UINT64_C(0x1122334455667788)

/* F1: endbr64, a frame, a rip-relative lea among the displaced
 * instructions, callee-saved rbx, a `pop %rbx; pop %rbp; ret` exit.
 * returns rax = DATA + rdi + rsi, rdx = rcx */
static const uint8_t f1[] = {
	0xf3, 0x0f, 0x1e, 0xfa,                   /* 0  endbr64 */
	0x55,                                     /* 4  push %rbp          | displaced */
	0x48, 0x89, 0xe5,                         /* 5  mov %rsp,%rbp      | displaced */
	0x48, 0x8d, 0x05, 0xb1, 0xff, 0xff, 0xff, /* 8  lea DATA(%rip),%rax | displaced (0x4f - 0x4f) */
	0x53,                                     /* f  push %rbx */
	0x48, 0x89, 0xfb,                         /* 10 mov %rdi,%rbx */
	0x48, 0x01, 0xf3,                         /* 13 add %rsi,%rbx */
	0x48, 0x8b, 0x00,                         /* 16 mov (%rax),%rax */
	0x48, 0x01, 0xd8,                         /* 19 add %rbx,%rax */
	0x48, 0x89, 0xca,                         /* 1c mov %rcx,%rdx      | exit's run */
	0x5b,                                     /* 1f pop %rbx           | exit's run */
	0x5d,                                     /* 20 pop %rbp           | exit's run */
	0xc3,                                     /* 21 ret                | exit 0 */
};

/* F2: no endbr64; a displaced je into the function; two exits.
 * rdi == 0: rax = -1, rdx = 0; else rax = rdi + 1, rdx = rsi */
static const uint8_t f2[] = {
	0x48, 0x85, 0xff,                         /* 0  test %rdi,%rdi     | displaced */
	0x74, 0x08,                               /* 3  je 0xd             | displaced */
	0x48, 0x8d, 0x47, 0x01,                   /* 5  lea 1(%rdi),%rax   | exit 0's run */
	0x48, 0x89, 0xf2,                         /* 9  mov %rsi,%rdx      | exit 0's run */
	0xc3,                                     /* c  ret                | exit 0 */
	0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, /* d  mov $-1,%rax       | exit 1's run */
	0x48, 0x31, 0xd2,                         /* 14 xor %rdx,%rdx      | exit 1's run */
	0xc3,                                     /* 17 ret                | exit 1 */
};

/* F3: a tail jmp to G.  G(rdi + 5, rsi): rax = rdi + 5 + rsi */
static const uint8_t f3[] = {
	0x48, 0x89, 0xf8,                         /* 0  mov %rdi,%rax      | displaced */
	0x48, 0x83, 0xc0, 0x05,                   /* 3  add $5,%rax        | displaced */
	0x48, 0x89, 0xc7,                         /* 7  mov %rax,%rdi */
	0xe9, 0x71, 0x00, 0x00, 0x00,             /* a  jmp G (0xcf + 0x71)  | exit 0 */
};

/* F4: a tail jcc to G when rdi > 10 (G(rdi, rsi) = rdi + rsi), else
 * rax = rdx = -rdi through a ret. */
static const uint8_t f4[] = {
	0x48, 0x89, 0xf8,                         /* 0  mov %rdi,%rax      | displaced */
	0x48, 0x83, 0xff, 0x0a,                   /* 3  cmp $10,%rdi       | displaced */
	0x0f, 0x8f, 0x33, 0x00, 0x00, 0x00,       /* 7  jg G (0x10d + 0x33)  | exit 0 */
	0x48, 0xf7, 0xd8,                         /* d  neg %rax           | exit 1's run */
	0x48, 0x89, 0xc2,                         /* 10 mov %rax,%rdx      | exit 1's run */
	0xc3,                                     /* 13 ret                | exit 1 */
};

/* F5, shorter than the jump: its two exits are displaced and record in the
 * entry trampoline.  rdi != 0: G(rdi, rsi); else returns rax unchanged. */
static const uint8_t f5[] = {
	0x85, 0xff,                               /* 0  test %edi,%edi     | displaced */
	0x75, 0xbc,                               /* 2  jne G (0x184 - 0x44) | displaced, exit 0 */
	0xc3,                                     /* 4  ret                | displaced, exit 1 */
};

/* G, not traced: rax = rdi + rsi */
static const uint8_t g[] = {
	0x48, 0x8d, 0x04, 0x37,                   /* lea (%rdi,%rsi,1),%rax */
	0xc3,                                     /* ret */
};

#define CODE_SIZE 0x10000
#define TRAMP_OFF 0x8000
#define STACK_SIZE 0x4000
#define MAX_EXITS 8

struct func {
	const uint8_t *bytes;
	size_t len;
	uint32_t off;
	uint32_t id;
	unsigned nr_exits;  /* expected */
	unsigned patchable; /* of them; the first ones */
	struct ct_patch_site site;
	struct ct_patch_exit exits[MAX_EXITS];
};

static struct func funcs[] = {
	{ .bytes = f1, .len = sizeof(f1), .off = OFF_F1, .id = 11, .nr_exits = 1, .patchable = 1 },
	{ .bytes = f2, .len = sizeof(f2), .off = OFF_F2, .id = 12, .nr_exits = 2, .patchable = 2 },
	{ .bytes = f3, .len = sizeof(f3), .off = OFF_F3, .id = 13, .nr_exits = 1, .patchable = 1 },
	{ .bytes = f4, .len = sizeof(f4), .off = OFF_F4, .id = 14, .nr_exits = 2, .patchable = 2 },
	{ .bytes = f5, .len = sizeof(f5), .off = OFF_F5, .id = 15, .nr_exits = 2, .patchable = 0 },
};
#define NR_FUNCS (sizeof(funcs) / sizeof(funcs[0]))

static uint8_t *code;  /* RWX */
static uint8_t *stack; /* the harness's stack */
static size_t tramp_used;

static uint64_t fn_addr(const struct func *f)
{
	return (uint64_t)(uintptr_t)code + f->off;
}

static void put_code(void)
{
	uint64_t data = DATA_VALUE;

	memset(code, 0xcc, TRAMP_OFF);
	memcpy(code + OFF_DATA, &data, sizeof(data));
	for (size_t i = 0; i < NR_FUNCS; i++)
		memcpy(code + funcs[i].off, funcs[i].bytes, funcs[i].len);
	memcpy(code + OFF_G, g, sizeof(g));
}

/* One trampoline into the tramp page; the patch jump at [at, at + len). */
static void place(uint64_t at, size_t len, uint64_t tramp)
{
	uint8_t jmp[32];

	assert_true(len <= sizeof(jmp));
	assert_int_equal(X->patch_jump(at, tramp, len, jmp), 0);
	memcpy((void *)(uintptr_t)at, jmp, len);
}

/* Patch every function with trampolines writing into the area at base. */
static void patch_all(void *base)
{
	put_code();
	tramp_used = 0;
	for (size_t i = 0; i < NR_FUNCS; i++) {
		struct func *f = &funcs[i];
		struct ct_patch_site *s = &f->site;
		struct ct_tramp_ctx ctx = { .area = (uint64_t)(uintptr_t)base, .func_id = f->id };
		struct ct_codebuf cb;
		uint8_t *t;

		s->exits = f->exits;
		s->exits_cap = MAX_EXITS;
		assert_int_equal(X->patch_site(f->bytes, f->len, fn_addr(f), s), 0);
		assert_int_equal(s->why, CT_PATCH_OK);
		assert_int_equal(s->nr_exits, f->nr_exits);
		assert_int_equal(s->nr_exits_patchable, f->patchable);
		for (size_t k = 0; k <= f->patchable; k++) {
			t = code + TRAMP_OFF + tramp_used;
			ct_codebuf_init(&cb, t, CODE_SIZE - TRAMP_OFF - tramp_used,
					(uint64_t)(uintptr_t)t);
			if (k == 0) {
				assert_int_equal(X->tramp_entry(s, f->bytes, &ctx, &cb), 0);
				place(s->addr + s->patch_off, s->displaced_len, cb.pc);
			} else {
				const struct ct_patch_exit *e = &s->exits[k - 1];
				assert_int_equal(e->why, CT_PATCH_OK);
				assert_int_equal(X->tramp_exit(s, k - 1, f->bytes, &ctx, &cb), 0);
				place(s->addr + e->patch_off, e->off + e->len - e->patch_off, cb.pc);
			}
			assert_true(cb.len <= X->tramp_max_size);
			tramp_used += (cb.len + 15) & ~(size_t)15;
		}
	}
	__builtin___clear_cache((char *)code, (char *)code + CODE_SIZE);
}

/* --- the area --------------------------------------------------------- */

static uint64_t my_tp(void)
{
	uint64_t tp;
	__asm__("mov %%fs:0,%0" : "=r"(tp));
	return tp;
}

struct recs {
	uint32_t n, cap;
	struct ct_fp_record *rec;
};

static void recs_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	struct recs *c = ctx;
	(void)ring;
	if (c->n < c->cap)
		c->rec[c->n] = *r;
	c->n++;
}

/* --- one call, unpatched and patched ---------------------------------- */

/* checked below the caller's rsp X: the return address at X - 8 and the
 * function's red zone below it (the trampolines' frames go lower) */
#define RZ_BYTES (8 + 128)

static struct hregs in_regs(uint64_t a0, uint64_t a1, uint64_t a3)
{
	struct hregs in = {
		.rax = 0xa0a0a0a0a0a0a0a0, .rbx = 0xb0b0b0b0b0b0b0b0, .rcx = a3,
		.rdx = 0xd0d0d0d0d0d0d0d0, .rsi = a1, .rdi = a0, .rbp = 0xbbbbbbbbbbbbbbbb,
		.r8 = 0x0808080808080808, .r9 = 0x0909090909090909, .r10 = 0x1010101010101010,
		.r11 = 0x1111111111111111, .r12 = 0x1212121212121212,
		.r13 = 0x1313131313131313, .r14 = 0x1414141414141414,
		.r15 = 0x1515151515151515,
		/* CF PF AF ZF SF DF OF set, IF and the reserved bit 1 */
		.flags = 0x0cd5 | 0x202,
	};
	return in;
}

struct outcome {
	struct hregs out;
	uint8_t below[RZ_BYTES]; /* [X - RZ_BYTES, X) after the call */
};

static uint8_t *stack_top(void)
{
	return stack + STACK_SIZE - 64;
}

static void run(const struct func *f, const struct hregs *in, struct outcome *o)
{
	uint8_t *x = stack_top() - 32;

	memset(stack, 0x5a, STACK_SIZE - 64); /* the pattern, red zone included */
	harness_call(in, &o->out, (void *)(uintptr_t)fn_addr(f), stack_top());
	memcpy(o->below, x - RZ_BYTES, RZ_BYTES);
}

static struct ct_fp_area area;
static uint32_t ring_of_me;

static void setup_area(uint32_t cap)
{
	make_area(&area, 16, 4, cap);
	int r = ct_fp_register(&area, my_tp());
	assert_true(r >= 0);
	ring_of_me = (uint32_t)r;
}

static int group_setup(void **state)
{
	(void)state;
	code = mmap(NULL, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return code == MAP_FAILED || stack == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	munmap(code, CODE_SIZE);
	munmap(stack, STACK_SIZE);
	return 0;
}

static void check_call_rec(const struct ct_fp_record *r, const struct func *f,
			   const struct hregs *in, uint64_t x)
{
	assert_int_equal(r->kind_flags, CT_FP_CALL);
	assert_int_equal(r->func_id, f->id);
	assert_int_equal(r->sp, x - 8);
	assert_int_equal(r->pc, (uint64_t)(uintptr_t)harness_ret);
	assert_int_equal(r->a[0], in->rdi);
	assert_int_equal(r->a[1], in->rsi);
	assert_int_equal(r->a[2], in->rdx);
	assert_int_equal(r->a[3], in->rcx);
	assert_int_equal(r->a[4], in->r8);
	assert_int_equal(r->a[5], in->r9);
	assert_true(r->tsc != 0);
}

static void check_ret_rec(const struct ct_fp_record *r, const struct func *f, uint32_t exit_off,
			  uint64_t sp, uint64_t rax, uint64_t rdx)
{
	assert_int_equal(r->kind_flags, CT_FP_RETURN);
	assert_int_equal(r->func_id, f->id);
	assert_int_equal(r->sp, sp);
	assert_int_equal(r->pc, fn_addr(f) + exit_off);
	assert_int_equal(r->a[0], rax);
	assert_int_equal(r->a[1], rdx);
	for (int k = 2; k < CT_FP_NR_ARGS; k++)
		assert_int_equal(r->a[k], 0);
}

/*
 * Call f unpatched, then patched: the same registers, flags, rsp and bytes
 * below the caller's rsp; the patched call leaves a CALL record and, when
 * ret_off is not -1, a RETURN record of the exit at ret_off with sp
 * ret_sp_from_x below X, rax and rdx as returned (tail_rax: the rax at a
 * tail jump instead).  Returns the patched outcome.
 */
static struct outcome check_one(struct func *f, const struct hregs *in, long ret_off,
				uint64_t ret_sp_below_x, const uint64_t *tail_rax)
{
	struct outcome plain, traced;
	struct ct_fp_record rec[4];
	struct recs c = { 0, 4, rec };
	uint64_t x = (uint64_t)(uintptr_t)(stack_top() - 32);

	put_code();
	__builtin___clear_cache((char *)code, (char *)code + CODE_SIZE);
	run(f, in, &plain);
	patch_all(area.base);
	run(f, in, &traced);

	assert_memory_equal(&plain.out, &traced.out, sizeof(plain.out));
	assert_int_equal(traced.out.rsp, x);
	assert_int_equal(traced.out.rbx, in->rbx);
	assert_int_equal(traced.out.rbp, in->rbp);
	assert_int_equal(traced.out.r12, in->r12);
	assert_int_equal(traced.out.r15, in->r15);
	/* the red zone and everything down to RZ_BYTES below the caller's rsp */
	assert_memory_equal(plain.below, traced.below, RZ_BYTES);

	assert_int_equal(ct_fp_drain(&area, ring_of_me, recs_fn, &c), ret_off < 0 ? 1 : 2);
	check_call_rec(&rec[0], f, in, x);
	if (ret_off >= 0) {
		check_ret_rec(&rec[1], f, (uint32_t)ret_off, x - ret_sp_below_x,
			      tail_rax ? *tail_rax : traced.out.rax,
			      tail_rax ? in->rdx : traced.out.rdx);
		assert_true(rec[1].tsc >= rec[0].tsc);
	}
	return traced;
}

static void test_calls(void **state)
{
	(void)state;
	setup_area(64);
	struct hregs in;
	struct outcome o;

	/* F1: endbr64, rip-relative lea displaced, pop rbx; pop rbp; ret */
	in = in_regs(100, 23, 0xc4c4);
	o = check_one(&funcs[0], &in, 0x21, 8, NULL);
	assert_int_equal(o.out.rax, DATA_VALUE + 123);
	assert_int_equal(o.out.rdx, 0xc4c4);

	/* F2: both exits; the displaced je taken and not taken */
	in = in_regs(41, 7, 0);
	o = check_one(&funcs[1], &in, 0x0c, 8, NULL);
	assert_int_equal(o.out.rax, 42);
	assert_int_equal(o.out.rdx, 7);
	in = in_regs(0, 7, 0);
	o = check_one(&funcs[1], &in, 0x17, 8, NULL);
	assert_int_equal(o.out.rax, UINT64_MAX);
	assert_int_equal(o.out.rdx, 0);

	/* F3: the tail jmp records rax as it is at the jump */
	in = in_regs(30, 12, 0);
	uint64_t at_jmp = 35;
	o = check_one(&funcs[2], &in, 0x0a, 8, &at_jmp);
	assert_int_equal(o.out.rax, 47);

	/* F4: jg taken records at the jg; not taken, at the ret only */
	in = in_regs(20, 5, 0);
	at_jmp = 20;
	o = check_one(&funcs[3], &in, 0x07, 8, &at_jmp);
	assert_int_equal(o.out.rax, 25);
	in = in_regs(3, 5, 0);
	o = check_one(&funcs[3], &in, 0x13, 8, NULL);
	assert_int_equal(o.out.rax, (uint64_t)-3);
	assert_int_equal(o.out.rdx, (uint64_t)-3);

	/* F5: the exits inside the entry trampoline, jne taken and not */
	in = in_regs(4, 6, 0);
	o = check_one(&funcs[4], &in, 0x02, 8, &in.rax);
	assert_int_equal(o.out.rax, 10);
	in = in_regs(0, 6, 0);
	o = check_one(&funcs[4], &in, 0x04, 8, &in.rax);
	assert_int_equal(o.out.rax, in.rax);

	ct_fp_area_destroy(&area);
}

/* --- called from C: F2(a, b) = a + 1 (a != 0), its records paired ------- */

typedef uint64_t (*f2_fn)(uint64_t, uint64_t);

static f2_fn f2p(void)
{
	return (f2_fn)(uintptr_t)fn_addr(&funcs[1]);
}

/*
 * The records of F2 calls, whole and well nested: each RETURN matches the
 * latest open CALL (same sp, rax = a0 + 1, rdx = a1); signal handlers nest
 * inside the call they interrupt, or come before or after it.
 */
struct pairing {
	uint64_t calls, returns, max_depth;
	uint32_t depth;
	struct ct_fp_record open[8];
	bool bad;
};

static void pair_fn(void *ctx, uint32_t ring, const struct ct_fp_record *r)
{
	struct pairing *p = ctx;
	(void)ring;
	if (r->func_id != funcs[1].id || r->tsc == 0) {
		p->bad = true;
		return;
	}
	if (r->kind_flags == CT_FP_CALL) {
		if (p->depth == 8 || r->pc == 0 || r->a[0] == 0) {
			p->bad = true;
			return;
		}
		p->open[p->depth++] = *r;
		p->calls++;
		if (p->depth > p->max_depth)
			p->max_depth = p->depth;
		return;
	}
	const struct ct_fp_record *c = p->depth ? &p->open[p->depth - 1] : NULL;
	if (r->kind_flags != CT_FP_RETURN || !c || r->sp != c->sp || r->a[0] != c->a[0] + 1 ||
	    r->a[1] != c->a[1] || r->pc != fn_addr(&funcs[1]) + 0x0c || r->tsc < c->tsc) {
		p->bad = true;
		return;
	}
	p->depth--;
	p->returns++;
}

static volatile sig_atomic_t handler_calls, handler_in_tramp, handler_bad;

static void on_alarm(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uint8_t *t = code + TRAMP_OFF;
	(void)sig;
	(void)si;
	if (rip >= (uint64_t)(uintptr_t)t && rip < (uint64_t)(uintptr_t)(t + tramp_used))
		handler_in_tramp++;
	if (f2p()(5, 9) != 6)
		handler_bad++;
	handler_calls++;
}

/* A timer signal storm while the thread calls F2 in a loop; each handler
 * calls F2 too, often from inside a trampoline. */
static void test_signal_storm(void **state)
{
	(void)state;
	setup_area(1u << 16);
	patch_all(area.base);

	struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	struct itimerval it = { { 0, 20 }, { 0, 20 } };
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);

	struct pairing p = { 0 };
	uint64_t main_calls = 0, start = mono_ns();
	bool wrong = false;
	for (unsigned batch = 0; batch < 400; batch++) {
		for (uint64_t i = 1; i <= 10000; i++, main_calls++)
			if (f2p()(i, i * 3) != i + 1)
				wrong = true;
		ct_fp_drain(&area, ring_of_me, pair_fn, &p);
		if ((batch >= 10 && handler_in_tramp >= 20) || mono_ns() - start > 3000000000ull)
			break;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_IGN);
	ct_fp_drain(&area, ring_of_me, pair_fn, &p);

	struct ct_fp_counters cnt;
	ct_fp_counters(&area, &cnt);
	print_message("      %llu calls, %d signals, %d of them inside a trampoline, nesting %llu\n",
		      (unsigned long long)main_calls, (int)handler_calls, (int)handler_in_tramp,
		      (unsigned long long)p.max_depth);
	assert_false(wrong);
	assert_int_equal(handler_bad, 0);
	assert_false(p.bad);
	assert_int_equal(p.depth, 0);
	assert_int_equal(p.calls, main_calls + (uint64_t)handler_calls);
	assert_int_equal(p.returns, p.calls);
	assert_int_equal(cnt.drops, 0);
	assert_int_equal(cnt.pending, 0);
	assert_true(handler_in_tramp > 0);
	ct_fp_area_destroy(&area);
}

/* A full ring while calltrap is alive: the thread waits until another
 * thread drains, and nothing is lost. */
struct drainer {
	struct pairing p;
	volatile bool stop;
	bool saw_wait;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;
	struct ct_fp_ring *ring = ct_fp_ring_at(area.base, ring_of_me);
	uint64_t start = mono_ns();

	/* let the producer fill the ring and start waiting */
	while (__atomic_load_n(&ring->waits, __ATOMIC_RELAXED) == 0 &&
	       mono_ns() - start < DEADLINE_NS)
		sched_yield();
	d->saw_wait = __atomic_load_n(&ring->waits, __ATOMIC_RELAXED) != 0;
	while (!d->stop) {
		ct_fp_heartbeat(&area, ct_ticks_now());
		ct_fp_drain(&area, ring_of_me, pair_fn, &d->p);
		sched_yield();
	}
	ct_fp_drain(&area, ring_of_me, pair_fn, &d->p);
	return NULL;
}

static void test_full_ring_waits(void **state)
{
	(void)state;
	setup_area(4);
	patch_all(area.base);

	struct drainer d = { 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, drain_thread, &d), 0);
	bool wrong = false;
	for (uint64_t i = 1; i <= 50; i++)
		if (f2p()(i, 2 * i) != i + 1)
			wrong = true;
	d.stop = true;
	assert_int_equal(pthread_join(t, NULL), 0);

	struct ct_fp_counters cnt;
	ct_fp_counters(&area, &cnt);
	assert_false(wrong);
	assert_true(d.saw_wait);
	assert_false(d.p.bad);
	assert_int_equal(d.p.calls, 50);
	assert_int_equal(d.p.returns, 50);
	assert_true(cnt.waits >= 1);
	assert_int_equal(cnt.drops, 0);
	ct_fp_area_destroy(&area);
}

/* A full ring once calltrap is gone (heartbeat 0) or silent (a stale
 * beat): no wait, the events are dropped and counted, the function runs. */
static void full_ring_drops(bool gone)
{
	setup_area(4);
	patch_all(area.base);
	if (gone) {
		ct_fp_leave(&area);
	} else {
		ct_fp_set_heartbeat_timeout(&area, 1000);
		ct_fp_heartbeat(&area, ct_ticks_now() - 1000000);
	}
	for (uint64_t i = 1; i <= 10; i++)
		assert_int_equal(f2p()(i, i), i + 1);

	struct pairing p = { 0 };
	struct ct_fp_counters cnt;
	ct_fp_counters(&area, &cnt);
	assert_int_equal(ct_fp_drain(&area, ring_of_me, pair_fn, &p), 4);
	assert_false(p.bad);
	assert_int_equal(p.calls, 2);
	assert_int_equal(cnt.drops, 16);
	assert_int_equal(cnt.waits, 0);
	assert_int_equal(cnt.pending, 0);
	ct_fp_area_destroy(&area);
}

static void test_full_ring_gone(void **state)
{
	(void)state;
	full_ring_drops(true);
}

static void test_full_ring_stale(void **state)
{
	(void)state;
	full_ring_drops(false);
}

/* A thread with no ring: counted in unregistered, the function runs. */
static void *unregistered_thread(void *arg)
{
	uint64_t *ok = arg;
	*ok = f2p()(41, 1) == 42 && f2p()(0, 1) == UINT64_MAX;
	return NULL;
}

static void test_unregistered(void **state)
{
	(void)state;
	setup_area(16);
	patch_all(area.base);
	pthread_t t;
	uint64_t ok = 0;
	assert_int_equal(pthread_create(&t, NULL, unregistered_thread, &ok), 0);
	assert_int_equal(pthread_join(t, NULL), 0);

	struct ct_fp_counters cnt;
	struct pairing p = { 0 };
	ct_fp_counters(&area, &cnt);
	assert_true(ok);
	assert_int_equal(cnt.unregistered, 4);
	assert_int_equal(ct_fp_drain(&area, ring_of_me, pair_fn, &p), 0);
	ct_fp_area_destroy(&area);
}

/* The trampoline's lookup walks the probe chain: past live slots of
 * other threads and a tombstone that share the thread's first probe. */
static void test_lookup_chain(void **state)
{
	(void)state;
	struct ct_fp_geometry geo = { 16, 8, 16 };
	assert_int_equal(ct_fp_area_create(&area, &geo), 0);
	ct_fp_set_heartbeat_timeout(&area, INT64_MAX);
	ct_fp_heartbeat(&area, ct_ticks_now());

	uint64_t me = my_tp(), h = ct_fp_hash(me, 16), others[3];
	unsigned n = 0;
	for (uint64_t tp = 0x10000; n < 3; tp += 16)
		if (ct_fp_hash(tp, 16) == h && tp != me)
			others[n++] = tp;
	for (unsigned i = 0; i < 3; i++)
		assert_true(ct_fp_register(&area, others[i]) >= 0);
	int r = ct_fp_register(&area, me);
	assert_true(r >= 0);
	assert_int_equal(ct_fp_unregister(&area, others[1], NULL, NULL), 0);
	/* the chain from h: others[0], a tombstone, others[2], me */
	const struct ct_fp_header *hdr = area.base;
	const struct ct_fp_slot *table =
		(const struct ct_fp_slot *)((const char *)area.base + hdr->table_offset);
	assert_int_equal(table[h].thread_pointer, others[0]);
	assert_int_equal(table[(h + 1) % 16].thread_pointer, CT_FP_TP_TOMBSTONE);
	assert_int_equal(table[(h + 2) % 16].thread_pointer, others[2]);
	assert_int_equal(table[(h + 3) % 16].thread_pointer, me);
	ring_of_me = (uint32_t)r;
	patch_all(area.base);

	for (uint64_t i = 1; i <= 3; i++)
		assert_int_equal(f2p()(i, i), i + 1);
	struct pairing p = { 0 };
	struct ct_fp_counters cnt;
	ct_fp_counters(&area, &cnt);
	assert_int_equal(cnt.unregistered, 0);
	assert_int_equal(ct_fp_drain(&area, ring_of_me, pair_fn, &p), 6);
	assert_false(p.bad);
	for (uint32_t k = 0; k < geo.nr_rings; k++)
		assert_int_equal(ct_fp_drain(&area, k, pair_fn, &p), 0);
	ct_fp_area_destroy(&area);
}

/* Threads calling at once, each into its own ring: exact counts. */
#define NR_THREADS 4
#define PER_THREAD 20000

struct worker {
	pthread_t t;
	uint64_t tp;
	int ring;
	pthread_barrier_t *go;
	bool wrong;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	w->tp = my_tp();
	w->ring = ct_fp_register(&area, w->tp); /* before the barrier: main waits */
	pthread_barrier_wait(w->go);
	pthread_barrier_wait(w->go);
	for (uint64_t i = 1; i <= PER_THREAD; i++)
		if (f2p()(i, w->tp) != i + 1)
			w->wrong = true;
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	make_area(&area, 16, NR_THREADS, 1u << 16);
	patch_all(area.base);
	pthread_barrier_t go;
	struct worker w[NR_THREADS];
	assert_int_equal(pthread_barrier_init(&go, NULL, NR_THREADS + 1), 0);
	for (int i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .go = &go };
		assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
	}
	pthread_barrier_wait(&go); /* every thread registered */
	pthread_barrier_wait(&go);
	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(w[i].t, NULL), 0);
	pthread_barrier_destroy(&go);

	struct ct_fp_counters cnt;
	ct_fp_counters(&area, &cnt);
	assert_int_equal(cnt.unregistered, 0);
	assert_int_equal(cnt.drops, 0);
	for (int i = 0; i < NR_THREADS; i++) {
		struct pairing p = { 0 };
		assert_true(w[i].ring >= 0);
		assert_false(w[i].wrong);
		assert_int_equal(ct_fp_drain(&area, (uint32_t)w[i].ring, pair_fn, &p),
				 2 * PER_THREAD);
		assert_false(p.bad);
		assert_int_equal(p.calls, PER_THREAD);
		assert_int_equal(p.open[0].a[1], w[i].tp); /* its own thread's calls */
	}
	ct_fp_area_destroy(&area);
}

/* ns per call of F2 unpatched and patched (entry + exit records), the ring
 * drained between batches, outside the timed loop.  Printed, not asserted. */
static double ns_per_call(bool patched)
{
	const unsigned batch = 30000, rounds = 20;
	uint64_t best = UINT64_MAX;
	struct pairing p = { 0 };

	for (unsigned r = 0; r < rounds; r++) {
		uint64_t t0 = mono_ns();
		for (uint64_t i = 1; i <= batch; i++)
			f2p()(i, i);
		uint64_t t = mono_ns() - t0;
		if (t < best)
			best = t;
		if (patched)
			assert_int_equal(ct_fp_drain(&area, ring_of_me, pair_fn, &p), 2 * batch);
	}
	assert_false(p.bad);
	return (double)best / batch;
}

static void test_speed(void **state)
{
	(void)state;
	setup_area(1u << 16);
	put_code();
	__builtin___clear_cache((char *)code, (char *)code + CODE_SIZE);
	double plain = ns_per_call(false);
	patch_all(area.base);
	double traced = ns_per_call(true);
	print_message("      ns per call: unpatched %.1f, traced (entry + exit records) %.1f, "
		      "difference %.1f\n", plain, traced, traced - plain);
	ct_fp_area_destroy(&area);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_signal_storm),
		cmocka_unit_test(test_full_ring_waits),
		cmocka_unit_test(test_full_ring_gone),
		cmocka_unit_test(test_full_ring_stale),
		cmocka_unit_test(test_unregistered),
		cmocka_unit_test(test_lookup_chain),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
