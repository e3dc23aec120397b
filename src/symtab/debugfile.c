// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the separate debug file of an ELF file, for its symbol table
 * (ct_elf_add_debug_syms).  The lookup is libdwfl's standard one, the very
 * one ct_dwarf_open relies on for DWARF, so a binary's functions and its
 * DWARF come from the same file: by build-id under each debug directory
 * (DIR/.build-id/xx/yyyy.debug), then by .gnu_debuglink next to the
 * binary, in its .debug/ subdirectory and under each debug directory
 * followed by the binary's directory.  libdwfl checks that what it finds
 * belongs to the binary (the build-id, or the debuglink's CRC) and is not
 * the binary itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include <elfutils/libdwfl.h>

#define CT_LOG_DOMAIN "debugfile"
#include "symtab/symtab.h"
#include "util/log.h"

int ct_debugfile_open(const char *path, const char *debug_dirs)
{
	char *debuginfo_path = ct_debuginfo_path(debug_dirs);
	Dwfl_Callbacks cb = {
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &debuginfo_path,
	};
	const char *found = NULL;
	Dwfl_Module *mod;
	Dwfl *dwfl;
	int fd = -ENOENT;

	if (!debuginfo_path)
		return -ENOMEM;
	dwfl = dwfl_begin(&cb);
	if (!dwfl) {
		free(debuginfo_path);
		return -ENOMEM;
	}
	dwfl_report_begin(dwfl);
	mod = dwfl_report_offline(dwfl, path, path, -1);
	if (dwfl_report_end(dwfl, NULL, NULL) != 0 || !mod)
		goto out;
	/*
	 * Asking for the symbol table of a file that has no .symtab makes
	 * libdwfl look for the debug file, without reading its DWARF (which
	 * dwfl_module_getdwarf would decompress); the file is then the
	 * module's.  (dwfl_standard_find_debuginfo called directly would hand
	 * the module an ELF handle whose descriptor the module never learns:
	 * dwfl_end closes descriptor 0 in its place.)
	 */
	dwfl_module_getsymtab(mod);
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, &found);
	if (!found)
		goto out;
	fd = open(found, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fd = errno == ENOMEM ? -ENOMEM : -ENOENT;
		goto out;
	}
	ct_dbg("%s: separate debug file %s", path, found);
out:
	dwfl_end(dwfl);
	free(debuginfo_path);
	return fd;
}
