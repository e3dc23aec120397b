/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file reader: what lives until close.  The string and function
 * tables that SYMBOLS chunks define (ids a damaged chunk took with it stay
 * unknown), the typed values of EXT records in EVENTS chunks (each distinct
 * value and list interned once), and the arena that holds them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/reader_impl.h"

/* n bytes that live until close, aligned to align (a power of 2 <= 16). */
void *ct_rd_arena_alloc(struct ct_trace_reader *r, size_t n, size_t align)
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

char *ct_rd_arena_str(struct ct_trace_reader *r, const uint8_t *s, size_t n)
{
	char *c = ct_rd_arena_alloc(r, n + 1, 1);

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
const void *ct_rd_intern(struct ct_trace_reader *r, struct itab *t, const void *s, size_t n,
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
		c = ct_rd_arena_str(r, s, n);
	} else {
		c = ct_rd_arena_alloc(r, n ? n : 1, sizeof(void *));
		if (c)
			memcpy(c, s, n);
	}
	if (!c)
		return NULL;
	t->e[i] = (struct ientry_str){ .hash = h, .p = c, .len = n };
	t->n++;
	return c;
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
	/* a name the labels do not know (out of memory) shows as it is */
	if (r->labels && name)
		(void)ct_labels_add(r->labels, name);
	return 0;
}

/* Make ids up to (excluding) nstr, nfunc exist, as unknown. */
int ct_rd_pad_ids(struct ct_trace_reader *r, uint64_t nstr, uint64_t nfunc)
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
 * sets a function's source location, a SYMBOL record (1.2) its symbol; an
 * empty body or another kind is skipped (a later minor version's).  NULL,
 * or why it is corrupt.
 */
static const char *symbols_ext(struct ct_trace_reader *r, const uint8_t *p, const uint8_t *end)
{
	uint64_t kind, fid, sid, line;

	if (p == end)
		return NULL;
	if (get_varint(&p, end, &kind))
		return "bad extension record";
	if (kind == CT_TF_X_SYMBOL) {
		if (get_varint(&p, end, &fid) || get_varint(&p, end, &sid) || p != end)
			return "bad symbol record";
		if (!fid || fid >= r->nfuncs || !sid || sid >= r->nstrs)
			return "symbol of an undefined function or string";
		r->funcs[fid].sym = r->strs[sid];
		return NULL;
	}
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
int ct_rd_load_symbols(struct ct_trace_reader *r, const struct chdr *h, const uint8_t *p,
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
	err = ct_rd_pad_ids(r, h->a, h->b);
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
			s = ct_rd_arena_str(r, p, (size_t)len);
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
		int e = ct_rd_pad_ids(r, h->a + h->count, h->b + h->c);

		return e ? e : (payload_ok ? err : -EBADMSG);
	}
}

/* ---- typed values (1.1) ---- */

/*
 * The body [p, end) of an EXT record of an EVENTS chunk: typed values
 * (ARGS, RETVAL) become pending for the next event; an empty body or
 * another kind is skipped.  0, -EBADMSG with *why, or -ENOMEM.
 */
int ct_rd_events_ext(struct ct_trace_reader *r, const uint8_t *p, const uint8_t *end,
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
			v = ct_rd_intern(r, &r->ivals, p, (size_t)len, true);
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
			r->pend_named = ct_rd_intern(r, &r->ilists, r->scratch,
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
		r->pend_ret = ct_rd_intern(r, &r->ivals, p, (size_t)len, true);
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
