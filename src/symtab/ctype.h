/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C types and function signatures as DWARF describes them (dwarf.c builds
 * them), reduced to what the calling conventions (src/arch/<isa>/abi.c)
 * and the value renderer (render.c) need.  Plain data: no libdw types, so
 * the arch tables and unit tests can use it without debug info.
 */
#ifndef CT_CTYPE_H
#define CT_CTYPE_H

#include <stdbool.h>
#include <stdint.h>

enum ct_tkind {
	CT_TK_VOID,
	CT_TK_INT,    /* signed/unsigned integers of any size, char16_t ... */
	CT_TK_BOOL,
	CT_TK_CHAR,   /* plain `char` (signed or not by the ABI): shown as 'a' */
	CT_TK_ENUM,
	CT_TK_FLOAT,  /* float, double, long double (size tells) */
	CT_TK_PTR,    /* data/function pointers, C++ references */
	CT_TK_STR,    /* pointer to a one-byte char type: read as a string */
	CT_TK_STRUCT, /* struct or class */
	CT_TK_UNION,
	CT_TK_ARRAY,  /* only as a member */
	CT_TK_OTHER,  /* complex, vector, incomplete ...: size may be 0 */
};

struct ct_type;

struct ct_enumerator {
	const char *name;
	int64_t value;
};

struct ct_member {
	const char *name;      /* "" when anonymous */
	uint32_t offset;       /* bytes from the start of the aggregate */
	const struct ct_type *type;
	bool bitfield;         /* shown as '?'; classified as its storage unit */
};

struct ct_type {
	enum ct_tkind kind;
	uint32_t size;         /* bytes; 0 when unknown */
	uint32_t align;        /* bytes (the largest member's, for aggregates) */
	bool is_signed;        /* INT, CHAR, ENUM */
	/* FLOAT: C's `long double`, in the ISA's own format (x87 80-bit on
	 * x86_64, binary128 on aarch64); other 16-byte floats are binary128 */
	bool long_double;
	/* C++ class that must be passed by invisible reference (non-trivial
	 * copy constructor or destructor: DW_CC_pass_by_reference) */
	bool by_reference;
	unsigned nr;           /* enumerators, members, or array elements */
	const struct ct_enumerator *enums;
	const struct ct_member *members;
	const struct ct_type *elem; /* ARRAY */
};

struct ct_param {
	const char *name;      /* "" when unnamed */
	const struct ct_type *type;
};

struct ct_sig {
	unsigned nr_params;
	const struct ct_param *params;
	const struct ct_type *ret; /* kind VOID for a void function */
	bool variadic;             /* only the named parameters are shown */
	bool nocall;               /* DW_CC_nocall: the compiler changed its calling
				    * convention, its registers are not the parameters */
	const char *decl_file;     /* NULL when unknown */
	uint32_t decl_line;
};

#endif
