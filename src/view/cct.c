/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Calling context tree and folded stacks (see cct.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/cct.h"

static uint64_t node_hash(uint32_t parent, const char *name, const char *module, pid_t tid)
{
	uint64_t h = (uint64_t)parent * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)(uintptr_t)name * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)(uintptr_t)module * 0x165667b19e3779f9ull;
	h ^= (uint64_t)(uint32_t)tid * 0x27d4eb2f165667c5ull;
	return h ^ h >> 31;
}

static int tab_resize(struct ct_cct *c, uint32_t cap)
{
	uint32_t *tab = malloc(cap * sizeof(*tab)), i, j;

	if (!tab)
		return -ENOMEM;
	memset(tab, 0xff, cap * sizeof(*tab));
	for (i = 1; i < c->n; i++) {
		const struct ct_cct_node *nd = &c->nodes[i];

		j = (uint32_t)node_hash(nd->parent, nd->name, nd->module, nd->tid) & (cap - 1);
		while (tab[j] != CT_CCT_NONE)
			j = (j + 1) & (cap - 1);
		tab[j] = i;
	}
	free(c->tab);
	c->tab = tab;
	c->tabcap = cap;
	return 0;
}

int ct_cct_init(struct ct_cct *c, bool per_thread)
{
	memset(c, 0, sizeof(*c));
	c->per_thread = per_thread;
	c->cap = 1024;
	c->nodes = calloc(c->cap, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	c->n = 1;
	c->nodes[0].parent = CT_CCT_NONE;
	c->nodes[0].first_child = CT_CCT_NONE;
	c->nodes[0].next_sibling = CT_CCT_NONE;
	if (tab_resize(c, 2048) < 0) {
		free(c->nodes);
		return -ENOMEM;
	}
	return 0;
}

void ct_cct_fini(struct ct_cct *c)
{
	free(c->nodes);
	free(c->tab);
	free(c->chain);
	memset(c, 0, sizeof(*c));
}

/* The child of parent for (name, module) or the thread node of tid. */
static uint32_t child(struct ct_cct *c, uint32_t parent, const char *name, const char *module,
		      bool thread, pid_t tid)
{
	uint32_t j = (uint32_t)node_hash(parent, name, module, tid) & (c->tabcap - 1), i;
	struct ct_cct_node *nd;

	for (; (i = c->tab[j]) != CT_CCT_NONE; j = (j + 1) & (c->tabcap - 1)) {
		nd = &c->nodes[i];
		if (nd->parent == parent && nd->name == name && nd->module == module &&
		    nd->thread == thread && nd->tid == tid)
			return i;
	}
	if (c->n == c->cap) {
		struct ct_cct_node *nodes;

		if (c->cap > UINT32_MAX / 4)
			return CT_CCT_NONE;
		nodes = realloc(c->nodes, 2 * (size_t)c->cap * sizeof(*nodes));
		if (!nodes)
			return CT_CCT_NONE;
		c->nodes = nodes;
		c->cap *= 2;
	}
	i = c->n++;
	nd = &c->nodes[i];
	memset(nd, 0, sizeof(*nd));
	nd->name = name;
	nd->module = module;
	nd->thread = thread;
	nd->tid = tid;
	nd->parent = parent;
	nd->depth = c->nodes[parent].depth + 1;
	nd->first_child = CT_CCT_NONE;
	nd->next_sibling = c->nodes[parent].first_child;
	c->nodes[parent].first_child = i;
	c->tab[j] = i;
	if (c->n > c->tabcap / 2 && tab_resize(c, c->tabcap * 2) < 0) {
		/* keep the node; the table is only full, not broken, until it fills up */
		if (c->n >= c->tabcap - 1)
			return CT_CCT_NONE;
	}
	return i;
}

static uint32_t thread_node(struct ct_cct *c, struct ct_view_thread *t)
{
	uint32_t i;

	if (!c->per_thread)
		return 0;
	if (t->user)
		return (uint32_t)((uintptr_t)t->user - 1);
	i = child(c, 0, NULL, NULL, true, t->tid);
	if (i != CT_CCT_NONE)
		t->user = (void *)((uintptr_t)i + 1);
	return i;
}

/* The node of frame f, created with those of its shown ancestors. */
static uint32_t node_of(struct ct_cct *c, struct ct_view_thread *t, struct ct_view_frame *f)
{
	struct ct_view_frame *a;
	uint32_t k = 0, base;

	if (f->user)
		return (uint32_t)((uintptr_t)f->user - 1);
	if (c->chaincap < t->nr) {
		uint32_t *ch = realloc(c->chain, t->nr * sizeof(*ch));

		if (!ch)
			return CT_CCT_NONE;
		c->chain = ch;
		c->chaincap = t->nr;
	}
	for (a = f; a && !a->user; a = ct_view_up(t, a))
		c->chain[k++] = (uint32_t)(a - t->frames);
	base = a ? (uint32_t)((uintptr_t)a->user - 1) : thread_node(c, t);
	while (k-- && base != CT_CCT_NONE) {
		a = &t->frames[c->chain[k]];
		base = child(c, base, ct_view_frame_name(a), a->module, false, 0);
		if (base != CT_CCT_NONE)
			a->user = (void *)((uintptr_t)base + 1);
	}
	return base;
}

static int cct_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		    CT_UNUSED const struct ct_event *ev, CT_UNUSED enum ct_view_end how,
		    uint64_t dur)
{
	struct ct_cct *c = ctx;
	uint32_t i = node_of(c, t, f);

	if (i == CT_CCT_NONE)
		return -ENOMEM;
	c->nodes[i].self_ns += dur > f->child_ns ? dur - f->child_ns : 0;
	return 0;
}

struct sortkey {
	uint32_t parent, idx;
	const char *name, *module;
	pid_t tid;
};

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

/* By parent, then from the last sibling to the first (relinking prepends). */
static int cmp_key(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;
	int c;

	if (a->parent != b->parent)
		return a->parent < b->parent ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? 1 : -1;
	c = cmp_str(a->name, b->name);
	if (!c)
		c = cmp_str(a->module, b->module);
	return -c;
}

/* Children in name order, and totals. */
static int finish(struct ct_cct *c)
{
	struct sortkey *k;
	uint32_t i;

	if (c->n > 1) {
		k = malloc((c->n - 1) * sizeof(*k));
		if (!k)
			return -ENOMEM;
		for (i = 1; i < c->n; i++) {
			k[i - 1].parent = c->nodes[i].parent;
			k[i - 1].idx = i;
			k[i - 1].name = c->nodes[i].name;
			k[i - 1].module = c->nodes[i].module;
			k[i - 1].tid = c->nodes[i].tid;
		}
		qsort(k, c->n - 1, sizeof(*k), cmp_key);
		for (i = 0; i < c->n; i++)
			c->nodes[i].first_child = CT_CCT_NONE;
		for (i = 0; i < c->n - 1; i++) {
			struct ct_cct_node *p = &c->nodes[k[i].parent];

			c->nodes[k[i].idx].next_sibling = p->first_child;
			p->first_child = k[i].idx;
		}
		free(k);
	}
	for (i = 0; i < c->n; i++)
		c->nodes[i].total_ns = c->nodes[i].self_ns;
	for (i = c->n - 1; i > 0; i--)
		c->nodes[c->nodes[i].parent].total_ns += c->nodes[i].total_ns;
	return 0;
}

int ct_cct_collect(struct ct_cct *c, struct ct_view_input *in, const struct ct_view_filter *f)
{
	static const struct ct_view_ops ops = { .exit = cct_exit };
	struct ct_view *v = ct_view_new(f, &ops, c, 0);
	int rc;

	if (!v)
		return -errno;
	rc = ct_view_run(v, in);
	ct_view_free(v);
	if (rc < 0 && rc != -ENOMEM) {
		/* an input error: draw what was read */
		int frc = finish(c);

		return frc ? frc : rc;
	}
	return rc ? rc : finish(c);
}

void ct_cct_label(const struct ct_cct *c, uint32_t i, struct ct_vbuf *b, bool xml)
{
	const struct ct_cct_node *nd = &c->nodes[i];

	if (i == 0) {
		ct_vbuf_puts(b, "all");
	} else if (nd->thread) {
		ct_vbuf_puts(b, "[tid ");
		ct_vbuf_s64(b, nd->tid);
		ct_vbuf_putc(b, ']');
	} else if (xml) {
		ct_vbuf_xml(b, nd->name);
	} else {
		ct_vbuf_folded(b, nd->name);
	}
}

uint32_t ct_cct_preorder_next(const struct ct_cct *c, uint32_t i, bool descend)
{
	if (descend && c->nodes[i].first_child != CT_CCT_NONE)
		return c->nodes[i].first_child;
	while (i != 0 && c->nodes[i].next_sibling == CT_CCT_NONE)
		i = c->nodes[i].parent;
	return i == 0 ? CT_CCT_NONE : c->nodes[i].next_sibling;
}

int ct_cct_folded(const struct ct_cct *c, FILE *out)
{
	struct ct_vbuf path, b;
	size_t *lens = NULL;
	uint32_t i, maxd = 0;
	int rc = 0;

	for (i = 0; i < c->n; i++)
		if (c->nodes[i].depth > maxd)
			maxd = c->nodes[i].depth;
	lens = calloc((size_t)maxd + 1, sizeof(*lens));
	if (!lens)
		return -ENOMEM;
	ct_vbuf_init(&path);
	ct_vbuf_init(&b);
	for (i = c->nodes[0].first_child; i != CT_CCT_NONE && !rc;
	     i = ct_cct_preorder_next(c, i, true)) {
		const struct ct_cct_node *nd = &c->nodes[i];

		path.len = nd->depth > 1 ? lens[nd->depth - 1] : 0;
		if (nd->depth > 1)
			ct_vbuf_putc(&path, ';');
		ct_cct_label(c, i, &path, false);
		lens[nd->depth] = path.len;
		if (path.err) {
			rc = path.err;
			break;
		}
		if (!nd->self_ns)
			continue;
		ct_vbuf_put(&b, path.p, path.len);
		ct_vbuf_putc(&b, ' ');
		ct_vbuf_u64(&b, nd->self_ns);
		ct_vbuf_putc(&b, '\n');
		rc = ct_vbuf_maybe_flush(&b, out);
	}
	if (!rc)
		rc = ct_vbuf_flush(&b, out);
	ct_vbuf_fini(&path);
	ct_vbuf_fini(&b);
	free(lens);
	return rc;
}
