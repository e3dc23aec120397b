/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a live session traces, changed while the program runs (the REPL's
 * trace and untrace).
 *
 * Changing what is traced happens with the world stopped (control.c): the
 * edit is added to the session's list (applied after the initial
 * patterns, in order, also to modules loaded later), every function's
 * selection is computed again, and each address space's entry sites
 * follow (ct_mm_sync).  Removing an entry site never touches return
 * sites, so frames already on shadow stacks still get their returns; its
 * slot stays, for a thread that may be executing it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/fast.h"
#include "session/internal.h"

void ct_edits_fini(struct ct_session *s)
{
	size_t i;

	for (i = 0; i < s->nr_edits; i++) {
		ct_patterns_fini(&s->edits[i].one);
		free(s->edits[i].spec);
	}
	free(s->edits);
	s->edits = NULL;
	s->nr_edits = 0;
}

/* The distinct address spaces of the live processes, in v (room for
 * s->procs.n). */
static size_t live_mms(struct ct_session *s, struct ct_mm **v)
{
	size_t it = 0, n = 0, i;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		struct ct_mm *mm = ((struct ct_proc *)val)->mm;

		for (i = 0; i < n && v[i] != mm; i++)
			;
		if (mm && i == n)
			v[n++] = mm;
	}
	return n;
}

/* Select again in every live module; counts the functions e matches and
 * those whose selection changed. */
static void reselect(struct ct_session *s, struct ct_mm **mms, size_t nr_mms,
		     struct ct_edit *e, unsigned long *matched, unsigned long *changed)
{
	struct ct_modrt **seen;
	size_t nr_seen = 0, i, j, k, cap = 0;

	for (i = 0; i < nr_mms; i++)
		cap += mms[i]->nr_mods;
	seen = calloc(cap ? cap : 1, sizeof(*seen));
	for (i = 0; i < nr_mms; i++) {
		for (j = 0; j < mms[i]->nr_mods; j++) {
			struct ct_modrt *m = mms[i]->mods[j];
			struct ct_modnames mod;

			/* forked address spaces share their modules */
			for (k = 0; seen && k < nr_seen && seen[k] != m; k++)
				;
			if (seen && k < nr_seen)
				continue;
			if (seen)
				seen[nr_seen++] = m;
			mod = ct_modrt_names(m);
			for (k = 0; k < m->nr_funcs; k++) {
				struct ct_func *f = &m->funcs[k];
				bool want;

				/* f->name is demangled: the symbol counts too */
				if (ct_patterns_match_sym(&e->one, &mod, m->is_main, f->name,
							  m->m.elf->syms[k].name))
					(*matched)++;
				want = ct_mm_wanted(s, m, f->name);
				if (want != f->selected) {
					f->selected = want;
					if (want)
						ct_func_label_add(s, f);
					(*changed)++;
				}
			}
		}
	}
	free(seen);
}

static int apply_edit(struct ct_session *s, struct ct_edit *e)
{
	unsigned long matched = 0, changed = 0;
	struct ct_mm **mms;
	size_t nr_mms, i;
	bool was_running;
	int ret = 0, r;

	mms = calloc(s->procs.n ? s->procs.n : 1, sizeof(*mms));
	if (!mms)
		return -ENOMEM;
	was_running = s->procs.n && !s->holding;
	if (was_running) {
		ret = ct_world_stop(s);
		if (ret < 0)
			goto out;
	}
	nr_mms = live_mms(s, mms);
	reselect(s, mms, nr_mms, e, &matched, &changed);
	s->last_matched = matched;
	for (i = 0; i < nr_mms && changed; i++) {
		struct ct_thread *t = ct_mm_injector_thread(s, mms[i]);
		struct ct_injector inj;
		struct ct_regs regs;

		if (!t)
			continue;
		r = ct_regs_get(t->tid, s->arch, &regs);
		if (r == 0) {
			inj = (struct ct_injector){ .tid = t->tid, .regs = &regs,
						    .world_stopped = true };
			r = ct_mm_sync(s, mms[i], &inj);
			if (r == 0)
				r = ct_fast_start(s, mms[i], t, &regs);
		}
		if (r < 0 && r != -ESRCH && !ret) {
			ret = r;
			if (!s->errmsg[0])
				ct_session_set_error(s, "%s %s: %s", e->add ? "trace" : "untrace",
						     e->spec, strerror(-r));
		}
	}
	if (was_running) {
		r = ct_world_resume(s);
		if (r < 0 && !ret)
			ret = r;
	}
out:
	free(mms);
	if (ret < 0)
		return ret;
	if (!matched)
		ct_session_set_error(s, "'%s' matches no function in the loaded modules%s", e->spec,
				     e->add ? " (it applies to libraries loaded later)" : "");
	else if (!changed && e->add)
		ct_session_set_error(s, "'%s': the %lu matching function%s traced already", e->spec,
				     matched, matched == 1 ? " is" : "s are");
	else if (!changed)
		ct_session_set_error(s, "'%s': none of the %lu matching function%s traced", e->spec,
				     matched, matched == 1 ? " is" : "s is");
	return (int)(changed > INT32_MAX ? INT32_MAX : changed);
}

static int edit(struct ct_session *s, const char *spec, bool add)
{
	struct ct_edit e = { .add = add }, *v;
	const char *glob = spec;
	int ret;

	s->errmsg[0] = '\0';
	s->last_matched = 0;
	if (!spec)
		return -EINVAL;
	if (*glob == '!') {
		if (!add) {
			ct_session_set_error(s, "untrace '%s': no '!' here (trace '%s' excludes)",
					     spec, spec);
			return -EINVAL;
		}
		e.add = false;
		glob++;
	}
	if (*glob == '!' || ct_patterns_add(&e.one, glob) < 0) {
		ct_patterns_fini(&e.one);
		ct_session_set_error(s, "bad pattern '%s'", spec);
		return -EINVAL;
	}
	e.spec = strdup(glob);
	v = e.spec ? realloc(s->edits, (s->nr_edits + 1) * sizeof(*v)) : NULL;
	if (!v) {
		ct_patterns_fini(&e.one);
		free(e.spec);
		return -ENOMEM;
	}
	s->edits = v;
	s->edits[s->nr_edits++] = e;
	ret = apply_edit(s, &s->edits[s->nr_edits - 1]);
	if (ret < 0 && s->fatal) {
		/* the sites of some address space are in an unknown state */
		ct_detach_all(s);
	}
	return ret;
}

unsigned long ct_session_last_matched(const struct ct_session *s)
{
	return s->last_matched;
}

int ct_session_trace(struct ct_session *s, const char *pattern)
{
	return edit(s, pattern, true);
}

int ct_session_untrace(struct ct_session *s, const char *pattern)
{
	return edit(s, pattern, false);
}

int ct_session_patterns(const struct ct_session *s,
			int (*cb)(void *ctx, const struct ct_pattern_info *pi), void *ctx)
{
	const struct ct_patterns *p = s->opts.patterns;
	struct ct_pattern_info pi;
	char buf[512];
	int n = 0, r;
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		snprintf(buf, sizeof(buf), "%s%s%s%s", p->v[i].exclude ? "!" : "",
			 p->v[i].module ? p->v[i].module : "", p->v[i].module ? ":" : "",
			 p->v[i].glob);
		pi = (struct ct_pattern_info){ .spec = buf, .trace = !p->v[i].exclude,
					       .initial = true };
		n++;
		r = cb(ctx, &pi);
		if (r)
			return n;
	}
	for (i = 0; i < s->nr_edits; i++) {
		pi = (struct ct_pattern_info){ .spec = s->edits[i].spec, .trace = s->edits[i].add };
		n++;
		if (cb(ctx, &pi))
			return n;
	}
	return n;
}
