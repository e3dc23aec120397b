/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reader against tests/fixtures/, written by tests/fixtures/gen.py (an
 * independent writer of docs/trace-format.md).  The events of good.trace
 * are spelled out below by hand from gen.py's table; offsets in messages
 * come from walking the chunk headers here.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "trace/crc32c.h"
#include "trace_util.h"

#define PID 4242
#define TID2 4243
#define CHILD 4250

/* A record of the good trace: an event, or (lost.count != 0) a lost record. */
struct rec {
	struct ct_event ev;
	struct ct_trace_lost lost;
};

static struct ct_regs regs3; /* of event 3: word i = 0x1000 + 0x1111 * i */

#define CALL(s, t, tid_, fn, mod, a, d, ...)                                             \
	{ .ev = { .seq = s, .ts_ns = t, .pid = PID, .tid = tid_, .type = CT_EV_CALL,      \
		  .func = fn, .module = mod, .addr = a, .depth = d, .nr_args = 6,          \
		  .args = { __VA_ARGS__ } } }
#define RET(s, t, tid_, ty, fn, mod, a, d, rv, dur)                                      \
	{ .ev = { .seq = s, .ts_ns = t, .pid = PID, .tid = tid_, .type = ty, .func = fn, \
		  .module = mod, .addr = a, .depth = d, .retval = rv, .duration_ns = dur } }

static struct rec good[] = {
	{ .ev = { .seq = 1, .ts_ns = 1000, .pid = PID, .tid = PID, .type = CT_EV_EXEC,
		  .path = "/usr/bin/prog" } },
	CALL(2, 2000, PID, "main", "prog", 0x401000, 1, 1, 0x7ffc0000e008, 0x7ffc0000e018, 0,
	     UINT64_MAX, 0x7f0000001000),
	CALL(3, 2500, PID, "f", "prog", 0x401100, 2, 5, 0x7ffc0000e008, 0x7ffc0000e100, 0,
	     UINT64_MAX, 0x7f0000001000),
	{ .ev = { .seq = 4, .ts_ns = 3000, .pid = PID, .tid = TID2, .type = CT_EV_THREAD_START,
		  .parent = PID } },
	CALL(5, 3100, TID2, "worker", "prog", 0x401200, 1, 0x5555aaaa0000, 0, 0, 0, 0, 0),
	RET(6, 3050, PID, CT_EV_RETURN, "f", "prog", 0x401100, 2, 0x2a, 550),
	/* chunk B */
	CALL(7, 4000, TID2, "malloc", "libc.so.6", 0x7f0000123450, 2, 32, 0, 0, 0, 0, 0),
	RET(8, 4500, TID2, CT_EV_RETURN, "malloc", "libc.so.6", 0x7f0000123450, 2, 0x5555aaaa0010,
	    500),
	{ .lost = { .pid = PID, .tid = TID2, .count = 3 } },
	RET(12, 5000, TID2, CT_EV_RETURN, "worker", "prog", 0x401200, 1, 0, 1900),
	{ .ev = { .seq = 13, .ts_ns = 5100, .pid = PID, .tid = TID2, .type = CT_EV_THREAD_EXIT,
		  .status = 0 } },
	{ .ev = { .seq = 14, .ts_ns = 6000, .pid = PID, .tid = PID, .type = CT_EV_SIGNAL,
		  .signo = 10 } },
	/* chunk C */
	{ .ev = { .seq = 15, .ts_ns = 6500, .pid = PID, .tid = PID, .type = CT_EV_FORK,
		  .child = CHILD, .flags = CT_EVF_FOLLOWED } },
	CALL(16, 7000, PID, "f", "prog", 0x401100, 2, 7, 0x7ffc0000e008, 0x7ffc0000e100, 0,
	     UINT64_MAX, 0x7f0000001000),
	RET(17, 7200, PID, CT_EV_UNWIND, "f", "prog", 0x401100, 2, 0, 200),
	RET(18, 8000, PID, CT_EV_RETURN, "main", "prog", 0x401000, 1, 0, 6000),
	{ .ev = { .seq = 19, .ts_ns = 9000, .pid = CHILD, .tid = CHILD, .type = CT_EV_EXIT,
		  .status = 3 } },
	{ .ev = { .seq = 20, .ts_ns = 9500, .pid = PID, .tid = PID, .type = CT_EV_EXIT,
		  .signo = 11, .flags = CT_EVF_CORE } },
};
#define NGOOD (sizeof(good) / sizeof(good[0]))
#define CHUNK_A_END 6  /* records of chunk A: good[0..6) */
#define CHUNK_B_END 12 /* chunk B: good[6..12) */

struct fixture {
	struct blob b;
	struct test_chunk ch[16];
	size_t nch;
};

static struct fixture load(const char *name)
{
	char path[512];
	struct fixture f = { { NULL, 0 }, { { 0 } }, 0 };
	off_t n;
	int fd;

	test_fixture_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	n = lseek(fd, 0, SEEK_END);
	assert_true(n >= 0);
	f.b.n = (size_t)n;
	f.b.p = malloc(f.b.n + 1);
	assert_non_null(f.b.p);
	assert_int_equal(pread(fd, f.b.p, f.b.n, 0), (ssize_t)f.b.n);
	close(fd);
	if (f.b.n >= 16)
		f.nch = test_chunks(f.b.p, f.b.n, f.ch, 16);
	return f;
}

/* Offset of the k-th chunk of a type. */
static size_t chunk_off(const struct fixture *f, unsigned type, unsigned k)
{
	size_t i;

	for (i = 0; i < f->nch; i++)
		if (f->ch[i].type == type && k-- == 0)
			return f->ch[i].off;
	fail_msg("no such chunk");
	return 0;
}

/* Opening the file (through an fd and from memory) fails with err and msg. */
static void expect_open_error(const char *name, int err, const char *msg)
{
	struct fixture f = load(name);
	char path[512], buf[CT_TRACE_ERRLEN];
	int fd;

	test_fixture_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	errno = 0;
	strcpy(buf, "unchanged");
	assert_null(ct_trace_reader_open(fd, buf, sizeof(buf)));
	assert_int_equal(errno, err);
	assert_string_equal(buf, msg);
	close(fd);

	errno = 0;
	strcpy(buf, "unchanged");
	assert_null(ct_trace_reader_open_mem(f.b.p, f.b.n, buf, sizeof(buf)));
	assert_int_equal(errno, err);
	assert_string_equal(buf, msg);
	free(f.b.p);
}

static void init_regs(void)
{
	unsigned i;

	for (i = 0; i < CT_REGS_WORDS; i++)
		regs3.w[i] = 0x1000 + 0x1111 * i;
	good[2].ev.regs = &regs3;
}

/* Read records [from, to) of good[] from r. */
static void expect_good(struct ct_trace_reader *r, size_t from, size_t to)
{
	struct ct_trace_lost lost;
	struct ct_event ev;
	size_t i;

	for (i = from; i < to; i++) {
		if (good[i].lost.count) {
			assert_int_equal(ct_trace_reader_read(r, &ev, &lost), CT_TRACE_LOST);
			assert_int_equal(lost.pid, good[i].lost.pid);
			assert_int_equal(lost.tid, good[i].lost.tid);
			assert_int_equal(lost.count, good[i].lost.count);
		} else {
			assert_int_equal(ct_trace_reader_read(r, &ev, &lost), CT_TRACE_EVENT);
			test_event_eq(&good[i].ev, &ev, &ct_arch_x86_64);
		}
	}
}

static struct ct_trace_reader *open_fixture(const struct fixture *f)
{
	char err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r = ct_trace_reader_open_mem(f->b.p, f->b.n, err, sizeof(err));

	if (!r)
		fail_msg("open: %s", err);
	return r;
}

static void test_good(void **state)
{
	struct fixture f = load("good.trace");
	struct ct_trace_reader *r = open_fixture(&f);
	const struct ct_trace_info *info = ct_trace_reader_info(r);
	const struct ct_trace_stats *st;
	struct ct_event ev;

	(void)state;
	init_regs();
	assert_int_equal(info->version_major, 1);
	assert_int_equal(info->version_minor, 0); /* written by gen.py as 1.0 */
	assert_int_equal(info->machine, EM_X86_64);
	assert_ptr_equal(info->arch, &ct_arch_x86_64);
	assert_string_equal(info->arch_name, "x86_64");
	assert_int_equal(info->pid, PID);
	assert_int_equal(info->start_realtime_ns, 1700000000123456789ull);
	assert_int_equal(info->chunk_size, 65536);
	assert_int_equal(info->argc, 3);
	assert_string_equal(info->argv[0], "./prog");
	assert_string_equal(info->argv[1], "a b");
	assert_string_equal(info->argv[2], "--x");
	assert_null(info->argv[3]);
	expect_good(r, 0, NGOOD);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	st = ct_trace_reader_stats(r);
	assert_int_equal(st->events, 17);
	assert_int_equal(st->chunks, 3);
	assert_int_equal(st->lost_events, 3);
	assert_int_equal(st->bad_chunks, 0);
	assert_true(st->complete);

	/* the index: three event chunks; seek to the last and to the second */
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_nr_chunks(r), 3);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->offset, chunk_off(&f, 1, 1));
	assert_int_equal(ct_trace_reader_chunk(r, 1)->first_seq, 7);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->first_ts, 4000);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->last_ts, 6000);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->nr_events, 5);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->lost, 3);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 2), 0);
	expect_good(r, CHUNK_B_END, NGOOD);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 1), 0);
	expect_good(r, CHUNK_A_END, NGOOD);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* A later minor version: extra header field, longer chunk headers, an
 * unknown chunk type and EXT records are all skipped. */
static void test_minor(void **state)
{
	struct fixture f = load("minor.trace");
	struct ct_trace_reader *r = open_fixture(&f);
	struct ct_event ev;

	(void)state;
	init_regs();
	assert_int_equal(ct_trace_reader_info(r)->version_minor, 7);
	assert_int_equal(ct_trace_reader_info(r)->argc, 1);
	expect_good(r, 0, CHUNK_A_END);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_true(ct_trace_reader_stats(r)->complete);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_nr_chunks(r), 1);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
	expect_good(r, 0, CHUNK_A_END);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* Version 1.1 (gen.py typed()): typed values and source lines, spelled
 * out here from gen.py's table; read streaming and through the index. */
static void expect_typed(struct ct_trace_reader *r)
{
#define T_ADD .func = "add", .module = "typed", .addr = 0x401100, \
	      .src_file = "tests/targets/typed.c", .src_line = 12
#define T_MAIN .func = "main", .module = "typed", .addr = 0x401000, \
	       .src_file = "tests/targets/typed.c", .src_line = 40
#define T_GREET .func = "greet", .module = "typed", .addr = 0x401180, \
		.src_file = "include/greet.h", .src_line = 3
	static char x300[301];
	static const struct ct_named_value add_args[] = {
		{ "a", "10" }, { "b", "-5" }, { "", "'\\n'" },
	};
	struct ct_named_value greet_args[] = {
		{ "name", "\"Bob \\\"B\\\"\\n\"" }, { "p", "{x=1, y=2}" }, { "", x300 },
	};
	static struct ct_regs regs;
	struct ct_event want[] = {
		{ .seq = 1, .ts_ns = 1000, .type = CT_EV_CALL, T_MAIN, .depth = 1,
		  .flags = CT_EVF_TYPED },
		{ .seq = 2, .ts_ns = 1100, .type = CT_EV_CALL, T_ADD, .depth = 2,
		  .flags = CT_EVF_TYPED, .nr_args = 3, .args = { 10, (uint64_t)-5, 10 },
		  .nr_named = 3, .named = add_args },
		{ .seq = 3, .ts_ns = 1500, .type = CT_EV_RETURN, T_ADD, .depth = 2,
		  .flags = CT_EVF_TYPED, .retval = 5, .ret_text = "5", .duration_ns = 400 },
		{ .seq = 4, .ts_ns = 2000, .type = CT_EV_CALL, T_GREET, .depth = 2,
		  .flags = CT_EVF_TYPED, .nr_args = 2, .args = { 0x555500001000, 0x200000001 },
		  .nr_named = 3, .named = greet_args },
		{ .seq = 5, .ts_ns = 2100, .type = CT_EV_CALL, .func = "puts",
		  .module = "libc.so.6", .addr = 0x7f0000222000, .depth = 3, .nr_args = 1,
		  .args = { 0x555500001000 } },
		{ .seq = 6, .ts_ns = 2200, .type = CT_EV_RETURN, .func = "puts",
		  .module = "libc.so.6", .addr = 0x7f0000222000, .depth = 3, .retval = 4,
		  .duration_ns = 100 },
		{ .seq = 7, .ts_ns = 2300, .type = CT_EV_RETURN, T_GREET, .depth = 2,
		  .flags = CT_EVF_TYPED, .duration_ns = 300 },
		{ .seq = 10, .ts_ns = 3000, .type = CT_EV_CALL, T_ADD, .depth = 2,
		  .flags = CT_EVF_TYPED, .nr_args = 3, .args = { 10, (uint64_t)-5, 10 },
		  .nr_named = 3, .named = add_args, .regs = &regs },
		{ .seq = 11, .ts_ns = 3100, .type = CT_EV_UNWIND, T_ADD, .depth = 2,
		  .flags = CT_EVF_TYPED, .duration_ns = 100 },
		{ .seq = 12, .ts_ns = 3500, .type = CT_EV_RETURN, T_MAIN, .depth = 1,
		  .flags = CT_EVF_TYPED, .ret_text = "0", .duration_ns = 2500 },
		{ .seq = 13, .ts_ns = 3600, .type = CT_EV_EXIT },
	};
#undef T_ADD
#undef T_MAIN
#undef T_GREET
	struct ct_event ev;
	const struct ct_named_value *first_add = NULL;
	size_t i;

	memset(x300, 'x', 300);
	for (i = 0; i < 27; i++)
		regs.w[i] = 0x2000 + 0x101 * i;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		want[i].pid = want[i].tid = PID;
		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
		test_event_eq(&want[i], &ev, &ct_arch_x86_64);
		if (i == 0)
			assert_null(ev.named); /* ARGS with count 0: f(void) */
		if (i == 1)
			first_add = ev.named;
		if (i == 7)
			assert_ptr_equal(ev.named, first_add); /* one copy of equal lists */
	}
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
}

static void test_typed(void **state)
{
	struct fixture f = load("typed.trace");
	struct ct_trace_reader *r = open_fixture(&f);

	(void)state;
	assert_int_equal(ct_trace_reader_info(r)->version_minor, 1);
	expect_typed(r);
	assert_true(ct_trace_reader_stats(r)->complete);
	assert_int_equal(ct_trace_reader_stats(r)->bad_chunks, 0);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_nr_chunks(r), 2);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
	expect_typed(r);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* Recorded on aarch64: registers by that ISA's names, on any host. */
static void test_aarch64(void **state)
{
	struct fixture f = load("aarch64.trace");
	struct ct_trace_reader *r = open_fixture(&f);
	const struct ct_arch *a = ct_arch_by_machine(EM_AARCH64);
	struct ct_regs call = { { 0 } }, ret = { { 0 } };
	struct ct_event want = { .seq = 1, .ts_ns = 100, .pid = 77, .tid = 77,
				 .type = CT_EV_CALL, .func = "g", .module = "prog",
				 .addr = 0xaaaa00001000, .depth = 1, .nr_args = 8,
				 .args = { 1, 2, 3, 4, 5, 6, 7, 8 }, .regs = &call };
	struct ct_event ev;
	unsigned i;

	(void)state;
	for (i = 0; i < 31; i++) {
		call.w[i] = 0x100 + i;
		ret.w[i] = 0x101 + i;
	}
	ret.w[0] = 0x2a;
	call.w[31] = ret.w[31] = 0xfffffffff000;
	call.w[32] = 0xaaaa00001000;
	ret.w[32] = 0xaaaa00002000;
	call.w[33] = 0x60000000;
	ret.w[33] = 0x80000000;

	assert_int_equal(ct_trace_reader_info(r)->machine, EM_AARCH64);
	assert_ptr_equal(ct_trace_reader_info(r)->arch, a);
	assert_string_equal(ct_trace_reader_info(r)->arch_name, "aarch64");
	assert_int_equal(ct_trace_reader_next(r, &ev), 1);
	test_event_eq(&want, &ev, a);
	assert_string_equal(ev.arch->reg_desc[30].name, "x30");
	assert_string_equal(ev.arch->reg_desc[31].name, "sp");
	assert_int_equal(ev.arch->sp(ev.regs), 0xfffffffff000);
	assert_int_equal(ev.arch->pc(ev.regs), 0xaaaa00001000);
	assert_int_equal(ev.arch->arg(ev.regs, 7), 0x107);

	want = (struct ct_event){ .seq = 2, .ts_ns = 900, .pid = 77, .tid = 77,
				  .type = CT_EV_RETURN, .func = "g", .module = "prog",
				  .addr = 0xaaaa00001000, .depth = 1, .retval = 0x2a,
				  .duration_ns = 800, .regs = &ret };
	assert_int_equal(ct_trace_reader_next(r, &ev), 1);
	test_event_eq(&want, &ev, a);
	assert_int_equal(ev.arch->retval(ev.regs), 0x2a);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* Cut inside the third event chunk: chunks A and B, then how much is lost. */
static void test_truncated(void **state)
{
	struct fixture good_f = load("good.trace"), f = load("truncated.trace");
	size_t c_off = chunk_off(&good_f, 1, 2), c_len = 0, i;
	struct ct_trace_reader *r = open_fixture(&f);
	const struct ct_trace_stats *st;
	char msg[CT_TRACE_ERRLEN];
	struct ct_event ev;

	(void)state;
	init_regs();
	for (i = 0; i < good_f.nch; i++)
		if (good_f.ch[i].off == c_off)
			c_len = good_f.ch[i].len;
	assert_true(f.b.n > c_off && f.b.n < good_f.b.n);
	expect_good(r, 0, CHUNK_B_END);
	assert_int_equal(ct_trace_reader_next(r, &ev), -ENODATA);
	/* chunk C's header is whole: its length and its 6 events are known */
	snprintf(msg, sizeof(msg), "truncated chunk at offset %zu: %zu of its %zu bytes present, "
		 "6 events lost", c_off, f.b.n - c_off, c_len);
	assert_string_equal(ct_trace_reader_error(r), msg);
	st = ct_trace_reader_stats(r);
	assert_true(st->truncated);
	assert_int_equal(st->truncated_offset, c_off);
	assert_int_equal(st->truncated_bytes, f.b.n - c_off);
	assert_int_equal(st->truncated_size, c_len);
	assert_int_equal(st->truncated_events, 6);
	assert_int_equal(st->events, 11);
	assert_false(st->complete);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);

	/* the index holds the two intact chunks and says the same */
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_nr_chunks(r), 2);
	assert_true(ct_trace_reader_stats(r)->truncated);
	assert_int_equal(ct_trace_reader_stats(r)->truncated_bytes, f.b.n - c_off);
	assert_string_equal(ct_trace_reader_error(r), msg);
	ct_trace_reader_close(r);
	free(f.b.p);
	free(good_f.b.p);
}

/* A flipped payload byte in chunk B: A, an error naming B, then C. */
static void test_badcrc(void **state)
{
	struct fixture f = load("badcrc.trace");
	size_t b_off = chunk_off(&f, 1, 1);
	struct ct_trace_reader *r = open_fixture(&f);
	const struct ct_trace_stats *st;
	char msg[CT_TRACE_ERRLEN];
	struct ct_event ev;

	(void)state;
	init_regs();
	expect_good(r, 0, CHUNK_A_END);
	assert_int_equal(ct_trace_reader_next(r, &ev), -EBADMSG);
	snprintf(msg, sizeof(msg), "corrupt chunk at offset %zu: bad checksum, 5 events lost",
		 b_off);
	assert_string_equal(ct_trace_reader_error(r), msg);
	expect_good(r, CHUNK_B_END, NGOOD);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	st = ct_trace_reader_stats(r);
	assert_int_equal(st->bad_chunks, 1);
	assert_int_equal(st->bad_events, 5);
	assert_int_equal(f.ch[3].off, b_off); /* SYMBOLS, EVENTS A, SYMBOLS, EVENTS B */
	assert_int_equal(st->bad_bytes, f.ch[3].len);
	assert_true(st->complete);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* A valid header, then 300 bytes of noise. */
static void test_garbage(void **state)
{
	struct fixture f = load("garbage.trace");
	struct ct_trace_reader *r = open_fixture(&f);
	size_t hlen = test_le32(f.b.p + 12);
	char msg[CT_TRACE_ERRLEN];
	struct ct_event ev;

	(void)state;
	assert_int_equal(f.b.n, hlen + 300);
	assert_int_equal(ct_trace_reader_next(r, &ev), -EBADMSG);
	snprintf(msg, sizeof(msg), "corrupt chunk header at offset %zu: 300 bytes skipped", hlen);
	assert_string_equal(ct_trace_reader_error(r), msg);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_int_equal(ct_trace_reader_stats(r)->bad_bytes, 300);
	assert_int_equal(ct_trace_reader_stats(r)->bad_chunks, 1);
	ct_trace_reader_close(r);
	free(f.b.p);
}

/* Bytes after the END chunk: every event read, the file complete, and the
 * bytes counted (streaming and indexed alike) rather than taken as damage. */
static void test_trailing(void **state)
{
	struct fixture f = load("good.trace");
	struct ct_trace_reader *r;
	const struct ct_trace_stats *st;
	struct ct_event ev;
	size_t n = f.b.n;
	int pass;

	(void)state;
	init_regs();
	r = open_fixture(&f);
	expect_good(r, 0, sizeof(good) / sizeof(good[0]));
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_int_equal(ct_trace_reader_stats(r)->trailing_bytes, 0);
	ct_trace_reader_close(r);

	f.b.p = realloc(f.b.p, n + 7);
	assert_non_null(f.b.p);
	memcpy(f.b.p + n, "CTCK\x01\x02\x03", 7);
	f.b.n = n + 7;
	for (pass = 0; pass < 2; pass++) {
		r = open_fixture(&f);
		if (pass)
			assert_int_equal(ct_trace_reader_build_index(r), 0);
		expect_good(r, 0, sizeof(good) / sizeof(good[0]));
		assert_int_equal(ct_trace_reader_next(r, &ev), 0);
		st = ct_trace_reader_stats(r);
		assert_true(st->complete);
		assert_false(st->truncated);
		assert_int_equal(st->bad_chunks, 0);
		assert_int_equal(st->trailing_offset, n);
		assert_int_equal(st->trailing_bytes, 7);
		assert_int_equal(st->events, 17);
		ct_trace_reader_close(r);
	}
	free(f.b.p);
}

static void test_open_errors(void **state)
{
	(void)state;
	expect_open_error("empty.trace", ENODATA, "empty file");
	expect_open_error("badmagic.trace", EINVAL, "not a calltrap trace (bad magic)");
	expect_open_error("random.trace", EINVAL, "not a calltrap trace (bad magic)");
	expect_open_error("newer.trace", EPROTONOSUPPORT,
			  "unsupported trace format version 2.0 (this calltrap reads 1.x)");
	expect_open_error("badhdr.trace", EBADMSG, "corrupt header: bad checksum");
}

/* Store the header CRC of a header of hlen bytes. */
static void put_crc(uint8_t *p, uint32_t hlen)
{
	uint32_t c = ct_crc32c(0, p, hlen - 4);

	p[hlen - 4] = (uint8_t)c;
	p[hlen - 3] = (uint8_t)(c >> 8);
	p[hlen - 2] = (uint8_t)(c >> 16);
	p[hlen - 1] = (uint8_t)(c >> 24);
}

/* Header damage that the fixtures do not cover, made here from good.trace. */
static void test_header_cases(void **state)
{
	struct fixture f = load("good.trace");
	uint32_t hlen = test_le32(f.b.p + 12);
	char err[CT_TRACE_ERRLEN], want[80];
	uint8_t *p = f.b.p;

	(void)state;
	/* cut inside the fixed part and inside the variable part */
	assert_null(ct_trace_reader_open_mem(p, 5, err, sizeof(err)));
	assert_int_equal(errno, ENODATA);
	assert_string_equal(err, "truncated header (5 of 40 bytes)");
	assert_null(ct_trace_reader_open_mem(p, 50, err, sizeof(err)));
	assert_int_equal(errno, ENODATA);
	snprintf(want, sizeof(want), "truncated header (50 of %u bytes)", hlen);
	assert_string_equal(err, want);

	/* a machine this calltrap has no table for (CRC made right again) */
	p[16] = 40; /* EM_ARM */
	p[17] = 0;
	put_crc(p, hlen);
	assert_null(ct_trace_reader_open_mem(p, f.b.n, err, sizeof(err)));
	assert_int_equal(errno, ENOTSUP);
	assert_string_equal(err, "unsupported architecture: e_machine 40 (x86_64)");
	/* x86_64 with a register snapshot size that is not x86_64's */
	p[16] = 62;
	p[18] = 26;
	put_crc(p, hlen);
	assert_null(ct_trace_reader_open_mem(p, f.b.n, err, sizeof(err)));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "corrupt header: 26 register words for x86_64");
	p[18] = 27;
	put_crc(p, hlen);
	ct_trace_reader_close(ct_trace_reader_open_mem(p, f.b.n, err, sizeof(err)));
	/* argv running past the CRC */
	p[hlen - 8] = 0x7f; /* length of "--x" */
	put_crc(p, hlen);
	assert_null(ct_trace_reader_open_mem(p, f.b.n, err, sizeof(err)));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "corrupt header: fields overrun its length");

	/* an absurd header length */
	p[12] = 0xff;
	p[13] = 0xff;
	p[14] = 0xff;
	assert_null(ct_trace_reader_open_mem(p, f.b.n, err, sizeof(err)));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "corrupt header: bad length 16777215");
	free(f.b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_minor),
		cmocka_unit_test(test_aarch64),
		cmocka_unit_test(test_typed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_badcrc),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_header_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
