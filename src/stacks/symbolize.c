/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses to function, module and file:line through libdwfl (see symbolize.h). */
#include "config.h"

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "stacks/symbolize.h"
#include "symtab/symtab.h" /* ct_demangle */
#include "util/hashmap.h"

#define CT_LOG_DOMAIN "symbolize"
#include "util/log.h"

struct cached {
	struct ct_symloc loc;
	char *demangled;
	char *plain;
	/* ct_symbolizer_inlined: nr_inlined + 1 entries once chain_done */
	bool chain_done;
	struct ct_symloc *chain;
	unsigned nr_inlined;
	char **chain_names; /* nr_inlined demangled names (or NULL) */
};

/* ct_symbolizer_data's answer for one address */
struct data_cached {
	const char *name; /* NULL: no data symbol there */
	uint64_t off;
	char *owned;      /* name without symbol version, or demangled */
};

struct ct_symbolizer {
	Dwfl *dwfl;
	bool demangle;
	struct ct_hashmap cache; /* addr -> struct cached */
	struct ct_hashmap data;  /* addr -> struct data_cached */
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
	ct_hashmap_init(&s->data);
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

static void free_cached(struct cached *c)
{
	unsigned i;

	for (i = 0; c->chain_names && i < c->nr_inlined; i++)
		free(c->chain_names[i]);
	free(c->chain_names);
	free(c->chain);
	free(c->demangled);
	free(c->plain);
	free(c);
}

void ct_symbolizer_free(struct ct_symbolizer *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!s)
		return;
	while (ct_hashmap_next(&s->cache, &it, &key, &val))
		free_cached(val);
	ct_hashmap_fini(&s->cache);
	it = 0;
	while (ct_hashmap_next(&s->data, &it, &key, &val)) {
		free(((struct data_cached *)val)->owned);
		free(val);
	}
	ct_hashmap_fini(&s->data);
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
		free_cached(c);
		return -ENOMEM;
	}
	*loc = c->loc;
	return c->loc.module ? 0 : -ENOENT;
}

/* ---- inlined calls ---- */

static bool die_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, name, &a) && dwarf_formudata(&a, v) == 0;
}

/* The DIE that declares die's function where its namespace or class
 * holds it: through DW_AT_abstract_origin, then DW_AT_specification. */
static void decl_die(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	int hops;

	*out = *die;
	for (hops = 0; hops < 4; hops++) {
		Dwarf_Die next;

		if (!dwarf_attr(out, DW_AT_abstract_origin, &a) &&
		    !dwarf_attr(out, DW_AT_specification, &a))
			break;
		if (!dwarf_formref_die(&a, &next))
			break;
		*out = next;
	}
}

/* name with the namespaces and classes around its declaration before it
 * ("std::thread::_M_run"), as gdb names a function that has no linkage
 * name (a template instantiated with a local type, a lambda's operator());
 * the scopes up to the first unnamed class or enclosing function.
 * malloc'ed, or NULL (ENOMEM, or no scope to add). */
static char *qualified_name(Dwarf_Die *die, const char *name)
{
	Dwarf_Die decl, *scopes = NULL;
	char *out = NULL, *more;
	int n, i;

	decl_die(die, &decl);
	n = dwarf_getscopes_die(&decl, &scopes);
	for (i = 1; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		const char *scope = dwarf_diename(&scopes[i]);

		if (tag == DW_TAG_namespace && !scope)
			scope = "(anonymous namespace)";
		else if ((tag != DW_TAG_namespace && tag != DW_TAG_class_type &&
			  tag != DW_TAG_structure_type && tag != DW_TAG_union_type) ||
			 !scope)
			break;
		if (asprintf(&more, "%s::%s", scope, out ? out : name) < 0) {
			free(out);
			out = NULL;
			break;
		}
		free(out);
		out = more;
	}
	free(scopes);
	return out;
}

/* The name an inlined function is shown by: its linkage name demangled
 * (C++: scope, name and parameters, as the frames of the symbol table),
 * else its DW_AT_name with its scopes; both read through
 * DW_AT_abstract_origin.  *owned is what the caller frees. */
static const char *inlined_name(const struct ct_symbolizer *s, Dwarf_Die *die,
				const char **linkage, char **owned)
{
	Dwarf_Attribute a;
	const char *ln = NULL, *name;

	*owned = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		ln = dwarf_formstring(&a);
	*linkage = ln;
	if (ln && s->demangle)
		*owned = ct_demangle(ln);
	if (*owned)
		return *owned;
	if (ln && !s->demangle)
		return ln;
	name = dwarf_diename(die);
	if (name)
		*owned = qualified_name(die, name);
	return *owned ? *owned : name;
}

/* The DW_TAG_inlined_subroutine DIEs around the code at addr, innermost
 * first, into *out (malloc'ed; NULL when none).  dwarf_getscopes finds the
 * innermost scope at the pc; its enclosing DIEs in the tree
 * (dwarf_getscopes_die, not the abstract origins dwarf_getscopes goes on
 * with) are the chain of inlined calls up to the concrete function, as
 * elfutils' addr2line -i walks it.  The count: 0 when nothing is
 * inlined there or the module has no DWARF for addr. */
static int inlined_dies(Dwfl_Module *mod, uint64_t addr, Dwarf_Die *cu_out, Dwarf_Die **out)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, &bias), *scopes = NULL, inner;
	int n, i, k = 0;

	*out = NULL;
	if (!cu)
		return 0;
	*cu_out = *cu;
	n = dwarf_getscopes(cu, addr - bias, &scopes);
	if (n <= 0) {
		free(scopes);
		return 0;
	}
	inner = scopes[0];
	free(scopes);
	scopes = NULL;
	n = dwarf_getscopes_die(&inner, &scopes);
	for (i = 0; i < n && dwarf_tag(&scopes[i]) != DW_TAG_subprogram; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			scopes[k++] = scopes[i];
	if (k == 0) {
		free(scopes);
		return 0;
	}
	*out = scopes;
	return k;
}

static void call_site(Dwarf_Die *die, Dwarf_Files *files, size_t nfiles, struct ct_symloc *loc)
{
	Dwarf_Word file, line;

	loc->file = NULL;
	loc->line = 0;
	if (!die_udata(die, DW_AT_call_line, &line) || line == 0 || line > INT32_MAX)
		return;
	loc->line = (int)line;
	if (files && die_udata(die, DW_AT_call_file, &file) && file < nfiles)
		loc->file = dwarf_filesrc(files, file, NULL, NULL);
	if (!loc->file)
		loc->line = 0;
}

static int build_chain(struct ct_symbolizer *s, uint64_t addr, struct cached *c)
{
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, addr);
	Dwarf_Die cu, *dies = NULL;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	int n, i;

	c->chain_done = true;
	if (!mod)
		return 0;
	n = inlined_dies(mod, addr, &cu, &dies);
	if (n <= 0)
		return 0;
	c->chain = calloc((size_t)n + 1, sizeof(*c->chain));
	c->chain_names = calloc((size_t)n, sizeof(*c->chain_names));
	if (!c->chain || !c->chain_names) {
		free(dies);
		free(c->chain);
		free(c->chain_names);
		c->chain = NULL;
		c->chain_names = NULL;
		c->chain_done = false;
		return -ENOMEM;
	}
	if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0)
		files = NULL;
	for (i = 0; i < n; i++) {
		struct ct_symloc *l = &c->chain[i];
		const char *linkage;

		*l = c->loc;
		l->inlined = true;
		l->offset = 0;
		l->func = inlined_name(s, &dies[i], &linkage, &c->chain_names[i]);
		l->symbol = linkage ? linkage : l->func;
		/* the innermost at addr's own line, the others where they
		 * called the one inside */
		if (i > 0)
			call_site(&dies[i - 1], files, nfiles, l);
	}
	c->chain[n] = c->loc;
	call_site(&dies[n - 1], files, nfiles, &c->chain[n]);
	c->nr_inlined = (unsigned)n;
	free(dies);
	return 0;
}

int ct_symbolizer_inlined(struct ct_symbolizer *s, uint64_t addr, const struct ct_symloc **chain,
			  unsigned *n)
{
	struct ct_symloc loc;
	struct cached *c;
	int ret;

	*chain = NULL;
	*n = 0;
	ret = ct_symbolizer_lookup(s, addr, &loc);
	if (ret == -ENOMEM)
		return ret;
	c = ct_hashmap_get(&s->cache, addr);
	if (!c || !c->loc.module)
		return 0;
	if (!c->chain_done) {
		ret = build_chain(s, addr, c);
		if (ret < 0)
			return ret;
	}
	if (c->nr_inlined) {
		*chain = c->chain;
		*n = c->nr_inlined;
	}
	return 0;
}

/* ---- data symbols ---- */

struct below {
	uint64_t addr;
	Dwfl_Module *mod; /* the module starting last at or before addr */
	Dwarf_Addr start;
};

static int module_below(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	struct below *b = arg;

	(void)userdata;
	(void)name;
	if (start <= b->addr && (!b->mod || start > b->start)) {
		b->mod = mod;
		b->start = start;
	}
	return DWARF_CB_OK;
}

/* The module whose loaded segments hold addr.  libdwfl knows a module by
 * the mappings of its file; the .bss past the file's last page is an
 * anonymous mapping after them, so the module starting below addr is asked
 * too: does one of its PT_LOAD segments (p_memsz counts the .bss) reach
 * addr?  Only that module's ELF is read. */
static Dwfl_Module *data_module(Dwfl *dwfl, uint64_t addr)
{
	struct below b = { .addr = addr };
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	GElf_Addr bias;
	size_t i, nph;
	Elf *elf;

	if (mod)
		return mod;
	if (dwfl_getmodules(dwfl, module_below, &b, 0) != 0 || !b.mod)
		return NULL;
	elf = dwfl_module_getelf(b.mod, &bias);
	if (!elf || elf_getphdrnum(elf, &nph) != 0)
		return NULL;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr + bias && addr - (ph.p_vaddr + bias) < ph.p_memsz)
			return b.mod;
	}
	return NULL;
}

/* The smallest STT_OBJECT of mod holding addr (an array's element, if the
 * symbol table has both), or NULL. */
static const char *data_symbol(Dwfl_Module *mod, uint64_t addr, uint64_t *off)
{
	const char *best = NULL;
	GElf_Xword best_size = 0;
	int i, n = dwfl_module_getsymtab(mod);

	for (i = 1; i < n; i++) {
		GElf_Addr value;
		GElf_Sym sym;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);

		if (!name || !*name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
		    sym.st_shndx == SHN_UNDEF || sym.st_size == 0)
			continue;
		if (addr < value || addr - value >= sym.st_size)
			continue;
		if (!best || sym.st_size < best_size) {
			best = name;
			best_size = sym.st_size;
			*off = addr - value;
		}
	}
	return best;
}

int ct_symbolizer_data(struct ct_symbolizer *s, uint64_t addr, const char **name, uint64_t *off)
{
	struct data_cached *d = ct_hashmap_get(&s->data, addr);

	if (!d) {
		Dwfl_Module *mod;

		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		mod = data_module(s->dwfl, addr);
		d->name = mod ? data_symbol(mod, addr, &d->off) : NULL;
		if (d->name) {
			const char *at = strchr(d->name, '@');

			if (at && at != d->name)
				d->owned = strndup(d->name, (size_t)(at - d->name));
			if (s->demangle) {
				char *dem = ct_demangle(d->owned ? d->owned : d->name);

				if (dem) {
					free(d->owned);
					d->owned = dem;
				}
			}
			if (d->owned)
				d->name = d->owned;
		}
		if (ct_hashmap_put(&s->data, addr, d) < 0) {
			free(d->owned);
			free(d);
			return -ENOMEM;
		}
	}
	if (!d->name)
		return -ENOENT;
	*name = d->name;
	*off = d->off;
	return 0;
}
