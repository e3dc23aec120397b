/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen_trace: write a synthetic trace file of N events with ct_trace_writer,
 * for bench/repl.sh (recording 10M events of a real program takes minutes).
 *
 * Usage: gen_trace FILE N
 *
 * Process 1000 with 4 threads (1000..1003), each walking its own random call
 * tree (deterministic: a fixed xorshift seed) over 64 functions fn_00..fn_63
 * of module "prog", at most 12 deep (about 4 on average), six arguments per
 * call; threads take turns in bursts of up to 32 events; time advances
 * 50-800 ns per event.
 * About 1 return in 500 is an unwind; every 10000th event carries a
 * register snapshot.  Thread starts come first, the frames still open are
 * closed and the threads exit at the end, so the file holds N events
 * (N >= 100) and every call has its end.  Prints "events SEQ_FIRST SEQ_LAST".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arch.h"
#include "trace/tracefile.h"

#define NR_THREADS 4
#define NR_FUNCS 64
#define MAX_DEPTH 12
#define PID 1000

struct frame {
	unsigned fn;
	uint64_t ts;
};

struct thread {
	pid_t tid;
	struct frame stack[MAX_DEPTH];
	unsigned depth;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	static const char *const pargv[] = { "./synthetic", "--bench" };
	static char names[NR_FUNCS][8];
	struct thread th[NR_THREADS];
	struct ct_trace_info info = { 0 };
	struct ct_trace_writer *w;
	struct ct_regs regs;
	struct ct_event ev;
	uint64_t n, seq = 0, ts = 1000, s = 88172645463325252ull, left, tail;
	unsigned i, t = 0, burst = 0;
	int fd, rc;

	if (argc != 3 || (n = strtoull(argv[2], NULL, 10)) < 100) {
		fprintf(stderr, "usage: gen_trace FILE N (N >= 100)\n");
		return 2;
	}
	for (i = 0; i < NR_FUNCS; i++)
		snprintf(names[i], sizeof(names[i]), "fn_%02u", i);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "gen_trace: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	info.arch = &ct_arch_x86_64;
	info.start_realtime_ns = 1700000000000000000ull;
	info.pid = PID;
	info.argc = 2;
	info.argv = pargv;
	w = ct_trace_writer_open(fd, &info);
	if (!w) {
		fprintf(stderr, "gen_trace: %s\n", strerror(errno));
		return 1;
	}
	memset(&regs, 0, sizeof(regs));
	memset(th, 0, sizeof(th));

#define EMIT()                                                                                     \
	do {                                                                                       \
		ev.seq = seq++;                                                                    \
		ev.ts_ns = ts;                                                                     \
		ev.pid = PID;                                                                      \
		if (ev.seq % 10000 == 9999) {                                                      \
			for (i = 0; i < CT_REGS_WORDS; i++)                                        \
				regs.w[i] = ev.seq + i;                                            \
			ev.arch = info.arch;                                                       \
			ev.regs = &regs;                                                           \
		}                                                                                  \
		rc = ct_trace_writer_event(w, &ev);                                                \
		if (rc) {                                                                          \
			fprintf(stderr, "gen_trace: %s\n", strerror(-rc));                         \
			return 1;                                                                  \
		}                                                                                  \
		ts += 50 + rnd(&s) % 750;                                                          \
	} while (0)

	for (t = 0; t < NR_THREADS; t++) {
		th[t].tid = PID + (pid_t)t;
		memset(&ev, 0, sizeof(ev));
		ev.tid = th[t].tid;
		ev.type = CT_EV_THREAD_START;
		ev.parent = PID;
		EMIT();
	}
	/* room at the end: close every frame, then one exit per thread */
	tail = NR_THREADS * (MAX_DEPTH + 1);
	for (left = n - NR_THREADS - tail; left > 0; left--) {
		struct thread *cur;
		uint64_t r = rnd(&s);

		if (!burst) {
			t = (unsigned)(r >> 40) % NR_THREADS;
			burst = 1 + (unsigned)(r >> 50) % 32;
		}
		burst--;
		cur = &th[t];
		memset(&ev, 0, sizeof(ev));
		ev.tid = cur->tid;
		ev.module = "prog";
		/* calls while shallow, returns when deep */
		if (cur->depth < MAX_DEPTH && (cur->depth == 0 || r % 100 < 70 - 5 * cur->depth)) {
			unsigned fn = (unsigned)(r >> 8) % NR_FUNCS;

			cur->stack[cur->depth].fn = fn;
			cur->stack[cur->depth].ts = ts;
			cur->depth++;
			ev.type = CT_EV_CALL;
			ev.func = names[fn];
			ev.addr = 0x401000 + 0x40 * (uint64_t)fn;
			ev.depth = cur->depth;
			ev.nr_args = 6;
			for (i = 0; i < 6; i++)
				ev.args[i] = (r >> (8 * i)) & 0xffff;
		} else {
			struct frame *f = &cur->stack[--cur->depth];

			ev.type = r % 500 ? CT_EV_RETURN : CT_EV_UNWIND;
			ev.func = names[f->fn];
			ev.addr = 0x401000 + 0x40 * (uint64_t)f->fn;
			ev.depth = cur->depth + 1;
			ev.retval = r & 0xff;
			ev.duration_ns = ts - f->ts;
		}
		EMIT();
	}
	for (t = 0; t < NR_THREADS; t++) {
		struct thread *cur = &th[t];

		while (cur->depth) {
			struct frame *f = &cur->stack[--cur->depth];

			memset(&ev, 0, sizeof(ev));
			ev.tid = cur->tid;
			ev.module = "prog";
			ev.type = CT_EV_RETURN;
			ev.func = names[f->fn];
			ev.addr = 0x401000 + 0x40 * (uint64_t)f->fn;
			ev.depth = cur->depth + 1;
			ev.duration_ns = ts - f->ts;
			EMIT();
		}
	}
	/* pad to n - NR_THREADS: leaf calls on thread 0 (a signal if one is odd) */
	while (seq + NR_THREADS < n) {
		bool call = (n - NR_THREADS - seq) % 2 == 0;

		memset(&ev, 0, sizeof(ev));
		ev.tid = PID;
		if (!call) {
			ev.type = CT_EV_SIGNAL;
			ev.signo = 10;
			EMIT();
			continue;
		}
		ev.type = CT_EV_CALL;
		ev.module = "prog";
		ev.func = names[0];
		ev.addr = 0x401000;
		ev.depth = 1;
		EMIT();
		ev.type = CT_EV_RETURN;
		ev.regs = NULL;
		ev.duration_ns = 100;
		EMIT();
	}
	for (t = 0; t < NR_THREADS; t++) {
		memset(&ev, 0, sizeof(ev));
		ev.tid = th[t].tid;
		ev.type = t ? CT_EV_THREAD_EXIT : CT_EV_EXIT;
		EMIT();
	}
	rc = ct_trace_writer_close(w);
	if (rc || close(fd)) {
		fprintf(stderr, "gen_trace: %s\n", strerror(rc ? -rc : errno));
		return 1;
	}
	printf("events %llu %llu\n", (unsigned long long)0, (unsigned long long)(seq - 1));
	return 0;
}
