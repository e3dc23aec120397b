/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap replay`: the call tree as uftrace replay prints it.
 *
 *	# DURATION     TID  | FUNCTION
 *	           [  4242] | main(0x1, 0x7ffd5f8e2f48) {
 *	  1.234 us [  4242] |   add(0x3, 0x4) = 0x7;
 *	           [  4242] |   mul3(0x2, 0x3, 0x4) {
 *	 12.000 us [  4242] |   } = 0x28; /+ mul3 +/
 *
 * (with real comment delimiters).  Functions DWARF describes (typed
 * events) show their arguments by name and their return values decoded,
 * as C source:  add(a=3, b=4) = 7;  greet(name="Bob") {  ...  } /+ greet +/
 * (a void function has no value); --srcline ends each call line with the
 * function's declaration:  add(0x3, 0x4) = 0x7; /+ calls.c:12 +/.
 *
 * A call whose next event on its thread is its own return (or whose
 * callees are all hidden by the filters) is a leaf and takes one line;
 * that is decided by looking ahead in the input's ring, so a leaf whose
 * return lies beyond the ring is printed as a pair of lines.  Lines are in the order of the calls in the file, every thread
 * interleaved, with a tid column; --per-thread writes each thread's lines
 * to a buffer of its own (spilled to a temporary file beyond 64 KiB) and
 * prints the threads one after the other at the end.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "view/vbuf.h"
#include "view/view.h"

/* A thread's --per-thread buffer is spilled beyond this. */
#define THREAD_BUF (64u << 10)

/* f->user of a leaf already printed whole */
#define LEAF_DONE ((void *)1)

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_CYAN "\033[36m"

struct seg {
	uint64_t off;
	size_t len;
};

/* t->user with --per-thread */
struct rthread {
	struct ct_vbuf buf;
	struct seg *segs;
	size_t nsegs, cap;
};

struct replay {
	const struct ct_replay_opts *o;
	const struct ct_view_filter *f;
	struct ct_view_input *in;
	FILE *out;
	struct ct_vbuf line; /* the tid-column output */
	FILE *spill;         /* --per-thread: buffers beyond THREAD_BUF */
	uint64_t spill_off;
	int err;
};

static void color(struct replay *rp, struct ct_vbuf *b, const char *c)
{
	if (rp->o->color)
		ct_vbuf_puts(b, c);
}

/* The buffer a line of t goes to. */
static struct ct_vbuf *buf_of(struct replay *rp, struct ct_view_thread *t)
{
	struct rthread *rt;

	if (!rp->o->per_thread)
		return &rp->line;
	rt = t->user;
	if (!rt) {
		rt = calloc(1, sizeof(*rt));
		if (!rt) {
			rp->err = -ENOMEM;
			return &rp->line; /* dropped: rp->err ends the replay */
		}
		ct_vbuf_init(&rt->buf);
		t->user = rt;
	}
	return &rt->buf;
}

static int spill(struct replay *rp, struct rthread *rt)
{
	if (!rp->spill) {
		rp->spill = tmpfile();
		if (!rp->spill)
			return -errno;
	}
	if (rt->nsegs == rt->cap) {
		size_t cap = rt->cap ? 2 * rt->cap : 16;
		struct seg *s = realloc(rt->segs, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		rt->segs = s;
		rt->cap = cap;
	}
	rt->segs[rt->nsegs].off = rp->spill_off;
	rt->segs[rt->nsegs].len = rt->buf.len;
	rt->nsegs++;
	rp->spill_off += rt->buf.len;
	return ct_vbuf_flush(&rt->buf, rp->spill);
}

/* A line is complete in b. */
static int line_done(struct replay *rp, struct ct_vbuf *b)
{
	struct rthread *rt;

	ct_vbuf_putc(b, '\n');
	if (rp->err)
		return rp->err;
	if (!rp->o->per_thread)
		return ct_vbuf_maybe_flush(b, rp->out);
	rt = (struct rthread *)((char *)b - offsetof(struct rthread, buf));
	if (b->err)
		return b->err;
	if (b->len >= THREAD_BUF)
		return spill(rp, rt);
	return 0;
}

/* Duration column, tid column, the bar and the indentation. */
static struct ct_vbuf *line_start(struct replay *rp, struct ct_view_thread *t, bool has_dur,
				  uint64_t dur, unsigned level)
{
	struct ct_vbuf *b = buf_of(rp, t);
	char tmp[CT_VIEW_DURLEN];

	if (has_dur) {
		const char *c = dur >= 1000000000 ? C_RED : dur >= 1000000 ? C_YELLOW : NULL;

		if (c)
			color(rp, b, c);
		ct_vbuf_puts(b, ct_view_format_duration(dur, tmp));
		if (c)
			color(rp, b, C_RESET);
	} else {
		ct_vbuf_spaces(b, 10);
	}
	if (!rp->o->per_thread) {
		ct_vbuf_put(b, " [", 2);
		ct_vbuf_u64_right(b, (uint64_t)(uint32_t)t->tid, 6);
		ct_vbuf_putc(b, ']');
	}
	ct_vbuf_put(b, " | ", 3);
	if (level > 1) {
		char indent[CT_INDENT_MAX];

		ct_vbuf_put(b, indent, ct_text_indent(level, indent));
	}
	return b;
}

/*
 * A typed value as the recorder rendered it (C source, already escaped):
 * copied as is, but for control bytes a damaged or foreign file might
 * hold, which must not reach a terminal.
 */
static void put_value(struct ct_vbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		const unsigned char *run = s;

		while (*s >= 0x20 && *s != 0x7f)
			s++;
		if (s != run)
			ct_vbuf_put(b, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		ct_vbuf_puts(b, "\\x");
		ct_vbuf_putc(b, "0123456789abcdef"[*s >> 4]);
		ct_vbuf_putc(b, "0123456789abcdef"[*s & 15]);
		s++;
	}
}

static void put_args(struct replay *rp, struct ct_vbuf *b, const struct ct_event *ev)
{
	unsigned i, n = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;

	ct_vbuf_putc(b, '(');
	if (!rp->o->no_args && (ev->flags & CT_EVF_TYPED)) {
		for (i = 0; i < ev->nr_named && ev->named; i++) {
			const struct ct_named_value *v = &ev->named[i];

			if (i)
				ct_vbuf_put(b, ", ", 2);
			if (v->name && *v->name) {
				ct_vbuf_text(b, v->name);
				ct_vbuf_putc(b, '=');
			}
			put_value(b, v->value ? v->value : "?");
		}
	} else if (!rp->o->no_args) {
		for (i = 0; i < n; i++) {
			if (i)
				ct_vbuf_put(b, ", ", 2);
			ct_vbuf_hex64(b, ev->args[i]);
		}
	}
	ct_vbuf_putc(b, ')');
}

/* " = value" of a return: decoded when typed (nothing for a void
 * function), else the raw register.  False when there is nothing. */
static bool put_retval(struct replay *rp, struct ct_vbuf *b, const struct ct_event *ret)
{
	if (rp->o->no_args)
		return false;
	if (ret->flags & CT_EVF_TYPED) {
		if (!ret->ret_text)
			return false;
		ct_vbuf_put(b, " = ", 3);
		put_value(b, ret->ret_text);
		return true;
	}
	ct_vbuf_put(b, " = ", 3);
	ct_vbuf_hex64(b, ret->retval);
	return true;
}

/* --srcline: " /+ file:line +/" after a call line, if the file says where. */
static void put_srcline(struct replay *rp, struct ct_vbuf *b, const struct ct_view_frame *f)
{
	if (!rp->o->srcline || !f->src_file)
		return;
	ct_vbuf_puts(b, " /* ");
	ct_vbuf_text(b, f->src_file);
	if (f->src_line) {
		ct_vbuf_putc(b, ':');
		ct_vbuf_u64(b, f->src_line);
	}
	ct_vbuf_puts(b, " */");
}

static void put_func(struct replay *rp, struct ct_vbuf *b, const char *func)
{
	color(rp, b, C_BOLD);
	ct_vbuf_text(b, func);
	color(rp, b, C_RESET);
}

/*
 * Is the frame f (just entered by ev) a leaf on screen: are the events of
 * its thread up to its return all hidden?  Its return or unwind in *close.
 */
static bool leaf(struct replay *rp, const struct ct_view_frame *f, const struct ct_event *ev,
		 const struct ct_event **close)
{
	uint64_t min = rp->f->min_duration_ns;
	bool hidden = f->hide_below || (rp->f->max_depth && f->level >= rp->f->max_depth);
	const struct ct_view_rec *rec;
	const struct ct_event *e;
	unsigned i;

	for (i = 1; (rec = ct_view_input_peek(rp->in, i)); i++) {
		if (rec->kind != CT_TRACE_EVENT) {
			if (rec->lost.pid == ev->pid && rec->lost.tid == ev->tid)
				return false;
			continue;
		}
		e = &rec->ev;
		if (e->tid != ev->tid || e->pid != ev->pid)
			continue;
		switch (e->type) {
		case CT_EV_RETURN:
		case CT_EV_UNWIND:
			if (e->depth == f->depth) {
				*close = e;
				return e->addr == f->addr;
			}
			if (e->depth < f->depth)
				return false;
			if (hidden)
				continue;
			/* with --min-duration, a callee shorter than it is hidden */
			if (min && e->depth == f->depth + 1 && e->duration_ns >= min)
				return false;
			if (!min)
				return false;
			continue;
		case CT_EV_CALL:
			if (e->depth <= f->depth)
				return false;
			if (hidden || min)
				continue;
			return false;
		default:
			return false; /* printed inside */
		}
	}
	return false;
}

/* A call its caller made by jumping: it returns for it (CT_EVF_TAIL). */
static void put_tail(struct replay *rp, struct ct_vbuf *b, const struct ct_event *call)
{
	if (!(call->flags & CT_EVF_TAIL))
		return;
	color(rp, b, C_MAGENTA);
	ct_vbuf_puts(b, " /* tail call */");
	color(rp, b, C_RESET);
}

static int replay_enter(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		    const struct ct_event *ev)
{
	struct replay *rp = ctx;
	const struct ct_event *close = NULL;
	struct ct_vbuf *b;

	if (leaf(rp, f, ev, &close)) {
		b = line_start(rp, t, true, close->duration_ns, f->level);
		put_func(rp, b, ct_event_func_name(ev));
		put_args(rp, b, ev);
		if (close->type == CT_EV_UNWIND) {
			ct_vbuf_putc(b, ';');
			color(rp, b, C_MAGENTA);
			ct_vbuf_puts(b, " /* unwound */");
			color(rp, b, C_RESET);
		} else {
			put_retval(rp, b, close);
			ct_vbuf_putc(b, ';');
		}
		put_tail(rp, b, ev);
		put_srcline(rp, b, f);
		f->user = LEAF_DONE;
		return line_done(rp, b);
	}
	b = line_start(rp, t, false, 0, f->level);
	put_func(rp, b, ct_event_func_name(ev));
	put_args(rp, b, ev);
	ct_vbuf_put(b, " {", 2);
	put_tail(rp, b, ev);
	put_srcline(rp, b, f);
	return line_done(rp, b);
}

static int replay_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		   const struct ct_event *ev, enum ct_view_end how, uint64_t dur)
{
	struct replay *rp = ctx;
	struct ct_vbuf *b;

	if (f->user == LEAF_DONE || how == CT_VIEW_OPEN)
		return 0;
	b = line_start(rp, t, true, dur, f->level);
	ct_vbuf_putc(b, '}');
	switch (how) {
	case CT_VIEW_RETURN:
		if (put_retval(rp, b, ev))
			ct_vbuf_putc(b, ';');
		ct_vbuf_puts(b, " /* ");
		ct_vbuf_text(b, ct_view_frame_name(f));
		ct_vbuf_puts(b, " */");
		break;
	case CT_VIEW_UNWIND:
		color(rp, b, C_MAGENTA);
		ct_vbuf_puts(b, " /* ");
		ct_vbuf_text(b, ct_view_frame_name(f));
		ct_vbuf_puts(b, ": unwound */");
		color(rp, b, C_RESET);
		break;
	default:
		color(rp, b, C_MAGENTA);
		ct_vbuf_puts(b, " /* ");
		ct_vbuf_text(b, ct_view_frame_name(f));
		ct_vbuf_puts(b, ": return not recorded */");
		color(rp, b, C_RESET);
		break;
	}
	return line_done(rp, b);
}

/* Indentation level for an event inside t's current frame. */
static unsigned inner_level(const struct ct_view_thread *t)
{
	const struct ct_view_frame *top;

	if (!t->nr)
		return 1;
	top = &t->frames[t->nr - 1];
	if (!top->shown)
		top = ct_view_up(t, top);
	return top ? top->level + 1 : 1;
}

static int replay_event(void *ctx, struct ct_view_thread *t, const struct ct_event *ev)
{
	struct replay *rp = ctx;
	char tmp[CT_SIGNAME_MAX];
	struct ct_vbuf *b = line_start(rp, t, false, 0, inner_level(t));

	color(rp, b, C_CYAN);
	ct_vbuf_puts(b, "/* ");
	switch (ev->type) {
	case CT_EV_THREAD_START:
		ct_vbuf_puts(b, "thread ");
		ct_vbuf_s64(b, ev->tid);
		ct_vbuf_puts(b, " started by ");
		ct_vbuf_s64(b, ev->parent);
		break;
	case CT_EV_THREAD_EXIT:
		ct_vbuf_puts(b, "thread ");
		ct_vbuf_s64(b, ev->tid);
		ct_vbuf_puts(b, " exited with ");
		ct_vbuf_s64(b, ev->status);
		break;
	case CT_EV_FORK:
		ct_vbuf_puts(b, ev->flags & CT_EVF_VFORK ? "vfork: child " : "fork: child ");
		ct_vbuf_s64(b, ev->child);
		break;
	case CT_EV_EXEC:
		ct_vbuf_puts(b, "exec ");
		ct_vbuf_text(b, ev->path);
		break;
	case CT_EV_SIGNAL:
		ct_vbuf_puts(b, "signal ");
		ct_vbuf_puts(b, ct_signal_name(ev->signo, tmp));
		ct_vbuf_puts(b, " (");
		ct_vbuf_s64(b, ev->signo);
		ct_vbuf_putc(b, ')');
		break;
	case CT_EV_EXIT:
		if (ev->signo > 0) {
			ct_vbuf_puts(b, "process ");
			ct_vbuf_s64(b, ev->pid);
			ct_vbuf_puts(b, " killed by ");
			ct_vbuf_puts(b, ct_signal_name(ev->signo, tmp));
			if (ev->flags & CT_EVF_CORE)
				ct_vbuf_puts(b, " (core dumped)");
		} else {
			ct_vbuf_puts(b, "process ");
			ct_vbuf_s64(b, ev->pid);
			ct_vbuf_puts(b, " exited with ");
			ct_vbuf_s64(b, ev->status);
		}
		break;
	default:
		ct_vbuf_puts(b, ct_event_type_name(ev->type));
		break;
	}
	ct_vbuf_puts(b, " */");
	color(rp, b, C_RESET);
	return line_done(rp, b);
}

static int replay_lost(void *ctx, struct ct_view_thread *t, uint64_t count)
{
	struct replay *rp = ctx;
	struct ct_vbuf *b = line_start(rp, t, false, 0, inner_level(t));

	color(rp, b, C_RED);
	ct_vbuf_puts(b, "/* ");
	ct_vbuf_u64(b, count);
	ct_vbuf_puts(b, count == 1 ? " event lost */" : " events lost */");
	color(rp, b, C_RESET);
	return line_done(rp, b);
}

static bool replay_admit(void *ctx, CT_UNUSED struct ct_view_thread *t,
		     CT_UNUSED const struct ct_event *call)
{
	struct replay *rp = ctx;
	uint64_t ns = 0;

	/* on an error, show the frame: the error itself ends the replay */
	if (ct_view_input_duration(rp->in, rp->f->min_duration_ns, &ns) < 0)
		return true;
	return ns >= rp->f->min_duration_ns;
}

/* --per-thread: each thread's lines, in the order threads appeared. */
static int print_threads(struct replay *rp, struct ct_view *v)
{
	char chunk[1 << 16];
	unsigned i, groups = 0;
	int rc = 0;

	if (rp->spill && fflush(rp->spill))
		return -errno;
	for (i = 0; i < ct_view_nr_threads(v) && !rc; i++) {
		struct ct_view_thread *t = ct_view_thread_at(v, i);
		struct rthread *rt = t->user;
		size_t s;

		if (!rt || (!rt->nsegs && !rt->buf.len))
			continue;
		fprintf(rp->out, "%s# thread %d (pid %d)\n", groups++ ? "\n" : "", (int)t->tid,
			(int)t->pid);
		for (s = 0; s < rt->nsegs && !rc; s++) {
			uint64_t off = rt->segs[s].off;
			size_t left = rt->segs[s].len;

			while (left) {
				size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
				ssize_t got = pread(fileno(rp->spill), chunk, n, (off_t)off);

				if (got <= 0) {
					rc = got < 0 ? -errno : -EIO;
					break;
				}
				if (fwrite(chunk, 1, (size_t)got, rp->out) != (size_t)got) {
					rc = -EIO;
					break;
				}
				off += (uint64_t)got;
				left -= (size_t)got;
			}
		}
		if (!rc)
			rc = ct_vbuf_flush(&rt->buf, rp->out);
	}
	return rc;
}

static void free_threads(struct ct_view *v)
{
	unsigned i;

	for (i = 0; i < ct_view_nr_threads(v); i++) {
		struct ct_view_thread *t = ct_view_thread_at(v, i);
		struct rthread *rt = t->user;

		if (rt) {
			ct_vbuf_fini(&rt->buf);
			free(rt->segs);
			free(rt);
			t->user = NULL;
		}
	}
}

int ct_replay(struct ct_view_input *in, const struct ct_view_filter *f,
	      const struct ct_replay_opts *o, FILE *out)
{
	static const struct ct_view_ops ops = {
		.enter = replay_enter,
		.exit = replay_exit,
		.event = replay_event,
		.lost = replay_lost,
		.admit = replay_admit,
	};
	struct replay rp = { .o = o, .f = f, .in = in, .out = out };
	struct ct_view *v;
	int rc, frc;

	ct_vbuf_init(&rp.line);
	v = ct_view_new(f, &ops, &rp, 0);
	if (!v)
		return -errno;
	if (o->per_thread)
		fputs("# DURATION | FUNCTION\n", out);
	else
		fputs("# DURATION     TID  | FUNCTION\n", out);
	rc = ct_view_run(v, in);
	if (!rc && rp.err)
		rc = rp.err;
	frc = ct_vbuf_flush(&rp.line, out);
	/* after an input error, the threads' intact part still comes out */
	if (o->per_thread && !rp.err && !frc)
		frc = print_threads(&rp, v);
	free_threads(v);
	ct_view_free(v);
	ct_vbuf_fini(&rp.line);
	if (rp.spill)
		fclose(rp.spill);
	return rc ? rc : frc;
}
