/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file reader (docs/trace-format.md).
 *
 * Input comes from memory, from a regular file through pread() into one
 * reusable chunk buffer, or from a pipe through read(); chunks are checked
 * (header CRC, payload CRC) before a byte of them is decoded.  Streaming
 * reads the chunks in file order and reports damage as it meets it:
 * -EBADMSG for a skipped chunk, -ENODATA for a file that ends inside one.
 * build_index() makes one pass over the file instead, keeping the intact
 * event chunks and loading every string and function, after which any chunk
 * decodes on its own (the format restarts all decoder state per chunk).
 *
 * Every allocation is bounded by bytes actually present: a payload buffer
 * only after its length fits the rest of the file and CT_TRACE_MAX_PAYLOAD,
 * per-chunk thread and stack state only as records that create them are
 * decoded (so at most proportional to the chunk), string-id gaps left by
 * lost symbol chunks only up to the number of damaged bytes.  Decoding
 * allocates nothing per event once buffers have grown, except for typed
 * values (1.1): they must live until close like the strings, so each
 * distinct value, and each distinct list of (name, value) pairs, is copied
 * once into the arena and found again by a hash of its bytes; decoding a
 * chunk again (the REPL pages back and forth) adds nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/crc32c.h"
#include "trace/tracefile.h"

/*
 * A fuzzing build (tests/fuzz/run.sh) computes every checksum but ignores
 * mismatches, so that mutated inputs get past them to the decoders; the
 * macro is libFuzzer's convention (also honoured by libpng, zlib, ...).
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define crc_ok(computed, stored) ((void)(computed), (void)(stored), true)
#else
#define crc_ok(computed, stored) ((computed) == (stored))
#endif

enum src_kind { SRC_MEM, SRC_FILE, SRC_PIPE };

struct rframe {
	uint32_t fid;
	uint32_t depth;
	uint64_t ts;
};

struct rslot {
	pid_t pid, tid;
	uint32_t depth;
	uint64_t args[CT_MAX_ARGS];
	uint64_t *regs; /* regs_words, allocated at the first snapshot, kept */
	struct rframe *stack;
	uint32_t nstack, capstack;
};

struct rfunc {
	const char *name, *module;
	uint64_t addr;
	const char *src_file; /* 1.1 SRCLINE record, else NULL and 0 */
	uint32_t src_line;
};

/* Interned copies: each distinct byte string once, in the arena. */
struct ientry_str {
	uint64_t hash;
	const void *p; /* NULL: empty bucket */
	size_t len;
};

struct itab {
	struct ientry_str *e;
	size_t cap, n;
};

/* A chunk header as read, fields named after the EVENTS meaning. */
struct chdr {
	uint16_t type, hdr_len;
	uint32_t plen, count;
	uint64_t a, b, c, lost;
	uint32_t pcrc;
};

/* An index entry with what is needed to load it again. */
struct ientry {
	struct ct_trace_chunk pub;
	uint16_t hdr_len;
	uint32_t plen;
	uint32_t pcrc;
	bool bad; /* found undecodable: counted once */
};

struct ablock {
	struct ablock *next;
	size_t used, cap;
	char data[];
};

struct ct_trace_reader {
	enum src_kind kind;
	int fd;
	const uint8_t *mem;
	uint64_t size;     /* bytes in the input; UINT64_MAX for a pipe */
	uint64_t pipe_pos; /* pipe: bytes consumed */

	struct ct_trace_info info;
	unsigned regs_words;
	uint32_t header_len;

	char err[CT_TRACE_ERRLEN];
	int fatal; /* sticky -errno */
	bool done; /* streaming: nothing more to read */

	/* strings and functions; id 0 is "none", lost ids hold NULL */
	struct ablock *arena;
	const char **strs;
	uint32_t nstrs, capstrs;
	struct rfunc *funcs;
	uint32_t nfuncs, capfuncs;
	uint64_t sym_hwm;     /* end of the last SYMBOLS chunk loaded */
	uint64_t gap_budget;  /* damaged bytes seen, bounding id gaps */
	uint64_t damage_hwm;  /* damage below this offset is already in gap_budget */

	/* typed values (1.1): interned values and (name, value) lists */
	struct itab ivals, ilists;
	struct ct_named_value scratch[CT_TRACE_MAX_NAMED];

	/* the chunk buffer (file, pipe) */
	uint8_t *buf;
	size_t bufcap;

	/* streaming position */
	uint64_t next_off;

	/* the EVENTS chunk being decoded */
	bool active;
	const uint8_t *p, *end, *payload;
	uint64_t c_off;
	uint32_t c_count, c_events;
	uint64_t c_last_ts, c_lost, c_lost_seen;
	long c_ientry; /* index entry of the chunk, or -1 */
	uint64_t seq, ts;
	unsigned nargs;
	struct rslot *slots;
	uint32_t nslots, capslots;
	struct rslot *cur;
	bool regs_pending;
	struct ct_regs regs;
	/* typed values of the next event, from an EXT record before it */
	bool args_pending, ret_pending;
	const struct ct_named_value *pend_named;
	unsigned pend_nr;
	const char *pend_ret;

	/* index */
	bool indexed;
	struct ientry *idx;
	size_t nidx, capidx, idx_pos;

	struct ct_trace_stats stats;
};

static void seterr(struct ct_trace_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(struct ct_trace_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

/* ---- little helpers ---- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* LEB128, at most 10 bytes and 64 bits.  0, or -1 when cut short or too long. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned shift;

	if (p < end && *p < 0x80) {
		*v = *p;
		*pp = p + 1;
		return 0;
	}
	for (shift = 0;; shift += 7) {
		uint8_t b;

		if (p >= end)
			return -1;
		b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		if (shift == 63)
			return -1;
	}
	*v = x;
	*pp = p;
	return 0;
}

static inline uint64_t unzigzag(uint64_t u)
{
	return (u >> 1) ^ (0 - (u & 1));
}

/* n bytes that live until close, aligned to align (a power of 2 <= 16). */
static void *arena_alloc(struct ct_trace_reader *r, size_t n, size_t align)
{
	struct ablock *b = r->arena;

	if (b)
		b->used = (b->used + align - 1) & ~(align - 1);
	if (!b || b->used > b->cap || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = r->arena;
		r->arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static char *arena_str(struct ct_trace_reader *r, const uint8_t *s, size_t n)
{
	char *c = arena_alloc(r, n + 1, 1);

	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

static uint64_t hash_bytes(const void *s, size_t n)
{
	const uint8_t *b = s;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * The arena copy of the n bytes at s (a string gets a terminating NUL,
 * a list is aligned for pointers), the same pointer for the same bytes.
 * NULL on ENOMEM.
 */
static const void *intern(struct ct_trace_reader *r, struct itab *t, const void *s, size_t n,
			  bool str)
{
	uint64_t h = hash_bytes(s, n);
	struct ientry_str *e;
	size_t i;
	void *c;

	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256, j;
		struct ientry_str *ne = calloc(cap, sizeof(*ne));

		if (!ne)
			return NULL;
		for (j = 0; j < t->cap; j++) {
			if (!t->e[j].p)
				continue;
			for (i = t->e[j].hash & (cap - 1); ne[i].p; i = (i + 1) & (cap - 1))
				;
			ne[i] = t->e[j];
		}
		free(t->e);
		t->e = ne;
		t->cap = cap;
	}
	for (i = h & (t->cap - 1); t->e[i].p; i = (i + 1) & (t->cap - 1)) {
		e = &t->e[i];
		if (e->hash == h && e->len == n && !memcmp(e->p, s, n))
			return e->p;
	}
	if (str) {
		c = arena_str(r, s, n);
	} else {
		c = arena_alloc(r, n ? n : 1, sizeof(void *));
		if (c)
			memcpy(c, s, n);
	}
	if (!c)
		return NULL;
	t->e[i] = (struct ientry_str){ .hash = h, .p = c, .len = n };
	t->n++;
	return c;
}

/* ---- input ---- */

/* Up to len bytes at off into dst; *got < len only at end of input. */
static int src_read(struct ct_trace_reader *r, uint64_t off, void *dst, size_t len, size_t *got)
{
	uint8_t *d = dst;

	*got = 0;
	if (r->kind == SRC_MEM) {
		if (off < r->size) {
			*got = r->size - off < len ? (size_t)(r->size - off) : len;
			memcpy(d, r->mem + off, *got);
		}
		return 0;
	}
	if (r->kind == SRC_PIPE) {
		uint8_t skip[512];

		/* A pipe only goes forward: skip up to off, never back. */
		if (off < r->pipe_pos)
			return -ESPIPE;
		while (r->pipe_pos < off) {
			size_t want = off - r->pipe_pos < sizeof(skip) ? (size_t)(off - r->pipe_pos)
								      : sizeof(skip);
			ssize_t k = read(r->fd, skip, want);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -errno;
			if (k == 0)
				return 0;
			r->pipe_pos += (uint64_t)k;
		}
	}
	while (*got < len) {
		ssize_t k;

		if (r->kind == SRC_FILE) {
			if (off + *got >= r->size)
				break;
			k = pread(r->fd, d + *got, len - *got, (off_t)(off + *got));
		} else {
			k = read(r->fd, d + *got, len - *got);
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		*got += (size_t)k;
		if (r->kind == SRC_PIPE)
			r->pipe_pos += (uint64_t)k;
	}
	return 0;
}

/* len bytes at off: a pointer into memory, or into buf (grown to len, which
 * the caller has bounded).  *got < len only at end of input. */
static int src_map(struct ct_trace_reader *r, uint64_t off, size_t len, uint8_t **buf,
		   size_t *cap, const uint8_t **out, size_t *got)
{
	if (r->kind == SRC_MEM) {
		*got = off < r->size ? (r->size - off < len ? (size_t)(r->size - off) : len) : 0;
		*out = r->mem + off;
		return 0;
	}
	if (*cap < len || !*buf) {
		/* never NULL, even for an empty payload: callers do p + len */
		uint8_t *nb = realloc(*buf, len ? len : 1);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = len ? len : 1;
	}
	*out = *buf;
	return src_read(r, off, *buf, len, got);
}

static int io_error(struct ct_trace_reader *r, uint64_t off, int err)
{
	if (err == -ENOMEM)
		seterr(r, "out of memory");
	else
		seterr(r, "read error at offset %llu: %s", (unsigned long long)off, strerror(-err));
	r->fatal = err;
	return err;
}

/* ---- chunk headers ---- */

enum { CH_OK, CH_EOF, CH_TRUNC_HDR, CH_TRUNC_PAYLOAD, CH_BAD };

/* Read and check the chunk header at off.  CH_* or -errno. */
static int read_chunk_header(struct ct_trace_reader *r, uint64_t off, struct chdr *h)
{
	uint8_t hb[CT_TF_CHUNK_HDR_MAX];
	size_t got, more;
	int err;

	err = src_read(r, off, hb, CT_TF_CHUNK_HDR, &got);
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
		err = src_read(r, off + CT_TF_CHUNK_HDR, hb + CT_TF_CHUNK_HDR,
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
		int err = src_read(r, pos, win, sizeof(win), &got);

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

/* ---- string and function tables ---- */

static int push_str(struct ct_trace_reader *r, const char *s)
{
	if (r->nstrs == UINT32_MAX)
		return -EBADMSG;
	if (r->nstrs == r->capstrs) {
		uint32_t cap = r->capstrs ? r->capstrs * 2 : 256;
		const char **n = realloc(r->strs, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->strs = n;
		r->capstrs = cap;
	}
	r->strs[r->nstrs++] = s;
	return 0;
}

static int push_func(struct ct_trace_reader *r, const char *name, const char *module,
		     uint64_t addr)
{
	if (r->nfuncs == UINT32_MAX)
		return -EBADMSG;
	if (r->nfuncs == r->capfuncs) {
		uint32_t cap = r->capfuncs ? r->capfuncs * 2 : 256;
		struct rfunc *n = realloc(r->funcs, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->funcs = n;
		r->capfuncs = cap;
	}
	r->funcs[r->nfuncs++] = (struct rfunc){ .name = name, .module = module, .addr = addr };
	return 0;
}

/* Make ids up to (excluding) nstr, nfunc exist, as unknown. */
static int pad_ids(struct ct_trace_reader *r, uint64_t nstr, uint64_t nfunc)
{
	int err = 0;

	while (!err && r->nstrs < nstr)
		err = push_str(r, NULL);
	while (!err && r->nfuncs < nfunc)
		err = push_func(r, NULL, NULL, 0);
	return err;
}

/*
 * The body [p, end) of an EXT record of a SYMBOLS chunk: a SRCLINE record
 * sets a function's source location; an empty body or another kind is
 * skipped (a later minor version's).  NULL, or why it is corrupt.
 */
static const char *symbols_ext(struct ct_trace_reader *r, const uint8_t *p, const uint8_t *end)
{
	uint64_t kind, fid, sid, line;

	if (p == end)
		return NULL;
	if (get_varint(&p, end, &kind))
		return "bad extension record";
	if (kind != CT_TF_X_SRCLINE)
		return NULL;
	if (get_varint(&p, end, &fid) || get_varint(&p, end, &sid) ||
	    get_varint(&p, end, &line) || p != end)
		return "bad source line record";
	if (!fid || fid >= r->nfuncs || sid >= r->nstrs)
		return "source line of an undefined function or string";
	if (line > UINT32_MAX)
		return "source line out of range";
	r->funcs[fid].src_file = r->strs[sid];
	r->funcs[fid].src_line = (uint32_t)line;
	return NULL;
}

/*
 * The ids a SYMBOLS chunk defines (from its header) exist after this,
 * whether its records load or not: -EBADMSG leaves the undecoded ones
 * unknown.  Ids skipped before it (symbol chunks lost with their headers)
 * are allowed only up to the damaged bytes seen, each id having taken at
 * least one of them.
 */
static int load_symbols(struct ct_trace_reader *r, const struct chdr *h, const uint8_t *p,
			bool payload_ok, const char **why)
{
	const uint8_t *end = p + h->plen;
	uint64_t gap, nstr = 0, nfunc = 0;
	int err;

	*why = NULL;
	if (h->a < r->nstrs || h->b < r->nfuncs || h->a == 0 || h->b == 0) {
		*why = "symbol ids out of order";
		return -EBADMSG;
	}
	/* each check before the sum it guards, so that nothing wraps */
	if (h->count > h->plen || h->c > h->plen || h->count + h->c > h->plen) {
		*why = "more symbols than bytes";
		return -EBADMSG;
	}
	if (h->a > UINT32_MAX || h->b > UINT32_MAX || h->a + h->count > UINT32_MAX ||
	    h->b + h->c > UINT32_MAX) {
		*why = "symbol ids out of range";
		return -EBADMSG;
	}
	gap = h->a - r->nstrs;
	if (gap > r->gap_budget || h->b - r->nfuncs > r->gap_budget - gap) {
		*why = "symbol ids skip more than the damage explains";
		return -EBADMSG;
	}
	gap += h->b - r->nfuncs;
	r->gap_budget -= gap;
	err = pad_ids(r, h->a, h->b);
	while (!err && payload_ok && p < end) {
		uint8_t tag = *p++;
		uint64_t len, msid, nsid, addr;
		const char *s;

		switch (tag) {
		case CT_TF_S_STRING:
			if (get_varint(&p, end, &len) || len > (uint64_t)(end - p)) {
				*why = "string overruns the chunk";
				goto bad;
			}
			if (nstr == h->count) {
				*why = "more strings than the header says";
				goto bad;
			}
			s = arena_str(r, p, (size_t)len);
			if (!s)
				return -ENOMEM;
			p += len;
			err = push_str(r, s);
			nstr++;
			break;
		case CT_TF_S_FUNC:
			if (get_varint(&p, end, &msid) || get_varint(&p, end, &nsid) ||
			    get_varint(&p, end, &addr)) {
				*why = "function record cut short";
				goto bad;
			}
			if (msid >= r->nstrs || nsid >= r->nstrs) {
				*why = "function names an undefined string";
				goto bad;
			}
			if (nfunc == h->c) {
				*why = "more functions than the header says";
				goto bad;
			}
			err = push_func(r, r->strs[nsid], r->strs[msid], addr);
			nfunc++;
			break;
		case CT_TF_R_EXT:
			if (get_varint(&p, end, &len) || len > (uint64_t)(end - p)) {
				*why = "extension record overruns the chunk";
				goto bad;
			}
			*why = symbols_ext(r, p, p + len);
			if (*why)
				goto bad;
			p += len;
			break;
		default:
			*why = "unknown symbol record";
			goto bad;
		}
	}
	if (err)
		return err;
	if (payload_ok && (nstr != h->count || nfunc != h->c)) {
		*why = "fewer symbols than the header says";
		goto bad;
	}
	if (!payload_ok)
		goto pad;
	return 0;
bad:
	err = -EBADMSG;
pad:
	{
		int e = pad_ids(r, h->a + h->count, h->b + h->c);

		return e ? e : (payload_ok ? err : -EBADMSG);
	}
}

/* ---- events ---- */

static void start_chunk(struct ct_trace_reader *r, uint64_t off, const struct chdr *h,
			const uint8_t *payload, long ientry)
{
	r->active = true;
	r->payload = r->p = payload;
	r->end = payload + h->plen;
	r->c_off = off;
	r->c_count = h->count;
	r->c_events = 0;
	r->c_last_ts = h->c;
	r->c_lost = h->lost;
	r->c_lost_seen = 0;
	r->c_ientry = ientry;
	r->seq = h->a;
	r->ts = h->b;
	r->nargs = 0;
	r->nslots = 0;
	r->cur = NULL;
	r->regs_pending = false;
	r->args_pending = r->ret_pending = false;
}

/* The chunk being decoded turned out undecodable: report it, drop the rest. */
static int chunk_corrupt(struct ct_trace_reader *r, const uint8_t *at, const char *why)
{
	bool count = true;

	if (r->c_ientry >= 0) {
		count = !r->idx[r->c_ientry].bad;
		r->idx[r->c_ientry].bad = true;
	}
	if (count) {
		r->stats.bad_chunks++;
		r->stats.bad_bytes += (uint64_t)(r->end - at);
		if (r->c_count > r->c_events)
			r->stats.bad_events += r->c_count - r->c_events;
	}
	seterr(r, "corrupt chunk at offset %llu: %s (payload byte %zu)",
	       (unsigned long long)r->c_off, why, (size_t)(at - r->payload));
	r->active = false;
	return -EBADMSG;
}

static int slot_new(struct ct_trace_reader *r, pid_t pid, pid_t tid)
{
	struct rslot *s;

	if (r->nslots == r->capslots) {
		uint32_t cap = r->capslots ? r->capslots * 2 : 16;
		struct rslot *n = realloc(r->slots, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n + r->capslots, 0, (size_t)(cap - r->capslots) * sizeof(*n));
		r->slots = n;
		r->capslots = cap;
	}
	s = &r->slots[r->nslots++];
	s->pid = pid;
	s->tid = tid;
	s->depth = 0;
	memset(s->args, 0, sizeof(s->args));
	if (s->regs)
		memset(s->regs, 0, r->regs_words * sizeof(*s->regs));
	s->nstack = 0;
	r->cur = s;
	return 0;
}

static int push_frame(struct rslot *s, uint32_t fid, uint32_t depth, uint64_t ts)
{
	while (s->nstack && s->stack[s->nstack - 1].depth >= depth)
		s->nstack--;
	if (s->nstack == CT_TRACE_MAX_STACK)
		return 0;
	if (s->nstack == s->capstack) {
		uint32_t cap = s->capstack ? s->capstack * 2 : 16;
		struct rframe *f = realloc(s->stack, (size_t)cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		s->stack = f;
		s->capstack = cap;
	}
	s->stack[s->nstack++] = (struct rframe){ .fid = fid, .depth = depth, .ts = ts };
	return 0;
}

/* n values against base (updated), after 2-bit selectors.  0 or -1. */
static inline int get_values(const uint8_t **pp, const uint8_t *end, uint64_t *base, unsigned n)
{
	const uint8_t *p = *pp, *sel = p;
	unsigned i, nsel = (n + 3) / 4;

	if ((size_t)(end - p) < nsel)
		return -1;
	/* selectors past n must be zero */
	if (n % 4 && sel[nsel - 1] >> (2 * (n % 4)))
		return -1;
	p += nsel;
	for (i = 0; i < n; i++) {
		unsigned s = (sel[i / 4] >> (2 * (i % 4))) & 3;
		uint64_t v;

		if (s == CT_TF_SEL_SAME)
			continue;
		if (get_varint(&p, end, &v))
			return -1;
		if (s == CT_TF_SEL_ZIGZAG)
			v = unzigzag(v);
		else if (s == CT_TF_SEL_DELTA)
			v = base[i] + unzigzag(v);
		base[i] = v;
	}
	*pp = p;
	return 0;
}

static const enum ct_event_type ev_types[] = {
	[CT_TF_R_CALL] = CT_EV_CALL,
	[CT_TF_R_RETURN] = CT_EV_RETURN,
	[CT_TF_R_UNWIND] = CT_EV_UNWIND,
	[CT_TF_R_THREAD_START] = CT_EV_THREAD_START,
	[CT_TF_R_THREAD_EXIT] = CT_EV_THREAD_EXIT,
	[CT_TF_R_FORK] = CT_EV_FORK,
	[CT_TF_R_EXEC] = CT_EV_EXEC,
	[CT_TF_R_SIGNAL] = CT_EV_SIGNAL,
	[CT_TF_R_EXIT] = CT_EV_EXIT,
};

static bool get_s32(const uint8_t **pp, const uint8_t *end, int *v)
{
	uint64_t u;
	int64_t s;

	if (get_varint(pp, end, &u))
		return false;
	s = (int64_t)unzigzag(u);
	if (s < INT32_MIN || s > INT32_MAX)
		return false;
	*v = (int)s;
	return true;
}

/* memset() of the whole event becomes `rep stos` here, a third of the
 * decoding time; plain stores of each field are several times cheaper. */
static inline void ev_clear(struct ct_event *ev)
{
	unsigned i;

	ev->flags = 0;
	ev->func = ev->module = ev->path = NULL;
	ev->addr = 0;
	ev->depth = 0;
	ev->nr_args = 0;
	for (i = 0; i < CT_MAX_ARGS; i++)
		ev->args[i] = 0;
	ev->retval = ev->duration_ns = 0;
	ev->parent = ev->child = 0;
	ev->signo = ev->status = 0;
	ev->regs = NULL;
	ev->nr_named = 0;
	ev->named = NULL;
	ev->ret_text = NULL;
	ev->src_file = NULL;
	ev->src_line = 0;
}

/*
 * The body [p, end) of an EXT record of an EVENTS chunk: typed values
 * (ARGS, RETVAL) become pending for the next event; an empty body or
 * another kind is skipped.  0, -EBADMSG with *why, or -ENOMEM.
 */
static int events_ext(struct ct_trace_reader *r, const uint8_t *p, const uint8_t *end,
		      const char **why)
{
	uint64_t kind, n, sid, len, i;
	const char *v;

	if (p == end)
		return 0;
	if (get_varint(&p, end, &kind))
		goto bad;
	switch (kind) {
	case CT_TF_X_ARGS:
		if (r->args_pending || r->ret_pending) {
			*why = "typed values twice for one event";
			return -EBADMSG;
		}
		if (get_varint(&p, end, &n))
			goto bad;
		if (n > CT_TRACE_MAX_NAMED) {
			*why = "too many named values";
			return -EBADMSG;
		}
		for (i = 0; i < n; i++) {
			if (get_varint(&p, end, &sid) || get_varint(&p, end, &len))
				goto bad;
			if (sid >= r->nstrs) {
				*why = "undefined string id";
				return -EBADMSG;
			}
			if (len > CT_TRACE_MAX_VALUE) {
				*why = "typed value too long";
				return -EBADMSG;
			}
			if (len > (uint64_t)(end - p))
				goto bad;
			v = intern(r, &r->ivals, p, (size_t)len, true);
			if (!v)
				return -ENOMEM;
			p += len;
			/* unnamed (0) and unknown names read as "" */
			r->scratch[i].name = r->strs[sid] ? r->strs[sid] : "";
			r->scratch[i].value = v;
		}
		if (p != end)
			goto bad;
		r->pend_named = NULL;
		if (n) {
			r->pend_named = intern(r, &r->ilists, r->scratch,
					       (size_t)n * sizeof(r->scratch[0]), false);
			if (!r->pend_named)
				return -ENOMEM;
		}
		r->pend_nr = (unsigned)n;
		r->args_pending = true;
		return 0;
	case CT_TF_X_RETVAL:
		if (r->args_pending || r->ret_pending) {
			*why = "typed values twice for one event";
			return -EBADMSG;
		}
		if (get_varint(&p, end, &len))
			goto bad;
		if (len > CT_TRACE_MAX_VALUE) {
			*why = "typed value too long";
			return -EBADMSG;
		}
		if (len != (uint64_t)(end - p))
			goto bad;
		r->pend_ret = intern(r, &r->ivals, p, (size_t)len, true);
		if (!r->pend_ret)
			return -ENOMEM;
		r->ret_pending = true;
		return 0;
	default:
		return 0; /* a later minor version's */
	}
bad:
	*why = "bad typed values record";
	return -EBADMSG;
}

static inline bool func_ok(const struct ct_trace_reader *r, uint64_t fid)
{
	return fid && fid < r->nfuncs;
}

/*
 * Decode records of the active chunk up to the next event (or lost record
 * when lost is not NULL).  CT_TRACE_EVENT, CT_TRACE_LOST, 0 at the end of
 * the chunk, -EBADMSG (chunk dropped) or -ENOMEM.
 */
static int decode(struct ct_trace_reader *r, struct ct_event *ev, struct ct_trace_lost *lost)
{
	const uint8_t *p = r->p, *end = r->end, *rec;
	const char *why;
	int err;

	while (p < end) {
		struct rslot *s = r->cur;
		uint8_t tag, type;
		uint64_t v, dt, ts = 0;

		rec = p;
		tag = *p++;
		type = tag & 0x0f;
		if (r->regs_pending && (type < CT_TF_R_CALL || type > CT_TF_R_EXIT)) {
			why = "register snapshot not followed by an event";
			goto bad;
		}
		/* typed values: only SEQ, REGS and EXT may come between them and their event */
		if ((r->args_pending && type != CT_TF_R_CALL) ||
		    (r->ret_pending && type != CT_TF_R_RETURN)) {
			if (type != CT_TF_R_SEQ && type != CT_TF_R_REGS && type != CT_TF_R_EXT) {
				why = "typed values not followed by their event";
				goto bad;
			}
		}
		if (type >= CT_TF_R_CALL && type <= CT_TF_R_EXIT) {
			if (!s) {
				why = "event before any thread record";
				goto bad;
			}
			if (get_varint(&p, end, &dt))
				goto cut;
			ts = tag & CT_TF_TSNEG ? r->ts - dt : r->ts + dt;
			ev_clear(ev);
			ev->seq = r->seq++;
			ev->ts_ns = r->ts = ts;
			ev->pid = s->pid;
			ev->tid = s->tid;
			ev->type = ev_types[type];
			ev->arch = r->info.arch;
			if (r->regs_pending) {
				ev->regs = &r->regs;
				r->regs_pending = false;
			}
		}

		switch (type) {
		case CT_TF_R_CALL: {
			uint64_t fid, adj = 0, depth;
			const struct rfunc *f;

			if (get_varint(&p, end, &fid))
				goto cut;
			if (!func_ok(r, fid)) {
				why = "undefined function id";
				goto bad;
			}
			if ((tag & CT_TF_CALL_DEPTH) && get_varint(&p, end, &adj))
				goto cut;
			depth = (uint64_t)s->depth + 1 + unzigzag(adj);
			if (depth > UINT32_MAX) {
				why = "depth out of range";
				goto bad;
			}
			if (tag & CT_TF_CALL_NARGS) {
				if (get_varint(&p, end, &v))
					goto cut;
				if (v > CT_MAX_ARGS) {
					why = "too many arguments";
					goto bad;
				}
				r->nargs = (unsigned)v;
			}
			if (tag & CT_TF_CALL_FLAGS) {
				if (get_varint(&p, end, &v))
					goto cut;
				if (v > UINT32_MAX) {
					why = "flags out of range";
					goto bad;
				}
				ev->flags = (uint32_t)v;
			}
			if (get_values(&p, end, s->args, r->nargs))
				goto cut;
			memcpy(ev->args, s->args, r->nargs * sizeof(ev->args[0]));
			ev->nr_args = r->nargs;
			if (r->args_pending) {
				if (!(ev->flags & CT_EVF_TYPED)) {
					why = "typed values for an untyped call";
					goto bad;
				}
				ev->named = r->pend_named;
				ev->nr_named = r->pend_nr;
				r->args_pending = false;
			}
			f = &r->funcs[fid];
			ev->func = f->name;
			ev->module = f->module;
			ev->addr = f->addr;
			ev->src_file = f->src_file;
			ev->src_line = f->src_line;
			ev->depth = (uint32_t)depth;
			s->depth = (uint32_t)depth;
			err = push_frame(s, (uint32_t)fid, (uint32_t)depth, ts);
			if (err)
				return err;
			goto event;
		}
		case CT_TF_R_RETURN:
		case CT_TF_R_UNWIND: {
			uint64_t fid, depth, dur, more = 0;
			const struct rfunc *f;
			const struct rframe *top = NULL;

			if (tag & CT_TF_RET_EXPLICIT) {
				if (get_varint(&p, end, &fid) || get_varint(&p, end, &depth))
					goto cut;
				if (!func_ok(r, fid)) {
					why = "undefined function id";
					goto bad;
				}
				if (depth > UINT32_MAX) {
					why = "depth out of range";
					goto bad;
				}
			} else {
				if (!s->nstack) {
					why = "return without a call to close";
					goto bad;
				}
				top = &s->stack[s->nstack - 1];
				fid = top->fid;
				depth = top->depth;
			}
			if (tag & CT_TF_RET_MORE) {
				if (get_varint(&p, end, &more))
					goto cut;
				if (more & ~(uint64_t)(CT_TF_MORE_FLAGS | CT_TF_MORE_ADJ) ||
				    (top == NULL && (more & CT_TF_MORE_ADJ))) {
					why = "bad return field bits";
					goto bad;
				}
			}
			if (more & CT_TF_MORE_FLAGS) {
				if (get_varint(&p, end, &v))
					goto cut;
				if (v > UINT32_MAX) {
					why = "flags out of range";
					goto bad;
				}
				ev->flags = (uint32_t)v;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			ev->retval = tag & CT_TF_RET_PLAIN ? v : unzigzag(v);
			dur = 0;
			if ((!top || (more & CT_TF_MORE_ADJ)) && get_varint(&p, end, &dur))
				goto cut;
			if (top) {
				ev->duration_ns = (ts - top->ts) + unzigzag(dur);
				s->nstack--;
			} else {
				ev->duration_ns = dur;
				while (s->nstack && s->stack[s->nstack - 1].depth >= depth)
					s->nstack--;
			}
			if (r->ret_pending) {
				if (!(ev->flags & CT_EVF_TYPED)) {
					why = "typed value for an untyped return";
					goto bad;
				}
				ev->ret_text = r->pend_ret;
				r->ret_pending = false;
			}
			f = &r->funcs[fid];
			ev->func = f->name;
			ev->module = f->module;
			ev->addr = f->addr;
			ev->src_file = f->src_file;
			ev->src_line = f->src_line;
			ev->depth = (uint32_t)depth;
			s->depth = depth ? (uint32_t)depth - 1 : 0;
			goto event;
		}
		case CT_TF_R_THREAD_START:
		case CT_TF_R_THREAD_EXIT:
		case CT_TF_R_FORK:
		case CT_TF_R_EXEC:
		case CT_TF_R_SIGNAL:
		case CT_TF_R_EXIT:
			if (tag & 0x60) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (tag & CT_TF_PROC_FLAGS) {
				if (get_varint(&p, end, &v))
					goto cut;
				if (v > UINT32_MAX) {
					why = "flags out of range";
					goto bad;
				}
				ev->flags = (uint32_t)v;
			}
			if (!get_s32(&p, end, &ev->parent) || !get_s32(&p, end, &ev->child) ||
			    !get_s32(&p, end, &ev->signo) || !get_s32(&p, end, &ev->status) ||
			    get_varint(&p, end, &v)) {
				why = "process event fields cut short or out of range";
				goto bad;
			}
			if (v >= r->nstrs) {
				why = "undefined string id";
				goto bad;
			}
			ev->path = r->strs[v];
			goto event;
		case CT_TF_R_THREAD: {
			uint64_t pid, tid;

			if (tag & 0xf0) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			if (v < r->nslots) {
				r->cur = &r->slots[v];
				break;
			}
			if (v > r->nslots || r->nslots == CT_TRACE_MAX_THREADS) {
				why = "bad thread index";
				goto bad;
			}
			if (get_varint(&p, end, &pid) || get_varint(&p, end, &tid))
				goto cut;
			if (pid > UINT32_MAX || tid > UINT32_MAX) {
				why = "thread id out of range";
				goto bad;
			}
			err = slot_new(r, (pid_t)(uint32_t)pid, (pid_t)(uint32_t)tid);
			if (err)
				return err;
			break;
		}
		case CT_TF_R_REGS:
			if (tag & 0xf0) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (!s) {
				why = "register snapshot before any thread record";
				goto bad;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			if (v != r->regs_words) {
				why = "register snapshot of the wrong size";
				goto bad;
			}
			if (!s->regs) {
				s->regs = calloc(r->regs_words, sizeof(*s->regs));
				if (!s->regs)
					return -ENOMEM;
			}
			if (get_values(&p, end, s->regs, r->regs_words))
				goto cut;
			memcpy(r->regs.w, s->regs, r->regs_words * sizeof(*s->regs));
			r->regs_pending = true;
			break;
		case CT_TF_R_LOST:
			if (tag & 0xf0) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (!s) {
				why = "lost-event record before any thread record";
				goto bad;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			s->nstack = 0;
			r->c_lost_seen += v;
			if (lost) {
				lost->pid = s->pid;
				lost->tid = s->tid;
				lost->count = v;
				r->p = p;
				return CT_TRACE_LOST;
			}
			break;
		case CT_TF_R_SEQ:
			if (tag & 0xf0) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			r->seq += unzigzag(v);
			break;
		case CT_TF_R_EXT:
			if (tag & 0xf0) {
				why = "reserved tag bits set";
				goto bad;
			}
			if (get_varint(&p, end, &v))
				goto cut;
			if (v > (uint64_t)(end - p))
				goto cut;
			err = events_ext(r, p, p + v, &why);
			if (err == -ENOMEM)
				return err;
			if (err)
				goto bad;
			p += v;
			break;
		default:
			why = "unknown record type";
			goto bad;
		}
		continue;
event:
		r->c_events++;
		r->p = p;
		return CT_TRACE_EVENT;
	}

	/* The chunk's records must agree with its header. */
	r->p = p;
	rec = p;
	if (r->regs_pending) {
		why = "register snapshot at the end of the chunk";
		goto bad;
	}
	if (r->args_pending || r->ret_pending) {
		why = "typed values at the end of the chunk";
		goto bad;
	}
	if (r->c_events != r->c_count) {
		why = "event count differs from the header";
		goto bad;
	}
	if (r->c_count && r->ts != r->c_last_ts) {
		why = "last timestamp differs from the header";
		goto bad;
	}
	if (r->c_lost_seen != r->c_lost) {
		why = "lost-event count differs from the header";
		goto bad;
	}
	r->active = false;
	return 0;
cut:
	why = "record cut short";
bad:
	return chunk_corrupt(r, rec, why);
}

/* ---- streaming over chunks ---- */

static int chunk_bad_payload(struct ct_trace_reader *r, uint64_t off, const struct chdr *h)
{
	const char *what = h->type == CT_TF_EVENTS ? " events" : "";
	uint64_t n = h->type == CT_TF_EVENTS ? h->count : 0;

	r->stats.bad_chunks++;
	r->stats.bad_bytes += h->hdr_len + (uint64_t)h->plen;
	r->stats.bad_events += n;
	seterr(r, "corrupt chunk at offset %llu: bad checksum, %llu%s lost",
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
		return io_error(r, off, rc);
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
			seterr(r, "corrupt chunk header at offset %llu: rest of input skipped",
			       (unsigned long long)off);
			*next = UINT64_MAX;
			return -EBADMSG;
		}
		err = resync(r, off, next);
		if (err)
			return io_error(r, off, err);
		r->stats.bad_chunks++;
		r->stats.bad_bytes += *next - off;
		note_damage(r, off, *next - off);
		seterr(r, "corrupt chunk header at offset %llu: %llu bytes skipped",
		       (unsigned long long)off, (unsigned long long)(*next - off));
		return -EBADMSG;
	}
	err = src_map(r, off + h->hdr_len, h->plen, buf, cap, payload, &got);
	if (err)
		return io_error(r, off, err);
	if (got < h->plen)
		goto truncated; /* pipe */
	*next = off + h->hdr_len + h->plen;
	if (!crc_ok(ct_crc32c(0, *payload, h->plen), h->pcrc)) {
		note_damage(r, off, *next - off);
		if (h->type == CT_TF_SYMBOLS && off >= r->sym_hwm) {
			err = load_symbols(r, h, *payload, false, &why);
			if (err == -ENOMEM)
				return io_error(r, off, err);
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
			seterr(r, "corrupt chunk at offset %llu: more events than bytes",
			       (unsigned long long)off);
			return -EBADMSG;
		}
		return 1;
	case CT_TF_SYMBOLS:
		if (off < r->sym_hwm)
			return 0; /* loaded before this pass */
		err = load_symbols(r, h, *payload, true, &why);
		r->sym_hwm = *next;
		if (err == -ENOMEM)
			return io_error(r, off, err);
		if (err) {
			r->stats.bad_chunks++;
			r->stats.bad_bytes += *next - off;
			seterr(r, "corrupt chunk at offset %llu: %s", (unsigned long long)off, why);
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
			start_chunk(r, off, &h, payload, -1);
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

		err = src_map(r, e->pub.offset + e->hdr_len, e->plen, &r->buf, &r->bufcap, &payload,
			      &got);
		if (err)
			return io_error(r, e->pub.offset, err);
		r->idx_pos++;
		if (got < e->plen || !crc_ok(ct_crc32c(0, payload, e->plen), e->pcrc)) {
			/* the file changed under us */
			seterr(r, "corrupt chunk at offset %llu: changed since it was indexed",
			       (unsigned long long)e->pub.offset);
			return -EBADMSG;
		}
		h.plen = e->plen;
		h.count = e->pub.nr_events;
		h.a = e->pub.first_seq;
		h.b = e->pub.first_ts;
		h.c = e->pub.last_ts;
		h.lost = e->pub.lost;
		start_chunk(r, e->pub.offset, &h, payload, (long)(e - r->idx));
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
			rc = decode(r, ev, lost);
			if (rc == -ENOMEM)
				return io_error(r, r->c_off, rc);
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
					rc = io_error(r, off, -ENOMEM);
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

/* ---- open / close ---- */

/* A name from the file, fit for a message: printable ASCII, at most 32 bytes. */
static void safe_name(char *dst, const uint8_t *s, size_t n)
{
	size_t i;

	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[n] = '\0';
}

/* Parse and check the file header.  0 or -errno with r->err set. */
static int read_header(struct ct_trace_reader *r)
{
	uint8_t fixed[CT_TF_FILE_FIXED];
	const uint8_t *h, *p, *end;
	uint16_t major, minor, machine, words;
	uint64_t n, argc, i;
	char name[33];
	const char **argv;
	size_t got;
	uint32_t len;
	int err;

	err = src_read(r, 0, fixed, sizeof(fixed), &got);
	if (err)
		return io_error(r, 0, err);
	if (got == 0) {
		seterr(r, "empty file");
		return -ENODATA;
	}
	if (memcmp(fixed, CT_TF_MAGIC, got < CT_TF_MAGIC_LEN ? got : CT_TF_MAGIC_LEN)) {
		seterr(r, "not a calltrap trace (bad magic)");
		return -EINVAL;
	}
	if (got >= 12) {
		major = le16(fixed + 8);
		minor = le16(fixed + 10);
		if (major != CT_TRACE_VERSION_MAJOR) {
			seterr(r, "unsupported trace format version %u.%u (this calltrap reads %u.x)",
			       major, minor, CT_TRACE_VERSION_MAJOR);
			return -EPROTONOSUPPORT;
		}
	}
	if (got < CT_TF_FILE_FIXED) {
		seterr(r, "truncated header (%zu of %u bytes)", got, CT_TF_FILE_FIXED);
		return -ENODATA;
	}
	minor = le16(fixed + 10);
	len = le32(fixed + 12);
	if (len < CT_TF_FILE_FIXED + 2 + 4 || len > CT_TRACE_MAX_HEADER) {
		seterr(r, "corrupt header: bad length %u", len);
		return -EBADMSG;
	}
	if (r->kind != SRC_PIPE && len > r->size) {
		seterr(r, "truncated header (%llu of %u bytes)", (unsigned long long)r->size, len);
		return -ENODATA;
	}
	h = arena_alloc(r, len, 1);
	if (!h)
		return io_error(r, 0, -ENOMEM);
	memcpy((uint8_t *)h, fixed, sizeof(fixed));
	err = src_read(r, sizeof(fixed), (uint8_t *)h + sizeof(fixed), len - sizeof(fixed), &got);
	if (err)
		return io_error(r, 0, err);
	if (got < len - sizeof(fixed)) {
		seterr(r, "truncated header (%zu of %u bytes)", got + sizeof(fixed), len);
		return -ENODATA;
	}
	if (!crc_ok(ct_crc32c(0, h, len - 4), le32(h + len - 4))) {
		seterr(r, "corrupt header: bad checksum");
		return -EBADMSG;
	}
	machine = le16(h + 16);
	words = le16(h + 18);
	r->info.version_major = CT_TRACE_VERSION_MAJOR;
	r->info.version_minor = minor;
	r->info.machine = machine;
	r->info.pid = (pid_t)le32(h + 20);
	r->info.start_realtime_ns = le64(h + 24);
	r->info.chunk_size = le32(h + 32);

	p = h + CT_TF_FILE_FIXED;
	end = h + len - 4;
	if (get_varint(&p, end, &n) || n > (uint64_t)(end - p))
		goto overrun;
	r->info.arch_name = arena_str(r, p, (size_t)n);
	safe_name(name, p, (size_t)n);
	p += n;
	if (get_varint(&p, end, &argc) || argc > (uint64_t)(end - p))
		goto overrun;
	argv = arena_alloc(r, (size_t)(argc + 1) * sizeof(*argv), sizeof(*argv));
	if (!argv || !r->info.arch_name)
		return io_error(r, 0, -ENOMEM);
	for (i = 0; i < argc; i++) {
		if (get_varint(&p, end, &n) || n > (uint64_t)(end - p))
			goto overrun;
		argv[i] = arena_str(r, p, (size_t)n);
		if (!argv[i])
			return io_error(r, 0, -ENOMEM);
		p += n;
	}
	argv[argc] = NULL;
	r->info.argc = (unsigned)argc;
	r->info.argv = argv;
	/* bytes left before the CRC belong to later minor versions */

	r->info.arch = ct_arch_by_machine(machine);
	if (!r->info.arch) {
		seterr(r, "unsupported architecture: e_machine %u (%s)", machine, name);
		return -ENOTSUP;
	}
	if (words != r->info.arch->regs_size / 8 || words > CT_REGS_WORDS) {
		seterr(r, "corrupt header: %u register words for %s", words, r->info.arch->name);
		return -EBADMSG;
	}
	r->regs_words = words;
	r->header_len = len;
	r->next_off = len;
	r->sym_hwm = len;
	return 0;
overrun:
	seterr(r, "corrupt header: fields overrun its length");
	return -EBADMSG;
}

void ct_trace_reader_close(struct ct_trace_reader *r)
{
	uint32_t i;

	if (!r)
		return;
	while (r->arena) {
		struct ablock *b = r->arena;

		r->arena = b->next;
		free(b);
	}
	free(r->strs);
	free(r->funcs);
	free(r->ivals.e);
	free(r->ilists.e);
	free(r->buf);
	for (i = 0; i < r->capslots; i++) {
		free(r->slots[i].regs);
		free(r->slots[i].stack);
	}
	free(r->slots);
	free(r->idx);
	free(r);
}

static struct ct_trace_reader *finish_open(struct ct_trace_reader *r, char *err, size_t errlen)
{
	int rc = read_header(r);

	/* string and function id 0: none */
	if (!rc)
		rc = pad_ids(r, 1, 1);
	if (rc == -ENOMEM)
		seterr(r, "out of memory");
	if (!rc) {
		r->err[0] = '\0';
		return r;
	}
	if (err && errlen)
		snprintf(err, errlen, "%s", r->err);
	ct_trace_reader_close(r);
	errno = -rc;
	return NULL;
}

struct ct_trace_reader *ct_trace_reader_open(int fd, char *err, size_t errlen)
{
	struct ct_trace_reader *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->fd = fd;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		if (err && errlen)
			snprintf(err, errlen, "read error: %s", strerror(e));
		free(r);
		errno = e;
		return NULL;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		r->kind = SRC_FILE;
		r->size = (uint64_t)st.st_size;
		if (S_ISBLK(st.st_mode)) {
			off_t e = lseek(fd, 0, SEEK_END);

			r->size = e > 0 ? (uint64_t)e : 0;
		}
	} else {
		r->kind = SRC_PIPE;
		r->size = UINT64_MAX;
	}
	return finish_open(r, err, errlen);
}

struct ct_trace_reader *ct_trace_reader_open_mem(const void *buf, size_t len, char *err,
						  size_t errlen)
{
	struct ct_trace_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->kind = SRC_MEM;
	r->fd = -1;
	r->mem = buf;
	r->size = len;
	return finish_open(r, err, errlen);
}

const struct ct_trace_info *ct_trace_reader_info(const struct ct_trace_reader *r)
{
	return &r->info;
}

const char *ct_trace_reader_error(const struct ct_trace_reader *r)
{
	return r->err;
}

const struct ct_trace_stats *ct_trace_reader_stats(const struct ct_trace_reader *r)
{
	return &r->stats;
}
