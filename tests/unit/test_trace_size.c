/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bytes per event of the trace file on 1,000,000 synthetic call/return
 * events (docs/trace-format.md section 8), printed beside uftrace's 16
 * bytes per record, and checked against bounds worked out from the
 * encoding, for one thread with 3-40 us between events:
 *
 *   call   = tag 1 + dt 2-3 + function id (200 ids, low ones frequent) 1-2   ~4.8
 *   return = tag 1 + dt 2-3 + retval: 70% small (1-2), 20% pointer (7),
 *            10% -1 (1)                                                   ~6.2
 *
 * so about 5.5 bytes per event, bound 6.  Six arguments per call add two
 * selector bytes and what changed: a small int (1), a stack pointer moving
 * with the depth (DELTA, 2), a heap pointer (DELTA, 3), a mostly-zero int
 * (~0.7), a leftover register that changes 30% of the time (~2.1), a
 * constant (0): ~10.8 per call, ~5.4 per event more, bound 12 (measured
 * 10.4).  Also printed, not checked: decoding speed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "trace_util.h"

#define NEVENTS 1000000
#define NFUNCS 200

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 16;
}

static char names[NFUNCS][32];
static const char *name_ptr[NFUNCS];

/* Write NEVENTS nested calls and returns; returns the file. */
static struct blob write_events(bool args)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, 0);
	unsigned depth = 0, stack[64];
	uint64_t x = 7, ts = 0, cts[64], a4 = 0x1234;
	struct ct_event ev;
	struct blob b;
	size_t i;

	for (i = 0; i < NFUNCS; i++) {
		snprintf(names[i], sizeof(names[i]), "function_%zu", i);
		name_ptr[i] = names[i];
	}
	for (i = 0; i < NEVENTS; i++) {
		memset(&ev, 0, sizeof(ev));
		ts += 3000 + lcg(&x) % 37000;
		ev.seq = i;
		ev.ts_ns = ts;
		ev.pid = ev.tid = 31337;
		ev.module = "prog";
		/* calls while shallow, returns when deep; the remaining events
		 * close what is open */
		if (depth == 0 || (depth < 8 && lcg(&x) % 2 && NEVENTS - i > depth + 1)) {
			uint64_t a = lcg(&x) % NFUNCS, c = lcg(&x) % NFUNCS;
			unsigned f = (unsigned)(a < c ? a : c); /* skewed to low ids */

			stack[depth] = f;
			cts[depth] = ts;
			ev.type = CT_EV_CALL;
			ev.depth = ++depth;
			ev.func = name_ptr[f];
			ev.addr = 0x401000 + 0x40 * (uint64_t)f;
			if (args) {
				ev.nr_args = 6;
				ev.args[0] = lcg(&x) % 64;
				ev.args[1] = 0x7ffd12340000 - depth * 0x40;
				ev.args[2] = 0x555555560000 + lcg(&x) % 4096 * 16;
				ev.args[3] = lcg(&x) % 3 ? 0 : lcg(&x) % 1000;
				if (lcg(&x) % 10 >= 7)
					a4 = lcg(&x) & 0xffffffffffff;
				ev.args[4] = a4;
				ev.args[5] = 0x7f1234567000;
			}
		} else {
			uint64_t k = lcg(&x) % 10;

			depth--;
			ev.type = CT_EV_RETURN;
			ev.depth = depth + 1;
			ev.func = name_ptr[stack[depth]];
			ev.addr = 0x401000 + 0x40 * (uint64_t)stack[depth];
			ev.retval = k < 7 ? lcg(&x) % 256 : k < 9 ? 0x555555560000 + lcg(&x) % 65536
								     : UINT64_MAX;
			ev.duration_ns = ts - cts[depth];
		}
		assert_int_equal(ct_trace_writer_event(w, &ev), 0);
	}
	assert_int_equal(depth, 0);
	b = test_finish(fd, w);
	close(fd);
	return b;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void measure(bool args, double bound)
{
	struct blob b = write_events(args);
	char err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r = ct_trace_reader_open_mem(b.p, b.n, err, sizeof(err));
	double per = (double)b.n / NEVENTS, t0, t1;
	struct ct_event ev;
	uint64_t n = 0, sum = 0;
	int rc;

	assert_non_null(r);
	t0 = now();
	while ((rc = ct_trace_reader_next(r, &ev)) == 1) {
		sum += ev.duration_ns + ev.depth;
		n++;
	}
	t1 = now();
	assert_int_equal(rc, 0);
	assert_int_equal(n, NEVENTS);
	assert_true(sum > 0);
	ct_trace_reader_close(r);
	printf("trace size, %d call/return events %s: %zu bytes, %.2f bytes/event "
	       "(bound %.0f; uftrace: 16 bytes/record without arguments); "
	       "decoded at %.1fM events/s\n",
	       NEVENTS, args ? "with 6 arguments" : "without arguments", b.n, per, bound,
	       (double)n / (t1 - t0) / 1e6);
	assert_true(per < bound);
	free(b.p);
}

static void test_size_no_args(void **state)
{
	(void)state;
	measure(false, 6);
}

static void test_size_args(void **state)
{
	(void)state;
	measure(true, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_no_args),
		cmocka_unit_test(test_size_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
