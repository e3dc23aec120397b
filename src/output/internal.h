/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The output object, shared by the line outputs and the trace file output. */
#ifndef CT_OUTPUT_INTERNAL_H
#define CT_OUTPUT_INTERNAL_H

#include <stdbool.h>

#include "output/output.h"
#include "trace/tracefile.h"

typedef size_t (*ct_format_fn)(const struct ct_event *ev, unsigned flags, char *buf,
			       size_t bufsz);

struct ct_output {
	const struct ct_output_ops *ops;

	/* text, jsonl */
	ct_format_fn format;
	FILE *fp;
	unsigned flags;
	char *buf;
	size_t cap;

	/* trace file (record.c) */
	int fd;
	const struct ct_trace_info *info;
	struct ct_trace_writer *trace;
	uint64_t oldest_unwritten_ns; /* CLOCK_MONOTONIC; 0: nothing unwritten */

	/* tee (tee.c) */
	struct ct_output *tee[2];
	bool tee_on[2];

	/* trace -c (summary.c) */
	struct ct_summary *summary;
};

#endif
