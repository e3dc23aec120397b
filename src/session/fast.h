/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/session: the fast path of one address space (docs/
 * fastpath.md).  Functions whose entry and every exit can be patched run
 * through injected trampolines that write call and return records into a
 * ring per thread, in an area shared with calltrap; the session reads the
 * rings (fastev.c) into the same events a breakpoint's stop makes.
 */
#ifndef CT_SESSION_FAST_H
#define CT_SESSION_FAST_H

#include "arch/arch.h"
#include "fastpath/clock.h"
#include "fastpath/fastpath.h"

#include <sys/types.h>

struct ct_session;
struct ct_thread;
struct ct_func;
struct ct_mm;
struct ct_injector;
struct ct_regs;

struct ct_fast_tramp {
	uint64_t addr;
	uint32_t len;
	struct ct_tramp_spans spans;
};

/* A record taken out of a ring, waiting to be put in time order. */
struct ct_fp_pending {
	struct ct_fp_record rec;
	struct ct_fast *fast;
	uint32_t ring;
	size_t seq;
};

struct ct_fast {
	struct ct_fp_area area;  /* calltrap's mapping of the shared area */
	uint64_t remote;         /* the area's address in the tracee */
	uint64_t name;           /* calltrap's bytes there that named its memfd */
	struct ct_fp_geometry geometry;
	struct ct_fp_clock clock; /* converts the records' ticks */
	/* func_id -> the function a record names (ids are never reused) */
	struct ct_func **funcs;
	uint32_t nr_funcs, cap_funcs;
	/* every trampoline, with where it makes its records (detach) */
	struct ct_fast_tramp *tramps;
	size_t nr_tramps, cap_tramps;
	/* ring index -> the thread that owns it (NULL: free) */
	struct ct_thread **owner;
	uint64_t records;        /* read from the rings */
	uint64_t unmatched;      /* returns that found no frame of theirs */
};

/* Map the shared area into mm's process and give its threads rings, while
 * the world is stopped (inj->world_stopped), with --engine=fast.  A
 * refusal (seccomp, no memory) is said once and leaves mm on breakpoints:
 * 0; -ESRCH, -ENOMEM. */
int ct_fast_enable(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);
/* Move every selected function of mm that can be from its entry
 * breakpoint to the fast path (the world stopped); counted in the stats. */
int ct_fast_convert(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);
/* Every thread of mm gets a ring, or a new one when its thread pointer
 * moved (a started program's first thread has none before the dynamic
 * linker sets up its TLS).  Whether every thread has a thread pointer:
 * without, a trampoline would fault in %fs:0, so nothing may move. */
bool ct_fast_refresh_threads(struct ct_session *s, struct ct_mm *mm);
/* ct_fast_enable and ct_fast_convert at a moment every thread of mm is
 * stopped (t among them, with regs): the end of start-up, an attach. */
int ct_fast_start(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		  const struct ct_regs *regs);
/* Put f back on breakpoints' terms: its jumps removed (the world stopped);
 * the caller places its breakpoint if it is still selected. */
int ct_fast_unarm(struct ct_session *s, struct ct_mm *mm, struct ct_func *f);
/* A thread of a fast address space, before it runs: its ring. */
int ct_fast_thread_new(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs);
/* A thread that runs no code any more: its last records, its slot freed. */
void ct_fast_thread_gone(struct ct_session *s, struct ct_thread *t);
/* For a fork child: the parent's functions and trampolines, which its
 * copy of the memory holds; its area is made at its first stop. */
struct ct_fast *ct_fast_fork_tables(const struct ct_fast *parent);
void ct_fast_free(struct ct_fast *fast);
/* A fork child at its first stop, before it runs: its copy of the
 * parent's rings (MAP_SHARED, the parent's own memory) is replaced, by an
 * area of its own at the same address when it is followed, else by
 * private memory where its trampolines find no ring. */
int ct_fast_forked(struct ct_session *s, struct ct_thread *t);
/* How often the rings are read and calltrap's heartbeat written while the
 * session runs. */
#define CT_FAST_TICK_NS 2000000
/* The heartbeat, every ring read: how many records. */
size_t ct_fast_tick(struct ct_session *s);
/* The session's wait for the next ptrace stop while a fast path runs: a
 * tick whenever none came for CT_FAST_TICK_NS, at once while records keep
 * coming.  As waitpid: the tid, -EINTR for a stop request, -errno. */
struct ct_stop_request;
pid_t ct_fast_wait(struct ct_session *s, int *status, const struct ct_stop_request *stop);
/* A stopped thread inside a trampoline is taken out, into the program's
 * own code, as if it had run through it: its record code (which holds
 * calltrap's state on its stack, and must not be single-stepped: its pushf
 * would save the trap flag) runs to its end with the other threads
 * stopped, the rest is stepped; the program's signals wait meanwhile.
 * Before a signal is delivered (its handler sees no pc of ours in its
 * frame, and never nests in a trampoline), and at detach.  0, -ESRCH when
 * it exited, -errno. */
int ct_fast_out_of_trampoline(struct ct_session *s, struct ct_thread *t);
/* Is t's pc in a trampoline? */
bool ct_fast_in_trampoline(struct ct_session *s, struct ct_thread *t);
/* ... every thread of mm (detach, heartbeat gone, the world stopped). */
int ct_fast_out_of_records(struct ct_session *s, struct ct_mm *mm);
/* The end of mm's fast path (detach, exit, exec): waiters released, the
 * rings read a last time, counters into the stats; with inj (detach, the
 * world stopped, nothing in the trampolines) the tracee's mapping goes
 * too. */
void ct_fast_leave(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);

/* The records of thread t's ring, in order, as events (before t's own
 * stop is handled: the records it wrote before stopping come first). */
size_t ct_fast_drain_thread(struct ct_session *s, struct ct_thread *t);
/* A stop on the exit breakpoint (CT_SITE_EXIT) of a function on the fast
 * path, registers as at the exit: its return, as a record would say it.
 * Whether a frame returned. */
bool ct_fast_exit_hit(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs);
/* Every ring of every address space, in time order across them (before
 * every stop, every tick, the end). */
size_t ct_fast_drain_all(struct ct_session *s);

#endif
