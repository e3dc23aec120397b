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
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "trace/crc32c.h"
#include "trace/tracefile.h"

/* Room reserved before encoding one event, besides its register words. */
#define EV_RESERVE 256
/* Direct-mapped cache from function address to id (size: power of 2). */
#define FCACHE 1024

struct wframe {
	uint32_t fid;
	uint32_t depth;
	uint64_t ts;
};

struct wslot {
	uint64_t key;
	uint32_t depth;
	uint64_t args[CT_MAX_ARGS];
	uint64_t *regs; /* regs_words, allocated at the first snapshot, kept */
	struct wframe *stack;
	uint32_t nstack, capstack;
};

/* tid -> slot of the current chunk; entries of older chunks have an older gen */
struct wtid {
	uint64_t key;
	uint32_t slot;
	uint32_t gen;
};

struct wstr {
	uint32_t hash;
	uint32_t sid; /* 0: empty bucket */
};

struct wfunc {
	uint64_t addr;
	uint32_t msid, nsid;
	uint32_t fid; /* 0: empty bucket */
};

struct fcache {
	uint64_t addr;
	uint32_t fid;
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct ct_trace_writer {
	int fd;
	int err; /* sticky: first error */
	const struct ct_arch *arch;
	unsigned regs_words;
	size_t chunk_size;
	uint64_t bytes;
	uint64_t total_events, total_lost;

	/* string table: sid -> copy, and a hash of contents -> sid */
	char **strs;
	uint32_t *strlens;
	uint32_t next_sid, cap_sid;
	struct wstr *shash;
	size_t shash_cap;

	/* function table */
	uint32_t *fmsid, *fnsid; /* fid -> module sid, name sid */
	uint64_t *faddr;
	uint32_t *fsrc, *fline; /* fid -> source file sid, line (as last written) */
	uint32_t next_fid, cap_fid;
	struct wfunc *fhash;
	size_t fhash_cap;
	struct fcache fcache[FCACHE];

	/* SYMBOLS chunk being built */
	struct buf sym;
	uint32_t sym_first_sid, sym_first_fid, sym_nstr, sym_nfunc;

	/* EVENTS chunk being built, and the decoder state it implies */
	struct buf ev;
	bool c_started;
	uint64_t c_first_seq, c_first_ts, c_last_ts;
	uint64_t c_seq, c_ts; /* next seq; ts of the previous event */
	unsigned c_nargs;
	uint32_t c_events;
	uint64_t c_lost;
	bool c_has_lost;
	struct wslot *slots;
	uint32_t nslots, capslots;
	int cur; /* slot of the current thread, -1 none */
	struct wtid *tmap;
	size_t tmap_cap;
	uint32_t gen;
};

/* ---- encoding primitives ---- */

static inline unsigned varint_len(uint64_t v)
{
	return 1 + (63 - __builtin_clzll(v | 1)) / 7;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Two's complement difference seen as signed, folded so small magnitudes
 * of either sign encode short. */
static inline uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (0 - (v >> 63));
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static int buf_reserve(struct buf *b, size_t n)
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

/* ---- string and function tables ---- */

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static int shash_rehash(struct ct_trace_writer *w)
{
	size_t cap = w->shash_cap ? w->shash_cap * 2 : 256, i;
	struct wstr *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < w->shash_cap; i++) {
		size_t j;

		if (!w->shash[i].sid)
			continue;
		for (j = w->shash[i].hash & (cap - 1); t[j].sid; j = (j + 1) & (cap - 1))
			;
		t[j] = w->shash[i];
	}
	free(w->shash);
	w->shash = t;
	w->shash_cap = cap;
	return 0;
}

/* Whether s (possibly NULL) is the string sid as the table holds it. */
static bool str_is(const struct ct_trace_writer *w, const char *s, uint32_t sid)
{
	uint32_t n;

	if (!sid || !s)
		return !sid && !s;
	n = w->strlens[sid];
	return strncmp(s, w->strs[sid], n) == 0 && (n == CT_TRACE_MAX_STRING || s[n] == '\0');
}

/* Id of string s, adding it to the SYMBOLS chunk if new.  0 for NULL. */
static int intern_str(struct ct_trace_writer *w, const char *s, uint32_t *sid)
{
	size_t n, j;
	uint32_t h;
	uint8_t *p;
	char *copy;
	int err;

	*sid = 0;
	if (!s)
		return 0;
	n = strnlen(s, CT_TRACE_MAX_STRING);
	h = hash_bytes(s, n);
	if (w->next_sid * 2 >= w->shash_cap) {
		err = shash_rehash(w);
		if (err)
			return err;
	}
	for (j = h & (w->shash_cap - 1); w->shash[j].sid; j = (j + 1) & (w->shash_cap - 1)) {
		uint32_t id = w->shash[j].sid;

		if (w->shash[j].hash == h && w->strlens[id] == n && !memcmp(w->strs[id], s, n)) {
			*sid = id;
			return 0;
		}
	}
	if (w->next_sid == UINT32_MAX)
		return -EOVERFLOW;
	if (w->next_sid >= w->cap_sid) {
		uint32_t cap = w->cap_sid * 2, *lens;
		char **strs = realloc(w->strs, cap * sizeof(*strs));

		if (!strs)
			return -ENOMEM;
		w->strs = strs;
		lens = realloc(w->strlens, cap * sizeof(*lens));
		if (!lens)
			return -ENOMEM;
		w->strlens = lens;
		w->cap_sid = cap;
	}
	err = buf_reserve(&w->sym, 1 + 10 + n);
	if (err)
		return err;
	copy = malloc(n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';

	p = w->sym.p + w->sym.len;
	*p++ = CT_TF_S_STRING;
	p = put_varint(p, n);
	memcpy(p, s, n);
	w->sym.len = (size_t)(p + n - w->sym.p);
	w->sym_nstr++;

	*sid = w->next_sid++;
	w->strs[*sid] = copy;
	w->strlens[*sid] = (uint32_t)n;
	w->shash[j].hash = h;
	w->shash[j].sid = *sid;
	return 0;
}

static uint64_t func_hash(uint64_t addr, uint32_t msid, uint32_t nsid)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)msid << 32 | nsid) * 0xc2b2ae3d27d4eb4full;
	return h ^ (h >> 29);
}

static int fhash_rehash(struct ct_trace_writer *w)
{
	size_t cap = w->fhash_cap ? w->fhash_cap * 2 : 256, i;
	struct wfunc *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < w->fhash_cap; i++) {
		const struct wfunc *f = &w->fhash[i];
		size_t j;

		if (!f->fid)
			continue;
		for (j = func_hash(f->addr, f->msid, f->nsid) & (cap - 1); t[j].fid;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = *f;
	}
	free(w->fhash);
	w->fhash = t;
	w->fhash_cap = cap;
	return 0;
}

/* Id of the function (module, func, addr) of ev, defining it if new. */
static int intern_func(struct ct_trace_writer *w, const struct ct_event *ev, uint32_t *fid)
{
	struct fcache *c = &w->fcache[(ev->addr ^ (ev->addr >> 12)) & (FCACHE - 1)];
	uint32_t msid, nsid, ssid;
	uint8_t *p;
	size_t j;
	int err;

	/* The same few functions come back all the time: check the last one
	 * seen at this address before hashing any string. */
	if (c->fid && c->addr == ev->addr && str_is(w, ev->func, w->fnsid[c->fid]) &&
	    str_is(w, ev->module, w->fmsid[c->fid])) {
		*fid = c->fid;
		return 0;
	}
	err = intern_str(w, ev->module, &msid);
	if (!err)
		err = intern_str(w, ev->func, &nsid);
	if (err)
		return err;
	if (w->next_fid * 2 >= w->fhash_cap) {
		err = fhash_rehash(w);
		if (err)
			return err;
	}
	for (j = func_hash(ev->addr, msid, nsid) & (w->fhash_cap - 1); w->fhash[j].fid;
	     j = (j + 1) & (w->fhash_cap - 1)) {
		const struct wfunc *f = &w->fhash[j];

		if (f->addr == ev->addr && f->msid == msid && f->nsid == nsid) {
			*fid = f->fid;
			goto cache;
		}
	}
	if (w->next_fid == UINT32_MAX)
		return -EOVERFLOW;
	/* a C++ function's symbol (1.2), defined with it */
	ssid = 0;
	if (ev->sym && *ev->sym) {
		err = intern_str(w, ev->sym, &ssid);
		if (err)
			return err;
	}
	if (w->next_fid >= w->cap_fid) {
		uint32_t cap = w->cap_fid * 2;
		uint32_t *m = realloc(w->fmsid, cap * sizeof(*m));
		uint64_t *a;

		if (!m)
			return -ENOMEM;
		w->fmsid = m;
		m = realloc(w->fnsid, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		w->fnsid = m;
		a = realloc(w->faddr, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		w->faddr = a;
		m = realloc(w->fsrc, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		w->fsrc = m;
		m = realloc(w->fline, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		w->fline = m;
		w->cap_fid = cap;
	}
	err = buf_reserve(&w->sym, 1 + 3 * 10 + 2 + 3 * 10);
	if (err)
		return err;
	p = w->sym.p + w->sym.len;
	*p++ = CT_TF_S_FUNC;
	p = put_varint(p, msid);
	p = put_varint(p, nsid);
	p = put_varint(p, ev->addr);
	if (ssid) {
		*p++ = CT_TF_R_EXT;
		p = put_varint(p, varint_len(CT_TF_X_SYMBOL) + varint_len(w->next_fid) +
					  varint_len(ssid));
		p = put_varint(p, CT_TF_X_SYMBOL);
		p = put_varint(p, w->next_fid);
		p = put_varint(p, ssid);
	}
	w->sym.len = (size_t)(p - w->sym.p);
	w->sym_nfunc++;

	*fid = w->next_fid++;
	w->fmsid[*fid] = msid;
	w->fnsid[*fid] = nsid;
	w->faddr[*fid] = ev->addr;
	w->fsrc[*fid] = 0;
	w->fline[*fid] = 0;
	w->fhash[j] = (struct wfunc){ .addr = ev->addr, .msid = msid, .nsid = nsid, .fid = *fid };
cache:
	c->addr = ev->addr;
	c->fid = *fid;
	return 0;
}

/*
 * The source location of function fid, from ev: an EXT record in the
 * SYMBOLS chunk when it is new for fid.  An event that does not know it
 * (NULL and 0) leaves the function's as it is: the location is a property
 * of the function, not of the event.
 */
static int note_srcline(struct ct_trace_writer *w, uint32_t fid, const struct ct_event *ev)
{
	uint32_t sid;
	unsigned body;
	uint8_t *p;
	int err;

	if (!ev->src_file && !ev->src_line)
		return 0;
	if (w->fline[fid] == ev->src_line && str_is(w, ev->src_file, w->fsrc[fid]))
		return 0;
	err = intern_str(w, ev->src_file, &sid);
	if (!err)
		err = buf_reserve(&w->sym, 2 + 4 * 10);
	if (err)
		return err;
	body = varint_len(CT_TF_X_SRCLINE) + varint_len(fid) + varint_len(sid) +
	       varint_len(ev->src_line);
	p = w->sym.p + w->sym.len;
	*p++ = CT_TF_R_EXT;
	p = put_varint(p, body);
	p = put_varint(p, CT_TF_X_SRCLINE);
	p = put_varint(p, fid);
	p = put_varint(p, sid);
	p = put_varint(p, ev->src_line);
	w->sym.len = (size_t)(p - w->sym.p);
	w->fsrc[fid] = sid;
	w->fline[fid] = ev->src_line;
	return 0;
}

/* ---- typed values (1.1) ---- */

/* What an event's typed EXT record needs: the names' ids, the values'
 * lengths, and its size. */
struct typed {
	unsigned kind; /* 0: no record */
	unsigned n;
	uint32_t sid[CT_TRACE_MAX_NAMED];
	uint32_t len[CT_TRACE_MAX_NAMED];
	const char *val[CT_TRACE_MAX_NAMED];
	size_t body, size; /* EXT body bytes; the whole record */
};

static uint32_t value_len(const char *v)
{
	return v ? (uint32_t)strnlen(v, CT_TRACE_MAX_VALUE) : 0;
}

/* Plan the EXT record of ev (interning the parameter names). */
static int plan_typed(struct ct_trace_writer *w, const struct ct_event *ev, struct typed *t)
{
	unsigned i;
	int err;

	t->kind = 0;
	t->size = 0;
	if (!(ev->flags & CT_EVF_TYPED))
		return 0;
	if (ev->type == CT_EV_CALL && ev->nr_named && ev->named) {
		t->kind = CT_TF_X_ARGS;
		t->n = ev->nr_named < CT_TRACE_MAX_NAMED ? ev->nr_named : CT_TRACE_MAX_NAMED;
		t->body = varint_len(CT_TF_X_ARGS) + varint_len(t->n);
		for (i = 0; i < t->n; i++) {
			const char *name = ev->named[i].name;

			t->sid[i] = 0; /* unnamed */
			if (name && *name) {
				err = intern_str(w, name, &t->sid[i]);
				if (err)
					return err;
			}
			t->val[i] = ev->named[i].value;
			t->len[i] = value_len(t->val[i]);
			t->body += varint_len(t->sid[i]) + varint_len(t->len[i]) + t->len[i];
		}
	} else if (ev->type == CT_EV_RETURN && ev->ret_text) {
		t->kind = CT_TF_X_RETVAL;
		t->n = 1;
		t->val[0] = ev->ret_text;
		t->len[0] = value_len(ev->ret_text);
		t->body = varint_len(CT_TF_X_RETVAL) + varint_len(t->len[0]) + t->len[0];
	} else {
		return 0; /* f(void), a void function, an unwind: the flag says it all */
	}
	t->size = 1 + varint_len(t->body) + t->body;
	return 0;
}

static uint8_t *put_typed(uint8_t *p, const struct typed *t)
{
	unsigned i;

	*p++ = CT_TF_R_EXT;
	p = put_varint(p, t->body);
	p = put_varint(p, t->kind);
	if (t->kind == CT_TF_X_ARGS)
		p = put_varint(p, t->n);
	for (i = 0; i < t->n; i++) {
		if (t->kind == CT_TF_X_ARGS)
			p = put_varint(p, t->sid[i]);
		p = put_varint(p, t->len[i]);
		memcpy(p, t->val[i], t->len[i]);
		p += t->len[i];
	}
	return p;
}

/* ---- threads ---- */

static uint64_t tid_key(pid_t pid, pid_t tid)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
}

static uint64_t key_hash(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return key ^ (key >> 31);
}

static int tmap_grow(struct ct_trace_writer *w)
{
	size_t cap = w->tmap_cap ? w->tmap_cap * 2 : 64, i;
	struct wtid *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < w->tmap_cap; i++) {
		size_t j;

		if (w->tmap[i].gen != w->gen)
			continue;
		for (j = key_hash(w->tmap[i].key) & (cap - 1); t[j].gen == w->gen;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = w->tmap[i];
	}
	free(w->tmap);
	w->tmap = t;
	w->tmap_cap = cap;
	return 0;
}

/*
 * Make (pid, tid) the current thread, emitting a THREAD record if it is
 * not already.  A chunk holds at most CT_TRACE_MAX_THREADS threads: one
 * more ends the chunk first.
 */
static int switch_thread(struct ct_trace_writer *w, pid_t pid, pid_t tid)
{
	uint64_t key = tid_key(pid, tid);
	struct wslot *s;
	uint8_t *p;
	size_t j;
	int err;

	if (w->cur >= 0 && w->slots[w->cur].key == key)
		return 0;
	if (w->nslots * 2 >= w->tmap_cap) {
		err = tmap_grow(w);
		if (err)
			return err;
	}
	for (j = key_hash(key) & (w->tmap_cap - 1); w->tmap[j].gen == w->gen;
	     j = (j + 1) & (w->tmap_cap - 1)) {
		if (w->tmap[j].key == key) {
			w->cur = (int)w->tmap[j].slot;
			p = w->ev.p + w->ev.len;
			*p++ = CT_TF_R_THREAD;
			p = put_varint(p, w->tmap[j].slot);
			w->ev.len = (size_t)(p - w->ev.p);
			return 0;
		}
	}
	if (w->nslots == CT_TRACE_MAX_THREADS) {
		err = ct_trace_writer_flush(w);
		if (err)
			return err;
		return switch_thread(w, pid, tid);
	}
	if (w->nslots == w->capslots) {
		uint32_t cap = w->capslots ? w->capslots * 2 : 16;
		struct wslot *ns = realloc(w->slots, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		memset(ns + w->capslots, 0, (cap - w->capslots) * sizeof(*ns));
		w->slots = ns;
		w->capslots = cap;
	}
	s = &w->slots[w->nslots];
	s->key = key;
	s->depth = 0;
	memset(s->args, 0, sizeof(s->args));
	if (s->regs)
		memset(s->regs, 0, w->regs_words * sizeof(*s->regs));
	s->nstack = 0;
	w->tmap[j] = (struct wtid){ .key = key, .slot = w->nslots, .gen = w->gen };
	p = w->ev.p + w->ev.len;
	*p++ = CT_TF_R_THREAD;
	p = put_varint(p, w->nslots);
	p = put_varint(p, (uint32_t)pid);
	p = put_varint(p, (uint32_t)tid);
	w->ev.len = (size_t)(p - w->ev.p);
	w->cur = (int)w->nslots++;
	return 0;
}

static int push_frame(struct wslot *s, uint32_t fid, uint32_t depth, uint64_t ts)
{
	while (s->nstack && s->stack[s->nstack - 1].depth >= depth)
		s->nstack--;
	if (s->nstack == CT_TRACE_MAX_STACK)
		return 0; /* the reader drops it too; its return goes explicit */
	if (s->nstack == s->capstack) {
		uint32_t cap = s->capstack ? s->capstack * 2 : 16;
		struct wframe *f = realloc(s->stack, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		s->stack = f;
		s->capstack = cap;
	}
	s->stack[s->nstack++] = (struct wframe){ .fid = fid, .depth = depth, .ts = ts };
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
		err = intern_func(w, ev, &fid);
		if (!err)
			err = note_srcline(w, fid, ev);
		if (!err)
			err = plan_typed(w, ev, &typed);
	} else {
		typed.kind = 0;
		typed.size = 0;
		err = intern_str(w, ev->path, &psid);
	}
	if (!err)
		err = buf_reserve(&w->ev, EV_RESERVE + (size_t)w->regs_words * 11 + typed.size);
	if (!err)
		err = switch_thread(w, ev->pid, ev->tid);
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
		p = put_typed(p, &typed);
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
		err = push_frame(s, fid, ev->depth, ev->ts_ns);
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
	err = buf_reserve(&w->ev, EV_RESERVE);
	if (!err)
		err = switch_thread(w, pid, tid);
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
	    buf_reserve(&w->ev, cs + CT_TF_CHUNK_HDR + EV_RESERVE) ||
	    buf_reserve(&w->sym, CT_TF_CHUNK_HDR + 4096) || tmap_grow(w))
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
		err = buf_reserve(&end, CT_TF_CHUNK_HDR);
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
