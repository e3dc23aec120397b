// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where arguments and return values are at a function's entry and return,
 * by the AAPCS64 (6.8.2 "Parameter passing rules"), as Linux uses it:
 * integers and pointers in x0-x7, floating point in v0-v7, a homogeneous
 * floating-point aggregate (HFA: 1-4 floats of one type, in structs,
 * arrays or unions, nothing else and no padding) in consecutive v
 * registers, other composites of at most 16 bytes in one or two x
 * registers, larger ones replaced by a pointer to a copy; what does
 * not fit goes on the stack in 8-byte slots from the entry sp.  A
 * composite return value of more than 16 bytes is written where x8 pointed
 * at the entry.
 */
#include "config.h"

#include <errno.h>

#include "arch/aarch64/aarch64.h"
#include "symtab/ctype.h"

/* Whether ty is made of floats of one size only, *base (0: not yet known),
 * counting them into *n (nested aggregates and arrays flattened; a union
 * counts as its largest member).  Every level must be exactly its floats,
 * no padding, as gcc checks. */
static bool hfa_walk(const struct ct_type *ty, uint32_t *base, unsigned *n)
{
	unsigned i, k = 0;

	switch (ty->kind) {
	case CT_TK_FLOAT:
		if (!ty->size || (*base && *base != ty->size))
			return false;
		*base = ty->size;
		(*n)++;
		return true;
	case CT_TK_STRUCT:
		for (i = 0; i < ty->nr; i++)
			if (ty->members[i].bitfield || !hfa_walk(ty->members[i].type, base, &k))
				return false;
		break;
	case CT_TK_UNION:
		for (i = 0; i < ty->nr; i++) {
			unsigned each = 0;

			if (ty->members[i].bitfield || !hfa_walk(ty->members[i].type, base, &each))
				return false;
			k = each > k ? each : k;
		}
		break;
	case CT_TK_ARRAY:
		for (i = 0; i < ty->nr; i++)
			if (!hfa_walk(ty->elem, base, &k))
				return false;
		break;
	default:
		return false;
	}
	*n += k;
	return k && ty->size == k * *base;
}

/* The float member size when ty is an HFA (1 to 4 floats of one size),
 * else 0; their number in *n. */
static uint32_t hfa_of(const struct ct_type *ty, unsigned *n)
{
	uint32_t base = 0;

	*n = 0;
	if (!hfa_walk(ty, &base, n) || *n > 4)
		return 0;
	return base;
}

/* A type whose fields we can place: no opaque member anywhere in it. */
static bool placeable(const struct ct_type *ty)
{
	unsigned i;

	switch (ty->kind) {
	case CT_TK_VOID:
	case CT_TK_OTHER:
		return false;
	case CT_TK_STRUCT:
	case CT_TK_UNION:
		for (i = 0; i < ty->nr; i++)
			if (!ty->members[i].bitfield && !placeable(ty->members[i].type))
				return false;
		return ty->size != 0;
	case CT_TK_ARRAY:
		return placeable(ty->elem);
	default:
		return ty->size != 0;
	}
}

static bool composite(const struct ct_type *ty)
{
	return ty->kind == CT_TK_STRUCT || ty->kind == CT_TK_UNION || ty->kind == CT_TK_ARRAY;
}

static void add_part(struct ct_vloc *loc, unsigned file, unsigned reg, uint32_t size,
		     uint32_t offset)
{
	struct ct_vloc_part *p = &loc->part[loc->nr_parts++];

	p->file = (uint8_t)file;
	p->reg = (uint8_t)reg;
	p->size = (uint8_t)size;
	p->offset = (uint8_t)offset;
}

struct alloc {
	unsigned ngrn, nsrn; /* next x and v register */
	uint32_t nsaa;       /* next stack offset from the entry sp */
};

static void on_stack(struct alloc *a, struct ct_vloc *loc, uint32_t size, uint32_t align)
{
	uint32_t k = align > 8 ? 16 : 8;

	a->nsaa = (a->nsaa + k - 1) / k * k;
	loc->kind = CT_VLOC_STACK;
	loc->stack_off = a->nsaa;
	a->nsaa += (size + 7) / 8 * 8;
}

static void place(struct alloc *a, const struct ct_type *ty, struct ct_vloc *loc)
{
	unsigned members = 0, i, words;
	/* a C++ class passed by invisible reference is a pointer even when
	 * its members would make an HFA (the C++ ABI's rule comes first) */
	uint32_t hfa = composite(ty) && !ty->by_reference ? hfa_of(ty, &members) : 0;

	if (ty->kind == CT_TK_FLOAT || hfa) {
		uint32_t each = hfa ? hfa : ty->size;
		unsigned count = hfa ? members : 1;

		if (a->nsrn + count <= 8) {
			loc->kind = CT_VLOC_REGS;
			for (i = 0; i < count; i++)
				add_part(loc, CT_RF_VEC, a->nsrn++, each, i * each);
			return;
		}
		/* C.4: 16-aligned when the HFA's natural alignment is (quads) */
		a->nsrn = 8;
		on_stack(a, loc, ty->size, ty->align);
		return;
	}
	if (composite(ty) && (ty->size > 16 || ty->by_reference)) {
		/* a pointer to a copy the caller made */
		loc->kind = CT_VLOC_REF;
		if (a->ngrn < 8) {
			add_part(loc, CT_RF_GPR, AARCH64_W_X(a->ngrn), 8, 0);
			a->ngrn++;
		} else {
			loc->stack_off = (a->nsaa + 7) / 8 * 8;
			a->nsaa = loc->stack_off + 8;
		}
		return;
	}
	words = (ty->size + 7) / 8;
	if (ty->align == 16 && words == 2)
		a->ngrn = (a->ngrn + 1) & ~1u; /* an even register pair */
	if (a->ngrn + words <= 8) {
		loc->kind = CT_VLOC_REGS;
		for (i = 0; i < words; i++) {
			uint32_t left = ty->size - 8 * i;

			add_part(loc, CT_RF_GPR, AARCH64_W_X(a->ngrn), left < 8 ? left : 8, 8 * i);
			a->ngrn++;
		}
		return;
	}
	a->ngrn = 8;
	on_stack(a, loc, ty->size, ty->align);
}

int aarch64_abi_locate(const struct ct_sig *sig, struct ct_vloc *params, struct ct_vloc *ret)
{
	struct alloc a = { 0 };
	const struct ct_type *rt = sig->ret;
	unsigned n, members = 0, i;
	uint32_t hfa;

	for (n = 0; n < sig->nr_params; n++) {
		params[n] = (struct ct_vloc){ .kind = CT_VLOC_NONE };
		if (!placeable(sig->params[n].type) || sig->params[n].type->size > 1u << 20)
			return -ENOTSUP;
		place(&a, sig->params[n].type, &params[n]);
	}

	*ret = (struct ct_vloc){ .kind = CT_VLOC_NONE };
	if (rt->kind == CT_TK_VOID)
		return 0;
	if (!placeable(rt))
		return -ENOTSUP;
	hfa = composite(rt) && !rt->by_reference ? hfa_of(rt, &members) : 0;
	if (rt->kind == CT_TK_FLOAT || hfa) {
		ret->kind = CT_VLOC_REGS;
		for (i = 0; i < (hfa ? members : 1); i++)
			add_part(ret, CT_RF_VEC, i, hfa ? hfa : rt->size, i * (hfa ? hfa : rt->size));
	} else if (composite(rt) && (rt->size > 16 || rt->by_reference)) {
		ret->kind = CT_VLOC_REF;
		ret->ref_at_entry = true;
		add_part(ret, CT_RF_GPR, AARCH64_W_X(8), 8, 0);
	} else {
		ret->kind = CT_VLOC_REGS;
		for (i = 0; i < (rt->size + 7) / 8; i++) {
			uint32_t left = rt->size - 8 * i;

			add_part(ret, CT_RF_GPR, AARCH64_W_X(i), left < 8 ? left : 8, 8 * i);
		}
	}
	return 0;
}
