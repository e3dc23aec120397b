/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live event output: text and JSON lines (DESIGN.md "Event schema"). */
#ifndef CT_OUTPUT_H
#define CT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
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
	/* The tracer found nothing to do and is about to sleep: make the
	 * events so far visible (lines) or durable (trace file). */
	int (*idle)(struct ct_output *o);
	int (*end)(struct ct_output *o);
	/* Make every event so far visible or durable now (optional). */
	int (*flush)(struct ct_output *o);
	void (*free)(struct ct_output *o); /* optional: release what end did not */
};

/* "text" | "jsonl" -> fmt.  0 or -EINVAL. */
int ct_format_parse(const char *name, enum ct_format *fmt);

/* NULL with errno set.  The output does not own fp and leaves its buffering
 * alone; each event is written with a single fwrite() of a whole line. */
struct ct_output *ct_output_new(enum ct_format fmt, FILE *fp, unsigned flags);
int ct_output_event(struct ct_output *o, const struct ct_event *ev); /* 0 or -errno (EIO) */
int ct_output_idle(struct ct_output *o); /* 0 or -errno */
int ct_output_flush(struct ct_output *o); /* now, whatever the age: 0 or -errno */
int ct_output_end(struct ct_output *o);  /* flushes */
void ct_output_free(struct ct_output *o);

/*
 * The binary trace file (src/trace/tracefile.h) as an output: events go to
 * a writer opened on fd when the first event arrives (or at the end), with
 * info's arch, start time and command line and, when info->pid is 0, the
 * pid of that first event.  Chunks are written when full, at idle once the
 * oldest unwritten event is CT_RECORD_FLUSH_MS old, and at the end, which
 * also closes the writer (not fd).  info and the strings it points to must
 * live as long as the output.  NULL with errno set.
 */
#define CT_RECORD_FLUSH_MS 1000
struct ct_trace_info;
struct ct_output *ct_output_new_trace(int fd, const struct ct_trace_info *info);
/*
 * Both a and b get every event (a first; the first error is returned);
 * ct_output_tee_enable() switches one of them off and on (e.g. the REPL's
 * echo of events to the terminal).  The tee does not own a and b: ending
 * the tee ends them, freeing it frees neither.  NULL with errno set.
 */
struct ct_output *ct_output_new_tee(struct ct_output *a, struct ct_output *b);
void ct_output_tee_enable(struct ct_output *tee, unsigned which, bool on);

/*
 * `trace -c`: no event is written; calls and returns are counted per
 * function (view/report.c, with ro's sort order) and ending the output
 * writes report's table to fp, which the output does not own.  NULL with
 * errno set.
 */
struct ct_report_opts;
struct ct_output *ct_output_new_summary(FILE *fp, const struct ct_report_opts *ro);

/* Bytes written so far by a trace output, 0 for the others. */
uint64_t ct_output_bytes(const struct ct_output *o);

/* Formats one event as a single JSON object line (no trailing newline)
 * into buf; returns the length it needs (like snprintf). */
size_t ct_jsonl_format(const struct ct_event *ev, char *buf, size_t bufsz);

/*
 * The formatters behind the outputs, for callers that want a string (the
 * REPL) rather than a FILE.  Both are snprintf-like: they return the length
 * the whole text needs (excluding the NUL), write at most bufsz bytes, and
 * NUL-terminate whenever bufsz > 0.  Neither allocates.  No trailing newline.
 * ct_jsonl_format() is ct_jsonl_format_flags(ev, CT_OUT_REGS, ...).
 */
size_t ct_jsonl_format_flags(const struct ct_event *ev, unsigned flags, char *buf, size_t bufsz);
/* One line; with CT_OUT_REGS and ev->regs, two (separated by '\n'). */
size_t ct_text_format(const struct ct_event *ev, unsigned flags, char *buf, size_t bufsz);

/*
 * The indentation of the text views (trace, replay, the REPL's events and
 * replay): two spaces per level below the first, up to level
 * CT_INDENT_MAX_LEVEL; a deeper line keeps that indentation and starts with
 * "[depth N] " (N its level), so that a line's length does not grow with
 * its depth (a 100,000-deep recursion would otherwise print 200 KB of
 * spaces per line: 20 GB for its calls and returns).
 */
#define CT_INDENT_MAX_LEVEL 64
/* The longest indentation, marker included. */
#define CT_INDENT_MAX (2 * (CT_INDENT_MAX_LEVEL - 1) + sizeof("[depth 4294967295] ") - 1)
/* The indentation of level (1 and 0: none) into buf, which holds
 * CT_INDENT_MAX bytes; returns its length (no NUL is written). */
size_t ct_text_indent(uint32_t level, char *buf);

/* Signal name by Linux number (the same on x86_64 and aarch64): "SIGSEGV",
 * "SIGRT_3" for 35, "SIG99" for numbers without a name.  Returns a static
 * string or buf, which must hold CT_SIGNAME_MAX bytes. */
#define CT_SIGNAME_MAX 16
const char *ct_signal_name(int signo, char *buf);

#endif
