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
 * */
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

int ct_world_stop(struct ct_session *s)
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
	return ct_world_stop(s);
}

int ct_world_resume(struct ct_session *s)
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
	return ct_world_resume(s);
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
