/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer and reader (src/trace/writer.c, reader.c) and
 * CRC-32C: round trips of every record type field by field, strings shared
 * across chunks, the chunk index and seeking, lost-event records, register
 * snapshots of both ISAs, pipes, writer errors, and the reader's answer to
 * every truncation and every single-bit corruption of a small trace.
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
	assert_int_equal(info->version_minor, 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
