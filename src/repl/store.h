/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The REPL's events: one trace file, navigated without holding its events
 * in memory.
 *
 * The file is indexed once (ct_trace_reader_build_index: chunk offsets and
 * first sequence numbers); an event is found by its seq through the index
 * and decoded with the chunk around it, which a two-slot cache keeps.  The
 * filter (the same struct and semantics as `calltrap replay --func ...`)
 * is evaluated in one pass through the view machinery into a bitmap over
 * seq: bit (seq - first seq) is set when the event is visible.  Memory is
 * the index, the bitmap (one bit per event) and two decoded chunks (at most
 * CT_STORE_WINDOW events each), never proportional to the events beyond
 * that bit.
 *
 * Events are numbered by their recorded seq (the first need not be 0, and
 * there may be gaps where events were lost or chunks damaged).  Every
 * pointer into an event returned here (the event, its strings, its
 * registers) stays valid until the next call on the store, except the
 * strings, which live until ct_store_refresh() or ct_store_free().
 */
#ifndef CT_REPL_STORE_H
#define CT_REPL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/event.h"
#include "trace/tracefile.h"
#include "view/view.h"

struct ct_store;

/* Most events one cache slot decodes from a chunk (chunks are usually smaller). */
#define CT_STORE_WINDOW 16384u

/*
 * A store over the trace file on fd, which is dup'ed (the caller keeps and
 * closes its own).  name is for messages.  live: the file is being written
 * (no END chunk yet, perhaps not even a header: then the store is empty
 * until ct_store_refresh() finds one).  NULL with errno and a one-line
 * message (no file name) in err: the reader's (bad magic, version, I/O...),
 * or "sequence numbers too sparse to index" (EFBIG).
 */
struct ct_store *ct_store_open(int fd, const char *name, bool live, char *err, size_t errlen);
/* The same, its events naming C++ functions as demangle says (ct_store_open:
 * CT_DEMANGLE_SHORT, ct_trace_reader_set_names). */
struct ct_store *ct_store_open_as(int fd, const char *name, bool live, enum ct_demangle demangle,
				  char *err, size_t errlen);
void ct_store_free(struct ct_store *st);

/*
 * The file has grown: take in the new whole chunks (the reader and its
 * index are rebuilt, and the filter is evaluated again over every event).
 * The cursor and the filter are kept.  0 (also when nothing changed) or
 * -errno (errno set too; ct_store_error() has the message), the store left
 * as it was.  Strings of events obtained before
 * are no longer valid afterwards.
 */
int ct_store_refresh(struct ct_store *st);

/* One line (no file name) on the last failure of ct_store_refresh(),
 * ct_store_set_filter() or ct_store_save(): the reader's message or strerror. */
const char *ct_store_error(const struct ct_store *st);

/* The writer finished (END chunk) or not: whether the lack of an END chunk
 * is worth a warning.  */
void ct_store_set_live(struct ct_store *st, bool live);

const char *ct_store_name(const struct ct_store *st);
/* The file's header (arch, pid, command line); NULL while a live file has none. */
const struct ct_trace_info *ct_store_info(const struct ct_store *st);

/* Events in the file's intact chunks, visible or not. */
uint64_t ct_store_nr_events(const struct ct_store *st);
/* Events the filter lets through (all of them without a filter). */
uint64_t ct_store_nr_visible(const struct ct_store *st);

/*
 * What is wrong with the file, in one line without the file name (see
 * ct_view_problems_line): damaged chunks, events lost by the recorder,
 * bytes after the END chunk and, unless live, truncation or a missing END
 * chunk.  false if nothing.  *error: bytes of the file were lost (a damaged
 * chunk, or a truncated one unless live), rather than a warning.
 */
bool ct_store_problems(const struct ct_store *st, char *buf, size_t size, bool *error);

/* Each distinct function name of the file's events (the first call scans
 * the file once; later ones use what it found). */
typedef void (*ct_store_name_cb)(void *ctx, const char *name);
void ct_store_names(struct ct_store *st, ct_store_name_cb cb, void *ctx);

/* ---- filter ---- */

/* The current filter (ct_view_filter_init's when there is none). */
const struct ct_view_filter *ct_store_filter(const struct ct_store *st);

/*
 * Make f the filter (its strings are copied) and evaluate it over the
 * file.  The cursor stays where it is, even on an event now hidden.
 * 0 or -errno (ENOMEM, I/O), the previous filter kept.
 */
int ct_store_set_filter(struct ct_store *st, const struct ct_view_filter *f);

/* The filter as `filter` words ("func=main tid=12 depth<=2 dur>=1ms"),
 * "" without one.  Returns buf. */
char *ct_store_filter_string(const struct ct_view_filter *f, char *buf, size_t size);

/* Is the event numbered seq visible? */
bool ct_store_visible(const struct ct_store *st, uint64_t seq);

/* The first visible seq >= from / the last visible seq < before: true and
 * *seq, or false when there is none. */
bool ct_store_next_visible(const struct ct_store *st, uint64_t from, uint64_t *seq);
bool ct_store_prev_visible(const struct ct_store *st, uint64_t before, uint64_t *seq);

/* ---- events ---- */

/* The event numbered seq, visible or not: 0 and *ev, -ENOENT if the file
 * has none (a gap), or -errno reading it. */
int ct_store_event(struct ct_store *st, uint64_t seq, const struct ct_event **ev);

/*
 * Each event from seq `from` on (visible ones only, or all), in file
 * order, until fn returns non-zero.  Returns that value, 0 at the end, or
 * -errno reading the file.  ev is valid during the call only, and fn must
 * not call the store (the scan reads through the store's reader).
 */
typedef int (*ct_store_scan_fn)(void *ctx, const struct ct_event *ev);
int ct_store_scan(struct ct_store *st, uint64_t from, bool visible_only, ct_store_scan_fn fn,
		  void *ctx);

/*
 * The event where the frame ends that `finish` leaves: for a call, its
 * return or unwind (same thread, depth and function); for a return or
 * unwind at depth d, that of the enclosing frame (depth d - 1); for any
 * other event, that of the frame open on its thread.  Visible or not.
 * 0 and *seq; -ENOENT: the frame has no end in the file (still open, or
 * its end was lost: *seq is then the event that shows it ended, if any,
 * else UINT64_MAX); -EDOM: nothing encloses the event (outermost return,
 * or a thread event outside any frame); -errno.
 */
int ct_store_frame_end(struct ct_store *st, uint64_t seq, uint64_t *end);

/*
 * An input over the store's events for the view consumers (ct_replay,
 * ct_report_collect, ct_dump), from the first event, as ct_view_input_new()
 * makes it.  It reads through the store's reader: free it before the next
 * call on the store.  NULL with errno (ENODATA: a live file without a
 * header yet, ENOMEM).
 */
struct ct_view_input *ct_store_input(struct ct_store *st, uint64_t since_ns, uint64_t until_ns,
				     unsigned window);

/*
 * Write every event of the file (visible or not, with the recorder's lost
 * records) as a complete trace at path, with the file's header: first to
 * a temporary (util/outfile.h), renamed over path once complete.  *events:
 * how many were written.  0 or -errno (path left as it was).
 */
int ct_store_save(struct ct_store *st, const char *path, uint64_t *events);

/* ---- cursor ---- */

/* The current event: true and *seq, false before the first move. */
bool ct_store_cursor(const struct ct_store *st, uint64_t *seq);

/* Put the cursor on seq: 0, -ENOENT (no such event), -EACCES (hidden by
 * the filter), -errno. */
int ct_store_goto(struct ct_store *st, uint64_t seq);

/*
 * Move by up to n visible events (next: forward, prev: back).  Without a
 * cursor, next starts at the first visible event and prev at the last
 * (that is the first step).  Returns the steps taken (less than n at an
 * end; 0: nothing there, the cursor unchanged).
 */
uint64_t ct_store_next(struct ct_store *st, uint64_t n);
uint64_t ct_store_prev(struct ct_store *st, uint64_t n);

/* Where the next `events` listing starts: after the last listing, or (when
 * the cursor moved or the filter changed since) at the cursor.  false when
 * neither is set (then the listing starts at the first visible event). */
bool ct_store_list_pos(const struct ct_store *st, uint64_t *seq);
void ct_store_set_list_pos(struct ct_store *st, uint64_t seq);

#endif
