/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/view: filter values, frames and self time, the filters, and the
 * input (time window, lookahead, durations past the ring, damage).
 *
 * The trees are built by hand; every expected value (levels, durations,
 * self times) is worked out in the comments from the timestamps given.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "trace_util.h"
#include "view/view.h"

static const char F_MAIN[] = "main", F_A[] = "a", F_B[] = "b", F_C[] = "c", F_W[] = "worker";
static const char MOD[] = "prog";

static uint64_t addr_of(const char *f)
{
	return 0x401000 + 0x100 * (uint64_t)(unsigned char)f[0];
}

static struct ct_event frame_ev(enum ct_event_type type, uint64_t seq, uint64_t ts, pid_t tid,
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
		ev.nr_args = 1;
		ev.args[0] = val;
	} else {
		ev.retval = val;
		ev.duration_ns = dur;
	}
	return ev;
}

#define CALL(s, t, tid, f, d, a) frame_ev(CT_EV_CALL, s, t, tid, f, d, a, 0)
#define RET(s, t, tid, f, d, r, dur) frame_ev(CT_EV_RETURN, s, t, tid, f, d, r, dur)
#define UNW(s, t, tid, f, d, dur) frame_ev(CT_EV_UNWIND, s, t, tid, f, d, 0, dur)

static struct ct_event other_ev(enum ct_event_type type, uint64_t seq, uint64_t ts, pid_t tid)
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

/*
 * The tree used throughout (pid 100, ts in ns):
 *
 *   tid 100: main [1000, 5000] 4000
 *              a [1100, 2000] 900
 *                b [1200, 1500] 300
 *              c [2300, 4000] 1700
 *   tid 101: worker [2200, 3000] 800
 *              b [2400, 2600] 200, unwound
 *
 * self: main 4000 - 900 - 1700 = 1400; a 900 - 300 = 600; b 300; c 1700;
 * worker 800 - 200 = 600; b (101) 200.
 */
static struct ct_event tree[15];

static size_t make_tree(void)
{
	size_t n = 0;

	tree[n++] = CALL(1, 1000, 100, F_MAIN, 1, 1);
	tree[n++] = CALL(2, 1100, 100, F_A, 2, 3);
	tree[n++] = CALL(3, 1200, 100, F_B, 3, 5);
	tree[n++] = RET(4, 1500, 100, F_B, 3, 7, 300);
	tree[n++] = RET(5, 2000, 100, F_A, 2, 8, 900);
	tree[n++] = other_ev(CT_EV_THREAD_START, 6, 2100, 101);
	tree[n++] = CALL(7, 2200, 101, F_W, 1, 0);
	tree[n++] = CALL(8, 2300, 100, F_C, 2, 0);
	tree[n++] = CALL(9, 2400, 101, F_B, 2, 0);
	tree[n++] = UNW(10, 2600, 101, F_B, 2, 200);
	tree[n++] = RET(11, 3000, 101, F_W, 1, 0, 800);
	tree[n++] = other_ev(CT_EV_THREAD_EXIT, 12, 3100, 101);
	tree[n++] = RET(13, 4000, 100, F_C, 2, 9, 1700);
	tree[n++] = RET(14, 5000, 100, F_MAIN, 1, 0, 4000);
	tree[n++] = other_ev(CT_EV_EXIT, 15, 5100, 100);
	return n;
}

/* ---- a consumer that logs every callback ---- */

struct log {
	char buf[4096];
	size_t len;
	int admit_calls;
	uint64_t admit_min; /* admit frames whose function name is in admit_ok */
	const char *admit_ok;
};

static void logf_(struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct log *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(l->buf) - l->len);
	l->len += (size_t)n;
}

static int log_enter(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		     const struct ct_event *ev)
{
	assert_ptr_equal(ev->func, f->func);
	logf_(ctx, "%d>%s@%u ", (int)t->tid, f->func, f->level);
	return 0;
}

static int log_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		    const struct ct_event *ev, enum ct_view_end how, uint64_t dur)
{
	static const char *const how_s[] = { "ret", "unw", "cut", "open" };
	struct ct_view_frame *up = ct_view_up(t, f);

	assert_true((ev != NULL) == (how == CT_VIEW_RETURN || how == CT_VIEW_UNWIND));
	logf_(ctx, "%d<%s %s %llu/%llu up=%s ", (int)t->tid, f->func, how_s[how],
	      (unsigned long long)dur, (unsigned long long)(dur - f->child_ns),
	      up ? up->func : "-");
	return 0;
}

static int log_event(void *ctx, struct ct_view_thread *t, const struct ct_event *ev)
{
	logf_(ctx, "%d:%s ", (int)t->tid, ct_event_type_name(ev->type));
	return 0;
}

static int log_lost(void *ctx, struct ct_view_thread *t, uint64_t count)
{
	logf_(ctx, "%d:lost%llu ", (int)t->tid, (unsigned long long)count);
	return 0;
}

static bool log_admit(void *ctx, CT_UNUSED struct ct_view_thread *t, const struct ct_event *call)
{
	struct log *l = ctx;

	l->admit_calls++;
	return strchr(l->admit_ok, call->func[0]) != NULL;
}

static const struct ct_view_ops log_ops = {
	.enter = log_enter,
	.exit = log_exit,
	.event = log_event,
	.lost = log_lost,
};

/* Feed events[0..n) through filter f; the log. */
static const char *run_view(struct log *l, const struct ct_view_filter *f,
			    const struct ct_view_ops *ops, const struct ct_event *evs, size_t n,
			    uint64_t end)
{
	struct ct_view *v = ct_view_new(f, ops, l, 0);
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		assert_int_equal(ct_view_feed(v, &evs[i]), 0);
	assert_int_equal(ct_view_finish(v, end), 0);
	ct_view_free(v);
	if (l->len && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
	return l->buf;
}

/* ---- values ---- */

static void test_parse_time(void **state)
{
	uint64_t ns = 42;

	(void)state;
	assert_int_equal(ct_view_parse_time("40ns", &ns), 0);
	assert_int_equal(ns, 40);
	assert_int_equal(ct_view_parse_time("200us", &ns), 0);
	assert_int_equal(ns, 200000);
	assert_int_equal(ct_view_parse_time("1.5ms", &ns), 0);
	assert_int_equal(ns, 1500000);
	assert_int_equal(ct_view_parse_time("3s", &ns), 0);
	assert_int_equal(ns, 3000000000ull);
	assert_int_equal(ct_view_parse_time("1.000000001s", &ns), 0);
	assert_int_equal(ns, 1000000001ull);
	assert_int_equal(ct_view_parse_time(".25us", &ns), 0);
	assert_int_equal(ns, 250);
	assert_int_equal(ct_view_parse_time("0", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(ct_view_parse_time("5", &ns), -EINVAL);     /* a unit is needed */
	assert_int_equal(ct_view_parse_time("5min", &ns), -EINVAL);
	assert_int_equal(ct_view_parse_time("ms", &ns), -EINVAL);
	assert_int_equal(ct_view_parse_time("-1ms", &ns), -EINVAL);
	assert_int_equal(ct_view_parse_time("1e3ns", &ns), -EINVAL);
	assert_int_equal(ct_view_parse_time("", &ns), -EINVAL);
	/* 2^64 ns is about 584 years */
	assert_int_equal(ct_view_parse_time("18446744073s", &ns), 0);
	assert_int_equal(ns, 18446744073000000000ull);
	assert_int_equal(ct_view_parse_time("18446744074s", &ns), -EINVAL);
	assert_int_equal(ct_view_parse_time("99999999999999999999ns", &ns), -EINVAL);
}

static void test_filter_set(void **state)
{
	struct ct_view_filter f;
	char why[200];
	unsigned i;

	(void)state;
	ct_view_filter_init(&f);
	assert_false(ct_view_filter_active(&f));
	assert_int_equal(f.until_ns, UINT64_MAX);
	assert_int_equal(ct_view_filter_set(&f, "tid", "12,13", why, sizeof(why)), 0);
	assert_int_equal(ct_view_filter_set(&f, "tid", "14", why, sizeof(why)), 0);
	assert_int_equal(f.nr_tids, 3);
	assert_int_equal(f.tids[0], 12);
	assert_int_equal(f.tids[2], 14);
	assert_true(ct_view_filter_active(&f));
	assert_int_equal(ct_view_filter_set(&f, "tid", "12,", why, sizeof(why)), -EINVAL);
	assert_int_equal(ct_view_filter_set(&f, "tid", "0", why, sizeof(why)), -EINVAL);
	assert_int_equal(ct_view_filter_set(&f, "tid", "x", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "invalid --tid 'x' (thread ids, comma-separated)");
	assert_int_equal(ct_view_filter_set(&f, "max-depth", "3", why, sizeof(why)), 0);
	assert_int_equal(f.max_depth, 3);
	assert_int_equal(ct_view_filter_set(&f, "max-depth", "0", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "invalid --max-depth '0' (a number >= 1)");
	assert_int_equal(ct_view_filter_set(&f, "max-depth", "3x", why, sizeof(why)), -EINVAL);
	assert_int_equal(ct_view_filter_set(&f, "min-duration", "2us", why, sizeof(why)), 0);
	assert_int_equal(f.min_duration_ns, 2000);
	assert_int_equal(ct_view_filter_set(&f, "since", "1ms", why, sizeof(why)), 0);
	assert_int_equal(ct_view_filter_set(&f, "until", "2s", why, sizeof(why)), 0);
	assert_int_equal(f.since_ns, 1000000);
	assert_int_equal(f.until_ns, 2000000000ull);
	assert_int_equal(ct_view_filter_set(&f, "until", "2", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "invalid --until '2' (a time with a unit: ns, us, ms, s)");
	assert_int_equal(ct_view_filter_set(&f, "func", "a*", why, sizeof(why)), 0);
	assert_string_equal(f.funcs[0], "a*");
	assert_int_equal(ct_view_filter_set(&f, "nope", "1", why, sizeof(why)), -ENOENT);
	for (i = 1; i < CT_VIEW_MAX_FUNCS; i++)
		assert_int_equal(ct_view_filter_set(&f, "func", "x", why, sizeof(why)), 0);
	assert_int_equal(ct_view_filter_set(&f, "func", "x", why, sizeof(why)), -E2BIG);
}

static void test_format_duration(void **state)
{
	char b[CT_VIEW_DURLEN];

	(void)state;
	assert_string_equal(ct_view_format_duration(0, b), "      0 ns");
	assert_string_equal(ct_view_format_duration(999, b), "    999 ns");
	assert_string_equal(ct_view_format_duration(1000, b), "  1.000 us");
	assert_string_equal(ct_view_format_duration(5433, b), "  5.433 us");
	assert_string_equal(ct_view_format_duration(999999, b), "999.999 us");
	assert_string_equal(ct_view_format_duration(12000000, b), " 12.000 ms");
	assert_string_equal(ct_view_format_duration(1500000000, b), "  1.500  s");
	assert_string_equal(ct_view_format_duration(999999999999ull, b), "999.999  s");
	assert_string_equal(ct_view_format_duration(1234000000000ull, b), "   1234  s");
}

/* ---- frames ---- */

static void test_tree_self(void **state)
{
	struct ct_view_filter f;
	struct log l = { 0 };
	size_t n = make_tree();

	(void)state;
	ct_view_filter_init(&f);
	assert_string_equal(run_view(&l, &f, &log_ops, tree, n, 6000),
			    "100>main@1 100>a@2 100>b@3 100<b ret 300/300 up=a "
			    "100<a ret 900/600 up=main 101:thread_start 101>worker@1 "
			    "100>c@2 101>b@2 101<b unw 200/200 up=worker "
			    "101<worker ret 800/600 up=- 101:thread_exit "
			    "100<c ret 1700/1700 up=main 100<main ret 4000/1400 up=- 100:exit");
}

static void test_tree_cut_open_orphan(void **state)
{
	struct ct_view_filter f;
	struct log l = { 0 };
	struct ct_event evs[8];
	struct ct_trace_lost lost = { .pid = 100, .tid = 100, .count = 4 };
	struct ct_view *v;
	size_t n = 0, i;

	(void)state;
	/* a return whose call came before: ignored */
	evs[n++] = RET(1, 100, 100, F_A, 3, 0, 50);
	evs[n++] = CALL(2, 200, 100, F_MAIN, 1, 0);
	evs[n++] = CALL(3, 300, 100, F_A, 2, 0);
	evs[n++] = CALL(4, 350, 100, F_B, 3, 0);
	/* after lost events: a call at depth 2 ends a (and b) unseen at 400 */
	evs[n++] = CALL(5, 400, 100, F_C, 2, 0);
	/* a return at depth 1 of main, with c still open: c is cut at 700 */
	evs[n++] = RET(6, 700, 100, F_MAIN, 1, 0, 500);
	/* left open: ends at finish (900) */
	evs[n++] = CALL(7, 800, 100, F_W, 1, 0);
	ct_view_filter_init(&f);
	v = ct_view_new(&f, &log_ops, &l, 0);
	assert_non_null(v);
	for (i = 0; i < n; i++) {
		if (i == 4)
			assert_int_equal(ct_view_feed_lost(v, &lost), 0);
		assert_int_equal(ct_view_feed(v, &evs[i]), 0);
	}
	assert_int_equal(ct_view_finish(v, 900), 0);
	assert_int_equal(ct_view_nr_threads(v), 1);
	assert_int_equal(ct_view_thread_at(v, 0)->tid, 100);
	assert_int_equal(ct_view_thread_at(v, 0)->nr, 0);
	assert_null(ct_view_thread_at(v, 1));
	ct_view_free(v);
	/* b 350..400 = 50; a 300..400 = 100, self 50; c 400..700 = 300;
	 * main 500 (its event's), self 500 - 100 - 300 = 100; worker 800..900 */
	assert_string_equal(l.buf, "100>main@1 100>a@2 100>b@3 100:lost4 100<b cut 50/50 up=a "
				   "100<a cut 100/50 up=main 100>c@2 100<c cut 300/300 up=main "
				   "100<main ret 500/100 up=- 100>worker@1 "
				   "100<worker open 100/100 up=- ");
}

static void test_filter_func(void **state)
{
	struct ct_view_filter f;
	struct log l = { 0 };
	size_t n = make_tree();

	(void)state;
	ct_view_filter_init(&f);
	f.funcs[f.nr_funcs++] = "[ab]";
	/* a's subtree (b inside is not a new root), and b on 101; levels
	 * from the match; other events only inside a subtree (none here) */
	assert_string_equal(run_view(&l, &f, &log_ops, tree, n, 6000),
			    "100>a@1 100>b@2 100<b ret 300/300 up=a 100<a ret 900/600 up=- "
			    "101>b@1 101<b unw 200/200 up=-");
}

static void test_filter_tid_depth(void **state)
{
	struct ct_view_filter f;
	struct log l = { 0 };
	size_t n = make_tree();

	(void)state;
	ct_view_filter_init(&f);
	f.tids[f.nr_tids++] = 100;
	f.max_depth = 2;
	/* b (depth 3) hidden: a's self is its whole 900 */
	assert_string_equal(run_view(&l, &f, &log_ops, tree, n, 6000),
			    "100>main@1 100>a@2 100<a ret 900/900 up=main "
			    "100>c@2 100<c ret 1700/1700 up=main 100<main ret 4000/1400 up=- "
			    "100:exit");
}

static void test_filter_min_duration(void **state)
{
	struct ct_view_filter f;
	struct log l = { 0 };
	struct ct_view_ops ops = log_ops;
	size_t n = make_tree();

	(void)state;
	ct_view_filter_init(&f);
	f.min_duration_ns = 800;
	/* decided at the end (no admit): no enter calls; b (300, 200) dropped,
	 * their time stays with a and worker (self 900 and 800) */
	assert_string_equal(run_view(&l, &f, &log_ops, tree, n, 6000),
			    "100<a ret 900/900 up=main 101:thread_start "
			    "101<worker ret 800/800 up=- "
			    "101:thread_exit 100<c ret 1700/1700 up=main "
			    "100<main ret 4000/1400 up=- 100:exit");

	/* decided at the call: admit says yes to main and c only; a refused,
	 * so b below it is not even asked about, and a's 900 is main's self
	 * time: 4000 - 1700 = 2300 */
	memset(&l, 0, sizeof(l));
	ops.admit = log_admit;
	l.admit_ok = "mc";
	f.tids[f.nr_tids++] = 100;
	assert_string_equal(run_view(&l, &f, &ops, tree, n, 6000),
			    "100>main@1 100>c@2 100<c ret 1700/1700 up=main "
			    "100<main ret 4000/2300 up=- 100:exit");
	assert_int_equal(l.admit_calls, 3);
}

static void test_view_args(void **state)
{
	struct ct_view_filter f;
	struct ct_event ev = CALL(1, 10, 7, F_A, 1, 0);
	struct ct_view *v;
	struct ct_view_thread *t;

	(void)state;
	ev.nr_args = 3;
	ev.args[0] = 11;
	ev.args[2] = 33;
	ct_view_filter_init(&f);
	v = ct_view_new(&f, &log_ops, &(struct log){ 0 }, CT_VIEW_ARGS);
	assert_non_null(v);
	assert_int_equal(ct_view_feed(v, &ev), 0);
	t = ct_view_thread_at(v, 0);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->frames[0].nr_args, 3);
	assert_int_equal(t->frames[0].args[0], 11);
	assert_int_equal(t->frames[0].args[2], 33);
	assert_int_equal(t->frames[0].seq, 1);
	assert_int_equal(t->frames[0].ts, 10);
	assert_int_equal(t->frames[0].addr, addr_of(F_A));
	ct_view_free(v);
}

/* ---- input ---- */

/* tree[] written to a memfd with small chunks (several chunks, so the
 * index and the second reader have something to do). */
static int write_tree(size_t chunk)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, chunk);
	size_t i, n = make_tree();

	for (i = 0; i < n; i++) {
		assert_int_equal(ct_trace_writer_event(w, &tree[i]), 0);
		if (i == 6)
			assert_int_equal(ct_trace_writer_lost(w, 100, 101, 2), 0);
		/* a chunk per three events */
		if (i % 3 == 2)
			assert_int_equal(ct_trace_writer_flush(w), 0);
	}
	assert_int_equal(ct_trace_writer_close(w), 0);
	return fd;
}

static struct ct_view_input *open_input(int fd, struct ct_trace_reader **r, uint64_t since,
					uint64_t until, unsigned window)
{
	struct ct_view_input *in;

	*r = ct_trace_reader_open(fd, NULL, 0);
	assert_non_null(*r);
	in = ct_view_input_new(*r, fd, since, until, window);
	assert_non_null(in);
	return in;
}

/* "seq seq seq ..." of what the input delivers ("L" for lost records). */
static void seqs(struct ct_view_input *in, char *buf, size_t size)
{
	const struct ct_view_rec *rec;
	size_t len = 0;
	int rc;

	buf[0] = '\0';
	while ((rc = ct_view_input_next(in, &rec)) == 1) {
		if (rec->kind == CT_TRACE_LOST)
			len += (size_t)snprintf(buf + len, size - len, "L%llu ",
						(unsigned long long)rec->lost.count);
		else
			len += (size_t)snprintf(buf + len, size - len, "%llu ",
						(unsigned long long)rec->ev.seq);
		assert_true(len < size);
	}
	assert_int_equal(rc, 0);
	if (len)
		buf[len - 1] = '\0';
}

static void test_input_window(void **state)
{
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	char got[256];
	int fd = write_tree(0);

	(void)state;
	in = open_input(fd, &r, 0, UINT64_MAX, 0);
	seqs(in, got, sizeof(got));
	assert_string_equal(got, "1 2 3 4 5 6 7 L2 8 9 10 11 12 13 14 15");
	assert_int_equal(ct_view_input_last_ts(in), 5100);
	ct_view_input_free(in);
	ct_trace_reader_close(r);

	/* [2200, 3000]: seq 7 (2200) to 11 (3000), the lost record after 7
	 * included; frames still open end at until */
	in = open_input(fd, &r, 2200, 3000, 0);
	seqs(in, got, sizeof(got));
	assert_string_equal(got, "7 L2 8 9 10 11");
	assert_int_equal(ct_view_input_last_ts(in), 3000);
	ct_view_input_free(in);
	ct_trace_reader_close(r);

	/* after everything */
	in = open_input(fd, &r, 9000, UINT64_MAX, 0);
	seqs(in, got, sizeof(got));
	assert_string_equal(got, "");
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	close(fd);
}

static void test_input_peek_duration(void **state)
{
	const struct ct_view_rec *rec, *p;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	uint64_t ns;
	unsigned window;
	int fd = write_tree(0);

	(void)state;
	/* window 2: main's return is far past the ring, found by the second
	 * reader; window 64: all in the ring */
	for (window = 2; window <= 64; window += 62) {
		in = open_input(fd, &r, 0, UINT64_MAX, window);
		assert_int_equal(ct_view_input_next(in, &rec), 1);
		assert_int_equal(rec->ev.seq, 1);
		p = ct_view_input_peek(in, 1);
		assert_non_null(p);
		assert_int_equal(p->ev.seq, 2);
		if (window == 2) {
			assert_non_null(ct_view_input_peek(in, 2));
			assert_null(ct_view_input_peek(in, 3));
		}
		/* main lasts 4000 */
		assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
		assert_int_equal(ns, 4000);
		/* at least 1000: decided once an event is 1000 after the call */
		assert_int_equal(ct_view_input_duration(in, 1000, &ns), 0);
		assert_int_equal(ns, 1000);
		/* the current record is unchanged by lookups */
		assert_int_equal(rec->ev.seq, 1);
		assert_int_equal(ct_view_input_next(in, &rec), 1);
		assert_int_equal(rec->ev.seq, 2);
		assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
		assert_int_equal(ns, 900);
		/* on to worker (seq 7): 800, past the lost record */
		while (ct_view_input_next(in, &rec) == 1 &&
		       !(rec->kind == CT_TRACE_EVENT && rec->ev.seq == 7))
			;
		assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
		assert_int_equal(ns, 800);
		ct_view_input_free(in);
		ct_trace_reader_close(r);
	}
	/* with until = 4500, main is open until then: 3500 */
	in = open_input(fd, &r, 0, 4500, 2);
	assert_int_equal(ct_view_input_next(in, &rec), 1);
	assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
	assert_int_equal(ns, 3500);
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	close(fd);
}

/* A call never returned, the thread exits: the frame ended there. */
static void test_input_duration_exit(void **state)
{
	struct ct_event evs[4];
	const struct ct_view_rec *rec;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	struct ct_trace_writer *w;
	uint64_t ns;
	int fd = test_memfd();
	size_t i;

	(void)state;
	evs[0] = CALL(1, 100, 101, F_W, 1, 0);
	evs[1] = CALL(2, 150, 100, F_MAIN, 1, 0);
	evs[2] = other_ev(CT_EV_THREAD_EXIT, 3, 400, 101);
	evs[3] = RET(4, 900, 100, F_MAIN, 1, 0, 750);
	w = test_writer(fd, &ct_arch_x86_64, 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(ct_trace_writer_event(w, &evs[i]), 0);
	assert_int_equal(ct_trace_writer_close(w), 0);
	in = open_input(fd, &r, 0, UINT64_MAX, 8);
	assert_int_equal(ct_view_input_next(in, &rec), 1);
	assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
	assert_int_equal(ns, 300);
	assert_int_equal(ct_view_input_next(in, &rec), 1);
	assert_int_equal(ct_view_input_duration(in, 100000, &ns), 0);
	assert_int_equal(ns, 750);
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	close(fd);
}

static void problems_of(const char *fixture, struct ct_view_problems *p, char *events,
			size_t size)
{
	char path[512], err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	int fd;

	test_fixture_path(path, sizeof(path), fixture);
	assert_int_equal(ct_view_open_file(path, &fd, &r, err, sizeof(err)), 0);
	in = ct_view_input_new(r, fd, 0, UINT64_MAX, 0);
	assert_non_null(in);
	seqs(in, events, size);
	ct_view_input_problems(in, p);
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	close(fd);
}

static void test_input_problems(void **state)
{
	struct ct_view_problems p;
	char line[512], evs[256], path[512], err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r;
	int fd;

	(void)state;
	/* good: 20 events of which seq 9-11 lost (a LOST record of 3) */
	problems_of("good.trace", &p, evs, sizeof(evs));
	assert_string_equal(evs, "1 2 3 4 5 6 7 8 L3 12 13 14 15 16 17 18 19 20");
	assert_false(p.error);
	assert_int_equal(p.lost_events, 3);
	assert_true(ct_view_problems_line(&p, line, sizeof(line)));
	assert_string_equal(line, "3 events lost by the recorder");

	/* the third EVENTS chunk cut in its middle: the first two stand */
	problems_of("truncated.trace", &p, evs, sizeof(evs));
	assert_string_equal(evs, "1 2 3 4 5 6 7 8 L3 12 13 14");
	/* bytes were lost: an error, which says where */
	assert_true(p.error);
	assert_true(p.truncated);
	assert_int_equal(p.bad_chunks, 0);
	assert_true(ct_view_problems_line(&p, line, sizeof(line)));
	assert_memory_equal(line, "truncated chunk at offset ", 26);
	assert_non_null(strstr(line, " bytes present, "));
	assert_non_null(strstr(line, " events lost; 3 events lost by the recorder"));
	assert_null(strchr(line, '\n'));

	/* the second EVENTS chunk (seq 7-14, its lost record too) skipped */
	problems_of("badcrc.trace", &p, evs, sizeof(evs));
	assert_string_equal(evs, "1 2 3 4 5 6 15 16 17 18 19 20");
	assert_true(p.error);
	assert_int_equal(p.bad_chunks, 1);
	assert_true(ct_view_problems_line(&p, line, sizeof(line)));
	assert_non_null(strstr(line, "bad checksum"));
	assert_null(strchr(line, '\n'));

	problems_of("aarch64.trace", &p, evs, sizeof(evs));
	assert_string_equal(evs, "1 2");
	assert_false(ct_view_problems_line(&p, line, sizeof(line)));

	/* open errors: the reader's message */
	test_fixture_path(path, sizeof(path), "badmagic.trace");
	assert_int_equal(ct_view_open_file(path, &fd, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a calltrap trace (bad magic)");
	assert_null(r);
	assert_int_equal(fd, -1);
	test_fixture_path(path, sizeof(path), "no-such.trace");
	assert_int_equal(ct_view_open_file(path, &fd, &r, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, strerror(ENOENT));
}

/* A view over the input: what ct_view_run adds (finish at the end). */
static void test_view_run(void **state)
{
	struct ct_view_filter f;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	struct ct_view *v;
	struct log l = { 0 };
	int fd = write_tree(256);

	(void)state;
	ct_view_filter_init(&f);
	f.until_ns = 2500;
	in = open_input(fd, &r, 0, f.until_ns, 0);
	v = ct_view_new(&f, &log_ops, &l, 0);
	assert_non_null(v);
	assert_int_equal(ct_view_run(v, in), 0);
	ct_view_free(v);
	/* cut at 2500: b on 101 is open 2400..2500, worker 2200..2500, c
	 * 2300..2500 and main 1000..2500, self 1500 - 900 - 200 (thread 100
	 * first: it came first) */
	assert_string_equal(l.buf, "100>main@1 100>a@2 100>b@3 100<b ret 300/300 up=a "
				   "100<a ret 900/600 up=main 101:thread_start 101>worker@1 "
				   "101:lost2 100>c@2 101>b@2 100<c open 200/200 up=main "
				   "100<main open 1500/400 up=- 101<b open 100/100 up=worker "
				   "101<worker open 300/200 up=- ");
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_filter_set),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_tree_self),
		cmocka_unit_test(test_tree_cut_open_orphan),
		cmocka_unit_test(test_filter_func),
		cmocka_unit_test(test_filter_tid_depth),
		cmocka_unit_test(test_filter_min_duration),
		cmocka_unit_test(test_view_args),
		cmocka_unit_test(test_input_window),
		cmocka_unit_test(test_input_peek_duration),
		cmocka_unit_test(test_input_duration_exit),
		cmocka_unit_test(test_input_problems),
		cmocka_unit_test(test_view_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
