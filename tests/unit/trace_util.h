/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers of the trace file tests: write events into a memfd and get the
 * bytes back, compare events field by field, walk chunk headers with a
 * parser of their own (docs/trace-format.md section 4, offsets spelled out
 * here rather than taken from src/trace/tracefile.h).
 */
#ifndef CT_TEST_TRACE_UTIL_H
#define CT_TEST_TRACE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace/tracefile.h"

struct blob {
	uint8_t *p;
	size_t n;
};

#ifdef CT_FIXTURES_DIR
/* A fixture of the source tree: under $TOP_SRCDIR (set by make check and by
 * the aarch64 guest, where the build's paths do not exist), else the path
 * configure saw. */
static inline void test_fixture_path(char *path, size_t size, const char *name)
{
	const char *top = getenv("TOP_SRCDIR");

	if (top && *top)
		snprintf(path, size, "%s/tests/fixtures/%s", top, name);
	else
		snprintf(path, size, "%s/%s", CT_FIXTURES_DIR, name);
}
#endif

static inline int test_memfd(void)
{
	int fd = memfd_create("trace", 0);

	assert_true(fd >= 0);
	return fd;
}

static inline struct ct_trace_writer *test_writer(int fd, const struct ct_arch *arch,
						  size_t chunk_size)
{
	static const char *const argv[] = { "./prog", "arg one" };
	struct ct_trace_info info = {
		.arch = arch,
		.start_realtime_ns = 1700000000000000000ull,
		.pid = 4242,
		.argc = 2,
		.argv = argv,
		.chunk_size = chunk_size,
	};
	struct ct_trace_writer *w = ct_trace_writer_open(fd, &info);

	assert_non_null(w);
	return w;
}

/* Close w and return what it wrote to fd. */
static inline struct blob test_finish(int fd, struct ct_trace_writer *w)
{
	struct blob b;
	off_t n;

	assert_int_equal(ct_trace_writer_close(w), 0);
	n = lseek(fd, 0, SEEK_END);
	assert_true(n > 0);
	b.n = (size_t)n;
	b.p = malloc(b.n);
	assert_non_null(b.p);
	assert_int_equal(pread(fd, b.p, b.n, 0), (ssize_t)b.n);
	return b;
}

static inline uint32_t test_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t test_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* One chunk as a test sees it. */
struct test_chunk {
	size_t off, len; /* header + payload */
	unsigned type;
	uint32_t count;
};

/* Walk the chunks of a well-formed file: header_len at byte 12, then
 * per chunk type at +4, hdr_len at +6, payload_len at +8, count at +12.
 * Returns how many were found (stopping at a chunk that overruns n). */
static inline size_t test_chunks(const uint8_t *p, size_t n, struct test_chunk *out, size_t max)
{
	size_t off = test_le32(p + 12), k = 0;

	while (off + 56 <= n && k < max) {
		size_t len = test_le16(p + off + 6) + (size_t)test_le32(p + off + 8);

		if (off + len > n)
			break;
		out[k].off = off;
		out[k].len = len;
		out[k].type = test_le16(p + off + 4);
		out[k].count = test_le32(p + off + 12);
		k++;
		off += len;
	}
	return k;
}

static inline void test_str_eq(const char *want, const char *got)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

/* Every field of got equals want; regs compared over the arch's words. */
static inline void test_event_eq(const struct ct_event *want, const struct ct_event *got,
				 const struct ct_arch *arch)
{
	unsigned i;

	assert_int_equal(got->seq, want->seq);
	assert_int_equal(got->ts_ns, want->ts_ns);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_int_equal(got->type, want->type);
	assert_int_equal(got->flags, want->flags);
	test_str_eq(want->func, got->func);
	test_str_eq(want->module, got->module);
	assert_int_equal(got->addr, want->addr);
	assert_int_equal(got->depth, want->depth);
	assert_int_equal(got->nr_args, want->nr_args);
	for (i = 0; i < CT_MAX_ARGS; i++)
		assert_int_equal(got->args[i], i < want->nr_args ? want->args[i] : 0);
	assert_int_equal(got->retval, want->retval);
	assert_int_equal(got->duration_ns, want->duration_ns);
	assert_int_equal(got->parent, want->parent);
	assert_int_equal(got->child, want->child);
	assert_int_equal(got->signo, want->signo);
	assert_int_equal(got->status, want->status);
	test_str_eq(want->path, got->path);
	/* typed values (1.1): a name or value given as NULL reads as "" */
	assert_int_equal(got->nr_named, want->nr_named);
	for (i = 0; i < want->nr_named; i++) {
		const struct ct_named_value *w = &want->named[i];

		assert_non_null(got->named);
		assert_string_equal(got->named[i].name, w->name ? w->name : "");
		assert_string_equal(got->named[i].value, w->value ? w->value : "");
	}
	test_str_eq(want->ret_text, got->ret_text);
	test_str_eq(want->src_file, got->src_file);
	assert_int_equal(got->src_line, want->src_line);
	assert_ptr_equal(got->arch, arch);
	if (!want->regs) {
		assert_null(got->regs);
	} else {
		assert_non_null(got->regs);
		assert_memory_equal(got->regs->w, want->regs->w, arch->regs_size);
	}
}

/* The event as the file keeps it: fields its type does not carry cleared
 * (typed values only with CT_EVF_TYPED; src_file/line, a property of the
 * function, as given: callers give every event of a function the same). */
static inline struct ct_event test_stored(const struct ct_event *ev)
{
	struct ct_event s = *ev;
	bool typed = ev->flags & CT_EVF_TYPED;

	switch (ev->type) {
	case CT_EV_CALL:
		s.retval = s.duration_ns = 0;
		s.parent = s.child = s.signo = s.status = 0;
		s.path = NULL;
		s.ret_text = NULL;
		if (!typed || !s.named)
			s.nr_named = 0;
		if (s.nr_named > CT_TRACE_MAX_NAMED)
			s.nr_named = CT_TRACE_MAX_NAMED;
		break;
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		s.nr_args = 0;
		memset(s.args, 0, sizeof(s.args));
		s.parent = s.child = s.signo = s.status = 0;
		s.path = NULL;
		s.nr_named = 0;
		if (!typed || ev->type == CT_EV_UNWIND)
			s.ret_text = NULL;
		break;
	default:
		s.func = s.module = NULL;
		s.addr = 0;
		s.depth = 0;
		s.nr_args = 0;
		memset(s.args, 0, sizeof(s.args));
		s.retval = s.duration_ns = 0;
		s.nr_named = 0;
		s.ret_text = s.src_file = NULL;
		s.src_line = 0;
		break;
	}
	if (!s.nr_named)
		s.named = NULL;
	return s;
}

#endif
