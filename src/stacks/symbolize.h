/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses of a live process to names: function + offset, module,
 * source file:line (where DWARF exists, in the binary or in separate debug
 * info found by build-id or .gnu_debuglink, libdwfl's standard lookups),
 * C++ names demangled.  A libdwfl session over the modules of
 * /proc/PID/maps, which the unwinder (unwind.c) shares.  Results are cached
 * per address: every string returned lives as long as the symbolizer.
 *
 * Nothing here is specific to `stacks`: the trace events' DWARF arguments
 * and --srcline can take a symbolizer of their own.
 */
#ifndef CT_SYMBOLIZE_H
#define CT_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <elfutils/libdwfl.h>

struct ct_symloc {
	const char *func;        /* demangled unless turned off; NULL when unknown */
	const char *label;       /* what text shows instead of func (--demangle=short), or NULL */
	const char *symbol;      /* the name as in the symbol table; NULL when unknown */
	uint64_t offset;         /* addr - the function's start */
	const char *module;      /* file name of the module ("libc.so.6", "[vdso]"), or NULL */
	const char *module_path; /* as mapped, or NULL */
	const char *file;        /* source file, or NULL */
	int line;                /* 0 when unknown */
	/* func is a function the compiler inlined here (DWARF
	 * DW_TAG_inlined_subroutine): it has no frame and no offset of its
	 * own; symbol is its linkage name (or its name) */
	bool inlined;
};

struct ct_symbolizer;

/* Report the modules mapped in pid now.  NULL with errno set: ESRCH when
 * the process is gone, EIO when libdwfl fails. */
struct ct_symbolizer *ct_symbolizer_new(pid_t pid, bool demangle);
void ct_symbolizer_free(struct ct_symbolizer *s);
/* The libdwfl session, for dwfl_attach_state and DWARF lookups. */
Dwfl *ct_symbolizer_dwfl(struct ct_symbolizer *s);
/* What is at addr.  0 (fields not known are NULL/0), -ENOENT when no module
 * holds addr (loc->func etc. NULL then), -ENOMEM. */
int ct_symbolizer_lookup(struct ct_symbolizer *s, uint64_t addr, struct ct_symloc *loc);
/*
 * The calls inlined at addr, as gdb and `eu-stack -i` show them: *chain
 * holds *n + 1 locations, innermost first.  chain[0] is the function
 * inlined deepest, at the file:line of addr; chain[i] the function
 * chain[i - 1] was inlined into, at the line of that call; the last is the
 * function of the symbol table (as ct_symbolizer_lookup has it) at the line
 * of the outermost inlined call.  *n is 0 (and *chain NULL) when nothing is
 * inlined at addr or there is no DWARF.  0 or -ENOMEM.
 */
int ct_symbolizer_inlined(struct ct_symbolizer *s, uint64_t addr, const struct ct_symloc **chain,
			  unsigned *n);
/*
 * The data object addr is in, for `<name+off>`: a symbol of type
 * STT_OBJECT with addr in [st_value, st_value + st_size), from .symtab (or
 * .dynsym) of the module whose loaded segments hold addr (.data, .bss,
 * .rodata).  Thread-local (STT_TLS) symbols are not addresses and are not
 * looked at.  0 with *name (without symbol version) and *off set, -ENOENT,
 * or -ENOMEM.
 */
int ct_symbolizer_data(struct ct_symbolizer *s, uint64_t addr, const char **name, uint64_t *off);

#endif
