/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live control of a session, for the REPL: drive it without blocking, stop
 * and resume the world, change what is traced while the program runs, and
 * look at its functions, threads and shadow stacks.
 *
 * Stopping the world is the detach code's (ct_stop_everything) with one
 * difference: with s->holding set, every stop is handled as in the non-stop
 * loop (a breakpoint hit makes its event and points the thread at its
 * displaced instruction) and the thread is then left stopped, so the world
 * stands still at places where resuming is a plain PTRACE_CONT (or the
 * single-step of a STEP copy, see ct_thread_resume).  Breakpoint traps that
 * raced with the interrupts are taken first, so none is pending when sites
 * are removed.
 *
 * Changing what is traced happens with the world stopped: the edit is added
 * to the session's list (applied after the initial patterns, in order, also
 * to modules loaded later), every function's selection is computed again,
 * and each address space's entry sites follow (ct_mm_sync).  Removing an
 * entry site never touches return sites, so frames already on shadow
 * stacks still get their returns; its slot stays, for a thread that may be
 * executing it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "session/internal.h"

#define CT_LOG_DOMAIN "control"
#include "util/log.h"

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

bool ct_session_done(const struct ct_session *s)
{
	return s->procs.n == 0;
}

bool ct_session_stopped(const struct ct_session *s)
{
	return s->holding && s->procs.n;
}

int ct_session_orig_pc(struct ct_session *s, pid_t tid, uint64_t pc, uint64_t *orig)
{
	struct ct_thread *t = ct_hashmap_get(&s->threads, (uint64_t)tid);
	struct ct_bpset *bs;

	if (!t)
		return -ESRCH;
	bs = &t->proc->mm->bps;
	*orig = pc;
	if (!ct_bpset_in_scratch(bs, pc))
		return 0;
	return ct_bpset_translate_pc(bs, pc, orig);
}

pid_t ct_session_pid(const struct ct_session *s)
{
	return s->main_pid;
}

/* Every task vanished without our seeing its exit (waitpid says there is
 * no child): forget them. */
static void forget_all(struct ct_session *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		ct_proc_drop_threads(s, val, NULL);
		ct_proc_remove(s, val);
		it = 0;
	}
}

/* ---- stopping and resuming the world ---- */

static int stop_all(struct ct_session *s)
{
	int ret;

	if (!s->procs.n)
		return 0;
	s->holding = true;
	ret = ct_stop_everything(s);
	if (ret == -ECHILD) {
		forget_all(s);
		ret = 0;
	}
	if (ret < 0)
		ct_session_set_error(s, "stopping the threads: %s", strerror(-ret));
	return ret;
}

int ct_session_stop_all(struct ct_session *s)
{
	s->errmsg[0] = '\0';
	return stop_all(s);
}

static int resume_all(struct ct_session *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret = 0, r;

	s->holding = false;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;

		if (t->state != CT_TS_STOPPED)
			continue;
		r = ct_thread_resume(s, t);
		if (r < 0 && !ret)
			ret = r;
	}
	if (ret < 0 && !s->errmsg[0])
		ct_session_set_error(s, "resuming the threads: %s", strerror(-ret));
	return ret;
}

int ct_session_resume_all(struct ct_session *s)
{
	s->errmsg[0] = '\0';
	return resume_all(s);
}

/* ---- driving without blocking ---- */

bool ct_session_poll_more(const struct ct_session *s)
{
	return s->poll_more && !s->fatal && s->procs.n;
}

/* Handle the wait statuses available now, at most CT_SESSION_POLL_BUDGET:
 * busy threads can keep one pending forever (each handled stop resumes a
 * thread that stops again before the queue empties), and the caller must
 * get back to its keyboard. */
static int drain(struct ct_session *s)
{
	int n = 0, status;
	pid_t tid;

	s->poll_more = false;
	while (!s->fatal && s->procs.n) {
		if (n == CT_SESSION_POLL_BUDGET) {
			s->poll_more = true;
			break;
		}
		tid = ct_ptrace_wait(-1, &status, false, 0);
		if (tid == 0)
			break;
		if (tid == -ECHILD) {
			forget_all(s);
			break;
		}
		if (tid < 0)
			return n ? n : tid;
		ct_handle_wait(s, tid, status);
		n++;
	}
	return n;
}

/*
 * SIGCHLD is blocked while we look and then wait for it, so a stop that
 * comes after the last WNOHANG leaves it pending for sigtimedwait (ptrace
 * stops send SIGCHLD to the tracer unless it is ignored or SA_NOCLDSTOP).
 * It may consume a SIGCHLD that the caller's signalfd would have seen;
 * the drain after it handles what that SIGCHLD was for.
 */
int ct_session_poll(struct ct_session *s, int timeout_ms)
{
	sigset_t chld, old;
	int n, err;

	n = drain(s);
	if (n == 0 && timeout_ms != 0 && s->procs.n && !s->fatal) {
		struct timespec ts, *tp = NULL;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, &old);
		n = drain(s);
		if (n == 0 && s->procs.n && !s->fatal) {
			if (timeout_ms > 0) {
				ts.tv_sec = timeout_ms / 1000;
				ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
				tp = &ts;
			}
			if (sigtimedwait(&chld, NULL, tp) == SIGCHLD)
				n = drain(s);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (n > 0 && s->opts.out && !s->fatal) {
		err = ct_output_idle(s->opts.out);
		if (err < 0) {
			ct_session_set_error(s, "writing events: %s", strerror(-err));
			s->fatal = -EIO;
		}
	}
	if (s->fatal) {
		err = s->fatal;
		if (s->procs.n)
			ct_detach_all(s);
		return err;
	}
	return n;
}

/* ---- start-up ---- */

int ct_spawn_new_pgrp(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	/* the tracee is of the host's ISA: the host's syscall number */
	const uint64_t args[6] = { 0 };
	long r = 0;
	int ret = -ENOEXEC;

	if (mm->bps.nr_areas)
		ret = ct_remote_syscall(inj->tid, s->arch, &mm->mem, inj->regs,
					mm->bps.areas[0].addr, false, SYS_setpgid, args, &r);
	if (ret == 0 && r < 0)
		ret = (int)r;
	if (ct_remote_refusal(ret))
		ct_session_set_error(s, "giving the program its own process group: %s setpgid",
				     ct_remote_refusal(ret));
	else if (ret < 0)
		ct_session_set_error(s, "giving the program its own process group: %s",
				     strerror(-ret));
	return ret;
}

static struct ct_modrt *main_module(const struct ct_mm *mm)
{
	size_t i;

	for (i = 0; i < mm->nr_mods; i++)
		if (mm->mods[i]->is_main)
			return mm->mods[i];
	return NULL;
}

int ct_spawn_pause(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t)
{
	const struct ct_modrt *m = main_module(mm);
	const struct ct_site *site = NULL;
	int ret, status;
	pid_t tid;

	if (m)
		site = ct_site_at(&mm->bps, m->m.elf->entry + m->m.bias);
	if (!site || !site->inserted || !(site->kinds & CT_SITE_START)) {
		/* no breakpoint at the entry point: stay at the exec */
		ct_warn("no breakpoint at the entry point: stopped before the libraries "
			"are loaded");
		s->holding = true;
		return 0;
	}
	s->pause_pending = true;
	ret = ct_thread_resume(s, t);
	while (ret == 0 && !s->holding && s->procs.n && !s->fatal) {
		tid = ct_ptrace_wait(-1, &status, true, 0);
		if (tid == -EINTR)
			continue;
		if (tid < 0) {
			ret = tid;
			break;
		}
		ct_handle_wait(s, tid, status);
	}
	s->pause_pending = false;
	if (ret == 0 && s->fatal)
		ret = s->fatal;
	if (ret == 0 && s->holding)
		ret = ct_stop_everything(s);
	if (ret < 0) {
		if (!s->errmsg[0])
			ct_session_set_error(s, "starting the program: %s", strerror(-ret));
		if (!s->fatal)
			s->fatal = ret; /* detach ends a program we started */
		ct_detach_all(s);
	}
	return ret;
}

/* ---- what is traced ---- */

/* A stopped thread of mm to run injected code in, preferably not one in
 * group-stop, with its registers. */

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
		ret = stop_all(s);
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
		}
		if (r < 0 && r != -ESRCH && !ret) {
			ret = r;
			if (!s->errmsg[0])
				ct_session_set_error(s, "%s %s: %s", e->add ? "trace" : "untrace",
						     e->spec, strerror(-r));
		}
	}
	if (was_running) {
		r = resume_all(s);
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

/* ---- introspection ---- */

/* The address space the listings show: the program's, or any left. */
static struct ct_mm *main_mm(struct ct_session *s)
{
	struct ct_proc *p = ct_hashmap_get(&s->procs, (uint64_t)s->main_pid);
	size_t it = 0;
	uint64_t key;
	void *val;

	if (p)
		return p->mm;
	if (ct_hashmap_next(&s->procs, &it, &key, &val))
		return ((struct ct_proc *)val)->mm;
	return NULL;
}

void ct_session_foreach_func(struct ct_session *s,
			     void (*cb)(void *ctx, const struct ct_session_func *f), void *ctx)
{
	struct ct_mm *mm = main_mm(s);
	size_t i, k;

	for (i = 0; mm && i < mm->nr_mods; i++) {
		const struct ct_modrt *m = mm->mods[i];

		for (k = 0; k < m->nr_funcs; k++) {
			const struct ct_func *f = &m->funcs[k];
			const struct ct_site *site = f->addr ? ct_site_at(&mm->bps, f->addr) : NULL;
			struct ct_session_func fi = { 0 };

			fi.module = m->m.name;
			fi.path = m->m.path;
			fi.name = f->name;
			fi.addr = f->addr;
			fi.size = f->size;
			fi.ifunc = m->m.elf->syms[k].type == CT_SYM_IFUNC;
			fi.traced = f->selected;
			fi.refused = f->refused;
			fi.inserted = site && site->inserted && (site->kinds & CT_SITE_ENTRY);
			/* an alias counts the hits of the name that owns the site */
			fi.hits = fi.inserted && site->func ? site->func->hits : f->hits;
			cb(ctx, &fi);
		}
	}
}

static int cmp_tid(const void *a, const void *b)
{
	const struct ct_thread *x = *(struct ct_thread *const *)a;
	const struct ct_thread *y = *(struct ct_thread *const *)b;

	if (x->proc->pid != y->proc->pid)
		return x->proc->pid < y->proc->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void thread_info(struct ct_session *s, struct ct_thread *t, struct ct_session_thread *ti,
			struct ct_session_frame *fv)
{
	static const char *const names[] = {
		[CT_THREAD_RUNNING] = "running",
		[CT_THREAD_STOPPED] = "stopped",
		[CT_THREAD_GROUP_STOPPED] = "group-stopped",
		[CT_THREAD_EXITED] = "exited",
	};
	size_t i;
	char st;

	memset(ti, 0, sizeof(*ti));
	ti->pid = t->proc->pid;
	ti->tid = t->tid;
	ti->followed = t->proc->followed;
	ti->depth = (unsigned)t->stack.n;
	ti->pending_sig = t->pending_sig;
	for (i = 0; i < t->stack.n; i++) {
		const struct ct_frame *f = &t->stack.v[i];

		const char *label = ct_func_label(s, f->func);

		fv[i] = (struct ct_session_frame){ .func = label ? label : f->func->name,
						   .module = f->func->module,
						   .addr = f->func->addr, .ret_addr = f->ret_addr,
						   .entry_sp = f->entry_sp,
						   .entry_ts_ns = f->entry_ts };
	}
	ti->frames = fv;
	if (t->stack.n) {
		ti->func = fv[t->stack.n - 1].func;
		ti->module = fv[t->stack.n - 1].module;
		ti->func_addr = fv[t->stack.n - 1].addr;
	}
	switch (t->state) {
	case CT_TS_STOPPED:
		ti->run = t->group_stopped ? CT_THREAD_GROUP_STOPPED : CT_THREAD_STOPPED;
		break;
	case CT_TS_GROUP_STOP:
		ti->run = CT_THREAD_GROUP_STOPPED;
		break;
	default:
		/* a leader that exited while other threads run stays listed
		 * until they end (its exit is reported last) */
		st = ct_proc_task_state(t->proc->pid, t->tid);
		ti->run = st == 'Z' || st == 'X' || st == 0 ? CT_THREAD_EXITED : CT_THREAD_RUNNING;
		break;
	}
	ti->state = names[ti->run];
}

int ct_session_foreach_thread(struct ct_session *s,
			      void (*cb)(void *ctx, const struct ct_session_thread *t), void *ctx)
{
	struct ct_thread **v;
	struct ct_session_frame *fv = NULL;
	size_t it = 0, n = 0, i, maxd = 1;
	uint64_t key;
	void *val;

	v = calloc(s->threads.n ? s->threads.n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		v[n] = val;
		if (v[n]->stack.n > maxd)
			maxd = v[n]->stack.n;
		n++;
	}
	fv = calloc(maxd, sizeof(*fv));
	if (!fv) {
		free(v);
		return -ENOMEM;
	}
	qsort(v, n, sizeof(*v), cmp_tid);
	for (i = 0; i < n; i++) {
		struct ct_session_thread ti;

		thread_info(s, v[i], &ti, fv);
		cb(ctx, &ti);
	}
	free(fv);
	free(v);
	return 0;
}

/* ---- ending ---- */

int ct_session_kill(struct ct_session *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int status;
	pid_t tid;

	s->errmsg[0] = '\0';
	while (ct_hashmap_next(&s->procs, &it, &key, &val))
		kill(((struct ct_proc *)val)->pid, SIGKILL);
	/* whatever stops still come in are handled, nothing is resumed: the
	 * exits follow, each thread's open frames unwound */
	s->holding = true;
	while (s->procs.n) {
		tid = ct_ptrace_wait(-1, &status, true, 0);
		if (tid == -EINTR)
			continue;
		if (tid < 0) {
			forget_all(s);
			break;
		}
		ct_handle_wait(s, tid, status);
	}
	s->holding = false;
	return 0;
}

int ct_session_detach(struct ct_session *s)
{
	int ret;

	s->errmsg[0] = '\0';
	if (!s->procs.n)
		return 0;
	ret = ct_detach_all(s);
	if (ret < 0 && !s->errmsg[0])
		ct_session_set_error(s, "detaching: %s", strerror(-ret));
	return ret;
}
