/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the calling conventions put arguments and return values
 * (abi_locate of both ISAs), for signatures built by hand.  The expected
 * placements are worked out here from the documents, not from the code:
 * the System V AMD64 psABI 3.2.3 (classes of eightbytes; rdi rsi rdx rcx r8
 * r9 / xmm0-7; the first stack argument at entry rsp + 8) and the AAPCS64
 * 6.8.2 rules B.1-C.15 (x0-x7 / v0-v7, HFAs, composites over 16 bytes by
 * reference, NGRN/NSRN set to 8 once a value goes to the stack, stack slots
 * from the entry sp).  Register word indices are written out from
 * user_regs_struct / user_pt_regs.
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
#include "symtab/ctype.h"

/* struct user_regs_struct words of the x86_64 argument/return registers */
enum { RAX = 10, RCX = 11, RDX = 12, RSI = 13, RDI = 14, R8 = 9, R9 = 8 };

/* a scalar of natural alignment */
#define SCALAR(k, sz, sg) { .kind = (k), .size = (sz), .align = (sz), .is_signed = (sg) }

/* scalars, by their LP64 sizes and alignments (both ISAs) */
static const struct ct_type t_void = { .kind = CT_TK_VOID };
static const struct ct_type t_char = SCALAR(CT_TK_CHAR, 1, true);
static const struct ct_type t_short = SCALAR(CT_TK_INT, 2, true);
static const struct ct_type t_int = SCALAR(CT_TK_INT, 4, true);
static const struct ct_type t_long = SCALAR(CT_TK_INT, 8, true);
static const struct ct_type t_i128 = SCALAR(CT_TK_INT, 16, true);
static const struct ct_type t_ptr = SCALAR(CT_TK_PTR, 8, false);
static const struct ct_type t_float = SCALAR(CT_TK_FLOAT, 4, false);
static const struct ct_type t_double = SCALAR(CT_TK_FLOAT, 8, false);
/* long double: x86_64, the x87 80-bit format in 16 bytes; aarch64, IEEE
 * binary128 */
static const struct ct_type t_ldouble = { .kind = CT_TK_FLOAT, .size = 16, .align = 16,
					  .is_signed = true, .long_double = true };
/* _Float128 / __float128: IEEE binary128 on both */
static const struct ct_type t_f128 = SCALAR(CT_TK_FLOAT, 16, true);
static const struct ct_type t_opaque = SCALAR(CT_TK_OTHER, 8, false);

#define MEMBERS(...) ((const struct ct_member[]){ __VA_ARGS__ })
#define NMEMB(...) (sizeof((const struct ct_member[]){ __VA_ARGS__ }) / sizeof(struct ct_member))
#define STRUCT(sz, al, ...) \
	{ .kind = CT_TK_STRUCT, .size = (sz), .align = (al), .nr = NMEMB(__VA_ARGS__), \
	  .members = MEMBERS(__VA_ARGS__) }
#define M(off, ty) { .name = "m", .offset = (off), .type = &(ty) }

static const struct ct_type s_ii = STRUCT(8, 4, M(0, t_int), M(4, t_int));
static const struct ct_type s_iii = STRUCT(12, 4, M(0, t_int), M(4, t_int), M(8, t_int));
static const struct ct_type s_dd = STRUCT(16, 8, M(0, t_double), M(8, t_double));
static const struct ct_type s_ddd = STRUCT(24, 8, M(0, t_double), M(8, t_double), M(16, t_double));
static const struct ct_type s_dddd =
	STRUCT(32, 8, M(0, t_double), M(8, t_double), M(16, t_double), M(24, t_double));
static const struct ct_type s_ld = STRUCT(16, 8, M(0, t_long), M(8, t_double));
static const struct ct_type s_dl = STRUCT(16, 8, M(0, t_double), M(8, t_long));
static const struct ct_type s_ll = STRUCT(16, 8, M(0, t_long), M(8, t_long));
static const struct ct_type s_lll = STRUCT(24, 8, M(0, t_long), M(8, t_long), M(16, t_long));
static const struct ct_type s_ff = STRUCT(8, 4, M(0, t_float), M(4, t_float));
static const struct ct_type s_fff = STRUCT(12, 4, M(0, t_float), M(4, t_float), M(8, t_float));
static const struct ct_type s_fffff = STRUCT(20, 4, M(0, t_float), M(4, t_float), M(8, t_float),
					     M(12, t_float), M(16, t_float));
static const struct ct_type a_d4 = { .kind = CT_TK_ARRAY, .size = 32, .align = 8, .nr = 4,
				     .elem = &t_double };
static const struct ct_type s_arr_d4 = STRUCT(32, 8, M(0, a_d4));
/* struct { long double a, b; }: an HFA of quads on aarch64 */
static const struct ct_type s_qq = STRUCT(32, 16, M(0, t_ldouble), M(16, t_ldouble));
static const struct ct_type s_q = STRUCT(16, 16, M(0, t_ldouble));
static const struct ct_type u_ql = { .kind = CT_TK_UNION, .size = 16, .align = 16, .nr = 2,
				     .members = MEMBERS(M(0, t_ldouble), M(0, t_long)) };
/* struct { long x; } __attribute__((aligned(16))): its second eightbyte
 * is padding only */
static const struct ct_type s_l_pad16 = STRUCT(16, 16, M(0, t_long));
static const struct ct_type s_f128 = STRUCT(16, 16, M(0, t_f128));
/* unions of floats: union { float a, b; }, union { struct { float x, y; }
 * p; float v[2]; }, union { float f; double d; } */
static const struct ct_type u_ff = { .kind = CT_TK_UNION, .size = 4, .align = 4, .nr = 2,
				     .members = MEMBERS(M(0, t_float), M(0, t_float)) };
static const struct ct_type a_f2 = { .kind = CT_TK_ARRAY, .size = 8, .align = 4, .nr = 2,
				     .elem = &t_float };
static const struct ct_type u_ff_f2 = { .kind = CT_TK_UNION, .size = 8, .align = 4, .nr = 2,
					.members = MEMBERS(M(0, s_ff), M(0, a_f2)) };
static const struct ct_type u_fd = { .kind = CT_TK_UNION, .size = 8, .align = 8, .nr = 2,
				     .members = MEMBERS(M(0, t_float), M(0, t_double)) };
/* struct { float a; float b __attribute__((aligned(8))); }: padded, no HFA */
static const struct ct_type s_f_padf = STRUCT(16, 8, M(0, t_float), M(8, t_float));
static const struct ct_type s_with_opaque = STRUCT(16, 8, M(0, t_long), M(8, t_opaque));
/* C++ classes with a non-trivial copy constructor or destructor */
static const struct ct_type c_l = { .kind = CT_TK_STRUCT, .size = 8, .align = 8,
				    .by_reference = true, .nr = 1, .members = MEMBERS(M(0, t_long)) };
static const struct ct_type c_dd = { .kind = CT_TK_STRUCT, .size = 16, .align = 8,
				     .by_reference = true, .nr = 2,
				     .members = MEMBERS(M(0, t_double), M(8, t_double)) };

#define MAXP 16

struct placed {
	int rc;
	struct ct_vloc p[MAXP];
	struct ct_vloc ret;
};

/* Place params (a NULL-terminated list of types) returning ret. */
static struct placed locate(const struct ct_arch *a, const struct ct_type *ret, ...)
{
	struct ct_param params[MAXP];
	struct ct_sig sig = { .params = params, .ret = ret };
	struct placed out;
	const struct ct_type *ty;
	va_list ap;

	va_start(ap, ret);
	while ((ty = va_arg(ap, const struct ct_type *)) != NULL) {
		assert_true(sig.nr_params < MAXP);
		params[sig.nr_params++] = (struct ct_param){ .name = "", .type = ty };
	}
	va_end(ap);
	memset(&out, 0x5a, sizeof(out)); /* nothing may be left as it was */
	out.rc = a->abi_locate(&sig, out.p, &out.ret);
	return out;
}

#define X86(ret, ...) locate(&ct_arch_x86_64, (ret), __VA_ARGS__, (const struct ct_type *)NULL)
#define A64(ret, ...) locate(&ct_arch_aarch64, (ret), __VA_ARGS__, (const struct ct_type *)NULL)
#define NOARGS (const struct ct_type *)NULL

static void part(const struct ct_vloc *l, unsigned i, unsigned file, unsigned reg, unsigned size,
		 unsigned offset)
{
	assert_true(i < l->nr_parts);
	assert_int_equal(l->part[i].file, file);
	assert_int_equal(l->part[i].reg, reg);
	assert_int_equal(l->part[i].size, size);
	assert_int_equal(l->part[i].offset, offset);
}

/* One register holding the whole value. */
static void reg1(const struct ct_vloc *l, unsigned file, unsigned reg, unsigned size)
{
	assert_int_equal(l->kind, CT_VLOC_REGS);
	assert_int_equal(l->nr_parts, 1);
	part(l, 0, file, reg, size, 0);
}

static void gpr(const struct ct_vloc *l, unsigned reg, unsigned size)
{
	reg1(l, CT_RF_GPR, reg, size);
}

static void vec(const struct ct_vloc *l, unsigned reg, unsigned size)
{
	reg1(l, CT_RF_VEC, reg, size);
}

static void regs2(const struct ct_vloc *l)
{
	assert_int_equal(l->kind, CT_VLOC_REGS);
	assert_int_equal(l->nr_parts, 2);
}

static void stack(const struct ct_vloc *l, uint32_t off)
{
	assert_int_equal(l->kind, CT_VLOC_STACK);
	assert_int_equal(l->stack_off, off);
}

/* ---- x86_64 ---- */

static void test_x86_int_spill(void **state CT_UNUSED)
{
	struct placed r = X86(&t_long, &t_char, &t_short, &t_int, &t_long, &t_ptr, &t_long,
			      &t_int, &t_long, &t_char);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 1);
	gpr(&r.p[1], RSI, 2);
	gpr(&r.p[2], RDX, 4);
	gpr(&r.p[3], RCX, 8);
	gpr(&r.p[4], R8, 8);
	gpr(&r.p[5], R9, 8);
	/* 3.2.3: the stack in eightbytes from rsp + 8 (the return address at rsp) */
	stack(&r.p[6], 8);
	stack(&r.p[7], 16);
	stack(&r.p[8], 24);
	gpr(&r.ret, RAX, 8);
}

static void test_x86_double_spill(void **state CT_UNUSED)
{
	struct placed r = X86(&t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
			      &t_double, &t_double, &t_double, &t_double, &t_float);
	unsigned i;

	assert_int_equal(r.rc, 0);
	for (i = 0; i < 8; i++)
		vec(&r.p[i], i, 8);
	stack(&r.p[8], 8);
	stack(&r.p[9], 16);
	vec(&r.ret, 0, 8);
}

static void test_x86_interleave(void **state CT_UNUSED)
{
	/* the INTEGER and SSE registers are counted apart */
	struct placed r = X86(&t_float, &t_int, &t_double, &t_int, &t_double, &t_float, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 4);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], RSI, 4);
	vec(&r.p[3], 1, 8);
	vec(&r.p[4], 2, 4);
	gpr(&r.p[5], RDX, 8);
	vec(&r.ret, 0, 4);
}

static void test_x86_small_structs(void **state CT_UNUSED)
{
	struct placed r = X86(&t_void, &s_ii, &s_dd, &s_ld, &s_ff, &s_dl, &s_iii, &s_fff);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 8);         /* {int,int}: one INTEGER eightbyte */
	regs2(&r.p[1]);               /* {double,double}: SSE, SSE */
	part(&r.p[1], 0, CT_RF_VEC, 0, 8, 0);
	part(&r.p[1], 1, CT_RF_VEC, 1, 8, 8);
	regs2(&r.p[2]);               /* {long,double}: INTEGER, SSE */
	part(&r.p[2], 0, CT_RF_GPR, RSI, 8, 0);
	part(&r.p[2], 1, CT_RF_VEC, 2, 8, 8);
	vec(&r.p[3], 3, 8);           /* {float,float}: one SSE eightbyte */
	regs2(&r.p[4]);               /* {double,long}: SSE, INTEGER */
	part(&r.p[4], 0, CT_RF_VEC, 4, 8, 0);
	part(&r.p[4], 1, CT_RF_GPR, RDX, 8, 8);
	regs2(&r.p[5]);               /* {int,int,int}: INTEGER, INTEGER (4 bytes) */
	part(&r.p[5], 0, CT_RF_GPR, RCX, 8, 0);
	part(&r.p[5], 1, CT_RF_GPR, R8, 4, 8);
	regs2(&r.p[6]);               /* 3 floats, 12 bytes: SSE, SSE (4 bytes) */
	part(&r.p[6], 0, CT_RF_VEC, 5, 8, 0);
	part(&r.p[6], 1, CT_RF_VEC, 6, 4, 8);
	assert_int_equal(r.ret.kind, CT_VLOC_NONE);
}

static void test_x86_memory_structs(void **state CT_UNUSED)
{
	/* over 16 bytes: MEMORY, a copy on the stack; registers untouched */
	struct placed r = X86(&t_void, &t_int, &s_dddd, &s_lll, &s_arr_d4, &t_double, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 4);
	stack(&r.p[1], 8);
	stack(&r.p[2], 40);
	stack(&r.p[3], 64);
	vec(&r.p[4], 0, 8);
	gpr(&r.p[5], RSI, 8);
}

static void test_x86_no_room(void **state CT_UNUSED)
{
	/* 5 INTEGER used: {long,long} needs 2, so all of it goes to the stack
	 * and r9 stays for the next INTEGER argument */
	struct placed r = X86(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &s_ll, &t_long,
			      &t_int);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[4], R8, 8);
	stack(&r.p[5], 8);
	gpr(&r.p[6], R9, 8);
	stack(&r.p[7], 24);

	/* {long,double} with r9 free but no xmm left: stack; r9 still used */
	r = X86(&t_void, &t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
		&t_double, &t_double, &s_ld, &t_long);
	assert_int_equal(r.rc, 0);
	stack(&r.p[8], 8);
	gpr(&r.p[9], RDI, 8);

	/* {double,double} with one xmm left: stack; xmm7 still used */
	r = X86(&t_void, &t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
		&t_double, &s_dd, &t_double);
	assert_int_equal(r.rc, 0);
	vec(&r.p[6], 6, 8);
	stack(&r.p[7], 8);
	vec(&r.p[8], 7, 8);
}

static void test_x86_memory_return(void **state CT_UNUSED)
{
	/* a MEMORY return value: its address is a hidden first argument in
	 * rdi, the named ones shift by one; rax holds the address at return */
	struct placed r = X86(&s_lll, &t_long, &t_double, &t_long, &t_long, &t_long, &t_long,
			      &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RSI, 8);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], RDX, 8);
	gpr(&r.p[3], RCX, 8);
	gpr(&r.p[4], R8, 8);
	gpr(&r.p[5], R9, 8);
	stack(&r.p[6], 8);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	assert_int_equal(r.ret.nr_parts, 1);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
	assert_false(r.ret.ref_at_entry);

	/* a 32-byte one too, with no parameters */
	r = X86(&s_dddd, NOARGS);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
}

static void test_x86_int128(void **state CT_UNUSED)
{
	struct placed r = X86(&t_i128, &t_int, &t_i128, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 4);
	regs2(&r.p[1]); /* two INTEGER eightbytes, no pair alignment on x86_64 */
	part(&r.p[1], 0, CT_RF_GPR, RSI, 8, 0);
	part(&r.p[1], 1, CT_RF_GPR, RDX, 8, 8);
	gpr(&r.p[2], RCX, 8);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
	part(&r.ret, 1, CT_RF_GPR, RDX, 8, 8);

	/* one register left: on the stack, 16-aligned (entry rsp + 8 is), r9 kept */
	r = X86(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_i128, &t_long);
	assert_int_equal(r.rc, 0);
	stack(&r.p[5], 8);
	gpr(&r.p[6], R9, 8);

	/* after one eightbyte on the stack, the next 16-aligned slot is + 24 */
	r = X86(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_i128,
		&t_long);
	assert_int_equal(r.rc, 0);
	stack(&r.p[6], 8);
	stack(&r.p[7], 24);
	stack(&r.p[8], 40);
}

static void test_x86_long_double(void **state CT_UNUSED)
{
	/* X87 class: passed in memory, 16-aligned, no xmm register used */
	struct placed r = X86(&t_void, &t_ldouble, &t_double, &t_long, &t_long, &t_ldouble);

	assert_int_equal(r.rc, 0);
	stack(&r.p[0], 8);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], RDI, 8);
	gpr(&r.p[3], RSI, 8);
	stack(&r.p[4], 24);

	/* returned in st0 (3.2.3 "Returning of Values": class X87), not in
	 * memory: no hidden pointer, the parameters keep rdi.. */
	r = X86(&t_ldouble, &t_long, &t_ldouble);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 8);
	stack(&r.p[1], 8);
	/* the 80 bits of st(0) */
	reg1(&r.ret, CT_RF_X87, 0, 10);

	/* struct { long double }: X87, X87UP too: st0 */
	r = X86(&s_q, &t_long);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 8);
	reg1(&r.ret, CT_RF_X87, 0, 10);
	/* union { long double; long }: X87 merged with INTEGER is MEMORY */
	r = X86(&u_ql, &t_long);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RSI, 8);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
}

static void test_x86_float128(void **state CT_UNUSED)
{
	/* SSE, SSEUP: one whole xmm register each (3.2.3: "the two halves
	 * ... passed in one vector register"); gcc -O2 passes
	 * q((__float128)1, 3.5) as movdqa -> xmm0, movsd -> xmm1 */
	struct placed r = X86(&t_f128, &t_f128, &t_double, &s_f128, &t_long);
	int i;

	assert_int_equal(r.rc, 0);
	vec(&r.p[0], 0, 16);
	vec(&r.p[1], 1, 8);
	vec(&r.p[2], 2, 16);
	gpr(&r.p[3], RDI, 8);
	vec(&r.ret, 0, 16);

	/* eight take xmm0-7, the ninth goes to the stack, 16-aligned */
	r = X86(&t_void, &t_long, &t_f128, &t_f128, &t_f128, &t_f128, &t_f128, &t_f128, &t_f128,
		&t_f128, &t_f128);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 8);
	for (i = 0; i < 8; i++)
		vec(&r.p[1 + i], (unsigned)i, 16);
	stack(&r.p[9], 8);
}

static void test_x86_padding_eightbyte(void **state CT_UNUSED)
{
	/* struct { long x; } aligned(16): INTEGER, NO_CLASS; the padding
	 * takes no register (gcc -O2: g(s, 2.5) is movl $5, %edi; movsd ->
	 * xmm0), so the double after it is in xmm0 */
	struct placed r = X86(&s_l_pad16, &s_l_pad16, &t_double, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 8);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], RSI, 8);
	gpr(&r.ret, RAX, 8);
}

static void test_x86_returns(void **state CT_UNUSED)
{
	struct placed r = X86(&t_float, NOARGS);

	assert_int_equal(r.rc, 0);
	vec(&r.ret, 0, 4);
	r = X86(&t_double, NOARGS);
	vec(&r.ret, 0, 8);
	r = X86(&t_char, NOARGS);
	gpr(&r.ret, RAX, 1);
	r = X86(&s_ii, NOARGS);
	gpr(&r.ret, RAX, 8);
	r = X86(&s_ff, NOARGS);
	vec(&r.ret, 0, 8);
	r = X86(&s_dd, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_VEC, 0, 8, 0);
	part(&r.ret, 1, CT_RF_VEC, 1, 8, 8);
	/* INTEGER, SSE: rax and xmm0 (each class takes its own first register) */
	r = X86(&s_ld, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
	part(&r.ret, 1, CT_RF_VEC, 0, 8, 8);
	r = X86(&s_dl, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_VEC, 0, 8, 0);
	part(&r.ret, 1, CT_RF_GPR, RAX, 8, 8);
	r = X86(&s_iii, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
	part(&r.ret, 1, CT_RF_GPR, RDX, 4, 8);
	r = X86(&t_void, NOARGS);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ret.kind, CT_VLOC_NONE);
}

static void test_x86_by_reference(void **state CT_UNUSED)
{
	/* non-trivial C++ class: a pointer (INTEGER) to a caller's copy */
	struct placed r = X86(&t_void, &t_int, &c_l, &c_dd, &t_double);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RDI, 4);
	assert_int_equal(r.p[1].kind, CT_VLOC_REF);
	assert_int_equal(r.p[1].nr_parts, 1);
	part(&r.p[1], 0, CT_RF_GPR, RSI, 8, 0);
	assert_int_equal(r.p[2].kind, CT_VLOC_REF);
	part(&r.p[2], 0, CT_RF_GPR, RDX, 8, 0);
	vec(&r.p[3], 0, 8);

	/* past the registers: the pointer on the stack */
	r = X86(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &c_l);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p[6].kind, CT_VLOC_REF);
	assert_int_equal(r.p[6].nr_parts, 0);
	assert_int_equal(r.p[6].stack_off, 8);

	/* returned through a hidden pointer like a MEMORY value */
	r = X86(&c_dd, &t_long);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], RSI, 8);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	part(&r.ret, 0, CT_RF_GPR, RAX, 8, 0);
}

static void test_x86_opaque(void **state CT_UNUSED)
{
	assert_int_equal(X86(&t_void, &t_int, &t_opaque).rc, -ENOTSUP);
	assert_int_equal(X86(&t_void, &s_with_opaque).rc, -ENOTSUP);
	assert_int_equal(X86(&t_opaque, &t_int).rc, -ENOTSUP);
}

/* ---- aarch64 ---- */

static void test_a64_int_spill(void **state CT_UNUSED)
{
	struct placed r = A64(&t_long, &t_char, &t_short, &t_int, &t_long, &t_ptr, &t_long,
			      &t_int, &t_long, &t_long, &t_char, &t_int);
	unsigned i;

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 1);
	gpr(&r.p[1], 1, 2);
	gpr(&r.p[2], 2, 4);
	for (i = 3; i < 8; i++)
		assert_int_equal(r.p[i].part[0].reg, i);
	/* C.14/C.15: the stack from the entry sp in 8-byte slots */
	stack(&r.p[8], 0);
	stack(&r.p[9], 8);
	stack(&r.p[10], 16);
	gpr(&r.ret, 0, 8);
}

static void test_a64_double_spill(void **state CT_UNUSED)
{
	struct placed r = A64(&t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
			      &t_double, &t_double, &t_double, &t_float, &t_double, &t_long);
	unsigned i;

	assert_int_equal(r.rc, 0);
	for (i = 0; i < 8; i++)
		vec(&r.p[i], i, 8);
	stack(&r.p[8], 0); /* C.5: a float takes 8 bytes */
	stack(&r.p[9], 8);
	gpr(&r.p[10], 0, 8);
	vec(&r.ret, 0, 8);
}

static void test_a64_interleave(void **state CT_UNUSED)
{
	struct placed r = A64(&t_float, &t_int, &t_double, &t_int, &t_double, &t_float, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 4);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], 1, 4);
	vec(&r.p[3], 1, 8);
	vec(&r.p[4], 2, 4);
	gpr(&r.p[5], 2, 8);
	vec(&r.ret, 0, 4);
}

static void test_a64_small_structs(void **state CT_UNUSED)
{
	struct placed r = A64(&t_void, &s_ii, &s_dd, &s_ld, &s_ff, &s_iii);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 8);           /* C.10: one x register */
	regs2(&r.p[1]);               /* HFA of 2 doubles: v0, v1 */
	part(&r.p[1], 0, CT_RF_VEC, 0, 8, 0);
	part(&r.p[1], 1, CT_RF_VEC, 1, 8, 8);
	regs2(&r.p[2]);               /* not an HFA: x1, x2 */
	part(&r.p[2], 0, CT_RF_GPR, 1, 8, 0);
	part(&r.p[2], 1, CT_RF_GPR, 2, 8, 8);
	regs2(&r.p[3]);               /* HFA of 2 floats: one v register each */
	part(&r.p[3], 0, CT_RF_VEC, 2, 4, 0);
	part(&r.p[3], 1, CT_RF_VEC, 3, 4, 4);
	regs2(&r.p[4]);               /* 12 bytes rounded to 2 double-words */
	part(&r.p[4], 0, CT_RF_GPR, 3, 8, 0);
	part(&r.p[4], 1, CT_RF_GPR, 4, 4, 8);
}

static void test_a64_hfa(void **state CT_UNUSED)
{
	/* B.3: an HFA keeps its size even over 16 bytes (not by reference) */
	struct placed r = A64(&t_void, &s_fff, &s_dddd, &t_double, &s_arr_d4);
	unsigned i;

	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p[0].kind, CT_VLOC_REGS);
	assert_int_equal(r.p[0].nr_parts, 3);
	for (i = 0; i < 3; i++)
		part(&r.p[0], i, CT_RF_VEC, i, 4, 4 * i);
	assert_int_equal(r.p[1].nr_parts, 4);
	for (i = 0; i < 4; i++)
		part(&r.p[1], i, CT_RF_VEC, 3 + i, 8, 8 * i);
	vec(&r.p[2], 7, 8);
	/* C.3: no room for 4 v registers: NSRN = 8, on the stack */
	stack(&r.p[3], 0);

	/* 5 floats: no HFA, 20 bytes: B.4 a pointer to a copy */
	r = A64(&t_void, &s_fffff, &t_float);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p[0].kind, CT_VLOC_REF);
	part(&r.p[0], 0, CT_RF_GPR, 0, 8, 0);
	vec(&r.p[1], 0, 4);

	/* C.3: an HFA that does not fit sets NSRN to 8: a later double goes
	 * to the stack even though v6, v7 are free */
	r = A64(&t_void, &t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
		&s_ddd, &t_double);
	assert_int_equal(r.rc, 0);
	stack(&r.p[6], 0);
	stack(&r.p[7], 24);

	/* C.4: an HFA of 16-aligned quads on the stack is 16-aligned */
	r = A64(&t_void, &t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
		&t_double, &t_double, &t_double, &s_qq, &t_double);
	assert_int_equal(r.rc, 0);
	stack(&r.p[8], 0);
	stack(&r.p[9], 16);
	stack(&r.p[10], 48);
}

static void test_a64_large_by_ref(void **state CT_UNUSED)
{
	/* B.4: over 16 bytes (no HFA): a pointer to a copy, in the next x */
	struct placed r = A64(&t_void, &t_int, &s_lll, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 4);
	assert_int_equal(r.p[1].kind, CT_VLOC_REF);
	assert_int_equal(r.p[1].nr_parts, 1);
	part(&r.p[1], 0, CT_RF_GPR, 1, 8, 0);
	gpr(&r.p[2], 2, 8);

	/* no x register left: the pointer on the stack */
	r = A64(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long,
		&t_int, &s_lll, &t_long);
	assert_int_equal(r.rc, 0);
	stack(&r.p[8], 0);
	assert_int_equal(r.p[9].kind, CT_VLOC_REF);
	assert_int_equal(r.p[9].nr_parts, 0);
	assert_int_equal(r.p[9].stack_off, 8);
	stack(&r.p[10], 16);
}

static void test_a64_no_room(void **state CT_UNUSED)
{
	/* C.10 fails for {long,long} with one x left: C.11 NGRN = 8, C.13 on
	 * the stack; the next long cannot use x7 */
	struct placed r = A64(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long,
			      &t_long, &s_ll, &t_long, &t_double);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[6], 6, 8);
	stack(&r.p[7], 0);
	stack(&r.p[8], 16);
	vec(&r.p[9], 0, 8);
}

static void test_a64_memory_return(void **state CT_UNUSED)
{
	/* 6.9: the caller passes the result's address in x8, not in x0: the
	 * parameters keep x0..; x8 is read at the entry */
	struct placed r = A64(&s_lll, &t_long, &t_double, &t_long);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 8);
	vec(&r.p[1], 0, 8);
	gpr(&r.p[2], 1, 8);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	assert_true(r.ret.ref_at_entry);
	assert_int_equal(r.ret.nr_parts, 1);
	part(&r.ret, 0, CT_RF_GPR, 8, 8, 0);

	/* an HFA of 4 doubles is returned in v0-v3, not in memory */
	r = A64(&s_dddd, NOARGS);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ret.kind, CT_VLOC_REGS);
	assert_int_equal(r.ret.nr_parts, 4);
	part(&r.ret, 3, CT_RF_VEC, 3, 8, 24);
}

static void test_a64_int128(void **state CT_UNUSED)
{
	/* C.8: 16-aligned: NGRN rounded up to even (x1 skipped), C.9 a pair */
	struct placed r = A64(&t_i128, &t_int, &t_i128, &t_int);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 4);
	regs2(&r.p[1]);
	part(&r.p[1], 0, CT_RF_GPR, 2, 8, 0);
	part(&r.p[1], 1, CT_RF_GPR, 3, 8, 8);
	gpr(&r.p[2], 4, 4);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_GPR, 0, 8, 0);
	part(&r.ret, 1, CT_RF_GPR, 1, 8, 8);

	/* 7 ints: rounded to x8: stack (C.12: 16-aligned), NGRN = 8 */
	r = A64(&t_void, &t_int, &t_int, &t_int, &t_int, &t_int, &t_int, &t_int, &t_i128, &t_int);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[6], 6, 4);
	stack(&r.p[7], 0);
	stack(&r.p[8], 16);

	/* after one 8-byte slot, the next 16-aligned one is sp + 16 */
	r = A64(&t_void, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long, &t_long,
		&t_long, &t_i128);
	assert_int_equal(r.rc, 0);
	stack(&r.p[8], 0);
	stack(&r.p[9], 16);
}

static void test_a64_long_double(void **state CT_UNUSED)
{
	/* binary128: a quad-precision float in a whole v register (C.1) */
	struct placed r = A64(&t_ldouble, &t_ldouble, &t_long, &t_double);

	assert_int_equal(r.rc, 0);
	vec(&r.p[0], 0, 16);
	gpr(&r.p[1], 0, 8);
	vec(&r.p[2], 1, 8);
	vec(&r.ret, 0, 16);

	/* C.4: on the stack at a 16-aligned slot */
	r = A64(&t_void, &t_double, &t_double, &t_double, &t_double, &t_double, &t_double,
		&t_double, &t_double, &t_float, &t_ldouble);
	assert_int_equal(r.rc, 0);
	stack(&r.p[8], 0);
	stack(&r.p[9], 16);
}

static void test_a64_union_hfa(void **state CT_UNUSED)
{
	/* a union whose members are all floats of one size is an HFA of as
	 * many as its largest member holds; aarch64-linux-gnu-gcc -O2:
	 * h(u, 2.5f) in s0, s1; k(v, 2.5f) in s0, s1, s2; w(union {float;
	 * double}, 2.5f) in x0, s0 */
	struct placed r = A64(&u_ff, &u_ff, &t_float);

	assert_int_equal(r.rc, 0);
	vec(&r.p[0], 0, 4);
	vec(&r.p[1], 1, 4);
	vec(&r.ret, 0, 4);

	r = A64(&t_float, &u_ff_f2, &t_float);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p[0].kind, CT_VLOC_REGS);
	assert_int_equal(r.p[0].nr_parts, 2);
	part(&r.p[0], 0, CT_RF_VEC, 0, 4, 0);
	part(&r.p[0], 1, CT_RF_VEC, 1, 4, 4);
	vec(&r.p[1], 2, 4);

	r = A64(&t_float, &u_fd, &t_float);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 8);
	vec(&r.p[1], 0, 4);

	/* floats with padding between them are no HFA: two x registers */
	r = A64(&t_void, &s_f_padf, &t_float);
	assert_int_equal(r.rc, 0);
	regs2(&r.p[0]);
	part(&r.p[0], 0, CT_RF_GPR, 0, 8, 0);
	part(&r.p[0], 1, CT_RF_GPR, 1, 8, 8);
	vec(&r.p[1], 0, 4);
}

static void test_a64_returns(void **state CT_UNUSED)
{
	struct placed r = A64(&t_float, NOARGS);

	assert_int_equal(r.rc, 0);
	vec(&r.ret, 0, 4);
	r = A64(&t_double, NOARGS);
	vec(&r.ret, 0, 8);
	r = A64(&t_short, NOARGS);
	gpr(&r.ret, 0, 2);
	r = A64(&s_ii, NOARGS);
	gpr(&r.ret, 0, 8);
	r = A64(&s_ff, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_VEC, 0, 4, 0);
	part(&r.ret, 1, CT_RF_VEC, 1, 4, 4);
	r = A64(&s_dd, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 1, CT_RF_VEC, 1, 8, 8);
	r = A64(&s_ld, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 0, CT_RF_GPR, 0, 8, 0);
	part(&r.ret, 1, CT_RF_GPR, 1, 8, 8);
	r = A64(&s_iii, NOARGS);
	regs2(&r.ret);
	part(&r.ret, 1, CT_RF_GPR, 1, 4, 8);
	r = A64(&t_void, &t_int);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ret.kind, CT_VLOC_NONE);
}

static void test_a64_by_reference(void **state CT_UNUSED)
{
	/* a non-trivial C++ class goes by invisible reference, whatever it
	 * holds: even {double,double}, an HFA for a C struct */
	struct placed r = A64(&t_void, &t_int, &c_l, &c_dd, &t_double);

	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 4);
	assert_int_equal(r.p[1].kind, CT_VLOC_REF);
	part(&r.p[1], 0, CT_RF_GPR, 1, 8, 0);
	assert_int_equal(r.p[2].kind, CT_VLOC_REF);
	assert_int_equal(r.p[2].nr_parts, 1);
	part(&r.p[2], 0, CT_RF_GPR, 2, 8, 0);
	vec(&r.p[3], 0, 8);

	/* returned through x8 */
	r = A64(&c_dd, &t_long);
	assert_int_equal(r.rc, 0);
	gpr(&r.p[0], 0, 8);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	assert_true(r.ret.ref_at_entry);
	part(&r.ret, 0, CT_RF_GPR, 8, 8, 0);
	r = A64(&c_l, NOARGS);
	assert_int_equal(r.ret.kind, CT_VLOC_REF);
	part(&r.ret, 0, CT_RF_GPR, 8, 8, 0);
}

static void test_a64_opaque(void **state CT_UNUSED)
{
	assert_int_equal(A64(&t_void, &t_int, &t_opaque).rc, -ENOTSUP);
	assert_int_equal(A64(&t_void, &s_with_opaque).rc, -ENOTSUP);
	assert_int_equal(A64(&t_opaque, &t_int).rc, -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_int_spill),
		cmocka_unit_test(test_x86_double_spill),
		cmocka_unit_test(test_x86_interleave),
		cmocka_unit_test(test_x86_small_structs),
		cmocka_unit_test(test_x86_memory_structs),
		cmocka_unit_test(test_x86_no_room),
		cmocka_unit_test(test_x86_memory_return),
		cmocka_unit_test(test_x86_int128),
		cmocka_unit_test(test_x86_long_double),
		cmocka_unit_test(test_x86_float128),
		cmocka_unit_test(test_x86_padding_eightbyte),
		cmocka_unit_test(test_x86_returns),
		cmocka_unit_test(test_x86_by_reference),
		cmocka_unit_test(test_x86_opaque),
		cmocka_unit_test(test_a64_int_spill),
		cmocka_unit_test(test_a64_double_spill),
		cmocka_unit_test(test_a64_interleave),
		cmocka_unit_test(test_a64_small_structs),
		cmocka_unit_test(test_a64_hfa),
		cmocka_unit_test(test_a64_large_by_ref),
		cmocka_unit_test(test_a64_no_room),
		cmocka_unit_test(test_a64_memory_return),
		cmocka_unit_test(test_a64_int128),
		cmocka_unit_test(test_a64_long_double),
		cmocka_unit_test(test_a64_union_hfa),
		cmocka_unit_test(test_a64_returns),
		cmocka_unit_test(test_a64_by_reference),
		cmocka_unit_test(test_a64_opaque),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
