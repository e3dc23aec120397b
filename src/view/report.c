/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap report`: per-function statistics, like uftrace report.
 *
 * A row per function (module and name; with --per-thread per thread too),
 * keyed by the reader's string pointers, which are unique per string.  Each
 * frame shown by the view adds, when it ends:
 *   calls    one (frames ended by an unwind, or cut, count like returns:
 *            their duration runs until calltrap saw them end); a frame
 *            still open at the end has not ended: it is no call, its
 *            time so far counts in self and total only;
 *   sum, min, max  its duration;
 *   self     its duration minus those of the shown frames it called;
 *   total    its duration, unless a frame of the same function is open
 *            below it on its thread (recursion): total is the time spent
 *            in the function, each moment counted once.
 * Average is sum / calls: the mean duration of one call.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/vbuf.h"
#include "view/view.h"

struct slot {
	const char *func, *module;
	pid_t pid, tid;
	struct ct_report_row *row; /* NULL: empty */
};

struct ct_report {
	struct ct_report_opts o;
	struct slot *tab;
	size_t cap, n; /* power of two */
	struct ct_report_row **rows;
	size_t nrows, caprows;
	bool sorted;
	int err;
};

int ct_report_sort_parse(const char *s, enum ct_report_sort *sort)
{
	static const char *const names[] = {
		[CT_SORT_TOTAL] = "total", [CT_SORT_SELF] = "self", [CT_SORT_CALLS] = "calls",
		[CT_SORT_AVG] = "avg",	   [CT_SORT_MIN] = "min",   [CT_SORT_MAX] = "max",
		[CT_SORT_NAME] = "name",
	};
	unsigned i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*sort = (enum ct_report_sort)i;
			return 0;
		}
	}
	return -EINVAL;
}

struct ct_report *ct_report_new(const struct ct_report_opts *o)
{
	struct ct_report *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->o = *o;
	rp->cap = 256;
	rp->tab = calloc(rp->cap, sizeof(*rp->tab));
	if (!rp->tab) {
		free(rp);
		errno = ENOMEM;
		return NULL;
	}
	return rp;
}

void ct_report_free(struct ct_report *rp)
{
	size_t i;

	if (!rp)
		return;
	for (i = 0; i < rp->nrows; i++)
		free(rp->rows[i]);
	free(rp->rows);
	free(rp->tab);
	free(rp);
}

static size_t hash(const char *func, const char *module, pid_t tid)
{
	uint64_t h = (uint64_t)(uintptr_t)func * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)(uintptr_t)module * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)(uint32_t)tid * 0x165667b19e3779f9ull;
	return (size_t)(h ^ h >> 29);
}

static int grow(struct ct_report *rp)
{
	size_t cap = rp->cap * 2, i, j;
	struct slot *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < rp->cap; i++) {
		struct slot *s = &rp->tab[i];

		if (!s->row)
			continue;
		j = hash(s->func, s->module, s->tid) & (cap - 1);
		while (tab[j].row)
			j = (j + 1) & (cap - 1);
		tab[j] = *s;
	}
	free(rp->tab);
	rp->tab = tab;
	rp->cap = cap;
	return 0;
}

static struct ct_report_row *row_of(struct ct_report *rp, const struct ct_view_frame *f,
				    const struct ct_view_thread *t)
{
	pid_t pid = rp->o.per_thread ? t->pid : 0, tid = rp->o.per_thread ? t->tid : 0;
	/* the name shown is the key: with labels, one per function name */
	const char *name = ct_view_frame_name(f);
	size_t i = hash(name, f->module, tid) & (rp->cap - 1);
	struct ct_report_row *row;
	struct slot *s;

	for (;; i = (i + 1) & (rp->cap - 1)) {
		s = &rp->tab[i];
		if (!s->row)
			break;
		if (s->func == name && s->module == f->module && s->tid == tid && s->pid == pid)
			return s->row;
	}
	if (rp->n + 1 > rp->cap / 2) {
		if (grow(rp) < 0)
			return NULL;
		return row_of(rp, f, t);
	}
	if (rp->nrows == rp->caprows) {
		size_t cap = rp->caprows ? 2 * rp->caprows : 64;
		struct ct_report_row **rows = realloc(rp->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		rp->rows = rows;
		rp->caprows = cap;
	}
	row = calloc(1, sizeof(*row));
	if (!row)
		return NULL;
	row->func = name;
	row->module = f->module;
	row->src_file = f->src_file;
	row->src_line = f->src_line;
	row->pid = pid;
	row->tid = tid;
	row->min_ns = UINT64_MAX;
	rp->rows[rp->nrows++] = row;
	s->func = name;
	s->module = f->module;
	s->pid = pid;
	s->tid = tid;
	s->row = row;
	rp->n++;
	rp->sorted = false;
	return row;
}

static int report_exit(void *ctx, struct ct_view_thread *t, struct ct_view_frame *f,
		   CT_UNUSED const struct ct_event *ev, enum ct_view_end how, uint64_t dur)
{
	struct ct_report *rp = ctx;
	struct ct_report_row *row = row_of(rp, f, t);
	const struct ct_view_frame *a;
	bool nested = false;

	if (!row)
		return -ENOMEM;
	if (!row->src_file && !row->src_line) {
		/* a location first known after the function's first frame */
		row->src_file = f->src_file;
		row->src_line = f->src_line;
	}
	row->self_ns += dur > f->child_ns ? dur - f->child_ns : 0;
	if (how == CT_VIEW_OPEN) {
		row->open++;
	} else {
		row->calls++;
		if (how == CT_VIEW_UNWIND)
			row->unwound++;
		row->sum_ns += dur;
		if (dur < row->min_ns)
			row->min_ns = dur;
		if (dur > row->max_ns)
			row->max_ns = dur;
	}
	for (a = ct_view_up(t, f); a; a = ct_view_up(t, a)) {
		if (a->func == f->func && a->label == f->label && a->module == f->module) {
			nested = true;
			break;
		}
	}
	if (!nested)
		row->total_ns += dur;
	return 0;
}

struct ct_view *ct_report_view_new(struct ct_report *rp, const struct ct_view_filter *f)
{
	static const struct ct_view_ops ops = { .exit = report_exit };

	return ct_view_new(f, &ops, rp, 0);
}

int ct_report_collect(struct ct_report *rp, struct ct_view_input *in,
		      const struct ct_view_filter *f)
{
	struct ct_view *v = ct_report_view_new(rp, f);
	int rc;

	if (!v)
		return -errno;
	rc = ct_view_run(v, in);
	ct_view_free(v);
	return rc;
}

static uint64_t avg(const struct ct_report_row *r)
{
	return r->calls ? r->sum_ns / r->calls : 0;
}

static int cmp_str(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

/* Ties: by name, module, pid, tid (qsort has no context argument, so
 * there is a comparator per key). */
static int cmp_rest(const struct ct_report_row *a, const struct ct_report_row *b)
{
	int c = cmp_str(a->func, b->func);

	if (!c)
		c = cmp_str(a->module, b->module);
	if (!c)
		c = a->pid < b->pid ? -1 : a->pid > b->pid;
	if (!c)
		c = a->tid < b->tid ? -1 : a->tid > b->tid;
	return c;
}

#define DEFINE_CMP(name, expr)                                                       \
	static int name(const void *pa, const void *pb)                              \
	{                                                                            \
		const struct ct_report_row *a = *(const struct ct_report_row *const *)pa; \
		const struct ct_report_row *b = *(const struct ct_report_row *const *)pb; \
		int c = (expr);                                                      \
		return c ? c : cmp_rest(a, b);                                       \
	}

DEFINE_CMP(cmp_total, cmp_u64_desc(a->total_ns, b->total_ns))
DEFINE_CMP(cmp_self, cmp_u64_desc(a->self_ns, b->self_ns))
DEFINE_CMP(cmp_calls, cmp_u64_desc(a->calls, b->calls))
DEFINE_CMP(cmp_avg, cmp_u64_desc(avg(a), avg(b)))
DEFINE_CMP(cmp_min, cmp_u64_desc(a->min_ns, b->min_ns))
DEFINE_CMP(cmp_max, cmp_u64_desc(a->max_ns, b->max_ns))
DEFINE_CMP(cmp_name, 0)

static int cmp_thread_first(const void *pa, const void *pb, int (*key)(const void *, const void *))
{
	const struct ct_report_row *a = *(const struct ct_report_row *const *)pa;
	const struct ct_report_row *b = *(const struct ct_report_row *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return key(pa, pb);
}

#define DEFINE_TCMP(name, key)                                  \
	static int name(const void *pa, const void *pb)         \
	{                                                       \
		return cmp_thread_first(pa, pb, key);           \
	}

DEFINE_TCMP(tcmp_total, cmp_total)
DEFINE_TCMP(tcmp_self, cmp_self)
DEFINE_TCMP(tcmp_calls, cmp_calls)
DEFINE_TCMP(tcmp_avg, cmp_avg)
DEFINE_TCMP(tcmp_min, cmp_min)
DEFINE_TCMP(tcmp_max, cmp_max)
DEFINE_TCMP(tcmp_name, cmp_name)

static void sort_rows(struct ct_report *rp)
{
	static int (*const by[][2])(const void *, const void *) = {
		[CT_SORT_TOTAL] = { cmp_total, tcmp_total },
		[CT_SORT_SELF] = { cmp_self, tcmp_self },
		[CT_SORT_CALLS] = { cmp_calls, tcmp_calls },
		[CT_SORT_AVG] = { cmp_avg, tcmp_avg },
		[CT_SORT_MIN] = { cmp_min, tcmp_min },
		[CT_SORT_MAX] = { cmp_max, tcmp_max },
		[CT_SORT_NAME] = { cmp_name, tcmp_name },
	};

	if (rp->sorted)
		return;
	if (rp->nrows > 1)
		qsort(rp->rows, rp->nrows, sizeof(*rp->rows), by[rp->o.sort][rp->o.per_thread]);
	rp->sorted = true;
}

size_t ct_report_rows(struct ct_report *rp, const struct ct_report_row *const **rows)
{
	sort_rows(rp);
	*rows = (const struct ct_report_row *const *)rp->rows;
	return rp->nrows;
}

static int cmp_name_ptr(const void *pa, const void *pb)
{
	const struct ct_report_row *a = *(const struct ct_report_row *const *)pa;
	const struct ct_report_row *b = *(const struct ct_report_row *const *)pb;
	int c = cmp_str(a->func, b->func);

	return c ? c : cmp_str(a->module, b->module);
}

/*
 * Names that more than one module defines get "@module" in the table.
 * Marked in a byte array indexed like rows; NULL (no marks) if none.
 */
static unsigned char *ambiguous(struct ct_report *rp)
{
	struct ct_report_row **byname;
	unsigned char *amb = NULL;
	size_t i, j;

	if (rp->nrows < 2)
		return NULL;
	byname = malloc(rp->nrows * sizeof(*byname));
	if (!byname)
		return NULL;
	memcpy(byname, rp->rows, rp->nrows * sizeof(*byname));
	qsort(byname, rp->nrows, sizeof(*byname), cmp_name_ptr);
	for (i = 1; i < rp->nrows; i++) {
		if (cmp_str(byname[i]->func, byname[i - 1]->func) ||
		    !cmp_str(byname[i]->module, byname[i - 1]->module))
			continue;
		if (!amb) {
			amb = calloc(rp->nrows, 1);
			if (!amb)
				break;
		}
		/* mark both: rows are found again by pointer */
		for (j = 0; j < rp->nrows; j++)
			if (rp->rows[j] == byname[i] || rp->rows[j] == byname[i - 1])
				amb[j] = 1;
	}
	free(byname);
	return amb;
}

/* --srcline: "file:line", "file" without a line, "-" unknown. */
static void put_src(struct ct_vbuf *b, const struct ct_report_row *row)
{
	if (!row->src_file) {
		ct_vbuf_putc(b, '-');
		return;
	}
	ct_vbuf_text(b, row->src_file);
	if (row->src_line) {
		ct_vbuf_putc(b, ':');
		ct_vbuf_u64(b, row->src_line);
	}
}

/* The Source column's width: its widest cell, at least the heading's. */
static size_t src_width(struct ct_report *rp)
{
	size_t w = strlen("Source"), r;
	struct ct_vbuf b;

	ct_vbuf_init(&b);
	for (r = 0; r < rp->nrows; r++) {
		b.len = 0;
		put_src(&b, rp->rows[r]);
		if (b.len > w)
			w = b.len;
	}
	ct_vbuf_fini(&b);
	return w;
}

/* A time column; `-` where there is none (no frame of the row ended). */
static void put_time(struct ct_report *rp, struct ct_vbuf *b, uint64_t ns, bool none)
{
	char tmp[CT_VIEW_DURLEN];

	ct_vbuf_put(b, "  ", 2);
	if (none) {
		ct_vbuf_spaces(b, rp->o.ns ? 13 : 9);
		ct_vbuf_putc(b, '-');
	} else if (rp->o.ns)
		ct_vbuf_u64_right(b, ns, 14);
	else
		ct_vbuf_puts(b, ct_view_format_duration(ns, tmp));
}

int ct_report_print(struct ct_report *rp, FILE *out)
{
	static const char *const heads[] = { "Total time", "Self time", "Calls", "Average",
					     "Min", "Max" };
	unsigned w = rp->o.ns ? 14 : 10, i;
	unsigned char *amb;
	struct ct_vbuf b;
	size_t r, sw = 0, j;
	int rc;

	sort_rows(rp);
	amb = ambiguous(rp);
	if (rp->o.srcline)
		sw = src_width(rp);
	ct_vbuf_init(&b);
	for (i = 0; i < 6; i++) {
		size_t n = strlen(heads[i]), cw = i == 2 ? 10 : w;

		ct_vbuf_spaces(&b, 2 + (cw > n ? cw - n : 0));
		ct_vbuf_puts(&b, heads[i]);
	}
	if (rp->o.per_thread)
		ct_vbuf_puts(&b, "       TID");
	if (sw) {
		ct_vbuf_puts(&b, "  Source");
		ct_vbuf_spaces(&b, sw - strlen("Source"));
	}
	ct_vbuf_puts(&b, "  Function\n");
	for (i = 0; i < 6; i++) {
		size_t cw = i == 2 ? 10 : w, k;

		ct_vbuf_put(&b, "  ", 2);
		for (k = 0; k < cw; k++)
			ct_vbuf_putc(&b, '=');
	}
	if (rp->o.per_thread)
		ct_vbuf_puts(&b, "  ========");
	if (sw) {
		ct_vbuf_put(&b, "  ", 2);
		for (j = 0; j < sw; j++)
			ct_vbuf_putc(&b, '=');
	}
	ct_vbuf_puts(&b, "  ========\n");

	for (r = 0; r < rp->nrows; r++) {
		const struct ct_report_row *row = rp->rows[r];

		put_time(rp, &b, row->total_ns, false);
		put_time(rp, &b, row->self_ns, false);
		ct_vbuf_put(&b, "  ", 2);
		ct_vbuf_u64_right(&b, row->calls, 10);
		put_time(rp, &b, avg(row), !row->calls);
		put_time(rp, &b, row->min_ns, !row->calls);
		put_time(rp, &b, row->max_ns, !row->calls);
		if (rp->o.per_thread) {
			ct_vbuf_put(&b, "  ", 2);
			ct_vbuf_u64_right(&b, (uint64_t)(uint32_t)row->tid, 8);
		}
		if (sw) {
			size_t at;

			ct_vbuf_put(&b, "  ", 2);
			at = b.len;
			put_src(&b, row);
			ct_vbuf_spaces(&b, b.len - at < sw ? sw - (b.len - at) : 0);
		}
		ct_vbuf_put(&b, "  ", 2);
		ct_vbuf_text(&b, row->func);
		if (amb && amb[r]) {
			ct_vbuf_putc(&b, '@');
			ct_vbuf_text(&b, row->module);
		}
		ct_vbuf_putc(&b, '\n');
		rc = ct_vbuf_maybe_flush(&b, out);
		if (rc)
			break;
	}
	rc = ct_vbuf_flush(&b, out);
	ct_vbuf_fini(&b);
	free(amb);
	return rc;
}
