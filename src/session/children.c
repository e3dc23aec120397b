/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * New threads, forked and vforked children, and exec (DESIGN.md "Children").
 *
 * - A thread joins its process: same address space, new shadow stack.
 * - A forked child has its own copy of memory, breakpoints included.
 *   Unfollowed, it gets every breakpoint and scratch area removed at its
 *   first stop, before it runs a single instruction, and is detached.
 *   Followed (-f), it gets a copy of the parent's breakpoint tables.
 * - A vfork/CLONE_VM child shares the parent's memory, so nothing can be
 *   removed: it stays attached, its hits passed through silently, until it
 *   execs (then detached, or traced afresh with -f) or exits.
 * - After exec the address space is new: modules and sites are resolved
 *   again for the new image.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "children"
#include "util/log.h"

static bool shares_mm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0;
}

/* Seize child, a process sharing p's memory, as the event path adds a
 * vfork child: not followed, its hits passed through silently. */
static int adopt_vm_child(struct ct_session *s, struct ct_proc *p, pid_t child)
{
	struct ct_proc *cp;
	struct ct_thread *nt;
	int ret;

	ret = ct_ptrace_seize(child, true);
	if (ret < 0)
		return ret;
	cp = ct_proc_add(s, child, p->mm);
	if (!cp)
		return -ENOMEM;
	p->mm->refs++;
	nt = ct_thread_add(s, cp, child, CT_TS_NEW);
	if (!nt)
		return -ENOMEM;
	nt->interrupted = true;
	return 0;
}

int ct_attach_vfork_children(struct ct_session *s, struct ct_proc *p)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret = 0;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		char path[64], list[4096], *tok, *save;
		ssize_t n;
		int fd;

		if (t->proc != p)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p->pid, (int)t->tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone, or a kernel without the file */
		n = read(fd, list, sizeof(list) - 1);
		close(fd);
		if (n <= 0)
			continue;
		list[n] = '\0';
		for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			pid_t child = (pid_t)atoi(tok);

			if (child <= 0 || ct_hashmap_get(&s->threads, (uint64_t)child) ||
			    !shares_mm(p->pid, child))
				continue;
			/* it runs in our memory, breakpoints included */
			ret = adopt_vm_child(s, p, child);
			if (ret == -ESRCH)
				ret = 0; /* exited meanwhile */
			if (ret < 0) {
				ct_session_set_error(s, "attach %d: its child %d shares its memory "
						     "and cannot be traced: %s", (int)p->pid,
						     (int)child, strerror(-ret));
				return ret;
			}
			/* CLONE_VFORK keeps its parent in the kernel (killable
			 * sleep, "D") until the child execs or exits */
			if (ct_proc_task_state(p->pid, t->tid) == 'D')
				t->in_vfork = true;
		}
	}
	return ret;
}

static int copy_stack(struct ct_shadow *dst, const struct ct_shadow *src)
{
	size_t i;
	int ret;

	for (i = 0; i < src->n; i++) {
		ret = ct_shadow_push(dst, &src->v[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int resume_early(struct ct_session *s, pid_t tid)
{
	void *st = ct_hashmap_del(&s->early, (uint64_t)tid);

	if (!st)
		return 0;
	return ct_handle_wait(s, tid, (int)((uintptr_t)st - 1));
}

int ct_on_clone_event(struct ct_session *s, struct ct_thread *t, int event)
{
	struct ct_proc *p = t->proc, *cp;
	struct ct_event ev = { 0 };
	struct ct_thread *nt;
	unsigned long msg;
	pid_t child;
	int ret;

	ret = ct_ptrace_geteventmsg(t->tid, &msg);
	if (ret < 0)
		return ret == -ESRCH ? 0 : ret;
	child = (pid_t)msg;
	ev.pid = p->pid;
	ev.tid = t->tid;

	if (event == PTRACE_EVENT_CLONE && ct_hashmap_get(&s->threads, (uint64_t)child)) {
		/* during attach, seize_all() found the new thread in /proc
		 * before its creator reported the event: nothing to add */
	} else if (event == PTRACE_EVENT_CLONE &&
		   ct_proc_status_field(child, "Tgid") == p->pid) {
		nt = ct_thread_add(s, p, child, CT_TS_NEW);
		if (!nt)
			return -ENOMEM;
		ev.type = CT_EV_THREAD_START;
		ev.tid = child;
		ev.parent = t->tid;
		if (p->followed)
			ct_emit(s, &ev, NULL);
	} else {
		bool shared = event == PTRACE_EVENT_VFORK || shares_mm(p->pid, child);
		struct ct_mm *mm;

		if (shared) {
			mm = p->mm;
			mm->refs++;
		} else {
			mm = ct_mm_fork(s, p->mm, child);
			if (!mm)
				return -errno;
		}
		cp = ct_proc_add(s, child, mm);
		if (!cp) {
			ct_mm_put(s, mm);
			return -ENOMEM;
		}
		cp->followed = s->opts.follow_forks && p->followed;
		nt = ct_thread_add(s, cp, child, CT_TS_NEW);
		if (!nt)
			return -ENOMEM;
		nt->cleanup_child = !shared && !cp->followed;
		/* it returns from fork() through the parent's frames */
		if (cp->followed && copy_stack(&nt->stack, &t->stack) < 0)
			return -ENOMEM;
		ev.type = CT_EV_FORK;
		ev.child = child;
		ev.flags = (shared ? CT_EVF_VFORK : 0) | (cp->followed ? CT_EVF_FOLLOWED : 0);
		if (p->followed)
			ct_emit(s, &ev, NULL);
	}
	/* Resumed, a vforking thread waits in the kernel until its child execs
	 * or exits (PTRACE_EVENT_VFORK_DONE): it cannot stop before that.  Set
	 * before the child's first stop is handled (resume_early), which must
	 * know that its parent is (about to be) blocked: it borrows its ring */
	t->in_vfork = event == PTRACE_EVENT_VFORK;
	ret = resume_early(s, child);
	if (ret < 0)
		return ret;
	if (t->in_vfork && (ct_keep_stopped(s) || s->attaching)) {
		/* Not moved to the syscall's exit, which is past that wait: it
		 * stays at its event stop, where no code is injected into it
		 * (ct_mm_injector_thread), and detaches from there. */
		return 0;
	}
	if (ct_keep_stopped(s) || s->attaching) {
		/* It stays stopped while we write into the process, maybe running
		 * injected code in it: the event stop is inside clone/fork, whose
		 * return value the kernel stores on the way out, so move it to
		 * the syscall-exit-stop first (see ct_ptrace_finish_syscall). */
		ret = ct_ptrace_finish_syscall(t->tid);
		return ret == -ESRCH ? 0 : ret;
	}
	return ct_thread_resume(s, t);
}

/* An unfollowed forked child, at its first stop: take every breakpoint and
 * scratch area out of its copy of memory, then let it go. */
static int clean_and_detach(struct ct_session *s, struct ct_thread *t)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_injector inj;
	struct ct_regs regs;
	uint64_t pc;
	int ret;

	ret = ct_regs_get(t->tid, s->arch, &regs);
	if (ret < 0)
		goto out;
	if (ct_bpset_translate_pc(&mm->bps, s->arch->pc(&regs), &pc) == 0) {
		s->arch->set_pc(&regs, pc);
		ct_regs_set(t->tid, s->arch, &regs);
	}
	ret = ct_bpset_remove_all(&mm->bps);
	inj = (struct ct_injector){ .tid = t->tid, .regs = &regs, .world_stopped = true };
	if (ret == 0 && !ct_bpset_in_scratch(&mm->bps, s->arch->pc(&regs)))
		ret = ct_bpset_unmap_areas(&mm->bps, &inj);
	ct_ptrace_detach(t->tid, t->pending_sig);
out:
	if (ct_remote_refusal(ret))
		ct_warn("cleaning forked child %d: %s munmap: calltrap's scratch pages stay mapped",
			(int)t->tid, ct_remote_refusal(ret));
	else if (ret < 0 && ret != -ESRCH)
		ct_warn("cleaning forked child %d: %s", (int)t->tid, strerror(-ret));
	{
		struct ct_proc *p = t->proc;

		ct_thread_remove(s, t);
		ct_proc_remove(s, p);
	}
	return 0;
}

int ct_on_first_stop(struct ct_session *s, struct ct_thread *t, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;

	t->state = CT_TS_STOPPED;
	t->in_vfork = false; /* seized inside vfork: it has left it (VFORK_DONE) */
	if (event == PTRACE_EVENT_STOP) {
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			t->group_stopped = true;
	} else if (event == 0 && sig != SIGTRAP) {
		/* a signal got there before our interrupt: keep it for the tracee */
		t->pending_sig = sig;
	}
	/* a fork child, before it runs: its rings are not its parent's */
	if (t->proc->mm->fast_shared && ct_fast_forked(s, t) == -ESRCH)
		return 0;
	if (t->cleanup_child)
		return clean_and_detach(s, t);
	if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
	    event == PTRACE_EVENT_VFORK) {
		/* Seized inside clone/fork: its event comes before our
		 * interrupt's stop.  Handled like any such event, which also
		 * moves the thread out of the syscall before code is injected
		 * into it (the syscall's return value would overwrite a
		 * register of the injected call). */
		t->interrupted = false;
		s->stats.stops_other++;
		return ct_on_clone_event(s, t, event);
	}
	if (t->interrupted && s->attaching) {
		/* attach in progress: stays stopped until everything is seized */
		t->interrupted = false;
		return 0;
	}
	t->interrupted = false;
	/* a new thread of a fast address space gets its ring before it runs */
	if (t->proc->mm->fast && !t->fp_ring1) {
		struct ct_regs regs;

		if (ct_regs_get(t->tid, s->arch, &regs) == 0)
			ct_fast_thread_new(s, t, &regs);
	}
	return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, t);
}

static void exec_path(pid_t pid, char *buf, size_t n)
{
	char link[64];
	ssize_t r;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	r = readlink(link, buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
}

int ct_on_exec_event(struct ct_session *s, struct ct_thread *t)
{
	struct ct_proc *p = t->proc;
	struct ct_event ev = { 0 };
	struct ct_thread *et = t;
	char path[PATH_MAX], errmsg[sizeof(s->errmsg)];
	struct ct_injector inj;
	struct ct_regs regs;
	unsigned long former = (unsigned long)t->tid;
	int ret;

	/* A non-leader that execs takes the leader's tid; every other thread
	 * is gone (ptrace(2), "execve(2) under ptrace"). */
	ct_ptrace_geteventmsg(t->tid, &former);
	if ((pid_t)former != t->tid) {
		struct ct_thread *ft = ct_hashmap_get(&s->threads, (uint64_t)former);

		if (ft) {
			uint64_t now = ct_now_ns();
			bool was_idle;

			/* ft takes the place of t, held at this exec */
			ct_unwind_all(s, t);
			ct_thread_released(s, t);
			ct_thread_held(s, ft, now);
			was_idle = ct_all_held(s);
			ct_hashmap_del(&s->threads, (uint64_t)former);
			ct_hashmap_del(&s->threads, (uint64_t)t->tid);
			p->nr_threads--;
			ct_shadow_fini(&t->stack);
			free(t);
			ft->tid = p->pid;
			ct_hashmap_put(&s->threads, (uint64_t)p->pid, ft);
			ct_idle_update(s, was_idle, now);
			et = ft;
		}
	}
	for (;;) {
		struct ct_thread *o = ct_proc_thread(s, p, et);

		if (!o)
			break;
		ct_unwind_all(s, o);
		ct_thread_remove(s, o);
	}
	ct_unwind_all(s, et);
	et->stepping = NULL;

	if (!p->followed) {
		/* an unfollowed vfork child: its new image has no breakpoints */
		ct_ptrace_detach(et->tid, 0);
		ct_thread_remove(s, et);
		ct_proc_remove(s, p);
		return 0;
	}
	exec_path(p->pid, path, sizeof(path));
	ev.type = CT_EV_EXEC;
	ev.pid = p->pid;
	ev.tid = et->tid;
	ev.path = path;
	ct_emit(s, &ev, NULL);

	/* its ring was in the old memory (a vfork child gives its parent's
	 * back) */
	ct_fast_thread_gone(s, et);
	ct_mm_put(s, p->mm);
	p->mm = ct_mm_new(s, p->pid);
	if (!p->mm) {
		ret = -errno;
		goto fail;
	}
	ret = ct_ptrace_finish_syscall(et->tid);
	if (ret == 0)
		ret = ct_regs_get(et->tid, s->arch, &regs);
	if (ret < 0)
		goto fail;
	inj = (struct ct_injector){ .tid = et->tid, .regs = &regs, .world_stopped = true };
	snprintf(errmsg, sizeof(errmsg), "%s", s->errmsg);
	ret = ct_mm_scan(s, p->mm, &inj);
	if (ct_remote_refusal(ret)) {
		/* its seccomp filter came through exec: run it untraced, without
		 * the breakpoints the scan placed before its scratch pages were
		 * refused (those whose instruction is emulated need none) */
		ct_warn("after exec of %s: %s: its functions are not traced", path, s->errmsg);
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", errmsg);
		ret = ct_bpset_remove_all(&p->mm->bps);
	}
	if (ret < 0)
		goto fail;
	return ct_keep_stopped(s) ? 0 : ct_thread_resume(s, et);
fail:
	if (ret == -ESRCH)
		return 0;
	if (!s->errmsg[0])
		ct_session_set_error(s, "after exec of %s: %s", path, strerror(-ret));
	s->fatal = ret;
	return ret;
}
