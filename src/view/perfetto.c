/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap dump --format=perfetto`: Perfetto's own protobuf trace format
 * (a Trace of TracePackets), which ui.perfetto.dev and trace_processor read
 * packet by packet, for traces too big for Chrome JSON (parsed whole).
 *
 *  - a TrackDescriptor per process (pid, name, command line) and per thread
 *    (pid, tid, name), written before the thread's first event;
 *  - a TrackEvent SLICE_BEGIN when a frame begins, named by its function
 *    (category: the module), with the arguments as the debug annotation
 *    "args" (raw: an array of pointer values; DWARF-typed: a dict of the
 *    parameters, integers and booleans as such, the rest as their C text),
 *    "tail": true for a frame entered by a tail call;
 *  - a SLICE_END when it ends, with "retval" (raw: a pointer value; typed:
 *    as the arguments), or "end": "unwind", "not recorded" or "open at the
 *    end of the trace" when it did not return;
 *  - INSTANT events for process and thread events, named by their type
 *    and annotated with the fields jsonl gives them (parent; child, vfork,
 *    followed; path; signo, signame; status; signo, signame, core), and
 *    for lost events ("lost events", count);
 *  - a last INSTANT "trace damaged" on a "calltrap" track when bytes of the
 *    recording were lost, so that the loss shows in the trace too.
 *
 * Timestamps are the events' ns (TracePacket.timestamp).  Every packet is
 * on one sequence (trusted_packet_sequence_id 1); names are interned on
 * it: function names as event_names, modules as event_categories,
 * annotation keys as debug_annotation_names, each sent in the interned_data
 * of the first packet that uses it.
 *
 * Memory: each packet is encoded into the output buffer and written out
 * with the next 64 KiB; nothing is kept per event.  The interning tables
 * hold one entry per distinct string, keyed by the reader's pointer (one
 * per distinct string): past CT_PERFETTO_MAX_INTERNED entries they are
 * emptied and the next packet clears the sequence's incremental state, so
 * they stay bounded whatever the trace.
 *
 * The field numbers (perfetto_fields.h) are those of Perfetto's
 * protos/perfetto/trace/ files; docs/perfetto_subset.proto lists the
 * messages and fields written here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output/output.h"
#include "util/hashmap.h"
#include "view/pbuf.h"
#include "view/perfetto.h"
#include "view/perfetto_fields.h"

#define SEQUENCE_ID 1

enum intern_kind { IK_CATEGORY, IK_NAME, IK_ANNOTATION, IK_NR };

static const uint32_t intern_field[IK_NR] = {
	[IK_CATEGORY] = F_ID_EVENT_CATEGORIES,
	[IK_NAME] = F_ID_EVENT_NAMES,
	[IK_ANNOTATION] = F_ID_DEBUG_ANNOTATION_NAMES,
};

/* Strings one packet may intern: name, category, the annotation keys (a
 * typed call's parameters and a few of ours). */
#define MAX_NEW (CT_TRACE_MAX_NAMED + 8)

struct interned {
	enum intern_kind kind;
	const char *s;
	uint64_t iid;
};

struct perfetto {
	struct ct_vbuf b;
	FILE *fp;
	const struct ct_trace_info *info;
	struct ct_hashmap pids;        /* pid -> its process track's uuid */
	uint64_t last_uuid;
	struct ct_hashmap tab[IK_NR];  /* string pointer -> iid */
	uint64_t last_iid[IK_NR];
	size_t max_interned;
	bool cleared;                  /* the sequence's incremental state is set up */
	/* the packet being written */
	size_t packet;
	bool uses_interning;
	unsigned nr_new;
	struct interned added[MAX_NEW];
	struct ct_view_input *in;     /* for --min-duration at the call */
	uint64_t min;
	int err;
};

/* Empty the interning tables: the next packet clears the incremental state. */
static void intern_reset(struct perfetto *p)
{
	unsigned k;

	for (k = 0; k < IK_NR; k++) {
		ct_hashmap_fini(&p->tab[k]);
		ct_hashmap_init(&p->tab[k]);
		p->last_iid[k] = 0;
	}
	p->cleared = false;
}

/* The iid of s in the current packet, interned there if new. */
static uint64_t intern(struct perfetto *p, enum intern_kind k, const char *s)
{
	uint64_t key = (uint64_t)(uintptr_t)s;
	void *v = ct_hashmap_get(&p->tab[k], key);
	uint64_t iid;

	p->uses_interning = true;
	if (v)
		return (uint64_t)(uintptr_t)v;
	if (p->nr_new == MAX_NEW) {
		p->err = -EOVERFLOW; /* a bug: MAX_NEW counts what a packet names */
		return 0;
	}
	iid = ++p->last_iid[k];
	if (ct_hashmap_put(&p->tab[k], key, (void *)(uintptr_t)iid) < 0)
		p->err = -ENOMEM;
	p->added[p->nr_new++] = (struct interned){ k, s, iid };
	return iid;
}

static void packet_begin(struct perfetto *p, uint64_t ts)
{
	size_t n = 0;
	unsigned k;

	for (k = 0; k < IK_NR; k++)
		n += p->tab[k].n;
	if (n >= p->max_interned)
		intern_reset(p);
	p->packet = ct_pb_open(&p->b, F_TRACE_PACKET);
	p->uses_interning = false;
	p->nr_new = 0;
	ct_pb_varint(&p->b, F_TP_TIMESTAMP, ts);
	ct_pb_varint(&p->b, F_TP_SEQUENCE_ID, SEQUENCE_ID);
}

/* The packet's interned data and flags (their place among the fields does
 * not matter), then out with it. */
static int packet_end(struct perfetto *p)
{
	struct ct_vbuf *b = &p->b;
	size_t id, e;
	unsigned i;

	if (p->nr_new) {
		id = ct_pb_open(b, F_TP_INTERNED_DATA);
		for (i = 0; i < p->nr_new; i++) {
			e = ct_pb_open(b, intern_field[p->added[i].kind]);
			ct_pb_varint(b, F_IE_IID, p->added[i].iid);
			ct_pb_string(b, F_IE_NAME, p->added[i].s);
			ct_pb_close(b, e);
		}
		ct_pb_close(b, id);
	}
	if (p->uses_interning && !p->cleared) {
		ct_pb_varint(b, F_TP_SEQUENCE_FLAGS,
			     SEQ_INCREMENTAL_STATE_CLEARED | SEQ_NEEDS_INCREMENTAL_STATE);
		p->cleared = true;
	} else if (p->uses_interning) {
		ct_pb_varint(b, F_TP_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	}
	ct_pb_close(b, p->packet);
	if (p->err)
		return p->err;
	return ct_vbuf_maybe_flush(b, p->fp);
}

/* ---- tracks ---- */

static void put_name(struct ct_vbuf *b, uint32_t field, const char *name, const char *prefix,
		     pid_t id)
{
	char tmp[32];

	if (!name) {
		snprintf(tmp, sizeof(tmp), "%s%d", prefix, (int)id);
		name = tmp;
	}
	ct_pb_string(b, field, name);
}

static int process_track(struct perfetto *p, pid_t pid, uint64_t ts)
{
	struct ct_vbuf *b = &p->b;
	uint64_t uuid = ++p->last_uuid;
	size_t td, pd;
	unsigned i;

	if (ct_hashmap_put(&p->pids, (uint32_t)pid, (void *)(uintptr_t)uuid) < 0)
		return -ENOMEM;
	packet_begin(p, ts);
	td = ct_pb_open(b, F_TP_TRACK_DESCRIPTOR);
	ct_pb_varint(b, F_TD_UUID, uuid);
	pd = ct_pb_open(b, F_TD_PROCESS);
	ct_pb_varint(b, F_PD_PID, (uint64_t)(int64_t)pid);
	put_name(b, F_PD_PROCESS_NAME, ct_view_main_name(p->info, pid), "pid ", pid);
	if (ct_view_main_name(p->info, pid)) {
		for (i = 0; i < p->info->argc; i++)
			ct_pb_string(b, F_PD_CMDLINE, p->info->argv[i]);
	}
	ct_pb_close(b, pd);
	ct_pb_close(b, td);
	return packet_end(p);
}

/* The uuid of t's track, described (with its process) the first time. */
static int thread_track(struct perfetto *p, struct ct_view_thread *t, uint64_t ts,
			uint64_t *uuid)
{
	struct ct_vbuf *b = &p->b;
	size_t td, thd;
	int rc;

	if (t->user) {
		*uuid = (uint64_t)(uintptr_t)t->user;
		return 0;
	}
	if (!ct_hashmap_get(&p->pids, (uint32_t)t->pid)) {
		rc = process_track(p, t->pid, ts);
		if (rc)
			return rc;
	}
	*uuid = ++p->last_uuid;
	t->user = (void *)(uintptr_t)*uuid;
	packet_begin(p, ts);
	td = ct_pb_open(b, F_TP_TRACK_DESCRIPTOR);
	ct_pb_varint(b, F_TD_UUID, *uuid);
	thd = ct_pb_open(b, F_TD_THREAD);
	ct_pb_varint(b, F_THD_PID, (uint64_t)(int64_t)t->pid);
	ct_pb_varint(b, F_THD_TID, (uint64_t)(int64_t)t->tid);
	if (t->tid == t->pid)
		put_name(b, F_THD_THREAD_NAME, ct_view_main_name(p->info, t->pid), "pid ", t->pid);
	else
		put_name(b, F_THD_THREAD_NAME, NULL, "thread ", t->tid);
	ct_pb_close(b, thd);
	ct_pb_close(b, td);
	return packet_end(p);
}

/* ---- events ---- */

/* Begin a packet with a TrackEvent of type on track; returns the event's
 * mark. */
static size_t event_begin(struct perfetto *p, uint64_t ts, unsigned type, uint64_t track)
{
	size_t te;

	packet_begin(p, ts);
	te = ct_pb_open(&p->b, F_TP_TRACK_EVENT);
	ct_pb_varint(&p->b, F_TE_TYPE, type);
	ct_pb_varint(&p->b, F_TE_TRACK_UUID, track);
	return te;
}

static int event_end(struct perfetto *p, size_t te)
{
	ct_pb_close(&p->b, te);
	return packet_end(p);
}

/* Open a debug annotation named key (a string that lives as long as the
 * dump: interned by its address). */
static size_t annotation(struct perfetto *p, uint32_t field, const char *key)
{
	size_t da = ct_pb_open(&p->b, field);

	ct_pb_varint(&p->b, F_DA_NAME_IID, intern(p, IK_ANNOTATION, key));
	return da;
}

static void annotate_u64(struct perfetto *p, const char *key, uint32_t vfield, uint64_t v)
{
	size_t da = annotation(p, F_TE_DEBUG_ANNOTATIONS, key);

	ct_pb_varint(&p->b, vfield, v);
	ct_pb_close(&p->b, da);
}

static void annotate_str(struct perfetto *p, const char *key, const char *s)
{
	size_t da = annotation(p, F_TE_DEBUG_ANNOTATIONS, key);

	ct_pb_string(&p->b, F_DA_STRING_VALUE, s);
	ct_pb_close(&p->b, da);
}

/* "-12", "0", "42": an int64 in its one decimal form. */
static bool decimal_int64(const char *s, int64_t *v)
{
	bool neg = *s == '-';
	uint64_t n = 0, lim;
	const char *d = s + neg;

	if (!(*d >= '1' && *d <= '9') && !(d[0] == '0' && !d[1] && !neg))
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *d; d++) {
		if (*d < '0' || *d > '9' || n > (lim - (uint64_t)(*d - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*d - '0');
	}
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return true;
}

/* A DWARF-typed value (its C rendering): integers and booleans as such,
 * as jsonl has them as JSON numbers and booleans; the rest as text. */
static void typed_value(struct perfetto *p, const char *v)
{
	int64_t n;

	if (!strcmp(v, "true") || !strcmp(v, "false"))
		ct_pb_varint(&p->b, F_DA_BOOL_VALUE, v[0] == 't');
	else if (decimal_int64(v, &n))
		ct_pb_varint(&p->b, F_DA_INT_VALUE, (uint64_t)n);
	else
		ct_pb_string(&p->b, F_DA_STRING_VALUE, v);
}

static void call_args(struct perfetto *p, const struct ct_event *ev)
{
	struct ct_vbuf *b = &p->b;
	unsigned i, n;
	size_t da, e;
	char key[16];

	if (ev->flags & CT_EVF_TYPED) {
		n = ev->nr_named < CT_TRACE_MAX_NAMED ? ev->nr_named : CT_TRACE_MAX_NAMED;
		if (!n)
			return;
		da = annotation(p, F_TE_DEBUG_ANNOTATIONS, "args");
		for (i = 0; i < n; i++) {
			const char *name = ev->named[i].name;

			e = ct_pb_open(b, F_DA_DICT_ENTRIES);
			if (name && *name) {
				ct_pb_varint(b, F_DA_NAME_IID, intern(p, IK_ANNOTATION, name));
			} else {
				snprintf(key, sizeof(key), "arg%u", i);
				ct_pb_string(b, F_DA_NAME, key);
			}
			typed_value(p, ev->named[i].value);
			ct_pb_close(b, e);
		}
		ct_pb_close(b, da);
	} else {
		n = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;
		if (!n)
			return;
		da = annotation(p, F_TE_DEBUG_ANNOTATIONS, "args");
		for (i = 0; i < n; i++) {
			e = ct_pb_open(b, F_DA_ARRAY_VALUES);
			ct_pb_varint(b, F_DA_POINTER_VALUE, ev->args[i]);
			ct_pb_close(b, e);
		}
		ct_pb_close(b, da);
	}
}

static int p_enter(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		   const struct ct_event *ev)
{
	struct perfetto *p = ctx;
	uint64_t track;
	size_t te;
	int rc;

	rc = thread_track(p, t, f->ts, &track);
	if (rc)
		return rc;
	te = event_begin(p, f->ts, TYPE_SLICE_BEGIN, track);
	ct_pb_varint(&p->b, F_TE_NAME_IID, intern(p, IK_NAME, f->func ? ct_view_frame_name(f) : "?"));
	if (f->module)
		ct_pb_varint(&p->b, F_TE_CATEGORY_IIDS, intern(p, IK_CATEGORY, f->module));
	call_args(p, ev);
	if (ev->flags & CT_EVF_TAIL)
		annotate_u64(p, "tail", F_DA_BOOL_VALUE, 1);
	return event_end(p, te);
}

static int p_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		  const struct ct_event *ev, enum ct_view_end how, uint64_t dur)
{
	struct perfetto *p = ctx;
	uint64_t track, ts = f->ts + dur;
	size_t te, da;
	int rc;

	rc = thread_track(p, t, f->ts, &track);
	if (rc)
		return rc;
	te = event_begin(p, ts, TYPE_SLICE_END, track);
	if (how == CT_VIEW_RETURN && ev) {
		if (!(ev->flags & CT_EVF_TYPED)) {
			annotate_u64(p, "retval", F_DA_POINTER_VALUE, ev->retval);
		} else if (ev->ret_text) {
			da = annotation(p, F_TE_DEBUG_ANNOTATIONS, "retval");
			typed_value(p, ev->ret_text);
			ct_pb_close(&p->b, da);
		}
	} else if (how != CT_VIEW_RETURN) {
		annotate_str(p, "end", ct_view_end_name(how));
	}
	return event_end(p, te);
}

static int p_event(void *ctx, struct ct_view_thread *t, const struct ct_event *ev)
{
	struct perfetto *p = ctx;
	char tmp[CT_SIGNAME_MAX];
	uint64_t track;
	size_t te;
	int rc;

	rc = thread_track(p, t, ev->ts_ns, &track);
	if (rc)
		return rc;
	te = event_begin(p, ev->ts_ns, TYPE_INSTANT, track);
	ct_pb_varint(&p->b, F_TE_NAME_IID, intern(p, IK_NAME, ct_event_type_name(ev->type)));
	switch (ev->type) {
	case CT_EV_THREAD_START:
		annotate_u64(p, "parent", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->parent);
		break;
	case CT_EV_FORK:
		annotate_u64(p, "child", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->child);
		annotate_u64(p, "vfork", F_DA_BOOL_VALUE, !!(ev->flags & CT_EVF_VFORK));
		annotate_u64(p, "followed", F_DA_BOOL_VALUE, !!(ev->flags & CT_EVF_FOLLOWED));
		break;
	case CT_EV_EXEC:
		annotate_str(p, "path", ev->path);
		break;
	case CT_EV_SIGNAL:
		annotate_u64(p, "signo", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->signo);
		annotate_str(p, "signame", ct_signal_name(ev->signo, tmp));
		break;
	case CT_EV_EXIT:
		/* killed by a signal, or a normal exit with a status */
		if (ev->signo > 0) {
			annotate_u64(p, "signo", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->signo);
			annotate_str(p, "signame", ct_signal_name(ev->signo, tmp));
			annotate_u64(p, "core", F_DA_BOOL_VALUE, !!(ev->flags & CT_EVF_CORE));
		} else {
			annotate_u64(p, "status", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->status);
		}
		break;
	case CT_EV_THREAD_EXIT:
		annotate_u64(p, "status", F_DA_INT_VALUE, (uint64_t)(int64_t)ev->status);
		break;
	default:
		break;
	}
	return event_end(p, te);
}

static int p_lost(void *ctx, struct ct_view_thread *t, uint64_t count)
{
	struct perfetto *p = ctx;
	/* lost records carry no time: that of the event read before */
	uint64_t track, ts = ct_view_input_last_ts(p->in);
	size_t te;
	int rc;

	rc = thread_track(p, t, ts, &track);
	if (rc)
		return rc;
	te = event_begin(p, ts, TYPE_INSTANT, track);
	ct_pb_varint(&p->b, F_TE_NAME_IID, intern(p, IK_NAME, "lost events"));
	annotate_u64(p, "count", F_DA_UINT_VALUE, count);
	return event_end(p, te);
}

static bool p_admit(void *ctx, CT_UNUSED struct ct_view_thread *t,
		    CT_UNUSED const struct ct_event *call)
{
	struct perfetto *p = ctx;
	uint64_t ns = 0;

	if (ct_view_input_duration(p->in, p->min, &ns) < 0)
		return true;
	return ns >= p->min;
}

/* Bytes of the recording were lost: say so in the trace, on a track of its
 * own, at its end (the exit status and stderr say it too). */
static int damage_marker(struct perfetto *p, struct ct_view_input *in)
{
	struct ct_view_problems pb;
	struct ct_vbuf *b = &p->b;
	char line[512];
	uint64_t track, ts = ct_view_input_last_ts(in);
	size_t td, te;
	int rc;

	ct_view_input_problems(in, &pb);
	if (!pb.error || !ct_view_problems_line(&pb, line, sizeof(line)))
		return 0;
	track = ++p->last_uuid;
	packet_begin(p, ts);
	td = ct_pb_open(b, F_TP_TRACK_DESCRIPTOR);
	ct_pb_varint(b, F_TD_UUID, track);
	ct_pb_string(b, F_TD_NAME, "calltrap");
	ct_pb_close(b, td);
	rc = packet_end(p);
	if (rc)
		return rc;
	te = event_begin(p, ts, TYPE_INSTANT, track);
	ct_pb_varint(b, F_TE_NAME_IID, intern(p, IK_NAME, "trace damaged"));
	annotate_str(p, "problem", line);
	return event_end(p, te);
}

int ct_dump_perfetto(struct ct_view_input *in, const struct ct_view_filter *f,
		     const struct ct_dump_opts *o, FILE *fp)
{
	static const struct ct_view_ops ops = {
		.enter = p_enter,
		.exit = p_exit,
		.event = p_event,
		.lost = p_lost,
		.admit = p_admit,
	};
	struct perfetto p = {
		.fp = fp,
		.info = o->info,
		.in = in,
		.min = f->min_duration_ns,
		.max_interned = o->max_interned ? o->max_interned : CT_PERFETTO_MAX_INTERNED,
	};
	struct ct_view *v;
	unsigned k;
	int rc, mrc, frc;

	ct_vbuf_init(&p.b);
	ct_hashmap_init(&p.pids);
	for (k = 0; k < IK_NR; k++)
		ct_hashmap_init(&p.tab[k]);
	v = ct_view_new(f, &ops, &p, 0);
	if (!v) {
		rc = -errno;
		goto out;
	}
	rc = ct_view_run(v, in);
	ct_view_free(v);
	/* every packet written is whole: a valid trace of what was read */
	mrc = p.err ? p.err : damage_marker(&p, in);
	frc = ct_vbuf_flush(&p.b, fp);
	if (!rc)
		rc = mrc ? mrc : frc;
out:
	for (k = 0; k < IK_NR; k++)
		ct_hashmap_fini(&p.tab[k]);
	ct_hashmap_fini(&p.pids);
	ct_vbuf_fini(&p.b);
	return rc;
}
