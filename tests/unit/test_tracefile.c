/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer and reader (src/trace/writer.c, reader*.c) and
 * CRC-32C: round trips of every record type field by field, strings shared
 * across chunks, the chunk index and seeking, lost-event records, register
 * snapshots of both ISAs, pipes, writer errors, and the reader's answer to
 * every truncation and every single-bit corruption of a small trace; typed
 * values and source lines (1.1): round trips, the bytes of the format's
 * example, and hand-made damaged EXT records.
 * Expected values are the events handed to the writer; CRC vectors come
 * from RFC 3720 B.4.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "trace/crc32c.h"
#include "trace_util.h"

/* ---- CRC-32C ---- */

static void test_crc_vectors(void **state)
{
	uint8_t buf[48];
	unsigned i;

	(void)state;
	assert_int_equal(ct_crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(ct_crc32c(0, "", 0), 0);
	memset(buf, 0, 32);
	assert_int_equal(ct_crc32c(0, buf, 32), 0x8a9136aa);
	memset(buf, 0xff, 32);
	assert_int_equal(ct_crc32c(0, buf, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(ct_crc32c(0, buf, 32), 0x46dd794e);
	for (i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(ct_crc32c(0, buf, 32), 0x113fdb5c);
}

/* The constant tables, recomputed bit by bit from the polynomial. */
static void test_crc_tables(void **state)
{
	unsigned k, i, b;
	uint32_t t0[256];

	(void)state;
	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (b = 0; b < 8; b++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78 : 0);
		t0[i] = c;
		assert_int_equal(ct_crc32c_table_entry(0, i), c);
	}
	for (k = 1; k < 8; k++) {
		for (i = 0; i < 256; i++) {
			uint32_t prev = ct_crc32c_table_entry(k - 1, i);

			assert_int_equal(ct_crc32c_table_entry(k, i), (prev >> 8) ^ t0[prev & 0xff]);
		}
	}
}

/* Any split and any alignment give the CRC of the whole (against a
 * bitwise reference). */
static void test_crc_chaining(void **state)
{
	uint8_t buf[100];
	unsigned i, split, off;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (off = 0; off < 8; off++) {
		size_t n = sizeof(buf) - off;
		uint32_t ref = 0xffffffff;

		for (i = 0; i < n; i++) {
			unsigned b;

			ref ^= buf[off + i];
			for (b = 0; b < 8; b++)
				ref = (ref >> 1) ^ (ref & 1 ? 0x82f63b78 : 0);
		}
		ref ^= 0xffffffff;
		for (split = 0; split <= n; split += 7)
			assert_int_equal(ct_crc32c(ct_crc32c(0, buf + off, split), buf + off + split,
						   n - split),
					 ref);
	}
}

/* ---- round trips ---- */

static struct ct_trace_reader *open_blob(const struct blob *b)
{
	char err[CT_TRACE_ERRLEN] = "";
	struct ct_trace_reader *r = ct_trace_reader_open_mem(b->p, b->n, err, sizeof(err));

	if (!r)
		fail_msg("open: %s", err);
	return r;
}

/* Read everything, expecting exactly want[] (as stored) and a clean end. */
static void expect_events(struct ct_trace_reader *r, const struct ct_event *want, size_t n,
			  const struct ct_arch *arch)
{
	struct ct_event ev;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ct_event s = test_stored(&want[i]);

		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
		test_event_eq(&s, &ev, arch);
	}
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
}

static struct ct_regs regs_a, regs_b;

/* Every type with every field it carries set to something distinctive;
 * fields a type does not carry are set too, and must read back as 0. */
static size_t all_types(struct ct_event *e)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < CT_REGS_WORDS; i++) {
		regs_a.w[i] = 0x1000 + i * 0x1111;
		regs_b.w[i] = i == 3 ? 0xffffffffffffffffull : regs_a.w[i] + (i % 3 == 0 ? 8 : 0);
	}
	memset(e, 0, 16 * sizeof(*e));
	e[n++] = (struct ct_event){ .seq = 1, .ts_ns = 10, .pid = 100, .tid = 100,
				    .type = CT_EV_EXEC, .flags = 0, .path = "/bin/true",
				    .func = "junk", .depth = 9, .retval = 5 };
	e[n++] = (struct ct_event){ .seq = 2, .ts_ns = 1000, .pid = 100, .tid = 100,
				    .type = CT_EV_CALL, .func = "main", .module = "prog",
				    .addr = 0x401000, .depth = 1, .nr_args = 6,
				    .args = { 1, 0x7ffc0000e008, 0x7ffc0000e018, 0, UINT64_MAX,
					      0x7f0000001000 },
				    .retval = 77, .duration_ns = 88, .regs = &regs_a };
	e[n++] = (struct ct_event){ .seq = 3, .ts_ns = 1500, .pid = 100, .tid = 101,
				    .type = CT_EV_THREAD_START, .parent = 100, .flags = 0 };
	e[n++] = (struct ct_event){ .seq = 4, .ts_ns = 1400, /* earlier: TSNEG */
				    .pid = 100, .tid = 100, .type = CT_EV_CALL, .func = "f",
				    .module = "prog", .addr = 0x401100, .depth = 2, .nr_args = 8,
				    .flags = 0x40000000,
				    .args = { 0, 1, 2, 3, 4, 5, 6, UINT64_MAX - 1 }, .regs = &regs_b };
	e[n++] = (struct ct_event){ .seq = 5, .ts_ns = 1600, .pid = 100, .tid = 100,
				    .type = CT_EV_RETURN, .func = "f", .module = "prog",
				    .addr = 0x401100, .depth = 2, .retval = UINT64_MAX,
				    .duration_ns = 199, /* not ts - call ts: adjusted */
				    .nr_args = 3, .args = { 9, 9, 9 } };
	e[n++] = (struct ct_event){ .seq = 9, /* jump */ .ts_ns = 1700, .pid = 100, .tid = 101,
				    .type = CT_EV_SIGNAL, .signo = 10 };
	e[n++] = (struct ct_event){ .seq = 10, .ts_ns = 1800, .pid = 100, .tid = 101,
				    .type = CT_EV_CALL, .func = NULL, .module = "libc.so.6",
				    .addr = 0x7f0000123450, .depth = 7, .nr_args = 0 };
	e[n++] = (struct ct_event){ .seq = 11, .ts_ns = 1900, .pid = 100, .tid = 101,
				    .type = CT_EV_UNWIND, .func = NULL, .module = "libc.so.6",
				    .addr = 0x7f0000123450, .depth = 7, .duration_ns = 100,
				    .flags = 0x80000000u };
	e[n++] = (struct ct_event){ .seq = 8, /* backwards */ .ts_ns = 2000, .pid = 100,
				    .tid = 101, .type = CT_EV_THREAD_EXIT, .status = -1 };
	e[n++] = (struct ct_event){ .seq = 12, .ts_ns = 2100, .pid = 100, .tid = 100,
				    .type = CT_EV_FORK, .child = 2147483647,
				    .flags = CT_EVF_VFORK | CT_EVF_FOLLOWED };
	e[n++] = (struct ct_event){ .seq = 13, .ts_ns = 2200, .pid = 2147483647,
				    .tid = 2147483647, .type = CT_EV_EXIT, .status = 255 };
	e[n++] = (struct ct_event){ .seq = 14, .ts_ns = 2300, .pid = 100, .tid = 100,
				    .type = CT_EV_RETURN, .func = "main", .module = "prog",
				    .addr = 0x401000, .depth = 1, .retval = 0x2a,
				    .duration_ns = 1300, .regs = &regs_b };
	e[n++] = (struct ct_event){ .seq = UINT64_MAX, .ts_ns = UINT64_MAX, .pid = 100,
				    .tid = 100, .type = CT_EV_EXIT, .signo = 11,
				    .flags = CT_EVF_CORE, .status = INT32_MIN };
	e[n++] = (struct ct_event){ .seq = 0, .ts_ns = 0, .pid = -1, .tid = 0,
				    .type = CT_EV_EXEC, .path = "" };
	return n;
}

static void round_trip(const struct ct_arch *arch, size_t chunk_size, bool via_fd)
{
	struct ct_event ev[16];
	size_t n = all_types(ev), i;
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, arch, chunk_size);
	struct ct_trace_reader *r;
	const struct ct_trace_info *info;
	struct blob b;

	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	b = test_finish(fd, w);
	if (via_fd) {
		char err[CT_TRACE_ERRLEN];

		r = ct_trace_reader_open(fd, err, sizeof(err));
	} else {
		r = open_blob(&b);
	}
	assert_non_null(r);
	info = ct_trace_reader_info(r);
	assert_ptr_equal(info->arch, arch);
	assert_int_equal(info->machine, arch->elf_machine);
	assert_string_equal(info->arch_name, arch->name);
	assert_int_equal(info->version_major, 1);
	assert_int_equal(info->version_minor, 2);
	assert_int_equal(info->pid, 4242);
	assert_int_equal(info->start_realtime_ns, 1700000000000000000ull);
	assert_int_equal(info->argc, 2);
	assert_string_equal(info->argv[0], "./prog");
	assert_string_equal(info->argv[1], "arg one");
	assert_null(info->argv[2]);
	assert_int_equal(info->chunk_size, chunk_size ? chunk_size : 65536);
	expect_events(r, ev, n, arch);
	assert_true(ct_trace_reader_stats(r)->complete);
	assert_false(ct_trace_reader_stats(r)->truncated);
	assert_int_equal(ct_trace_reader_stats(r)->events, n);
	assert_int_equal(ct_trace_reader_stats(r)->bad_chunks, 0);
	assert_string_equal(ct_trace_reader_error(r), "");
	ct_trace_reader_close(r);
	free(b.p);
	close(fd);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(&ct_arch_x86_64, 0, false);
	round_trip(&ct_arch_x86_64, 0, true);
	/* one chunk per event or so: nothing may depend on the previous chunk */
	round_trip(&ct_arch_x86_64, 256, false);
}

/* An aarch64 trace read on this (any) host: the table and register names
 * come from the file's e_machine. */
static void test_regs_aarch64(void **state)
{
	const struct ct_arch *a64 = ct_arch_by_machine(EM_AARCH64);
	struct ct_event ev[16], got;
	size_t n = all_types(ev);
	int fd = test_memfd();
	struct ct_trace_writer *w;
	struct ct_trace_reader *r;
	struct blob b;
	size_t i;

	(void)state;
	assert_non_null(a64);
	assert_int_equal(a64->regs_size, 34 * 8);
	round_trip(a64, 0, false);

	w = test_writer(fd, a64, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	b = test_finish(fd, w);
	r = open_blob(&b);
	assert_int_equal(ct_trace_reader_next(r, &got), 1);
	assert_int_equal(ct_trace_reader_next(r, &got), 1); /* the call with regs_a */
	assert_ptr_equal(got.arch, a64);
	assert_int_equal(got.arch->nr_regs, 34);
	assert_string_equal(got.arch->reg_desc[0].name, "x0");
	assert_string_equal(got.arch->reg_desc[33].name, "pstate");
	/* pc is word 32 of user_pt_regs: 0x1000 + 32 * 0x1111 */
	assert_string_equal(got.arch->reg_desc[32].name, "pc");
	assert_int_equal(got.regs->w[got.arch->reg_desc[32].word], 0x1000 + 32 * 0x1111);
	assert_int_equal(got.arch->pc(got.regs), 0x1000 + 32 * 0x1111);
	ct_trace_reader_close(r);
	free(b.p);
	close(fd);

	/* and x86_64: rip is word 16 of user_regs_struct */
	fd = test_memfd();
	w = test_writer(fd, &ct_arch_x86_64, 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	b = test_finish(fd, w);
	r = open_blob(&b);
	assert_int_equal(ct_trace_reader_next(r, &got), 1);
	assert_int_equal(ct_trace_reader_next(r, &got), 1);
	assert_ptr_equal(got.arch, &ct_arch_x86_64);
	assert_string_equal(got.arch->reg_desc[0].name, "rax");
	assert_int_equal(got.arch->pc(got.regs), 0x1000 + 16 * 0x1111);
	ct_trace_reader_close(r);
	free(b.p);
	close(fd);
}

/* A register snapshot from another ISA than the file's is refused. */
static void test_writer_errors(void **state)
{
	struct ct_trace_info info = { .arch = &ct_arch_x86_64 };
	struct ct_event ev = { .type = CT_EV_CALL, .depth = 1 };
	struct ct_regs regs = { { 0 } };
	struct ct_trace_writer *w;
	int fd = test_memfd(), ro;

	(void)state;
	errno = 0;
	assert_null(ct_trace_writer_open(fd, NULL));
	assert_int_equal(errno, EINVAL);
	info.chunk_size = 255;
	assert_null(ct_trace_writer_open(fd, &info));
	assert_int_equal(errno, EINVAL);
	info.chunk_size = (4u << 20) + 1;
	assert_null(ct_trace_writer_open(fd, &info));
	assert_int_equal(errno, EINVAL);
	info.chunk_size = 0;
	info.arch = NULL;
	assert_null(ct_trace_writer_open(fd, &info));
	assert_int_equal(errno, EINVAL);

	w = test_writer(fd, &ct_arch_x86_64, 0);
	ev.nr_args = 9;
	assert_int_equal(ct_trace_writer_event(w, &ev), -EINVAL);
	ev.nr_args = 0;
	ev.type = CT_EV_NR_TYPES;
	assert_int_equal(ct_trace_writer_event(w, &ev), -EINVAL);
	ev.type = CT_EV_CALL;
	ev.regs = &regs;
	ev.arch = &ct_arch_aarch64;
	assert_int_equal(ct_trace_writer_event(w, &ev), -EINVAL);
	ev.arch = &ct_arch_x86_64;
	assert_int_equal(ct_trace_writer_event(w, &ev), 0);
	assert_int_equal(ct_trace_writer_lost(w, 1, 1, 0), 0); /* nothing lost: no record */
	assert_int_equal(ct_trace_writer_close(w), 0);
	close(fd);

	/* A write error is returned, then returned again. */
	ro = open("/dev/null", O_RDONLY);
	assert_true(ro >= 0);
	info.arch = &ct_arch_x86_64;
	errno = 0;
	assert_null(ct_trace_writer_open(ro, &info));
	assert_int_equal(errno, EBADF);
	close(ro);

	fd = test_memfd();
	w = test_writer(fd, &ct_arch_x86_64, 0);
	ev.regs = NULL;
	assert_int_equal(ct_trace_writer_event(w, &ev), 0);
	ro = open("/dev/null", O_RDONLY);
	assert_true(dup2(ro, fd) == fd); /* the trace fd now refuses writes */
	close(ro);
	assert_int_equal(ct_trace_writer_flush(w), -EBADF);
	assert_int_equal(ct_trace_writer_event(w, &ev), -EBADF);
	assert_int_equal(ct_trace_writer_flush(w), -EBADF);
	assert_int_equal(ct_trace_writer_close(w), -EBADF);
	close(fd);
}

/* ---- a longer synthetic trace: threads, nesting, regs, many chunks ---- */

#define NFUNCS 12
static const char *const fnames[NFUNCS] = {
	/* none inside another, so that each can be counted in the file */
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
	"golf", "hotel", "india", "juliet", "kilo", "lima",
};

struct synth {
	struct ct_event *ev;
	struct ct_regs *regs;
	size_t n;
};

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 16;
}

/* n events on 3 threads, properly nested, regs on every 13th call. */
static struct synth synth_make(size_t n)
{
	struct synth s = { calloc(n, sizeof(*s.ev)), calloc(n, sizeof(*s.regs)), n };
	unsigned depth[3] = { 0 }, fstack[3][16];
	uint64_t cts[3][16], x = 42, ts = 0;
	size_t i;

	assert_non_null(s.ev);
	assert_non_null(s.regs);
	for (i = 0; i < n; i++) {
		struct ct_event *e = &s.ev[i];
		unsigned t = (unsigned)(i / 7) % 3, j;

		ts += 1000 + lcg(&x) % 30000;
		e->seq = i + 1;
		e->ts_ns = ts;
		e->pid = 500;
		e->tid = (pid_t)(500 + t);
		if (i % 97 == 50) {
			e->type = CT_EV_SIGNAL;
			e->signo = (int)(i % 31) + 1;
			continue;
		}
		if (depth[t] == 0 || (depth[t] < 15 && lcg(&x) % 2)) {
			unsigned f = (unsigned)(lcg(&x) % NFUNCS);

			e->type = CT_EV_CALL;
			fstack[t][depth[t]] = f;
			cts[t][depth[t]] = ts;
			e->depth = ++depth[t];
			e->nr_args = 6;
			for (j = 0; j < 6; j++)
				e->args[j] = j == 0 ? lcg(&x) % 100 : j == 1 ? 0x7ffc00000000 + i * 16
								      : lcg(&x) % 3 ? 7 : lcg(&x);
			if (i % 13 == 0) {
				for (j = 0; j < CT_REGS_WORDS; j++)
					s.regs[i].w[j] = j < 4 ? lcg(&x) : 0x100 * j;
				e->regs = &s.regs[i];
			}
		} else {
			e->type = i % 11 ? CT_EV_RETURN : CT_EV_UNWIND;
			e->depth = depth[t]--;
			e->retval = lcg(&x) % 5 == 0 ? UINT64_MAX : lcg(&x) % 1000;
			e->duration_ns = ts - cts[t][depth[t]];
		}
		j = e->type == CT_EV_CALL ? fstack[t][depth[t] - 1] : fstack[t][depth[t]];
		e->func = fnames[j];
		e->module = "prog";
		e->addr = 0x401000 + 0x100 * (uint64_t)j;
	}
	return s;
}

static void synth_free(struct synth *s)
{
	free(s->ev);
	free(s->regs);
}

static struct blob synth_write(const struct synth *s, size_t chunk_size)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, chunk_size);
	struct blob b;
	size_t i;

	for (i = 0; i < s->n; i++)
		assert_int_equal(ct_trace_writer_event(w, &s->ev[i]), 0);
	b = test_finish(fd, w);
	close(fd);
	return b;
}

static size_t count_substr(const struct blob *b, const char *s)
{
	size_t n = 0, len = strlen(s);
	const uint8_t *p = b->p, *end = b->p + b->n;

	while ((p = memmem(p, (size_t)(end - p), s, len))) {
		n++;
		p += len;
	}
	return n;
}

/* Strings are written once and resolve in every chunk; the reader gives
 * one pointer per string. */
static void test_strings_across_chunks(void **state)
{
	struct synth s = synth_make(5000);
	struct blob b = synth_write(&s, 256);
	struct ct_trace_reader *r = open_blob(&b);
	const char *seen[NFUNCS] = { 0 };
	struct test_chunk ch[4096];
	struct ct_event ev;
	size_t i, k, nev = 0;

	(void)state;
	k = test_chunks(b.p, b.n, ch, 4096);
	for (i = 0; i < k; i++)
		nev += ch[i].type == 1;
	assert_true(nev > 50);
	for (i = 0; i < NFUNCS; i++)
		assert_int_equal(count_substr(&b, fnames[i]), 1);
	assert_int_equal(count_substr(&b, "prog"), 2); /* argv[0] and the module */

	for (i = 0; i < s.n; i++) {
		struct ct_event want = test_stored(&s.ev[i]);

		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
		test_event_eq(&want, &ev, &ct_arch_x86_64);
		if (ev.func) {
			unsigned f;

			for (f = 0; f < NFUNCS; f++)
				if (!strcmp(fnames[f], ev.func))
					break;
			assert_true(f < NFUNCS);
			if (seen[f])
				assert_ptr_equal(seen[f], ev.func);
			seen[f] = ev.func;
		}
	}
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	ct_trace_reader_close(r);
	free(b.p);
	synth_free(&s);
}

/* The index matches the chunks a separate walk finds; seeking to any of
 * them reads from exactly its first event to the end. */
static void test_index_seek(void **state)
{
	struct synth s = synth_make(20000);
	struct blob b = synth_write(&s, 1024);
	struct ct_trace_reader *r = open_blob(&b);
	struct test_chunk ch[4096];
	size_t k = test_chunks(b.p, b.n, ch, 4096), i, nc, evchunk = 0, first = 0;
	struct ct_event ev;

	(void)state;
	assert_int_equal(ct_trace_reader_nr_chunks(r), 0);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	nc = ct_trace_reader_nr_chunks(r);
	for (i = 0; i < k; i++) {
		const struct ct_trace_chunk *c;

		if (ch[i].type != 1)
			continue;
		c = ct_trace_reader_chunk(r, evchunk);
		assert_non_null(c);
		assert_int_equal(c->offset, ch[i].off);
		assert_int_equal(c->nr_events, ch[i].count);
		assert_int_equal(c->first_seq, s.ev[first].seq);
		assert_int_equal(c->first_ts, s.ev[first].ts_ns);
		assert_int_equal(c->last_ts, s.ev[first + ch[i].count - 1].ts_ns);
		assert_int_equal(c->lost, 0);
		first += ch[i].count;
		evchunk++;
	}
	assert_int_equal(evchunk, nc);
	assert_int_equal(first, s.n);
	assert_true(nc > 20);
	assert_null(ct_trace_reader_chunk(r, nc));
	assert_int_equal(ct_trace_reader_stats(r)->events, s.n);
	assert_int_equal(ct_trace_reader_stats(r)->chunks, nc);
	assert_true(ct_trace_reader_stats(r)->complete);

	for (i = nc; i-- > 0;) {
		const struct ct_trace_chunk *c = ct_trace_reader_chunk(r, i);
		size_t j;

		if (i % 5 && i != nc - 1 && i != 0)
			continue;
		assert_int_equal(ct_trace_reader_seek_chunk(r, i), 0);
		for (j = c->first_seq - 1; j < s.n; j++) {
			struct ct_event want = test_stored(&s.ev[j]);

			assert_int_equal(ct_trace_reader_next(r, &ev), 1);
			test_event_eq(&want, &ev, &ct_arch_x86_64);
		}
		assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	}
	assert_int_equal(ct_trace_reader_seek_chunk(r, nc), -ERANGE);

	/* find_seq: the chunk holding a seq */
	for (i = 0; i < nc; i++) {
		const struct ct_trace_chunk *c = ct_trace_reader_chunk(r, i);

		assert_int_equal(ct_trace_reader_find_seq(r, c->first_seq), i);
		assert_int_equal(ct_trace_reader_find_seq(r, c->first_seq + c->nr_events - 1), i);
	}
	assert_int_equal(ct_trace_reader_find_seq(r, 0), 0);
	assert_int_equal(ct_trace_reader_find_seq(r, UINT64_MAX), nc - 1);

	/* seek back into the middle, read a few, seek again: state is per chunk */
	assert_int_equal(ct_trace_reader_seek_chunk(r, nc / 2), 0);
	assert_int_equal(ct_trace_reader_next(r, &ev), 1);
	assert_int_equal(ev.seq, ct_trace_reader_chunk(r, nc / 2)->first_seq);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 1), 0);
	assert_int_equal(ct_trace_reader_next(r, &ev), 1);
	assert_int_equal(ev.seq, ct_trace_reader_chunk(r, 1)->first_seq);
	ct_trace_reader_close(r);
	free(b.p);
	synth_free(&s);
}

/* Building the index in the middle of a streaming read keeps the position. */
static void test_index_midstream(void **state)
{
	struct synth s = synth_make(3000);
	struct blob b = synth_write(&s, 512);
	struct ct_trace_reader *r = open_blob(&b);
	struct ct_event ev;
	size_t i;

	(void)state;
	for (i = 0; i < 1234; i++)
		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	for (; i < s.n; i++) {
		struct ct_event want = test_stored(&s.ev[i]);

		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
		test_event_eq(&want, &ev, &ct_arch_x86_64);
	}
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_int_equal(ct_trace_reader_stats(r)->events, s.n);
	ct_trace_reader_close(r);
	free(b.p);
	synth_free(&s);
}

/* Lost-event records come back in place; the returns after the gap
 * decode (their calls are no longer on the decoder's stack). */
static void test_lost(void **state)
{
	static const struct ct_event ev[] = {
		{ .seq = 1, .ts_ns = 100, .pid = 7, .tid = 8, .type = CT_EV_CALL, .func = "a",
		  .module = "m", .addr = 0x10, .depth = 1 },
		{ .seq = 2, .ts_ns = 200, .pid = 7, .tid = 8, .type = CT_EV_CALL, .func = "b",
		  .module = "m", .addr = 0x20, .depth = 2 },
		/* lost 5 of tid 8, then lost 2 of tid 9 */
		{ .seq = 10, .ts_ns = 900, .pid = 7, .tid = 8, .type = CT_EV_RETURN, .func = "b",
		  .module = "m", .addr = 0x20, .depth = 2, .retval = 1, .duration_ns = 700 },
		{ .seq = 11, .ts_ns = 950, .pid = 7, .tid = 8, .type = CT_EV_RETURN, .func = "a",
		  .module = "m", .addr = 0x10, .depth = 1, .retval = 2, .duration_ns = 850 },
	};
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, 0);
	struct ct_trace_reader *r;
	struct ct_trace_lost lost;
	struct ct_event got;
	struct blob b;
	unsigned i;

	(void)state;
	assert_int_equal(ct_trace_writer_event(w, &ev[0]), 0);
	assert_int_equal(ct_trace_writer_event(w, &ev[1]), 0);
	assert_int_equal(ct_trace_writer_lost(w, 7, 8, 5), 0);
	assert_int_equal(ct_trace_writer_lost(w, 7, 9, 2), 0);
	assert_int_equal(ct_trace_writer_event(w, &ev[2]), 0);
	assert_int_equal(ct_trace_writer_event(w, &ev[3]), 0);
	assert_int_equal(ct_trace_writer_flush(w), 0);
	/* a chunk holding nothing but a lost record */
	assert_int_equal(ct_trace_writer_lost(w, 7, 8, 1000000000000ull), 0);
	b = test_finish(fd, w);

	r = open_blob(&b);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_EVENT);
		test_event_eq(&ev[i], &got, &ct_arch_x86_64);
	}
	assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_LOST);
	assert_int_equal(lost.pid, 7);
	assert_int_equal(lost.tid, 8);
	assert_int_equal(lost.count, 5);
	assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_LOST);
	assert_int_equal(lost.tid, 9);
	assert_int_equal(lost.count, 2);
	for (i = 2; i < 4; i++) {
		assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_EVENT);
		test_event_eq(&ev[i], &got, &ct_arch_x86_64);
	}
	assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_LOST);
	assert_int_equal(lost.count, 1000000000000ull);
	assert_int_equal(ct_trace_reader_read(r, &got, &lost), 0);
	assert_int_equal(ct_trace_reader_stats(r)->lost_events, 1000000000007ull);

	/* next() skips them; the index counts them per chunk */
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	assert_int_equal(ct_trace_reader_nr_chunks(r), 2);
	assert_int_equal(ct_trace_reader_chunk(r, 0)->lost, 7);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->lost, 1000000000000ull);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->nr_events, 0);
	assert_int_equal(ct_trace_reader_chunk(r, 1)->first_seq, 12);
	assert_int_equal(ct_trace_reader_stats(r)->lost_events, 1000000000007ull);
	assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(ct_trace_reader_next(r, &got), 1);
		test_event_eq(&ev[i], &got, &ct_arch_x86_64);
	}
	assert_int_equal(ct_trace_reader_next(r, &got), 0);
	ct_trace_reader_close(r);
	free(b.p);
	close(fd);
}

/* Recursion deeper than the 4096 frames a chunk remembers still pairs up. */
static void test_deep_stack(void **state)
{
	enum { DEPTH = 5000 };
	struct ct_event *ev = calloc(2 * DEPTH, sizeof(*ev));
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, CT_TRACE_CHUNK_LIMIT);
	struct ct_trace_reader *r;
	struct blob b;
	unsigned i;

	(void)state;
	assert_non_null(ev);
	for (i = 0; i < DEPTH; i++) {
		ev[i] = (struct ct_event){ .seq = i, .ts_ns = i * 10, .pid = 1, .tid = 1,
					   .type = CT_EV_CALL, .func = "rec", .module = "m",
					   .addr = 0x1000, .depth = i + 1 };
		ev[2 * DEPTH - 1 - i] = (struct ct_event){
			.seq = 2 * DEPTH - 1 - i, .ts_ns = (2 * DEPTH - 1 - i) * 10, .pid = 1,
			.tid = 1, .type = CT_EV_RETURN, .func = "rec", .module = "m",
			.addr = 0x1000, .depth = i + 1, .retval = i,
			.duration_ns = (2 * DEPTH - 1 - 2 * (uint64_t)i) * 10
		};
	}
	for (i = 0; i < 2 * DEPTH; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	b = test_finish(fd, w);
	r = open_blob(&b);
	expect_events(r, ev, 2 * DEPTH, &ct_arch_x86_64);
	ct_trace_reader_close(r);
	free(b.p);
	free(ev);
	close(fd);
}

/* Over a pipe: streaming works, the index does not. */
static void test_pipe(void **state)
{
	struct synth s = synth_make(300);
	struct blob b = synth_write(&s, 1024);
	struct ct_trace_reader *r;
	char err[CT_TRACE_ERRLEN];
	struct ct_event ev;
	int p[2];
	size_t i;

	(void)state;
	assert_true(b.n < 65536); /* fits the pipe buffer: no writer thread needed */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], b.p, b.n), (ssize_t)b.n);
	close(p[1]);
	r = ct_trace_reader_open(p[0], err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(ct_trace_reader_build_index(r), -ESPIPE);
	for (i = 0; i < s.n; i++) {
		struct ct_event want = test_stored(&s.ev[i]);

		assert_int_equal(ct_trace_reader_next(r, &ev), 1);
		test_event_eq(&want, &ev, &ct_arch_x86_64);
	}
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	assert_true(ct_trace_reader_stats(r)->complete);
	ct_trace_reader_close(r);
	close(p[0]);

	/* a pipe cut mid-chunk */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], b.p, b.n - 100), (ssize_t)(b.n - 100));
	close(p[1]);
	r = ct_trace_reader_open(p[0], err, sizeof(err));
	assert_non_null(r);
	for (;;) {
		int rc = ct_trace_reader_next(r, &ev);

		if (rc == 1)
			continue;
		assert_int_equal(rc, -ENODATA);
		break;
	}
	assert_true(ct_trace_reader_stats(r)->truncated);
	assert_int_equal(ct_trace_reader_next(r, &ev), 0);
	ct_trace_reader_close(r);
	close(p[0]);
	free(b.p);
	synth_free(&s);
}

/* A record the random test expects: an event or a lost count. */
struct xrec {
	struct ct_event ev;
	struct ct_regs regs;
	struct ct_trace_lost lost; /* count != 0: a lost record */
};

static uint64_t rnd_value(uint64_t *x, uint64_t prev)
{
	switch (lcg(x) % 6) {
	case 0: return prev;
	case 1: return lcg(x) % 100;
	case 2: return prev + lcg(x) % 512 - 256;
	case 3: return lcg(x) << 16 ^ lcg(x);
	case 4: return UINT64_MAX - lcg(x) % 4;
	default: return 0x7ffc00000000 + lcg(x) % 65536;
	}
}

/* Random events with every field free (within the ranges of its type),
 * lost records and flushes at random points, random chunk sizes: what
 * comes back is what went in. */
static void test_random_round_trip(void **state)
{
	enum { N = 30000 };
	static const char *const pool[] = { NULL, "", "a", "main", "libc.so.6", "prog",
					    "/usr/bin/x", "very_long_function_name_for_tests" };
	struct xrec *x = calloc(N, sizeof(*x));
	uint64_t seed = 99, seq = 1, ts = 1000, prev = 0;
	unsigned round;

	(void)state;
	assert_non_null(x);
	for (round = 0; round < 4; round++) {
		int fd = test_memfd();
		size_t cs = 256 + lcg(&seed) % 8192, i;
		struct ct_trace_writer *w = test_writer(fd, round % 2 ? &ct_arch_aarch64
								    : &ct_arch_x86_64, cs);
		const struct ct_arch *arch = round % 2 ? &ct_arch_aarch64 : &ct_arch_x86_64;
		unsigned depth[5] = { 0 };
		struct ct_trace_reader *r;
		struct ct_trace_lost lost;
		struct ct_event got;
		struct blob b;

		for (i = 0; i < N; i++) {
			struct ct_event *e = &x[i].ev;
			unsigned t = (unsigned)(lcg(&seed) % 5), j;

			memset(&x[i], 0, sizeof(x[i]));
			if (lcg(&seed) % 50 == 0) {
				x[i].lost = (struct ct_trace_lost){ .pid = 10, .tid = (pid_t)(20 + t),
								    .count = 1 + lcg(&seed) % 1000 };
				assert_int_equal(ct_trace_writer_lost(w, 10, (pid_t)(20 + t),
								      x[i].lost.count), 0);
				depth[t] = 0;
				continue;
			}
			seq = lcg(&seed) % 20 ? seq + 1 : lcg(&seed);
			ts = lcg(&seed) % 20 ? ts + lcg(&seed) % 100000 : ts - lcg(&seed) % 5000;
			e->seq = seq;
			e->ts_ns = ts;
			e->pid = 10;
			e->tid = (pid_t)(20 + t);
			if (lcg(&seed) % 100 == 0) {
				e->pid = (pid_t)lcg(&seed);
				e->tid = (pid_t)lcg(&seed);
			}
			e->type = (enum ct_event_type)(lcg(&seed) % CT_EV_NR_TYPES);
			if (lcg(&seed) % 3 == 0)
				e->type = CT_EV_CALL;
			e->flags = lcg(&seed) % 10 ? 0 : (uint32_t)lcg(&seed);
			e->func = pool[lcg(&seed) % 8];
			e->module = pool[lcg(&seed) % 8];
			e->addr = lcg(&seed) % 4 ? 0x401000 + lcg(&seed) % 8 * 16 : lcg(&seed);
			e->depth = lcg(&seed) % 10 ? (unsigned)lcg(&seed) % 20 : (uint32_t)lcg(&seed);
			if (e->type == CT_EV_CALL && lcg(&seed) % 2)
				e->depth = ++depth[t];
			if ((e->type == CT_EV_RETURN || e->type == CT_EV_UNWIND) && depth[t] &&
			    lcg(&seed) % 2)
				e->depth = depth[t]--;
			e->nr_args = (unsigned)(lcg(&seed) % (CT_MAX_ARGS + 1));
			for (j = 0; j < CT_MAX_ARGS; j++)
				prev = e->args[j] = rnd_value(&seed, prev);
			e->retval = rnd_value(&seed, prev);
			e->duration_ns = lcg(&seed) % 4 ? lcg(&seed) % 100000 : rnd_value(&seed, prev);
			e->parent = (pid_t)lcg(&seed);
			e->child = (pid_t)(lcg(&seed) % 100000);
			e->signo = (int)(lcg(&seed) % 65) - 1;
			e->status = (int)lcg(&seed);
			e->path = pool[lcg(&seed) % 8];
			if (lcg(&seed) % 5 == 0) {
				for (j = 0; j < CT_REGS_WORDS; j++)
					x[i].regs.w[j] = rnd_value(&seed, j ? x[i].regs.w[j - 1] : 0);
				e->regs = &x[i].regs;
				e->arch = lcg(&seed) % 2 ? arch : NULL;
			}
			assert_int_equal(ct_trace_writer_event(w, e), 0);
			if (lcg(&seed) % 500 == 0)
				assert_int_equal(ct_trace_writer_flush(w), 0);
		}
		b = test_finish(fd, w);
		r = open_blob(&b);
		for (i = 0; i < N; i++) {
			if (x[i].lost.count) {
				assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_LOST);
				assert_int_equal(lost.pid, x[i].lost.pid);
				assert_int_equal(lost.tid, x[i].lost.tid);
				assert_int_equal(lost.count, x[i].lost.count);
			} else {
				struct ct_event want = test_stored(&x[i].ev);

				assert_int_equal(ct_trace_reader_read(r, &got, &lost), CT_TRACE_EVENT);
				test_event_eq(&want, &got, arch);
			}
		}
		assert_int_equal(ct_trace_reader_read(r, &got, &lost), 0);
		assert_int_equal(ct_trace_reader_stats(r)->bad_chunks, 0);
		ct_trace_reader_close(r);
		free(b.p);
		close(fd);
	}
	free(x);
}

/* Events of a damaged file, checked against the originals by seq. */
static size_t read_damaged(const struct blob *b, const struct synth *s, bool *damage)
{
	char err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r = ct_trace_reader_open_mem(b->p, b->n, err, sizeof(err));
	struct ct_event ev;
	uint64_t last = 0;
	size_t n = 0, guard;

	*damage = false;
	if (!r) {
		*damage = true;
		return 0;
	}
	for (guard = 0; guard < 100000; guard++) {
		int rc = ct_trace_reader_next(r, &ev);
		struct ct_event want;

		if (rc == 0)
			break;
		if (rc == -EBADMSG || rc == -ENODATA) {
			*damage = true;
			assert_true(ct_trace_reader_error(r)[0] != '\0');
			continue;
		}
		assert_int_equal(rc, 1);
		assert_true(ev.seq >= 1 && ev.seq <= s->n);
		assert_true(ev.seq > last);
		last = ev.seq;
		want = test_stored(&s->ev[ev.seq - 1]);
		/* strings or functions whose symbols chunk was lost are unknown */
		if (!ev.func)
			want.func = NULL;
		if (!ev.module)
			want.module = NULL;
		if (!ev.func && !ev.module && !ev.addr)
			want.addr = 0;
		test_event_eq(&want, &ev, &ct_arch_x86_64);
		n++;
	}
	assert_true(guard < 100000);
	/* the index pass over the same damage must not fail either */
	assert_int_equal(ct_trace_reader_build_index(r), 0);
	if (ct_trace_reader_nr_chunks(r)) {
		assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
		while (ct_trace_reader_next(r, &ev) != 0)
			;
	}
	ct_trace_reader_close(r);
	return n;
}

/* Every prefix of a trace: the events of its complete chunks, in order,
 * then -ENODATA unless it ends on a chunk boundary. */
static void test_every_truncation(void **state)
{
	struct synth s = synth_make(120);
	struct blob b = synth_write(&s, 256);
	struct test_chunk ch[256];
	size_t k = test_chunks(b.p, b.n, ch, 256), hlen = test_le32(b.p + 12), len;

	(void)state;
	for (len = 0; len < b.n; len++) {
		char err[CT_TRACE_ERRLEN];
		struct ct_trace_reader *r = ct_trace_reader_open_mem(b.p, len, err, sizeof(err));
		size_t want = 0, i, got = 0;
		bool boundary = len == hlen;
		struct ct_event ev;
		int rc;

		if (len < hlen) {
			assert_null(r);
			assert_int_equal(errno, ENODATA);
			if (len)
				assert_memory_equal(err, "truncated header (", 18);
			else
				assert_string_equal(err, "empty file");
			continue;
		}
		assert_non_null(r);
		for (i = 0; i < k; i++) {
			if (ch[i].off + ch[i].len <= len && ch[i].type == 1)
				want += ch[i].count;
			boundary |= ch[i].off + ch[i].len == len;
		}
		while ((rc = ct_trace_reader_next(r, &ev)) == 1) {
			struct ct_event e = test_stored(&s.ev[got]);

			test_event_eq(&e, &ev, &ct_arch_x86_64);
			got++;
		}
		assert_int_equal(got, want);
		if (boundary) {
			assert_int_equal(rc, 0);
			assert_false(ct_trace_reader_stats(r)->truncated);
		} else {
			assert_int_equal(rc, -ENODATA);
			assert_true(ct_trace_reader_stats(r)->truncated);
			for (i = 0; i < k && ch[i].off + ch[i].len <= len; i++)
				;
			assert_int_equal(ct_trace_reader_stats(r)->truncated_bytes, len - ch[i].off);
			assert_int_equal(ct_trace_reader_next(r, &ev), 0);
		}
		ct_trace_reader_close(r);
	}
	free(b.p);
	synth_free(&s);
}

/* Every single-bit error after the header is detected, and whatever is
 * still returned is exactly right. */
static void test_every_bitflip(void **state)
{
	struct synth s = synth_make(60);
	struct blob b = synth_write(&s, 256);
	bool damage;
	size_t i;

	(void)state;
	assert_int_equal(read_damaged(&b, &s, &damage), s.n);
	assert_false(damage);
	for (i = 0; i < b.n; i++) {
		unsigned bit;

		for (bit = 0; bit < 8; bit += 3) {
			b.p[i] ^= (uint8_t)(1u << bit);
			read_damaged(&b, &s, &damage);
			assert_true(damage);
			b.p[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(b.p);
	synth_free(&s);
}


/* ---- typed values and source lines (1.1) ---- */

static char long_value[5001];

/* Typed and untyped events of three functions: several named values
 * (unnamed, quotes and escapes, a real newline, 3000 bytes), f(void), a
 * void return, a return with a value, an unwind, 70 parameters, a value
 * over the 4096-byte limit. */
static size_t typed_events(struct ct_event *e, struct ct_named_value *many)
{
	static const struct ct_named_value add_args[] = {
		{ "n", "10" },
		{ "", "'x'" },
		{ "name", "\"a\\\"b\\n\"" },
		{ "raw", "line1\nline2 \"q\"" },
		{ "big", long_value + 2000 }, /* 3000 bytes */
	};
	static const struct ct_named_value cut[] = { { "s", long_value } };
	size_t n = 0;
	unsigned i;

	memset(long_value, 'v', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	for (i = 0; i < 70; i++) {
		static char names[70][8], vals[70][8];

		snprintf(names[i], sizeof(names[i]), "p%u", i);
		snprintf(vals[i], sizeof(vals[i]), "%u", i * 3);
		many[i] = (struct ct_named_value){ names[i], vals[i] };
	}
#define ADD .func = "add", .module = "prog", .addr = 0x401100, .src_file = "tests/targets/typed.c", \
	    .src_line = 12
#define NOP .func = "nop", .module = "prog", .addr = 0x401200, .src_file = "typed.c", .src_line = 30
	e[n++] = (struct ct_event){ .seq = 1, .ts_ns = 100, .pid = 7, .tid = 7, .type = CT_EV_CALL,
				    ADD, .depth = 1, .flags = CT_EVF_TYPED, .nr_args = 2,
				    .args = { 10, 0x78 }, .nr_named = 5, .named = add_args };
	e[n++] = (struct ct_event){ .seq = 2, .ts_ns = 110, .pid = 7, .tid = 7, .type = CT_EV_CALL,
				    NOP, .depth = 2, .flags = CT_EVF_TYPED };
	e[n++] = (struct ct_event){ .seq = 3, .ts_ns = 120, .pid = 7, .tid = 7,
				    .type = CT_EV_RETURN, NOP, .depth = 2, .flags = CT_EVF_TYPED,
				    .retval = 0x55, .duration_ns = 10 };
	e[n++] = (struct ct_event){ .seq = 4, .ts_ns = 130, .pid = 7, .tid = 7,
				    .type = CT_EV_RETURN, ADD, .depth = 1, .flags = CT_EVF_TYPED,
				    .retval = (uint64_t)-3, .ret_text = "-3", .duration_ns = 30 };
	/* untyped: named values and ret_text given but not stored */
	e[n++] = (struct ct_event){ .seq = 5, .ts_ns = 140, .pid = 7, .tid = 8, .type = CT_EV_CALL,
				    .func = "raw", .module = "libc.so.6", .addr = 0x7f0000001000,
				    .depth = 1, .nr_args = 2, .args = { 1, 2 }, .nr_named = 1,
				    .named = add_args };
	e[n++] = (struct ct_event){ .seq = 6, .ts_ns = 150, .pid = 7, .tid = 8,
				    .type = CT_EV_RETURN, .func = "raw", .module = "libc.so.6",
				    .addr = 0x7f0000001000, .depth = 1, .retval = 7, .ret_text = "7",
				    .duration_ns = 10 };
	/* the same values again: the reader gives the same pointers */
	e[n++] = (struct ct_event){ .seq = 7, .ts_ns = 160, .pid = 7, .tid = 7, .type = CT_EV_CALL,
				    ADD, .depth = 1, .flags = CT_EVF_TYPED, .nr_args = 2,
				    .args = { 10, 0x78 }, .nr_named = 5, .named = add_args };
	e[n++] = (struct ct_event){ .seq = 8, .ts_ns = 170, .pid = 7, .tid = 7, .type = CT_EV_CALL,
				    NOP, .depth = 2, .flags = CT_EVF_TYPED, .nr_named = 70,
				    .named = many };
	e[n++] = (struct ct_event){ .seq = 9, .ts_ns = 180, .pid = 7, .tid = 7,
				    .type = CT_EV_UNWIND, NOP, .depth = 2, .flags = CT_EVF_TYPED,
				    .ret_text = "ignored", .duration_ns = 10 };
	e[n++] = (struct ct_event){ .seq = 10, .ts_ns = 190, .pid = 7, .tid = 7,
				    .type = CT_EV_UNWIND, ADD, .depth = 1, .flags = CT_EVF_TYPED,
				    .duration_ns = 30 };
	e[n++] = (struct ct_event){ .seq = 11, .ts_ns = 200, .pid = 7, .tid = 7, .type = CT_EV_CALL,
				    ADD, .depth = 1, .flags = CT_EVF_TYPED, .nr_named = 1,
				    .named = cut };
	e[n++] = (struct ct_event){ .seq = 12, .ts_ns = 210, .pid = 7, .tid = 7,
				    .type = CT_EV_EXIT, .status = 0 };
#undef ADD
#undef NOP
	return n;
}

static struct blob typed_write(struct ct_event *ev, size_t n, size_t chunk_size)
{
	int fd = test_memfd();
	struct ct_trace_writer *w = test_writer(fd, &ct_arch_x86_64, chunk_size);
	struct blob b;
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_writer_event(w, &ev[i]), 0);
	b = test_finish(fd, w);
	close(fd);
	return b;
}

/* ---- C++ names: symbols in the file (1.2), labels of a reader ---- */

/* Calls and returns of ns::g(int), then, in later chunks, of the overloaded
 * pair ns::f(int) / ns::f(double) and of main (a C name: no symbol). */
static size_t name_events(struct ct_event *e)
{
	static const struct {
		const char *func, *sym;
		uint64_t addr;
	} fns[] = {
		{ "ns::g(int)", "_ZN2ns1gEi", 0x1000 },
		{ "ns::f(int)", "_ZN2ns1fEi", 0x2000 },
		{ "ns::f(double)", "_ZN2ns1fEd", 0x3000 },
		{ "main", NULL, 0x4000 },
	};
	size_t n = 0;
	unsigned i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 40; k++) {
			e[n] = (struct ct_event){ .seq = n, .ts_ns = 10 * n, .pid = 7, .tid = 7,
						  .type = k % 2 ? CT_EV_RETURN : CT_EV_CALL,
						  .func = fns[i].func, .sym = fns[i].sym,
						  .module = "prog", .addr = fns[i].addr, .depth = 1,
						  .nr_args = k % 2 ? 0 : 6 };
			n++;
		}
	return n;
}

static void test_names(void **state)
{
	struct ct_event ev[160], got;
	size_t n = name_events(ev), i;
	/* CT_TRACE_CHUNK_MIN: the four functions come in different chunks */
	struct blob b = typed_write(ev, n, CT_TRACE_CHUNK_MIN);
	static const char *const shorts[] = { "ns::g", "ns::f(int)", "ns::f(double)", "main" };
	static const char *const syms[] = { "_ZN2ns1gEi", "_ZN2ns1fEi", "_ZN2ns1fEd", NULL };
	struct ct_trace_reader *r;
	enum ct_demangle mode;

	(void)state;
	for (mode = CT_DEMANGLE_SHORT; mode <= CT_DEMANGLE_NO + 1; mode++) {
		r = open_blob(&b);
		/* mode NO + 1: none set, as a reader starts */
		if (mode <= CT_DEMANGLE_NO)
			assert_int_equal(ct_trace_reader_set_names(r, mode), 0);
		for (i = 0; i < n; i++) {
			assert_int_equal(ct_trace_reader_next(r, &got), 1);
			/* func is the recorded name whatever the mode */
			assert_string_equal(got.func, ev[i].func);
			assert_null(got.sym);
			if (mode == CT_DEMANGLE_SHORT)
				assert_string_equal(got.label, shorts[i / 40]);
			else if (mode == CT_DEMANGLE_NO && syms[i / 40])
				assert_string_equal(got.label, syms[i / 40]);
			else
				assert_null(got.label);
		}
		assert_int_equal(ct_trace_reader_next(r, &got), 0);
		/* the scan for the names left this reader unindexed */
		assert_int_equal(ct_trace_reader_nr_chunks(r), 0);
		ct_trace_reader_close(r);
	}
	free(b.p);
}

/* Read back field by field; values stay valid until close, across chunks,
 * and equal values are the same pointer. */
static void typed_round_trip(size_t chunk_size, bool index_first)
{
	struct ct_named_value many[70];
	struct ct_event ev[16], got[17];
	size_t n = typed_events(ev, many), i;
	struct blob b = typed_write(ev, n, chunk_size);
	struct ct_trace_reader *r = open_blob(&b);

	assert_int_equal(ct_trace_reader_info(r)->version_minor, 2);
	if (index_first)
		assert_int_equal(ct_trace_reader_build_index(r), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_reader_next(r, &got[i]), 1);
	assert_int_equal(ct_trace_reader_next(r, &got[n]), 0);
	/* reading it all again (from the index) must not move what was read */
	assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
	while (ct_trace_reader_next(r, &got[n]) == 1)
		;
	/* only now compare: nothing read later may have moved earlier values */
	for (i = 0; i < n; i++) {
		struct ct_event s = test_stored(&ev[i]);

		if (i == 10) {
			/* the 5000-byte value comes back as its first 4096 bytes */
			assert_int_equal(got[i].nr_named, 1);
			assert_string_equal(got[i].named[0].name, "s");
			assert_int_equal(strlen(got[i].named[0].value), 4096);
			assert_memory_equal(got[i].named[0].value, long_value, 4096);
			continue;
		}
		test_event_eq(&s, &got[i], &ct_arch_x86_64);
	}
	assert_int_equal(got[0].nr_named, 5);
	assert_string_equal(got[0].named[1].name, ""); /* unnamed */
	assert_string_equal(got[0].named[3].value, "line1\nline2 \"q\"");
	assert_int_equal(strlen(got[0].named[4].value), 3000);
	assert_null(got[1].named); /* f(void) */
	assert_null(got[2].ret_text); /* void */
	assert_int_equal(got[7].nr_named, 64); /* the first 64 of 70 */
	assert_string_equal(got[7].named[63].name, "p63");
	assert_string_equal(got[7].named[63].value, "189");
	assert_null(got[4].src_file); /* no location */
	assert_int_equal(got[4].src_line, 0);
	/* interned: one copy per distinct value, list and name */
	assert_ptr_equal(got[6].named, got[0].named);
	assert_ptr_equal(got[0].src_file, got[3].src_file);
	assert_ptr_equal(got[0].named[0].name, got[6].named[0].name);
	ct_trace_reader_close(r);
	free(b.p);
}

static void test_typed_round_trip(void **state)
{
	(void)state;
	typed_round_trip(0, false);
	typed_round_trip(256, false); /* about a chunk per event */
	typed_round_trip(256, true);
}

/* Over a pipe (a chunk buffer reused for every chunk), values survive. */
static void test_typed_pipe(void **state)
{
	struct ct_named_value many[70];
	struct ct_event ev[16], got[17];
	size_t n = typed_events(ev, many), i;
	struct blob b = typed_write(ev, n, 256);
	char err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r;
	int pfd[2];

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	assert_true(b.n < 65536); /* fits the pipe buffer: no writer thread */
	assert_int_equal(write(pfd[1], b.p, b.n), (ssize_t)b.n);
	close(pfd[1]);
	r = ct_trace_reader_open(pfd[0], err, sizeof(err));
	assert_non_null(r);
	for (i = 0; i < n; i++)
		assert_int_equal(ct_trace_reader_next(r, &got[i]), 1);
	assert_int_equal(ct_trace_reader_next(r, &got[n]), 0);
	for (i = 0; i < 10; i++) {
		struct ct_event s = test_stored(&ev[i]);

		test_event_eq(&s, &got[i], &ct_arch_x86_64);
	}
	ct_trace_reader_close(r);
	close(pfd[0]);
	free(b.p);
}

static const uint8_t *find_bytes(const struct blob *b, const uint8_t *s, size_t n)
{
	return memmem(b->p, b->n, s, n);
}

/* The writer emits the bytes of the example in docs/trace-format.md 4.6;
 * untyped events cost nothing more than in 1.0. */
static void test_typed_bytes(void **state)
{
	static const struct ct_named_value args[] = { { "n", "10" }, { NULL, "\"ab\"" } };
	struct ct_event ev[3] = {
		{ .seq = 1, .ts_ns = 5, .pid = 1, .tid = 1, .type = CT_EV_CALL, .func = "add",
		  .module = "prog", .addr = 0x1000, .depth = 1, .flags = CT_EVF_TYPED,
		  .nr_named = 2, .named = args, .src_file = "a.c", .src_line = 12 },
		{ .seq = 2, .ts_ns = 6, .pid = 1, .tid = 1, .type = CT_EV_RETURN, .func = "add",
		  .module = "prog", .addr = 0x1000, .depth = 1, .flags = CT_EVF_TYPED,
		  .ret_text = "-3", .duration_ns = 1, .src_file = "a.c", .src_line = 12 },
	};
	/* strings: 1 prog, 2 add, 3 a.c (the location, with the function), 4 n */
	static const uint8_t call_ext[] = { 0x0f, 0x0c, 0x01, 0x02, 0x04, 0x02, 0x31, 0x30,
					    0x00, 0x04, 0x22, 0x61, 0x62, 0x22, 0x81 };
	static const uint8_t ret_ext[] = { 0x0f, 0x04, 0x02, 0x02, 0x2d, 0x33 };
	static const uint8_t srcline[] = { 0x0f, 0x04, 0x01, 0x01, 0x03, 0x0c };
	struct ct_event plain[2];
	struct blob b, u;

	(void)state;
	b = typed_write(ev, 2, 0);
	assert_non_null(find_bytes(&b, call_ext, sizeof(call_ext))); /* then CALL|FLAGS */
	assert_non_null(find_bytes(&b, ret_ext, sizeof(ret_ext)));
	assert_non_null(find_bytes(&b, srcline, sizeof(srcline)));
	/* the same events untyped and without location: exactly those bytes less
	 * (the typed flag costs one byte on each event, the "n", "a.c" strings) */
	plain[0] = ev[0];
	plain[1] = ev[1];
	plain[0].flags = plain[1].flags = 0;
	plain[0].nr_named = 0;
	plain[0].src_file = plain[1].src_file = NULL;
	plain[0].src_line = plain[1].src_line = 0;
	plain[1].ret_text = NULL;
	u = typed_write(plain, 2, 0);
	assert_int_equal(b.n - u.n, sizeof(call_ext) - 1 + sizeof(ret_ext) + sizeof(srcline) +
					    (2 + 1) /* flags */ + (2 + 3) + (2 + 1) /* strings */);
	free(b.p);
	free(u.p);
}

/* ---- hand-made files for the damaged-EXT cases ---- */

struct fb {
	uint8_t p[4096];
	size_t n;
};

static void fb_put(struct fb *f, const void *s, size_t n)
{
	assert_true(f->n + n <= sizeof(f->p));
	memcpy(f->p + f->n, s, n);
	f->n += n;
}

static void fb_le(struct fb *f, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++) {
		uint8_t c = (uint8_t)(v >> (8 * i));

		fb_put(f, &c, 1);
	}
}

/* A chunk (docs 4): 56-byte header with both CRCs, then the payload. */
static void fb_chunk(struct fb *f, unsigned type, const uint8_t *pl, size_t n, uint32_t count,
		     uint64_t a, uint64_t b, uint64_t c)
{
	size_t h = f->n;

	fb_put(f, "CTCK", 4);
	fb_le(f, type, 2);
	fb_le(f, 56, 2);
	fb_le(f, n, 4);
	fb_le(f, count, 4);
	fb_le(f, a, 8);
	fb_le(f, b, 8);
	fb_le(f, c, 8);
	fb_le(f, 0, 8);
	fb_le(f, ct_crc32c(0, pl, n), 4);
	fb_le(f, ct_crc32c(0, f->p + h, 52), 4);
	fb_put(f, pl, n);
}

/* The file header of a 1.1 x86_64 trace, from the writer. */
static void fb_header(struct fb *f)
{
	int fd = test_memfd();
	struct blob b = test_finish(fd, test_writer(fd, &ct_arch_x86_64, 0));

	f->n = 0;
	fb_put(f, b.p, test_le32(b.p + 12));
	free(b.p);
	close(fd);
}

/* Symbols: strings 1 prog, 2 f, 3 n, 4 f.c; function 1 (prog, f, 0x1000). */
static const uint8_t base_syms[] = {
	0x01, 0x04, 'p', 'r', 'o', 'g', 0x01, 0x01, 'f', 0x01, 0x01, 'n', 0x01, 0x03, 'f', '.', 'c',
	0x02, 0x01, 0x02, 0x80, 0x20,
};

struct ext_case {
	const char *what;
	const uint8_t *syms; /* extra SYMBOLS records after base_syms */
	size_t nsyms;
	const uint8_t *ev;   /* EVENTS payload after the THREAD record */
	size_t nev;
	unsigned count;      /* events in it */
	const char *why;     /* NULL: reads fine; else the message part expected */
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define NOSYMS NULL, 0
/* CALL|FLAGS dt 0 fid 1 flags TYPED; RETURN|EXPLICIT|MORE dt 0 fid 1 depth 1 more 1
 * flags TYPED retval 0 duration 0 */
#define TCALL 0x81, 0x00, 0x01, 0x08
#define TRET 0x62, 0x00, 0x01, 0x01, 0x01, 0x08, 0x00, 0x00
#define ARGS1 0x0f, 0x06, 0x01, 0x01, 0x03, 0x02, '1', '0' /* n=10 */

static const struct ext_case ext_cases[] = {
	{ "a good typed call", NOSYMS, B(ARGS1, TCALL), 1, NULL },
	{ "SEQ, REGS and an unknown EXT in between", NOSYMS,
	  B(ARGS1, 0x0d, 0x00, 0x0f, 0x02, 0x07, 0xaa, 0x0b, 0x1b, 0, 0, 0, 0, 0, 0, 0, TCALL), 1,
	  NULL },
	{ "empty EXT body", NOSYMS, B(0x0f, 0x00, TCALL), 1, NULL },
	{ "ARGS with count 0", NOSYMS, B(0x0f, 0x02, 0x01, 0x00, TCALL), 1, NULL },
	{ "65 named values", NOSYMS, B(0x0f, 0x02, 0x01, 0x41, TCALL), 1,
	  "too many named values" },
	{ "a value over 4096 bytes", NOSYMS, B(0x0f, 0x05, 0x01, 0x01, 0x03, 0x81, 0x20, TCALL), 1,
	  "typed value too long" },
	{ "a value past its record", NOSYMS, B(0x0f, 0x05, 0x01, 0x01, 0x03, 0x05, '1', TCALL), 1,
	  "bad typed values record" },
	{ "a record longer than its values", NOSYMS, B(0x0f, 0x03, 0x01, 0x00, 0xff, TCALL), 1,
	  "bad typed values record" },
	{ "a record past the chunk", NOSYMS, B(0x0f, 0x7f, 0x01, 0x00), 0, "record cut short" },
	{ "an undefined name", NOSYMS, B(0x0f, 0x05, 0x01, 0x01, 0x09, 0x01, '1', TCALL), 1,
	  "undefined string id" },
	{ "values for an untyped call", NOSYMS, B(ARGS1, 0x01, 0x00, 0x01), 1,
	  "typed values for an untyped call" },
	{ "call values before a return", NOSYMS, B(ARGS1, TRET), 1,
	  "typed values not followed by their event" },
	{ "a return value before a call", NOSYMS, B(0x0f, 0x03, 0x02, 0x01, '1', TCALL), 1,
	  "typed values not followed by their event" },
	{ "a return value for an untyped return", NOSYMS,
	  B(TCALL, 0x0f, 0x03, 0x02, 0x01, '1', 0x02, 0x00, 0x00), 2,
	  "typed value for an untyped return" },
	{ "a return value too long for its record", NOSYMS,
	  B(TCALL, 0x0f, 0x03, 0x02, 0x02, '1', TRET), 2, "bad typed values record" },
	{ "values twice", NOSYMS, B(ARGS1, ARGS1, TCALL), 1, "typed values twice for one event" },
	{ "values before a thread switch", NOSYMS, B(ARGS1, 0x0a, 0x00, TCALL), 1,
	  "typed values not followed by their event" },
	{ "values at the end of the chunk", NOSYMS, B(TCALL, ARGS1), 1,
	  "typed values at the end of the chunk" },
	{ "EXT between REGS and its event", NOSYMS,
	  B(0x0b, 0x1b, 0, 0, 0, 0, 0, 0, 0, ARGS1, TCALL), 1,
	  "register snapshot not followed by an event" },
	{ "a source line", B(0x0f, 0x04, 0x01, 0x01, 0x04, 0x0c), B(TCALL), 1, NULL },
	{ "a source line of function 0", B(0x0f, 0x04, 0x01, 0x00, 0x04, 0x0c), B(TCALL), 1,
	  "source line of an undefined function or string" },
	{ "a source line of an undefined function", B(0x0f, 0x04, 0x01, 0x02, 0x04, 0x0c),
	  B(TCALL), 1, "source line of an undefined function or string" },
	{ "a source line in an undefined file", B(0x0f, 0x04, 0x01, 0x01, 0x05, 0x0c), B(TCALL),
	  1, "source line of an undefined function or string" },
	{ "a source line past 2^32", B(0x0f, 0x08, 0x01, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x10),
	  B(TCALL), 1, "source line out of range" },
	{ "a source line record too long", B(0x0f, 0x05, 0x01, 0x01, 0x04, 0x0c, 0x00), B(TCALL),
	  1, "bad source line record" },
	{ "an unknown symbols extension", B(0x0f, 0x03, 0x05, 0x01, 0x02), B(TCALL), 1, NULL },
};

/* Each case: read to the end without a crash; the good ones give their
 * events, the damaged ones a -EBADMSG whose message says why. */
static void test_typed_damage(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(ext_cases) / sizeof(ext_cases[0]); k++) {
		const struct ext_case *c = &ext_cases[k];
		uint8_t syms[256], evp[512];
		struct fb f;
		struct ct_trace_reader *r;
		struct blob b;
		struct ct_event ev;
		unsigned events = 0, bad = 0, guard;
		int rc;

		fb_header(&f);
		memcpy(syms, base_syms, sizeof(base_syms));
		if (c->nsyms) /* memcpy from NULL is undefined even for 0 bytes */
			memcpy(syms + sizeof(base_syms), c->syms, c->nsyms);
		fb_chunk(&f, 2, syms, sizeof(base_syms) + c->nsyms, 4, 1, 1, 1);
		memcpy(evp, (const uint8_t[]){ 0x0a, 0x00, 0x01, 0x01 }, 4);
		if (c->nev)
			memcpy(evp + 4, c->ev, c->nev);
		fb_chunk(&f, 1, evp, 4 + c->nev, c->count, 1, 100, 100);
		b.p = f.p;
		b.n = f.n;
		r = open_blob(&b);
		for (guard = 0; guard < 10; guard++) {
			rc = ct_trace_reader_next(r, &ev);
			if (rc == 0)
				break;
			if (rc == -EBADMSG) {
				bad++;
				if (!c->why || !strstr(ct_trace_reader_error(r), c->why))
					fail_msg("%s: %s", c->what, ct_trace_reader_error(r));
				continue;
			}
			assert_int_equal(rc, 1);
			events++;
			if (!c->why && c->ev[0] == 0x0f && c->ev[2] == 0x01 && c->ev[3] == 0x01) {
				assert_int_equal(ev.nr_named, 1);
				assert_string_equal(ev.named[0].name, "n");
				assert_string_equal(ev.named[0].value, "10");
			}
			if (!c->why && c->nsyms && c->syms[2] == 0x01) {
				assert_string_equal(ev.src_file, "f.c");
				assert_int_equal(ev.src_line, 12);
			}
		}
		assert_true(guard < 10);
		if (c->why && !bad)
			fail_msg("%s: not reported", c->what);
		if (!c->why && (bad || events != c->count))
			fail_msg("%s: %u events, %u errors (%s)", c->what, events, bad,
				 ct_trace_reader_error(r));
		/* the index pass and a seek over the same bytes are no worse */
		assert_int_equal(ct_trace_reader_build_index(r), 0);
		if (ct_trace_reader_nr_chunks(r)) {
			assert_int_equal(ct_trace_reader_seek_chunk(r, 0), 0);
			for (guard = 0; guard < 10 && ct_trace_reader_next(r, &ev) != 0; guard++)
				;
			assert_true(guard < 10);
		}
		ct_trace_reader_close(r);
	}
}

/* Every single-bit error in a typed trace is detected or harmless, and no
 * truncation crashes (the CRCs stop most: with ASan this runs every
 * decoder path that survives them). */
static void test_typed_bitflip(void **state)
{
	struct ct_named_value many[70];
	struct ct_event ev[16], got;
	size_t n = typed_events(ev, many), i;
	struct blob b = typed_write(ev, n, 256);

	(void)state;
	for (i = 0; i < b.n; i++) {
		unsigned bit;

		for (bit = 0; bit < 8; bit += 5) {
			char err[CT_TRACE_ERRLEN];
			struct ct_trace_reader *r;
			unsigned guard = 0;

			b.p[i] ^= (uint8_t)(1u << bit);
			r = ct_trace_reader_open_mem(b.p, b.n, err, sizeof(err));
			while (r && ct_trace_reader_next(r, &got) != 0 && guard++ < 1000)
				;
			assert_true(guard < 1000);
			ct_trace_reader_close(r);
			b.p[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_crc_tables),
		cmocka_unit_test(test_crc_chaining),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_regs_aarch64),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_strings_across_chunks),
		cmocka_unit_test(test_index_seek),
		cmocka_unit_test(test_index_midstream),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_deep_stack),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_bitflip),
		cmocka_unit_test(test_typed_round_trip),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_typed_pipe),
		cmocka_unit_test(test_typed_bytes),
		cmocka_unit_test(test_typed_damage),
		cmocka_unit_test(test_typed_bitflip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
