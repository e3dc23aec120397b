/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay, report and dump (jsonl, chrome, folded, svg) over a hand-built
 * trace written with the trace writer; every expected line is written out
 * here from the timestamps of the events.
 *
 *   tid 100: main(0x1) [1000, 5000] 4000 = 0x0
 *              a(0x3) [1100, 2000] 900 = 0x8
 *                b(0x5) [1200, 1500] 300 = 0x7
 *              c(0x0) [2300, 4000] 1700 = 0x9
 *   tid 101: (thread_start at 2100) worker(0x0) [2200, 3000] 800 = 0x0
 *              (2 events lost after the call)
 *              b(0x0) [2400, 2600] 200, unwound
 *            (thread_exit at 3100)
 *   exit of process 100 at 5100
 *
 * Self times: main 4000 - 900 - 1700 = 1400, a 600, b 300, c 1700,
 * worker 800 - 200 = 600, b (101) 200; in all 4800 (= 4000 + 800).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "output/output.h"
#include "trace_util.h"
#include "view/view.h"

static const char F_MAIN[] = "main", F_A[] = "a", F_B[] = "b", F_C[] = "c", F_W[] = "worker";
static const char MOD[] = "prog";

static struct ct_event ev_(enum ct_event_type type, uint64_t seq, uint64_t ts, pid_t tid,
			   const char *func, uint32_t depth, uint64_t val, uint64_t dur)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.ts_ns = ts;
	ev.pid = 100;
	ev.tid = tid;
	ev.type = type;
	if (func) {
		ev.func = func;
		ev.module = MOD;
		ev.addr = 0x401000 + 0x100 * (uint64_t)(unsigned char)func[0];
		ev.depth = depth;
	}
	if (type == CT_EV_CALL) {
		ev.nr_args = 1;
		ev.args[0] = val;
	} else if (func) {
		ev.retval = val;
		ev.duration_ns = dur;
	}
	if (type == CT_EV_THREAD_START)
		ev.parent = 100;
	return ev;
}

#define CALL(s, t, tid, f, d, a) ev_(CT_EV_CALL, s, t, tid, f, d, a, 0)
#define RET(s, t, tid, f, d, r, dur) ev_(CT_EV_RETURN, s, t, tid, f, d, r, dur)
#define UNW(s, t, tid, f, d, dur) ev_(CT_EV_UNWIND, s, t, tid, f, d, 0, dur)
#define OTHER(type, s, t, tid) ev_(type, s, t, tid, NULL, 0, 0, 0)

static struct ct_event tree[15];

static size_t make_tree(void)
{
	size_t n = 0;

	tree[n++] = CALL(1, 1000, 100, F_MAIN, 1, 1);
	tree[n++] = CALL(2, 1100, 100, F_A, 2, 3);
	tree[n++] = CALL(3, 1200, 100, F_B, 3, 5);
	tree[n++] = RET(4, 1500, 100, F_B, 3, 7, 300);
	tree[n++] = RET(5, 2000, 100, F_A, 2, 8, 900);
	tree[n++] = OTHER(CT_EV_THREAD_START, 6, 2100, 101);
	tree[n++] = CALL(7, 2200, 101, F_W, 1, 0);
	tree[n++] = CALL(8, 2300, 100, F_C, 2, 0);
	tree[n++] = CALL(9, 2400, 101, F_B, 2, 0);
	tree[n++] = UNW(10, 2600, 101, F_B, 2, 200);
	tree[n++] = RET(11, 3000, 101, F_W, 1, 0, 800);
	tree[n++] = OTHER(CT_EV_THREAD_EXIT, 12, 3100, 101);
	tree[n++] = RET(13, 4000, 100, F_C, 2, 9, 1700);
	tree[n++] = RET(14, 5000, 100, F_MAIN, 1, 0, 4000);
	tree[n++] = OTHER(CT_EV_EXIT, 15, 5100, 100);
	return n;
}

static struct ct_trace_writer *writer(int fd)
{
	static const char *const argv[] = { "./prog", "x" };
	struct ct_trace_info info = {
		.arch = &ct_arch_x86_64,
		.pid = 100,
		.argc = 2,
		.argv = argv,
	};
	struct ct_trace_writer *w = ct_trace_writer_open(fd, &info);

	assert_non_null(w);
	return w;
}

static int write_events(const struct ct_event *evs, size_t n, bool lost)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = writer(fd);
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(ct_trace_writer_event(w, &evs[i]), 0);
		if (lost && evs[i].seq == 7)
			assert_int_equal(ct_trace_writer_lost(w, 100, 101, 2), 0);
	}
	assert_int_equal(ct_trace_writer_close(w), 0);
	return fd;
}

static int write_tree(void)
{
	return write_events(tree, make_tree(), true);
}

/* An output to memory. */
struct mem {
	char *buf;
	size_t len;
	FILE *fp;
};

static FILE *mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	assert_non_null(m->fp);
	return m->fp;
}

static char *mem_close(struct mem *m)
{
	assert_int_equal(fclose(m->fp), 0);
	return m->buf;
}

struct run {
	struct ct_trace_reader *r;
	struct ct_view_input *in;
};

static struct ct_view_input *input(struct run *run, int fd, const struct ct_view_filter *f,
				   unsigned window)
{
	run->r = ct_trace_reader_open(fd, NULL, 0);
	assert_non_null(run->r);
	run->in = ct_view_input_new(run->r, fd, f->since_ns, f->until_ns, window);
	assert_non_null(run->in);
	return run->in;
}

static void run_done(struct run *run)
{
	ct_view_input_free(run->in);
	ct_trace_reader_close(run->r);
}

static char *replay(int fd, const struct ct_view_filter *f, const struct ct_replay_opts *o)
{
	struct run run;
	struct mem m;

	assert_int_equal(ct_replay(input(&run, fd, f, CT_VIEW_LOOKAHEAD), f, o, mem_open(&m)), 0);
	run_done(&run);
	return mem_close(&m);
}

static void test_replay(void **state)
{
	struct ct_replay_opts o = { 0 };
	struct ct_view_filter f;
	int fd = write_tree();
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "           [   100] | main(0x1) {\n"
			       "           [   100] |   a(0x3) {\n"
			       "    300 ns [   100] |     b(0x5) = 0x7;\n"
			       "    900 ns [   100] |   } = 0x8; /* a */\n"
			       "           [   101] | /* thread 101 started by 100 */\n"
			       "           [   101] | worker(0x0) {\n"
			       "           [   101] |   /* 2 events lost */\n"
			       "  1.700 us [   100] |   c(0x0) = 0x9;\n"
			       "    200 ns [   101] |   b(0x0); /* unwound */\n"
			       "    800 ns [   101] | } = 0x0; /* worker */\n"
			       "           [   101] | /* thread 101 exited with 0 */\n"
			       "  4.000 us [   100] | } = 0x0; /* main */\n"
			       "           [   100] | /* process 100 exited with 0 */\n");
	free(s);

	o.per_thread = true;
	o.no_args = true;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION | FUNCTION\n"
			       "# thread 100 (pid 100)\n"
			       "           | main() {\n"
			       "           |   a() {\n"
			       "    300 ns |     b();\n"
			       "    900 ns |   } /* a */\n"
			       "  1.700 us |   c();\n"
			       "  4.000 us | } /* main */\n"
			       "           | /* process 100 exited with 0 */\n"
			       "\n"
			       "# thread 101 (pid 100)\n"
			       "           | /* thread 101 started by 100 */\n"
			       "           | worker() {\n"
			       "           |   /* 2 events lost */\n"
			       "    200 ns |   b(); /* unwound */\n"
			       "    800 ns | } /* worker */\n"
			       "           | /* thread 101 exited with 0 */\n");
	free(s);
	close(fd);
}

static void test_replay_filters(void **state)
{
	struct ct_replay_opts o = { 0 };
	struct ct_view_filter f;
	int fd = write_tree();
	char *s;

	(void)state;
	/* depth 1 only: main's callees hidden, so main is a leaf; worker is
	 * not, as the lost record is shown inside it */
	ct_view_filter_init(&f);
	f.max_depth = 1;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "  4.000 us [   100] | main(0x1) = 0x0;\n"
			       "           [   101] | /* thread 101 started by 100 */\n"
			       "           [   101] | worker(0x0) {\n"
			       "           [   101] |   /* 2 events lost */\n"
			       "    800 ns [   101] | } = 0x0; /* worker */\n"
			       "           [   101] | /* thread 101 exited with 0 */\n"
			       "           [   100] | /* process 100 exited with 0 */\n");
	free(s);

	/* at least 800 ns: both b hidden, so a is a leaf */
	ct_view_filter_init(&f);
	f.min_duration_ns = 800;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "           [   100] | main(0x1) {\n"
			       "    900 ns [   100] |   a(0x3) = 0x8;\n"
			       "           [   101] | /* thread 101 started by 100 */\n"
			       "           [   101] | worker(0x0) {\n"
			       "           [   101] |   /* 2 events lost */\n"
			       "  1.700 us [   100] |   c(0x0) = 0x9;\n"
			       "    800 ns [   101] | } = 0x0; /* worker */\n"
			       "           [   101] | /* thread 101 exited with 0 */\n"
			       "  4.000 us [   100] | } = 0x0; /* main */\n"
			       "           [   100] | /* process 100 exited with 0 */\n");
	free(s);

	/* b's subtrees, in colors: names bold */
	ct_view_filter_init(&f);
	f.funcs[f.nr_funcs++] = "b";
	o.color = true;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "    300 ns [   100] | \033[1mb\033[0m(0x5) = 0x7;\n"
			       "    200 ns [   101] | \033[1mb\033[0m(0x0);"
			       "\033[35m /* unwound */\033[0m\n");
	free(s);

	/* the window [2300, 3000]: worker's call (2200) is before it, so its
	 * return is not shown; c is still open at 3000 */
	ct_view_filter_init(&f);
	f.since_ns = 2300;
	f.until_ns = 3000;
	o.color = false;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "           [   100] | c(0x0) {\n"
			       "    200 ns [   101] | b(0x0); /* unwound */\n");
	free(s);
	close(fd);
}

/* Two threads, 3000 leaf calls each, interleaved: --per-thread spills the
 * buffers (over 64 KiB each) and still prints each thread's lines whole. */
static void test_replay_spill(void **state)
{
	enum { N = 3000 };
	struct ct_replay_opts o = { .per_thread = true };
	struct ct_view_filter f;
	struct ct_event *evs = calloc(4 * N, sizeof(*evs));
	size_t n = 0, i, lines = 0;
	char *s, *p, want[64];
	int fd, k;

	(void)state;
	assert_non_null(evs);
	for (i = 0; i < N; i++) {
		for (k = 0; k < 2; k++) {
			evs[n] = CALL(n + 1, 10 * n, 200 + k, F_A, 1, i);
			n++;
		}
		for (k = 0; k < 2; k++) {
			evs[n] = RET(n + 1, 10 * n, 200 + k, F_A, 1, i, 20);
			n++;
		}
	}
	fd = write_events(evs, n, false);
	ct_view_filter_init(&f);
	s = replay(fd, &f, &o);
	/* header, then per thread a heading and N lines in argument order */
	p = strchr(s, '\n') + 1;
	for (k = 0; k < 2; k++) {
		snprintf(want, sizeof(want), "%s# thread %d (pid 100)\n", k ? "\n" : "", 200 + k);
		assert_memory_equal(p, want, strlen(want));
		p += strlen(want);
		for (i = 0; i < N; i++, lines++) {
			snprintf(want, sizeof(want), "     20 ns | a(%#zx) = %#zx;\n", i, i);
			if (i == 0)
				snprintf(want, sizeof(want), "     20 ns | a(0x0) = 0x0;\n");
			assert_memory_equal(p, want, strlen(want));
			p += strlen(want);
		}
	}
	assert_int_equal(*p, '\0');
	assert_int_equal(lines, 2 * N);
	free(s);
	free(evs);
	close(fd);
}

/* The report's strings are the reader's: it stays open until report_done(). */
static struct run report_run;

static struct ct_report *report(int fd, const struct ct_view_filter *f,
				const struct ct_report_opts *o)
{
	struct ct_report *rp = ct_report_new(o);

	assert_non_null(rp);
	assert_int_equal(ct_report_collect(rp, input(&report_run, fd, f, 0), f), 0);
	return rp;
}

static void report_done(struct ct_report *rp)
{
	ct_report_free(rp);
	run_done(&report_run);
}

static void row_eq(const struct ct_report_row *r, const char *func, pid_t tid, uint64_t calls,
		   uint64_t total, uint64_t self, uint64_t sum, uint64_t min, uint64_t max)
{
	assert_string_equal(r->func, func);
	assert_string_equal(r->module, MOD);
	assert_int_equal(r->tid, tid);
	assert_int_equal(r->calls, calls);
	assert_int_equal(r->total_ns, total);
	assert_int_equal(r->self_ns, self);
	assert_int_equal(r->sum_ns, sum);
	assert_int_equal(r->min_ns, min);
	assert_int_equal(r->max_ns, max);
}

/* The functions' names in the order of the rows, "," separated. */
static void order(struct ct_report *rp, const char *want)
{
	const struct ct_report_row *const *rows;
	char got[256] = "";
	size_t i, n = ct_report_rows(rp, &rows);

	for (i = 0; i < n; i++) {
		if (i)
			strcat(got, ",");
		strcat(got, rows[i]->func);
	}
	assert_string_equal(got, want);
}

/*
 * Typed events (DWARF names and values, 1.1) and source lines, through the
 * writer and the reader:
 *
 *   tid 100: main() [1000, 5000] = "0"                       prog.c:40
 *              add(a=3, b=-4) [1100, 1400] = "-1"            prog.c:12
 *              greet(name=.., p=.., unnamed) [1500, 3000] void  include/greet.h:3
 *                raw(0x7) [1600, 1700] = 0x9 (untyped)       -
 *                add(a=1, b=2) [2000, 2500] = "3"            prog.c:12
 *                  raw(0x1) [2100, 2200] = 0x2
 *              nop() [3100, 3200] void                       nop.c (no line)
 *
 * Self: main 4000 - 300 - 1500 - 100 = 2100, greet 1500 - 100 - 500 = 900,
 * add 300 + 400 = 700, raw 200, nop 100.
 */
static const struct ct_named_value tv_add1[] = { { "a", "3" }, { "b", "-4" } };
static const struct ct_named_value tv_add2[] = { { "a", "1" }, { "b", "2" } };
static const struct ct_named_value tv_greet[] = {
	{ "name", "\"Bob \\\"B\\\"\\n\"" }, { "p", "{x=1, y=2}" }, { "", "x\001y" },
};

static struct ct_event typed_ev(enum ct_event_type type, uint64_t seq, uint64_t ts,
				const char *func, uint32_t depth, uint64_t dur)
{
	struct ct_event ev = ev_(type, seq, ts, 100, func, depth, 0, dur);

	if (!strcmp(func, "raw"))
		return ev; /* untyped, no location */
	ev.flags = CT_EVF_TYPED;
	ev.nr_args = 0;
	if (!strcmp(func, "main")) {
		ev.src_file = "prog.c";
		ev.src_line = 40;
	} else if (!strcmp(func, "add")) {
		ev.src_file = "prog.c";
		ev.src_line = 12;
	} else if (!strcmp(func, "greet")) {
		ev.src_file = "include/greet.h";
		ev.src_line = 3;
	} else {
		ev.src_file = "nop.c"; /* a file without a line */
	}
	return ev;
}

static size_t make_typed(struct ct_event *e)
{
	size_t n = 0;

	e[n++] = typed_ev(CT_EV_CALL, 1, 1000, "main", 1, 0);
	e[n] = typed_ev(CT_EV_CALL, 2, 1100, "add", 2, 0);
	e[n].nr_named = 2;
	e[n++].named = tv_add1;
	e[n] = typed_ev(CT_EV_RETURN, 3, 1400, "add", 2, 300);
	e[n++].ret_text = "-1";
	e[n] = typed_ev(CT_EV_CALL, 4, 1500, "greet", 2, 0);
	e[n].nr_named = 3;
	e[n++].named = tv_greet;
	e[n] = ev_(CT_EV_CALL, 5, 1600, 100, "raw", 3, 7, 0);
	e[n++].addr = 0x7f0000001000;
	e[n] = ev_(CT_EV_RETURN, 6, 1700, 100, "raw", 3, 9, 100);
	e[n++].addr = 0x7f0000001000;
	e[n] = typed_ev(CT_EV_CALL, 7, 2000, "add", 3, 0);
	e[n].nr_named = 2;
	e[n++].named = tv_add2;
	e[n] = ev_(CT_EV_CALL, 8, 2100, 100, "raw", 4, 1, 0);
	e[n++].addr = 0x7f0000001000;
	e[n] = ev_(CT_EV_RETURN, 9, 2200, 100, "raw", 4, 2, 100);
	e[n++].addr = 0x7f0000001000;
	e[n] = typed_ev(CT_EV_RETURN, 10, 2500, "add", 3, 500);
	e[n++].ret_text = "3";
	e[n++] = typed_ev(CT_EV_RETURN, 11, 3000, "greet", 2, 1500); /* void */
	e[n++] = typed_ev(CT_EV_CALL, 12, 3100, "nop", 2, 0);
	e[n++] = typed_ev(CT_EV_RETURN, 13, 3200, "nop", 2, 100);
	e[n] = typed_ev(CT_EV_RETURN, 14, 5000, "main", 1, 4000);
	e[n++].ret_text = "0";
	return n;
}

static void test_replay_typed(void **state)
{
	struct ct_replay_opts o = { 0 };
	struct ct_event e[16];
	struct ct_view_filter f;
	int fd = write_events(e, make_typed(e), false);
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "           [   100] | main() {\n"
			       "    300 ns [   100] |   add(a=3, b=-4) = -1;\n"
			       "           [   100] |   greet(name=\"Bob \\\"B\\\"\\n\", "
			       "p={x=1, y=2}, x\\x01y) {\n"
			       "    100 ns [   100] |     raw(0x7) = 0x9;\n"
			       "           [   100] |     add(a=1, b=2) {\n"
			       "    100 ns [   100] |       raw(0x1) = 0x2;\n"
			       "    500 ns [   100] |     } = 3; /* add */\n"
			       "  1.500 us [   100] |   } /* greet */\n"
			       "    100 ns [   100] |   nop();\n"
			       "  4.000 us [   100] | } = 0; /* main */\n");
	free(s);

	o.srcline = true;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION     TID  | FUNCTION\n"
			       "           [   100] | main() { /* prog.c:40 */\n"
			       "    300 ns [   100] |   add(a=3, b=-4) = -1; /* prog.c:12 */\n"
			       "           [   100] |   greet(name=\"Bob \\\"B\\\"\\n\", "
			       "p={x=1, y=2}, x\\x01y) { /* include/greet.h:3 */\n"
			       "    100 ns [   100] |     raw(0x7) = 0x9;\n"
			       "           [   100] |     add(a=1, b=2) { /* prog.c:12 */\n"
			       "    100 ns [   100] |       raw(0x1) = 0x2;\n"
			       "    500 ns [   100] |     } = 3; /* add */\n"
			       "  1.500 us [   100] |   } /* greet */\n"
			       "    100 ns [   100] |   nop(); /* nop.c */\n"
			       "  4.000 us [   100] | } = 0; /* main */\n");
	free(s);

	o.no_args = true;
	o.per_thread = true;
	s = replay(fd, &f, &o);
	assert_string_equal(s, "# DURATION | FUNCTION\n"
			       "# thread 100 (pid 100)\n"
			       "           | main() { /* prog.c:40 */\n"
			       "    300 ns |   add(); /* prog.c:12 */\n"
			       "           |   greet() { /* include/greet.h:3 */\n"
			       "    100 ns |     raw();\n"
			       "           |     add() { /* prog.c:12 */\n"
			       "    100 ns |       raw();\n"
			       "    500 ns |     } /* add */\n"
			       "  1.500 us |   } /* greet */\n"
			       "    100 ns |   nop(); /* nop.c */\n"
			       "  4.000 us | } /* main */\n");
	free(s);
	close(fd);
}

/* With --srcline, a Source column before Function; the frames keep the
 * location of their function. */
static void test_report_srcline(void **state)
{
	struct ct_report_opts o = { .sort = CT_SORT_TOTAL, .ns = true, .srcline = true };
	const struct ct_report_row *const *rows;
	struct ct_event e[16];
	struct ct_view_filter f;
	struct ct_report *rp;
	struct mem m;
	int fd = write_events(e, make_typed(e), false);
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_rows(rp, &rows), 5);
	row_eq(rows[0], "main", 0, 1, 4000, 2100, 4000, 4000, 4000);
	row_eq(rows[1], "greet", 0, 1, 1500, 900, 1500, 1500, 1500);
	row_eq(rows[2], "add", 0, 2, 800, 700, 800, 300, 500);
	row_eq(rows[3], "raw", 0, 2, 200, 200, 200, 100, 100);
	row_eq(rows[4], "nop", 0, 1, 100, 100, 100, 100, 100);
	assert_string_equal(rows[1]->src_file, "include/greet.h");
	assert_int_equal(rows[1]->src_line, 3);
	assert_null(rows[3]->src_file);
	assert_int_equal(ct_report_print(rp, mem_open(&m)), 0);
	s = mem_close(&m);
	assert_string_equal(
		s,
		"      Total time       Self time       Calls         Average             Min"
		"             Max  Source             Function\n"
		"  ==============  ==============  ==========  ==============  =============="
		"  ==============  =================  ========\n"
		"            4000            2100           1            4000            4000"
		"            4000  prog.c:40          main\n"
		"            1500             900           1            1500            1500"
		"            1500  include/greet.h:3  greet\n"
		"             800             700           2             400             300"
		"             500  prog.c:12          add\n"
		"             200             200           2             100             100"
		"             100  -                  raw\n"
		"             100             100           1             100             100"
		"             100  nop.c              nop\n");
	free(s);
	report_done(rp);

	/* without --srcline: the table as before */
	o.srcline = false;
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_print(rp, mem_open(&m)), 0);
	s = mem_close(&m);
	assert_non_null(strstr(s, "             Max  Function\n"));
	assert_null(strstr(s, "prog.c"));
	free(s);
	report_done(rp);
	close(fd);
}

static void test_report(void **state)
{
	struct ct_report_opts o = { .sort = CT_SORT_TOTAL, .ns = true };
	const struct ct_report_row *const *rows;
	struct ct_view_filter f;
	struct ct_report *rp;
	struct mem m;
	int fd = write_tree();
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_rows(rp, &rows), 5);
	row_eq(rows[0], "main", 0, 1, 4000, 1400, 4000, 4000, 4000);
	row_eq(rows[1], "c", 0, 1, 1700, 1700, 1700, 1700, 1700);
	row_eq(rows[2], "a", 0, 1, 900, 600, 900, 900, 900);
	row_eq(rows[3], "worker", 0, 1, 800, 600, 800, 800, 800);
	/* b: 300 on 100, 200 (unwound) on 101 */
	row_eq(rows[4], "b", 0, 2, 500, 500, 500, 200, 300);
	assert_int_equal(rows[4]->unwound, 1);
	assert_int_equal(ct_report_print(rp, mem_open(&m)), 0);
	s = mem_close(&m);
	assert_string_equal(
		s,
		"      Total time       Self time       Calls         Average             Min"
		"             Max  Function\n"
		"  ==============  ==============  ==========  ==============  =============="
		"  ==============  ========\n"
		"            4000            1400           1            4000            4000"
		"            4000  main\n"
		"            1700            1700           1            1700            1700"
		"            1700  c\n"
		"             900             600           1             900             900"
		"             900  a\n"
		"             800             600           1             800             800"
		"             800  worker\n"
		"             500             500           2             250             200"
		"             300  b\n");
	free(s);
	report_done(rp);

	/* the other keys (ties by name) */
	o.sort = CT_SORT_CALLS;
	rp = report(fd, &f, &o);
	order(rp, "b,a,c,main,worker");
	report_done(rp);
	o.sort = CT_SORT_SELF;
	rp = report(fd, &f, &o);
	order(rp, "c,main,a,worker,b");
	report_done(rp);
	o.sort = CT_SORT_AVG;
	rp = report(fd, &f, &o);
	order(rp, "main,c,a,worker,b");
	report_done(rp);
	o.sort = CT_SORT_MIN;
	rp = report(fd, &f, &o);
	order(rp, "main,c,a,worker,b");
	report_done(rp);
	o.sort = CT_SORT_MAX;
	rp = report(fd, &f, &o);
	order(rp, "main,c,a,worker,b");
	report_done(rp);
	o.sort = CT_SORT_NAME;
	rp = report(fd, &f, &o);
	order(rp, "a,b,c,main,worker");
	report_done(rp);

	/* per thread: by tid, then total */
	o.sort = CT_SORT_TOTAL;
	o.per_thread = true;
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_rows(rp, &rows), 6);
	row_eq(rows[0], "main", 100, 1, 4000, 1400, 4000, 4000, 4000);
	row_eq(rows[1], "c", 100, 1, 1700, 1700, 1700, 1700, 1700);
	row_eq(rows[2], "a", 100, 1, 900, 600, 900, 900, 900);
	row_eq(rows[3], "b", 100, 1, 300, 300, 300, 300, 300);
	row_eq(rows[4], "worker", 101, 1, 800, 600, 800, 800, 800);
	row_eq(rows[5], "b", 101, 1, 200, 200, 200, 200, 200);
	assert_int_equal(rows[5]->unwound, 1);
	report_done(rp);

	/* --max-depth=1: callees count as self */
	o.per_thread = false;
	f.max_depth = 1;
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_rows(rp, &rows), 2);
	row_eq(rows[0], "main", 0, 1, 4000, 4000, 4000, 4000, 4000);
	row_eq(rows[1], "worker", 0, 1, 800, 800, 800, 800, 800);
	report_done(rp);
	close(fd);
}

/*
 * Recursion: r [0, 1000] > r [100, 900] > r [200, 300]; total is the
 * outermost 1000, sum 1900, self 200 + 700 + 100.  And a function named
 * like another module's: both get "@module" in the table.
 */
static void test_report_recursion(void **state)
{
	static const char R[] = "r", LIB[] = "libr.so";
	struct ct_report_opts o = { .sort = CT_SORT_NAME };
	const struct ct_report_row *const *rows;
	struct ct_event evs[8];
	struct ct_view_filter f;
	struct ct_report *rp;
	struct mem m;
	char *s;
	int fd;

	(void)state;
	evs[0] = CALL(1, 0, 100, R, 1, 0);
	evs[1] = CALL(2, 100, 100, R, 2, 0);
	evs[2] = CALL(3, 200, 100, R, 3, 0);
	evs[3] = RET(4, 300, 100, R, 3, 0, 100);
	evs[4] = RET(5, 900, 100, R, 2, 0, 800);
	evs[5] = RET(6, 1000, 100, R, 1, 0, 1000);
	evs[6] = CALL(7, 2000, 100, R, 1, 0);
	evs[6].module = LIB;
	evs[6].addr = 0x7f0000001000;
	evs[7] = RET(8, 2050, 100, R, 1, 0, 50);
	evs[7].module = LIB;
	evs[7].addr = 0x7f0000001000;
	fd = write_events(evs, 8, false);
	ct_view_filter_init(&f);
	rp = report(fd, &f, &o);
	assert_int_equal(ct_report_rows(rp, &rows), 2);
	/* by name, then module: libr.so first */
	assert_string_equal(rows[0]->module, LIB);
	assert_int_equal(rows[0]->calls, 1);
	assert_int_equal(rows[0]->total_ns, 50);
	assert_string_equal(rows[1]->module, MOD);
	assert_int_equal(rows[1]->calls, 3);
	assert_int_equal(rows[1]->total_ns, 1000);
	assert_int_equal(rows[1]->sum_ns, 1900);
	assert_int_equal(rows[1]->self_ns, 1000);
	assert_int_equal(rows[1]->min_ns, 100);
	assert_int_equal(rows[1]->max_ns, 1000);
	assert_int_equal(ct_report_print(rp, mem_open(&m)), 0);
	s = mem_close(&m);
	assert_non_null(strstr(s, "\n       50 ns       50 ns           1       50 ns       50 ns"
				  "       50 ns  r@libr.so\n"));
	/* average 1900 / 3 = 633 */
	assert_non_null(strstr(s, "\n    1.000 us    1.000 us           3      633 ns      100 ns"
				  "    1.000 us  r@prog\n"));
	free(s);
	report_done(rp);
	close(fd);
}

static char *dump(int fd, const struct ct_view_filter *f, const struct ct_dump_opts *o)
{
	struct ct_dump_opts oo = *o;
	struct run run;
	struct mem m;
	unsigned window = o->format == CT_DUMP_JSONL && f->min_duration_ns ? CT_VIEW_LOOKAHEAD : 0;

	input(&run, fd, f, window);
	oo.info = ct_trace_reader_info(run.r);
	assert_int_equal(ct_dump(run.in, f, &oo, mem_open(&m)), 0);
	run_done(&run);
	return mem_close(&m);
}

/* The jsonl lines of tree[] at the given seqs, as the live output prints them. */
static void jsonl_of(const char *seqs, char *buf, size_t size)
{
	const char *p = seqs;
	size_t len = 0;

	make_tree();
	while (*p) {
		char *end;
		unsigned long s = strtoul(p, &end, 10);

		len += ct_jsonl_format_flags(&tree[s - 1], CT_OUT_REGS, buf + len, size - len);
		assert_true(len + 1 < size);
		buf[len++] = '\n';
		buf[len] = '\0';
		p = *end ? end + 1 : end;
	}
}

static void test_dump_jsonl(void **state)
{
	struct ct_dump_opts o = { .format = CT_DUMP_JSONL };
	struct ct_view_filter f;
	char want[8192], *s;
	int fd = write_tree();

	(void)state;
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	jsonl_of("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", want, sizeof(want));
	assert_string_equal(s, want);
	free(s);

	f.tids[f.nr_tids++] = 101;
	s = dump(fd, &f, &o);
	jsonl_of("6,7,9,10,11,12", want, sizeof(want));
	assert_string_equal(s, want);
	free(s);

	/* at least 800 ns: the b frames go, with their events */
	ct_view_filter_init(&f);
	f.min_duration_ns = 800;
	s = dump(fd, &f, &o);
	jsonl_of("1,2,5,6,7,8,11,12,13,14,15", want, sizeof(want));
	assert_string_equal(s, want);
	free(s);
	close(fd);
}

/* Register snapshots come out unless --no-regs. */
static void test_dump_jsonl_regs(void **state)
{
	struct ct_dump_opts o = { .format = CT_DUMP_JSONL };
	struct ct_view_filter f;
	struct ct_regs regs;
	struct ct_event ev[2];
	char want[4096], *s;
	size_t len;
	unsigned i;
	int fd;

	(void)state;
	for (i = 0; i < CT_REGS_WORDS; i++)
		regs.w[i] = 0x1000 + i;
	ev[0] = CALL(1, 10, 100, F_A, 1, 0x1000 + 14);
	ev[0].regs = &regs;
	ev[0].arch = &ct_arch_x86_64;
	ev[1] = RET(2, 20, 100, F_A, 1, 0, 10);
	fd = write_events(ev, 2, false);
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	len = ct_jsonl_format_flags(&ev[0], CT_OUT_REGS, want, sizeof(want));
	want[len++] = '\n';
	len += ct_jsonl_format_flags(&ev[1], CT_OUT_REGS, want + len, sizeof(want) - len);
	want[len++] = '\n';
	want[len] = '\0';
	assert_non_null(strstr(want, "\"regs\":{"));
	assert_string_equal(s, want);
	free(s);
	/* the same through the view (a filter), with the lookahead ring */
	f.min_duration_ns = 1;
	s = dump(fd, &f, &o);
	assert_string_equal(s, want);
	free(s);
	o.no_regs = true;
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	assert_null(strstr(s, "\"regs\""));
	free(s);
	close(fd);
}

static void test_dump_chrome(void **state)
{
	struct ct_dump_opts o = { .format = CT_DUMP_CHROME };
	struct ct_view_filter f;
	int fd = write_tree();
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	assert_string_equal(
		s,
		"{\"traceEvents\":[\n"
		"{\"ph\":\"M\",\"pid\":100,\"tid\":100,\"name\":\"process_name\","
		"\"args\":{\"name\":\"prog\"}},\n"
		"{\"ph\":\"M\",\"pid\":100,\"tid\":100,\"name\":\"thread_name\","
		"\"args\":{\"name\":\"prog\"}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":1.200,\"dur\":0.300,\"name\":\"b\","
		"\"cat\":\"prog\","
		"\"args\":{\"args\":[\"0x5\"],\"retval\":\"0x7\",\"end\":\"return\"}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":1.100,\"dur\":0.900,\"name\":\"a\","
		"\"cat\":\"prog\","
		"\"args\":{\"args\":[\"0x3\"],\"retval\":\"0x8\",\"end\":\"return\"}},\n"
		"{\"ph\":\"M\",\"pid\":100,\"tid\":101,\"name\":\"thread_name\","
		"\"args\":{\"name\":\"thread 101\"}},\n"
		"{\"ph\":\"i\",\"pid\":100,\"tid\":101,\"s\":\"t\",\"ts\":2.100,"
		"\"name\":\"thread_start\",\"args\":{\"parent\":100}},\n"
		"{\"ph\":\"i\",\"pid\":100,\"tid\":101,\"s\":\"t\",\"ts\":2.200,"
		"\"name\":\"lost events\",\"args\":{\"count\":2}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":101,\"ts\":2.400,\"dur\":0.200,\"name\":\"b\","
		"\"cat\":\"prog\",\"args\":{\"args\":[\"0x0\"],\"end\":\"unwind\"}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":101,\"ts\":2.200,\"dur\":0.800,"
		"\"name\":\"worker\","
		"\"cat\":\"prog\","
		"\"args\":{\"args\":[\"0x0\"],\"retval\":\"0x0\",\"end\":\"return\"}},\n"
		"{\"ph\":\"i\",\"pid\":100,\"tid\":101,\"s\":\"t\",\"ts\":3.100,"
		"\"name\":\"thread_exit\",\"args\":{\"status\":0}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":2.300,\"dur\":1.700,\"name\":\"c\","
		"\"cat\":\"prog\","
		"\"args\":{\"args\":[\"0x0\"],\"retval\":\"0x9\",\"end\":\"return\"}},\n"
		"{\"ph\":\"X\",\"pid\":100,\"tid\":100,\"ts\":1.000,\"dur\":4.000,"
		"\"name\":\"main\","
		"\"cat\":\"prog\","
		"\"args\":{\"args\":[\"0x1\"],\"retval\":\"0x0\",\"end\":\"return\"}},\n"
		"{\"ph\":\"i\",\"pid\":100,\"tid\":100,\"s\":\"t\",\"ts\":5.100,"
		"\"name\":\"exit\",\"args\":{\"status\":0}}\n"
		"],\"displayTimeUnit\":\"ns\","
		"\"otherData\":{\"generator\":\"calltrap " PACKAGE_VERSION "\"}}\n");
	free(s);
	close(fd);
}

static void test_dump_folded(void **state)
{
	struct ct_dump_opts o = { .format = CT_DUMP_FOLDED };
	struct ct_view_filter f;
	int fd = write_tree();
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	assert_string_equal(s, "main 1400\n"
			       "main;a 600\n"
			       "main;a;b 300\n"
			       "main;c 1700\n"
			       "worker 600\n"
			       "worker;b 200\n");
	free(s);

	o.per_thread = true;
	s = dump(fd, &f, &o);
	assert_string_equal(s, "[tid 100];main 1400\n"
			       "[tid 100];main;a 600\n"
			       "[tid 100];main;a;b 300\n"
			       "[tid 100];main;c 1700\n"
			       "[tid 101];worker 600\n"
			       "[tid 101];worker;b 200\n");
	free(s);

	/* subtrees of a and b: b of 101 is a root of its own */
	o.per_thread = false;
	f.funcs[f.nr_funcs++] = "[ab]";
	s = dump(fd, &f, &o);
	assert_string_equal(s, "a 600\n"
			       "a;b 300\n"
			       "b 200\n");
	free(s);
	close(fd);
}

static void test_dump_svg(void **state)
{
	struct ct_dump_opts o = { .format = CT_DUMP_SVG, .title = "T<1>" };
	struct ct_view_filter f;
	int fd = write_tree();
	char *s;

	(void)state;
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	assert_true(!strncmp(s, "<?xml version=\"1.0\"", 19));
	/* 4 levels of 16 px, 60 above, 34 below */
	assert_non_null(strstr(s, "width=\"1200\" height=\"158\""));
	assert_non_null(strstr(s, "<text id=\"title\" x=\"600\" y=\"24\">T&lt;1&gt;</text>"));
	assert_non_null(strstr(s, ">./prog x: 4.800 us in traced functions<"));
	/*
	 * 1180 px for 4800 ns: main 4000 -> 983.33 px at x 10; worker 800 ->
	 * 196.67 at 10 + 983.33; a 900 -> 221.25 at 10; c 1700 -> 417.92 at
	 * 10 + 221.25; b 300 -> 73.75 at 10; worker's b 200 -> 49.17 at
	 * 993.33.  y = 158 - 34 - 16 * (depth + 1).
	 */
	assert_non_null(strstr(s, "<g id=\"root\"><title>all (4.800 us, 100.00%)</title>"
				  ""
				  "<rect x=\"10.00\" y=\"108.0\" "
				  "width=\"1180.00\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>main (4.000 us, 83.33%)</title>"
				  "<rect x=\"10.00\" y=\"92.0\" "
				  "width=\"983.33\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>worker (800 ns, 16.67%)</title>"
				  ""
				  "<rect x=\"993.33\" y=\"92.0\" "
				  "width=\"196.67\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>a (900 ns, 18.75%)</title>"
				  "<rect x=\"10.00\" y=\"76.0\" "
				  "width=\"221.25\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>c (1.700 us, 35.42%)</title>"
				  ""
				  "<rect x=\"231.25\" y=\"76.0\" "
				  "width=\"417.92\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>b (300 ns, 6.25%)</title>"
				  "<rect x=\"10.00\" y=\"60.0\" "
				  "width=\"73.75\" height=\"15.0\""));
	assert_non_null(strstr(s, "<g><title>b (200 ns, 4.17%)</title>"
				  "<rect x=\"993.33\" y=\"76.0\" "
				  "width=\"49.17\" height=\"15.0\""));
	/* interactive and self-contained */
	assert_non_null(strstr(s, "function zoom(g)"));
	assert_non_null(strstr(s, "function search(term)"));
	assert_non_null(strstr(s, "onload=\"init(evt)\""));
	assert_null(strstr(s, "href"));
	assert_null(strstr(s, "src="));
	assert_non_null(strstr(s, "</svg>\n"));
	free(s);
	close(fd);
}

/* Names from the tracee with bytes each format must escape. */
static void test_dump_escapes(void **state)
{
	static const char WEIRD[] = "op<&>\"'\x01;\xff\xc3\xa9";
	struct ct_dump_opts o = { .format = CT_DUMP_FOLDED };
	struct ct_event evs[2];
	struct ct_view_filter f;
	char *s;
	int fd;

	(void)state;
	evs[0] = CALL(1, 10, 100, WEIRD, 1, 0);
	evs[1] = RET(2, 20, 100, WEIRD, 1, 0, 10);
	fd = write_events(evs, 2, false);
	ct_view_filter_init(&f);
	s = dump(fd, &f, &o);
	/* ';' would split the frame, control characters the line */
	assert_string_equal(s, "op<&>\"'?:\xff\xc3\xa9 10\n");
	free(s);
	o.format = CT_DUMP_SVG;
	s = dump(fd, &f, &o);
	/* XML: entities; no control character or invalid UTF-8 at all */
	assert_non_null(strstr(s, "<title>op&lt;&amp;&gt;&quot;&apos;?;?\xc3\xa9 "
	  "(10 ns, 100.00%)"));
	free(s);
	o.format = CT_DUMP_CHROME;
	s = dump(fd, &f, &o);
	assert_non_null(strstr(s, "\"name\":\"op<&>\\\"'\\u0001;\\u00ff\xc3\xa9\""));
	free(s);
	{
		struct ct_replay_opts ro = { 0 };

		s = replay(fd, &f, &ro);
		assert_non_null(strstr(s, "op<&>\"'\\x01;\xff\xc3\xa9(0x0) = 0x0;"));
		free(s);
	}
	close(fd);
}

static void test_parse_names(void **state)
{
	enum ct_report_sort sort;
	enum ct_dump_format fmt;

	(void)state;
	assert_int_equal(ct_report_sort_parse("self", &sort), 0);
	assert_int_equal(sort, CT_SORT_SELF);
	assert_int_equal(ct_report_sort_parse("name", &sort), 0);
	assert_int_equal(sort, CT_SORT_NAME);
	assert_int_equal(ct_report_sort_parse("Self", &sort), -EINVAL);
	assert_int_equal(ct_report_sort_parse(NULL, &sort), -EINVAL);
	assert_int_equal(ct_dump_format_parse("svg", &fmt), 0);
	assert_int_equal(fmt, CT_DUMP_SVG);
	assert_int_equal(ct_dump_format_parse("chrome", &fmt), 0);
	assert_int_equal(fmt, CT_DUMP_CHROME);
	assert_int_equal(ct_dump_format_parse("text", &fmt), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_replay_filters),
		cmocka_unit_test(test_replay_spill),
		cmocka_unit_test(test_replay_typed),
		cmocka_unit_test(test_report_srcline),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_report_recursion),
		cmocka_unit_test(test_dump_jsonl),
		cmocka_unit_test(test_dump_jsonl_regs),
		cmocka_unit_test(test_dump_chrome),
		cmocka_unit_test(test_dump_folded),
		cmocka_unit_test(test_dump_svg),
		cmocka_unit_test(test_dump_escapes),
		cmocka_unit_test(test_parse_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
