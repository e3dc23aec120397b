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
 *
 * Where none of those places holds a file, libdwfl's lookup is not even
 * started: having found nothing it would load libdebuginfod (and libcurl,
 * ~8 MB) to ask servers no one named, for every stripped file a program
 * maps (/bin/true and every Debian library carry a .gnu_debuglink).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>

#define CT_LOG_DOMAIN "debugfile"
#include "symtab/symtab.h"
#include "util/log.h"

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Is there a file named `link` where libdwfl's path search looks for the
 * debug file of the binary in directory `dir`: dir itself for an empty
 * entry of debuginfo_path, dir/ENTRY for a relative one, ENTRY/dir for an
 * absolute one (an entry's leading '+' or '-' only says whether to check
 * a CRC)? */
static bool link_exists(const char *debuginfo_path, const char *dir, const char *link)
{
	const char *p, *end;
	char buf[PATH_MAX];
	int n;

	for (p = debuginfo_path; p; p = *end ? end + 1 : NULL) {
		int len;

		end = strchrnul(p, ':');
		if (*p == '+' || *p == '-')
			p++;
		len = (int)(end - p);
		if (len <= 0)
			n = snprintf(buf, sizeof(buf), "%s/%s", dir, link);
		else if (*p == '/')
			n = snprintf(buf, sizeof(buf), "%.*s%s/%s", len, p, dir, link);
		else
			n = snprintf(buf, sizeof(buf), "%s/%.*s/%s", dir, len, p, link);
		if (n > 0 && (size_t)n < sizeof(buf) && is_file(buf))
			return true;
	}
	return false;
}

/* Is there a file named by build-id bits in an absolute entry of
 * debuginfo_path (ENTRY/.build-id/xx/yyyy.debug)? */
static bool build_id_exists(const char *debuginfo_path, const unsigned char *bits, int len)
{
	char hex[2 * 64 + 1], buf[PATH_MAX];
	const char *p, *end;
	int i, n;

	if (len <= 1 || len > 64)
		return false;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bits[i]);
	for (p = debuginfo_path; p; p = *end ? end + 1 : NULL) {
		end = strchrnul(p, ':');
		if (*p == '+' || *p == '-')
			p++;
		if (*p != '/')
			continue;
		n = snprintf(buf, sizeof(buf), "%.*s/.build-id/%.2s/%s.debug", (int)(end - p), p, hex,
			     hex + 2);
		if (n > 0 && (size_t)n < sizeof(buf) && is_file(buf))
			return true;
	}
	return false;
}

/* Might libdwfl's lookup find a debug file for the binary at path (a
 * superset of where it looks: also through the binary's real path)? */
static bool may_have_debugfile(Dwfl_Module *mod, Elf *e, const char *path,
			       const char *debuginfo_path)
{
	const unsigned char *bits = NULL;
	GElf_Addr vaddr;
	GElf_Word crc;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	const char *link = dwelf_elf_gnu_debuglink(e, &crc);
	char *paths[2] = { strdup(path), realpath(path, NULL) };
	bool found = build_id_exists(debuginfo_path, bits, len);
	unsigned i;

	for (i = 0; i < 2 && !found; i++) {
		char *slash, name[NAME_MAX + 1];
		const char *dir;

		if (!paths[i])
			continue;
		slash = strrchr(paths[i], '/');
		if (!link)
			snprintf(name, sizeof(name), "%s.debug", slash ? slash + 1 : paths[i]);
		if (slash)
			*slash = '\0';
		dir = !slash ? "." : slash == paths[i] ? "" : paths[i];
		found = link_exists(debuginfo_path, dir, link ? link : name);
	}
	free(paths[0]);
	free(paths[1]);
	return found;
}

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
	GElf_Addr bias;
	Dwfl *dwfl;
	Elf *e;
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
	e = dwfl_module_getelf(mod, &bias);
	if (!e || !may_have_debugfile(mod, e, path, debuginfo_path))
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
