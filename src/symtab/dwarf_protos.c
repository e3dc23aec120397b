// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Public prototypes by name, for code whose own DWARF says nothing of its
 * arguments (ct_dwarf_sig's fallback): glibc writes getpid and the
 * implementations its IFUNCs choose (__strrchr_avx2 for strrchr) in
 * assembly, whose DWARF, if any, is gas's; but every unit that calls
 * getpid or strrchr declares its prototype, and the DWARF keeps those
 * declarations.
 */
#include "config.h"

#include <dwarf.h>
#include <stdint.h>
#include <string.h>

#include "symtab/dwarf_int.h"

bool ct_dwarf_is_asm_cu(Dwarf_Die *cu)
{
	return dwarf_srclang(cu) == DW_LANG_Mips_Assembler;
}

static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

/*
 * The names a prototype is known by: its symbol's (DW_AT_linkage_name),
 * and its own (DW_AT_name) unless the symbol's is a C++ mangled name (an
 * overload's).  A C declaration can carry an asm label as linkage name
 * (glibc declares getpid as __GI_getpid for its own calls), so both.
 * names[1] is NULL when there is only one.
 */
static void proto_names(Dwarf_Die *die, const char *names[2])
{
	Dwarf_Attribute a;
	const char *link = dwarf_attr(die, DW_AT_linkage_name, &a) ? dwarf_formstring(&a) : NULL;
	const char *own = dwarf_diename(die);

	names[0] = link ? link : own;
	names[1] = link && own && strncmp(link, "_Z", 2) != 0 && strcmp(link, own) != 0 ? own : NULL;
}

/*
 * Index the public prototypes of dw: the declarations of external
 * functions with a prototype, at the top of each compiler-written unit,
 * which a caller's unit holds for each function it calls (glibc's CUs
 * declare getpid(void) and strrchr(const char *, int) wherever they call
 * them).  The first one of a name wins.  Declarations only: a definition
 * is found by its address, and one whose address is not the code's is an
 * IFUNC resolver (or an unrelated static function of the same name).
 * Once per dw: one walk over the top-level DIEs (~30 ms for libc's).
 */
static void index_protos(struct ct_dwarf *dw)
{
	Dwarf_Addr bias;
	Dwarf *dbg = dwfl_module_getdwarf(dw->mod, &bias);
	Dwarf_CU *unit = NULL;
	Dwarf_Die cudie, child;
	uint8_t unit_type;
	Dwarf_Half version;

	dw->protos_done = true;
	while (dbg && dwarf_get_units(dbg, unit, &unit, &version, &unit_type, &cudie, NULL) == 0) {
		if ((unit_type != DW_UT_compile && unit_type != DW_UT_partial) ||
		    ct_dwarf_is_asm_cu(&cudie) || dwarf_child(&cudie, &child) != 0)
			continue;
		do {
			const char *names[2];
			unsigned i;

			if (dwarf_tag(&child) != DW_TAG_subprogram ||
			    !dwarf_hasattr(&child, DW_AT_declaration) ||
			    !dwarf_hasattr_integrate(&child, DW_AT_external) ||
			    !dwarf_hasattr_integrate(&child, DW_AT_prototyped))
				continue;
			proto_names(&child, names);
			for (i = 0; i < 2; i++) {
				uint64_t key;

				if (!names[i] || !*names[i])
					continue;
				key = name_hash(names[i]);
				if (!ct_hashmap_get(&dw->protos, key) &&
				    ct_hashmap_put(&dw->protos, key,
						   (void *)(uintptr_t)(dwarf_dieoffset(&child) + 1)) < 0) {
					dw->oom = true;
					return;
				}
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
}

bool ct_dwarf_find_proto(struct ct_dwarf *dw, const char *name, Dwarf_Die *out)
{
	Dwarf_Addr bias;
	Dwarf *dbg;
	uintptr_t off;
	const char *got[2];

	if (!dw->protos_done)
		index_protos(dw);
	off = (uintptr_t)ct_hashmap_get(&dw->protos, name_hash(name));
	dbg = dwfl_module_getdwarf(dw->mod, &bias);
	if (!off || !dbg || !dwarf_offdie(dbg, off - 1, out))
		return false;
	/* not a hash collision */
	proto_names(out, got);
	return (got[0] && !strcmp(got[0], name)) || (got[1] && !strcmp(got[1], name));
}
