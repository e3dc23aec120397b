/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses to function, module and file:line through libdwfl (see symbolize.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stacks/symbolize.h"
#include "symtab/symtab.h" /* ct_demangle */
#include "util/hashmap.h"

#define CT_LOG_DOMAIN "symbolize"
#include "util/log.h"

struct cached {
	struct ct_symloc loc;
	char *demangled;
	char *plain;
};

struct ct_symbolizer {
	Dwfl *dwfl;
	bool demangle;
	struct ct_hashmap cache; /* addr -> struct cached */
	/* libdwfl keeps a pointer to these until dwfl_end */
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;
};

/*
 * Where DWARF is found.  libdwfl reads it from the binary itself, else from
 * a separate file that dwfl_standard_find_debuginfo looks for in the
 * directories of a search path: first by build-id, DIR/.build-id/xx/yyyy.debug
 * under each absolute DIR; then by the .gnu_debuglink name (or, with none,
 * BINARY.debug) in the binary's directory (""), in its .debug/ subdirectory
 * (a relative entry) and in DIR/<the binary's directory>/ under each
 * absolute DIR.  The path is libdwfl's default (DEFAULT_DEBUGINFO_PATH,
 * elfutils libdwfl/libdwflP.h) behind the directories of CALLTRAP_DEBUG_DIR
 * (`calltrap stacks --debug-dir`), which are searched first, like
 * /usr/lib/debug.  libdwfl asks a debuginfod server only when the user has
 * set DEBUGINFOD_URLS, after all of these.
 */
struct ct_symbolizer *ct_symbolizer_new(pid_t pid, bool demangle)
{
	struct ct_symbolizer *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return NULL;
	s->demangle = demangle;
	ct_hashmap_init(&s->cache);
	s->debuginfo_path = ct_debuginfo_path(getenv(CT_DEBUG_DIR_ENV));
	if (!s->debuginfo_path) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	ct_dbg("separate debug info search path: %s", s->debuginfo_path);
	s->callbacks = (Dwfl_Callbacks){
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &s->debuginfo_path,
	};
	s->dwfl = dwfl_begin(&s->callbacks);
	if (!s->dwfl) {
		free(s->debuginfo_path);
		free(s);
		errno = EIO;
		return NULL;
	}
	dwfl_report_begin(s->dwfl);
	r = dwfl_linux_proc_report(s->dwfl, pid);
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0 && r == 0)
		r = -1;
	if (r != 0) {
		ct_dbg("dwfl_linux_proc_report %d: %s", (int)pid,
		       r > 0 ? strerror(r) : dwfl_errmsg(-1));
		ct_symbolizer_free(s);
		errno = r == ENOENT ? ESRCH : r > 0 ? r : EIO;
		return NULL;
	}
	return s;
}

void ct_symbolizer_free(struct ct_symbolizer *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!s)
		return;
	while (ct_hashmap_next(&s->cache, &it, &key, &val)) {
		free(((struct cached *)val)->demangled);
		free(((struct cached *)val)->plain);
		free(val);
	}
	ct_hashmap_fini(&s->cache);
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->debuginfo_path);
	free(s);
}

Dwfl *ct_symbolizer_dwfl(struct ct_symbolizer *s)
{
	return s->dwfl;
}

/* A pc in a function's compiler-split cold part (main.cold) belongs to
 * that function's frame: "main [cold]", malloc'ed; NULL for any other
 * symbol, or on ENOMEM. */
static char *cold_part_name(const struct ct_symbolizer *s, const char *sym)
{
	size_t len = ct_sym_cold_parent(sym);
	char *parent, *dem = NULL, *out = NULL;

	if (!len)
		return NULL;
	parent = strndup(sym, len);
	if (!parent)
		return NULL;
	if (s->demangle)
		dem = ct_demangle(parent);
	if (asprintf(&out, "%s [cold]", dem ? dem : parent) < 0)
		out = NULL;
	free(dem);
	free(parent);
	return out;
}

static void resolve(struct ct_symbolizer *s, Dwfl_Module *mod, uint64_t addr, struct cached *c)
{
	const char *name, *path;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;

	path = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (path) {
		const char *slash = strrchr(path, '/');

		c->loc.module_path = path;
		c->loc.module = slash ? slash + 1 : path;
	}
	name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
	if (name) {
		const char *at = strchr(name, '@');

		c->loc.symbol = name;
		c->loc.offset = off;
		/* the function without its symbol version (memcpy@@GLIBC_2.14) */
		if (at && at != name)
			c->plain = strndup(name, (size_t)(at - name));
		c->demangled = cold_part_name(s, c->plain ? c->plain : name);
		if (!c->demangled && s->demangle)
			c->demangled = ct_demangle(c->plain ? c->plain : name);
		c->loc.func = c->demangled ? c->demangled : c->plain ? c->plain : name;
	}
	line = dwfl_module_getsrc(mod, addr);
	if (line) {
		int lineno = 0;
		const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);

		if (file && lineno > 0) {
			c->loc.file = file;
			c->loc.line = lineno;
		}
	}
}

int ct_symbolizer_lookup(struct ct_symbolizer *s, uint64_t addr, struct ct_symloc *loc)
{
	struct cached *c = ct_hashmap_get(&s->cache, addr);
	Dwfl_Module *mod;

	if (c) {
		*loc = c->loc;
		return c->loc.module ? 0 : -ENOENT;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	mod = dwfl_addrmodule(s->dwfl, addr);
	if (mod)
		resolve(s, mod, addr, c);
	if (ct_hashmap_put(&s->cache, addr, c) < 0) {
		free(c->demangled);
		free(c->plain);
		free(c);
		return -ENOMEM;
	}
	*loc = c->loc;
	return c->loc.module ? 0 : -ENOENT;
}
