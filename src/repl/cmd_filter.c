/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The REPL's `filter`: the words that narrow what every event command
 * sees (func=, tid=, depth<=, dur>=, since=, until=), the same filters as
 * `calltrap replay` takes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/cmd_events.h"
#include "repl/store.h"

/* The words of `filter`: KEY OP VALUE, and the filter each sets. */
static const struct {
	const char *key, *op, *name;
} filter_words[] = {
	{ "func", "=", "func" },
	{ "tid", "=", "tid" },
	{ "depth", "<=", "max-depth" },
	{ "max-depth", "=", "max-depth" },
	{ "dur", ">=", "min-duration" },
	{ "min-duration", "=", "min-duration" },
	{ "since", "=", "since" },
	{ "since", ">=", "since" },
	{ "until", "=", "until" },
	{ "until", "<=", "until" },
};

#define NR_FILTER_WORDS (sizeof(filter_words) / sizeof(filter_words[0]))

static int filter_word(struct ct_repl *r, struct ct_view_filter *f, const char *w)
{
	size_t klen = strcspn(w, "<>="), olen, i;
	bool known = false;
	char why[200];

	olen = w[klen] == '=' ? 1 : w[klen] && w[klen + 1] == '=' ? 2 : 0;
	for (i = 0; i < NR_FILTER_WORDS; i++) {
		if (strlen(filter_words[i].key) != klen || strncmp(w, filter_words[i].key, klen))
			continue;
		known = true;
		if (!olen || strlen(filter_words[i].op) != olen ||
		    strncmp(w + klen, filter_words[i].op, olen))
			continue;
		if (ct_view_filter_set(f, filter_words[i].name, w + klen + olen, why, sizeof(why)))
			return ct_repl_error(r, "filter: %s", why);
		return 0;
	}
	if (known)
		return ct_repl_error(r, "filter: '%s': %.*s takes %s", w, (int)klen, w,
				     !strncmp(w, "depth", klen) ? "<=N"
				     : !strncmp(w, "dur", klen) ? ">=TIME"
								: "=VALUE");
	return ct_repl_error(r, "filter: '%s' is not KEY=VALUE with KEY func, tid, depth<=, "
				"dur>=, since or until",
			     w);
}

/* `filter clear KEY`: the names of what KEY sets */
static int filter_clear(struct ct_repl *r, struct ct_view_filter *f, const char *key)
{
	if (!strcmp(key, "func"))
		f->nr_funcs = 0;
	else if (!strcmp(key, "tid"))
		f->nr_tids = 0;
	else if (!strcmp(key, "depth") || !strcmp(key, "max-depth"))
		f->max_depth = 0;
	else if (!strcmp(key, "dur") || !strcmp(key, "min-duration"))
		f->min_duration_ns = 0;
	else if (!strcmp(key, "since"))
		f->since_ns = 0;
	else if (!strcmp(key, "until"))
		f->until_ns = UINT64_MAX;
	else
		return ct_repl_error(r, "filter: cannot clear '%s' (func, tid, depth, dur, since "
					"or until)",
				     key);
	return 0;
}

static void filter_show(struct ct_repl *r, struct ct_store *st)
{
	const struct ct_view_filter *f = ct_store_filter(st);
	char buf[4096];

	if (!ct_view_filter_active(f)) {
		fprintf(ct_repl_out(r), "no filter: %llu events\n",
			(unsigned long long)ct_store_nr_events(st));
		return;
	}
	fprintf(ct_repl_out(r), "filter %s: %llu of %llu events\n",
		ct_store_filter_string(f, buf, sizeof(buf)),
		(unsigned long long)ct_store_nr_visible(st),
		(unsigned long long)ct_store_nr_events(st));
}

int ct_repl_cmd_filter(struct ct_repl *r, int argc, char **argv)
{
	struct ct_view_filter f;
	struct ct_store *st;
	int i;

	st = ct_repl_store(r);
	if (!st)
		return -1;
	f = *ct_store_filter(st);
	if (argc == 1) {
		filter_show(r, st);
		return 0;
	}
	if (!strcmp(argv[1], "clear")) {
		if (argc == 2)
			ct_view_filter_init(&f);
		for (i = 2; i < argc; i++)
			if (filter_clear(r, &f, argv[i]))
				return -1;
	} else {
		for (i = 1; i < argc; i++)
			if (filter_word(r, &f, argv[i]))
				return -1;
	}
	if (ct_store_set_filter(st, &f))
		return ct_repl_error(r, "filter: %s", ct_store_error(st));
	filter_show(r, st);
	return 0;
}
