/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside struct ct_dwarf: shared by dwarf.c (signatures and types) and
 * dwarf_protos.c (public prototypes by name). */
#ifndef CT_SYMTAB_DWARF_INT_H
#define CT_SYMTAB_DWARF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "util/hashmap.h"

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct ct_dwarf {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwfl_Callbacks callbacks; /* libdwfl keeps pointers to these */
	char *debuginfo_path;
	uint64_t elf_bias;        /* dwfl address - link-time address */
	struct ct_hashmap types;  /* DIE offset + 1 -> struct ct_type */
	/* a hash of a prototype's name -> its DIE offset + 1 (dwarf_protos.c) */
	struct ct_hashmap protos;
	bool protos_done;
	struct arena_block *arena;
	bool oom;
};

/* Is cu a unit an assembler wrote?  gas (2.35+) gives each function symbol
 * a DW_TAG_subprogram of DW_TAG_unspecified_type and no parameters, which
 * says nothing of what the function takes (glibc's getpid, strrchr's
 * implementations). */
bool ct_dwarf_is_asm_cu(Dwarf_Die *cu);
/* The public prototype of the function named `name`: a declaration of an
 * external, prototyped function at the top of a compiler-written unit
 * (the first one of that name).  False when there is none. */
bool ct_dwarf_find_proto(struct ct_dwarf *dw, const char *name, Dwarf_Die *out);

#endif
