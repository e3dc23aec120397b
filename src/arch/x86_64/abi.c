// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where arguments and return values are at a function's entry and return,
 * by the System V AMD64 psABI (3.2.3 "Parameter Passing"): each eightbyte
 * of a value of at most 16 bytes is classified INTEGER, SSE, SSEUP (the
 * upper half of a binary128 float, in the same xmm register) or NO_CLASS
 * (padding only: no register) from the scalars in it; the value goes in
 * rdi.. / xmm0.. if registers of both kinds remain for all its
 * eightbytes, else on the stack (the first stack argument at entry
 * rsp + 8).  Larger values, unaligned ones and long double are MEMORY: on
 * the stack.  A MEMORY return value is written where the caller said in a
 * hidden first argument (rdi); rax holds that address at the return.  A
 * long double (X87) is returned in st0.
 */
#include "config.h"

#include <errno.h>

#include "arch/x86_64/x86_64.h"
#include "symtab/ctype.h"

enum cls { NO_CLASS, INTEGER, SSE, SSEUP, MEMORY };

static const uint8_t int_arg_words[6] = {
	X86_64_W(rdi), X86_64_W(rsi), X86_64_W(rdx), X86_64_W(rcx), X86_64_W(r8), X86_64_W(r9),
};
static const uint8_t int_ret_words[2] = { X86_64_W(rax), X86_64_W(rdx) };

static void merge(enum cls *c, enum cls with)
{
	if (*c == with || with == NO_CLASS)
		return;
	if (*c == NO_CLASS)
		*c = with;
	else if (*c == MEMORY || with == MEMORY)
		*c = MEMORY;
	else if (*c == INTEGER || with == INTEGER)
		*c = INTEGER;
	else
		*c = SSE; /* SSE with SSEUP */
}

/* Classify the scalars of ty placed at byte off of a value of at most 16
 * bytes into c[off / 8].  -ENOTSUP for a type we cannot classify. */
static int classify(const struct ct_type *ty, uint32_t off, enum cls c[2])
{
	unsigned i;
	int ret;

	switch (ty->kind) {
	case CT_TK_INT:
	case CT_TK_BOOL:
	case CT_TK_CHAR:
	case CT_TK_ENUM:
	case CT_TK_PTR:
	case CT_TK_STR:
		if (!ty->size || off % ty->size) {
			merge(&c[0], MEMORY); /* unaligned */
			return 0;
		}
		merge(&c[off / 8], INTEGER);
		if (ty->size == 16)
			merge(&c[1], INTEGER);
		return 0;
	case CT_TK_FLOAT:
		if (!ty->size || off % ty->size || (ty->size == 16 && ty->long_double)) {
			merge(&c[0], MEMORY); /* unaligned, or X87 (long double) */
			return 0;
		}
		merge(&c[off / 8], SSE);
		if (ty->size == 16)
			merge(&c[1], SSEUP); /* binary128: one whole xmm register */
		return 0;
	case CT_TK_STRUCT:
	case CT_TK_UNION:
		for (i = 0; i < ty->nr; i++) {
			const struct ct_member *m = &ty->members[i];

			if (m->bitfield)
				merge(&c[(off + m->offset) / 8 < 2 ? (off + m->offset) / 8 : 1], INTEGER);
			else if ((ret = classify(m->type, off + m->offset, c)) < 0)
				return ret;
		}
		return 0;
	case CT_TK_ARRAY:
		for (i = 0; i < ty->nr; i++)
			if ((ret = classify(ty->elem, off + i * ty->elem->size, c)) < 0)
				return ret;
		return 0;
	case CT_TK_VOID:
	case CT_TK_OTHER:
	default:
		return -ENOTSUP;
	}
}

/* The classes of ty's eightbytes (c[1] is NO_CLASS for 8 bytes or less). */
static int classify_value(const struct ct_type *ty, enum cls c[2])
{
	c[0] = c[1] = NO_CLASS;
	if (ty->kind == CT_TK_VOID || ty->kind == CT_TK_OTHER || !ty->size)
		return -ENOTSUP;
	if (ty->size > 16 || ty->by_reference) {
		c[0] = MEMORY;
		return 0;
	}
	if (classify(ty, 0, c) < 0)
		return -ENOTSUP;
	if (c[0] == MEMORY || c[1] == MEMORY) {
		c[0] = MEMORY;
		return 0;
	}
	/* post-merger: SSEUP only right after SSE; a NO_CLASS eightbyte
	 * (padding only) stays so and takes no register, as gcc does */
	if (c[0] == SSEUP)
		c[0] = SSE;
	if (c[1] == SSEUP && c[0] != SSE)
		c[1] = SSE;
	return 0;
}

/* A value of class X87 (long double, or an aggregate of just one): passed
 * in memory like MEMORY, but returned in st0 with no hidden pointer
 * (3.2.3 "Returning of Values", class X87). */
static bool x87_only(const struct ct_type *ty)
{
	unsigned i;

	if (ty->kind == CT_TK_FLOAT)
		return ty->size == 16 && ty->long_double;
	if ((ty->kind == CT_TK_STRUCT || ty->kind == CT_TK_UNION) && ty->size == 16 && ty->nr &&
	    !ty->by_reference) {
		for (i = 0; i < ty->nr; i++)
			if (ty->members[i].bitfield || ty->members[i].offset ||
			    !x87_only(ty->members[i].type))
				return false;
		return true;
	}
	if (ty->kind == CT_TK_ARRAY)
		return ty->nr == 1 && x87_only(ty->elem);
	return false;
}

static void add_part(struct ct_vloc *loc, unsigned file, unsigned reg, uint32_t offset,
		     uint32_t size)
{
	struct ct_vloc_part *p = &loc->part[loc->nr_parts++];

	p->file = (uint8_t)file;
	p->reg = (uint8_t)reg;
	p->offset = (uint8_t)offset;
	p->size = (uint8_t)size;
}

/* The registers of a value of `size` bytes whose eightbytes are classed
 * c[]: the integer ones from gprs[], the vector ones from xmm *next_sse
 * on (an SSE eightbyte followed by SSEUP takes 16 bytes of one). */
static void add_reg_parts(struct ct_vloc *loc, const enum cls c[2], uint32_t size,
			  const uint8_t *gprs, unsigned *next_int, unsigned *next_sse)
{
	unsigned i, words = (size + 7) / 8;

	loc->kind = CT_VLOC_REGS;
	for (i = 0; i < words; i++) {
		uint32_t left = size - 8 * i, bytes = left < 8 ? left : 8;

		if (c[i] == INTEGER) {
			add_part(loc, CT_RF_GPR, gprs[(*next_int)++], 8 * i, bytes);
		} else if (c[i] == SSE) {
			if (i + 1 < words && c[i + 1] == SSEUP)
				bytes = left;
			add_part(loc, CT_RF_VEC, (*next_sse)++, 8 * i, bytes);
		}
	}
}

int x86_64_abi_locate(const struct ct_sig *sig, struct ct_vloc *params, struct ct_vloc *ret)
{
	unsigned next_int = 0, next_sse = 0, n, i;
	uint32_t stack = 8; /* the return address is at entry rsp */
	enum cls c[2];

	/* a MEMORY return value's address is a hidden first argument (rdi) */
	if (sig->ret->kind != CT_TK_VOID) {
		if (classify_value(sig->ret, c) < 0)
			return -ENOTSUP;
		if (c[0] == MEMORY && !x87_only(sig->ret))
			next_int = 1;
	}
	for (n = 0; n < sig->nr_params; n++) {
		const struct ct_type *ty = sig->params[n].type;
		struct ct_vloc *loc = &params[n];
		unsigned want_int = 0, want_sse = 0, words;

		*loc = (struct ct_vloc){ .kind = CT_VLOC_NONE };
		if (classify_value(ty, c) < 0)
			return -ENOTSUP;
		if (ty->by_reference) {
			/* a pointer to a caller-made copy, like any pointer */
			loc->kind = CT_VLOC_REF;
			if (next_int < 6) {
				add_part(loc, CT_RF_GPR, int_arg_words[next_int++], 0, 8);
			} else {
				loc->stack_off = stack;
				stack += 8;
			}
			continue;
		}
		words = (ty->size + 7) / 8;
		if (c[0] != MEMORY) {
			for (i = 0; i < words; i++) {
				want_int += c[i] == INTEGER;
				want_sse += c[i] == SSE;
			}
		}
		if (c[0] != MEMORY && next_int + want_int <= 6 && next_sse + want_sse <= 8) {
			add_reg_parts(loc, c, ty->size, int_arg_words, &next_int, &next_sse);
			continue;
		}
		/* on the stack in eightbytes; a 16-aligned type at a 16-aligned
		 * address, and entry rsp + 8 is 16-aligned */
		if (ty->align > 8 && stack % 16 != 8)
			stack += 8;
		loc->kind = CT_VLOC_STACK;
		loc->stack_off = stack;
		stack += words * 8;
	}

	*ret = (struct ct_vloc){ .kind = CT_VLOC_NONE };
	if (sig->ret->kind == CT_TK_VOID)
		return 0;
	if (classify_value(sig->ret, c) < 0)
		return -ENOTSUP;
	if (x87_only(sig->ret)) {
		/* the 80-bit value in st0 */
		ret->kind = CT_VLOC_REGS;
		add_part(ret, CT_RF_X87, 0, 0, 10);
		return 0;
	}
	if (c[0] == MEMORY) {
		ret->kind = CT_VLOC_REF;
		add_part(ret, CT_RF_GPR, int_ret_words[0], 0, 8);
		return 0;
	}
	next_int = next_sse = 0;
	add_reg_parts(ret, c, sig->ret->size, int_ret_words, &next_int, &next_sse);
	return 0;
}
