/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer's per-thread state: for each thread of the EVENTS
 * chunk being built, what the format says its reader keeps (depth, last
 * arguments and registers, the stack of calls), so that the encoder
 * (writer.c) chooses the short forms the reader will understand.  It
 * restarts with every chunk (a new generation of the tid map).
 */
#include "config.h"

#include <stdlib.h>

#include "trace/writer_impl.h"

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

int ct_tw_tmap_grow(struct ct_trace_writer *w)
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
int ct_tw_switch_thread(struct ct_trace_writer *w, pid_t pid, pid_t tid)
{
	uint64_t key = tid_key(pid, tid);
	struct wslot *s;
	uint8_t *p;
	size_t j;
	int err;

	if (w->cur >= 0 && w->slots[w->cur].key == key)
		return 0;
	if (w->nslots * 2 >= w->tmap_cap) {
		err = ct_tw_tmap_grow(w);
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
		return ct_tw_switch_thread(w, pid, tid);
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

int ct_tw_push_frame(struct wslot *s, uint32_t fid, uint32_t depth, uint64_t ts)
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
