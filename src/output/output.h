/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live event output: text and JSON lines (DESIGN.md "Event schema"). */
#ifndef CT_OUTPUT_H
#define CT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "trace/event.h"

enum ct_format {
	CT_FMT_TEXT,
	CT_FMT_JSONL,
};

#define CT_OUT_REGS 0x1 /* print ev->regs when present */

struct ct_output;

struct ct_output_ops {
	int (*begin)(struct ct_output *o);
	int (*event)(struct ct_output *o, const struct ct_event *ev);
	int (*end)(struct ct_output *o);
};

/* "text" | "jsonl" -> fmt.  0 or -EINVAL. */
int ct_format_parse(const char *name, enum ct_format *fmt);

/* NULL with errno set.  The output does not own fp. */
struct ct_output *ct_output_new(enum ct_format fmt, FILE *fp, unsigned flags);
int ct_output_event(struct ct_output *o, const struct ct_event *ev); /* 0 or -errno (EIO) */
int ct_output_end(struct ct_output *o);  /* flushes */
void ct_output_free(struct ct_output *o);

/* Formats one event as a single JSON object line (no trailing newline)
 * into buf; returns the length it needs (like snprintf). */
size_t ct_jsonl_format(const struct ct_event *ev, char *buf, size_t bufsz);

#endif
