/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to store.c and cursor.c: the store's state and its bitmap. */
#ifndef CT_REPL_STORE_IMPL_H
#define CT_REPL_STORE_IMPL_H

#include "repl/store.h"
#include "util/hashmap.h"

/* Visible events: bit (seq - base) for seq in [base, base + span). */
struct ct_store_bits {
	uint64_t *w;
	uint64_t base, span;
	uint64_t count; /* bits set */
};

static inline bool ct_store_bits_test(const struct ct_store_bits *b, uint64_t seq)
{
	uint64_t i = seq - b->base;

	return seq >= b->base && i < b->span && (b->w[i / 64] >> (i % 64) & 1);
}

/* Set the bit of seq (ignored outside the range); true if it was clear. */
static inline bool ct_store_bits_set(struct ct_store_bits *b, uint64_t seq)
{
	uint64_t i = seq - b->base, m;

	if (seq < b->base || i >= b->span)
		return false;
	m = 1ull << (i % 64);
	if (b->w[i / 64] & m)
		return false;
	b->w[i / 64] |= m;
	b->count++;
	return true;
}

/*
 * A window of decoded events of one chunk: ev[(head + k) % cap] is the
 * k-th of n, in file order; reg[] holds the snapshots ev[].regs point to.
 * at_start/at_end: the window reaches the chunk's first/last event.
 */
struct ct_store_slot {
	size_t chunk; /* SIZE_MAX: empty */
	struct ct_event *ev;
	struct ct_regs *reg;
	unsigned cap, head, n;
	bool at_start, at_end;
	uint64_t used; /* for LRU */
};

struct ct_store {
	int fd;
	char *name;
	bool live;
	enum ct_demangle demangle; /* how its events name C++ functions */
	uint64_t size; /* of the file when the reader was opened */

	struct ct_trace_reader *r; /* NULL: a live file without a header yet */
	size_t nr_chunks;
	struct ct_store_bits bits;

	struct ct_view_filter filter;
	char *funcs[CT_VIEW_MAX_FUNCS]; /* the filter's strings, owned */

	bool have_cursor, have_list;
	uint64_t cursor, list;

	struct ct_store_slot slot[2];
	uint64_t clock;

	struct ct_hashmap names; /* func string -> itself */
	bool names_done;

	char err[CT_TRACE_ERRLEN + 64];
};

/* cursor.c: the chunk cache */
void ct_store_cache_init(struct ct_store *st);
void ct_store_cache_drop(struct ct_store *st); /* the reader changes: empty the slots */
void ct_store_cache_fini(struct ct_store *st);

/* Seq range of chunk i: [first, end) (end: the next chunk's first seq, or
 * the bitmap's end). */
void ct_store_chunk_range(const struct ct_store *st, size_t i, uint64_t *first, uint64_t *end);

/* store_bits.c: the bitmap of r's events through f (every event without
 * a filter; fd: r's file, for the view's lookahead).  0 or -errno, b then
 * empty. */
int ct_store_evaluate(struct ct_trace_reader *r, int fd, const struct ct_view_filter *f,
		      struct ct_store_bits *b);

#endif
