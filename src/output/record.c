/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file as an output (`calltrap record`): events go to a
 * ct_trace_writer, which writes a chunk whenever one fills.  At idle the
 * chunk in progress is written too once its oldest event has waited
 * CT_RECORD_FLUSH_MS, so a recorder killed with SIGKILL loses little, while
 * a program that calls often but briefly pauses does not cut the file into
 * tiny chunks.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "output/internal.h"

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The writer is opened at the first event, which gives the pid. */
static int trace_open(struct ct_output *o, pid_t pid)
{
	struct ct_trace_info info = *o->info;

	if (!info.pid)
		info.pid = pid;
	o->trace = ct_trace_writer_open(o->fd, &info);
	return o->trace ? 0 : -errno;
}

static int trace_begin(CT_UNUSED struct ct_output *o)
{
	return 0;
}

static int trace_event(struct ct_output *o, const struct ct_event *ev)
{
	int ret;

	if (!o->trace && (ret = trace_open(o, ev->pid)) < 0)
		return ret;
	ret = ct_trace_writer_event(o->trace, ev);
	if (ret == 0 && !o->oldest_unwritten_ns)
		o->oldest_unwritten_ns = monotonic_ns();
	return ret;
}

static int trace_flush(struct ct_output *o);

static int trace_idle(struct ct_output *o)
{
	if (!o->trace || !o->oldest_unwritten_ns ||
	    monotonic_ns() - o->oldest_unwritten_ns < CT_RECORD_FLUSH_MS * 1000000ull)
		return 0;
	return trace_flush(o);
}

static int trace_flush(struct ct_output *o)
{
	int ret;

	if (!o->trace || !o->oldest_unwritten_ns)
		return 0;
	ret = ct_trace_writer_flush(o->trace);
	if (ret == 0)
		o->oldest_unwritten_ns = 0;
	return ret;
}

static int trace_end(struct ct_output *o)
{
	int ret;

	if (o->fd < 0)
		return 0; /* ended before */
	if (!o->trace && (ret = trace_open(o, 0)) < 0)
		return ret;
	ret = ct_trace_writer_close(o->trace);
	o->trace = NULL;
	o->fd = -1;
	o->oldest_unwritten_ns = 0;
	return ret;
}

static void trace_free(struct ct_output *o)
{
	if (o->trace)
		ct_trace_writer_close(o->trace);
	o->trace = NULL;
}

static const struct ct_output_ops trace_ops = {
	.begin = trace_begin,
	.event = trace_event,
	.idle = trace_idle,
	.end = trace_end,
	.flush = trace_flush,
	.free = trace_free,
};

struct ct_output *ct_output_new_trace(int fd, const struct ct_trace_info *info)
{
	struct ct_output *o;

	if (fd < 0 || !info || !info->arch) {
		errno = EINVAL;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->ops = &trace_ops;
	o->fd = fd;
	o->info = info;
	return o;
}
