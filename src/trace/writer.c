/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file writer (docs/trace-format.md).
 *
 * Events are encoded into an EVENTS chunk buffer whose first
 * CT_TF_CHUNK_HDR bytes are kept for the chunk header; strings and
 * functions seen for the first time go into a SYMBOLS chunk buffer.  When
 * either payload reaches chunk_size, or on flush, both are finished and
 * written with one writev(), SYMBOLS first, so every id an event uses is
 * defined earlier in the file.
 *
 * The encoder keeps, per chunk, exactly the state the format says a reader
 * keeps (current thread, per-thread depth, last arguments, last registers,
 * a stack of calls), and makes its choices from it: a return that closes
 * the call on top of that stack needs neither function nor depth, and its
 * duration is stored as the difference from ts - call ts, usually 0.  The
 * state restarts with every chunk so that chunks decode on their own.
 *
 * Typed events (1.1) add EXT records: before a typed call, its parameter
 * names (string ids) and rendered values; before a typed return, its
 * rendered value; in the SYMBOLS chunk, after a function's FUNC record (or
 * later, when first known), its source file and line.  A 1.0 reader skips
 * them all.
 *
 * The string and function tables are in writer_tables.c, the per-thread
 * state of a chunk in writer_threads.c, the typed values' EXT records in
 * writer_typed.c (writer_impl.h between them).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "trace/crc32c.h"
#include "trace/writer_impl.h"

int ct_tw_buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->cap - b->len >= n)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/*
 * n values against the thread's previous ones (base, updated): 2-bit
 * selectors, four per byte, then the values that need bytes.  Picks the
 * shortest form; ties go to DELTA, then PLAIN.
 */
static uint8_t *put_values(uint8_t *p, const uint64_t *v, uint64_t *base, unsigned n)
{
	uint8_t *sel = p;
	unsigned i;

	memset(sel, 0, (n + 3) / 4);
	p += (n + 3) / 4;
	for (i = 0; i < n; i++) {
		uint64_t d = zigzag(v[i] - base[i]), z = zigzag(v[i]);
		unsigned lp, lz, ld, s;

		if (v[i] == base[i])
			continue; /* CT_TF_SEL_SAME */
		lp = varint_len(v[i]);
		lz = varint_len(z);
		ld = varint_len(d);
		if (ld <= lp && ld <= lz) {
			s = CT_TF_SEL_DELTA;
			p = put_varint(p, d);
		} else if (lp <= lz) {
			s = CT_TF_SEL_PLAIN;
			p = put_varint(p, v[i]);
		} else {
			s = CT_TF_SEL_ZIGZAG;
			p = put_varint(p, z);
		}
		sel[i / 4] |= (uint8_t)(s << (2 * (i % 4)));
		base[i] = v[i];
	}
	return p;
}

/* ---- output ---- */

static int write_all(struct ct_trace_writer *w, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t k = writev(w->fd, iov, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		w->bytes += (uint64_t)k;
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

/* Fill the chunk header at b->p[0..CT_TF_CHUNK_HDR) for the payload after it. */
static void finish_chunk(struct buf *b, uint16_t type, uint32_t count, uint64_t a, uint64_t bv,
			 uint64_t c, uint64_t lost)
{
	uint8_t *h = b->p;
	size_t plen = b->len - CT_TF_CHUNK_HDR;

	memcpy(h, CT_TF_CHUNK_MAGIC, 4);
	put_le16(h + CT_TF_CH_TYPE, type);
	put_le16(h + CT_TF_CH_HDRLEN, CT_TF_CHUNK_HDR);
	put_le32(h + CT_TF_CH_PAYLEN, (uint32_t)plen);
	put_le32(h + CT_TF_CH_COUNT, count);
	put_le64(h + CT_TF_CH_A, a);
	put_le64(h + CT_TF_CH_B, bv);
	put_le64(h + CT_TF_CH_C, c);
	put_le64(h + CT_TF_CH_LOST, lost);
	put_le32(h + CT_TF_CH_PCRC, ct_crc32c(0, h + CT_TF_CHUNK_HDR, plen));
	put_le32(h + CT_TF_CHUNK_HDR - 4, ct_crc32c(0, h, CT_TF_CHUNK_HDR - 4));
}

static void reset_chunk(struct ct_trace_writer *w)
{
	w->ev.len = CT_TF_CHUNK_HDR;
	w->c_started = false;
	w->c_nargs = 0;
	w->c_events = 0;
	w->c_lost = 0;
	w->c_has_lost = false;
	w->nslots = 0;
	w->cur = -1;
	/* Forget every tid mapping at once; on wrap-around clear for real. */
	if (++w->gen == 0) {
		memset(w->tmap, 0, w->tmap_cap * sizeof(*w->tmap));
		w->gen = 1;
	}
}

static void reset_symbols(struct ct_trace_writer *w)
{
	w->sym.len = CT_TF_CHUNK_HDR;
	w->sym_first_sid = w->next_sid;
	w->sym_first_fid = w->next_fid;
	w->sym_nstr = 0;
	w->sym_nfunc = 0;
}

int ct_trace_writer_flush(struct ct_trace_writer *w)
{
	struct iovec iov[2];
	int n = 0, err;

	if (w->err)
		return w->err;
	if (w->sym.len > CT_TF_CHUNK_HDR) { /* strings, functions or EXT records */
		finish_chunk(&w->sym, CT_TF_SYMBOLS, w->sym_nstr, w->sym_first_sid,
			     w->sym_first_fid, w->sym_nfunc, 0);
		iov[n].iov_base = w->sym.p;
		iov[n++].iov_len = w->sym.len;
	}
	if (w->c_events || w->c_has_lost) {
		if (!w->c_started) {
			/* only LOST records: seq and ts of where the next event would be */
			w->c_first_seq = w->c_seq;
			w->c_first_ts = w->c_last_ts = w->c_ts;
		}
		finish_chunk(&w->ev, CT_TF_EVENTS, w->c_events, w->c_first_seq, w->c_first_ts,
			     w->c_last_ts, w->c_lost);
		iov[n].iov_base = w->ev.p;
		iov[n++].iov_len = w->ev.len;
	}
	if (!n)
		return 0;
	err = write_all(w, iov, n);
	if (err) {
		w->err = err;
		return err;
	}
	reset_symbols(w);
	reset_chunk(w);
	return 0;
}

static int maybe_flush(struct ct_trace_writer *w)
{
	if (w->ev.len - CT_TF_CHUNK_HDR >= w->chunk_size ||
	    w->sym.len - CT_TF_CHUNK_HDR >= w->chunk_size)
		return ct_trace_writer_flush(w);
	return 0;
}

/* ---- events ---- */

static int record_type(enum ct_event_type t)
{
	switch (t) {
	case CT_EV_CALL: return CT_TF_R_CALL;
	case CT_EV_RETURN: return CT_TF_R_RETURN;
	case CT_EV_UNWIND: return CT_TF_R_UNWIND;
	case CT_EV_THREAD_START: return CT_TF_R_THREAD_START;
	case CT_EV_THREAD_EXIT: return CT_TF_R_THREAD_EXIT;
	case CT_EV_FORK: return CT_TF_R_FORK;
	case CT_EV_EXEC: return CT_TF_R_EXEC;
	case CT_EV_SIGNAL: return CT_TF_R_SIGNAL;
	case CT_EV_EXIT: return CT_TF_R_EXIT;
	case CT_EV_NR_TYPES: break;
	}
	return -EINVAL;
}

static uint64_t sext32(int v)
{
	return (uint64_t)(int64_t)v;
}

int ct_trace_writer_event(struct ct_trace_writer *w, const struct ct_event *ev)
{
	int rt = record_type(ev->type), err;
	uint32_t fid = 0, psid = 0;
	struct typed typed;
	struct wslot *s;
	uint64_t dt;
	uint8_t *p, *tag;

	if (w->err)
		return w->err;
	if (rt < 0 || ev->nr_args > CT_MAX_ARGS || (ev->regs && ev->arch && ev->arch != w->arch))
		return -EINVAL;

	/* Symbols first: they may end the chunk, which is fine before the
	 * event is encoded. */
	if (rt <= CT_TF_R_UNWIND) {
		err = ct_tw_intern_func(w, ev, &fid);
		if (!err)
			err = ct_tw_note_srcline(w, fid, ev);
		if (!err)
			err = ct_tw_plan_typed(w, ev, &typed);
	} else {
		typed.kind = 0;
		typed.size = 0;
		err = ct_tw_intern_str(w, ev->path, &psid);
	}
	if (!err)
		err = ct_tw_buf_reserve(&w->ev, EV_RESERVE + (size_t)w->regs_words * 11 + typed.size);
	if (!err)
		err = ct_tw_switch_thread(w, ev->pid, ev->tid);
	if (err)
		return err;
	s = &w->slots[w->cur];
	p = w->ev.p + w->ev.len;

	if (!w->c_started) {
		w->c_started = true;
		w->c_first_seq = w->c_seq = ev->seq;
		w->c_first_ts = w->c_ts = ev->ts_ns;
	}
	if (ev->seq != w->c_seq) {
		*p++ = CT_TF_R_SEQ;
		p = put_varint(p, zigzag(ev->seq - w->c_seq));
	}
	/* before REGS: a 1.0 reader wants the event right after a snapshot */
	if (typed.kind)
		p = ct_tw_put_typed(p, &typed);
	if (ev->regs) {
		if (!s->regs) {
			s->regs = calloc(w->regs_words, sizeof(*s->regs));
			if (!s->regs)
				return -ENOMEM;
		}
		*p++ = CT_TF_R_REGS;
		p = put_varint(p, w->regs_words);
		p = put_values(p, ev->regs->w, s->regs, w->regs_words);
	}

	tag = p++;
	*tag = (uint8_t)rt;
	if (ev->ts_ns >= w->c_ts) {
		dt = ev->ts_ns - w->c_ts;
	} else {
		dt = w->c_ts - ev->ts_ns;
		*tag |= CT_TF_TSNEG;
	}
	p = put_varint(p, dt);

	switch (rt) {
	case CT_TF_R_CALL: {
		int64_t adj = (int64_t)ev->depth - ((int64_t)s->depth + 1);

		p = put_varint(p, fid);
		if (adj) {
			*tag |= CT_TF_CALL_DEPTH;
			p = put_varint(p, zigzag((uint64_t)adj));
		}
		if (ev->nr_args != w->c_nargs) {
			*tag |= CT_TF_CALL_NARGS;
			p = put_varint(p, ev->nr_args);
			w->c_nargs = ev->nr_args;
		}
		if (ev->flags) {
			*tag |= CT_TF_CALL_FLAGS;
			p = put_varint(p, ev->flags);
		}
		p = put_values(p, ev->args, s->args, ev->nr_args);
		err = ct_tw_push_frame(s, fid, ev->depth, ev->ts_ns);
		if (err)
			return err;
		s->depth = ev->depth;
		break;
	}
	case CT_TF_R_RETURN:
	case CT_TF_R_UNWIND: {
		struct wframe *top = s->nstack ? &s->stack[s->nstack - 1] : NULL;
		bool implicit = top && top->fid == fid && top->depth == ev->depth;
		uint64_t adj = 0, more = 0;

		if (!implicit) {
			*tag |= CT_TF_RET_EXPLICIT;
			p = put_varint(p, fid);
			p = put_varint(p, ev->depth);
		} else {
			adj = zigzag(ev->duration_ns - (ev->ts_ns - top->ts));
		}
		/* flags and a duration that is not ts - call ts are rare: one
		 * optional varint says which are there */
		if (ev->flags)
			more |= CT_TF_MORE_FLAGS;
		if (adj)
			more |= CT_TF_MORE_ADJ;
		if (more) {
			*tag |= CT_TF_RET_MORE;
			p = put_varint(p, more);
		}
		if (ev->flags)
			p = put_varint(p, ev->flags);
		if (varint_len(ev->retval) < varint_len(zigzag(ev->retval))) {
			*tag |= CT_TF_RET_PLAIN;
			p = put_varint(p, ev->retval);
		} else {
			p = put_varint(p, zigzag(ev->retval));
		}
		if (implicit) {
			if (adj)
				p = put_varint(p, adj);
			s->nstack--;
		} else {
			p = put_varint(p, ev->duration_ns);
			while (s->nstack && s->stack[s->nstack - 1].depth >= ev->depth)
				s->nstack--;
		}
		s->depth = ev->depth ? ev->depth - 1 : 0;
		break;
	}
	default:
		if (ev->flags) {
			*tag |= CT_TF_PROC_FLAGS;
			p = put_varint(p, ev->flags);
		}
		p = put_varint(p, zigzag(sext32(ev->parent)));
		p = put_varint(p, zigzag(sext32(ev->child)));
		p = put_varint(p, zigzag(sext32(ev->signo)));
		p = put_varint(p, zigzag(sext32(ev->status)));
		p = put_varint(p, psid);
		break;
	}

	w->ev.len = (size_t)(p - w->ev.p);
	w->c_seq = ev->seq + 1;
	w->c_ts = w->c_last_ts = ev->ts_ns;
	w->c_events++;
	w->total_events++;
	return maybe_flush(w);
}

int ct_trace_writer_lost(struct ct_trace_writer *w, pid_t pid, pid_t tid, uint64_t n)
{
	uint8_t *p;
	int err;

	if (w->err)
		return w->err;
	if (!n)
		return 0;
	err = ct_tw_buf_reserve(&w->ev, EV_RESERVE);
	if (!err)
		err = ct_tw_switch_thread(w, pid, tid);
	if (err)
		return err;
	p = w->ev.p + w->ev.len;
	*p++ = CT_TF_R_LOST;
	p = put_varint(p, n);
	w->ev.len = (size_t)(p - w->ev.p);
	/* After a gap the stack is unknown: returns go explicit until calls refill it. */
	w->slots[w->cur].nstack = 0;
	w->c_lost += n;
	w->c_has_lost = true;
	w->total_lost += n;
	return maybe_flush(w);
}

/* ---- open / close ---- */

static void writer_free(struct ct_trace_writer *w)
{
	uint32_t i;

	for (i = 1; i < w->next_sid; i++)
		free(w->strs[i]);
	free(w->strs);
	free(w->strlens);
	free(w->shash);
	free(w->fmsid);
	free(w->fnsid);
	free(w->faddr);
	free(w->fsrc);
	free(w->fline);
	free(w->fhash);
	free(w->sym.p);
	free(w->ev.p);
	for (i = 0; i < w->capslots; i++) {
		free(w->slots[i].regs);
		free(w->slots[i].stack);
	}
	free(w->slots);
	free(w->tmap);
	free(w);
}

static int write_header(struct ct_trace_writer *w, const struct ct_trace_info *info)
{
	const char *name = info->arch->name;
	size_t nlen = strlen(name), len, i;
	unsigned argc = 0;
	struct iovec iov;
	uint8_t *h, *p;
	int err;

	/* Keep as many arguments as fit in CT_TRACE_MAX_HEADER. */
	len = CT_TF_FILE_FIXED + 10 + nlen + 10 + 4;
	for (i = 0; i < info->argc && info->argv; i++) {
		size_t a = strnlen(info->argv[i], CT_TRACE_MAX_HEADER) + 10;

		if (len + a > CT_TRACE_MAX_HEADER)
			break;
		len += a;
		argc++;
	}
	h = calloc(1, len);
	if (!h)
		return -ENOMEM;
	memcpy(h, CT_TF_MAGIC, CT_TF_MAGIC_LEN);
	put_le16(h + 8, CT_TRACE_VERSION_MAJOR);
	put_le16(h + 10, CT_TRACE_VERSION_MINOR);
	put_le16(h + 16, info->arch->elf_machine);
	put_le16(h + 18, (uint16_t)w->regs_words);
	put_le32(h + 20, (uint32_t)info->pid);
	put_le64(h + 24, info->start_realtime_ns);
	put_le32(h + 32, (uint32_t)w->chunk_size);
	put_le32(h + 36, 0);
	p = h + CT_TF_FILE_FIXED;
	p = put_varint(p, nlen);
	memcpy(p, name, nlen);
	p += nlen;
	p = put_varint(p, argc);
	for (i = 0; i < argc; i++) {
		size_t a = strnlen(info->argv[i], CT_TRACE_MAX_HEADER);

		p = put_varint(p, a);
		memcpy(p, info->argv[i], a);
		p += a;
	}
	len = (size_t)(p - h) + 4;
	put_le32(h + 12, (uint32_t)len);
	put_le32(p, ct_crc32c(0, h, len - 4));
	iov.iov_base = h;
	iov.iov_len = len;
	err = write_all(w, &iov, 1);
	free(h);
	return err;
}

struct ct_trace_writer *ct_trace_writer_open(int fd, const struct ct_trace_info *info)
{
	struct ct_trace_writer *w;
	size_t cs;
	int err;

	if (!info || !info->arch || info->arch->regs_size % 8 ||
	    info->arch->regs_size / 8 > CT_REGS_WORDS) {
		errno = EINVAL;
		return NULL;
	}
	cs = info->chunk_size ? info->chunk_size : CT_TRACE_CHUNK_DEFAULT;
	if (cs < CT_TRACE_CHUNK_MIN || cs > CT_TRACE_CHUNK_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->fd = fd;
	w->arch = info->arch;
	w->regs_words = (unsigned)(info->arch->regs_size / 8);
	w->chunk_size = cs;
	w->next_sid = w->next_fid = 1; /* 0 means none */
	w->cap_sid = w->cap_fid = 64;
	w->strs = calloc(w->cap_sid, sizeof(*w->strs));
	w->strlens = calloc(w->cap_sid, sizeof(*w->strlens));
	w->fmsid = calloc(w->cap_fid, sizeof(*w->fmsid));
	w->fnsid = calloc(w->cap_fid, sizeof(*w->fnsid));
	w->faddr = calloc(w->cap_fid, sizeof(*w->faddr));
	w->fsrc = calloc(w->cap_fid, sizeof(*w->fsrc));
	w->fline = calloc(w->cap_fid, sizeof(*w->fline));
	w->gen = 1;
	err = -ENOMEM;
	if (!w->strs || !w->strlens || !w->fmsid || !w->fnsid || !w->faddr || !w->fsrc ||
	    !w->fline ||
	    ct_tw_buf_reserve(&w->ev, cs + CT_TF_CHUNK_HDR + EV_RESERVE) ||
	    ct_tw_buf_reserve(&w->sym, CT_TF_CHUNK_HDR + 4096) || ct_tw_tmap_grow(w))
		goto fail;
	reset_symbols(w);
	reset_chunk(w);
	err = write_header(w, info);
	if (err)
		goto fail;
	return w;
fail:
	writer_free(w);
	errno = -err;
	return NULL;
}

int ct_trace_writer_close(struct ct_trace_writer *w)
{
	struct buf end = { 0 };
	struct iovec iov;
	int err;

	err = ct_trace_writer_flush(w);
	if (!err) {
		err = ct_tw_buf_reserve(&end, CT_TF_CHUNK_HDR);
		if (!err) {
			end.len = CT_TF_CHUNK_HDR;
			finish_chunk(&end, CT_TF_END, 0, w->total_events, 0, 0, w->total_lost);
			iov.iov_base = end.p;
			iov.iov_len = end.len;
			err = write_all(w, &iov, 1);
		}
		free(end.p);
	}
	writer_free(w);
	return err;
}

uint64_t ct_trace_writer_bytes(const struct ct_trace_writer *w)
{
	return w->bytes;
}
