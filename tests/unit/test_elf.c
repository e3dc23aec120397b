/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF symbols and module biases.  Ground truth comes from outside symtab:
 * the addresses the dynamic linker gave this very process (&func, dlsym,
 * getauxval(AT_ENTRY)), and small ELF files written here with libelf whose
 * symbol tables are worked out by hand.
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "symtab/symtab.h"

/* ---- functions of this executable, looked up in its own symbol table ---- */

int ct_test_func(int x);
int ct_test_ifunc(int x);

__attribute__((noinline)) int ct_test_func(int x)
{
	volatile int v = x;

	v = v * 3 + 1;
	v ^= 0x55;
	return v;
}

static int ct_test_ifunc_impl(int x)
{
	return x + 7;
}

typedef int (*ifunc_fn)(int);

/* The resolver is what the IFUNC symbol's value points at. */
static ifunc_fn resolve_ct_test_ifunc(void)
{
	return ct_test_ifunc_impl;
}

int ct_test_ifunc(int x) __attribute__((ifunc("resolve_ct_test_ifunc")));

/* ---- helpers ---- */

/* cmocka's assertions are not noreturn: say so for -Wnull-dereference */
#define need(p)                       \
	do {                          \
		assert_non_null(p);   \
		if (!(p))             \
			abort();      \
	} while (0)

static const char *name_at(const struct ct_elf *elf, uint64_t addr)
{
	const struct ct_symbol *s = ct_elf_symbol_at(elf, addr);

	return s ? s->name : "(none)";
}

struct fixture {
	char dir[64];
	struct ct_maps maps;
	struct ct_module *mods;
	size_t nr;
};

static char *path_in(const struct fixture *f, const char *name)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", f->dir, name);
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ct-test-elf-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	size_t i;

	for (i = 0; i < f->nr; i++)
		ct_module_fini(&f->mods[i]);
	free(f->mods);
	ct_maps_fini(&f->maps);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static void load_self_modules(struct fixture *f)
{
	assert_int_equal(ct_maps_read(getpid(), &f->maps), 0);
	assert_int_equal(ct_modules_from_maps(getpid(), &f->maps, NULL, &f->mods, &f->nr), 0);
	assert_true(f->nr >= 2);
}

static const struct ct_module *module_containing(const struct fixture *f, uintptr_t addr)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (f->mods[i].lo <= addr && addr < f->mods[i].hi)
			return &f->mods[i];
	return NULL;
}

/* ---- this executable ---- */

static void test_self_exe(void **state)
{
	struct fixture *f = *state;
	const struct ct_module *m;
	const struct ct_symbol *s;
	char exe[PATH_MAX];
	ssize_t n;
	uintptr_t fn = (uintptr_t)&ct_test_func;

	load_self_modules(f);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';

	m = module_containing(f, fn);
	need(m);
	assert_string_equal(m->path, exe);
	assert_string_equal(m->name, strrchr(exe, '/') + 1);
	assert_true(m->text_lo <= fn && fn < m->text_hi);
	assert_true(m->lo <= m->text_lo && m->text_hi <= m->hi);
	assert_true(m->elf->has_interp);
#if defined(__x86_64__)
	assert_int_equal(m->elf->machine, EM_X86_64);
#elif defined(__aarch64__)
	assert_int_equal(m->elf->machine, EM_AARCH64);
#endif
	/* the kernel's view of where the entry point landed */
	assert_int_equal(m->elf->entry + m->bias, getauxval(AT_ENTRY));
	if (m->elf->type == ET_EXEC)
		assert_int_equal(m->bias, 0);

	s = ct_elf_symbol(m->elf, "ct_test_func");
	need(s);
	assert_int_equal(s->type, CT_SYM_FUNC);
	assert_true(s->global);
	assert_false(s->hidden);
	assert_true(s->size > 2);
	assert_int_equal(s->value + m->bias, fn);

	s = ct_elf_symbol(m->elf, "ct_test_ifunc");
	need(s);
	assert_int_equal(s->type, CT_SYM_IFUNC);
	assert_true(s->global);
	assert_int_equal(s->value + m->bias, (uintptr_t)&resolve_ct_test_ifunc);
	/* and the ifunc resolves to the implementation, which we did not name */
	assert_int_equal(ct_test_ifunc(1), 8);

	/* a static function is in .symtab only, as a local */
	s = ct_elf_symbol(m->elf, "resolve_ct_test_ifunc");
	need(s);
	assert_false(s->global);
	assert_int_equal(s->value + m->bias, (uintptr_t)&resolve_ct_test_ifunc);

	/* address -> function, from inside the body */
	s = ct_elf_symbol_at(m->elf, fn - m->bias + 2);
	need(s);
	assert_string_equal(s->name, "ct_test_func");
	s = ct_elf_symbol_at(m->elf, fn - m->bias);
	need(s);
	assert_string_equal(s->name, "ct_test_func");
	assert_null(ct_elf_symbol_at(m->elf, 0));

	assert_null(ct_elf_symbol(m->elf, "no_such_function_here"));
}

/* ---- libc ---- */

static void test_libc(void **state)
{
	struct fixture *f = *state;
	const struct ct_module *libc = NULL;
	const struct ct_symbol *s, *alias, *at;
	void *getpid_addr, *h;
	size_t i;

	load_self_modules(f);
	for (i = 0; i < f->nr; i++) {
		const char *name = f->mods[i].name;

		if (!strncmp(name, "libc.so", 7) || !strncmp(name, "libc-", 5))
			libc = &f->mods[i];
	}
	need(libc);
	assert_int_equal(libc->elf->type, ET_DYN);
	/* glibc is linked with RELRO, and this process's copy is relocated */
	assert_true(libc->elf->relro_memsz > 0);
	assert_int_equal(ct_module_relocated(libc, &f->maps), 1);

	getpid_addr = dlsym(RTLD_DEFAULT, "getpid");
	need(getpid_addr);
	s = ct_elf_symbol(libc->elf, "getpid");
	need(s);
	assert_true(s->global);
	assert_int_equal(s->type, CT_SYM_FUNC);
	assert_int_equal(s->value + libc->bias, (uintptr_t)getpid_addr);

	/* glibc defines getpid as an alias of __getpid: both names are kept */
	alias = ct_elf_symbol(libc->elf, "__getpid");
	if (alias)
		assert_int_equal(alias->value, s->value);
	at = ct_elf_symbol_at(libc->elf, s->value);
	need(at);
	assert_int_equal(at->value, s->value);
	assert_true(at->global);

	/* no name keeps its version suffix */
	for (i = 0; i < libc->elf->nr_syms; i++)
		assert_null(strchr(libc->elf->syms[i].name, '@'));
	/* sorted by value */
	for (i = 1; i < libc->elf->nr_syms; i++)
		assert_true(libc->elf->syms[i - 1].value <= libc->elf->syms[i].value);

	/*
	 * x86_64 glibc has two pthread_cond_wait: GLIBC_2.3.2 (default) and
	 * GLIBC_2.2.5 (for old binaries).  A lookup by name must give what the
	 * dynamic linker binds new programs to, and the old one is "hidden".
	 */
	h = dlopen(libc->path, RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		h = dlopen(libc->name, RTLD_NOW | RTLD_NOLOAD);
	need(h);
	{
		void *cur = dlsym(h, "pthread_cond_wait");
		void *old = dlvsym(h, "pthread_cond_wait", "GLIBC_2.2.5");

		s = ct_elf_symbol(libc->elf, "pthread_cond_wait");
		need(s);
		need(cur);
		assert_false(s->hidden);
		assert_int_equal(s->value + libc->bias, (uintptr_t)cur);
		if (old && old != cur) {
			at = ct_elf_symbol_at(libc->elf, (uintptr_t)old - libc->bias);
			need(at);
			assert_string_equal(at->name, "pthread_cond_wait");
			assert_true(at->hidden);
		}
	}
	dlclose(h);
}

/* ---- files that are not (usable) ELF ---- */

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "just some text\nnot an ELF file\n";
	static const unsigned char short_elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0 };
	char self[PATH_MAX];
	char *buf;
	int fd;
	ssize_t n;

	(void)state;
	write_file(path_in(f, "notes.txt"), text, sizeof(text) - 1);
	errno = 0;
	assert_null(ct_elf_open(path_in(f, "notes.txt")));
	assert_int_equal(errno, ENOEXEC);

	write_file(path_in(f, "empty"), "", 0);
	errno = 0;
	assert_null(ct_elf_open(path_in(f, "empty")));
	assert_int_equal(errno, ENOEXEC);

	write_file(path_in(f, "short"), short_elf, sizeof(short_elf));
	errno = 0;
	assert_null(ct_elf_open(path_in(f, "short")));
	assert_int_equal(errno, ENOEXEC);

	errno = 0;
	assert_null(ct_elf_open(path_in(f, "does-not-exist")));
	assert_int_equal(errno, ENOENT);

	errno = 0;
	assert_null(ct_elf_open(f->dir));
	assert_int_equal(errno, EISDIR);

	/* A truncated copy of this executable: headers claim sections that are
	 * not there.  Whatever libelf makes of it, no crash, and a failure
	 * says why. */
	strcpy(self, "/proc/self/exe");
	buf = malloc(8192);
	need(buf);
	fd = open(self, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, 8192);
	close(fd);
	assert_true(n > 1000);
	for (size_t cut = 64; cut <= (size_t)n; cut *= 2) {
		struct ct_elf *e;

		write_file(path_in(f, "cut"), buf, cut);
		errno = 0;
		e = ct_elf_open(path_in(f, "cut"));
		if (e)
			ct_elf_free(e);
		else
			assert_int_equal(errno, ENOEXEC);
	}
	free(buf);
}

/* ---- a hand-made ELF file ---- */

struct synth_sym {
	const char *name;
	uint64_t value, size;
	unsigned char type, bind;
	bool defined;
	uint16_t versym; /* .dynsym only */
};

/* Written in table order; the expected results are in test_synth. */
static const struct synth_sym synth_symtab[] = {
	{ "local_fn", 0x1000, 0x10, STT_FUNC, STB_LOCAL, true, 0 },
	{ "foo@@V2", 0x1100, 0x20, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "foo@V1", 0x1200, 0x20, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "foo", 0x1300, 0x8, STT_FUNC, STB_LOCAL, true, 0 },
	{ "alias_local", 0x1400, 0x40, STT_FUNC, STB_LOCAL, true, 0 },
	{ "alias_b", 0x1400, 0x40, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "alias_a", 0x1400, 0x40, STT_FUNC, STB_WEAK, true, 0 },
	{ "dup", 0x1500, 0x10, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "dup", 0x1500, 0x10, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "dup@@V2", 0x1500, 0x10, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "zero", 0x1600, 0, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "outer", 0x1700, 0x100, STT_FUNC, STB_GLOBAL, true, 0 },
	{ "inner", 0x1720, 0x10, STT_FUNC, STB_LOCAL, true, 0 },
	{ "ifn", 0x1800, 0x10, STT_GNU_IFUNC, STB_GLOBAL, true, 0 },
	{ "obj", 0x1900, 0x8, STT_OBJECT, STB_GLOBAL, true, 0 },
	{ "undef", 0, 0, STT_FUNC, STB_GLOBAL, false, 0 },
	{ "undef_with_value", 0x1a00, 0, STT_FUNC, STB_GLOBAL, false, 0 },
	{ "zero_value", 0, 0x10, STT_FUNC, STB_GLOBAL, true, 0 },
};

static const struct synth_sym synth_dynsym[] = {
	{ "foo", 0x1100, 0x20, STT_FUNC, STB_GLOBAL, true, 2 },      /* same as foo@@V2 */
	{ "bar", 0x1b00, 0x10, STT_FUNC, STB_GLOBAL, true, 0x8003 }, /* bar@V1, hidden */
	{ "bar", 0x1c00, 0x10, STT_FUNC, STB_GLOBAL, true, 2 },      /* bar@@V2 */
	{ "imported", 0, 0, STT_FUNC, STB_GLOBAL, false, 1 },
};

#define NSYMTAB (sizeof(synth_symtab) / sizeof(synth_symtab[0]))
#define NDYNSYM (sizeof(synth_dynsym) / sizeof(synth_dynsym[0]))

/* A string table: "\0" then each name; offsets[i] for names[i]. */
static size_t strtab_build(char *buf, const struct synth_sym *s, size_t n, uint32_t *offsets)
{
	size_t len = 1, i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		offsets[i] = (uint32_t)len;
		strcpy(buf + len, s[i].name);
		len += strlen(s[i].name) + 1;
	}
	return len;
}

static Elf_Scn *add_section(Elf *e, uint32_t name, uint32_t type, void *data, size_t size,
			    Elf_Type dtype, size_t entsize)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d;
	GElf_Shdr sh;

	need(scn);
	d = elf_newdata(scn);
	need(d);
	d->d_buf = data;
	d->d_size = size;
	d->d_type = dtype;
	d->d_align = 8;
	d->d_version = EV_CURRENT;
	assert_non_null(gelf_getshdr(scn, &sh));
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_entsize = entsize;
	sh.sh_flags = type == SHT_PROGBITS ? SHF_ALLOC | SHF_EXECINSTR : 0;
	assert_true(gelf_update_shdr(scn, &sh));
	return scn;
}

static void fill_syms(Elf64_Sym *out, const struct synth_sym *s, size_t n,
		      const uint32_t *offsets, size_t text_ndx)
{
	size_t i;

	memset(out, 0, (n + 1) * sizeof(*out));
	for (i = 0; i < n; i++) {
		Elf64_Sym *o = &out[i + 1];

		o->st_name = offsets[i];
		o->st_value = s[i].value;
		o->st_size = s[i].size;
		o->st_info = ELF64_ST_INFO(s[i].bind, s[i].type);
		o->st_shndx = s[i].defined ? (uint16_t)text_ndx : SHN_UNDEF;
	}
}

static void write_synth_elf(const char *path)
{
	static char shstr[] = "\0.text\0.symtab\0.strtab\0.dynsym\0.dynstr\0.gnu.version\0"
				    ".shstrtab";
	/* offsets into shstr */
	enum { N_TEXT = 1, N_SYMTAB = 7, N_STRTAB = 15, N_DYNSYM = 23, N_DYNSTR = 31,
	       N_VERSYM = 39, N_SHSTRTAB = 52 };
	static unsigned char text[0x10];
	static char strtab[1024], dynstr[256];
	static uint32_t stoff[NSYMTAB], dsoff[NDYNSYM];
	static Elf64_Sym symtab[NSYMTAB + 1], dynsym[NDYNSYM + 1];
	static uint16_t versym[NDYNSYM + 1];
	size_t strtab_len, dynstr_len, i;
	Elf_Scn *text_scn, *strtab_scn, *dynstr_scn, *shstr_scn, *scn;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	need(e);
	eh = elf64_newehdr(e);
	need(eh);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_entry = 0x1040;
	ph = elf64_newphdr(e, 3);
	need(ph);

	strtab_len = strtab_build(strtab, synth_symtab, NSYMTAB, stoff);
	dynstr_len = strtab_build(dynstr, synth_dynsym, NDYNSYM, dsoff);

	text_scn = add_section(e, N_TEXT, SHT_PROGBITS, text, sizeof(text), ELF_T_BYTE, 0);
	fill_syms(symtab, synth_symtab, NSYMTAB, stoff, elf_ndxscn(text_scn));
	fill_syms(dynsym, synth_dynsym, NDYNSYM, dsoff, elf_ndxscn(text_scn));
	versym[0] = 0;
	for (i = 0; i < NDYNSYM; i++)
		versym[i + 1] = synth_dynsym[i].versym;

	scn = add_section(e, N_SYMTAB, SHT_SYMTAB, symtab, sizeof(symtab), ELF_T_SYM,
			  sizeof(Elf64_Sym));
	strtab_scn = add_section(e, N_STRTAB, SHT_STRTAB, strtab, strtab_len, ELF_T_BYTE, 0);
	assert_non_null(gelf_getshdr(scn, &sh));
	sh.sh_link = (uint32_t)elf_ndxscn(strtab_scn);
	assert_true(gelf_update_shdr(scn, &sh));

	scn = add_section(e, N_DYNSYM, SHT_DYNSYM, dynsym, sizeof(dynsym), ELF_T_SYM,
			  sizeof(Elf64_Sym));
	dynstr_scn = add_section(e, N_DYNSTR, SHT_STRTAB, dynstr, dynstr_len, ELF_T_BYTE, 0);
	assert_non_null(gelf_getshdr(scn, &sh));
	sh.sh_link = (uint32_t)elf_ndxscn(dynstr_scn);
	assert_true(gelf_update_shdr(scn, &sh));
	add_section(e, N_VERSYM, SHT_GNU_versym, versym, sizeof(versym), ELF_T_HALF, 2);

	shstr_scn = add_section(e, N_SHSTRTAB, SHT_STRTAB, shstr, sizeof(shstr),
				ELF_T_BYTE, 0);
	eh->e_shstrndx = (uint16_t)elf_ndxscn(shstr_scn);

	/* program headers, read back as-is (nothing is loaded) */
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			      .p_vaddr = 0, .p_filesz = 0x2000, .p_memsz = 0x2000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R, .p_offset = 0x200,
			      .p_vaddr = 0x200, .p_filesz = 0x1c, .p_memsz = 0x1c };
	ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2e10,
			      .p_vaddr = 0x3e10, .p_filesz = 0x200, .p_memsz = 0x300 };
	elf_flagphdr(e, ELF_C_SET, ELF_F_DIRTY);
	assert_true(elf_update(e, ELF_C_WRITE) > 0);
	elf_end(e);
	close(fd);
}

static void write_elf32(const char *path)
{
	Elf32_Ehdr *eh;
	Elf *e;
	int fd;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	need(e);
	eh = elf32_newehdr(e);
	need(eh);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	assert_true(elf_update(e, ELF_C_WRITE) > 0);
	elf_end(e);
	close(fd);
}

static void test_synth(void **state)
{
	struct fixture *f = *state;
	struct ct_elf *elf;
	const struct ct_symbol *s;
	/* (value, name) order, duplicates merged, non-functions, undefined
	 * and zero-valued symbols dropped */
	static const struct {
		uint64_t value, size;
		const char *name;
		bool global, hidden, ifunc;
	} want[] = {
		{ 0x1000, 0x10, "local_fn", false, false, false },
		{ 0x1100, 0x20, "foo", true, false, false },
		{ 0x1200, 0x20, "foo", true, true, false },
		{ 0x1300, 0x8, "foo", false, false, false },
		{ 0x1400, 0x40, "alias_a", true, false, false },
		{ 0x1400, 0x40, "alias_b", true, false, false },
		{ 0x1400, 0x40, "alias_local", false, false, false },
		{ 0x1500, 0x10, "dup", true, false, false },
		{ 0x1600, 0, "zero", true, false, false },
		{ 0x1700, 0x100, "outer", true, false, false },
		{ 0x1720, 0x10, "inner", false, false, false },
		{ 0x1800, 0x10, "ifn", true, false, true },
		{ 0x1b00, 0x10, "bar", true, true, false },
		{ 0x1c00, 0x10, "bar", true, false, false },
	};
	size_t i;

	write_synth_elf(path_in(f, "synth.so"));
	elf = ct_elf_open(path_in(f, "synth.so"));
	need(elf);
	assert_int_equal(elf->type, ET_DYN);
	assert_int_equal(elf->machine, EM_X86_64);
	assert_int_equal(elf->entry, 0x1040);
	assert_true(elf->has_interp);
	assert_int_equal(elf->nr_loads, 2);
	assert_int_equal(elf->loads[0].vaddr, 0);
	assert_int_equal(elf->loads[0].flags, PF_R | PF_X);
	assert_int_equal(elf->loads[1].vaddr, 0x3e10);
	assert_int_equal(elf->loads[1].offset, 0x2e10);
	assert_int_equal(elf->loads[1].filesz, 0x200);
	assert_int_equal(elf->loads[1].memsz, 0x300);
	assert_int_equal(elf->loads[1].flags, PF_R | PF_W);

	assert_int_equal(elf->nr_syms, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < elf->nr_syms; i++) {
		const struct ct_symbol *g = &elf->syms[i];

		assert_int_equal(g->value, want[i].value);
		assert_int_equal(g->size, want[i].size);
		assert_string_equal(g->name, want[i].name);
		assert_int_equal(g->global, want[i].global);
		assert_int_equal(g->hidden, want[i].hidden);
		assert_int_equal(g->type, want[i].ifunc ? CT_SYM_IFUNC : CT_SYM_FUNC);
	}

	/* by name: global first, then the default version */
	s = ct_elf_symbol(elf, "foo");
	need(s);
	assert_int_equal(s->value, 0x1100);
	s = ct_elf_symbol(elf, "bar");
	need(s);
	assert_int_equal(s->value, 0x1c00);
	assert_null(ct_elf_symbol(elf, "foo@@V2"));
	assert_null(ct_elf_symbol(elf, "obj"));
	assert_null(ct_elf_symbol(elf, "undef"));
	assert_null(ct_elf_symbol(elf, "undef_with_value"));
	assert_null(ct_elf_symbol(elf, "zero_value"));
	assert_null(ct_elf_symbol(elf, "imported"));
	s = ct_elf_symbol(elf, "alias_local");
	need(s);
	assert_false(s->global);

	/* by address */
	assert_null(ct_elf_symbol_at(elf, 0xfff));
	assert_string_equal(name_at(elf, 0x1000), "local_fn");
	assert_string_equal(name_at(elf, 0x100f), "local_fn");
	assert_null(ct_elf_symbol_at(elf, 0x1010)); /* past local_fn's end */
	s = ct_elf_symbol_at(elf, 0x1410);
	need(s);
	assert_int_equal(s->value, 0x1400);
	assert_true(s->global); /* alias_a or alias_b, not alias_local */
	assert_string_equal(name_at(elf, 0x1600), "zero");
	assert_null(ct_elf_symbol_at(elf, 0x1601)); /* size 0: its value only */
	assert_string_equal(name_at(elf, 0x1710), "outer");
	assert_string_equal(name_at(elf, 0x1725), "inner"); /* innermost */
	assert_string_equal(name_at(elf, 0x1730), "outer"); /* inner ended */
	assert_string_equal(name_at(elf, 0x17ff), "outer");
	assert_string_equal(name_at(elf, 0x1800), "ifn");
	s = ct_elf_symbol_at(elf, 0x1b08);
	need(s);
	assert_true(s->hidden);
	assert_null(ct_elf_symbol_at(elf, 0x1c10));
	ct_elf_free(elf);

	write_elf32(path_in(f, "elf32"));
	errno = 0;
	assert_null(ct_elf_open(path_in(f, "elf32")));
	assert_int_equal(errno, ENOEXEC);
}

/* ---- load bias ---- */

/* RELRO pages read-only in the maps: the dynamic linker relocated the
 * module.  In pages of this host (pg): the image is text [0, 3), data
 * [3, 6), RELRO [3.5, 5.5), of which glibc protects the whole pages [3, 5). */
static void test_relocated(void **state)
{
	const uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), base = 0x7f0000000000ULL;
	struct ct_elf elf = { .type = ET_DYN, .relro_vaddr = 3 * pg + pg / 2,
			      .relro_memsz = 2 * pg };
	struct ct_module m = { .elf = &elf, .bias = base };
	struct ct_maps maps;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text),
		 "%llx-%llx r-xp 00000000 fe:01 7 /l.so\n%llx-%llx rw-p 00000000 fe:01 7 /l.so\n",
		 (unsigned long long)base, (unsigned long long)(base + 3 * pg),
		 (unsigned long long)(base + 3 * pg), (unsigned long long)(base + 6 * pg));
	assert_int_equal(ct_maps_parse(text, &maps), 0);
	assert_int_equal(ct_module_relocated(&m, &maps), 0);
	ct_maps_fini(&maps);
	snprintf(text, sizeof(text),
		 "%llx-%llx r-xp 00000000 fe:01 7 /l.so\n%llx-%llx r--p 00000000 fe:01 7 /l.so\n"
		 "%llx-%llx rw-p 00000000 fe:01 7 /l.so\n",
		 (unsigned long long)base, (unsigned long long)(base + 3 * pg),
		 (unsigned long long)(base + 3 * pg), (unsigned long long)(base + 5 * pg),
		 (unsigned long long)(base + 5 * pg), (unsigned long long)(base + 6 * pg));
	assert_int_equal(ct_maps_parse(text, &maps), 0);
	assert_int_equal(ct_module_relocated(&m, &maps), 1);
	/* unmapped there, no RELRO, or less than a whole page of it: cannot tell */
	m.bias = base - 64 * pg;
	assert_int_equal(ct_module_relocated(&m, &maps), -ENOENT);
	m.bias = base;
	elf.relro_memsz = 0;
	assert_int_equal(ct_module_relocated(&m, &maps), -ENOENT);
	elf.relro_vaddr = 3 * pg + 16;
	elf.relro_memsz = pg / 2;
	assert_int_equal(ct_module_relocated(&m, &maps), -ENOENT);
	ct_maps_fini(&maps);
}

static void test_bias(void **state)
{
	struct ct_elf_load loads[] = {
		{ .vaddr = 0, .offset = 0, .filesz = 0x800, .memsz = 0x800, .flags = PF_R | PF_X },
		{ .vaddr = 0x1e10, .offset = 0xe10, .filesz = 0x100, .memsz = 0x100,
		  .flags = PF_R | PF_W },
		{ .vaddr = 0x3df0, .offset = 0x2df0, .filesz = 0x1300, .memsz = 0x1400,
		  .flags = PF_R | PF_W },
	};
	struct ct_elf elf = { .type = ET_DYN, .loads = loads, .nr_loads = 3 };
	const uint64_t S = 0x7f0000000000ULL;
	struct ct_map m = { 0 };
	uint64_t bias = 1;

	(void)state;
	/* text at file page 0 mapped at S: bias S */
	m = (struct ct_map){ .start = S, .end = S + 0x1000, .offset = 0,
			     .prot = PROT_READ | PROT_EXEC };
	assert_int_equal(ct_module_bias(&elf, &m, &bias), 0);
	assert_int_equal(bias, S);
	/* The RW segment at 0x1e10 shares file page 0 with the text; it is
	 * mapped at S + 0x1000 (page of vaddr 0x1e10).  Its prot tells them
	 * apart: S + 0x1000 - 0x1000 - 0 = S. */
	m = (struct ct_map){ .start = S + 0x1000, .end = S + 0x2000, .offset = 0,
			     .prot = PROT_READ | PROT_WRITE };
	assert_int_equal(ct_module_bias(&elf, &m, &bias), 0);
	assert_int_equal(bias, S);
	/* after RELRO made it read-only: still not the executable segment */
	m.prot = PROT_READ;
	assert_int_equal(ct_module_bias(&elf, &m, &bias), 0);
	assert_int_equal(bias, S);
	/* Third segment, file pages 0x2000.., vaddr page 0x3000; its second
	 * page (offset 0x3000) mapped on its own at S + 0x4000:
	 * S + 0x4000 - 0x3000 - (0x3000 - 0x2000) = S. */
	m = (struct ct_map){ .start = S + 0x4000, .end = S + 0x5000, .offset = 0x3000,
			     .prot = PROT_READ | PROT_WRITE };
	assert_int_equal(ct_module_bias(&elf, &m, &bias), 0);
	assert_int_equal(bias, S);
	/* offset 0x5000 is past every segment's file data (0x2df0 + 0x1300 = 0x40f0) */
	m.offset = 0x5000;
	assert_int_equal(ct_module_bias(&elf, &m, &bias), -EINVAL);

	elf.type = ET_EXEC;
	bias = 1;
	assert_int_equal(ct_module_bias(&elf, &m, &bias), 0);
	assert_int_equal(bias, 0);
	elf.type = ET_REL;
	assert_int_equal(ct_module_bias(&elf, &m, &bias), -EINVAL);
}

/* ---- modules from a literal maps text ---- */

static void test_modules_from_text(void **state)
{
	struct fixture *f = *state;
	static const char notelf[] = "hello\n";
	char text[4096], synth[PATH_MAX], txt[PATH_MAX], missing[PATH_MAX];
	const struct ct_module *m;

	write_synth_elf(path_in(f, "synth.so"));
	strcpy(synth, path_in(f, "synth.so"));
	write_file(path_in(f, "notelf.txt"), notelf, sizeof(notelf) - 1);
	strcpy(txt, path_in(f, "notelf.txt"));
	strcpy(missing, path_in(f, "missing.so"));
	/* the RW mapping is listed first: the bias must still come from the
	 * lowest mapping; inode 103 is another file under the same name */
	snprintf(text, sizeof(text),
		 "7f0000003000-7f0000004000 rw-p 00002000 fe:01 100 %s\n"
		 "7f0000000000-7f0000002000 r-xp 00000000 fe:01 100 %s\n"
		 "7f0000005000-7f0000006000 r--p 00000000 fe:01 101 %s\n"
		 "7f0000007000-7f0000008000 r--p 00000000 fe:01 102 %s\n"
		 "7f0000009000-7f000000a000 r-xp 00000000 00:00 0 [vdso]\n"
		 "7f000000a000-7f000000b000 rw-p 00000000 00:00 0\n"
		 "7f000000b000-7f000000c000 r--p 00000000 fe:01 103 %s\n",
		 synth, synth, txt, missing, synth);
	assert_int_equal(ct_maps_parse(text, &f->maps), 0);
	assert_int_equal(ct_modules_from_maps(0, &f->maps, NULL, &f->mods, &f->nr), 0);
	assert_int_equal(f->nr, 2);

	m = &f->mods[0];
	assert_string_equal(m->path, synth);
	assert_string_equal(m->name, "synth.so");
	assert_int_equal(m->bias, 0x7f0000000000ULL);
	assert_int_equal(m->lo, 0x7f0000000000ULL);
	assert_int_equal(m->hi, 0x7f0000004000ULL);
	assert_int_equal(m->text_lo, 0x7f0000000000ULL);
	assert_int_equal(m->text_hi, 0x7f0000002000ULL);
	assert_non_null(m->elf);
	assert_int_equal(m->elf->entry, 0x1040);

	m = &f->mods[1];
	assert_string_equal(m->name, "synth.so");
	assert_int_equal(m->bias, 0x7f000000b000ULL);
	assert_int_equal(m->lo, 0x7f000000b000ULL);
	assert_int_equal(m->hi, 0x7f000000c000ULL);
	assert_int_equal(m->text_lo, 0);
	assert_int_equal(m->text_hi, 0);
}

/* A deleted file mapped into this process: found through map_files, named
 * without " (deleted)". */
static void test_deleted_module(void **state)
{
	struct fixture *f = *state;
	char probe[64];
	const struct ct_module *m = NULL;
	void *p;
	size_t i;
	int fd;

	write_synth_elf(path_in(f, "gone.so"));
	fd = open(path_in(f, "gone.so"), O_RDONLY);
	assert_true(fd >= 0);
	p = mmap(NULL, 0x1000, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	assert_int_equal(unlink(path_in(f, "gone.so")), 0);

	assert_int_equal(ct_maps_read(getpid(), &f->maps), 0);
	assert_int_equal(ct_modules_from_maps(getpid(), &f->maps, NULL, &f->mods, &f->nr), 0);
	for (i = 0; i < f->nr; i++)
		if (f->mods[i].lo == (uintptr_t)p)
			m = &f->mods[i];

	/* map_files may need CAP_SYS_ADMIN: expect the module only if we can
	 * open the link ourselves */
	snprintf(probe, sizeof(probe), "/proc/self/map_files/%lx-%lx", (unsigned long)p,
		 (unsigned long)p + 0x1000);
	fd = open(probe, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		need(m);
		assert_string_equal(m->name, "gone.so");
		assert_non_null(strstr(m->path, "gone.so (deleted)"));
		/* r-- mapping of file page 0 = first PT_LOAD (vaddr 0): bias = start */
		assert_int_equal(m->bias, (uintptr_t)p);
		assert_int_equal(m->elf->entry, 0x1040);
	} else {
		assert_null(m);
	}
	munmap(p, 0x1000);
}

/* The module at address p, from a fresh read of this process's maps. */
static const struct ct_module *self_module_at(struct fixture *f, const void *p)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		ct_module_fini(&f->mods[i]);
	free(f->mods);
	ct_maps_fini(&f->maps);
	assert_int_equal(ct_maps_read(getpid(), &f->maps), 0);
	assert_int_equal(ct_modules_from_maps(getpid(), &f->maps, NULL, &f->mods, &f->nr), 0);
	for (i = 0; i < f->nr; i++)
		if (f->mods[i].lo == (uintptr_t)p)
			return &f->mods[i];
	return NULL;
}

static void *map_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	void *p;

	assert_true(fd >= 0);
	p = mmap(NULL, 0x1000, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	return p;
}

/* A path with a newline, which the maps show as "\012": found and named
 * by the real path.  A file whose name holds a literal "\012" reads the
 * same in the maps: the decoded path leads to another file (here not an
 * ELF file), so only map_files can find it. */
static void test_newline_module(void **state)
{
	struct fixture *f = *state;
	const struct ct_module *m;
	char probe[64], *path;
	void *p;
	int fd;

	assert_int_equal(mkdir(path_in(f, "new\nline"), 0700), 0);
	path = strdup(path_in(f, "new\nline/lib\n.so"));
	need(path);
	write_synth_elf(path);
	p = map_file(path);
	m = self_module_at(f, p);
	need(m);
	assert_string_equal(m->path, path);
	assert_string_equal(m->name, "lib\n.so");
	assert_int_equal(m->elf->entry, 0x1040);
	munmap(p, 0x1000);
	free(path);

	write_synth_elf(path_in(f, "a\\012b.so"));
	write_file(path_in(f, "a\nb.so"), "not an ELF file\n", 16);
	p = map_file(path_in(f, "a\\012b.so"));
	m = self_module_at(f, p);
	snprintf(probe, sizeof(probe), "/proc/self/map_files/%lx-%lx", (unsigned long)p,
		 (unsigned long)p + 0x1000);
	fd = open(probe, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		need(m);
		assert_int_equal(m->elf->entry, 0x1040);
	} else {
		assert_null(m);
	}
	munmap(p, 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_self_exe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synth, setup, teardown),
		cmocka_unit_test(test_bias),
		cmocka_unit_test(test_relocated),
		cmocka_unit_test_setup_teardown(test_modules_from_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newline_module, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
