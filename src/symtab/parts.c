/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler-split parts of functions.  gcc (-freorder-blocks-and-partition,
 * on at -O2) moves the unlikely blocks of a function, a catch, a branch to
 * a cold function, into a part of its own in .text.unlikely, with a local
 * symbol NAME.cold (NAME.cold.N when names collide).  The hot part jumps
 * into it, and it jumps back or returns for the function: it is never
 * called, it has no frame of its own.  (NAME.part.N, NAME.isra.N,
 * NAME.constprop.N are real functions, called, and stay functions.)
 */
#include "config.h"

#include <string.h>

#include "symtab/symtab.h"

size_t ct_sym_cold_parent(const char *sym)
{
	const char *dot, *p;

	if (!sym)
		return 0;
	for (dot = strstr(sym, ".cold"); dot; dot = strstr(dot + 1, ".cold")) {
		p = dot + 5;
		if (*p == '.' && p[1] >= '0' && p[1] <= '9')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		/* the suffix ends the name (a version, "@GLIBC_2.2.5", may follow) */
		if ((*p == '\0' || *p == '@') && dot > sym)
			return (size_t)(dot - sym);
	}
	return 0;
}
