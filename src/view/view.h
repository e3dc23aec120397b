/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Views of a recorded trace: call trees, per-function statistics and the
 * dump formats, computed while the file streams by.
 *
 * Three layers, each usable on its own (the REPL feeds the middle one):
 *
 *  - ct_view_input wraps a ct_trace_reader: the time window (--since seeks
 *    through the index, --until stops), a small lookahead ring (replay
 *    needs to know whether a call's next event is its return), the
 *    duration of a frame still open (--min-duration decided at the call,
 *    by looking ahead in the ring and, past it, with a second reader), and
 *    what went wrong with the file.
 *  - ct_view turns events into frames: a stack per thread, matched by
 *    depth and function as the recorder wrote them, the filters (--func
 *    subtree, --tid, --max-depth, --min-duration) and self time; it calls
 *    back when a shown frame begins and ends.
 *  - consumers: replay (tree text), report (statistics table), dump
 *    (chrome, folded, svg; jsonl goes through ct_output).
 *
 * Memory is bounded by the deepest stack, the number of threads, distinct
 * functions and (folded, svg) distinct call paths, never by the number of
 * events.  Nothing is allocated per event: strings are the reader's, one
 * pointer per distinct string, and serve as keys.
 */
#ifndef CT_VIEW_H
#define CT_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "trace/event.h"
#include "trace/tracefile.h"

/* ---- filters ---- */

#define CT_VIEW_MAX_FUNCS 64
#define CT_VIEW_MAX_TIDS 64

struct ct_view_filter {
	const char *funcs[CT_VIEW_MAX_FUNCS]; /* --func globs: their subtrees; none: all */
	unsigned nr_funcs;
	pid_t tids[CT_VIEW_MAX_TIDS]; /* --tid; none: all threads */
	unsigned nr_tids;
	unsigned max_depth;       /* 0: any; else levels shown, 1 = outermost (or --func frame) */
	uint64_t min_duration_ns; /* 0: none */
	uint64_t since_ns;        /* events at or after (relative to the trace start) */
	uint64_t until_ns;        /* events at or before; UINT64_MAX: no limit */
};

void ct_view_filter_init(struct ct_view_filter *f);
bool ct_view_filter_active(const struct ct_view_filter *f);

/*
 * "1.5ms", "200us", "3s", "40ns", "0": a time with a unit (ns, us, ms, s);
 * a unit is needed unless the value is 0.  0 or -EINVAL.
 */
int ct_view_parse_time(const char *s, uint64_t *ns);

/* --tid=TID[,TID...] appended to f->tids.  0, -EINVAL or -E2BIG. */
int ct_view_parse_tids(const char *s, struct ct_view_filter *f);

/*
 * Set one filter by its option name: "func", "tid", "max-depth",
 * "min-duration", "since", "until" (the command-line options and the
 * REPL's `filter`).  0; else -EINVAL (bad value), -E2BIG (too many) or
 * -ENOENT (no such filter) with a one-line reason in why, e.g.
 * "invalid --max-depth 'x' (a number >= 1)".  Strings are not copied.
 */
int ct_view_filter_set(struct ct_view_filter *f, const char *name, const char *value, char *why,
		       size_t whylen);

/*
 * A duration in 10 columns, the number right-aligned in 7 and a unit
 * right-aligned in 2: "    123 ns", "  5.433 us", " 12.000 ms", "  1.500  s"
 * (three decimals, truncated; 1000 s and more as whole seconds).  buf must
 * hold CT_VIEW_DURLEN bytes; returns buf.
 */
#define CT_VIEW_DURLEN 24
char *ct_view_format_duration(uint64_t ns, char *buf);

/* ---- input ---- */

/*
 * The window replay needs (leaves, and --min-duration decided at the
 * call), and dump --format=jsonl with --min-duration.  Other views need
 * none.
 */
#define CT_VIEW_LOOKAHEAD 4096

struct ct_view_input;

/* Open path and a reader on it: 0, or -errno with a one-line message (no
 * file name) in err: the reader's (ct_trace_reader_open) or strerror. */
int ct_view_open_file(const char *path, int *fd, struct ct_trace_reader **r, char *err,
		      size_t errlen);

/* One record of the input: an event or the recorder's lost events. */
struct ct_view_rec {
	int kind; /* CT_TRACE_EVENT or CT_TRACE_LOST */
	struct ct_event ev;
	struct ct_trace_lost lost;
	struct ct_regs regs; /* ev.regs points here when the event has a snapshot */
};

/*
 * Read r (which the input does not own) between since_ns and until_ns.
 * window: records kept ahead of the current one for ct_view_input_peek()
 * and ct_view_input_duration() (0: none).  fd: the file r reads, or -1;
 * with a regular file, a second reader is opened on it when a duration
 * must be looked up beyond the window.  NULL with errno (ENOMEM).
 */
struct ct_view_input *ct_view_input_new(struct ct_trace_reader *r, int fd, uint64_t since_ns,
					uint64_t until_ns, unsigned window);
void ct_view_input_free(struct ct_view_input *in);

/*
 * The next record in the window: 1 and *rec (valid until the next call),
 * 0 at the end (of the file, or past until_ns), or a fatal -errno (an I/O
 * error: ct_view_input_problems() has the message).  Damaged chunks and
 * truncation are not errors here: they are counted and the intact records
 * keep coming.
 */
int ct_view_input_next(struct ct_view_input *in, const struct ct_view_rec **rec);

/* The i-th record after the current one (i >= 1), or NULL past the window
 * or the end.  Valid until the next ct_view_input_next(). */
const struct ct_view_rec *ct_view_input_peek(struct ct_view_input *in, unsigned i);

/*
 * The duration of the frame opened by the current record (a call): the
 * duration its return or unwind carries, or the time until the event that
 * shows the frame ended without one (a shallower frame event of its thread,
 * the thread's or process's exit), or until the end of the input.  The
 * search stops once events are at least `need` ns after the call: then
 * *ns = need means "at least".  0 or -errno.
 */
int ct_view_input_duration(struct ct_view_input *in, uint64_t need, uint64_t *ns);

/* Timestamp of the last event delivered (the end of the view), or the
 * one given to ct_view_input_end_at if later. */
uint64_t ct_view_input_last_ts(const struct ct_view_input *in);
/* The recording goes on past its last event: the program still runs, or
 * is stopped, and its clock (event ts_ns) now reads ts; frames still open
 * are open until then, not until the last event. */
void ct_view_input_end_at(struct ct_view_input *in, uint64_t ts);

/* What went wrong with the file. */
struct ct_view_problems {
	bool error;              /* bytes were lost (or I/O failed): exit 1 */
	char first[256];         /* the reader's message on the first damaged chunk */
	uint64_t bad_chunks;     /* damaged chunks skipped */
	uint64_t bad_events;     /* events they held (a lower bound) */
	bool truncated;          /* ends inside a chunk: its bytes are lost */
	char truncation[CT_TRACE_ERRLEN]; /* where (ct_trace_truncation_message) */
	bool incomplete;         /* ends between chunks, without the END chunk */
	uint64_t trailing_bytes; /* after the END chunk, ignored */
	uint64_t trailing_offset;
	uint64_t lost_events;    /* dropped by the recorder */
};
void ct_view_input_problems(const struct ct_view_input *in, struct ct_view_problems *p);

/*
 * The problems r's stats show (after a read to the end, or its index).
 * live: the file is still being written, so ending without an END chunk,
 * even inside a chunk, is no problem.  error is set for damage, not for a
 * missing END chunk, trailing bytes or events the recorder lost.
 */
void ct_view_problems_of(const struct ct_trace_reader *r, bool live,
			 struct ct_view_problems *p);

/*
 * The one line that sums p up, without "calltrap: " and the file name:
 * e.g. "corrupt chunk at offset 580: bad checksum, 3 events lost" or
 * "truncated chunk at offset 900: 96 of its 320 bytes present, 12 events
 * lost; 3 events lost by the recorder".  Returns false when there is
 * nothing to say.  p->error says whether it is an error (exit 1) or a
 * warning.
 */
bool ct_view_problems_line(const struct ct_view_problems *p, char *buf, size_t size);

/* ---- frames ---- */

struct ct_view;
struct ct_view_thread;

struct ct_view_frame {
	const char *func;
	const char *label;  /* the call's (ct_event.label): what views print, or NULL */
	const char *module;
	uint64_t addr;
	uint64_t seq, ts;  /* of the call */
	uint32_t depth;    /* the call's depth as recorded */
	unsigned level;    /* 1 = outermost frame of the view (or the --func frame) */
	int up;            /* index of the closest shown ancestor on the stack, -1 */
	bool shown;        /* passes the filters: reported by enter/exit */
	bool in_func;      /* inside a --func subtree (always true without --func) */
	bool hide_below;   /* callees are hidden (--min-duration decided at the call) */
	unsigned nr_args;  /* with CT_VIEW_ARGS: the call's arguments */
	uint64_t args[CT_MAX_ARGS];
	const char *src_file; /* the function's declaration (the call's), or NULL */
	uint32_t src_line;    /* 0 unknown */
	uint64_t child_ns; /* durations of shown frames whose closest shown ancestor it is */
	void *user;        /* the consumer's */
};

struct ct_view_thread {
	pid_t pid, tid;
	unsigned index;    /* in order of first appearance, from 0 */
	struct ct_view_frame *frames; /* the stack, frames[nr - 1] on top */
	unsigned nr, cap;
	void *user;        /* the consumer's */
};

/* How a frame ended (exit callback). */
enum ct_view_end {
	CT_VIEW_RETURN, /* its return event */
	CT_VIEW_UNWIND, /* its unwind event */
	CT_VIEW_CUT,    /* a later event of its thread shows it ended unseen (lost events) */
	CT_VIEW_OPEN,   /* still open at the end of the view (ct_view_finish) */
};
/* How a frame ended, as the dumps write it: "return", "unwind", "not
 * recorded", "open at the end of the trace". */
const char *ct_view_end_name(enum ct_view_end how);

struct ct_view_ops {
	/* A shown frame begins.  Not called for frames that --min-duration
	 * may still hide (min_duration_ns set and no admit callback). */
	int (*enter)(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		     const struct ct_event *ev);
	/* A shown frame ends; ev is its return or unwind (NULL for CUT and
	 * OPEN); dur_ns its duration; self is dur_ns - f->child_ns. */
	int (*exit)(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		    const struct ct_event *ev, enum ct_view_end how, uint64_t dur_ns);
	/* A process or thread event of a shown thread (with --func: only
	 * while the thread is inside a --func subtree). */
	int (*event)(void *ctx, struct ct_view_thread *t, const struct ct_event *ev);
	/* The recorder dropped events of this thread here (with --func: only
	 * inside a --func subtree). */
	int (*lost)(void *ctx, struct ct_view_thread *t, uint64_t count);
	/* --min-duration at the call: true to show the frame.  Without it,
	 * frames shorter than min_duration_ns are dropped when they end, and
	 * their time stays with their caller. */
	bool (*admit)(void *ctx, struct ct_view_thread *t, const struct ct_event *call);
};

#define CT_VIEW_ARGS 0x1 /* keep each call's arguments in its frame */

/* NULL with errno (ENOMEM, EINVAL).  The filter is copied (its strings are
 * not: they must outlive the view). */
struct ct_view *ct_view_new(const struct ct_view_filter *f, const struct ct_view_ops *ops,
			    void *ctx, unsigned flags);
void ct_view_free(struct ct_view *v);

/* One event, or lost events, in file order.  0 or the first non-zero
 * value a callback returned. */
int ct_view_feed(struct ct_view *v, const struct ct_event *ev);
int ct_view_feed_lost(struct ct_view *v, const struct ct_trace_lost *lost);

/* End the view at end_ts: frames still open end there (CT_VIEW_OPEN).
 * The threads stay readable until ct_view_free(). */
int ct_view_finish(struct ct_view *v, uint64_t end_ts);

/* Every record of in, then ct_view_finish() at its last timestamp (or at
 * until_ns when the input stopped there).  0, a callback's value, or the
 * input's -errno. */
int ct_view_run(struct ct_view *v, struct ct_view_input *in);

/* Threads in order of first appearance. */
unsigned ct_view_nr_threads(const struct ct_view *v);
struct ct_view_thread *ct_view_thread_at(const struct ct_view *v, unsigned i);

/* The name views print for f's function (one pointer per function name
 * either way, so it serves as a key too). */
static inline const char *ct_view_frame_name(const struct ct_view_frame *f)
{
	return f->label ? f->label : f->func;
}

/* The name of process pid when it is the one the trace started with (the
 * base name of its argv[0]), else NULL. */
const char *ct_view_main_name(const struct ct_trace_info *info, pid_t pid);

/* The closest shown ancestor of f, or NULL. */
static inline struct ct_view_frame *ct_view_up(const struct ct_view_thread *t,
					       const struct ct_view_frame *f)
{
	return f->up >= 0 ? &t->frames[f->up] : NULL;
}

/* ---- consumers ---- */

/* calltrap replay */
enum ct_replay_color { CT_COLOR_AUTO, CT_COLOR_ALWAYS, CT_COLOR_NEVER };

struct ct_replay_opts {
	bool color;      /* ANSI colors (the caller resolved auto) */
	bool per_thread; /* each thread's tree on its own, without a tid column */
	bool no_args;    /* neither arguments nor return values */
	bool srcline;    /* call lines end with a comment of the function's file:line */
};

/* Print the tree of in through the filter f to out.  0 or -errno (the
 * input's, or EIO/ENOSPC writing out). */
int ct_replay(struct ct_view_input *in, const struct ct_view_filter *f,
	      const struct ct_replay_opts *o, FILE *out);

/* calltrap report */
enum ct_report_sort {
	CT_SORT_TOTAL,
	CT_SORT_SELF,
	CT_SORT_CALLS,
	CT_SORT_AVG,
	CT_SORT_MIN,
	CT_SORT_MAX,
	CT_SORT_NAME,
};
int ct_report_sort_parse(const char *s, enum ct_report_sort *sort);

struct ct_report_opts {
	enum ct_report_sort sort;
	bool per_thread; /* a row per thread and function */
	bool ns;         /* times as integer nanoseconds */
	bool srcline;    /* a Source column: file:line of each function, or "-" */
};

/* Statistics of one function (or one function on one thread). */
struct ct_report_row {
	const char *func, *module; /* func: the name shown (ct_view_frame_name) */
	const char *src_file; /* where the function is declared, or NULL */
	uint32_t src_line;
	pid_t pid, tid;    /* per_thread only */
	uint64_t calls;    /* frames shown that ended, unwound and cut ones included */
	uint64_t open;     /* frames shown still open at the end (not calls) */
	uint64_t unwound;  /* of which ended by an unwind */
	uint64_t total_ns; /* outermost frames of a recursion only: wall time */
	uint64_t self_ns;  /* durations minus those of traced callees shown */
	uint64_t sum_ns;   /* sum of every frame's duration (for the average) */
	uint64_t min_ns, max_ns;
};

struct ct_report;
struct ct_report *ct_report_new(const struct ct_report_opts *o);
void ct_report_free(struct ct_report *rp);
/* Aggregate the frames of in through f.  0 or -errno. */
int ct_report_collect(struct ct_report *rp, struct ct_view_input *in,
		      const struct ct_view_filter *f);
/*
 * The view ct_report_collect() runs, for a caller with events rather than
 * a file (`trace -c`, output/summary.c): feed it (ct_view_feed), end it
 * (ct_view_finish) before printing, free it.  The rows keep the calls'
 * string pointers as keys and names: the caller gives one pointer per
 * distinct string, valid as long as rp.  NULL with errno.
 */
struct ct_view *ct_report_view_new(struct ct_report *rp, const struct ct_view_filter *f);
/* Rows in the order of the sort key; valid until ct_report_free().  Their
 * strings are the reader's: print before closing it. */
size_t ct_report_rows(struct ct_report *rp, const struct ct_report_row *const **rows);
/* The table.  0 or -errno writing it. */
int ct_report_print(struct ct_report *rp, FILE *out);

/* calltrap dump */
enum ct_dump_format { CT_DUMP_JSONL, CT_DUMP_CHROME, CT_DUMP_FOLDED, CT_DUMP_SVG, CT_DUMP_PERFETTO };
int ct_dump_format_parse(const char *s, enum ct_dump_format *fmt);

struct ct_dump_opts {
	enum ct_dump_format format;
	bool no_regs;     /* jsonl: leave register snapshots out */
	bool per_thread;  /* folded, svg: a root frame per thread */
	const char *title; /* svg: NULL for "calltrap flame graph" */
	const struct ct_trace_info *info; /* process names (chrome, perfetto), subtitle (svg) */
	unsigned max_interned; /* perfetto: strings interned before a reset; 0: the default */
};

int ct_dump(struct ct_view_input *in, const struct ct_view_filter *f,
	    const struct ct_dump_opts *o, FILE *out);

/* The window ct_view_input_new() needs for ct_dump() with o and f: the
 * formats that write a frame when it begins decide --min-duration there. */
unsigned ct_dump_window(const struct ct_dump_opts *o, const struct ct_view_filter *f);

/* The format writes binary (not for a terminal). */
bool ct_dump_binary(enum ct_dump_format fmt);

#endif
