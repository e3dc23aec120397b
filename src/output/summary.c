/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap trace -c`: a summary instead of a stream, as strace -c and
 * ltrace -c print.  No event is written: the calls and returns go, as they
 * arrive, into the per-function statistics of `calltrap report`
 * (view/report.c, through the same frame view, so self time, recursion,
 * unwinds, tail calls and frames still open are counted as report counts
 * them), and ending the output prints report's table.
 *
 * The report keys its rows by string pointer, one per distinct string, as
 * a trace reader gives them.  Live events do not: a function's name belongs
 * to its module, which a dlclose or an exec frees, and each followed child
 * has modules of its own.  So the strings of each call are interned here
 * (copied once per distinct content, kept until the output is freed):
 * memory grows with the number of distinct functions and threads, never
 * with the number of events.  Returns and unwinds are fed as they are: the
 * view matches them to their call by depth and address and names the frame
 * by its call.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/internal.h"
#include "view/view.h"

/* A set of strings, open addressing; cap is a power of two or 0. */
struct names {
	char **slot;
	size_t cap, n;
};

struct ct_summary {
	struct ct_view_filter filter; /* none: the view keeps a copy, made here */
	struct ct_report *report;
	struct ct_view *view;
	struct names names;
	uint64_t last_ts; /* the latest event: frames still open end there */
	bool ended;
};

static size_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return (size_t)(h ^ (h >> 32));
}

static int names_grow(struct names *t)
{
	size_t cap = t->cap ? 2 * t->cap : 256, i, j;
	char **slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		if (!t->slot[i])
			continue;
		for (j = hash_str(t->slot[i]) & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

/* The set's copy of s (NULL for NULL), added if new.  0 or -ENOMEM. */
static int intern(struct names *t, const char *s, const char **out)
{
	size_t j;
	int err;

	*out = NULL;
	if (!s)
		return 0;
	if ((t->n + 1) * 2 > t->cap && (err = names_grow(t)) < 0)
		return err;
	for (j = hash_str(s) & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1)) {
		if (!strcmp(t->slot[j], s)) {
			*out = t->slot[j];
			return 0;
		}
	}
	t->slot[j] = strdup(s);
	if (!t->slot[j])
		return -ENOMEM;
	t->n++;
	*out = t->slot[j];
	return 0;
}

static void names_fini(struct names *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
}

static int summary_begin(CT_UNUSED struct ct_output *o)
{
	return 0;
}

static int summary_event(struct ct_output *o, const struct ct_event *ev)
{
	struct ct_summary *sm = o->summary;
	struct ct_event call;
	int err;

	if (sm->ended)
		return 0;
	if (ev->ts_ns > sm->last_ts)
		sm->last_ts = ev->ts_ns;
	if (ev->type != CT_EV_CALL)
		return ct_view_feed(sm->view, ev);
	/* only what the view keeps of a call, with strings that last */
	call = *ev;
	call.nr_named = 0;
	call.named = NULL;
	call.ret_text = NULL;
	call.regs = NULL;
	if ((err = intern(&sm->names, ev->func, &call.func)) < 0 ||
	    (err = intern(&sm->names, ev->label, &call.label)) < 0 ||
	    (err = intern(&sm->names, ev->module, &call.module)) < 0 ||
	    (err = intern(&sm->names, ev->src_file, &call.src_file)) < 0)
		return err;
	return ct_view_feed(sm->view, &call);
}

static int summary_nothing(CT_UNUSED struct ct_output *o)
{
	return 0;
}

/* The table, once: frames still open end at the latest event, as in a
 * report of the same events recorded. */
static int summary_end(struct ct_output *o)
{
	struct ct_summary *sm = o->summary;
	int err;

	if (sm->ended)
		return 0;
	sm->ended = true;
	err = ct_view_finish(sm->view, sm->last_ts);
	if (err)
		return err;
	errno = 0;
	err = ct_report_print(sm->report, o->fp);
	if (fflush(o->fp) && !err)
		err = errno > 0 ? -errno : -EIO;
	return err;
}

static void summary_free(struct ct_output *o)
{
	struct ct_summary *sm = o->summary;

	if (!sm)
		return;
	ct_view_free(sm->view);
	ct_report_free(sm->report);
	names_fini(&sm->names);
	free(sm);
	o->summary = NULL;
}

static const struct ct_output_ops summary_ops = {
	.begin = summary_begin,
	.event = summary_event,
	.idle = summary_nothing,
	.end = summary_end,
	.flush = summary_nothing,
	.free = summary_free,
};

struct ct_output *ct_output_new_summary(FILE *fp, const struct ct_report_opts *ro)
{
	struct ct_summary *sm;
	struct ct_output *o;

	if (!fp || !ro) {
		errno = EINVAL;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->ops = &summary_ops;
	o->fp = fp;
	o->fd = -1;
	sm = calloc(1, sizeof(*sm));
	o->summary = sm;
	if (!sm)
		goto fail;
	ct_view_filter_init(&sm->filter);
	sm->report = ct_report_new(ro);
	if (!sm->report)
		goto fail;
	sm->view = ct_report_view_new(sm->report, &sm->filter);
	if (!sm->view)
		goto fail;
	return o;
fail:
	ct_output_free(o);
	errno = ENOMEM;
	return NULL;
}
