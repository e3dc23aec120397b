/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bitmap of the events a filter lets through, for the REPL's store
 * (store.c): without a filter from the file's index where it can be, with
 * one through a ct_view, as `calltrap dump --format=jsonl` applies it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repl/store_impl.h"

/* Bitmaps of up to this many bits beyond twice the events are accepted,
 * so that gaps in the numbering (events lost, chunks damaged) cost little
 * but a wild SEQ jump cannot ask for gigabytes. */
#define SPARSE_SLACK (1ull << 26)

/* The seq of each readable event of chunk i (stopping where chunk i + 1
 * begins, whatever its header claims).  0 or -errno. */
static int chunk_seqs(struct ct_trace_reader *r, size_t i, void (*fn)(void *ctx, uint64_t seq),
		      void *ctx)
{
	const struct ct_trace_chunk *c = ct_trace_reader_chunk(r, i);
	uint64_t next = UINT64_MAX;
	struct ct_event ev;
	uint32_t k;
	int rc;

	if (i + 1 < ct_trace_reader_nr_chunks(r))
		next = ct_trace_reader_chunk(r, i + 1)->first_seq;
	rc = ct_trace_reader_seek_chunk(r, i);
	if (rc)
		return rc;
	for (k = 0; k < c->nr_events; k++) {
		rc = ct_trace_reader_next(r, &ev);
		if (rc == 0 || rc == -EBADMSG)
			break;
		if (rc < 0)
			return rc;
		if (ev.seq >= next)
			break;
		fn(ctx, ev.seq);
	}
	return 0;
}

struct last_seq {
	uint64_t last;
	bool any;
};

static void take_last(void *ctx, uint64_t seq)
{
	struct last_seq *l = ctx;

	if (!l->any || seq > l->last)
		l->last = seq;
	l->any = true;
}

/* The largest seq of chunk i, decoded (*any false if it has no readable event). */
static int chunk_last_seq(struct ct_trace_reader *r, size_t i, uint64_t *last, bool *any)
{
	struct last_seq l = { 0, false };
	int rc = chunk_seqs(r, i, take_last, &l);

	*last = l.last;
	*any = l.any;
	return rc;
}

/* An empty bitmap sized for the seqs of r. */
static int bits_alloc(struct ct_trace_reader *r, struct ct_store_bits *b)
{
	const struct ct_trace_stats *s = ct_trace_reader_stats(r);
	size_t n = ct_trace_reader_nr_chunks(r), i;
	uint64_t last = 0, limit;
	bool any = false;
	int rc;

	memset(b, 0, sizeof(*b));
	if (!n)
		return 0;
	b->base = ct_trace_reader_chunk(r, 0)->first_seq;
	for (i = n; i-- > 0 && !any;) {
		rc = chunk_last_seq(r, i, &last, &any);
		if (rc)
			return rc;
	}
	if (!any || last < b->base)
		return 0;
	b->span = last - b->base + 1;
	limit = 2 * (s->events + s->lost_events) + SPARSE_SLACK;
	if (b->span > limit || !b->span)
		return -EFBIG;
	b->w = calloc((size_t)((b->span + 63) / 64), sizeof(*b->w));
	return b->w ? 0 : -ENOMEM;
}

static void bits_set_range(struct ct_store_bits *b, uint64_t from, uint64_t to)
{
	uint64_t i, e;

	if (from < b->base)
		from = b->base;
	if (to > b->base + b->span)
		to = b->base + b->span;
	if (from >= to)
		return;
	i = from - b->base;
	e = to - b->base;
	while (i < e) {
		uint64_t w = i / 64, lo = i % 64, hi = e - w * 64 < 64 ? e - w * 64 : 64;
		uint64_t m = (hi == 64 ? ~0ull : (1ull << hi) - 1) & (~0ull << lo);

		b->count += (uint64_t)__builtin_popcountll(m & ~b->w[w]);
		b->w[w] |= m;
		i = w * 64 + hi;
	}
}

static void set_bit(void *ctx, uint64_t seq)
{
	ct_store_bits_set(ctx, seq);
}

/* No filter: every event is visible. */
static int mark_all(struct ct_trace_reader *r, struct ct_store_bits *b)
{
	size_t n = ct_trace_reader_nr_chunks(r), i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct ct_trace_chunk *c = ct_trace_reader_chunk(r, i);
		uint64_t next = i + 1 < n ? ct_trace_reader_chunk(r, i + 1)->first_seq : UINT64_MAX;

		/* a chunk whose seqs are contiguous needs no decoding */
		if (next != UINT64_MAX && next > c->first_seq &&
		    next - c->first_seq == c->nr_events) {
			bits_set_range(b, c->first_seq, next);
			continue;
		}
		rc = chunk_seqs(r, i, set_bit, b);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- with a filter: through the view ---- */

struct mark {
	struct ct_store_bits *b;
	struct ct_view_input *in;
	uint64_t min;
};

static int m_enter(void *ctx, CT_UNUSED struct ct_view_thread *t, CT_UNUSED struct ct_view_frame *f,
		   const struct ct_event *ev)
{
	struct mark *m = ctx;

	ct_store_bits_set(m->b, ev->seq);
	return 0;
}

static int m_exit(void *ctx, CT_UNUSED struct ct_view_thread *t, CT_UNUSED struct ct_view_frame *f,
		  const struct ct_event *ev, CT_UNUSED enum ct_view_end how, CT_UNUSED uint64_t dur)
{
	struct mark *m = ctx;

	/* a frame that ended without an event of its own marks nothing */
	if (ev)
		ct_store_bits_set(m->b, ev->seq);
	return 0;
}

static int m_event(void *ctx, CT_UNUSED struct ct_view_thread *t, const struct ct_event *ev)
{
	struct mark *m = ctx;

	ct_store_bits_set(m->b, ev->seq);
	return 0;
}

/* --min-duration at the call, as dump --format=jsonl decides it */
static bool m_admit(void *ctx, CT_UNUSED struct ct_view_thread *t,
		    CT_UNUSED const struct ct_event *call)
{
	struct mark *m = ctx;
	uint64_t ns = 0;

	if (ct_view_input_duration(m->in, m->min, &ns) < 0)
		return true;
	return ns >= m->min;
}

static int mark_filtered(struct ct_trace_reader *r, int fd, const struct ct_view_filter *f,
			 struct ct_store_bits *b)
{
	static const struct ct_view_ops ops = {
		.enter = m_enter,
		.exit = m_exit,
		.event = m_event,
		.admit = m_admit,
	};
	struct mark m = { .b = b, .min = f->min_duration_ns };
	struct ct_view *v;
	int rc;

	if (!ct_trace_reader_nr_chunks(r))
		return 0;
	rc = ct_trace_reader_seek_chunk(r, 0);
	if (rc)
		return rc;
	m.in = ct_view_input_new(r, fd, f->since_ns, f->until_ns,
				 f->min_duration_ns ? CT_VIEW_LOOKAHEAD : 0);
	if (!m.in)
		return -errno;
	v = ct_view_new(f, &ops, &m, 0);
	if (!v) {
		rc = -errno;
	} else {
		rc = ct_view_run(v, m.in);
		ct_view_free(v);
	}
	ct_view_input_free(m.in);
	return rc < 0 ? rc : 0;
}

int ct_store_evaluate(struct ct_trace_reader *r, int fd, const struct ct_view_filter *f,
		    struct ct_store_bits *b)
{
	int rc = bits_alloc(r, b);

	if (!rc && b->span)
		rc = ct_view_filter_active(f) ? mark_filtered(r, fd, f, b) : mark_all(r, b);
	if (rc) {
		free(b->w);
		memset(b, 0, sizeof(*b));
	}
	return rc;
}
