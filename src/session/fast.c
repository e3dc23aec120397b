/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path of an address space (docs/fastpath.md): its shared area
 * (made at attach or at the end of start-up, a fork child's own, taken
 * away at detach), its threads' rings, and the session's wait that reads
 * the rings while nothing stops.  Moving functions: fastmove.c; taking a
 * thread out of a trampoline: fastout.c; records into events: fastev.c.
 *
 * A function moves only while the world is stopped (attach, the end of
 * start-up, an edit from the REPL) and only when every check says it is
 * safe; everything else stays on breakpoints, and --stats says why, per
 * reason.  Its breakpoint is placed first as usual (ct_mm_arm_module), so
 * a function traced before the move (a constructor at start-up, a
 * library loaded while threads run) is traced all the same.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "arch/ticks.h"
#include "fastpath/inject.h"
#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "fast"
#include "util/log.h"

/* One ring per thread: 4096 records of 80 bytes (320 KiB, touched only as
 * it fills); the table twice the rings (ring.h keeps it at most half full). */
#define FAST_RINGS 256
#define FAST_RING_CAPACITY 4096
#define FAST_SLOTS 1024
/* A waiter gives up on a calltrap silent this long (SIGKILLed). */
#define FAST_HEARTBEAT_TIMEOUT_NS 1000000000ull
#define FAST_CALIBRATION_NS 5000000ull

const char *ct_fast_why_name(enum ct_fast_why why)
{
	static const char *const names[CT_FAST_NR_WHY] = {
		[CT_FAST_REGS] = "regs",
		[CT_FAST_VALUES] = "values-in-memory",
		[CT_FAST_ENTRY] = "entry",
		[CT_FAST_EXIT] = "exit",
		[CT_FAST_TAIL_EXIT] = "tail-exit",
		[CT_FAST_RETURN_POINT] = "exit-at-return-point",
		[CT_FAST_BUSY] = "busy",
		[CT_FAST_NO_ROOM] = "no-room",
		[CT_FAST_EMIT] = "emit",
	};

	return (unsigned)why < CT_FAST_NR_WHY ? names[why] : "?";
}

/* ---- threads ------------------------------------------------------- */

/* The thread of this address space that holds tp's ring, if any. */
static struct ct_thread *tp_owner(struct ct_fast *fast, uint64_t tp)
{
	for (uint32_t i = 0; i < fast->area.layout.nr_rings; i++)
		if (fast->owner[i] && fast->owner[i]->fp_tp == tp)
			return fast->owner[i];
	return NULL;
}

int ct_fast_thread_new(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs)
{
	struct ct_fast *fast = t->proc->mm->fast;
	struct ct_thread *old;
	uint64_t tp;
	int ring;

	if (!fast || t->fp_ring1)
		return 0;
	tp = s->arch->thread_pointer(regs);
	ring = ct_fp_register(&fast->area, tp);
	if (ring == -EEXIST && (old = tp_owner(fast, tp)) != NULL && old != t && old->in_vfork &&
	    old->proc != t->proc) {
		/* a vfork child on its parent's TLS: the parent runs no code
		 * until the child execs or exits; the ring is lent meanwhile,
		 * so the child's records are the child's */
		ct_fast_drain_thread(s, old);
		fast->owner[old->fp_ring1 - 1] = t;
		t->fp_ring1 = old->fp_ring1;
		t->fp_tp = tp;
		t->fp_lender = old->tid;
		old->fp_ring1 = 0;
		return 0;
	}
	if (ring == -EEXIST && (old = tp_owner(fast, tp)) != NULL && old != t) {
		/* glibc gave a dead thread's TCB to this one: the old one
		 * runs no code any more (ring.h); its records first */
		ct_fast_thread_gone(s, old);
		ring = ct_fp_register(&fast->area, tp);
	}
	if (ring < 0) {
		/* its records are counted as unregistered, the program unharmed */
		ct_dbg("thread %d: no ring (thread pointer %#lx): %s", (int)t->tid,
		       (unsigned long)tp, strerror(-ring));
		return 0;
	}
	fast->owner[ring] = t;
	t->fp_ring1 = (uint32_t)ring + 1;
	t->fp_tp = tp;
	return 0;
}

/* Threads without a ring (a spawned program's first thread had no thread
 * pointer before the dynamic linker set up its TLS), or whose thread
 * pointer moved since (arch_prctl), get one now. */
bool ct_fast_refresh_threads(struct ct_session *s, struct ct_mm *mm)
{
	bool all_tls = true;
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct ct_regs regs;

		if (t->proc->mm != mm || ct_regs_get(t->tid, s->arch, &regs) < 0)
			continue;
		if (!s->arch->thread_pointer(&regs))
			all_tls = false;
		if (t->fp_ring1 && t->fp_tp != s->arch->thread_pointer(&regs))
			ct_fast_thread_gone(s, t);
		if (!t->fp_ring1)
			ct_fast_thread_new(s, t, &regs);
	}
	return all_tls;
}

/* ---- the area -------------------------------------------------------- */

static void fast_free(struct ct_fast *fast)
{
	if (!fast)
		return;
	ct_fp_area_destroy(&fast->area);
	free(fast->tramps);
	free(fast->funcs);
	free(fast->owner);
	free(fast);
}

/* The remote end of injected system calls from inj's thread. */
static int remote_of(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj,
		     struct ct_fp_remote *rc)
{
	*rc = (struct ct_fp_remote){ .tid = inj->tid, .arch = s->arch, .mem = &mm->mem,
				     .regs = inj->regs };
	return ct_bpset_syscall_site(&mm->bps, inj, &rc->code, &rc->write_code);
}

/* The main module's range: the first scratch area goes near it. */
static struct ct_modrt *main_module(struct ct_mm *mm)
{
	for (size_t i = 0; i < mm->nr_mods; i++)
		if (mm->mods[i]->is_main)
			return mm->mods[i];
	return mm->nr_mods ? mm->mods[0] : NULL;
}

static int inject(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj,
		  const struct ct_fp_geometry *g, struct ct_fast *fast, const char **call)
{
	struct ct_modrt *m = main_module(mm);
	struct ct_fp_remote rc;
	int ret;

	*call = "mmap";
	if (!m)
		return -ENOENT;
	/* the memfd's name, where the kernel reads it: calltrap's memory */
	ret = ct_bpset_code_alloc(&mm->bps, m->m.lo, m->m.hi, CT_FP_MEMFD_NAME_SIZE, inj,
				  &fast->name);
	if (ret == 0)
		ret = remote_of(s, mm, inj, &rc);
	if (ret < 0)
		return ret;
	rc.name = fast->name;
	return ct_fp_area_inject(&fast->area, g, &rc, &fast->remote, call);
}

int ct_fast_enable(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	const struct ct_fp_geometry g = {
		.nr_slots = FAST_SLOTS,
		.nr_rings = FAST_RINGS,
		.ring_capacity = FAST_RING_CAPACITY,
	};
	struct ct_fast *fast;
	const char *call = NULL;
	int ret;

	if (!s->opts.fast || mm->fast || mm->fast_refused || !s->arch->tramp_entry ||
	    !inj->world_stopped)
		return 0;
	if (!s->fp_clock_done) {
		s->fp_clock_done = true;
		ret = ct_fp_clock_calibrate(&s->fp_clock, FAST_CALIBRATION_NS);
		if (ret < 0) {
			ct_warn("cannot calibrate the %s counter: %s: tracing on breakpoints",
				ct_ticks_name(), strerror(-ret));
			s->fp_clock.ticks_per_sec = 0;
		}
		ct_fp_clock_format(&s->fp_clock, ct_ticks_name(), s->stats.fast_clock,
				   sizeof(s->stats.fast_clock));
	}
	if (!s->fp_clock.ticks_per_sec) {
		mm->fast_refused = true;
		return 0;
	}
	fast = calloc(1, sizeof(*fast));
	if (!fast)
		return -ENOMEM;
	fast->owner = calloc(g.nr_rings, sizeof(*fast->owner));
	if (!fast->owner) {
		free(fast);
		return -ENOMEM;
	}
	fast->area.fd = -1;
	fast->clock = s->fp_clock;
	fast->geometry = g;
	ret = inject(s, mm, inj, &g, fast, &call);
	if (ret < 0) {
		mm->fast_refused = true;
		fast_free(fast);
		if (ret == -ESRCH || ret == -ENOMEM)
			return ret;
		if (ct_remote_refusal(ret))
			ct_warn("process %d: %s %s: tracing on breakpoints", (int)mm->pid,
				ct_remote_refusal(ret), call);
		else
			ct_warn("process %d: cannot map the fast path's rings (%s: %s): tracing "
				"on breakpoints", (int)mm->pid, call, strerror(-ret));
		return 0;
	}
	ct_fp_set_clock(&fast->area, &fast->clock);
	ct_fp_set_heartbeat_timeout(&fast->area,
				    ct_fp_clock_ticks(&fast->clock, FAST_HEARTBEAT_TIMEOUT_NS));
	ct_fp_heartbeat(&fast->area, ct_ticks_now());
	mm->fast = fast;
	if (!s->nr_fast++)
		s->fast_tick_ns = ct_now_ns();
	s->clock_runs = true;
	/* every thread that exists now; later ones at their first stop */
	ct_fast_refresh_threads(s, mm);
	return 0;
}

/* ---- running ---------------------------------------------------------- */

size_t ct_fast_tick(struct ct_session *s)
{
	uint64_t now = ct_ticks_now();
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		struct ct_proc *p = val;

		if (p->mm && p->mm->fast)
			ct_fp_heartbeat(&p->mm->fast->area, now);
	}
	s->fast_tick_ns = ct_now_ns();
	return ct_fast_drain_all(s);
}

pid_t ct_fast_wait(struct ct_session *s, int *status, const struct ct_stop_request *stop)
{
	const struct timespec idle = { 0, CT_FAST_TICK_NS };
	const struct timespec busy = { 0, 0 };
	size_t drained = 1;
	sigset_t chld;

	/* sigtimedwait sleeps until the SIGCHLD of the next ptrace stop,
	 * which must stay pending for that, not be discarded: blocked
	 * (calltrap's own mask; the caller puts its mask back at the end) */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		pid_t r = waitpid(-1, status, __WALL | WNOHANG);

		if (r != 0)
			return r < 0 ? -errno : r;
		if (stop->sig)
			return -EINTR;
		/* sleep until a stop comes or the tick is due; while the
		 * rings keep filling, read them without sleeping */
		if (sigtimedwait(&chld, NULL, drained ? &busy : &idle) < 0 && errno == EAGAIN) {
			if (drained)
				sched_yield();
			drained = ct_fast_tick(s);
		}
	}
}

void ct_fast_leave(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	struct ct_fast *fast = mm->fast;
	struct ct_fp_counters c;
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!fast)
		return;
	/* nobody waits for us any more; what is in the rings is read */
	ct_fp_leave(&fast->area);
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;

		if (t->proc->mm == mm)
			ct_fast_thread_gone(s, t);
	}
	ct_fp_counters(&fast->area, &c);
	s->stats.ring_waits += c.waits;
	s->stats.ring_drops += c.drops;
	s->stats.ring_unregistered += c.unregistered;
	s->stats.ring_records += fast->records;
	s->stats.ring_unmatched += fast->unmatched;
	if (inj && fast->remote) {
		struct ct_fp_remote rc;

		/* the tracee's mapping goes when nothing can run code that
		 * uses it: with its trampolines, which a signal frame may
		 * still return into (detach.c) */
		if (remote_of(s, mm, inj, &rc) == 0 && ct_fp_area_eject(&fast->area, &rc,
									fast->remote) < 0)
			ct_dbg("process %d: the rings stay mapped", (int)mm->pid);
	}
	fast_free(fast);
	mm->fast = NULL;
	s->nr_fast--;
}

struct ct_fast *ct_fast_fork_tables(const struct ct_fast *parent)
{
	struct ct_fast *fast = calloc(1, sizeof(*fast));

	if (!fast)
		return NULL;
	fast->area.fd = -1;
	fast->remote = parent->remote;
	fast->clock = parent->clock;
	fast->geometry = parent->geometry;
	fast->owner = calloc(parent->geometry.nr_rings, sizeof(*fast->owner));
	fast->funcs = malloc((parent->nr_funcs + 1) * sizeof(*fast->funcs));
	fast->tramps = malloc((parent->nr_tramps + 1) * sizeof(*fast->tramps));
	if (!fast->owner || !fast->funcs || !fast->tramps) {
		fast_free(fast);
		return NULL;
	}
	memcpy(fast->funcs, parent->funcs, parent->nr_funcs * sizeof(*fast->funcs));
	fast->nr_funcs = fast->cap_funcs = parent->nr_funcs;
	memcpy(fast->tramps, parent->tramps, parent->nr_tramps * sizeof(*fast->tramps));
	fast->nr_tramps = fast->cap_tramps = parent->nr_tramps;
	return fast;
}

void ct_fast_free(struct ct_fast *fast)
{
	fast_free(fast);
}

/* A forked child that is not followed, or whose own area cannot be made:
 * private zeroes over the shared mapping, then the layout without a
 * thread: its trampolines find no ring and count that, in its own
 * memory. */
static int part_rings(struct ct_session *s, struct ct_thread *t, struct ct_regs *regs)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_fp_header hdr;
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = true };
	struct ct_fp_remote rc;
	uint64_t mapped;
	int ret;

	ret = remote_of(s, mm, &inj, &rc);
	if (ret == 0)
		ret = ct_remote_mmap(t->tid, s->arch, &mm->mem, regs, rc.code, rc.write_code,
				     mm->fast_shared, mm->fast_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &mapped);
	if (ret == 0 && mapped != mm->fast_shared)
		ret = -EFAULT;
	if (ret == 0) {
		hdr = mm->fast_hdr;
		hdr.tracer_heartbeat = 0;
		hdr.unregistered = 0;
		ret = ct_pmem_write(&mm->mem, mm->fast_shared, &hdr, sizeof(hdr));
	}
	return ret;
}

int ct_fast_forked(struct ct_session *s, struct ct_thread *t)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_fast *fast = mm->fast_pending;
	struct ct_regs regs;
	const char *call = NULL;
	int ret;

	if (!mm->fast_shared)
		return 0;
	mm->fast_pending = NULL;
	ret = ct_regs_get(t->tid, s->arch, &regs);
	if (ret < 0) {
		fast_free(fast);
		mm->fast_shared = 0;
		return ret == -ESRCH ? ret : 0;
	}
	if (fast && t->proc->followed) {
		/* a followed child: an area of its own where its copied
		 * trampolines look, in place of the parent's */
		struct ct_injector inj = { .tid = t->tid, .regs = &regs, .world_stopped = true };
		struct ct_fp_remote rc;

		ret = remote_of(s, mm, &inj, &rc);
		if (ret == 0) {
			rc.name = fast->name = mm->fast_name;
			rc.at = fast->remote;
			ret = ct_fp_area_inject(&fast->area, &fast->geometry, &rc, &fast->remote,
						&call);
		}
		if (ret == 0) {
			ct_fp_set_clock(&fast->area, &fast->clock);
			ct_fp_set_heartbeat_timeout(&fast->area,
						    ct_fp_clock_ticks(&fast->clock,
								      FAST_HEARTBEAT_TIMEOUT_NS));
			ct_fp_heartbeat(&fast->area, ct_ticks_now());
			mm->fast = fast;
			s->nr_fast++;
			mm->fast_shared = 0;
			return ct_fast_thread_new(s, t, &regs);
		}
		ct_dbg("forked child %d: no rings of its own (%s: %s)", (int)t->tid,
		       call ? call : "?", strerror(-ret));
	}
	fast_free(fast);
	/* no rings of its own: its jumps go (it has one thread, stopped:
	 * none is in a trampoline), its functions run untraced through
	 * their original code, and its copy of the parent's rings is made
	 * private */
	if (ret != -ESRCH && t->proc->followed)
		ret = ct_patch_remove_all(&mm->bps);
	if (ret != -ESRCH)
		ret = part_rings(s, t, &regs);
	if (ret < 0 && ret != -ESRCH)
		ct_warn("forked child %d: cannot part its rings from its parent's: %s",
			(int)t->tid, strerror(-ret));
	mm->fast_shared = 0;
	return ret == -ESRCH ? ret : 0;
}

int ct_fast_start(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		  const struct ct_regs *regs)
{
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = true };
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	if (!s->opts.fast)
		return 0;
	/* patches go in only while no thread of mm can run */
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *o = val;

		if (o->proc->mm == mm && o->state != CT_TS_STOPPED)
			return 0;
	}
	ret = ct_fast_enable(s, mm, &inj);
	if (ret == 0)
		ret = ct_fast_convert(s, mm, &inj);
	return ret;
}
