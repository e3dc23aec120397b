/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer's string and function tables: each string and
 * function gets an id the first time an event names it, and its record
 * goes into the SYMBOLS chunk being built, which is written before the
 * EVENTS chunk that uses it (writer.c).
 */
#include "config.h"

#include <stdlib.h>

#include "trace/writer_impl.h"

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
int ct_tw_intern_str(struct ct_trace_writer *w, const char *s, uint32_t *sid)
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
	err = ct_tw_buf_reserve(&w->sym, 1 + 10 + n);
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
int ct_tw_intern_func(struct ct_trace_writer *w, const struct ct_event *ev, uint32_t *fid)
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
	err = ct_tw_intern_str(w, ev->module, &msid);
	if (!err)
		err = ct_tw_intern_str(w, ev->func, &nsid);
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
		err = ct_tw_intern_str(w, ev->sym, &ssid);
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
	err = ct_tw_buf_reserve(&w->sym, 1 + 3 * 10 + 2 + 3 * 10);
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
int ct_tw_note_srcline(struct ct_trace_writer *w, uint32_t fid, const struct ct_event *ev)
{
	uint32_t sid;
	unsigned body;
	uint8_t *p;
	int err;

	if (!ev->src_file && !ev->src_line)
		return 0;
	if (w->fline[fid] == ev->src_line && str_is(w, ev->src_file, w->fsrc[fid]))
		return 0;
	err = ct_tw_intern_str(w, ev->src_file, &sid);
	if (!err)
		err = ct_tw_buf_reserve(&w->sym, 2 + 4 * 10);
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
