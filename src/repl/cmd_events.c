/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands over the recorded events: listing, moving the cursor,
 * registers.  The filter is in cmd_filter.c, the views and files (replay,
 * report, dump, save, load) in cmd_views.c; this file holds the table of
 * them all.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "repl/cmd_events.h"
#include "repl/store.h"
#include "util/hashmap.h"

#define EVENTS_DEFAULT 20 /* lines of `events` and of the `find` listing */

bool ct_repl_parse_u64(const char *s, bool hash, uint64_t *v)
{
	uint64_t n = 0;

	if (hash && *s == '#')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return true;
}

/* N >= 1 */
static bool parse_count(const char *s, uint64_t *n)
{
	return ct_repl_parse_u64(s, false, n) && *n > 0;
}

int ct_repl_print_event(struct ct_repl *r, const struct ct_event *ev, unsigned flags)
{
	char buf[1024], prefix[32], *p = buf, *nl;
	size_t n;
	int plen;

	n = ct_text_format(ev, flags, buf, sizeof(buf));
	if (n >= sizeof(buf)) {
		p = malloc(n + 1);
		if (!p)
			return ct_repl_error(r, "%s", strerror(ENOMEM));
		ct_text_format(ev, flags, p, n + 1);
	}
	plen = snprintf(prefix, sizeof(prefix), "#%llu ", (unsigned long long)ev->seq);
	/* the register line stays aligned under the event text */
	nl = strchr(p, '\n');
	if (nl)
		fprintf(ct_repl_out(r), "%s%.*s\n%*s%s\n", prefix, (int)(nl - p), p, plen, "",
			nl + 1);
	else
		fprintf(ct_repl_out(r), "%s%s\n", prefix, p);
	if (p != buf)
		free(p);
	return 0;
}

/* The event at the cursor, printed; -1 if there is none. */
static int show_cursor(struct ct_repl *r, struct ct_store *st, unsigned flags)
{
	const struct ct_event *ev;
	uint64_t seq;
	int rc;

	if (!ct_store_cursor(st, &seq))
		return ct_repl_error(r, "no current event: 'goto N', 'next' or 'find FUNC' first");
	rc = ct_store_event(st, seq, &ev);
	if (rc)
		return ct_repl_error(r, "event #%llu: %s", (unsigned long long)seq,
				     rc == -ENOENT ? "not in the trace" : strerror(-rc));
	return ct_repl_print_event(r, ev, flags);
}

/* ---- events ---- */

static int cmd_events(struct ct_repl *r, int argc, char **argv)
{
	struct ct_store *st;
	const struct ct_event *ev;
	uint64_t n = EVENTS_DEFAULT, from = 0, seq, shown = 0;
	bool all = false;
	int rc;

	if (argc > 2)
		return ct_repl_error(r, "usage: events [N | all]");
	if (argc == 2) {
		if (!strcmp(argv[1], "all"))
			all = true;
		else if (!parse_count(argv[1], &n))
			return ct_repl_error(r, "events: invalid count '%s' (a number >= 1, or "
						"all)",
					     argv[1]);
	}
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!all)
		ct_store_list_pos(st, &from);
	if (!ct_store_next_visible(st, from, &seq)) {
		if (!ct_store_nr_visible(st))
			fprintf(ct_repl_out(r), "no events%s\n",
				ct_store_nr_events(st) ? " pass the filter" : "");
		else
			fprintf(ct_repl_out(r), "no more events\n");
		return 0;
	}
	for (;;) {
		rc = ct_store_event(st, seq, &ev);
		if (rc)
			return ct_repl_error(r, "event #%llu: %s", (unsigned long long)seq,
					     strerror(-rc));
		if (ct_repl_print_event(r, ev, 0))
			return -1;
		shown++;
		ct_store_set_list_pos(st, seq + 1);
		if ((!all && shown >= n) || !ct_store_next_visible(st, seq + 1, &seq))
			break;
	}
	return 0;
}

/* ---- moving ---- */

static int cmd_goto(struct ct_repl *r, int argc, char **argv)
{
	struct ct_store *st;
	uint64_t seq;
	int rc;

	if (argc != 2)
		return ct_repl_error(r, "usage: goto N | first | last");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!strcmp(argv[1], "first") || !strcmp(argv[1], "last")) {
		bool ok = argv[1][0] == 'f' ? ct_store_next_visible(st, 0, &seq)
					    : ct_store_prev_visible(st, UINT64_MAX, &seq);

		if (!ok)
			return ct_repl_error(r, "goto: no events%s", ct_store_nr_events(st) ?
						" pass the filter" : "");
	} else if (!ct_repl_parse_u64(argv[1], true, &seq)) {
		return ct_repl_error(r, "goto: invalid event number '%s'", argv[1]);
	}
	rc = ct_store_goto(st, seq);
	if (rc == -ENOENT)
		return ct_repl_error(r, "goto: no event #%llu in the trace",
				     (unsigned long long)seq);
	if (rc == -EACCES)
		return ct_repl_error(r, "goto: event #%llu is hidden by the filter ('filter' shows "
					"it)",
				     (unsigned long long)seq);
	if (rc)
		return ct_repl_error(r, "goto: %s", strerror(-rc));
	return show_cursor(r, st, 0);
}

struct call_match {
	const char *glob;
	struct ct_hashmap cache; /* func string -> 1 match, 2 no match */
	uint64_t seq;
};

static bool call_matches(struct call_match *m, const struct ct_event *ev)
{
	uintptr_t v;

	if (ev->type != CT_EV_CALL || !ev->func)
		return false;
	v = (uintptr_t)ct_hashmap_get(&m->cache, (uint64_t)(uintptr_t)ev->func);
	if (!v) {
		/* the name, or the label shown for it */
		bool yes = !fnmatch(m->glob, ev->func, 0) ||
			   (ev->label && !fnmatch(m->glob, ev->label, 0));

		v = yes ? 1 : 2;
		/* a full cache only costs the fnmatch again */
		(void)ct_hashmap_put(&m->cache, (uint64_t)(uintptr_t)ev->func, (void *)v);
	}
	return v == 1;
}

static int first_call(void *ctx, const struct ct_event *ev)
{
	struct call_match *m = ctx;

	if (!call_matches(m, ev))
		return 0;
	m->seq = ev->seq;
	return 1;
}

static int next_call(struct ct_repl *r, struct ct_store *st, const char *glob)
{
	struct call_match m = { .glob = glob };
	uint64_t cur = 0;
	bool have = ct_store_cursor(st, &cur);
	int rc;

	ct_hashmap_init(&m.cache);
	rc = ct_store_scan(st, have ? cur + 1 : 0, true, first_call, &m);
	ct_hashmap_fini(&m.cache);
	if (rc < 0)
		return ct_repl_error(r, "next: %s", strerror(-rc));
	if (!rc) {
		if (have)
			return ct_repl_error(r, "next: no call of '%s' after #%llu", glob,
					     (unsigned long long)cur);
		return ct_repl_error(r, "next: no call of '%s'", glob);
	}
	if (ct_store_goto(st, m.seq))
		return ct_repl_error(r, "next: cannot go to #%llu", (unsigned long long)m.seq);
	return show_cursor(r, st, 0);
}

static int step(struct ct_repl *r, int argc, char **argv, bool forward)
{
	struct ct_store *st;
	uint64_t n = 1, cur;

	if (forward && argc >= 2 && !strcmp(argv[1], "call")) {
		if (argc != 3)
			return ct_repl_error(r, "usage: next call FUNC");
		st = ct_repl_store(r);
		return st ? next_call(r, st, argv[2]) : -1;
	}
	if (argc > 2)
		return ct_repl_error(r, forward ? "usage: next [N] | next call FUNC"
						: "usage: prev [N]");
	if (argc == 2 && !parse_count(argv[1], &n))
		return ct_repl_error(r, "%s: invalid count '%s' (a number >= 1)", argv[0], argv[1]);
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!(forward ? ct_store_next(st, n) : ct_store_prev(st, n))) {
		if (!ct_store_nr_visible(st))
			return ct_repl_error(r, "%s: no events%s", argv[0],
					     ct_store_nr_events(st) ? " pass the filter" : "");
		ct_store_cursor(st, &cur);
		return ct_repl_error(r, "%s: no event %s #%llu", argv[0],
				     forward ? "after" : "before", (unsigned long long)cur);
	}
	return show_cursor(r, st, 0);
}

static int cmd_next(struct ct_repl *r, int argc, char **argv)
{
	return step(r, argc, argv, true);
}

static int cmd_prev(struct ct_repl *r, int argc, char **argv)
{
	return step(r, argc, argv, false);
}

static int cmd_finish(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	struct ct_store *st;
	uint64_t cur, end;
	int rc;

	if (argc != 1)
		return ct_repl_error(r, "usage: finish");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!ct_store_cursor(st, &cur))
		return ct_repl_error(r, "finish: no current event: 'goto N', 'next' or 'find "
					"FUNC' first");
	rc = ct_store_frame_end(st, cur, &end);
	if (rc == -EDOM)
		return ct_repl_error(r, "finish: no traced frame encloses #%llu",
				     (unsigned long long)cur);
	if (rc == -ENOENT && end != UINT64_MAX)
		return ct_repl_error(r, "finish: the frame ended unseen (events lost): #%llu "
					"shows it",
				     (unsigned long long)end);
	if (rc == -ENOENT)
		return ct_repl_error(r, "finish: the frame is still open at the end of the trace");
	if (rc)
		return ct_repl_error(r, "finish: %s", strerror(-rc));
	if (ct_store_goto(st, end))
		return ct_repl_error(r, "finish: the frame ends at #%llu, hidden by the filter",
				     (unsigned long long)end);
	return show_cursor(r, st, 0);
}

struct find {
	struct call_match m;
	struct ct_repl *r;
	uint64_t limit, count;
	uint64_t cur;     /* the cursor */
	bool have_cur;
	uint64_t first;   /* first match */
	uint64_t after;   /* first match after the cursor */
	bool have_after;
	int err;
};

static int find_one(void *ctx, const struct ct_event *ev)
{
	struct find *fd = ctx;

	if (!call_matches(&fd->m, ev))
		return 0;
	if (!fd->count)
		fd->first = ev->seq;
	if (!fd->have_after && (!fd->have_cur || ev->seq > fd->cur)) {
		fd->after = ev->seq;
		fd->have_after = true;
	}
	if (fd->count < fd->limit && ct_repl_print_event(fd->r, ev, 0))
		return -EIO;
	fd->count++;
	return 0;
}

static int cmd_find(struct ct_repl *r, int argc, char **argv)
{
	struct find fd = { .r = r, .limit = EVENTS_DEFAULT };
	struct ct_store *st;
	uint64_t target;
	int rc;

	if (argc < 2 || argc > 3)
		return ct_repl_error(r, "usage: find FUNC [N | all]");
	if (argc == 3) {
		if (!strcmp(argv[2], "all"))
			fd.limit = UINT64_MAX;
		else if (!ct_repl_parse_u64(argv[2], false, &fd.limit))
			return ct_repl_error(r, "find: invalid count '%s' (a number, or all)",
					     argv[2]);
	}
	st = ct_repl_store(r);
	if (!st)
		return -1;
	fd.m.glob = argv[1];
	fd.have_cur = ct_store_cursor(st, &fd.cur);
	ct_hashmap_init(&fd.m.cache);
	rc = ct_store_scan(st, 0, true, find_one, &fd);
	ct_hashmap_fini(&fd.m.cache);
	if (rc < 0)
		return rc == -EIO ? -1 : ct_repl_error(r, "find: %s", strerror(-rc));
	if (!fd.count)
		return ct_repl_error(r, "find: no call of '%s'%s", argv[1],
				     ct_view_filter_active(ct_store_filter(st)) ?
					     " passes the filter" : "");
	if (fd.count > fd.limit)
		fprintf(ct_repl_out(r), "... (%llu more: 'find %s all')\n",
			(unsigned long long)(fd.count - fd.limit), argv[1]);
	/* the first one after the cursor, else around to the first */
	target = fd.have_after ? fd.after : fd.first;
	fprintf(ct_repl_out(r), "%llu call%s of '%s'; at #%llu%s\n", (unsigned long long)fd.count,
		fd.count == 1 ? "" : "s", argv[1], (unsigned long long)target,
		fd.have_after ? "" : " (wrapped around)");
	if (ct_store_goto(st, target))
		return ct_repl_error(r, "find: cannot go to #%llu", (unsigned long long)target);
	return show_cursor(r, st, 0);
}

static int cmd_regs(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	const struct ct_event *ev;
	struct ct_store *st;
	uint64_t cur;
	int rc;

	if (argc != 1)
		return ct_repl_error(r, "usage: regs");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!ct_store_cursor(st, &cur))
		return ct_repl_error(r, "regs: no current event: 'goto N', 'next' or 'find FUNC' "
					"first");
	rc = ct_store_event(st, cur, &ev);
	if (rc)
		return ct_repl_error(r, "regs: event #%llu: %s", (unsigned long long)cur,
				     strerror(-rc));
	if (!ev->regs || !ev->arch)
		return ct_repl_error(r, "no register snapshot in event #%llu (record with --regs)",
				     (unsigned long long)cur);
	return ct_repl_print_event(r, ev, CT_OUT_REGS);
}

/* ---- the table ---- */

#define FILTER_HELP                                                                                \
	"Filter words (KEY OP VALUE, any combination; func= and tid= add to a list):\n"          \
	"  func=GLOB      calls of matching functions and everything they call\n"                  \
	"  tid=TID[,TID]  only these threads\n"                                                    \
	"  depth<=N       only N levels (from the outermost frame, or the func= frame)\n"          \
	"  dur>=TIME      only frames that lasted at least TIME (1.5ms, 200us, 2s)\n"              \
	"  since=TIME     only events at or after TIME from the start of the trace\n"              \
	"  until=TIME     only events at or before TIME from the start\n"                          \
	"max-depth=N and min-duration=TIME are accepted too (the replay options).\n"

const struct ct_repl_cmd ct_repl_event_cmds[] = {
	{ "events", cmd_events, "events [N | all]", "list the next events",
	  "List the next N (default 20) events that pass the filter, from the current\n"
	  "event (or the first one when there is none), one line each: #SEQ and the line\n"
	  "'calltrap trace' prints.  Repeated, 'events' goes on where the last listing\n"
	  "ended (until the cursor moves); 'events all' lists every event from the first.\n"
	  "The cursor does not move.\n"
	  "\nExamples:\n  events\n  events 100\n  events all\n",
	  CT_COMPLETE_NONE },
	{ "filter", ct_repl_cmd_filter, "filter [clear [KEY...] | WORD...]",
	  "show or narrow the events every command sees",
	  "Without words, show the filter and how many events pass it.  With words, add\n"
	  "them to the filter (as 'calltrap replay' options: func= keeps whole subtrees,\n"
	  "process and thread events of the threads shown stay), then show the count.\n"
	  "'filter clear' removes the filter, 'filter clear KEY' one kind of word.  A\n"
	  "bad word changes nothing.\n" FILTER_HELP
	  "\nExamples:\n  filter func=parse_* depth<=3\n  filter tid=4243 dur>=1ms\n"
	  "  filter clear\n",
	  CT_COMPLETE_FUNCTION },
	{ "replay", ct_repl_cmd_replay,
	  "replay [frame] [N] [--no-args] [--per-thread] [--srcline]",
	  "the events as a call tree",
	  "The call tree of the events that pass the filter, as 'calltrap replay' prints\n"
	  "it; with N, only its first N lines.  'replay frame' shows the tree of one\n"
	  "frame: the call at the cursor (or the frame the return or unwind at the cursor\n"
	  "ends), on its thread, its depths counted from it; func= and tid= do not apply.\n"
	  "--srcline ends call lines with the function's /* file:line */ (from DWARF).\n"
	  "\nExamples:\n  replay\n  replay 40\n  replay frame\n  replay --srcline 20\n",
	  CT_COMPLETE_NONE },
	{ "report", ct_repl_cmd_report, "report [--sort=KEY] [--per-thread] [--ns] [--srcline]",
	  "per-function statistics",
	  "Calls, total, self, average, min and max time of each function, through the\n"
	  "filter, as 'calltrap report' prints them.  KEY: total (default), self, calls,\n"
	  "avg, min, max or name.  --srcline adds a Source column (file:line).\n"
	  "\nExamples:\n  report\n  report --sort=self\n  report --srcline\n",
	  CT_COMPLETE_NONE },
	{ "dump", ct_repl_cmd_dump,
	  "dump --format=jsonl|chrome|perfetto|folded|svg [-o FILE] [--no-regs] [--per-thread]",
	  "write the events in another format",
	  "The events that pass the filter as 'calltrap dump' writes them: JSON lines,\n"
	  "Chrome trace JSON, Perfetto's protobuf trace (binary: to a file, or a pipe),\n"
	  "folded stacks or a flame-graph SVG; to FILE, or printed.\n"
	  "\nExamples:\n  dump --format=jsonl\n  dump --format=svg -o flame.svg\n"
	  "  dump --format=perfetto -o t.pftrace\n",
	  CT_COMPLETE_FILE },
	{ "goto", cmd_goto, "goto N | first | last", "make event #N the current one",
	  "Move the cursor to event #N (its seq, as 'events' shows it; '#' optional),\n"
	  "which must pass the filter, or to the first or last event that does.\n"
	  "\nExamples:\n  goto 1234\n  goto #1234\n  goto last\n",
	  CT_COMPLETE_NONE },
	{ "next", cmd_next, "next [N] | next call FUNC", "move forward",
	  "Move the cursor N events (default 1) forward, through the filter, and show\n"
	  "the event; 'next call FUNC' moves to the next call of a function matching the\n"
	  "glob FUNC.\n"
	  "\nExamples:\n  next\n  next 10\n  next call malloc\n",
	  CT_COMPLETE_FUNCTION },
	{ "prev", cmd_prev, "prev [N]", "move back",
	  "Move the cursor N events (default 1) back, through the filter, and show the\n"
	  "event.\n"
	  "\nExamples:\n  prev\n  prev 5\n",
	  CT_COMPLETE_NONE },
	{ "finish", cmd_finish, "finish", "move to where the current frame ends",
	  "From a call, move to its return (or unwind) on the same thread; from any\n"
	  "other event, to the return of the frame that encloses it.\n"
	  "\nExamples:\n  find parse\n  finish\n",
	  CT_COMPLETE_NONE },
	{ "find", cmd_find, "find FUNC [N | all]", "list the calls of a function, go to one",
	  "List the calls of functions matching the glob FUNC that pass the filter (the\n"
	  "first N, default 20), say how many there are, and move the cursor to the\n"
	  "first one after it (from the start again past the last).  Repeat to visit\n"
	  "them in turn.\n"
	  "\nExamples:\n  find malloc\n  find 'parse_*' all\n",
	  CT_COMPLETE_FUNCTION },
	{ "print", ct_repl_cmd_print, "print [ARG]", "the current event, or one of its arguments",
	  "Without ARG, the current event as 'next' shows it.  With ARG, the value of\n"
	  "that argument of the call at the cursor, by its name in the debug information\n"
	  "(as gdb's print shows a variable).\n"
	  "\nExamples:\n  find parse\n  print\n  print len\n",
	  CT_COMPLETE_NONE },
	{ "regs", cmd_regs, "regs", "registers at the current event",
	  "Every general-purpose register of the current event's snapshot, by name (for\n"
	  "the architecture the trace was recorded on).  Only events recorded with\n"
	  "--regs have one.\n"
	  "\nExamples:\n  next call parse\n  regs\n",
	  CT_COMPLETE_NONE },
	{ "save", ct_repl_cmd_save, "save FILE", "write the events to a trace file",
	  "Write every event (all of them, not only those that pass the filter) to FILE\n"
	  "as a complete trace file, which 'calltrap replay FILE' or 'load FILE' reads.\n"
	  "The file is written beside as FILE.tmp and renamed when complete.\n"
	  "\nExamples:\n  save run1.trace\n",
	  CT_COMPLETE_FILE },
	{ "load", ct_repl_cmd_load, "load FILE", "show the events of a trace file",
	  "Open a trace file written by 'calltrap record' or 'save': its events replace\n"
	  "the ones shown, the filter and cursor start afresh.  Not while a program is\n"
	  "traced.  A file that cannot be read leaves the current events as they were.\n"
	  "One that lost bytes (a chunk cut short or damaged) is loaded as far as it is\n"
	  "intact, with a line saying what was lost, and a script then exits with 1.\n"
	  "\nExamples:\n  load calltrap.trace\n",
	  CT_COMPLETE_FILE },
	{ NULL, NULL, NULL, NULL, NULL, CT_COMPLETE_NONE },
};
