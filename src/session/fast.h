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

#include "fastpath/clock.h"
#include "fastpath/fastpath.h"

struct ct_session;
struct ct_thread;
struct ct_func;

struct ct_fast {
	struct ct_fp_area area;  /* calltrap's mapping of the shared area */
	uint64_t remote;         /* the area's address in the tracee */
	struct ct_fp_clock clock; /* converts the records' ticks */
	/* func_id -> the function a record names (ids are never reused) */
	struct ct_func **funcs;
	uint32_t nr_funcs, cap_funcs;
	/* ring index -> the thread that owns it (NULL: free) */
	struct ct_thread **owner;
	uint64_t records;        /* read from the rings */
	uint64_t unmatched;      /* returns that found no frame of theirs */
};

/* The records of thread t's ring, in order, as events (before t's own
 * stop is handled: the records it wrote before stopping come first). */
void ct_fast_drain_thread(struct ct_session *s, struct ct_thread *t);
/* Every ring of every address space (idle moments, the timer, the end). */
void ct_fast_drain_all(struct ct_session *s);

#endif
