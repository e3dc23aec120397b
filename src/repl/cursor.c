/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding events by seq, and the cursor.
 *
 * An event is looked up through the index (the chunk whose first seq is
 * the last <= seq) and decoded with its neighbours into one of two cache
 * slots, so that stepping within a chunk, and back and forth across a
 * chunk boundary, decodes nothing more.  A slot holds the whole chunk when
 * it has at most CT_STORE_WINDOW events, else a window of that many around
 * the event wanted (decoded from the chunk's start, keeping the last ones
 * in a ring).  Visibility comes from the bitmap alone: moving the cursor
 * n visible events is n word scans, then one lookup.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repl/store_impl.h"

void ct_store_cache_init(struct ct_store *st)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		memset(&st->slot[i], 0, sizeof(st->slot[i]));
		st->slot[i].chunk = SIZE_MAX;
	}
}

void ct_store_cache_drop(struct ct_store *st)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		st->slot[i].chunk = SIZE_MAX;
		st->slot[i].n = 0;
	}
}

void ct_store_cache_fini(struct ct_store *st)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		free(st->slot[i].ev);
		free(st->slot[i].reg);
	}
	ct_store_cache_init(st);
}

void ct_store_chunk_range(const struct ct_store *st, size_t i, uint64_t *first, uint64_t *end)
{
	*first = ct_trace_reader_chunk(st->r, i)->first_seq;
	if (i + 1 < st->nr_chunks)
		*end = ct_trace_reader_chunk(st->r, i + 1)->first_seq;
	else
		*end = st->bits.base + st->bits.span;
	if (*end < *first)
		*end = *first;
}

static const struct ct_event *slot_at(const struct ct_store_slot *s, unsigned k)
{
	unsigned pos = s->head + k;

	return &s->ev[pos >= s->cap ? pos - s->cap : pos];
}

static bool slot_covers(const struct ct_store_slot *s, size_t chunk, uint64_t seq)
{
	if (s->chunk != chunk)
		return false;
	if (!s->at_start && (!s->n || seq < slot_at(s, 0)->seq))
		return false;
	return s->at_end || (s->n && seq <= slot_at(s, s->n - 1)->seq);
}

static int slot_find(const struct ct_store_slot *s, uint64_t seq, const struct ct_event **ev)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct ct_event *e = slot_at(s, mid);

		if (e->seq == seq) {
			*ev = e;
			return 0;
		}
		if (e->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

/* Room for cap events (their snapshots are allocated at the first one). */
static int slot_reserve(struct ct_store_slot *s, unsigned cap)
{
	struct ct_event *ev;

	if (s->cap >= cap && s->ev)
		return 0;
	ev = realloc(s->ev, (size_t)cap * sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	s->ev = ev;
	free(s->reg);
	s->reg = NULL;
	s->cap = cap;
	return 0;
}

/*
 * Decode chunk i into s: all of it, or, for a chunk longer than the
 * window, the window that ends CT_STORE_WINDOW / 2 events after seq (or at
 * the chunk's end).  Stops early at damage, which the reader counts.
 */
static int slot_load(struct ct_store *st, struct ct_store_slot *s, size_t i, uint64_t seq)
{
	const struct ct_trace_chunk *c = ct_trace_reader_chunk(st->r, i);
	uint64_t next = i + 1 < st->nr_chunks ? ct_trace_reader_chunk(st->r, i + 1)->first_seq
					       : UINT64_MAX;
	unsigned cap = c->nr_events < CT_STORE_WINDOW ? c->nr_events : CT_STORE_WINDOW;
	unsigned after = 0;
	struct ct_event ev;
	uint32_t k;
	int rc;

	s->chunk = SIZE_MAX;
	s->n = s->head = 0;
	rc = slot_reserve(s, cap ? cap : 1);
	if (!rc)
		rc = ct_trace_reader_seek_chunk(st->r, i);
	if (rc)
		return rc;
	s->at_start = true;
	s->at_end = true;
	for (k = 0; k < c->nr_events; k++) {
		unsigned pos;

		rc = ct_trace_reader_next(st->r, &ev);
		if (rc == 0 || rc == -EBADMSG || rc == -ENODATA)
			break;
		if (rc < 0)
			return rc;
		if (ev.seq >= next)
			break; /* the chunk ended early: that is the next one's */
		if (after >= s->cap / 2 && s->n == s->cap) {
			s->at_end = false;
			break;
		}
		if (s->n < s->cap) {
			pos = s->head + s->n++;
			if (pos >= s->cap)
				pos -= s->cap;
		} else {
			pos = s->head;
			if (++s->head == s->cap)
				s->head = 0;
			s->at_start = false;
		}
		s->ev[pos] = ev;
		if (ev.regs) {
			if (!s->reg) {
				s->reg = malloc((size_t)s->cap * sizeof(*s->reg));
				if (!s->reg)
					return -ENOMEM;
			}
			s->reg[pos] = *ev.regs;
			s->ev[pos].regs = &s->reg[pos];
		}
		if (ev.seq >= seq)
			after++;
	}
	s->chunk = i;
	return 0;
}

int ct_store_event(struct ct_store *st, uint64_t seq, const struct ct_event **ev)
{
	struct ct_store_slot *s;
	size_t i;
	int rc;

	if (!st->r || !st->nr_chunks || seq < ct_trace_reader_chunk(st->r, 0)->first_seq)
		return -ENOENT;
	i = ct_trace_reader_find_seq(st->r, seq);
	for (s = st->slot; s < st->slot + 2; s++) {
		if (slot_covers(s, i, seq)) {
			s->used = ++st->clock;
			return slot_find(s, seq, ev);
		}
	}
	s = st->slot[0].used <= st->slot[1].used ? &st->slot[0] : &st->slot[1];
	rc = slot_load(st, s, i, seq);
	if (rc < 0) {
		s->chunk = SIZE_MAX;
		s->n = 0;
		return rc;
	}
	s->used = ++st->clock;
	return slot_find(s, seq, ev);
}

int ct_store_scan(struct ct_store *st, uint64_t from, bool visible_only, ct_store_scan_fn fn,
		  void *ctx)
{
	uint64_t first, end, vis;
	struct ct_event ev;
	size_t i;
	int rc;

	if (!st->r || !st->nr_chunks)
		return 0;
	i = ct_trace_reader_find_seq(st->r, from);
	for (; i < st->nr_chunks; i++) {
		uint32_t k, count = ct_trace_reader_chunk(st->r, i)->nr_events;

		ct_store_chunk_range(st, i, &first, &end);
		if (end <= from)
			continue;
		if (visible_only &&
		    (!ct_store_next_visible(st, from > first ? from : first, &vis) || vis >= end))
			continue;
		rc = ct_trace_reader_seek_chunk(st->r, i);
		if (rc)
			return rc;
		for (k = 0; k < count; k++) {
			rc = ct_trace_reader_next(st->r, &ev);
			if (rc == 0 || rc == -EBADMSG)
				break;
			if (rc < 0)
				return rc;
			if (i + 1 < st->nr_chunks && ev.seq >= end)
				break;
			if (ev.seq < from)
				continue;
			if (visible_only && !ct_store_bits_test(&st->bits, ev.seq))
				continue;
			rc = fn(ctx, &ev);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- finish ---- */

enum { FE_FOUND = 1, FE_CUT, FE_NONE };

struct frame_end {
	pid_t pid, tid;
	bool by_depth;  /* else: the first frame event decides */
	uint32_t want;  /* depth of the frame whose end is looked for */
	uint64_t addr;  /* its function, 0 for any */
	uint64_t seq;   /* the event found */
};

static int fe_step(void *ctx, const struct ct_event *ev)
{
	struct frame_end *fe = ctx;

	fe->seq = ev->seq;
	if (ev->pid != fe->pid)
		return 0;
	if (ev->tid != fe->tid)
		return ev->type == CT_EV_EXIT ? FE_CUT : 0;
	switch (ev->type) {
	case CT_EV_CALL:
		if (!fe->by_depth) {
			/* a callee of the frame we are in, which is one level up */
			if (ev->depth <= 1)
				return FE_NONE;
			fe->by_depth = true;
			fe->want = ev->depth - 1;
			return 0;
		}
		return ev->depth <= fe->want ? FE_CUT : 0;
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		if (!fe->by_depth)
			return FE_FOUND;
		if (ev->depth == fe->want)
			return !fe->addr || ev->addr == fe->addr ? FE_FOUND : FE_CUT;
		return ev->depth < fe->want ? FE_CUT : 0;
	case CT_EV_THREAD_EXIT:
	case CT_EV_EXIT:
	case CT_EV_EXEC:
		return fe->by_depth ? FE_CUT : FE_NONE;
	default:
		return 0;
	}
}

int ct_store_frame_end(struct ct_store *st, uint64_t seq, uint64_t *end)
{
	struct frame_end fe = { 0 };
	const struct ct_event *ev;
	int rc;

	*end = UINT64_MAX;
	rc = ct_store_event(st, seq, &ev);
	if (rc)
		return rc;
	fe.pid = ev->pid;
	fe.tid = ev->tid;
	switch (ev->type) {
	case CT_EV_CALL:
		fe.by_depth = true;
		fe.want = ev->depth;
		fe.addr = ev->addr;
		break;
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		if (ev->depth <= 1)
			return -EDOM;
		fe.by_depth = true;
		fe.want = ev->depth - 1;
		break;
	case CT_EV_THREAD_EXIT:
	case CT_EV_EXIT:
		return -EDOM; /* the recorder unwound the thread's frames before */
	default:
		break;
	}
	rc = ct_store_scan(st, seq + 1, false, fe_step, &fe);
	if (rc < 0)
		return rc;
	switch (rc) {
	case FE_FOUND:
		*end = fe.seq;
		return 0;
	case FE_CUT:
		*end = fe.seq;
		return -ENOENT;
	case FE_NONE:
		return -EDOM;
	default:
		return -ENOENT; /* still open at the end of the file */
	}
}

/* ---- visibility and the cursor ---- */

bool ct_store_visible(const struct ct_store *st, uint64_t seq)
{
	return ct_store_bits_test(&st->bits, seq);
}

bool ct_store_next_visible(const struct ct_store *st, uint64_t from, uint64_t *seq)
{
	const struct ct_store_bits *b = &st->bits;
	uint64_t i = from > b->base ? from - b->base : 0, w, word;

	if (i >= b->span)
		return false;
	w = i / 64;
	word = b->w[w] & (~0ull << (i % 64));
	for (;;) {
		if (word) {
			i = w * 64 + (uint64_t)__builtin_ctzll(word);
			if (i >= b->span)
				return false;
			*seq = b->base + i;
			return true;
		}
		if (++w >= (b->span + 63) / 64)
			return false;
		word = b->w[w];
	}
}

bool ct_store_prev_visible(const struct ct_store *st, uint64_t before, uint64_t *seq)
{
	const struct ct_store_bits *b = &st->bits;
	uint64_t i, w, word;

	if (before <= b->base || !b->span)
		return false;
	i = before - b->base;
	if (i > b->span)
		i = b->span;
	i--; /* the last candidate */
	w = i / 64;
	word = b->w[w] & (~0ull >> (63 - i % 64));
	for (;;) {
		if (word) {
			*seq = b->base + w * 64 + 63 - (uint64_t)__builtin_clzll(word);
			return true;
		}
		if (!w--)
			return false;
		word = b->w[w];
	}
}

bool ct_store_cursor(const struct ct_store *st, uint64_t *seq)
{
	if (st->have_cursor)
		*seq = st->cursor;
	return st->have_cursor;
}

static void move_to(struct ct_store *st, uint64_t seq)
{
	st->cursor = seq;
	st->have_cursor = true;
	st->have_list = false;
}

int ct_store_goto(struct ct_store *st, uint64_t seq)
{
	const struct ct_event *ev;
	int rc;

	if (!ct_store_bits_test(&st->bits, seq)) {
		rc = ct_store_event(st, seq, &ev);
		return rc ? rc : -EACCES;
	}
	move_to(st, seq);
	return 0;
}

uint64_t ct_store_next(struct ct_store *st, uint64_t n)
{
	bool have = st->have_cursor;
	uint64_t cur = st->cursor, steps;

	for (steps = 0; steps < n; steps++) {
		uint64_t s;

		if (!ct_store_next_visible(st, have ? cur + 1 : 0, &s))
			break;
		cur = s;
		have = true;
	}
	if (steps)
		move_to(st, cur);
	return steps;
}

uint64_t ct_store_prev(struct ct_store *st, uint64_t n)
{
	bool have = st->have_cursor;
	uint64_t cur = st->cursor, steps;

	for (steps = 0; steps < n; steps++) {
		uint64_t s;

		if (!ct_store_prev_visible(st, have ? cur : UINT64_MAX, &s))
			break;
		cur = s;
		have = true;
	}
	if (steps)
		move_to(st, cur);
	return steps;
}

bool ct_store_list_pos(const struct ct_store *st, uint64_t *seq)
{
	if (st->have_list) {
		*seq = st->list;
		return true;
	}
	return ct_store_cursor(st, seq);
}

void ct_store_set_list_pos(struct ct_store *st, uint64_t seq)
{
	st->list = seq;
	st->have_list = true;
}
