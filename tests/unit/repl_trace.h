/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace of the REPL tests (test_repl_store.c, test_repl_events.c):
 * three threads with nested calls, an unwind, a frame that ends unseen, K
 * leaf calls and a call that never returns, register snapshots on some
 * events.  Define K before including.
 */
#ifndef CT_TEST_REPL_TRACE_H
#define CT_TEST_REPL_TRACE_H

#include "repl/store.h"
#include "trace_util.h"

#ifndef K
#error "define K, the number of leaf calls, first"
#endif

#define ARCH (&ct_arch_x86_64)
#define S0 1000u /* the first seq */

static const char MOD[] = "prog";

static uint64_t addr_of(const char *f)
{
	return 0x401000 + 0x100 * (uint64_t)(unsigned char)f[0] + (uint64_t)strlen(f);
}

static struct ct_regs regs_k(uint64_t k)
{
	struct ct_regs rg;
	unsigned i;

	for (i = 0; i < CT_REGS_WORDS; i++)
		rg.w[i] = k * 1000 + i;
	return rg;
}

static struct ct_event fr(enum ct_event_type type, uint64_t seq, uint64_t ts, pid_t tid,
			  const char *func, uint32_t depth, uint64_t val, uint64_t dur)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.ts_ns = ts;
	ev.pid = 100;
	ev.tid = tid;
	ev.type = type;
	ev.func = func;
	ev.module = MOD;
	ev.addr = addr_of(func);
	ev.depth = depth;
	if (type == CT_EV_CALL) {
		ev.nr_args = 2;
		ev.args[0] = val;
		ev.args[1] = 0x77;
	} else {
		ev.retval = val;
		ev.duration_ns = dur;
	}
	return ev;
}

static struct ct_event other(enum ct_event_type type, uint64_t seq, uint64_t ts, pid_t tid)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.ts_ns = ts;
	ev.pid = 100;
	ev.tid = tid;
	ev.type = type;
	ev.parent = 100;
	return ev;
}

#define CALL(s, t, tid, f, d, a) fr(CT_EV_CALL, s, t, tid, f, d, a, 0)
#define RET(s, t, tid, f, d, r, dur) fr(CT_EV_RETURN, s, t, tid, f, d, r, dur)
#define UNW(s, t, tid, f, d, dur) fr(CT_EV_UNWIND, s, t, tid, f, d, 0, dur)

/*
 * The trace (pid 100, ts in ns):
 *
 *   1000 T100 call main d1         ts 1000
 *   1001 T100 call a d2 (regs 1)   ts 1100
 *   1002 T100 call b d3            ts 1200
 *   1003 T100 ret b d3 (regs 2)    ts 1500  300 ns
 *   1004 T100 ret a d2             ts 2000  900 ns
 *   1005 T101 thread_start         ts 2100
 *   1006 T101 call worker d1       ts 2200
 *   1007 T100 call c d2            ts 2300
 *   1008 T101 call b d2            ts 2400
 *   1009 T101 unwind b d2          ts 2600  200 ns
 *   1010 T101 ret worker d1        ts 3000  800 ns
 *   1011 T101 thread_exit          ts 3100
 *   1012 T100 ret c d2             ts 4000  1700 ns
 *   1013 T100 ret main d1          ts 5000  4000 ns
 *   1014 T103 call x d1            ts 5200
 *   1015 T103 call y d2            ts 5300  (its return was lost)
 *   1016 T103 ret x d1             ts 5500  300 ns
 *   1017 + 2k  T102 call leaf d1 arg k     ts 10000 + 100k  (regs k+100 when k % 10 == 0)
 *   1018 + 2k  T102 ret leaf d1 = k + 1    ts 10050 + 100k  50 ns        (k < K)
 *   1017 + 2K  T102 call open d1           ts 10000 + 100K  (never returns)
 */
#define N_EVENTS (17 + 2 * K + 1)
#define LAST (S0 + N_EVENTS - 1)
#define OPEN LAST

static size_t make_trace(struct ct_event *ev)
{
	static struct ct_regs r1, r2, rk[K / 10 + 1];
	size_t n = 0;
	unsigned k;

	r1 = regs_k(1);
	r2 = regs_k(2);
	ev[n++] = CALL(1000, 1000, 100, "main", 1, 1);
	ev[n] = CALL(1001, 1100, 100, "a", 2, 3);
	ev[n].arch = ARCH;
	ev[n++].regs = &r1;
	ev[n++] = CALL(1002, 1200, 100, "b", 3, 5);
	ev[n] = RET(1003, 1500, 100, "b", 3, 7, 300);
	ev[n].arch = ARCH;
	ev[n++].regs = &r2;
	ev[n++] = RET(1004, 2000, 100, "a", 2, 8, 900);
	ev[n++] = other(CT_EV_THREAD_START, 1005, 2100, 101);
	ev[n++] = CALL(1006, 2200, 101, "worker", 1, 0);
	ev[n++] = CALL(1007, 2300, 100, "c", 2, 0);
	ev[n++] = CALL(1008, 2400, 101, "b", 2, 0);
	ev[n++] = UNW(1009, 2600, 101, "b", 2, 200);
	ev[n++] = RET(1010, 3000, 101, "worker", 1, 0, 800);
	ev[n++] = other(CT_EV_THREAD_EXIT, 1011, 3100, 101);
	ev[n++] = RET(1012, 4000, 100, "c", 2, 9, 1700);
	ev[n++] = RET(1013, 5000, 100, "main", 1, 0, 4000);
	ev[n++] = CALL(1014, 5200, 103, "x", 1, 0);
	ev[n++] = CALL(1015, 5300, 103, "y", 2, 0);
	ev[n++] = RET(1016, 5500, 103, "x", 1, 0, 300);
	for (k = 0; k < K; k++) {
		ev[n] = CALL(S0 + 17 + 2 * k, 10000 + 100 * k, 102, "leaf", 1, k);
		if (k % 10 == 0) {
			rk[k / 10] = regs_k(k + 100);
			ev[n].arch = ARCH;
			ev[n].regs = &rk[k / 10];
		}
		n++;
		ev[n++] = RET(S0 + 18 + 2 * k, 10050 + 100 * k, 102, "leaf", 1, k + 1, 50);
	}
	ev[n++] = CALL(S0 + 17 + 2 * K, 10000 + 100 * K, 102, "open", 1, 0);
	assert_int_equal(n, N_EVENTS);
	return n;
}

/* The trace in a memfd, chunks of chunk bytes: complete, or (open not
 * NULL) flushed without its END chunk, the writer left in *open. */
static inline int write_events(const struct ct_event *ev, size_t n, size_t chunk,
			       struct ct_trace_writer **open)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, ARCH, chunk);
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	if (open) {
		assert_int_equal(ct_trace_writer_flush(w), 0);
		*open = w;
	} else {
		assert_int_equal(ct_trace_writer_close(w), 0);
	}
	return fd;
}

static inline struct ct_store *open_store(int fd, bool live)
{
	char err[CT_TRACE_ERRLEN + 64];
	struct ct_store *st = ct_store_open(fd, "test.trace", live, err, sizeof(err));

	if (!st)
		fail_msg("ct_store_open: %s", err);
	return st;
}

#endif
