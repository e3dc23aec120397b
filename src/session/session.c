/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session: spawn or attach, then one wait loop for every traced task.
 *
 * The loop is non-stop: each waitpid result concerns one thread, which is
 * handled and resumed on its own while every other thread keeps running.
 * The tracer waits by spinning briefly on WNOHANG (cross-CPU wakeups of a
 * blocking waitpid are slow on our VMs, DESIGN.md), then by sigtimedwait
 * on SIGCHLD together with the signals that end the session, which is
 * race-free because they are all blocked.  Attaching is in attach.c.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "session"
#include "util/log.h"

uint64_t ct_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool ct_all_held(const struct ct_session *s)
{
	return s->threads.n && s->nr_held >= s->threads.n;
}

void ct_idle_update(struct ct_session *s, bool was_idle, uint64_t now)
{
	bool idle = ct_all_held(s);

	/* The rings' records are read later than they happen: the time the
	 * threads were held after a record cannot be taken from it, so with
	 * a fast path the clock keeps running from then on (it stops no
	 * thread anyway, and an exec that ends one may begin another), and
	 * what was taken before stays taken (the clock never goes back). */
	if (s->clock_runs)
		return;
	if (was_idle && !idle)
		s->idle_ns += now > s->idle_since ? now - s->idle_since : 0;
	else if (!was_idle && idle)
		s->idle_since = now;
}

void ct_thread_held(struct ct_session *s, struct ct_thread *t, uint64_t now)
{
	bool was_idle = ct_all_held(s);

	if (t->stop_ns)
		return;
	t->stop_ns = now;
	s->nr_held++;
	ct_idle_update(s, was_idle, now);
}

void ct_thread_released(struct ct_session *s, struct ct_thread *t)
{
	bool was_idle = ct_all_held(s);

	if (!t->stop_ns)
		return;
	t->stop_ns = 0;
	s->nr_held--;
	ct_idle_update(s, was_idle, ct_now_ns());
}

uint64_t ct_ts_of(const struct ct_session *s, uint64_t now)
{
	uint64_t since, idle = s->idle_ns;

	if (!s->clock_runs && ct_all_held(s) && now > s->idle_since)
		idle += now - s->idle_since;
	since = now > s->t0_ns ? now - s->t0_ns : 0;
	/* a moment older than idle time counted since must not wrap */
	return since > idle ? since - idle : 0;
}

const char *ct_session_debug_dirs(const struct ct_session *s)
{
	return s->opts.debug_dirs ? s->opts.debug_dirs : getenv(CT_DEBUG_DIR_ENV);
}

uint64_t ct_session_clock(const struct ct_session *s)
{
	return ct_ts_of(s, ct_now_ns());
}

void ct_session_set_error(struct ct_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
}

const char *ct_session_error(const struct ct_session *s)
{
	return s->errmsg[0] ? s->errmsg : NULL;
}

const struct ct_stats *ct_session_stats(const struct ct_session *s)
{
	return &s->stats;
}

int ct_session_exit_status(const struct ct_session *s)
{
	return s->main_status;
}

int ct_session_stop_signal(const struct ct_session *s)
{
	return s->stop_signal;
}

void ct_emit(struct ct_session *s, struct ct_event *ev, const struct ct_regs *regs)
{
	ev->seq = s->seq++;
	if (!ev->ts_ns)
		ev->ts_ns = ct_ts_of(s, ct_now_ns());
	ev->arch = s->arch;
	ev->regs = s->opts.regs ? regs : NULL;
	s->stats.events[ev->type]++;
	if (s->opts.out && ct_output_event(s->opts.out, ev) < 0 && !s->fatal) {
		ct_session_set_error(s, "writing events: %s", strerror(errno ? errno : EIO));
		s->fatal = -EIO;
	}
}

struct ct_session *ct_session_new(const struct ct_session_opts *opts)
{
	struct ct_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->arch = ct_arch_host();
	if (!s->arch) {
		free(s);
		errno = ENOTSUP;
		return NULL;
	}
	s->opts = *opts;
	if (!s->opts.string_limit)
		s->opts.string_limit = CT_DEFAULT_STRING_LIMIT;
	ct_hashmap_init(&s->threads);
	ct_hashmap_init(&s->procs);
	ct_hashmap_init(&s->early);
	s->elf_cache = ct_elf_cache_new();
	if (!s->elf_cache) {
		free(s);
		return NULL;
	}
	s->main_status = -1;
	s->t0_ns = ct_now_ns();
	/* what the patterns matched counts from here (the REPL runs again) */
	ct_patterns_reset_counts(s->opts.patterns);
	return s;
}

void ct_session_free(struct ct_session *s)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!s)
		return;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		ct_shadow_fini(&((struct ct_thread *)val)->stack);
		ct_sigframe_forget(val);
		free(val);
	}
	ct_hashmap_fini(&s->threads);
	it = 0;
	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		struct ct_proc *p = val;

		ct_mm_put(s, p->mm);
		free(p);
	}
	ct_hashmap_fini(&s->procs);
	ct_hashmap_fini(&s->early);
	ct_edits_fini(s);
	ct_modrt_reap(s, true);
	ct_elf_cache_free(s->elf_cache);
	free(s->typed_buf);
	free(s->fp_batch);
	ct_labels_free(s->labels);
	free(s->main_exe);
	free(s->spawn_argv0);
	/* after the address spaces: they retract their entries */
	ct_guard_stop(s->guard);
	free(s);
}

struct ct_thread *ct_thread_add(struct ct_session *s, struct ct_proc *p, pid_t tid,
				enum ct_thread_state st)
{
	struct ct_thread *t = calloc(1, sizeof(*t));
	bool was_idle = ct_all_held(s);
	uint64_t now = ct_now_ns();

	if (!t)
		return NULL;
	t->tid = tid;
	t->proc = p;
	t->state = st;
	if (ct_hashmap_put(&s->threads, (uint64_t)tid, t) < 0) {
		free(t);
		return NULL;
	}
	p->nr_threads++;
	/* stopped, or stopped at birth (NEW): held until resumed */
	if (st == CT_TS_STOPPED || st == CT_TS_NEW) {
		t->stop_ns = now;
		s->nr_held++;
	}
	ct_idle_update(s, was_idle, now);
	return t;
}

struct ct_thread *ct_proc_thread(struct ct_session *s, const struct ct_proc *p,
				  const struct ct_thread *except)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val))
		if (((struct ct_thread *)val)->proc == p && val != except)
			return val;
	return NULL;
}

void ct_proc_drop_threads(struct ct_session *s, const struct ct_proc *p,
			  const struct ct_thread *except)
{
	struct ct_thread *t;

	while ((t = ct_proc_thread(s, p, except)))
		ct_thread_remove(s, t);
}

void ct_thread_remove(struct ct_session *s, struct ct_thread *t)
{
	bool was_idle;

	ct_fast_thread_gone(s, t);
	ct_thread_released(s, t);
	was_idle = ct_all_held(s);
	ct_hashmap_del(&s->threads, (uint64_t)t->tid);
	ct_idle_update(s, was_idle, ct_now_ns());
	t->proc->nr_threads--;
	ct_shadow_fini(&t->stack);
	ct_sigframe_forget(t);
	free(t);
	/* its frames may have been the last to name a dead module */
	if (s->dead_mods)
		ct_modrt_reap(s, false);
}

struct ct_thread *ct_mm_injector_thread(struct ct_session *s, const struct ct_mm *mm)
{
	struct ct_thread *best = NULL;
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;

		if (t->proc->mm != mm || t->state != CT_TS_STOPPED || t->in_vfork)
			continue;
		if (!best || (best->group_stopped && !t->group_stopped))
			best = t;
	}
	return best;
}

struct ct_proc *ct_proc_add(struct ct_session *s, pid_t pid, struct ct_mm *mm)
{
	struct ct_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->mm = mm;
	if (ct_hashmap_put(&s->procs, (uint64_t)pid, p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void ct_proc_remove(struct ct_session *s, struct ct_proc *p)
{
	ct_hashmap_del(&s->procs, (uint64_t)p->pid);
	ct_mm_put(s, p->mm);
	free(p);
}

int ct_thread_resume(struct ct_session *s, struct ct_thread *t)
{
	int sig = t->pending_sig, ret;

	ct_thread_released(s, t);
	if (t->stepping) {
		/* its displaced copy first; a pending signal waits for step_done */
		t->state = CT_TS_RUNNING;
		ret = ct_ptrace_step(t->tid, 0);
		return ret == -ESRCH ? 0 : ret;
	}
	t->pending_sig = 0;
	/* a handler's frame never holds a pc in a trampoline */
	if (sig && t->proc->mm && t->proc->mm->fast && !t->group_stopped) {
		ret = ct_fast_out_of_trampoline(s, t);
		if (ret == -ESRCH)
			return 0;
	}
	if (t->group_stopped) {
		t->group_stopped = false;
		t->state = CT_TS_GROUP_STOP;
		ret = ct_ptrace_listen(t->tid);
		if (ret == -EIO) {
			/* Not in a group-stop trap any more (we ran injected code in
			 * it): interrupt and continue, so it traps before any user
			 * instruction with PTRACE_EVENT_STOP for the group-stop still
			 * in force, which we then LISTEN to. */
			t->state = CT_TS_RUNNING;
			ret = ct_ptrace_interrupt(t->tid);
			if (ret == 0)
				ret = ct_ptrace_cont(t->tid, sig);
		}
	} else if (!sig || !ct_sigframe_resume(s, t, sig, &ret)) {
		t->state = CT_TS_RUNNING;
		ret = ct_ptrace_cont(t->tid, sig);
	}
	return ret == -ESRCH ? 0 : ret;
}

int ct_session_spawn(struct ct_session *s, char *const argv[])
{
	struct ct_injector inj;
	struct ct_regs regs;
	struct ct_thread *t;
	struct ct_proc *p;
	struct ct_mm *mm;
	pid_t pid;
	int ret;

	free(s->spawn_argv0);
	s->spawn_argv0 = strdup(argv[0]); /* for the end notes: NULL is no harm */
	ret = ct_ptrace_spawn(argv, s->opts.child_mask, &pid);
	if (ret < 0) {
		ct_session_set_error(s, "cannot run '%s': %s", argv[0], strerror(-ret));
		return ret;
	}
	s->main_pid = pid;
	mm = ct_mm_new(s, pid);
	p = mm ? ct_proc_add(s, pid, mm) : NULL;
	t = p ? ct_thread_add(s, p, pid, CT_TS_STOPPED) : NULL;
	if (!t) {
		ret = -ENOMEM;
		goto fail;
	}
	p->followed = true;
	p->spawned = true;
	ret = ct_ptrace_finish_syscall(pid);
	if (ret == 0)
		ret = ct_regs_get(pid, s->arch, &regs);
	if (ret < 0)
		goto fail;
	inj = (struct ct_injector){ .tid = pid, .regs = &regs, .world_stopped = true };
	ret = ct_mm_scan(s, mm, &inj);
	if (ret == 0 && s->opts.new_pgrp)
		ret = ct_spawn_new_pgrp(s, mm, &inj);
	if (ret < 0)
		goto fail;
	if (s->opts.pause_at_start)
		return ct_spawn_pause(s, mm, t);
	return ct_thread_resume(s, t);
fail:
	if (ct_remote_refusal(ret) && s->errmsg[0]) {
		char why[sizeof(s->errmsg)];

		snprintf(why, sizeof(why), "%s", s->errmsg);
		ct_session_set_error(s, "cannot trace '%s': %s", argv[0], why);
	} else if (!s->errmsg[0]) {
		ct_session_set_error(s, "preparing '%s': %s", argv[0], strerror(-ret));
	}
	/* it has not run a single instruction of its own yet */
	kill(pid, SIGKILL);
	return ret;
}

/* ---- the loop ---- */

static bool nothing_left(struct ct_session *s)
{
	return s->procs.n == 0;
}

/* A stop request.  With -p it ends the session (detach).  A program we
 * started gets SIGTERM/SIGHUP passed on, and SIGINT when it was sent to
 * calltrap alone (a terminal's SIGINT reaches the program itself, as it
 * shares our process group); tracing goes on until it exits. */
static bool on_stop_signal(struct ct_session *s, int sig, bool user_sent)
{
	struct ct_proc *p = ct_hashmap_get(&s->procs, (uint64_t)s->main_pid);

	if (!p || !p->spawned) {
		s->stop_signal = sig;
		return true;
	}
	if (sig != SIGALRM && (sig != SIGINT || user_sent))
		kill(p->pid, sig);
	return false;
}

int ct_session_run(struct ct_session *s, struct ct_stop_request *stop)
{
	int status, ret;
	pid_t tid;

	if (s->holding) {
		ret = ct_session_resume_all(s);
		if (ret < 0)
			return ret;
	}
	stop->wake_tid = s->main_pid;
	while (!nothing_left(s) && !s->fatal) {
		if (stop->sig) {
			int sig = stop->sig;

			stop->sig = 0;
			if (s->opts.interactive) {
				/* the REPL's ^C: stop here, keep everything */
				stop->wake_tid = 0;
				s->stop_signal = sig;
				ret = ct_session_stop_all(s);
				if (ret < 0)
					return ret;
				if (s->fatal)
					break;
				stop->sig = sig; /* for the caller to see (and clear) */
				return nothing_left(s) ? 0 : CT_RUN_STOPPED;
			}
			if (on_stop_signal(s, sig, stop->user_sent))
				break;
		}
		tid = ct_ptrace_wait(-1, &status, false, s->opts.spin_us);
		if (tid == 0) {
			/* idle: make the events so far visible, then sleep; a reader
			 * that went away ends the session like a failed write */
			int err = s->opts.out ? ct_output_idle(s->opts.out) : 0;

			if (err < 0) {
				ct_session_set_error(s, "writing events: %s", strerror(-err));
				s->fatal = -EIO;
				break;
			}
			tid = s->nr_fast ? ct_fast_wait(s, &status, stop) :
					   ct_ptrace_wait(-1, &status, true, 0);
		}
		/* the rings are read between stops too, when stops keep coming */
		if (s->nr_fast && ct_now_ns() - s->fast_tick_ns >= CT_FAST_TICK_NS)
			ct_fast_tick(s);
		if (tid > 0)
			ct_handle_wait(s, tid, status);
		else if (tid == -ECHILD)
			break;
	}
	stop->wake_tid = 0;
	if (!nothing_left(s))
		return ct_detach_all(s) < 0 && !s->fatal ? -EIO : s->fatal;
	return s->fatal;
}
