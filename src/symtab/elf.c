/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF files through libelf: the header facts the loader uses (type,
 * machine, entry, PT_INTERP, PT_LOAD, PT_GNU_RELRO) and the function symbols of .symtab
 * and .dynsym, merged into one table sorted by address.
 *
 * A stripped library has only .dynsym; an unstripped one has both, with
 * most globals in each.  The same function can appear under several names
 * (getpid and __getpid) — all kept — and the same name+address twice (once
 * per table) — merged.  Names in .symtab may carry a version ("foo@@VER" is
 * the default version, "foo@VER" an old one kept for old binaries); .dynsym
 * keeps versions in .gnu.version instead.  Either way the version is
 * stripped from the name and a non-default version is marked `hidden`, so a
 * lookup by name finds what the dynamic linker would bind a new program to.
 *
 * Nothing read from the file is trusted: libelf checks bounds, and every
 * failure ends in NULL + errno (ENOEXEC for anything malformed).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CT_LOG_DOMAIN "elf"
#include "symtab/symtab.h"
#include "util/log.h"

/* .gnu.version: bit 15 marks a version that is not the default (elf.h has
 * no name for it; binutils calls it VERSYM_HIDDEN). */
#define VERSYM_HIDDEN 0x8000

/* A symbol as found, its name still pointing into libelf's string table. */
struct raw_sym {
	const char *name;
	size_t nlen;
	uint64_t value, size;
	enum ct_sym_type type;
	bool global, hidden;
};

struct raw_syms {
	struct raw_sym *v;
	size_t n, cap;
	size_t strsize; /* bytes needed for the names, NULs included */
};

void ct_elf_free(struct ct_elf *elf)
{
	if (!elf)
		return;
	free(elf->path);
	free(elf->loads);
	free(elf->syms);
	free(elf->strings);
	free(elf->demangled);
	free(elf->soname);
	ct_dwarf_free(elf->dw);
	free(elf);
}

static int raw_push(struct raw_syms *rs, const struct raw_sym *s)
{
	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 256;
		struct raw_sym *v;

		if (ncap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(rs->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = ncap;
	}
	rs->v[rs->n++] = *s;
	rs->strsize += s->nlen + 1;
	return 0;
}

static int read_loads(Elf *e, struct ct_elf *elf)
{
	size_t i, phnum;

	if (elf_getphdrnum(e, &phnum))
		return -ENOEXEC;
	if (!phnum)
		return 0;
	elf->loads = calloc(phnum, sizeof(*elf->loads));
	if (!elf->loads)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		struct ct_elf_load *l;

		if (!gelf_getphdr(e, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type == PT_INTERP)
			elf->has_interp = true;
		if (ph.p_type == PT_GNU_RELRO) {
			elf->relro_vaddr = ph.p_vaddr;
			elf->relro_memsz = ph.p_memsz;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		l = &elf->loads[elf->nr_loads++];
		l->vaddr = ph.p_vaddr;
		l->offset = ph.p_offset;
		l->filesz = ph.p_filesz;
		l->memsz = ph.p_memsz;
		l->flags = ph.p_flags;
	}
	return 0;
}

/* The symbols of one SHT_SYMTAB or SHT_DYNSYM section.  versym is the
 * .gnu.version data parallel to .dynsym, or NULL. */
static int read_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, Elf_Data *versym,
		       struct raw_syms *rs)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, nsyms, symsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);

	if (!data || !data->d_buf || !symsz)
		return 0; /* SHT_NOBITS in a debug file, or empty */
	nsyms = data->d_size / symsz;
	/* entry 0 is the null symbol */
	for (i = 1; i < nsyms && i <= INT32_MAX; i++) {
		GElf_Sym sym;
		struct raw_sym r;
		const char *name, *at;
		unsigned type, bind;
		int err;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0 || sym.st_name == 0)
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		memset(&r, 0, sizeof(r));
		r.name = name;
		at = strchr(name, '@');
		r.nlen = at ? (size_t)(at - name) : strlen(name);
		if (!r.nlen)
			continue;
		r.value = sym.st_value;
		r.size = sym.st_size;
		r.type = type == STT_GNU_IFUNC ? CT_SYM_IFUNC : CT_SYM_FUNC;
		r.global = bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE;
		if (at) {
			r.hidden = at[1] != '@';
		} else if (versym) {
			GElf_Versym vs;

			if (gelf_getversym(versym, (int)i, &vs))
				r.hidden = (vs & VERSYM_HIDDEN) != 0;
		}
		err = raw_push(rs, &r);
		if (err)
			return err;
	}
	return 0;
}

/* The function symbols of e's .symtab and .dynsym (only .symtab when
 * symtab_only: a debug file's .dynsym copies the binary's); *has_symtab
 * says whether e has a .symtab with contents. */
static int read_syms(Elf *e, bool symtab_only, struct raw_syms *rs, bool *has_symtab)
{
	Elf_Scn *scn = NULL;
	Elf_Data *versym = NULL;
	int err;

	/* .gnu.version first, so .dynsym can be read in one pass */
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym) {
			versym = elf_getdata(scn, NULL);
			if (versym && !versym->d_buf)
				versym = NULL;
		}
	}
	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return -ENOEXEC;
		if (sh.sh_type == SHT_SYMTAB) {
			size_t before = rs->n;

			err = read_symtab(e, scn, &sh, NULL, rs);
			*has_symtab = *has_symtab || rs->n > before;
		} else if (sh.sh_type == SHT_DYNSYM && !symtab_only)
			err = read_symtab(e, scn, &sh, versym, rs);
		else
			continue;
		if (err)
			return err;
	}
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct ct_symbol *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Copy names into one block, sort, and merge same name+value: the table
 * of *syms_out (*nr_out entries) naming into *strings_out.  Nothing is
 * set on failure. */
static int build_table(const struct raw_syms *rs, struct ct_symbol **syms_out, size_t *nr_out,
		       char **strings_out)
{
	struct ct_symbol *syms;
	char *strings, *p;
	size_t i, n = 0;

	if (!rs->n)
		return 0;
	syms = calloc(rs->n, sizeof(*syms));
	strings = malloc(rs->strsize);
	if (!syms || !strings) {
		free(syms);
		free(strings);
		return -ENOMEM;
	}
	p = strings;
	for (i = 0; i < rs->n; i++) {
		const struct raw_sym *r = &rs->v[i];
		struct ct_symbol *s = &syms[i];

		memcpy(p, r->name, r->nlen);
		p[r->nlen] = '\0';
		s->name = p;
		p += r->nlen + 1;
		s->value = r->value;
		s->size = r->size;
		s->type = r->type;
		s->global = r->global;
		s->hidden = r->hidden;
	}
	qsort(syms, rs->n, sizeof(*syms), sym_cmp);
	for (i = 0; i < rs->n; i++) {
		struct ct_symbol *s = &syms[i];
		struct ct_symbol *prev = n ? &syms[n - 1] : NULL;

		if (prev && prev->value == s->value && !strcmp(prev->name, s->name)) {
			/* the two tables describe one function: keep the best of each */
			prev->global = prev->global || s->global;
			prev->hidden = prev->hidden && s->hidden;
			if (s->size > prev->size)
				prev->size = s->size;
			if (s->type == CT_SYM_IFUNC)
				prev->type = CT_SYM_IFUNC;
			continue;
		}
		syms[n++] = *s;
	}
	*syms_out = syms;
	*nr_out = n;
	*strings_out = strings;
	return 0;
}

/* What the patterns name a module by besides its file name (DT_SONAME).
 * A malformed .dynamic only loses it. */
static int read_soname(Elf *e, struct ct_elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Dyn dyn;
		size_t i;

		if (!gelf_getshdr(scn, &sh))
			return -ENOEXEC;
		if (sh.sh_type != SHT_DYNAMIC || elf->soname || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize && gelf_getdyn(d, (int)i, &dyn); i++) {
			const char *name;

			if (dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_SONAME)
				continue;
			name = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (name && *name && !(elf->soname = strdup(name)))
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

static int read_elf(int fd, struct ct_elf *elf)
{
	struct raw_syms rs = { 0 };
	GElf_Ehdr eh;
	Elf *e;
	int err;

	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		ct_dbg("%s: %s", elf->path, elf_errmsg(-1));
		return -ENOEXEC;
	}
	err = -ENOEXEC;
	if (elf_kind(e) != ELF_K_ELF)
		goto out;
	/* 64-bit only for now: calltrap traces x86_64 and aarch64 processes */
	if (gelf_getclass(e) != ELFCLASS64)
		goto out;
	if (!gelf_getehdr(e, &eh))
		goto out;
	elf->machine = eh.e_machine;
	elf->type = eh.e_type;
	elf->entry = eh.e_entry;
	err = read_loads(e, elf);
	if (err)
		goto out;
	err = read_syms(e, false, &rs, &elf->has_symtab);
	if (err)
		goto out;
	err = read_soname(e, elf);
	if (err)
		goto out;
	err = build_table(&rs, &elf->syms, &elf->nr_syms, &elf->strings);
out:
	if (err == -ENOEXEC)
		ct_dbg("%s: not a usable 64-bit ELF file", elf->path);
	free(rs.v);
	elf_end(e);
	return err;
}

struct ct_elf *ct_elf_open(const char *path)
{
	struct ct_elf *elf;
	struct stat st;
	int fd, err;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = ENOTSUP;
		return NULL;
	}
	/* O_NONBLOCK: a FIFO must not hang us; it is rejected just below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		err = errno;
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? EISDIR : ENOEXEC;
		goto fail_fd;
	}
	elf = calloc(1, sizeof(*elf));
	if (!elf) {
		err = ENOMEM;
		goto fail_fd;
	}
	elf->path = strdup(path);
	if (!elf->path) {
		err = ENOMEM;
		goto fail_elf;
	}
	elf->refs = 1;
	elf->dev = (uint64_t)st.st_dev;
	elf->ino = (uint64_t)st.st_ino;
	elf->size = (uint64_t)st.st_size;
	elf->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	err = -read_elf(fd, elf);
	if (err)
		goto fail_elf;
	close(fd);
	return elf;

fail_elf:
	ct_elf_free(elf);
fail_fd:
	close(fd);
	errno = err;
	return NULL;
}

/* Is link-time address addr in one of elf's executable segments? */
static bool in_code(const struct ct_elf *elf, uint64_t addr)
{
	size_t i;

	for (i = 0; i < elf->nr_loads; i++) {
		const struct ct_elf_load *l = &elf->loads[i];

		if ((l->flags & PF_X) && addr >= l->vaddr && addr - l->vaddr < l->memsz)
			return true;
	}
	return false;
}

/* The functions of debug file e's .symtab that elf's code holds, pushed
 * onto rs after those elf has. */
static int merge_debug_syms(struct ct_elf *elf, Elf *e, struct raw_syms *rs)
{
	struct raw_syms dbg = { 0 };
	bool has_symtab = false;
	GElf_Ehdr eh;
	size_t i, kept = 0;
	int err = 0;

	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 || !gelf_getehdr(e, &eh) ||
	    eh.e_machine != elf->machine)
		return -ENOEXEC;
	err = read_syms(e, true, &dbg, &has_symtab);
	for (i = 0; !err && i < elf->nr_syms; i++) {
		const struct ct_symbol *s = &elf->syms[i];
		struct raw_sym r = {
			.name = s->name, .nlen = strlen(s->name), .value = s->value,
			.size = s->size, .type = s->type, .global = s->global, .hidden = s->hidden,
		};

		err = raw_push(rs, &r);
	}
	/* only values and sizes come from the debug file (its .text is
	 * NOBITS): a function must lie in the binary's own code */
	for (i = 0; !err && i < dbg.n; i++) {
		if (!in_code(elf, dbg.v[i].value)) {
			ct_dbg("%s: debug symbol %.*s at %#llx is in no code segment", elf->path,
			       (int)dbg.v[i].nlen, dbg.v[i].name, (unsigned long long)dbg.v[i].value);
			continue;
		}
		err = raw_push(rs, &dbg.v[i]);
		kept++;
	}
	free(dbg.v);
	return err ? err : kept ? 0 : -ENOENT;
}

int ct_elf_add_debug_syms(struct ct_elf *elf, const char *path, const char *debug_dirs)
{
	struct raw_syms rs = { 0 };
	struct ct_symbol *syms = NULL;
	char *strings = NULL;
	size_t nr = 0;
	Elf *e;
	int fd, err;

	if (elf->debug_syms_done || elf->has_symtab)
		return 0;
	elf->debug_syms_done = true;
	fd = ct_debugfile_open(path ? path : elf->path, debug_dirs);
	if (fd < 0)
		return fd == -ENOMEM ? fd : 0;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = e ? merge_debug_syms(elf, e, &rs) : -ENOEXEC;
	if (!err)
		err = build_table(&rs, &syms, &nr, &strings);
	free(rs.v);
	elf_end(e);
	close(fd);
	if (err)
		return err == -ENOMEM ? err : 0;
	/* the new table replaces the old one, names demangled again */
	free(elf->syms);
	free(elf->strings);
	free(elf->demangled);
	elf->syms = syms;
	elf->nr_syms = nr;
	elf->strings = strings;
	elf->demangled = NULL;
	elf->demangled_size = 0;
	elf->demangle_done = false;
	return 0;
}

/* Which of two symbols of the same name a lookup should return. */
static int name_rank(const struct ct_symbol *s)
{
	return (s->global ? 2 : 0) + (s->hidden ? 0 : 1);
}

const struct ct_symbol *ct_elf_symbol(const struct ct_elf *elf, const char *name)
{
	const struct ct_symbol *best = NULL;
	size_t i;

	if (!elf || !name)
		return NULL;
	for (i = 0; i < elf->nr_syms; i++) {
		const struct ct_symbol *s = &elf->syms[i];

		if (strcmp(s->name, name))
			continue;
		if (!best || name_rank(s) > name_rank(best))
			best = s;
	}
	return best;
}

static bool sym_contains(const struct ct_symbol *s, uint64_t addr)
{
	if (addr < s->value)
		return false;
	if (!s->size)
		return addr == s->value;
	return addr - s->value < s->size;
}

const struct ct_symbol *ct_elf_symbol_at(const struct ct_elf *elf, uint64_t addr)
{
	const struct ct_symbol *best = NULL;
	size_t lo = 0, hi, j;

	if (!elf || !elf->nr_syms)
		return NULL;
	/* lo = the first symbol above addr */
	hi = elf->nr_syms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (elf->syms[mid].value <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * Walk down: the innermost containing function has the highest value;
	 * among its aliases prefer a global, then a default version.  A big
	 * function can contain addr even with smaller symbols after its start,
	 * so the walk goes on until a containing one is found.
	 */
	for (j = lo; j-- > 0;) {
		const struct ct_symbol *s = &elf->syms[j];

		if (best && s->value < best->value)
			break;
		if (!sym_contains(s, addr))
			continue;
		if (!best || name_rank(s) > name_rank(best))
			best = s;
	}
	return best;
}
