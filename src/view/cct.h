/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calling context tree: a node per distinct call path (root, then a
 * node per frame from the outermost), holding the self time of every frame
 * that ran at that path.  What folded stacks and flame graphs are drawn
 * from; its size is the number of distinct paths, whatever the number of
 * events.  Nodes are numbered in creation order, so a parent's number is
 * always below its children's.
 */
#ifndef CT_VIEW_CCT_H
#define CT_VIEW_CCT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "view/vbuf.h"
#include "view/view.h"

#define CT_CCT_NONE UINT32_MAX

struct ct_cct_node {
	const char *name;   /* function; NULL for the root and thread nodes */
	const char *module;
	pid_t tid;          /* thread nodes (--per-thread): the thread */
	bool thread;
	uint32_t parent, first_child, next_sibling, depth;
	uint64_t self_ns;
	uint64_t total_ns;  /* after ct_cct_finish(): self plus the children's totals */
};

struct ct_cct {
	struct ct_cct_node *nodes; /* nodes[0] is the root */
	uint32_t n, cap;
	uint32_t *tab; /* hash of (parent, name, module) -> node */
	uint32_t tabcap;
	bool per_thread;
	uint32_t *chain; /* scratch of ct_cct_collect */
	uint32_t chaincap;
};

int ct_cct_init(struct ct_cct *c, bool per_thread);
void ct_cct_fini(struct ct_cct *c);

/* Aggregate the frames of in through f, then sort the children of every
 * node by name and compute the totals.  0 or -errno. */
int ct_cct_collect(struct ct_cct *c, struct ct_view_input *in, const struct ct_view_filter *f);

/* A node's label: its function name, "[tid N]" for a thread node, "all". */
void ct_cct_label(const struct ct_cct *c, uint32_t i, struct ct_vbuf *b, bool xml);

/* The node after i in preorder, its children first if descend (and it
 * has any); CT_CCT_NONE after the last. */
uint32_t ct_cct_preorder_next(const struct ct_cct *c, uint32_t i, bool descend);

/* Folded stacks: "a;b;c SELF_NS" per node with self time, children in
 * name order.  0 or -errno. */
int ct_cct_folded(const struct ct_cct *c, FILE *out);

/* The flame graph.  0 or -errno. */
int ct_cct_svg(const struct ct_cct *c, const char *title, const char *subtitle, FILE *out);

#endif
