/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking a snapshot (see stacks.h for the order of things and why). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stacks/internal.h"

#define CT_LOG_DOMAIN "stacks"
#include "util/log.h"

#define DEFAULT_MAX_FRAMES 256
#define DEFAULT_TIMEOUT_MS 2000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const struct ct_stack_thread *ct_snapshot_thread(const struct ct_snapshot *snap, pid_t tid)
{
	unsigned i;

	for (i = 0; i < snap->nr_threads; i++)
		if (snap->threads[i].tid == tid)
			return &snap->threads[i];
	return NULL;
}

void ct_snapshot_free(struct ct_snapshot *snap)
{
	unsigned i;

	if (!snap)
		return;
	for (i = 0; i < snap->nr_threads; i++)
		free(snap->threads[i].frames);
	free(snap->threads);
	for (i = 0; i < snap->nr_deadlocks; i++)
		free(snap->deadlocks[i].tids);
	free(snap->deadlocks);
	ct_symbolizer_free(snap->sym);
	ct_labels_free(snap->labels);
	free(snap);
}

/* leader first, then by tid */
static int by_tid(const void *a, const void *b, void *leader)
{
	const struct ct_stack_thread *x = a, *y = b;
	pid_t sort_leader = *(const pid_t *)leader;

	if (x->tid == y->tid)
		return 0;
	if (x->tid == sort_leader || y->tid == sort_leader)
		return x->tid == sort_leader ? -1 : 1;
	return x->tid < y->tid ? -1 : 1;
}

/*
 * A sleep or timed wait that was interrupted once (by an earlier snapshot,
 * a SIGSTOP, a debugger) goes on as restart_syscall, which the registers
 * cannot tell apart; the libc wrapper the thread is in can.  Its arguments
 * are still in the registers: restart_syscall changes only the number.
 */
static void resolve_restart(struct ct_snapshot *snap, const struct ct_stacks_arch *sa,
			    struct ct_stack_thread *t)
{
	uint64_t pc = snap->arch->pc(&t->regs);
	const char *sym, *at;
	Dwfl_Module *mod;
	char name[64];
	size_t len;
	long nr;

	if (!snap->sym || !t->sys.name || strcmp(t->sys.name, "restart_syscall") != 0)
		return;
	/* the symbol table only: source lines would load DWARF now, while
	 * the process waits */
	mod = dwfl_addrmodule(ct_symbolizer_dwfl(snap->sym), pc);
	sym = mod ? dwfl_module_addrname(mod, pc) : NULL;
	if (!sym)
		return;
	if (!strncmp(sym, "__GI_", 5))
		sym += 5;
	while (*sym == '_')
		sym++;
	at = strchr(sym, '@');
	len = at ? (size_t)(at - sym) : strlen(sym);
	if (len >= sizeof(name))
		return;
	memcpy(name, sym, len);
	name[len] = '\0';
	if (len > 7 && !strcmp(name + len - 7, "_time64"))
		name[len - 7] = '\0';
	if (strstr(name, "futex") || strstr(name, "lll_lock"))
		snprintf(name, sizeof(name), "futex");
	nr = ct_sysnr_by_name(sa, name);
	if (nr < 0)
		return;
	t->sys.nr = nr;
	t->sys.name = ct_sysname(sa, nr);
	t->sys.restarted = true;
}

/* Everything that needs the process stopped: registers, system calls and
 * what they wait on, the raw backtraces. */
static void read_stopped(struct ct_snapshot *snap, const struct ct_stacks_arch *sa,
			 struct ct_memcache *mc, const struct ct_stacks_opts *o)
{
	unsigned max_frames = o->max_frames ? o->max_frames : DEFAULT_MAX_FRAMES;
	struct ct_unwinder *u = NULL;
	unsigned i;

	for (i = 0; i < snap->nr_threads; i++) {
		struct ct_stack_thread *t = &snap->threads[i];

		if (!t->stopped)
			continue;
		if (ct_regs_get(t->tid, snap->arch, &t->regs) < 0) {
			/* killed under us (SIGKILL wakes even a ptrace-stop) */
			t->stopped = false;
			t->exited = true;
			continue;
		}
		if (o->map_pc) {
			uint64_t pc;

			if (o->map_pc(o->map_ctx, t->tid, snap->arch->pc(&t->regs), &pc) == 0)
				snap->arch->set_pc(&t->regs, pc);
		}
		sa->syscall_at_stop(sa, snap->arch, &t->regs, mc, &t->sys);
		resolve_restart(snap, sa, t);
		ct_sys_decode(&t->sys, snap->pid, mc);
		ct_locks_classify(sa, snap, t, mc);
	}
	if (snap->sym)
		u = ct_unwinder_new(snap, sa, mc);
	for (i = 0; i < snap->nr_threads; i++) {
		struct ct_stack_thread *t = &snap->threads[i];

		if (!t->stopped)
			continue;
		if (u) {
			if (ct_unwind_thread(u, t, max_frames) < 0)
				snprintf(t->unwind_end, sizeof(t->unwind_end), "out of memory");
		} else {
			t->frames = calloc(1, sizeof(*t->frames));
			if (t->frames) {
				t->frames[0].pc = snap->arch->pc(&t->regs);
				t->frames[0].activation = true;
				t->nr_frames = 1;
			}
			snprintf(t->unwind_end, sizeof(t->unwind_end),
				 "no module list for this process");
		}
	}
	ct_unwinder_free(u);
}

/* Frame f, or before it the functions inlined where it is (innermost
 * first), appended to out[*n]; out has room for them.  0 or -ENOMEM. */
static int add_frame(struct ct_snapshot *snap, const struct ct_frame *f, uint64_t lookup,
		     struct ct_frame *out, unsigned *n)
{
	const struct ct_symloc *chain;
	unsigned k, i;
	int ret;

	out[*n] = *f;
	if (!snap->sym)
		goto physical;
	ret = ct_symbolizer_lookup(snap->sym, lookup, &out[*n].loc);
	if (ret == -ENOMEM)
		return ret;
	ret = ct_symbolizer_inlined(snap->sym, lookup, &chain, &k);
	if (ret < 0)
		return ret;
	for (i = 0; i < k; i++) {
		out[*n] = *f;
		out[*n].loc = chain[i];
		(*n)++;
	}
	if (k) {
		out[*n] = *f;
		out[*n].loc = chain[k];
	}
physical:
	/* a return address is after the call: look up the call (its line,
	 * its function if the call ends one), but show the offset of the
	 * return address itself */
	if (!f->activation && out[*n].loc.func)
		out[*n].loc.offset += 1;
	(*n)++;
	return 0;
}

/* A thread's frames with names, and the inlined ones added.  0 or -ENOMEM
 * (the frames are then left without names). */
static int symbolize_frames(struct ct_snapshot *snap, struct ct_stack_thread *t)
{
	struct ct_frame *out;
	unsigned i, n = 0, cap = t->nr_frames;
	int ret;

	/* a first pass counts the inlined frames */
	for (i = 0; i < t->nr_frames && snap->sym; i++) {
		const struct ct_frame *f = &t->frames[i];
		uint64_t pc = snap->arch->code_addr_mask & f->pc;
		const struct ct_symloc *chain;
		unsigned k;

		ret = ct_symbolizer_inlined(snap->sym, f->activation ? pc : pc - 1, &chain, &k);
		if (ret < 0)
			return ret;
		cap += k;
	}
	out = calloc(cap ? cap : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (i = 0; i < t->nr_frames; i++) {
		const struct ct_frame *f = &t->frames[i];
		uint64_t pc = snap->arch->code_addr_mask & f->pc;

		ret = add_frame(snap, f, f->activation ? pc : pc - 1, out, &n);
		if (ret < 0) {
			free(out);
			return ret;
		}
	}
	free(t->frames);
	t->frames = out;
	t->nr_frames = n;
	return 0;
}

/* With short names, the label of every frame's function: the names of
 * the whole snapshot told apart together (util/cxxname.h). */
static void label_frames(struct ct_snapshot *snap)
{
	unsigned i, j;

	snap->labels = ct_labels_new();
	if (!snap->labels)
		return; /* full names then */
	for (i = 0; i < snap->nr_threads; i++)
		for (j = 0; j < snap->threads[i].nr_frames; j++)
			if (snap->threads[i].frames[j].loc.func)
				(void)ct_labels_add(snap->labels, snap->threads[i].frames[j].loc.func);
	for (i = 0; i < snap->nr_threads; i++)
		for (j = 0; j < snap->threads[i].nr_frames; j++) {
			struct ct_symloc *loc = &snap->threads[i].frames[j].loc;

			if (loc->func)
				loc->label = ct_labels_get(snap->labels, loc->func);
		}
}

/* After the detach: names for the frames and the data addresses, where
 * each thread waits. */
static void symbolize(struct ct_snapshot *snap, enum ct_demangle demangle)
{
	unsigned i, j;

	for (i = 0; i < snap->nr_threads; i++) {
		struct ct_stack_thread *t = &snap->threads[i];

		t->wait_frame = -1;
		if (symbolize_frames(snap, t) < 0)
			snprintf(t->unwind_end, sizeof(t->unwind_end), "out of memory");
		for (j = 0; j < t->nr_frames; j++) {
			const struct ct_frame *f = &t->frames[j];

			if (t->wait_frame < 0 && f->loc.module && !ct_is_libc_module(f->loc.module))
				t->wait_frame = (int)j;
		}
		if (!snap->sym)
			continue;
		if (t->wait.kind != CT_WAIT_NONE &&
		    ct_symbolizer_data(snap->sym, t->wait.addr, &t->wait.addr_name.name,
				       &t->wait.addr_name.off) < 0)
			t->wait.addr_name.name = NULL;
		ct_sys_name_addrs(&t->sys, snap->sym);
	}
	if (demangle == CT_DEMANGLE_SHORT)
		label_frames(snap);
}

int ct_stacks_take(const struct ct_stacks_opts *o, struct ct_snapshot **out, char *err,
		   size_t errlen)
{
	const struct ct_stacks_arch *sa;
	struct ct_stopper st = { 0 };
	struct ct_snapshot *snap;
	struct ct_memcache mc;
	struct ct_pmem mem = { .fd = -1 };
	char path[64];
	long tgid;
	ssize_t n;
	int ret;

	*out = NULL;
	err[0] = '\0';
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	snap->arch = ct_arch_host();
	sa = snap->arch ? ct_stacks_arch_get(snap->arch->elf_machine) : NULL;
	if (!sa) {
		snprintf(err, errlen, "this architecture is not supported");
		free(snap);
		return -ENOTSUP;
	}
	if (o->pid <= 0 || (kill(o->pid, 0) < 0 && errno == ESRCH)) {
		snprintf(err, errlen, "no such process");
		free(snap);
		return -ESRCH;
	}
	/* seizing one fails with EPERM, which would say "not permitted" */
	if (ct_proc_is_kthread(o->pid)) {
		snprintf(err, errlen, CT_KTHREAD_WHAT ": no user stack to show (its kernel stack "
			 "is in /proc/%d/stack)", (int)o->pid);
		free(snap);
		return -EPERM;
	}
	/* a thread id stands for its process */
	tgid = ct_proc_status_field(o->pid, "Tgid");
	snap->pid = tgid > 0 ? (pid_t)tgid : o->pid;

	st.pid = snap->pid;
	st.timeout_ms = o->stop_timeout_ms ? o->stop_timeout_ms : DEFAULT_TIMEOUT_MS;
	st.err = err;
	st.errlen = errlen;
	ret = o->nr_stopped ? ct_adopt_stopped(&st, o->stopped_tids, o->nr_stopped) :
			      ct_stop_world(&st);
	if (ret < 0) {
		free(st.threads);
		free(snap);
		return ret;
	}
	snap->threads = st.threads;
	snap->nr_threads = st.nr;
	qsort_r(snap->threads, snap->nr_threads, sizeof(*snap->threads), by_tid, &snap->pid);
	if (snap->threads[0].tid == snap->pid)
		memcpy(snap->name, snap->threads[0].name, sizeof(snap->name));
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)snap->pid);
	n = readlink(path, snap->exe, sizeof(snap->exe) - 1);
	snap->exe[n > 0 ? n : 0] = '\0';

	ret = ct_pmem_open(&mem, snap->pid);
	if (ret < 0)
		ct_dbg("open /proc/%d/mem: %s", (int)snap->pid, strerror(-ret));
	ct_memcache_init(&mc, &mem);
	snap->sym = ct_symbolizer_new(snap->pid, o->demangle != CT_DEMANGLE_NO);
	if (!snap->sym)
		ct_dbg("symbols of %d: %s", (int)snap->pid, strerror(errno));
	read_stopped(snap, sa, &mc, o);
	st.threads = snap->threads; /* sorted: the same entries */
	ct_release_world(&st);
	snap->stopped_ns = now_ns() - st.t_stop_ns;
	ct_memcache_fini(&mc);
	ct_pmem_close(&mem);

	symbolize(snap, o->demangle);
	ret = ct_locks_find_cycles(snap);
	if (ret < 0) {
		ct_snapshot_free(snap);
		snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	*out = snap;
	return 0;
}
