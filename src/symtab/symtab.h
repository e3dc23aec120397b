/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Modules and symbols: /proc/PID/maps, ELF symbol tables (libelf), C++
 * demangling, and the -e pattern language.  Nothing here touches a live
 * process except by reading files under /proc. */
#ifndef CT_SYMTAB_H
#define CT_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/cxxname.h"

/* ---- /proc/PID/maps ---- */
struct ct_map {
	uint64_t start, end;
	uint64_t offset;
	int prot;          /* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool shared;
	uint64_t inode;
	char *path;        /* NULL for anonymous mappings; "[stack]" etc. kept; the
			    * kernel's "\012" decoded to the newline it stands for */
	bool deleted;      /* path ends with " (deleted)" (kept in path): unlinked or replaced */
};

struct ct_maps {
	struct ct_map *v;
	size_t n;
};

/* 0 or -errno (-ESRCH when the process is gone).  pid 0 reads /proc/self/maps. */
int ct_maps_read(pid_t pid, struct ct_maps *maps);
/* Parse the text of a maps file (what ct_maps_read does after reading it).
 * 0, -EINVAL for a malformed line, or -ENOMEM; *maps is empty on failure. */
int ct_maps_parse(const char *text, struct ct_maps *maps);
void ct_maps_fini(struct ct_maps *maps);
/* A free, page-aligned range [addr, addr+len) that lies entirely within
 * [lo, hi) and within user space, overlapping no mapping (nor the guard gap
 * below [stack]), whose addr is nearest to `near` (ties: the lower one);
 * 0 when there is none.  len is rounded up to whole pages. */
uint64_t ct_maps_find_gap(const struct ct_maps *maps, uint64_t near, uint64_t lo, uint64_t hi,
			  uint64_t len);

/* ---- ELF files ---- */
enum ct_sym_type {
	CT_SYM_FUNC,
	CT_SYM_IFUNC, /* STT_GNU_IFUNC: value is the resolver */
};

struct ct_symbol {
	const char *name;   /* points into the ct_elf's string storage */
	uint64_t value;     /* link-time address (add the module's bias) */
	uint64_t size;
	enum ct_sym_type type;
	bool global;        /* STB_GLOBAL or STB_WEAK */
	bool hidden;        /* a non-default symbol version (foo@VER, not foo@@VER) */
	const char *demangled; /* after ct_elf_demangle(): the C++ name ("ns::f(int)");
				* NULL for other names (C), and before */
};

struct ct_dwarf;
struct ct_elf_cache;

struct ct_elf {
	char *path;
	uint16_t machine;   /* e_machine */
	uint16_t type;      /* ET_EXEC, ET_DYN */
	uint64_t entry;     /* e_entry (link-time) */
	bool has_interp;    /* PT_INTERP present */
	char *soname;       /* DT_SONAME, or NULL */
	/* PT_GNU_RELRO: made read-only once the dynamic linker relocated it
	 * (memsz 0: none) */
	uint64_t relro_vaddr, relro_memsz;
	/* PT_LOAD segments, for the load bias */
	struct ct_elf_load {
		uint64_t vaddr, offset, filesz, memsz;
		uint32_t flags; /* PF_X | PF_W | PF_R */
	} *loads;
	size_t nr_loads;
	/* functions defined here (st_shndx != SHN_UNDEF), from .symtab and
	 * .dynsym (and, after ct_elf_add_debug_syms, the .symtab of a
	 * separate debug file), one entry per address+name, sorted by value */
	struct ct_symbol *syms;
	size_t nr_syms;
	char *strings;      /* storage for names */
	bool has_symtab;    /* the file has a .symtab of its own: not stripped */
	bool debug_syms_done; /* ct_elf_add_debug_syms looked (once) */
	/* ct_elf_demangle(): each demangled name followed by its symbol's
	 * name ("ns::f(int)\0_ZN2ns1fEi\0"), see ct_elf_mangled() */
	char *demangled;
	size_t demangled_size;
	bool demangle_done;
	/* the file as read (fstat): what a struct ct_elf_cache knows it by */
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	/* its DWARF (ct_elf_dwarf), opened at the first use */
	struct ct_dwarf *dw;
	bool dw_tried;
	/* references and the cache's links: elfcache.c's */
	unsigned refs;
	struct ct_elf_cache *cache;
	struct ct_elf *cache_next;            /* the same hash bucket */
	struct ct_elf *idle_prev, *idle_next; /* unreferenced: the cache's LRU list */
};

/* NULL with errno set (ENOENT, ENOEXEC for a non-ELF file ...).  The
 * caller holds its one reference. */
struct ct_elf *ct_elf_open(const char *path);
/* Free an ELF, its DWARF too, whatever its references. */
void ct_elf_free(struct ct_elf *elf);

/*
 * ---- ELF files read once (elfcache.c) ----
 * The modules of every traced process are mostly the same few files (libc,
 * the dynamic linker, a program exec'd again and again): a cache shares
 * one ct_elf (symbols, demangled names, DWARF) among them, found by the
 * file's identity (device, inode, size, modification time), so a file
 * replaced on disk is read anew.  An ELF lives while a module holds it;
 * the last few unreferenced ones are kept for the next exec of the same
 * program (the newest of them with their DWARF), the oldest freed beyond
 * that.
 */
#define CT_ELF_CACHE_IDLE 16      /* unreferenced files kept */
#define CT_ELF_CACHE_IDLE_DWARF 4 /* ... of which the newest keep their DWARF */
/* NULL with errno set. */
struct ct_elf_cache *ct_elf_cache_new(void);
/* Frees the idle files; those still referenced leave the cache and are
 * freed by their last ct_elf_put. */
void ct_elf_cache_free(struct ct_elf_cache *c);
/* The ELF file at path, with a reference for the caller: the cached one
 * when the file is one it holds, else read (ct_elf_open) and added.  c may
 * be NULL: ct_elf_open.  NULL with errno set. */
struct ct_elf *ct_elf_cache_open(struct ct_elf_cache *c, const char *path);
/* Drop a reference (ct_elf_open's or ct_elf_cache_open's): the last one
 * frees an ELF, or leaves a cached one idle. */
void ct_elf_put(struct ct_elf *elf);
/* The files the cache holds, and how many of them nothing references. */
void ct_elf_cache_count(const struct ct_elf_cache *c, size_t *files, size_t *idle);
/* The function symbol named `name` (no version suffix), preferring a global
 * one, then the default version, or NULL. */
const struct ct_symbol *ct_elf_symbol(const struct ct_elf *elf, const char *name);
/* The function containing link-time address `addr` (value <= addr <
 * value + size; a size-0 symbol contains only its value), the innermost one
 * (highest value), preferring a global among aliases, or NULL. */
const struct ct_symbol *ct_elf_symbol_at(const struct ct_elf *elf, uint64_t addr);

/*
 * Add the functions of the .symtab of elf's separate debug file (found
 * as ct_debugfile_open finds it, through path, a way to the file that
 * works now, or elf->path when NULL) to those of a stripped elf, as gdb
 * does: static functions and everything a stripped program has only
 * there.  Only each symbol's value, size, type and binding are taken (the
 * debug file's .text is NOBITS), and only for addresses in elf's own
 * executable segments.  Once per elf; nothing for a file with a .symtab
 * of its own.  It rebuilds elf->syms: call it before anything indexes
 * them (ct_func arrays, ct_elf_demangle, which it undoes).  0, or -ENOMEM
 * (elf unchanged); no debug file, or a bad one, is 0 too.
 */
int ct_elf_add_debug_syms(struct ct_elf *elf, const char *path, const char *debug_dirs);

/* ---- compiler-split parts (parts.c) ---- */
/* When the symbol name `sym` names the cold part of a function that the
 * compiler split (main.cold, _Z1fv.cold.1), which is jumped into and never
 * called: the length of the function's own name, its prefix; else 0. */
size_t ct_sym_cold_parent(const char *sym);

/* ---- C++ names (demangle.c) ---- */
/* A C++ (Itanium ABI) symbol name demangled as libstdc++'s __cxa_demangle
 * gives it (what gdb and perf show: "ns::Box<int>::get(int) const"),
 * malloc'ed; NULL when sym does not start with "_Z" (a C name: no type
 * names like "i" -> "int") or is not a valid mangled name, or on ENOMEM. */
char *ct_demangle(const char *sym);
/* Set syms[i].demangled for every C++ symbol of elf, once (later calls
 * return 0 at once).  0 or -ENOMEM (nothing set then). */
int ct_elf_demangle(struct ct_elf *elf);
/* The symbol-table name behind `name` when name is a symbol's demangled
 * (the very pointer ct_elf_demangle set); any other name as it is. */
const char *ct_elf_mangled(const struct ct_elf *elf, const char *name);

/* ---- DWARF: function signatures (dwarf.c; types in ctype.h) ---- */
struct ct_sig;

/* Directories searched first for separate debug info (':'-separated),
 * besides `--debug-dir`: like /usr/lib/debug, by build-id and debuglink. */
#define CT_DEBUG_DIR_ENV "CALLTRAP_DEBUG_DIR"
/* libdwfl's debuginfo search path (Dwfl_Callbacks.debuginfo_path): the
 * absolute directories of dirs (':'-separated, may be NULL; relative ones
 * are ignored), then the standard ":.debug:/usr/lib/debug".  Malloc'ed;
 * NULL when out of memory. */
char *ct_debuginfo_path(const char *dirs);
/* An open descriptor of the separate debug file of the ELF file at path,
 * by libdwfl's standard lookup (build-id, then .gnu_debuglink) under
 * debug_dirs (ct_debuginfo_path) and the standard places, checked to
 * belong to that file; -ENOENT when there is none, -ENOMEM (debugfile.c). */
int ct_debugfile_open(const char *path, const char *debug_dirs);
/* The DWARF of the ELF file at path, from the file itself or separate
 * debug info (build-id, .gnu_debuglink) under debug_dirs or the standard
 * places.  NULL with errno ENOENT when there is none, EIO, ENOMEM. */
struct ct_dwarf *ct_dwarf_open(const char *path, const char *debug_dirs);
void ct_dwarf_free(struct ct_dwarf *dw);
/* The signature of the function whose code starts at link-time address
 * `addr`: what the compiler's DWARF for that code says, else, when `name`
 * (a global symbol's, may be NULL) is given, the public prototype of that
 * name (a declaration some caller's unit holds: for code an assembler
 * wrote, such as glibc's getpid, or an IFUNC's chosen implementation,
 * called by the IFUNC's name).  NULL when neither describes it.  Lives as
 * long as dw. */
const struct ct_sig *ct_dwarf_sig(struct ct_dwarf *dw, uint64_t addr, const char *name);
/* elf's DWARF, opened (ct_dwarf_open) through path, a way to the file
 * that works now (ct_module.file), at the first call, and kept with elf;
 * NULL when there is none (asked once). */
struct ct_dwarf *ct_elf_dwarf(struct ct_elf *elf, const char *path, const char *debug_dirs);

/* ---- modules: one mapped ELF file in a process ---- */
struct ct_module {
	char *path;         /* as in /proc/PID/maps */
	const char *name;   /* file name part of path */
	/* the way calltrap opened the file, valid while the process lives
	 * (/proc/PID/root/PATH, /proc/PID/map_files/..., or PATH) */
	const char *file;
	uint64_t bias;      /* runtime address = link-time address + bias */
	uint64_t lo, hi;    /* lowest and highest mapped address of the file */
	uint64_t text_lo, text_hi; /* executable mappings */
	struct ct_elf *elf;
};

/* Load bias of `elf` given one of its file mappings.  0 or -EINVAL. */
int ct_module_bias(const struct ct_elf *elf, const struct ct_map *map, uint64_t *bias);

/* Group the file-backed mappings of `maps` into modules, opening each ELF
 * file (through /proc/PID/root when pid > 0, so it works across mount
 * namespaces and for deleted files via /proc/PID/map_files) through
 * `cache` (may be NULL).  Non-ELF mappings and files that cannot be opened
 * are skipped.  Modules come in address order; name is the file name
 * without " (deleted)".  The caller frees each with ct_module_fini(), then
 * the array with free().  0 or -ENOMEM. */
int ct_modules_from_maps(pid_t pid, const struct ct_maps *maps, struct ct_elf_cache *cache,
			 struct ct_module **mods, size_t *nr);
/* Is m relocated, as far as the maps (read after m appeared) show?  The
 * dynamic linker makes the whole pages of a module's PT_GNU_RELRO
 * read-only right after relocating it (glibc _dl_protect_relro), and not
 * before.  1 when they are mapped read-only, 0 when still writable,
 * -ENOENT when m has no such page to tell. */
int ct_module_relocated(const struct ct_module *m, const struct ct_maps *maps);
/* Frees path (name and file live in the same allocation) and puts elf. */
void ct_module_fini(struct ct_module *m);

/* ---- the -e pattern language ---- */
/*
 * GLOB            functions whose name matches, in any module
 * MODULE:GLOB     only in modules MODULE (a glob) names: see
 *                 ct_module_name_match
 * !SPEC           exclude what SPEC matches
 * With no including pattern the default is every function defined in the
 * main executable but those the toolchain adds (_start, _init, _fini,
 * frame_dummy, register_tm_clones, deregister_tm_clones,
 * __do_global_dtors_aux, __libc_csu_*, ...).
 * C++ "::" never splits MODULE from GLOB: the split is at
 * the first run of an odd number of ':' (its first ':') outside a bracket
 * expression ("[[:lower:]]") and not escaped ("a\:b").  Exclusions win
 * over inclusions whatever their order.  Globs are fnmatch(3), flags 0.
 * A C++ function has two names, its demangled one and its symbol; a glob
 * matching either selects (or excludes) it: "ns::*" and "_ZN2ns*" alike.
 */
struct ct_pattern {
	bool exclude;
	char *module; /* NULL: any module */
	char *glob;
	unsigned long matched; /* how many symbols it selected (for "matches nothing");
				* an exclusion counts only what it removed */
	unsigned long modules; /* modules its MODULE part named (ct_patterns_see_module) */
};

struct ct_patterns {
	struct ct_pattern *v;
	size_t n;
};

/* The names a module answers to in a pattern's MODULE part. */
struct ct_modnames {
	const char *file;   /* its file name: "libsqlite3.so.0.8.6" */
	const char *soname; /* its DT_SONAME: "libsqlite3.so.0"; NULL: none */
};

/* Does the glob MODULE name mod?  As people name a module: by its file
 * name, its soname, or either without the version suffix after ".so"
 * ("libsqlite3.so"), and without ".so" too ("libsqlite3").  So
 * "libsqlite3.so.0", "libsqlite3", "libc", "libc.so.6" and "libc.so*" all
 * name what they say.  The one test of a module name: patterns, the
 * REPL's trace/untrace. */
bool ct_module_name_match(const char *glob, const struct ct_modnames *mod);

/* The ':' that ends spec's MODULE part, or NULL for a plain GLOB: one not
 * in a C++ "::", a bracket expression or after a backslash. */
const char *ct_pattern_module_sep(const char *spec);

/* 0, -EINVAL (empty glob, empty module, "!" or ":" alone), or -ENOMEM. */
int ct_patterns_add(struct ct_patterns *p, const char *spec);
void ct_patterns_fini(struct ct_patterns *p);
bool ct_patterns_have_include(const struct ct_patterns *p);
/* Is function `func` of module `module` (file name) selected?  is_main
 * says whether the module is the main executable.  Counts matches. */
bool ct_patterns_match(struct ct_patterns *p, const char *module, bool is_main, const char *func);
/* The same for a function of two names: `func` (demangled) and `sym`, its
 * symbol-table name (NULL or the same: only func), in the module named
 * mod (NULL: none).  A pattern matching both counts once. */
bool ct_patterns_match_sym(struct ct_patterns *p, const struct ct_modnames *mod, bool is_main,
			   const char *func, const char *sym);
/* A module was mapped: each pattern whose MODULE part names it counts it
 * (ct_pattern.modules), functions or not. */
void ct_patterns_see_module(struct ct_patterns *p, const struct ct_modnames *mod);
/* matched and modules back to 0 (a new session over the same patterns). */
void ct_patterns_reset_counts(struct ct_patterns *p);
/* The pattern as written ("!libc:str*"), in buf. */
const char *ct_pattern_text(const struct ct_pattern *pat, char *buf, size_t n);

#endif
