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

#endif
