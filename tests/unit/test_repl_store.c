/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/repl/store.c, cursor.c: the REPL's event store over trace files
 * written here with ct_trace_writer in small chunks (CT_TRACE_CHUNK_MIN),
 * so that every walk crosses many chunk boundaries.
 *
 * Every expected seq and count is worked out by hand from the trace that
 * repl_trace.h draws, not taken from the store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "repl/store.h"

#define K 200 /* leaf calls of thread 102 */
#include "repl_trace.h"

static struct ct_event trace[N_EVENTS];

static struct ct_store *trace_store(size_t chunk)
{
	int fd;
	struct ct_store *st;

	make_trace(trace);
	fd = write_events(trace, N_EVENTS, chunk, NULL);
	st = open_store(fd, false);
	close(fd); /* the store has its own */
	return st;
}

static size_t chunks_of(int fd, uint64_t *first, size_t max)
{
	struct ct_trace_reader *r = ct_trace_reader_open(fd, NULL, 0);
	size_t n, i;

	assert_non_null(r);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	n = ct_trace_reader_nr_chunks(r);
	for (i = 0; i < n && i < max; i++)
		first[i] = ct_trace_reader_chunk(r, i)->first_seq;
	ct_trace_reader_close(r);
	return n;
}

/* ---- numbering, lookup ---- */

static void test_numbering(void **state)
{
	struct ct_store *st;
	const struct ct_event *ev;
	struct ct_event want;
	uint64_t seq;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	assert_int_equal(ct_store_nr_events(st), N_EVENTS);
	assert_int_equal(ct_store_nr_visible(st), N_EVENTS);
	assert_false(ct_store_cursor(st, &seq));
	assert_true(ct_store_next_visible(st, 0, &seq));
	assert_int_equal(seq, S0);
	assert_true(ct_store_prev_visible(st, UINT64_MAX, &seq));
	assert_int_equal(seq, LAST);
	assert_false(ct_store_prev_visible(st, S0, &seq));
	assert_false(ct_store_next_visible(st, LAST + 1, &seq));

	assert_int_equal(ct_store_event(st, 1003, &ev), 0);
	want = test_stored(&trace[3]);
	test_event_eq(&want, ev, ARCH);
	assert_int_equal(ct_store_event(st, 1012, &ev), 0);
	assert_string_equal(ev->func, "c");
	assert_int_equal(ev->duration_ns, 1700);
	assert_int_equal(ct_store_event(st, S0 + 17 + 2 * 57, &ev), 0);
	assert_string_equal(ev->func, "leaf");
	assert_int_equal(ev->args[0], 57);
	assert_int_equal(ct_store_event(st, S0 - 1, &ev), -ENOENT);
	assert_int_equal(ct_store_event(st, LAST + 1, &ev), -ENOENT);
	assert_int_equal(ct_store_event(st, 0, &ev), -ENOENT);

	assert_string_equal(ct_store_name(st), "test.trace");
	assert_non_null(ct_store_info(st));
	assert_int_equal(ct_store_info(st)->pid, 4242);
	ct_store_free(st);
}

/* Every event, read back through the store, equals what was written. */
static void test_every_event(void **state)
{
	struct ct_store *st;
	const struct ct_event *ev;
	struct ct_event want;
	size_t i;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	/* backwards, so that each chunk is entered from its end */
	for (i = N_EVENTS; i-- > 0;) {
		assert_int_equal(ct_store_event(st, S0 + i, &ev), 0);
		want = test_stored(&trace[i]);
		test_event_eq(&want, ev, ARCH);
	}
	ct_store_free(st);
}

/* ---- cursor ---- */

static void test_next_prev(void **state)
{
	struct ct_store *st;
	const struct ct_event *ev;
	uint64_t seq, first[256];
	size_t nch, i;
	int fd;

	(void)state;
	make_trace(trace);
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, NULL);
	nch = chunks_of(fd, first, 256);
	assert_true(nch > 10 && nch < 256); /* the walks below cross many boundaries */
	st = open_store(fd, false);

	/* next without a cursor: the first event, then one by one */
	for (i = 0; i < N_EVENTS; i++) {
		assert_int_equal(ct_store_next(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, S0 + i);
		assert_int_equal(ct_store_event(st, seq, &ev), 0);
		assert_int_equal(ev->type, trace[i].type);
		assert_int_equal(ev->ts_ns, trace[i].ts_ns);
	}
	assert_int_equal(ct_store_next(st, 1), 0);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, LAST);
	for (i = N_EVENTS - 1; i-- > 0;) {
		assert_int_equal(ct_store_prev(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, S0 + i);
		assert_int_equal(ct_store_event(st, seq, &ev), 0);
		assert_int_equal(ev->ts_ns, trace[i].ts_ns);
	}
	assert_int_equal(ct_store_prev(st, 1), 0);

	/* at each chunk boundary: back across it, and forth again */
	for (i = 1; i < nch; i++) {
		assert_int_equal(ct_store_goto(st, first[i]), 0);
		assert_int_equal(ct_store_prev(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, first[i] - 1);
		assert_int_equal(ct_store_event(st, seq, &ev), 0);
		assert_int_equal(ev->ts_ns, trace[seq - S0].ts_ns);
		assert_int_equal(ct_store_next(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, first[i]);
		assert_int_equal(ct_store_event(st, seq, &ev), 0);
		assert_int_equal(ev->ts_ns, trace[seq - S0].ts_ns);
	}

	/* several steps at once, stopping at the ends */
	assert_int_equal(ct_store_goto(st, 1010), 0);
	assert_int_equal(ct_store_next(st, 5), 5);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1015);
	assert_int_equal(ct_store_prev(st, 100), 15);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, S0);
	assert_int_equal(ct_store_next(st, 1000000), N_EVENTS - 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, LAST);

	/* goto: outside the trace */
	assert_int_equal(ct_store_goto(st, LAST + 1), -ENOENT);
	assert_int_equal(ct_store_goto(st, 5), -ENOENT);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, LAST);
	ct_store_free(st);

	/* a fresh store: prev without a cursor starts at the last event */
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, NULL);
	st = open_store(fd, false);
	close(fd);
	assert_int_equal(ct_store_prev(st, 2), 2);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, LAST - 1);
	ct_store_free(st);
}

static void test_list_pos(void **state)
{
	struct ct_store *st;
	uint64_t seq;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	assert_false(ct_store_list_pos(st, &seq));
	ct_store_set_list_pos(st, 1020);
	assert_true(ct_store_list_pos(st, &seq));
	assert_int_equal(seq, 1020);
	/* moving the cursor restarts listings there */
	assert_int_equal(ct_store_goto(st, 1004), 0);
	assert_true(ct_store_list_pos(st, &seq));
	assert_int_equal(seq, 1004);
	ct_store_set_list_pos(st, 1009);
	assert_true(ct_store_list_pos(st, &seq));
	assert_int_equal(seq, 1009);
	ct_store_free(st);
}

/* ---- filter ---- */

/* Set the filter from "name=value" pairs; returns the visible count. */
static uint64_t filter(struct ct_store *st, const char *const *words)
{
	struct ct_view_filter f;
	char why[200], name[32];

	ct_view_filter_init(&f);
	for (; *words; words++) {
		const char *eq = strchr(*words, '=');

		assert_non_null(eq);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *words), *words);
		assert_int_equal(ct_view_filter_set(&f, name, eq + 1, why, sizeof(why)), 0);
	}
	assert_int_equal(ct_store_set_filter(st, &f), 0);
	return ct_store_nr_visible(st);
}

#define FILTER(st, ...) filter(st, (const char *const[]){ __VA_ARGS__, NULL })

/* The visible seqs, as "1000 1001 ..." (walked with next_visible). */
static const char *visible(struct ct_store *st, char *buf, size_t size)
{
	uint64_t seq = 0;
	size_t len = 0;

	buf[0] = '\0';
	while (ct_store_next_visible(st, seq, &seq) && len < size) {
		len += (size_t)snprintf(buf + len, size - len, "%s%llu", len ? " " : "",
					(unsigned long long)seq);
		seq++;
	}
	return buf;
}

static void test_filter(void **state)
{
	struct ct_store *st;
	char buf[8192], s[64];
	uint64_t seq;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);

	/* func=a: the subtree of a: 1001-1004 */
	assert_int_equal(FILTER(st, "func=a"), 4);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1001 1002 1003 1004");
	/* func=b: b on 100 and on 101 (unwound) */
	assert_int_equal(FILTER(st, "func=b"), 4);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1002 1003 1008 1009");
	/* func=y: its call; it ended unseen, so no event of its end */
	assert_int_equal(FILTER(st, "func=y"), 1);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1015");
	assert_int_equal(FILTER(st, "func=leaf"), 2 * K);
	/* tid=101: its thread events and frames */
	assert_int_equal(FILTER(st, "tid=101"), 6);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1005 1006 1008 1009 1010 1011");
	assert_int_equal(FILTER(st, "tid=100"), 8);
	assert_string_equal(visible(st, buf, sizeof(buf)),
			    "1000 1001 1002 1003 1004 1007 1012 1013");
	/* tid=100,101 and tid=100 tid=101 alike: 8 + 6 */
	assert_int_equal(FILTER(st, "tid=100,101"), 14);
	assert_int_equal(FILTER(st, "tid=100", "tid=101"), 14);
	/* max-depth=1: main 2, worker 2, x 2 (y hidden), leaf 2K, open 1, thread events 2 */
	assert_int_equal(FILTER(st, "max-depth=1"), 2 + 2 + 2 + 2 * K + 1 + 2);
	/* min-duration=1us: main (4000) and c (1700); the thread events stay */
	assert_int_equal(FILTER(st, "min-duration=1us"), 6);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1000 1005 1007 1011 1012 1013");
	/* since/until: ts 2100..3100 */
	assert_int_equal(FILTER(st, "since=2100ns", "until=3100ns"), 7);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1005 1006 1007 1008 1009 1010 1011");
	/* since alone: from ts 10000, the leaves and open */
	assert_int_equal(FILTER(st, "since=10us"), 2 * K + 1);
	/* combinations */
	assert_int_equal(FILTER(st, "tid=100", "max-depth=2"), 6);
	assert_string_equal(visible(st, buf, sizeof(buf)), "1000 1001 1004 1007 1012 1013");
	assert_int_equal(FILTER(st, "func=b", "tid=101"), 2);
	assert_int_equal(FILTER(st, "func=main", "max-depth=2"), 6);
	assert_int_equal(FILTER(st, "func=nothing"), 0);
	assert_false(ct_store_next_visible(st, 0, &seq));
	assert_int_equal(ct_store_next(st, 1), 0);

	/* the filter as words */
	assert_int_equal(FILTER(st, "func=b*", "tid=101", "max-depth=2", "min-duration=1500us",
				"since=2s", "until=3ms"),
			 0);
	assert_string_equal(ct_store_filter_string(ct_store_filter(st), buf, sizeof(buf)),
			    "func=b* tid=101 depth<=2 dur>=1500us since=2s until=3ms");
	/* cut where the buffer ends, nothing after */
	ct_store_filter_string(ct_store_filter(st), s, 12);
	assert_string_equal(s, "func=b* tid");

	/* goto an event the filter hides; the cursor stays */
	assert_int_equal(FILTER(st, "tid=101"), 6);
	assert_int_equal(ct_store_goto(st, 1006), 0);
	assert_int_equal(ct_store_goto(st, 1007), -EACCES);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1006);
	assert_int_equal(ct_store_next(st, 1), 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1008);
	/* a new filter keeps the cursor even where it now hides it */
	assert_int_equal(FILTER(st, "func=a"), 4);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1008);
	assert_int_equal(ct_store_prev(st, 1), 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1004);

	/* clear: every event */
	assert_int_equal(FILTER(st, "since=0"), N_EVENTS); /* since=0 is no filter */
	assert_false(ct_view_filter_active(ct_store_filter(st)));
	assert_string_equal(ct_store_filter_string(ct_store_filter(st), buf, sizeof(buf)), "");
	ct_store_free(st);
}

/* The filter's strings are the store's own. */
static void test_filter_copy(void **state)
{
	struct ct_view_filter f;
	struct ct_store *st;
	char pattern[8] = "a";
	char why[200];

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	ct_view_filter_init(&f);
	assert_int_equal(ct_view_filter_set(&f, "func", pattern, why, sizeof(why)), 0);
	assert_int_equal(ct_store_set_filter(st, &f), 0);
	strcpy(pattern, "zzz");
	assert_string_equal(ct_store_filter(st)->funcs[0], "a");
	/* re-setting the store's own filter (as `filter tid=` on top does) */
	f = *ct_store_filter(st);
	assert_int_equal(ct_view_filter_set(&f, "tid", "100", why, sizeof(why)), 0);
	assert_int_equal(ct_store_set_filter(st, &f), 0);
	assert_string_equal(ct_store_filter(st)->funcs[0], "a");
	assert_int_equal(ct_store_nr_visible(st), 4);
	ct_store_free(st);
}

/* The same sets as `calltrap dump --format=jsonl` with the same filter (a
 * second path through the view: its own input and consumer). */
static void test_filter_matches_dump(void **state)
{
	static const char *const filters[][3] = {
		{ "func=b", NULL }, { "func=?", "max-depth=1" }, { "tid=101", NULL },
		{ "min-duration=250ns", NULL }, { "since=1500ns", "until=5300ns" },
		{ "func=leaf", "since=10200ns" }, { "max-depth=2", "min-duration=100ns" },
	};
	struct ct_dump_opts o = { .format = CT_DUMP_JSONL };
	char vis[8192], dumped[8192], *text, *p;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	struct ct_store *st;
	size_t i, size, len;
	FILE *mem;
	int fd;

	(void)state;
	make_trace(trace);
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, NULL);
	st = open_store(fd, false);
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		filter(st, filters[i]);
		visible(st, vis, sizeof(vis));
		r = ct_trace_reader_open(fd, NULL, 0);
		assert_non_null(r);
		in = ct_view_input_new(r, fd, ct_store_filter(st)->since_ns,
				       ct_store_filter(st)->until_ns, CT_VIEW_LOOKAHEAD);
		assert_non_null(in);
		mem = open_memstream(&text, &size);
		assert_non_null(mem);
		assert_int_equal(ct_dump(in, ct_store_filter(st), &o, mem), 0);
		fclose(mem);
		ct_view_input_free(in);
		ct_trace_reader_close(r);
		/* the "seq" of each line */
		len = 0;
		dumped[0] = '\0';
		for (p = text; (p = strstr(p, "{\"seq\":")); p++)
			len += (size_t)snprintf(dumped + len, sizeof(dumped) - len, "%s%llu",
						len ? " " : "", strtoull(p + 7, NULL, 10));
		free(text);
		assert_true(len > 0);
		assert_string_equal(vis, dumped);
	}
	ct_store_free(st);
	close(fd);
}

/* A damaged chunk: left out, said so, stepped over. */
static void test_damaged(void **state)
{
	uint64_t first[256], lo, hi, want = 0;
	struct test_chunk ch[1024];
	struct ct_store *st;
	char line[256];
	uint8_t *buf, byte;
	size_t nch, n, i, k;
	uint64_t seq;
	bool error;
	off_t size;
	int fd;

	(void)state;
	make_trace(trace);
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, NULL);
	nch = chunks_of(fd, first, 256);
	assert_true(nch > 6);
	size = lseek(fd, 0, SEEK_END);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)size, 0), size);
	n = test_chunks(buf, (size_t)size, ch, 1024);
	/* the 5th EVENTS chunk: flip the last byte of its payload */
	for (i = 0, k = 0; i < n; i++)
		if (ch[i].type == 1 && k++ == 4)
			break;
	assert_true(i < n);
	byte = buf[ch[i].off + ch[i].len - 1] ^ 0x40;
	assert_int_equal(pwrite(fd, &byte, 1, (off_t)(ch[i].off + ch[i].len - 1)), 1);
	free(buf);
	lo = first[4];
	hi = first[5];

	st = open_store(fd, false);
	assert_int_equal(ct_store_nr_events(st), N_EVENTS - (hi - lo));
	assert_int_equal(ct_store_nr_visible(st), N_EVENTS - (hi - lo));
	assert_true(ct_store_problems(st, line, sizeof(line), &error));
	assert_true(error);
	assert_non_null(strstr(line, "corrupt chunk"));
	assert_int_equal(ct_store_goto(st, lo), -ENOENT);
	assert_int_equal(ct_store_goto(st, lo - 1), 0);
	assert_int_equal(ct_store_next(st, 1), 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, hi);
	assert_int_equal(ct_store_prev(st, 1), 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, lo - 1);
	/* the leaves of thread 102 outside the lost chunk, counted from the trace */
	for (i = 0; i < N_EVENTS; i++)
		want += trace[i].tid == 102 && (trace[i].seq < lo || trace[i].seq >= hi);
	assert_int_equal(FILTER(st, "tid=102"), want);
	ct_store_free(st);
	close(fd);
}

/* ---- finish, scan ---- */

static void test_frame_end(void **state)
{
	static const struct {
		uint64_t from;
		int rc;
		uint64_t end;
	} cases[] = {
		{ 1000, 0, 1013 },                 /* call main -> its return */
		{ 1001, 0, 1004 },                 /* call a */
		{ 1002, 0, 1003 },                 /* call b */
		{ 1003, 0, 1004 },                 /* ret b d3 -> the end of a */
		{ 1007, 0, 1012 },                 /* call c, across thread 101's events */
		{ 1008, 0, 1009 },                 /* call b on 101 -> its unwind */
		{ 1009, 0, 1010 },                 /* unwind b d2 -> the end of worker */
		{ 1004, 0, 1013 },                 /* ret a d2 -> the end of main */
		{ 1005, -EDOM, UINT64_MAX },       /* thread_start, outside any frame */
		{ 1011, -EDOM, UINT64_MAX },       /* thread_exit */
		{ 1013, -EDOM, UINT64_MAX },       /* ret main d1: outermost */
		{ 1014, 0, 1016 },                 /* call x */
		{ 1015, -ENOENT, 1016 },           /* call y: ended unseen, ret x shows it */
		{ S0 + 17, 0, S0 + 18 },           /* the first leaf */
		{ OPEN, -ENOENT, UINT64_MAX },     /* never returns */
		{ LAST + 5, -ENOENT, UINT64_MAX }, /* no such event */
	};
	struct ct_store *st;
	uint64_t end;
	size_t i;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		end = 12345;
		assert_int_equal(ct_store_frame_end(st, cases[i].from, &end), cases[i].rc);
		assert_int_equal(end, cases[i].end);
	}
	ct_store_free(st);
}

struct collect {
	char buf[4096];
	size_t len;
	unsigned stop_after;
};

static int collect_calls(void *ctx, const struct ct_event *ev)
{
	struct collect *c = ctx;

	if (ev->type != CT_EV_CALL || strcmp(ev->func, "b"))
		return 0;
	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s%llu",
				   c->len ? " " : "", (unsigned long long)ev->seq);
	return c->stop_after && !--c->stop_after ? 7 : 0;
}

static void test_scan(void **state)
{
	struct ct_store *st;
	struct collect c = { 0 };

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	assert_int_equal(ct_store_scan(st, 0, true, collect_calls, &c), 0);
	assert_string_equal(c.buf, "1002 1008");
	memset(&c, 0, sizeof(c));
	assert_int_equal(ct_store_scan(st, 1003, false, collect_calls, &c), 0);
	assert_string_equal(c.buf, "1008");
	/* a non-zero value stops the scan and is returned */
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	assert_int_equal(ct_store_scan(st, 0, false, collect_calls, &c), 7);
	assert_string_equal(c.buf, "1002");
	/* visible only: tid=101 leaves b's call on 101 */
	assert_int_equal(FILTER(st, "tid=101"), 6);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ct_store_scan(st, 0, true, collect_calls, &c), 0);
	assert_string_equal(c.buf, "1008");
	ct_store_free(st);
}

/* ---- registers ---- */

static void test_regs(void **state)
{
	struct ct_store *st;
	const struct ct_event *ev;
	struct ct_regs want;
	unsigned k;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	assert_int_equal(ct_store_event(st, 1000, &ev), 0);
	assert_null(ev->regs);
	assert_int_equal(ct_store_event(st, 1001, &ev), 0);
	assert_non_null(ev->regs);
	assert_ptr_equal(ev->arch, ARCH);
	want = regs_k(1);
	assert_memory_equal(ev->regs->w, want.w, ARCH->regs_size);
	assert_int_equal(ct_store_event(st, 1003, &ev), 0);
	want = regs_k(2);
	assert_memory_equal(ev->regs->w, want.w, ARCH->regs_size);
	/* leaves: every tenth call has a snapshot, the others none */
	for (k = K; k-- > 0;) {
		assert_int_equal(ct_store_event(st, S0 + 17 + 2 * k, &ev), 0);
		if (k % 10) {
			assert_null(ev->regs);
			continue;
		}
		assert_non_null(ev->regs);
		want = regs_k(k + 100);
		assert_memory_equal(ev->regs->w, want.w, ARCH->regs_size);
	}
	ct_store_free(st);
}

/* ---- a chunk longer than the cache window ---- */

#define BIG (2 * CT_STORE_WINDOW + 1000)

static void test_big_chunk(void **state)
{
	static struct ct_event ev[BIG];
	static struct ct_regs rg[BIG / 1000 + 1];
	const struct ct_event *e;
	struct ct_store *st;
	uint64_t seq, first[4];
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < BIG; i++) {
		if (i % 2)
			ev[i] = RET(i, 10 * i, 100, "f", 1, i, 10);
		else
			ev[i] = CALL(i, 10 * i, 100, "f", 1, i);
		if (i % 1000 == 0) {
			rg[i / 1000] = regs_k(i);
			ev[i].arch = ARCH;
			ev[i].regs = &rg[i / 1000];
		}
	}
	fd = write_events(ev, BIG, CT_TRACE_CHUNK_LIMIT, NULL);
	assert_int_equal(chunks_of(fd, first, 4), 1);
	st = open_store(fd, false);
	close(fd);
	assert_int_equal(ct_store_nr_visible(st), BIG);
	/* forward through it all, then back: the window slides both ways */
	for (i = 0; i < BIG; i++) {
		assert_int_equal(ct_store_next(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, i);
		assert_int_equal(ct_store_event(st, seq, &e), 0);
		assert_int_equal(e->ts_ns, 10 * i);
		assert_int_equal(e->type, i % 2 ? CT_EV_RETURN : CT_EV_CALL);
		if (i % 1000 == 0) {
			assert_non_null(e->regs);
			assert_int_equal(e->regs->w[3], i * 1000 + 3);
		}
	}
	for (i = BIG - 1; i-- > 0;) {
		assert_int_equal(ct_store_prev(st, 1), 1);
		assert_true(ct_store_cursor(st, &seq));
		assert_int_equal(seq, i);
		assert_int_equal(ct_store_event(st, seq, &e), 0);
		assert_int_equal(e->ts_ns, 10 * i);
		if (i % 1000 == 0) {
			assert_non_null(e->regs);
			assert_int_equal(e->regs->w[5], i * 1000 + 5);
		} else {
			assert_null(e->regs);
		}
	}
	/* jumps */
	assert_int_equal(ct_store_event(st, BIG - 1, &e), 0);
	assert_int_equal(e->ts_ns, 10 * (BIG - 1));
	assert_int_equal(ct_store_event(st, 0, &e), 0);
	assert_int_equal(e->ts_ns, 0);
	assert_int_equal(ct_store_event(st, BIG / 2, &e), 0);
	assert_int_equal(e->ts_ns, 10 * (BIG / 2));
	assert_int_equal(ct_store_event(st, BIG, &e), -ENOENT);
	assert_int_equal(ct_store_frame_end(st, BIG - 4, &seq), 0); /* a call */
	assert_int_equal(seq, BIG - 3);
	ct_store_free(st);
}

/* ---- gaps in the numbering ---- */

static void test_seq_gaps(void **state)
{
	struct ct_event ev[60];
	const struct ct_event *e;
	struct ct_store *st;
	char buf[1024], want[1024];
	uint64_t seq;
	size_t i, len = 0;
	int fd;

	(void)state;
	/* seqs 5..34, then 135..164 (100 lost in between) */
	for (i = 0; i < 60; i++) {
		seq = 5 + i + (i >= 30 ? 100 : 0);
		if (i % 2)
			ev[i] = RET(seq, 10 * i, 100, "f", 1, 0, 10);
		else
			ev[i] = CALL(seq, 10 * i, 100, "f", 1, i);
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%llu", len ? " " : "",
					(unsigned long long)seq);
	}
	fd = write_events(ev, 60, CT_TRACE_CHUNK_MIN, NULL);
	st = open_store(fd, false);
	close(fd);
	assert_int_equal(ct_store_nr_events(st), 60);
	assert_int_equal(ct_store_nr_visible(st), 60);
	assert_string_equal(visible(st, buf, sizeof(buf)), want);
	assert_int_equal(ct_store_goto(st, 50), -ENOENT);
	assert_int_equal(ct_store_goto(st, 135), 0);
	assert_int_equal(ct_store_prev(st, 1), 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 34);
	assert_int_equal(ct_store_event(st, seq, &e), 0);
	assert_int_equal(e->ts_ns, 290);
	assert_int_equal(ct_store_next(st, 2), 2);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 136);
	ct_store_free(st);
}

/* ---- a live file ---- */

static void test_refresh(void **state)
{
	struct ct_trace_writer *w;
	struct ct_store *st;
	char err[200], line[256];
	const struct ct_event *ev;
	uint64_t seq;
	bool error;
	size_t i;
	int fd;

	(void)state;
	make_trace(trace);
	/* nothing written yet: an empty store, not an error */
	fd = test_memfd();
	st = open_store(fd, true);
	assert_int_equal(ct_store_nr_events(st), 0);
	assert_null(ct_store_info(st));
	assert_int_equal(ct_store_refresh(st), 0);
	assert_int_equal(ct_store_nr_events(st), 0);
	assert_int_equal(ct_store_next(st, 1), 0);

	/* the header, then the first 100 events in whole chunks */
	w = test_writer(fd, ARCH, CT_TRACE_CHUNK_MIN);
	assert_int_equal(ct_store_refresh(st), 0);
	assert_non_null(ct_store_info(st));
	assert_int_equal(ct_store_nr_events(st), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(ct_trace_writer_event(w, &trace[i]), 0);
	assert_int_equal(ct_trace_writer_flush(w), 0);
	assert_int_equal(ct_store_refresh(st), 0);
	assert_int_equal(ct_store_nr_events(st), 100);
	/* a live file lacks its END chunk: no warning for that */
	assert_false(ct_store_problems(st, line, sizeof(line), &error));

	/* leaves only (thread 102): 17 + 2k < 100 -> 83 of them */
	assert_int_equal(FILTER(st, "tid=102"), 83);
	assert_int_equal(ct_store_goto(st, 1050), 0);

	/* the rest: the filter covers the new events, the cursor stays */
	for (i = 100; i < N_EVENTS; i++)
		assert_int_equal(ct_trace_writer_event(w, &trace[i]), 0);
	assert_int_equal(ct_trace_writer_flush(w), 0);
	assert_int_equal(ct_store_refresh(st), 0);
	assert_int_equal(ct_store_nr_events(st), N_EVENTS);
	assert_int_equal(ct_store_nr_visible(st), 2 * K + 1);
	assert_true(ct_store_cursor(st, &seq));
	assert_int_equal(seq, 1050);
	assert_int_equal(ct_store_event(st, LAST, &ev), 0);
	assert_string_equal(ev->func, "open");
	assert_int_equal(ct_store_next(st, 1000), LAST - 1050);
	/* nothing new: nothing changes */
	assert_int_equal(ct_store_refresh(st), 0);
	assert_int_equal(ct_store_nr_events(st), N_EVENTS);

	/* finished: complete, and no longer live */
	assert_int_equal(ct_trace_writer_close(w), 0);
	ct_store_set_live(st, false);
	assert_int_equal(ct_store_refresh(st), 0);
	assert_false(ct_store_problems(st, line, sizeof(line), &error));
	ct_store_free(st);

	/* an empty file that is not live is an error */
	assert_int_equal(ftruncate(fd, 0), 0);
	errno = 0;
	assert_null(ct_store_open(fd, "x", false, err, sizeof(err)));
	assert_int_equal(errno, ENODATA);
	assert_string_equal(err, "empty file");
	close(fd);
}

/* The same file without its END chunk: a warning; cut inside its last
 * chunk: an error (bytes lost); live: neither. */
static void test_problems(void **state)
{
	struct ct_trace_writer *w;
	struct ct_store *st;
	char line[256];
	bool error;
	struct stat sb;
	int fd;

	(void)state;
	make_trace(trace);
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, &w);
	assert_int_equal(fstat(fd, &sb), 0);
	/* no END chunk: "incomplete", but only when not live */
	st = open_store(fd, false);
	assert_true(ct_store_problems(st, line, sizeof(line), &error));
	assert_false(error);
	assert_non_null(strstr(line, "incomplete"));
	ct_store_free(st);
	assert_int_equal(ftruncate(fd, sb.st_size - 10), 0);
	st = open_store(fd, false);
	assert_true(ct_store_problems(st, line, sizeof(line), &error));
	assert_true(error);
	assert_non_null(strstr(line, "truncated chunk at offset"));
	assert_true(ct_store_nr_events(st) < N_EVENTS);
	ct_store_free(st);
	st = open_store(fd, true);
	assert_false(ct_store_problems(st, line, sizeof(line), &error));
	ct_store_free(st);
	close(fd);
	(void)ct_trace_writer_close(w); /* fails (fd closed) but frees it */
}

/* ---- save ---- */

static void test_save(void **state)
{
	char dir[] = "/tmp/ct-store-XXXXXX", path[64], tmp[80];
	const struct ct_trace_stats *stats;
	struct ct_trace_reader *r;
	struct ct_trace_writer *w;
	struct ct_trace_lost lost;
	const struct ct_event *ev;
	struct ct_event got;
	struct ct_store *st;
	uint64_t n, seen = 0, lostn = 0;
	size_t i;
	int fd, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.trace", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	make_trace(trace);
	fd = test_memfd();
	w = test_writer(fd, ARCH, CT_TRACE_CHUNK_MIN);
	for (i = 0; i < N_EVENTS; i++) {
		assert_int_equal(ct_trace_writer_event(w, &trace[i]), 0);
		if (i == 50)
			assert_int_equal(ct_trace_writer_lost(w, 100, 102, 9), 0);
	}
	assert_int_equal(ct_trace_writer_close(w), 0);
	st = open_store(fd, false);
	close(fd);

	/* every event, whatever the filter */
	assert_int_equal(FILTER(st, "func=a"), 4);
	assert_int_equal(ct_store_save(st, path, &n), 0);
	assert_int_equal(n, N_EVENTS);
	assert_int_equal(access(tmp, F_OK), -1);

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	r = ct_trace_reader_open(fd, NULL, 0);
	assert_non_null(r);
	assert_int_equal(ct_trace_reader_info(r)->pid, 4242);
	assert_int_equal(ct_trace_reader_info(r)->argc, 2);
	assert_string_equal(ct_trace_reader_info(r)->argv[1], "arg one");
	assert_int_equal(ct_trace_reader_info(r)->start_realtime_ns, 1700000000000000000ull);
	while ((rc = ct_trace_reader_read(r, &got, &lost)) > 0) {
		if (rc == CT_TRACE_LOST) {
			assert_int_equal(lost.tid, 102);
			assert_int_equal(seen, 51); /* where it was recorded */
			lostn += lost.count;
			continue;
		}
		assert_int_equal(ct_store_event(st, got.seq, &ev), 0);
		test_event_eq(ev, &got, ARCH);
		assert_int_equal(got.seq, S0 + seen);
		seen++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(seen, N_EVENTS);
	assert_int_equal(lostn, 9);
	stats = ct_trace_reader_stats(r);
	assert_true(stats->complete);
	assert_int_equal(stats->bad_chunks, 0);
	ct_trace_reader_close(r);
	close(fd);

	/* over the file the store was opened on: it keeps reading the old one */
	fd = open(path, O_RDONLY);
	ct_store_free(st);
	st = open_store(fd, false);
	close(fd);
	assert_int_equal(ct_store_save(st, path, &n), 0);
	assert_int_equal(n, N_EVENTS);
	assert_int_equal(ct_store_event(st, LAST, &ev), 0);
	assert_string_equal(ev->func, "open");

	/* an error: nothing left behind */
	snprintf(tmp, sizeof(tmp), "%s/no/such/dir", dir);
	assert_int_equal(ct_store_save(st, tmp, &n), -ENOENT);
	assert_non_null(strstr(ct_store_error(st), "No such file"));
	ct_store_free(st);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- names, errors ---- */

static void add_name(void *ctx, const char *name)
{
	char *buf = ctx;

	strcat(buf, name);
	strcat(buf, ",");
}

static void test_names(void **state)
{
	static const char *const want[] = {
		"main", "a", "b", "c", "worker", "x", "y", "leaf", "open",
	};
	struct ct_store *st;
	char buf[256] = ",", key[16];
	size_t i, commas = 0;

	(void)state;
	st = trace_store(CT_TRACE_CHUNK_MIN);
	ct_store_names(st, add_name, buf);
	/* ",name,name,...": 9 names, each of them whole */
	for (i = 0; buf[i]; i++)
		commas += buf[i] == ',';
	assert_int_equal(commas, 10);
	for (i = 0; i < 9; i++) {
		snprintf(key, sizeof(key), ",%s,", want[i]);
		assert_non_null(strstr(buf, key));
	}
	/* again, from what the first call found */
	strcpy(buf, ",");
	ct_store_names(st, add_name, buf);
	for (i = 0, commas = 0; buf[i]; i++)
		commas += buf[i] == ',';
	assert_int_equal(commas, 10);
	ct_store_free(st);
}

static void test_errors(void **state)
{
	static const char junk[] = "hello, not a trace at all, but long enough for a header.....";
	char err[200];
	int fd;

	(void)state;
	fd = test_memfd();
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	errno = 0;
	assert_null(ct_store_open(fd, "x", false, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "not a calltrap trace (bad magic)");
	/* live does not excuse a foreign file */
	assert_null(ct_store_open(fd, "x", true, err, sizeof(err)));
	close(fd);
	assert_null(ct_store_open(-1, "x", false, err, sizeof(err)));
	assert_int_equal(errno, EBADF);
	assert_true(err[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_every_event),
		cmocka_unit_test(test_next_prev),
		cmocka_unit_test(test_list_pos),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_filter_copy),
		cmocka_unit_test(test_filter_matches_dump),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_frame_end),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_big_chunk),
		cmocka_unit_test(test_seq_gaps),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
