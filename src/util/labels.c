/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names a view shows for C++ functions (--demangle=short): each
 * function's short name (cxxname.c), unless another function of the same
 * view would read the same, in which case both get the shortest of the
 * longer forms that tells them apart:
 *
 *	ns::over(long) / ns::over(long, long)            parameters (CT_CXX_PARAMS)
 *	std::vector<int, std::allocator>::size()         one level of template
 *	std::vector<char, std::allocator>::size()        arguments (CT_CXX_TEMPLATE),
 *	then two levels, and so on up to five; when even those are equal, the
 *	whole demangled name.
 *
 * "The same view" is every name added to the table: a live session adds
 * the functions it traces, a trace reader the functions of its file.
 * Names added together (before the next ct_labels_get) are told apart
 * among themselves.  A label, once given, never changes, so that every
 * line of a view names a function the same way (a call and its return,
 * the rows of a report): a name added later that collides with a labelled
 * one gets a longer form, the labelled one keeps its own.  Labels are
 * unique, with one exception that stability forces: a name added later
 * whose whole self is already another name's label ("ns::f", a C name,
 * after "ns::f(int)" was labelled "ns::f") is its own label, the same.
 * Views key their rows by name, so the two stay apart all the same.
 *
 * Names are copied; labels live until ct_labels_free.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cxxname.h"

/* The longest form tried before the whole name: CT_CXX_TEMPLATE + 4, five
 * levels of template arguments. */
#define LAST_LEVEL (CT_CXX_TEMPLATE + 4)

struct lentry {
	uint64_t hash;
	char *name;   /* as added: a demangled name, or any other */
	char *shrt;   /* CT_CXX_SHORT form (== name when they are the same) */
	/* the forms from CT_CXX_PARAMS to LAST_LEVEL, made when needed */
	char *longer[LAST_LEVEL];
	const char *label; /* NULL while pending */
	size_t next;  /* next entry of the same short form, or SIZE_MAX */
};

struct ct_labels {
	struct lentry *v;
	size_t n, cap;
	/* open addressing, entry index + 1 (0: empty) */
	size_t *by_name, *by_short;
	size_t tcap; /* power of two */
	size_t pending;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h ? h : 1;
}

struct ct_labels *ct_labels_new(void)
{
	return calloc(1, sizeof(struct ct_labels));
}

void ct_labels_free(struct ct_labels *l)
{
	size_t i, k;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		for (k = 0; k < LAST_LEVEL; k++)
			free(l->v[i].longer[k]);
		if (l->v[i].shrt != l->v[i].name)
			free(l->v[i].shrt);
		free(l->v[i].name);
	}
	free(l->v);
	free(l->by_name);
	free(l->by_short);
	free(l);
}

static int grow_tables(struct ct_labels *l)
{
	size_t cap = l->tcap ? l->tcap * 2 : 64, i, *bn, *bs;

	bn = calloc(cap, sizeof(*bn));
	bs = calloc(cap, sizeof(*bs));
	if (!bn || !bs) {
		free(bn);
		free(bs);
		return -ENOMEM;
	}
	for (i = 0; i < l->n; i++) {
		size_t j = l->v[i].hash & (cap - 1);

		while (bn[j])
			j = (j + 1) & (cap - 1);
		bn[j] = i + 1;
		/* one slot per short form: the head of its chain, its
		 * first entry */
		j = hash_str(l->v[i].shrt) & (cap - 1);
		while (bs[j] && strcmp(l->v[bs[j] - 1].shrt, l->v[i].shrt))
			j = (j + 1) & (cap - 1);
		if (!bs[j])
			bs[j] = i + 1;
	}
	free(l->by_name);
	free(l->by_short);
	l->by_name = bn;
	l->by_short = bs;
	l->tcap = cap;
	return 0;
}

static struct lentry *find(const struct ct_labels *l, const char *name, uint64_t h)
{
	size_t j;

	if (!l->tcap)
		return NULL;
	for (j = h & (l->tcap - 1); l->by_name[j]; j = (j + 1) & (l->tcap - 1)) {
		struct lentry *e = &l->v[l->by_name[j] - 1];

		if (e->hash == h && !strcmp(e->name, name))
			return e;
	}
	return NULL;
}

/* The first entry of e's short form (its chain), as an index. */
static size_t short_head(const struct ct_labels *l, const char *shrt)
{
	size_t j;

	for (j = hash_str(shrt) & (l->tcap - 1); l->by_short[j]; j = (j + 1) & (l->tcap - 1))
		if (!strcmp(l->v[l->by_short[j] - 1].shrt, shrt))
			return l->by_short[j] - 1;
	return SIZE_MAX;
}

static char *form(const char *full, enum ct_cxx_level level)
{
	size_t n = ct_cxx_name(full, level, NULL, 0);
	char *s = malloc(n + 1);

	if (s)
		ct_cxx_name(full, level, s, n + 1);
	return s;
}

int ct_labels_add(struct ct_labels *l, const char *name)
{
	uint64_t h;
	struct lentry *e;
	size_t head, j;

	if (!name)
		return -EINVAL;
	h = hash_str(name);
	if (find(l, name, h))
		return 0;
	if ((l->n + 1) * 2 > l->tcap && grow_tables(l) < 0)
		return -ENOMEM;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct lentry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->next = SIZE_MAX;
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	e->shrt = form(e->name, CT_CXX_SHORT);
	if (e->shrt && !strcmp(e->shrt, e->name)) {
		free(e->shrt);
		e->shrt = e->name;
	}
	if (!e->shrt) {
		free(e->name);
		return -ENOMEM;
	}
	/* index it: by name, and at the end of its short form's chain */
	for (j = h & (l->tcap - 1); l->by_name[j]; j = (j + 1) & (l->tcap - 1))
		;
	l->by_name[j] = l->n + 1;
	head = short_head(l, e->shrt);
	if (head == SIZE_MAX) {
		for (j = hash_str(e->shrt) & (l->tcap - 1); l->by_short[j];
		     j = (j + 1) & (l->tcap - 1))
			;
		l->by_short[j] = l->n + 1;
	} else {
		while (l->v[head].next != SIZE_MAX)
			head = l->v[head].next;
		l->v[head].next = l->n;
	}
	l->n++;
	l->pending++;
	return 0;
}

/* e's form at level (up to LAST_LEVEL), made once; NULL: ENOMEM. */
static const char *level_form(struct lentry *e, enum ct_cxx_level level)
{
	char **f;

	if (level == CT_CXX_SHORT)
		return e->shrt;
	f = &e->longer[level - CT_CXX_PARAMS];
	if (!*f)
		*f = form(e->name, level);
	return *f;
}

/* Is cand (ei's form at level) another name's label, or that other name's
 * own form at this level?  Only names of the same short form can be. */
static int taken(struct ct_labels *l, size_t ei, enum ct_cxx_level level, const char *cand)
{
	size_t i;

	for (i = short_head(l, l->v[ei].shrt); i != SIZE_MAX; i = l->v[i].next) {
		const char *f;

		if (i == ei)
			continue;
		if (l->v[i].label && !strcmp(l->v[i].label, cand))
			return 1;
		f = level_form(&l->v[i], level);
		if (!f)
			return -ENOMEM;
		if (!strcmp(f, cand))
			return 1;
	}
	return 0;
}

/* Give e its label: the first form no other name of its short form shares. */
static int resolve(struct ct_labels *l, size_t ei)
{
	enum ct_cxx_level level;

	for (level = CT_CXX_SHORT; level <= LAST_LEVEL; level++) {
		const char *cand = level_form(&l->v[ei], level);
		int t;

		if (!cand)
			return -ENOMEM;
		/* as long as the whole name: nothing left to tell apart */
		if (level > CT_CXX_PARAMS && !strcmp(cand, l->v[ei].name))
			break;
		t = taken(l, ei, level, cand);
		if (t < 0)
			return t;
		if (!t) {
			l->v[ei].label = cand;
			return 0;
		}
	}
	l->v[ei].label = l->v[ei].name;
	return 0;
}

const char *ct_labels_get(struct ct_labels *l, const char *name)
{
	uint64_t h;
	struct lentry *e;
	size_t i;

	if (!l || !name)
		return NULL;
	h = hash_str(name);
	e = find(l, name, h);
	if (!e) {
		if (ct_labels_add(l, name) < 0)
			return NULL;
		e = &l->v[l->n - 1];
	}
	if (!e->label && l->pending) {
		for (i = 0; i < l->n; i++)
			if (!l->v[i].label && resolve(l, i) < 0)
				return NULL;
		l->pending = 0;
	}
	return e->label;
}
