/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ names.  The demangler is libstdc++'s (the Itanium C++ ABI's
 * abi::__cxa_demangle, the libiberty code gdb, perf and eu-stack use), so
 * names read as they do there: "ns::Box<int>::get(int) const", with GCC's
 * clone suffixes kept ("f(long) [clone .cold]").  calltrap links -lstdc++
 * for it (src/symtab/local.mk).
 *
 * A traced module's symbols are demangled once, when its functions are set
 * up, into one block per ELF file, so events and pattern matching only
 * follow pointers.  Each demangled name is followed in the block by its
 * symbol's own name: the session keeps one name per function (the one
 * events show) and finds the other with ct_elf_mangled(), for patterns
 * written either way.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/symtab.h"

extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *ct_demangle(const char *sym)
{
	int status = -1;
	char *d;

	/* only symbol names: __cxa_demangle also takes type names ("i") */
	if (!sym || strncmp(sym, "_Z", 2) != 0)
		return NULL;
	d = __cxa_demangle(sym, NULL, NULL, &status);
	if (status != 0) {
		free(d);
		return NULL;
	}
	return d;
}

int ct_elf_demangle(struct ct_elf *elf)
{
	char **tmp, *p;
	size_t i, size = 0;

	if (!elf)
		return -EINVAL;
	if (elf->demangle_done)
		return 0;
	tmp = calloc(elf->nr_syms ? elf->nr_syms : 1, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (i = 0; i < elf->nr_syms; i++) {
		const char *name = elf->syms[i].name;

		if (strncmp(name, "_Z", 2) != 0)
			continue;
		/* a name that does not demangle (or ENOMEM here) stays as it is */
		tmp[i] = ct_demangle(name);
		if (tmp[i])
			size += strlen(tmp[i]) + 1 + strlen(name) + 1;
	}
	if (size) {
		elf->demangled = malloc(size);
		if (!elf->demangled) {
			for (i = 0; i < elf->nr_syms; i++)
				free(tmp[i]);
			free(tmp);
			return -ENOMEM;
		}
	}
	p = elf->demangled;
	for (i = 0; i < elf->nr_syms; i++) {
		size_t dl, nl;

		if (!tmp[i])
			continue;
		dl = strlen(tmp[i]) + 1;
		nl = strlen(elf->syms[i].name) + 1;
		memcpy(p, tmp[i], dl);
		memcpy(p + dl, elf->syms[i].name, nl);
		elf->syms[i].demangled = p;
		p += dl + nl;
		free(tmp[i]);
	}
	free(tmp);
	elf->demangled_size = size;
	elf->demangle_done = true;
	return 0;
}

const char *ct_elf_mangled(const struct ct_elf *elf, const char *name)
{
	uintptr_t a = (uintptr_t)name, lo;

	if (!elf || !name || !elf->demangled)
		return name;
	lo = (uintptr_t)elf->demangled;
	if (a < lo || a - lo >= elf->demangled_size)
		return name;
	return name + strlen(name) + 1;
}
