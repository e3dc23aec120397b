/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap dump`: the events of a trace file in another format.
 *
 *  jsonl   the lines `calltrap trace --format=jsonl` prints (the same
 *          formatter), register snapshots included when the file has them.
 *          Without filters every event of the file comes out as it is;
 *          with filters, the events of the frames shown and the process
 *          and thread events of the threads shown.
 *  chrome  Chrome trace-event JSON (Perfetto, chrome://tracing): an "X"
 *          (complete) event per frame, written when the frame ends, with
 *          microsecond ts/dur (three decimals: nanoseconds are kept),
 *          process and thread names as "M" metadata, process and thread
 *          events and lost events as instant events.
 *  folded  "a;b;c N": the calling context tree, N = self time in ns.
 *  svg     a flame graph of the same tree (svg.c).
 *  perfetto  Perfetto's protobuf trace: track events per thread (perfetto.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "util/hashmap.h"
#include "view/cct.h"
#include "view/perfetto.h"
#include "view/vbuf.h"
#include "view/view.h"

int ct_dump_format_parse(const char *s, enum ct_dump_format *fmt)
{
	static const char *const names[] = {
		[CT_DUMP_JSONL] = "jsonl",
		[CT_DUMP_CHROME] = "chrome",
		[CT_DUMP_FOLDED] = "folded",
		[CT_DUMP_SVG] = "svg",
		[CT_DUMP_PERFETTO] = "perfetto",
	};
	unsigned i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*fmt = (enum ct_dump_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- jsonl ---- */

struct jsonl {
	struct ct_output *out;
	struct ct_view_input *in;
	uint64_t min;
};

static int j_enter(void *ctx, CT_UNUSED struct ct_view_thread *t,
		   CT_UNUSED struct ct_view_frame *f, const struct ct_event *ev)
{
	struct jsonl *j = ctx;

	return ct_output_event(j->out, ev);
}

static int j_exit(void *ctx, CT_UNUSED struct ct_view_thread *t,
		  CT_UNUSED struct ct_view_frame *f, const struct ct_event *ev,
		  CT_UNUSED enum ct_view_end how, CT_UNUSED uint64_t dur)
{
	struct jsonl *j = ctx;

	/* a frame that ended without an event of its own prints nothing */
	return ev ? ct_output_event(j->out, ev) : 0;
}

static int j_event(void *ctx, CT_UNUSED struct ct_view_thread *t, const struct ct_event *ev)
{
	struct jsonl *j = ctx;

	return ct_output_event(j->out, ev);
}

static bool j_admit(void *ctx, CT_UNUSED struct ct_view_thread *t,
		    CT_UNUSED const struct ct_event *call)
{
	struct jsonl *j = ctx;
	uint64_t ns = 0;

	if (ct_view_input_duration(j->in, j->min, &ns) < 0)
		return true;
	return ns >= j->min;
}

static int dump_jsonl(struct ct_view_input *in, const struct ct_view_filter *f,
		      const struct ct_dump_opts *o, FILE *fp)
{
	static const struct ct_view_ops ops = {
		.enter = j_enter,
		.exit = j_exit,
		.event = j_event,
		.admit = j_admit,
	};
	struct jsonl j = { .in = in, .min = f->min_duration_ns };
	const struct ct_view_rec *rec;
	struct ct_view *v;
	int rc, erc;

	j.out = ct_output_new(CT_FMT_JSONL, fp, o->no_regs ? 0 : CT_OUT_REGS);
	if (!j.out)
		return -errno;
	if (!ct_view_filter_active(f)) {
		/* every event as recorded, even one the view would not pair */
		while ((rc = ct_view_input_next(in, &rec)) == 1) {
			if (rec->kind != CT_TRACE_EVENT)
				continue;
			rc = ct_output_event(j.out, &rec->ev);
			if (rc)
				break;
		}
	} else {
		v = ct_view_new(f, &ops, &j, 0);
		if (!v) {
			rc = -errno;
		} else {
			rc = ct_view_run(v, in);
			ct_view_free(v);
		}
	}
	erc = ct_output_end(j.out);
	ct_output_free(j.out);
	return rc ? rc : erc;
}

/* ---- chrome ---- */

struct chrome {
	struct ct_vbuf b;
	FILE *fp;
	const struct ct_trace_info *info;
	struct ct_hashmap pids; /* pids described so far */
	bool first;
	int err;
};

/* Start an event object: the separator, then ph, pid, tid. */
static void c_begin(struct chrome *c, const char *ph, pid_t pid, pid_t tid)
{
	ct_vbuf_puts(&c->b, c->first ? "\n{\"ph\":\"" : ",\n{\"ph\":\"");
	c->first = false;
	ct_vbuf_puts(&c->b, ph);
	ct_vbuf_puts(&c->b, "\",\"pid\":");
	ct_vbuf_s64(&c->b, pid);
	ct_vbuf_puts(&c->b, ",\"tid\":");
	ct_vbuf_s64(&c->b, tid);
}

static void c_name(struct chrome *c, const char *what, pid_t pid, pid_t tid, const char *name,
		   const char *prefix, pid_t id)
{
	c_begin(c, "M", pid, tid);
	ct_vbuf_puts(&c->b, ",\"name\":\"");
	ct_vbuf_puts(&c->b, what);
	ct_vbuf_puts(&c->b, "\",\"args\":{\"name\":");
	if (name) {
		ct_vbuf_json(&c->b, name);
	} else {
		ct_vbuf_putc(&c->b, '"');
		ct_vbuf_puts(&c->b, prefix);
		ct_vbuf_s64(&c->b, id);
		ct_vbuf_putc(&c->b, '"');
	}
	ct_vbuf_puts(&c->b, "}}");
}

/* Name the process and the thread the first time they appear. */
static void c_describe(struct chrome *c, struct ct_view_thread *t)
{
	uint64_t key = (uint32_t)t->pid;

	if (t->user)
		return;
	t->user = (void *)1;
	if (!ct_hashmap_get(&c->pids, key)) {
		if (ct_hashmap_put(&c->pids, key, (void *)1) < 0)
			c->err = -ENOMEM;
		c_name(c, "process_name", t->pid, t->pid, ct_view_main_name(c->info, t->pid), "pid ", t->pid);
	}
	if (t->tid == t->pid)
		c_name(c, "thread_name", t->pid, t->tid, ct_view_main_name(c->info, t->pid), "pid ", t->pid);
	else
		c_name(c, "thread_name", t->pid, t->tid, NULL, "thread ", t->tid);
}

static int c_done(struct chrome *c)
{
	if (c->err)
		return c->err;
	return ct_vbuf_maybe_flush(&c->b, c->fp);
}

static int c_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		  const struct ct_event *ev, enum ct_view_end how, uint64_t dur)
{
	struct chrome *c = ctx;
	struct ct_vbuf *b = &c->b;
	unsigned i;

	c_describe(c, t);
	c_begin(c, "X", t->pid, t->tid);
	ct_vbuf_puts(b, ",\"ts\":");
	ct_vbuf_us(b, f->ts);
	ct_vbuf_puts(b, ",\"dur\":");
	ct_vbuf_us(b, dur);
	ct_vbuf_puts(b, ",\"name\":");
	ct_vbuf_json(b, ct_view_frame_name(f));
	ct_vbuf_puts(b, ",\"cat\":");
	ct_vbuf_json(b, f->module ? f->module : "?");
	ct_vbuf_puts(b, ",\"args\":{\"args\":[");
	for (i = 0; i < f->nr_args; i++) {
		if (i)
			ct_vbuf_putc(b, ',');
		ct_vbuf_putc(b, '"');
		ct_vbuf_hex64(b, f->args[i]);
		ct_vbuf_putc(b, '"');
	}
	ct_vbuf_puts(b, "]");
	if (how == CT_VIEW_RETURN && ev) {
		ct_vbuf_puts(b, ",\"retval\":\"");
		ct_vbuf_hex64(b, ev->retval);
		ct_vbuf_putc(b, '"');
	}
	ct_vbuf_puts(b, ",\"end\":\"");
	ct_vbuf_puts(b, ct_view_end_name(how));
	ct_vbuf_puts(b, "\"}}");
	return c_done(c);
}

static int c_event(void *ctx, struct ct_view_thread *t, const struct ct_event *ev)
{
	struct chrome *c = ctx;
	struct ct_vbuf *b = &c->b;
	char tmp[CT_SIGNAME_MAX];

	c_describe(c, t);
	c_begin(c, "i", t->pid, t->tid);
	ct_vbuf_puts(b, ",\"s\":\"t\",\"ts\":");
	ct_vbuf_us(b, ev->ts_ns);
	ct_vbuf_puts(b, ",\"name\":\"");
	ct_vbuf_puts(b, ct_event_type_name(ev->type));
	if (ev->type == CT_EV_SIGNAL || (ev->type == CT_EV_EXIT && ev->signo > 0)) {
		ct_vbuf_putc(b, ' ');
		ct_vbuf_puts(b, ct_signal_name(ev->signo, tmp));
	}
	ct_vbuf_puts(b, "\",\"args\":{");
	switch (ev->type) {
	case CT_EV_THREAD_START:
		ct_vbuf_puts(b, "\"parent\":");
		ct_vbuf_s64(b, ev->parent);
		break;
	case CT_EV_FORK:
		ct_vbuf_puts(b, "\"child\":");
		ct_vbuf_s64(b, ev->child);
		ct_vbuf_puts(b, ev->flags & CT_EVF_VFORK ? ",\"vfork\":true" : ",\"vfork\":false");
		break;
	case CT_EV_EXEC:
		ct_vbuf_puts(b, "\"path\":");
		ct_vbuf_json(b, ev->path);
		break;
	case CT_EV_SIGNAL:
		ct_vbuf_puts(b, "\"signo\":");
		ct_vbuf_s64(b, ev->signo);
		break;
	case CT_EV_EXIT:
	case CT_EV_THREAD_EXIT:
		if (ev->signo > 0) {
			ct_vbuf_puts(b, "\"signo\":");
			ct_vbuf_s64(b, ev->signo);
		} else {
			ct_vbuf_puts(b, "\"status\":");
			ct_vbuf_s64(b, ev->status);
		}
		break;
	default:
		break;
	}
	ct_vbuf_puts(b, "}}");
	return c_done(c);
}

static int c_lost(void *ctx, struct ct_view_thread *t, uint64_t count)
{
	struct chrome *c = ctx;
	struct ct_vbuf *b = &c->b;
	uint64_t ts = t->nr ? t->frames[t->nr - 1].ts : 0;

	c_describe(c, t);
	c_begin(c, "i", t->pid, t->tid);
	/* lost records carry no time: the thread's innermost call's */
	ct_vbuf_puts(b, ",\"s\":\"t\",\"ts\":");
	ct_vbuf_us(b, ts);
	ct_vbuf_puts(b, ",\"name\":\"lost events\",\"args\":{\"count\":");
	ct_vbuf_u64(b, count);
	ct_vbuf_puts(b, "}}");
	return c_done(c);
}

static int dump_chrome(struct ct_view_input *in, const struct ct_view_filter *f,
		       const struct ct_dump_opts *o, FILE *fp)
{
	static const struct ct_view_ops ops = {
		.exit = c_exit,
		.event = c_event,
		.lost = c_lost,
	};
	struct chrome c = { .fp = fp, .info = o->info, .first = true };
	struct ct_view *v;
	int rc, frc;

	ct_vbuf_init(&c.b);
	ct_hashmap_init(&c.pids);
	v = ct_view_new(f, &ops, &c, CT_VIEW_ARGS);
	if (!v) {
		rc = -errno;
		goto out;
	}
	ct_vbuf_puts(&c.b, "{\"traceEvents\":[");
	rc = ct_view_run(v, in);
	ct_view_free(v);
	/* a valid document even after an input error: what was read */
	ct_vbuf_puts(&c.b, "\n],\"displayTimeUnit\":\"ns\",");
	ct_vbuf_puts(&c.b, "\"otherData\":{\"generator\":\"calltrap ");
	ct_vbuf_puts(&c.b, PACKAGE_VERSION);
	ct_vbuf_puts(&c.b, "\"}}\n");
	frc = ct_vbuf_flush(&c.b, fp);
	if (!rc)
		rc = frc;
out:
	ct_hashmap_fini(&c.pids);
	ct_vbuf_fini(&c.b);
	return rc;
}

/* ---- folded, svg ---- */

static void subtitle(const struct ct_cct *c, const struct ct_trace_info *info, struct ct_vbuf *b)
{
	char tmp[CT_VIEW_DURLEN], *p;
	unsigned i;

	if (info) {
		for (i = 0; i < info->argc && i < 8; i++) {
			if (i)
				ct_vbuf_putc(b, ' ');
			ct_vbuf_text(b, info->argv[i]);
		}
		if (info->argc > 8)
			ct_vbuf_puts(b, " ...");
		if (info->argc)
			ct_vbuf_puts(b, ": ");
	}
	p = ct_view_format_duration(c->nodes[0].total_ns, tmp);
	while (*p == ' ')
		p++;
	ct_vbuf_puts(b, p);
	ct_vbuf_puts(b, " in traced functions");
	ct_vbuf_putc(b, '\0');
}

static int dump_tree(struct ct_view_input *in, const struct ct_view_filter *f,
		     const struct ct_dump_opts *o, FILE *fp)
{
	struct ct_vbuf sub;
	struct ct_cct c;
	int rc, orc;

	rc = ct_cct_init(&c, o->per_thread);
	if (rc)
		return rc;
	rc = ct_cct_collect(&c, in, f);
	if (rc != -ENOMEM) {
		if (o->format == CT_DUMP_FOLDED) {
			orc = ct_cct_folded(&c, fp);
		} else {
			ct_vbuf_init(&sub);
			subtitle(&c, o->info, &sub);
			orc = sub.err ? sub.err
				      : ct_cct_svg(&c, o->title ? o->title : "calltrap flame graph",
						   sub.p, fp);
			ct_vbuf_fini(&sub);
		}
		if (!rc)
			rc = orc;
	}
	ct_cct_fini(&c);
	return rc;
}

unsigned ct_dump_window(const struct ct_dump_opts *o, const struct ct_view_filter *f)
{
	bool at_call = o->format == CT_DUMP_JSONL || o->format == CT_DUMP_PERFETTO;

	return at_call && f->min_duration_ns ? CT_VIEW_LOOKAHEAD : 0;
}

bool ct_dump_binary(enum ct_dump_format fmt)
{
	return fmt == CT_DUMP_PERFETTO;
}

int ct_dump(struct ct_view_input *in, const struct ct_view_filter *f,
	    const struct ct_dump_opts *o, FILE *out)
{
	switch (o->format) {
	case CT_DUMP_JSONL:
		return dump_jsonl(in, f, o, out);
	case CT_DUMP_CHROME:
		return dump_chrome(in, f, o, out);
	case CT_DUMP_FOLDED:
	case CT_DUMP_SVG:
		return dump_tree(in, f, o, out);
	case CT_DUMP_PERFETTO:
		return ct_dump_perfetto(in, f, o, out);
	}
	return -EINVAL;
}
