/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events to frames.  Each thread has a stack of the frames it has open, as
 * the recorder's shadow stack had them: a call pushes, the return or unwind
 * of the same depth and function pops.  Where the file disagrees with the
 * stack (events lost, a chunk skipped, a window starting mid-run), the
 * recorded depth decides: a call at depth d ends every frame at depth >= d,
 * a return at depth d every frame deeper than d (CT_VIEW_CUT), and a return
 * with no frame of its own (its call came before the window) is ignored.
 *
 * Filters decide at the call whether a frame is shown: its thread (--tid),
 * whether it lies in the subtree of a --func match, its level (--max-depth,
 * counted from the outermost frame of the view or the --func match).
 * --min-duration is decided at the call when the consumer can tell (admit,
 * with lookahead), otherwise when the frame ends: a frame is never shorter
 * than its callees, so a shown frame's shown ancestors are shown too and
 * the decision is the same either way.  A hidden frame's time counts as its
 * closest shown ancestor's self time, as an untraced callee's would.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util/hashmap.h"
#include "view/view.h"

/* Values of the match cache; NULL means "not looked up yet". */
#define MATCH_NO ((void *)1)
#define MATCH_YES ((void *)2)

struct thread_priv {
	struct ct_view_thread pub;
	bool skip; /* --tid left it out */
};

struct ct_view {
	struct ct_view_filter f;
	struct ct_view_ops ops;
	void *ctx;
	unsigned flags;
	bool late_min; /* --min-duration decided when frames end */

	struct ct_hashmap threads; /* (pid << 32 | tid) -> struct thread_priv */
	struct thread_priv *last;  /* the previous event's thread */
	struct ct_view_thread **list;
	unsigned nr, cap;

	struct ct_hashmap match; /* func string -> MATCH_NO | MATCH_YES */
};

struct ct_view *ct_view_new(const struct ct_view_filter *f, const struct ct_view_ops *ops,
			    void *ctx, unsigned flags)
{
	struct ct_view *v;

	if (!f || !ops) {
		errno = EINVAL;
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->f = *f;
	v->ops = *ops;
	v->ctx = ctx;
	v->flags = flags;
	v->late_min = f->min_duration_ns && !ops->admit;
	ct_hashmap_init(&v->threads);
	ct_hashmap_init(&v->match);
	return v;
}

void ct_view_free(struct ct_view *v)
{
	unsigned i;
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!v)
		return;
	/* threads left out by --tid are in the map only */
	while (ct_hashmap_next(&v->threads, &it, &key, &val)) {
		struct thread_priv *tp = val;

		if (tp->skip)
			free(tp);
	}
	for (i = 0; i < v->nr; i++) {
		free(v->list[i]->frames);
		free(v->list[i]);
	}
	free(v->list);
	ct_hashmap_fini(&v->threads);
	ct_hashmap_fini(&v->match);
	free(v);
}

unsigned ct_view_nr_threads(const struct ct_view *v)
{
	return v->nr;
}

struct ct_view_thread *ct_view_thread_at(const struct ct_view *v, unsigned i)
{
	return i < v->nr ? v->list[i] : NULL;
}

static bool tid_wanted(const struct ct_view *v, pid_t tid)
{
	unsigned i;

	if (!v->f.nr_tids)
		return true;
	for (i = 0; i < v->f.nr_tids; i++)
		if (v->f.tids[i] == tid)
			return true;
	return false;
}

/* The thread of (pid, tid), created on first sight; NULL with *err = 0 if
 * --tid leaves it out. */
static struct ct_view_thread *get_thread(struct ct_view *v, pid_t pid, pid_t tid, int *err)
{
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
	struct thread_priv *tp = v->last;

	*err = 0;
	if (!tp || tp->pub.tid != tid || tp->pub.pid != pid) {
		tp = ct_hashmap_get(&v->threads, key);
		if (!tp) {
			tp = calloc(1, sizeof(*tp));
			if (!tp) {
				*err = -ENOMEM;
				return NULL;
			}
			tp->pub.pid = pid;
			tp->pub.tid = tid;
			tp->skip = !tid_wanted(v, tid);
			if (ct_hashmap_put(&v->threads, key, tp) < 0) {
				free(tp);
				*err = -ENOMEM;
				return NULL;
			}
			if (!tp->skip) {
				if (v->nr == v->cap) {
					unsigned cap = v->cap ? 2 * v->cap : 16;
					struct ct_view_thread **l;

					l = realloc(v->list, cap * sizeof(*l));
					if (!l) {
						*err = -ENOMEM;
						tp->skip = true;
						return NULL;
					}
					v->list = l;
					v->cap = cap;
				}
				tp->pub.index = v->nr;
				v->list[v->nr++] = &tp->pub;
			}
		}
		v->last = tp;
	}
	return tp->skip ? NULL : &tp->pub;
}

/* Does a --func glob match the function, by its name or by the label views
 * show for it (what the user sees)?  The label goes with the name, so the
 * name is the key. */
static bool func_matches(struct ct_view *v, const char *func, const char *label)
{
	void *m;
	unsigned i;

	if (!func)
		return false;
	m = ct_hashmap_get(&v->match, (uint64_t)(uintptr_t)func);
	if (!m) {
		m = MATCH_NO;
		for (i = 0; i < v->f.nr_funcs; i++) {
			if (!fnmatch(v->f.funcs[i], func, 0) ||
			    (label && !fnmatch(v->f.funcs[i], label, 0))) {
				m = MATCH_YES;
				break;
			}
		}
		/* a full cache only costs the fnmatch again */
		(void)ct_hashmap_put(&v->match, (uint64_t)(uintptr_t)func, m);
	}
	return m == MATCH_YES;
}

static uint64_t elapsed(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

/* End the top frame of t. */
static int pop(struct ct_view *v, struct ct_view_thread *t, const struct ct_event *ev,
	       enum ct_view_end how, uint64_t end_ts)
{
	struct ct_view_frame *f = &t->frames[t->nr - 1];
	uint64_t dur = ev ? ev->duration_ns : elapsed(f->ts, end_ts);
	int rc = 0;

	if (f->shown && !(v->late_min && dur < v->f.min_duration_ns)) {
		if (v->ops.exit)
			rc = v->ops.exit(v->ctx, t, f, ev, how, dur);
		if (f->up >= 0)
			t->frames[f->up].child_ns += dur;
	}
	t->nr--;
	return rc;
}

/* End every frame of t deeper than or at depth (from the top). */
static int cut_to(struct ct_view *v, struct ct_view_thread *t, uint64_t depth, uint64_t ts)
{
	int rc;

	while (t->nr && t->frames[t->nr - 1].depth >= depth) {
		rc = pop(v, t, NULL, CT_VIEW_CUT, ts);
		if (rc)
			return rc;
	}
	return 0;
}

static int on_call(struct ct_view *v, struct ct_view_thread *t, const struct ct_event *ev)
{
	struct ct_view_frame *f, *parent;
	int rc;

	rc = cut_to(v, t, ev->depth, ev->ts_ns);
	if (rc)
		return rc;
	if (t->nr == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 32;
		struct ct_view_frame *fr = realloc(t->frames, cap * sizeof(*fr));

		if (!fr)
			return -ENOMEM;
		t->frames = fr;
		t->cap = cap;
	}
	parent = t->nr ? &t->frames[t->nr - 1] : NULL;
	f = &t->frames[t->nr];
	f->func = ev->func;
	f->label = ev->label;
	f->module = ev->module;
	f->addr = ev->addr;
	f->src_file = ev->src_file;
	f->src_line = ev->src_line;
	f->seq = ev->seq;
	f->ts = ev->ts_ns;
	f->depth = ev->depth;
	f->child_ns = 0;
	f->user = NULL;
	if (!v->f.nr_funcs) {
		f->in_func = true;
		f->level = parent ? parent->level + 1 : 1;
	} else if (parent && parent->in_func) {
		f->in_func = true;
		f->level = parent->level + 1;
	} else {
		f->in_func = func_matches(v, ev->func, ev->label);
		f->level = f->in_func ? 1 : 0;
	}
	f->hide_below = parent && parent->hide_below;
	f->shown = f->in_func && !f->hide_below && (!v->f.max_depth || f->level <= v->f.max_depth);
	f->up = !parent ? -1 : parent->shown ? (int)(t->nr - 1) : parent->up;
	if (v->flags & CT_VIEW_ARGS) {
		f->nr_args = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;
		memcpy(f->args, ev->args, sizeof(f->args));
	} else {
		f->nr_args = 0;
	}
	t->nr++;

	if (f->shown && v->f.min_duration_ns && v->ops.admit && !v->ops.admit(v->ctx, t, ev)) {
		f->shown = false;
		f->hide_below = true;
	}
	if (f->shown && !v->late_min && v->ops.enter)
		return v->ops.enter(v->ctx, t, f, ev);
	return 0;
}

static int on_close(struct ct_view *v, struct ct_view_thread *t, const struct ct_event *ev)
{
	struct ct_view_frame *top;
	int rc;

	rc = cut_to(v, t, (uint64_t)ev->depth + 1, ev->ts_ns);
	if (rc || !t->nr)
		return rc;
	top = &t->frames[t->nr - 1];
	if (top->depth != ev->depth)
		return 0; /* the frame's call is not in the view */
	if (top->addr != ev->addr) {
		/* another function's frame at this depth: ours ended unseen */
		return pop(v, t, NULL, CT_VIEW_CUT, ev->ts_ns);
	}
	return pop(v, t, ev, ev->type == CT_EV_RETURN ? CT_VIEW_RETURN : CT_VIEW_UNWIND, ev->ts_ns);
}

static int on_other(struct ct_view *v, struct ct_view_thread *t, const struct ct_event *ev)
{
	bool shown = !v->f.nr_funcs || (t->nr && t->frames[t->nr - 1].in_func);
	int rc;

	/* the recorder unwinds a leaving thread's frames first; any left are cut */
	if (ev->type == CT_EV_THREAD_EXIT || ev->type == CT_EV_EXIT) {
		rc = cut_to(v, t, 0, ev->ts_ns);
		if (rc)
			return rc;
	}
	if (shown && v->ops.event)
		return v->ops.event(v->ctx, t, ev);
	return 0;
}

int ct_view_feed(struct ct_view *v, const struct ct_event *ev)
{
	struct ct_view_thread *t;
	int err;

	t = get_thread(v, ev->pid, ev->tid, &err);
	if (!t)
		return err;
	switch (ev->type) {
	case CT_EV_CALL:
		return on_call(v, t, ev);
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		return on_close(v, t, ev);
	default:
		return on_other(v, t, ev);
	}
}

int ct_view_feed_lost(struct ct_view *v, const struct ct_trace_lost *lost)
{
	struct ct_view_thread *t;
	int err;

	t = get_thread(v, lost->pid, lost->tid, &err);
	if (!t)
		return err;
	/* with --func, like the other events: where the subtrees are */
	if (v->f.nr_funcs && !(t->nr && t->frames[t->nr - 1].in_func))
		return 0;
	if (v->ops.lost)
		return v->ops.lost(v->ctx, t, lost->count);
	return 0;
}

int ct_view_finish(struct ct_view *v, uint64_t end_ts)
{
	unsigned i;
	int rc;

	for (i = 0; i < v->nr; i++) {
		struct ct_view_thread *t = v->list[i];

		while (t->nr) {
			rc = pop(v, t, NULL, CT_VIEW_OPEN, end_ts);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int ct_view_run(struct ct_view *v, struct ct_view_input *in)
{
	const struct ct_view_rec *rec;
	int rc, frc;

	while ((rc = ct_view_input_next(in, &rec)) == 1) {
		if (rec->kind == CT_TRACE_EVENT)
			rc = ct_view_feed(v, &rec->ev);
		else
			rc = ct_view_feed_lost(v, &rec->lost);
		if (rc)
			return rc;
	}
	/* an I/O error: what was read still counts */
	frc = ct_view_finish(v, ct_view_input_last_ts(in));
	return rc ? rc : frc;
}

const char *ct_view_main_name(const struct ct_trace_info *info, pid_t pid)
{
	const char *slash;

	if (!info || info->pid != pid || !info->argc || !info->argv[0])
		return NULL;
	slash = strrchr(info->argv[0], '/');
	return slash ? slash + 1 : info->argv[0];
}

const char *ct_view_end_name(enum ct_view_end how)
{
	static const char *const names[] = {
		[CT_VIEW_RETURN] = "return",
		[CT_VIEW_UNWIND] = "unwind",
		[CT_VIEW_CUT] = "not recorded",
		[CT_VIEW_OPEN] = "open at the end of the trace",
	};

	return (unsigned)how < sizeof(names) / sizeof(names[0]) ? names[how] : "?";
}
