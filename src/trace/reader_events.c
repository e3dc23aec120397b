/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file reader: the records of an EVENTS chunk (docs/trace-format.md,
 * section 4.4), decoded one event at a time with the per-chunk state of
 * section 4.3 (threads, their argument and register bases, call stacks).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/reader_impl.h"

/* ---- events ---- */

void ct_rd_start_chunk(struct ct_trace_reader *r, uint64_t off, const struct chdr *h,
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
	ct_rd_seterr(r, "corrupt chunk at offset %llu: %s (payload byte %zu)",
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
	ev->func = ev->module = ev->path = ev->label = ev->sym = NULL;
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

/* The label of function fid's events (ct_trace_reader_set_names), or NULL. */
static inline const char *func_label(struct ct_trace_reader *r, uint64_t fid)
{
	struct rfunc *f = &r->funcs[fid];

	if (r->symbols)
		return f->sym;
	if (!f->label && r->labels && f->name)
		f->label = ct_labels_get(r->labels, f->name);
	return f->label;
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
int ct_rd_decode(struct ct_trace_reader *r, struct ct_event *ev, struct ct_trace_lost *lost)
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
			ev->label = func_label(r, fid);
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
			ev->label = func_label(r, fid);
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
			err = ct_rd_events_ext(r, p, p + v, &why);
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
