/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the trace file reader (src/trace/reader*.c): any
 * input must be either refused with a message or read to the end, with
 * every damaged chunk reported and skipped, and the index and seeks must
 * work over whatever was intact.  Built and run by tests/fuzz/run.sh.
 *
 * Besides the sanitizers' checks, it traps when the reader stops making
 * progress (more read calls than input bytes), when a message is missing,
 * and touches every string and register word handed out so that ASan
 * checks the pointers.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/tracefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const struct ct_trace_reader *r, const struct ct_event *ev)
{
	if (!ev->arch || ev->arch != ct_trace_reader_info(r)->arch)
		__builtin_trap();
	if (ev->func)
		sink += strlen(ev->func);
	/* the names views show: short C++ names (labels) or symbols */
	if (ev->label)
		sink += strlen(ev->label);
	if (ev->sym)
		sink += strlen(ev->sym);
	if (ev->module)
		sink += strlen(ev->module);
	if (ev->path)
		sink += strlen(ev->path);
	if (ev->nr_args > CT_MAX_ARGS)
		__builtin_trap();
	/* 1.1 typed values: never NULL inside the list, at most the limits */
	if (ev->nr_named > CT_TRACE_MAX_NAMED || (ev->nr_named && !ev->named))
		__builtin_trap();
	for (unsigned i = 0; i < ev->nr_named; i++) {
		if (!ev->named[i].name || !ev->named[i].value ||
		    strlen(ev->named[i].value) > CT_TRACE_MAX_VALUE)
			__builtin_trap();
		sink += strlen(ev->named[i].name);
	}
	if (ev->ret_text)
		sink += strlen(ev->ret_text);
	if (ev->src_file)
		sink += strlen(ev->src_file) + ev->src_line;
	if (ev->regs)
		sink += ev->regs->w[ev->arch->regs_size / 8 - 1];
}

/* Read to the end; every call must consume input or end. */
static void drain(struct ct_trace_reader *r, size_t size, size_t max_events)
{
	struct ct_trace_lost lost;
	struct ct_event ev;
	size_t calls, events = 0;

	for (calls = 0;; calls++) {
		int rc = ct_trace_reader_read(r, &ev, &lost);

		if (calls > size + 8)
			__builtin_trap(); /* no progress */
		if (rc == CT_TRACE_EVENT) {
			touch(r, &ev);
			if (++events == max_events)
				return;
		} else if (rc == CT_TRACE_LOST) {
			continue;
		} else if (rc == -EBADMSG || rc == -ENODATA) {
			if (!ct_trace_reader_error(r)[0])
				__builtin_trap();
		} else {
			return;
		}
	}
}

static void exercise(struct ct_trace_reader *r, size_t size)
{
	size_t n, i;

	drain(r, size, SIZE_MAX);
	if (ct_trace_reader_build_index(r))
		return;
	n = ct_trace_reader_nr_chunks(r);
	for (i = 0; i < n && i < 64; i++) {
		const struct ct_trace_chunk *c = ct_trace_reader_chunk(r, n - 1 - i);

		if (!c || ct_trace_reader_find_seq(r, c->first_seq) >= n)
			__builtin_trap();
		if (ct_trace_reader_seek_chunk(r, n - 1 - i))
			__builtin_trap();
		drain(r, size, 1 + i % 4);
	}
	if (n && ct_trace_reader_seek_chunk(r, 0) == 0)
		drain(r, size, SIZE_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CT_TRACE_ERRLEN];
	struct ct_trace_reader *r;
	int fd;

	err[0] = '\0';
	r = ct_trace_reader_open_mem(data, size, err, sizeof(err));
	if (!r) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			__builtin_trap();
		return 0;
	}
	/* the views' names: every function of the file shortened and told
	 * apart (util/labels.c over names the file holds) */
	if (ct_trace_reader_set_names(r, CT_DEMANGLE_SHORT) < 0 && errno != ENOMEM)
		__builtin_trap();
	exercise(r, size);
	ct_trace_reader_close(r);

	/* the same through an fd (pread into the reader's own buffer) */
	fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		r = ct_trace_reader_open(fd, err, sizeof(err));
		if (!r)
			__builtin_trap(); /* memory said yes */
		if (ct_trace_reader_set_names(r, CT_DEMANGLE_NO) < 0)
			__builtin_trap();
		exercise(r, size);
		ct_trace_reader_close(r);
	}
	close(fd);
	return 0;
}
