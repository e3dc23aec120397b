/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file reader: chunk framing.  Each chunk's header and payload are
 * checked (docs/trace-format.md, section 5) before a byte is decoded;
 * damage is counted and said (a corrupt chunk skipped, a corrupt header
 * searched past, a file that ends inside a chunk); streaming walks the
 * chunks in file order, the index remembers the intact EVENTS chunks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/crc32c.h"
#include "trace/reader_impl.h"

/* ---- chunk headers ---- */

enum { CH_OK, CH_EOF, CH_TRUNC_HDR, CH_TRUNC_PAYLOAD, CH_BAD };

/* Read and check the chunk header at off.  CH_* or -errno. */
static int read_chunk_header(struct ct_trace_reader *r, uint64_t off, struct chdr *h)
{
	uint8_t hb[CT_TF_CHUNK_HDR_MAX];
	size_t got, more;
	int err;

	err = ct_rd_src_read(r, off, hb, CT_TF_CHUNK_HDR, &got);
	if (err)
		return err;
	if (got == 0)
		return CH_EOF;
	if (got < CT_TF_CHUNK_HDR)
		return memcmp(hb, CT_TF_CHUNK_MAGIC, got < 4 ? got : 4) ? CH_BAD : CH_TRUNC_HDR;
	if (memcmp(hb, CT_TF_CHUNK_MAGIC, 4))
		return CH_BAD;
	h->hdr_len = le16(hb + CT_TF_CH_HDRLEN);
	if (h->hdr_len < CT_TF_CHUNK_HDR || h->hdr_len > CT_TF_CHUNK_HDR_MAX)
		return CH_BAD;
	if (h->hdr_len > CT_TF_CHUNK_HDR) {
		err = ct_rd_src_read(r, off + CT_TF_CHUNK_HDR, hb + CT_TF_CHUNK_HDR,
				     h->hdr_len - CT_TF_CHUNK_HDR, &more);
		if (err)
			return err;
		if (more < (size_t)h->hdr_len - CT_TF_CHUNK_HDR)
			return CH_TRUNC_HDR;
	}
	if (!crc_ok(ct_crc32c(0, hb, h->hdr_len - 4u), le32(hb + h->hdr_len - 4)))
		return CH_BAD;
	h->type = le16(hb + CT_TF_CH_TYPE);
	h->plen = le32(hb + CT_TF_CH_PAYLEN);
	h->count = le32(hb + CT_TF_CH_COUNT);
	h->a = le64(hb + CT_TF_CH_A);
	h->b = le64(hb + CT_TF_CH_B);
	h->c = le64(hb + CT_TF_CH_C);
	h->lost = le64(hb + CT_TF_CH_LOST);
	h->pcrc = le32(hb + CT_TF_CH_PCRC);
	if (h->plen > CT_TRACE_MAX_PAYLOAD)
		return CH_BAD;
	if (r->kind != SRC_PIPE && off + h->hdr_len + h->plen > r->size)
		return CH_TRUNC_PAYLOAD;
	return CH_OK;
}

/*
 * After a bad chunk header at off: the offset of the next valid-looking
 * chunk header (magic and header CRC right), or the end of the input.
 */
static int resync(struct ct_trace_reader *r, uint64_t off, uint64_t *next)
{
	uint8_t win[4096];
	uint64_t pos = off + 1;

	while (pos < r->size) {
		size_t got, i;
		int err = ct_rd_src_read(r, pos, win, sizeof(win), &got);

		if (err)
			return err;
		if (got < 4)
			break;
		for (i = 0; i + 4 <= got; i++) {
			const uint8_t *m = memchr(win + i, 'C', got - 3 - i);
			struct chdr h;
			int rc;

			if (!m)
				break;
			i = (size_t)(m - win);
			if (memcmp(m, CT_TF_CHUNK_MAGIC, 4))
				continue;
			rc = read_chunk_header(r, pos + i, &h);
			if (rc < 0)
				return rc;
			if (rc == CH_OK || rc == CH_TRUNC_PAYLOAD) {
				*next = pos + i;
				return 0;
			}
		}
		pos += got - 3; /* a magic may straddle two windows */
	}
	*next = r->size;
	return 0;
}

static void note_damage(struct ct_trace_reader *r, uint64_t off, uint64_t len)
{
	if (off + len > r->damage_hwm) {
		r->gap_budget += off + len - (off > r->damage_hwm ? off : r->damage_hwm);
		r->damage_hwm = off + len;
	}
}

/* ---- streaming over chunks ---- */

static int chunk_bad_payload(struct ct_trace_reader *r, uint64_t off, const struct chdr *h)
{
	const char *what = h->type == CT_TF_EVENTS ? " events" : "";
	uint64_t n = h->type == CT_TF_EVENTS ? h->count : 0;

	r->stats.bad_chunks++;
	r->stats.bad_bytes += h->hdr_len + (uint64_t)h->plen;
	r->stats.bad_events += n;
	ct_rd_seterr(r, "corrupt chunk at offset %llu: bad checksum, %llu%s lost",
		     (unsigned long long)off, (unsigned long long)n, n ? what : " events");
	return -EBADMSG;
}

/*
 * Handle the chunk at off in a pass over the file: load symbols, note the
 * END chunk, and for an intact EVENTS chunk return 1 with *h and *payload
 * set.  *next is the offset after it.  0 for a chunk that needs no more,
 * -EBADMSG/-ENODATA for damage (stats and message updated), 2 at the end.
 */
static int visit_chunk(struct ct_trace_reader *r, uint64_t off, struct chdr *h,
		       const uint8_t **payload, uint8_t **buf, size_t *cap, uint64_t *next)
{
	const char *why;
	size_t got;
	int rc, err;

	rc = read_chunk_header(r, off, h);
	if (rc < 0)
		return ct_rd_io_error(r, off, rc);
	switch (rc) {
	case CH_EOF:
		return 2;
	case CH_TRUNC_HDR:
	case CH_TRUNC_PAYLOAD:
		goto truncated;
	case CH_BAD:
		if (r->kind == SRC_PIPE) {
			/* no way back to search from: the rest is lost */
			r->stats.bad_chunks++;
			r->stats.rest_unread = true;
			ct_rd_seterr(r,
				     "corrupt chunk header at offset %llu: rest of input skipped",
				     (unsigned long long)off);
			*next = UINT64_MAX;
			return -EBADMSG;
		}
		err = resync(r, off, next);
		if (err)
			return ct_rd_io_error(r, off, err);
		r->stats.bad_chunks++;
		r->stats.bad_bytes += *next - off;
		note_damage(r, off, *next - off);
		ct_rd_seterr(r, "corrupt chunk header at offset %llu: %llu bytes skipped",
			     (unsigned long long)off, (unsigned long long)(*next - off));
		return -EBADMSG;
	}
	err = ct_rd_src_map(r, off + h->hdr_len, h->plen, buf, cap, payload, &got);
	if (err)
		return ct_rd_io_error(r, off, err);
	if (got < h->plen)
		goto truncated; /* pipe */
	*next = off + h->hdr_len + h->plen;
	if (!crc_ok(ct_crc32c(0, *payload, h->plen), h->pcrc)) {
		note_damage(r, off, *next - off);
		if (h->type == CT_TF_SYMBOLS && off >= r->sym_hwm) {
			err = ct_rd_load_symbols(r, h, *payload, false, &why);
			if (err == -ENOMEM)
				return ct_rd_io_error(r, off, err);
			r->sym_hwm = *next;
		}
		return chunk_bad_payload(r, off, h);
	}
	switch (h->type) {
	case CT_TF_EVENTS:
		/* every event takes two bytes at least */
		if (h->count > h->plen / 2) {
			r->stats.bad_chunks++;
			r->stats.bad_bytes += *next - off;
			ct_rd_seterr(r, "corrupt chunk at offset %llu: more events than bytes",
				     (unsigned long long)off);
			return -EBADMSG;
		}
		return 1;
	case CT_TF_SYMBOLS:
		if (off < r->sym_hwm)
			return 0; /* loaded before this pass */
		err = ct_rd_load_symbols(r, h, *payload, true, &why);
		r->sym_hwm = *next;
		if (err == -ENOMEM)
			return ct_rd_io_error(r, off, err);
		if (err) {
			r->stats.bad_chunks++;
			r->stats.bad_bytes += *next - off;
			ct_rd_seterr(r, "corrupt chunk at offset %llu: %s", (unsigned long long)off,
				     why);
			return -EBADMSG;
		}
		return 0;
	case CT_TF_END:
		r->stats.complete = true;
		/* a pipe is not read on: its writer may not have closed it */
		if (r->kind != SRC_PIPE && r->size > *next) {
			r->stats.trailing_offset = *next;
			r->stats.trailing_bytes = r->size - *next;
		}
		return 2;
	default:
		return 0; /* a chunk type from a later minor version */
	}
truncated:
	r->stats.truncated = true;
	r->stats.truncated_offset = off;
	/* a pipe has been read to its end */
	r->stats.truncated_bytes = (r->kind == SRC_PIPE ? r->pipe_pos : r->size) - off;
	if (rc != CH_TRUNC_HDR) {
		/* the header is whole and its CRC right: its sizes hold */
		r->stats.truncated_size = h->hdr_len + (uint64_t)h->plen;
		r->stats.truncated_events = h->type == CT_TF_EVENTS ? h->count : 0;
	}
	ct_trace_truncation_message(&r->stats, r->err, sizeof(r->err));
	return -ENODATA;
}

void ct_trace_truncation_message(const struct ct_trace_stats *st, char *buf, size_t size)
{
	unsigned long long off = st->truncated_offset, got = st->truncated_bytes;

	if (!size)
		return;
	buf[0] = '\0';
	if (!st->truncated)
		return;
	if (!st->truncated_size) {
		snprintf(buf, size, "truncated chunk at offset %llu: the file ends %llu bytes into "
			 "its header", off, got);
		return;
	}
	snprintf(buf, size, "truncated chunk at offset %llu: %llu of its %llu bytes present", off,
		 got, (unsigned long long)st->truncated_size);
	if (st->truncated_events) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, ", %llu events lost",
			 (unsigned long long)st->truncated_events);
	}
}

/* Streaming: make the next EVENTS chunk active.  1, 0 at the end, -errno. */
static int advance(struct ct_trace_reader *r)
{
	for (;;) {
		const uint8_t *payload = NULL;
		uint64_t off = r->next_off, next = off;
		struct chdr h;
		int rc;

		if (r->done)
			return 0;
		rc = visit_chunk(r, off, &h, &payload, &r->buf, &r->bufcap, &next);
		if (rc == 2 || rc == -ENODATA || (rc == -EBADMSG && next == UINT64_MAX))
			r->done = true;
		if (rc < 0 || rc == 2) {
			r->next_off = next;
			return rc == 2 ? 0 : rc;
		}
		r->next_off = next;
		if (rc == 1) {
			r->stats.chunks++;
			r->stats.events += h.count;
			r->stats.lost_events += h.lost;
			ct_rd_start_chunk(r, off, &h, payload, -1);
			return 1;
		}
	}
}

/* Indexed: make the next index entry active.  1, 0 at the end, -errno. */
static int advance_indexed(struct ct_trace_reader *r)
{
	while (r->idx_pos < r->nidx) {
		struct ientry *e = &r->idx[r->idx_pos];
		const uint8_t *payload;
		struct chdr h;
		size_t got;
		int err;

		err = ct_rd_src_map(r, e->pub.offset + e->hdr_len, e->plen, &r->buf, &r->bufcap,
				    &payload, &got);
		if (err)
			return ct_rd_io_error(r, e->pub.offset, err);
		r->idx_pos++;
		if (got < e->plen || !crc_ok(ct_crc32c(0, payload, e->plen), e->pcrc)) {
			/* the file changed under us */
			ct_rd_seterr(r,
				     "corrupt chunk at offset %llu: changed since it was indexed",
				     (unsigned long long)e->pub.offset);
			return -EBADMSG;
		}
		h.plen = e->plen;
		h.count = e->pub.nr_events;
		h.a = e->pub.first_seq;
		h.b = e->pub.first_ts;
		h.c = e->pub.last_ts;
		h.lost = e->pub.lost;
		ct_rd_start_chunk(r, e->pub.offset, &h, payload, (long)(e - r->idx));
		return 1;
	}
	return 0;
}

int ct_trace_reader_read(struct ct_trace_reader *r, struct ct_event *ev,
			 struct ct_trace_lost *lost)
{
	for (;;) {
		int rc;

		if (r->fatal)
			return r->fatal;
		if (r->active) {
			rc = ct_rd_decode(r, ev, lost);
			if (rc == -ENOMEM)
				return ct_rd_io_error(r, r->c_off, rc);
			if (rc)
				return rc;
		}
		rc = r->indexed ? advance_indexed(r) : advance(r);
		if (rc <= 0)
			return rc;
	}
}

int ct_trace_reader_next(struct ct_trace_reader *r, struct ct_event *ev)
{
	return ct_trace_reader_read(r, ev, NULL);
}

/* ---- index ---- */

int ct_trace_reader_build_index(struct ct_trace_reader *r)
{
	struct ct_trace_stats saved = r->stats;
	uint64_t off = r->header_len;
	uint8_t *buf = NULL;
	size_t cap = 0, lo, hi;
	bool first_damage = true;
	char keep[CT_TRACE_ERRLEN];
	int rc = 0;

	if (r->indexed)
		return 0;
	if (r->kind == SRC_PIPE)
		return -ESPIPE;
	if (r->fatal)
		return r->fatal;
	memcpy(keep, r->err, sizeof(keep));
	memset(&r->stats, 0, sizeof(r->stats));
	r->nidx = 0;
	while (off < r->size) {
		const uint8_t *payload = NULL;
		uint64_t next = off;
		struct chdr h;

		rc = visit_chunk(r, off, &h, &payload, &buf, &cap, &next);
		if (rc == -EBADMSG || rc == -ENODATA) {
			if (first_damage)
				memcpy(keep, r->err, sizeof(keep));
			first_damage = false;
			if (rc == -ENODATA)
				break;
			off = next;
			continue;
		}
		if (rc < 0 || rc == 2)
			break;
		if (rc == 1) {
			struct ientry *e;

			if (r->nidx == r->capidx) {
				size_t ncap = r->capidx ? r->capidx * 2 : 64;
				struct ientry *n = realloc(r->idx, ncap * sizeof(*n));

				if (!n) {
					rc = ct_rd_io_error(r, off, -ENOMEM);
					break;
				}
				r->idx = n;
				r->capidx = ncap;
			}
			e = &r->idx[r->nidx++];
			*e = (struct ientry){
				.pub = { .offset = off, .first_seq = h.a, .first_ts = h.b,
					 .last_ts = h.c, .nr_events = h.count, .lost = h.lost },
				.hdr_len = h.hdr_len,
				.plen = h.plen,
				.pcrc = h.pcrc,
			};
			r->stats.chunks++;
			r->stats.events += h.count;
			r->stats.lost_events += h.lost;
		}
		off = next;
	}
	free(buf);
	memcpy(r->err, keep, sizeof(keep));
	if (rc < 0 && rc != -EBADMSG && rc != -ENODATA) {
		r->stats = saved;
		r->nidx = 0;
		return rc;
	}
	r->indexed = true;

	/* Keep the read position: after the chunk being decoded, or at the
	 * first chunk at or after where streaming would have gone next. */
	if (r->active) {
		lo = 0;
		hi = r->nidx;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r->idx[mid].pub.offset <= r->c_off)
				lo = mid + 1;
			else
				hi = mid;
		}
		r->idx_pos = lo;
		if (lo && r->idx[lo - 1].pub.offset == r->c_off)
			r->c_ientry = (long)(lo - 1);
	} else if (r->done) {
		r->idx_pos = r->nidx;
	} else {
		for (r->idx_pos = 0; r->idx_pos < r->nidx; r->idx_pos++)
			if (r->idx[r->idx_pos].pub.offset >= r->next_off)
				break;
	}
	return 0;
}

size_t ct_trace_reader_nr_chunks(const struct ct_trace_reader *r)
{
	return r->indexed ? r->nidx : 0;
}

const struct ct_trace_chunk *ct_trace_reader_chunk(const struct ct_trace_reader *r, size_t i)
{
	return r->indexed && i < r->nidx ? &r->idx[i].pub : NULL;
}

int ct_trace_reader_seek_chunk(struct ct_trace_reader *r, size_t i)
{
	int err = ct_trace_reader_build_index(r);

	if (err)
		return err;
	if (i >= r->nidx)
		return -ERANGE;
	r->active = false;
	r->idx_pos = i;
	return 0;
}

size_t ct_trace_reader_find_seq(const struct ct_trace_reader *r, uint64_t seq)
{
	size_t lo = 0, hi;

	if (!r->indexed || !r->nidx)
		return ct_trace_reader_nr_chunks(r);
	hi = r->nidx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->idx[mid].pub.first_seq <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}
