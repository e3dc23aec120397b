/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Modules as the session knows them (struct ct_modrt): one mapping of an
 * ELF file in an address space, with a ct_func for each of its function
 * symbols.
 *
 * Memory stays flat however many processes, execs, threads and dlopen
 * cycles the session sees.  A module is shared by the address spaces
 * forked from the one that mapped it (refs) and freed when the last of
 * them lets it go (exit, exec, dlclose); its ELF file is read once for
 * every module of that file, across execs too (the session's ELF cache,
 * symtab.h).
 *
 * What may point into a module once it is unmapped:
 * - events: nothing.  ct_emit hands an event to the outputs, which format
 *   it at once (text, jsonl) or copy its strings (the trace writer interns
 *   names into its string table); the REPL reads events back from the
 *   trace file.
 * - sites: those of the address spaces that mapped it, freed with them or
 *   by mm_forget.
 * - shadow-stack frames, which can outlive the mapping: a frame abandoned
 *   by longjmp stays until the stack pointer passes it, and a followed fork
 *   child starts with copies of its parent's frames.  A module that a frame
 *   still names waits in s->dead_mods until none does.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/internal.h"

/* The functions of a newly mapped module (from its separate debug file
 * too when it is stripped), and which the patterns select.
 * C++ names are demangled here, once per symbol: events name a function by
 * ct_func.name. */
static int module_select(struct ct_session *s, struct ct_modrt *m)
{
	const struct ct_elf *elf = m->m.elf;
	size_t i;
	int ret;

	/* a stripped file's functions from its debug file, first: it
	 * rebuilds the table the ct_funcs parallel */
	ret = ct_elf_add_debug_syms(m->m.elf, m->m.file, ct_session_debug_dirs(s));
	if (ret < 0)
		return ret;
	if (!s->opts.no_demangle) {
		ret = ct_elf_demangle(m->m.elf);
		if (ret < 0)
			return ret;
	}
	m->funcs = calloc(elf->nr_syms ? elf->nr_syms : 1, sizeof(*m->funcs));
	if (!m->funcs)
		return -ENOMEM;
	for (i = 0; i < elf->nr_syms; i++) {
		const struct ct_symbol *sym = &elf->syms[i];
		struct ct_func *f = &m->funcs[i];

		f->name = sym->demangled && !s->opts.no_demangle ? sym->demangled : sym->name;
		f->sym = f->name != sym->name ? sym->name : NULL;
		f->module = m->m.name;
		f->owner = m;
		f->addr = sym->type == CT_SYM_IFUNC ? 0 : sym->value + m->m.bias;
		f->size = sym->type == CT_SYM_IFUNC ? 0 : sym->size;
		f->selected = ct_mm_wanted(s, m, f->name);
		s->nr_selected += f->selected;
		if (f->selected)
			ct_func_label_add(s, f);
	}
	m->nr_funcs = elf->nr_syms;
	return 0;
}

void ct_func_label_add(struct ct_session *s, const struct ct_func *f)
{
	if (!s->opts.short_names)
		return;
	if (!s->labels)
		s->labels = ct_labels_new();
	/* out of memory: the function's events show its full name */
	if (s->labels)
		(void)ct_labels_add(s->labels, f->name);
}

static bool is_main_exe(pid_t pid, const char *path)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strcmp(exe, path) == 0;
}

struct ct_modrt *ct_modrt_new(struct ct_session *s, pid_t pid, struct ct_module *mod)
{
	struct ct_modrt *m = calloc(1, sizeof(*m));
	struct ct_modnames names;
	int ret;

	if (!m)
		return NULL;
	m->m = *mod;
	m->refs = 1;
	m->is_main = is_main_exe(pid, mod->path);
	ret = module_select(s, m);
	if (ret < 0) {
		free(m->funcs);
		free(m);
		errno = -ret;
		return NULL;
	}
	names = ct_modrt_names(m);
	ct_patterns_see_module(s->opts.patterns, &names);
	if (m->is_main && pid == s->main_pid) {
		char *exe = strdup(m->m.path);

		if (exe) {
			free(s->main_exe);
			s->main_exe = exe;
			s->main_exe_symtab = m->m.elf->has_symtab;
		}
	}
	return m;
}

/* Does a frame of a thread's shadow stack name a function of m? */
static bool named_by_frame(struct ct_session *s, const struct ct_modrt *m)
{
	size_t it = 0, i;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		const struct ct_shadow *st = &((struct ct_thread *)val)->stack;

		for (i = 0; i < st->n; i++)
			if (st->v[i].func->owner == m)
				return true;
	}
	return false;
}

static void modrt_free(struct ct_modrt *m)
{
	size_t i;

	for (i = 0; i < m->nr_funcs; i++)
		ct_typed_free(&m->funcs[i]);
	ct_module_fini(&m->m);
	free(m->funcs);
	free(m);
}

void ct_modrt_reap(struct ct_session *s, bool all)
{
	struct ct_modrt **pp = &s->dead_mods, *m;

	while ((m = *pp)) {
		if (!all && named_by_frame(s, m)) {
			pp = &m->next_dead;
			continue;
		}
		*pp = m->next_dead;
		modrt_free(m);
	}
}

void ct_modrt_put(struct ct_session *s, struct ct_modrt *m)
{
	if (!m || --m->refs > 0)
		return;
	m->next_dead = s->dead_mods;
	s->dead_mods = m;
	ct_modrt_reap(s, false);
}
