/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The REPL's event store: a trace file, its index and the bitmap of the
 * events the filter lets through (store.h).
 *
 * The filter is evaluated the way `calltrap dump --format=jsonl` applies
 * it: without one every event is visible, as recorded; with one, through a
 * ct_view, the calls, returns and unwinds of the frames shown and the
 * process and thread events of the threads shown (--func subtrees,
 * --min-duration decided at the call with the view's lookahead).  So a
 * `filter` in the REPL and the same options of replay/report/dump agree.
 *
 * Without a filter the bitmap is filled from the index alone where it can
 * be: a chunk whose count equals the distance to the next chunk's first
 * seq holds every seq in between (seqs only increase), so only the last
 * chunk, and chunks with gaps, are decoded.  That bitmap is made in
 * store_bits.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repl/store_impl.h"
#include "util/outfile.h"

static void seterr(struct ct_store *st, const char *msg)
{
	snprintf(st->err, sizeof(st->err), "%s", msg);
}

/* A new reader on the store's file, indexed; *size: the file's size then. */
static int open_indexed(struct ct_store *st, struct ct_trace_reader **rp, uint64_t *size)
{
	struct ct_trace_reader *r;
	struct stat sb;
	int rc;

	*rp = NULL;
	if (fstat(st->fd, &sb) < 0) {
		rc = -errno;
		seterr(st, strerror(-rc));
		return rc;
	}
	*size = (uint64_t)sb.st_size;
	r = ct_trace_reader_open(st->fd, st->err, sizeof(st->err));
	if (!r) {
		rc = errno ? -errno : -EIO;
		if (!st->err[0])
			seterr(st, strerror(-rc));
		return rc;
	}
	rc = ct_trace_reader_build_index(r);
	if (!rc)
		rc = ct_trace_reader_set_names(r, st->demangle);
	if (rc < 0) {
		seterr(st, rc == -ESPIPE ? "not a regular file" : strerror(-rc));
		ct_trace_reader_close(r);
		return rc;
	}
	*rp = r;
	return 0;
}

/* Make r (indexed) and b the store's, dropping what came from the old reader. */
static void install(struct ct_store *st, struct ct_trace_reader *r, struct ct_store_bits *b,
		    uint64_t size)
{
	ct_store_cache_drop(st);
	ct_hashmap_fini(&st->names);
	ct_hashmap_init(&st->names);
	st->names_done = false;
	ct_trace_reader_close(st->r);
	free(st->bits.w);
	st->r = r;
	st->bits = *b;
	st->nr_chunks = ct_trace_reader_nr_chunks(r);
	st->size = size;
}

/* Open, index and evaluate the file: 0 or -errno with st->err set. */
static int load(struct ct_store *st)
{
	struct ct_trace_reader *r;
	struct ct_store_bits b;
	uint64_t size = 0;
	int rc;

	rc = open_indexed(st, &r, &size);
	if (rc)
		return rc;
	rc = ct_store_evaluate(r, st->fd, &st->filter, &b);
	if (rc) {
		if (rc == -EFBIG)
			seterr(st, "sequence numbers too sparse to index");
		else if (*ct_trace_reader_error(r))
			seterr(st, ct_trace_reader_error(r));
		else
			seterr(st, strerror(-rc));
		ct_trace_reader_close(r);
		return rc;
	}
	install(st, r, &b, size);
	return 0;
}

struct ct_store *ct_store_open(int fd, const char *name, bool live, char *err, size_t errlen)
{
	return ct_store_open_as(fd, name, live, CT_DEMANGLE_SHORT, err, errlen);
}

struct ct_store *ct_store_open_as(int fd, const char *name, bool live, enum ct_demangle demangle,
				  char *err, size_t errlen)
{
	struct ct_store *st;
	int rc, e;

	if (errlen)
		err[0] = '\0';
	st = calloc(1, sizeof(*st));
	if (!st)
		goto fail_msg;
	st->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	st->name = strdup(name ? name : "trace");
	if (st->fd < 0 || !st->name)
		goto fail;
	st->live = live;
	st->demangle = demangle;
	ct_view_filter_init(&st->filter);
	ct_store_cache_init(st);
	ct_hashmap_init(&st->names);
	rc = load(st);
	/* a live recording may not have written its header yet */
	if (rc && !(live && rc == -ENODATA)) {
		snprintf(err, errlen, "%s", st->err);
		ct_store_free(st);
		errno = -rc;
		return NULL;
	}
	st->err[0] = '\0';
	return st;
fail:
	e = errno;
	ct_store_free(st);
	errno = e;
fail_msg:
	snprintf(err, errlen, "%s", strerror(errno));
	return NULL;
}

void ct_store_free(struct ct_store *st)
{
	unsigned i;

	if (!st)
		return;
	ct_store_cache_fini(st);
	ct_hashmap_fini(&st->names);
	ct_trace_reader_close(st->r);
	free(st->bits.w);
	for (i = 0; i < CT_VIEW_MAX_FUNCS; i++)
		free(st->funcs[i]);
	if (st->fd >= 0)
		close(st->fd);
	free(st->name);
	free(st);
}

int ct_store_refresh(struct ct_store *st)
{
	struct stat sb;
	int rc;

	if (fstat(st->fd, &sb) < 0) {
		rc = -errno;
		seterr(st, strerror(-rc));
		return rc;
	}
	if (st->r && (uint64_t)sb.st_size == st->size)
		return 0;
	rc = load(st);
	if (rc == -ENODATA && st->live && !st->r)
		return 0; /* still no header */
	if (rc)
		errno = -rc;
	return rc;
}

void ct_store_set_live(struct ct_store *st, bool live)
{
	st->live = live;
}

const char *ct_store_error(const struct ct_store *st)
{
	return st->err;
}

const char *ct_store_name(const struct ct_store *st)
{
	return st->name;
}

const struct ct_trace_info *ct_store_info(const struct ct_store *st)
{
	return st->r ? ct_trace_reader_info(st->r) : NULL;
}

uint64_t ct_store_nr_events(const struct ct_store *st)
{
	return st->r ? ct_trace_reader_stats(st->r)->events : 0;
}

uint64_t ct_store_nr_visible(const struct ct_store *st)
{
	return st->bits.count;
}

bool ct_store_problems(const struct ct_store *st, char *buf, size_t size, bool *error)
{
	struct ct_view_problems p;

	*error = false;
	if (!st->r)
		return false;
	ct_view_problems_of(st->r, st->live, &p);
	*error = p.error;
	return ct_view_problems_line(&p, buf, size);
}

void ct_store_names(struct ct_store *st, ct_store_name_cb cb, void *ctx)
{
	struct ct_event ev;
	size_t it = 0;
	uint64_t key;
	void *val;
	int rc;

	if (!st->r)
		return;
	if (!st->names_done && st->nr_chunks && !ct_trace_reader_seek_chunk(st->r, 0)) {
		const char *last = NULL;

		while ((rc = ct_trace_reader_next(st->r, &ev)) != 0) {
			if (rc == -EBADMSG)
				continue;
			if (rc < 0)
				break;
			/* strings are one pointer per distinct name */
			if (ev.func && ev.func != last &&
			    !ct_hashmap_get(&st->names, (uint64_t)(uintptr_t)ev.func))
				(void)ct_hashmap_put(&st->names, (uint64_t)(uintptr_t)ev.func,
						     (void *)ev.func);
			last = ev.func;
		}
		st->names_done = rc == 0;
	}
	while (ct_hashmap_next(&st->names, &it, &key, &val))
		cb(ctx, val);
}

/* ---- filter ---- */

const struct ct_view_filter *ct_store_filter(const struct ct_store *st)
{
	return &st->filter;
}

int ct_store_set_filter(struct ct_store *st, const struct ct_view_filter *f)
{
	char *funcs[CT_VIEW_MAX_FUNCS] = { NULL };
	struct ct_view_filter nf = *f;
	struct ct_store_bits b = { 0 };
	unsigned i;
	int rc = 0;

	if (nf.nr_funcs > CT_VIEW_MAX_FUNCS || nf.nr_tids > CT_VIEW_MAX_TIDS)
		return -EINVAL;
	for (i = 0; i < nf.nr_funcs; i++) {
		funcs[i] = strdup(nf.funcs[i]);
		if (!funcs[i]) {
			rc = -ENOMEM;
			goto out;
		}
		nf.funcs[i] = funcs[i];
	}
	if (st->r) {
		rc = ct_store_evaluate(st->r, st->fd, &nf, &b);
		if (rc) {
			seterr(st, *ct_trace_reader_error(st->r) ? ct_trace_reader_error(st->r)
								  : strerror(-rc));
			goto out;
		}
	}
	free(st->bits.w);
	st->bits = b;
	st->filter = nf;
	for (i = 0; i < CT_VIEW_MAX_FUNCS; i++) {
		char *old = st->funcs[i];

		st->funcs[i] = funcs[i];
		funcs[i] = old;
	}
	st->have_list = false;
out:
	for (i = 0; i < CT_VIEW_MAX_FUNCS; i++)
		free(funcs[i]);
	return rc;
}

/* "1500us" etc.: the largest unit that keeps the value whole */
static void put_time(char **p, char *end, uint64_t ns)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" }, { 1, "ns" } };
	unsigned i;
	int n;

	for (i = 0; i < 3 && (!ns || ns % units[i].div); i++)
		;
	if (!ns)
		i = 3;
	n = snprintf(*p, (size_t)(end - *p), "%llu%s", (unsigned long long)(ns / units[i].div),
		     units[i].unit);
	*p = n >= 0 && n < end - *p ? *p + n : end - 1;
}

char *ct_store_filter_string(const struct ct_view_filter *f, char *buf, size_t size)
{
	char *p = buf, *end = buf + size;
	unsigned i;
	int n;

#define PUT(...)                                                                                   \
	do {                                                                                       \
		n = snprintf(p, (size_t)(end - p), __VA_ARGS__);                                 \
		p = n >= 0 && n < end - p ? p + n : end - 1; /* full: nothing more fits */       \
	} while (0)

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < f->nr_funcs; i++)
		PUT("%sfunc=%s", p == buf ? "" : " ", f->funcs[i]);
	for (i = 0; i < f->nr_tids; i++)
		PUT("%stid=%d", p == buf ? "" : " ", (int)f->tids[i]);
	if (f->max_depth)
		PUT("%sdepth<=%u", p == buf ? "" : " ", f->max_depth);
	if (f->min_duration_ns) {
		PUT("%sdur>=", p == buf ? "" : " ");
		put_time(&p, end, f->min_duration_ns);
	}
	if (f->since_ns) {
		PUT("%ssince=", p == buf ? "" : " ");
		put_time(&p, end, f->since_ns);
	}
	if (f->until_ns != UINT64_MAX) {
		PUT("%suntil=", p == buf ? "" : " ");
		put_time(&p, end, f->until_ns);
	}
#undef PUT
	return buf;
}

/* ---- views and copies ---- */

struct ct_view_input *ct_store_input(struct ct_store *st, uint64_t since_ns, uint64_t until_ns,
				     unsigned window)
{
	int rc;

	if (!st->r) {
		errno = ENODATA;
		return NULL;
	}
	if (st->nr_chunks) {
		rc = ct_trace_reader_seek_chunk(st->r, 0);
		if (rc) {
			errno = -rc;
			return NULL;
		}
	}
	return ct_view_input_new(st->r, st->fd, since_ns, until_ns, window);
}

/* Copy every record of st's reader to w.  0 or -errno. */
static int copy_records(struct ct_store *st, struct ct_trace_writer *w, uint64_t *events)
{
	struct ct_trace_lost lost;
	struct ct_event ev;
	int rc;

	if (!st->nr_chunks)
		return 0;
	rc = ct_trace_reader_seek_chunk(st->r, 0);
	if (rc)
		return rc;
	for (;;) {
		rc = ct_trace_reader_read(st->r, &ev, &lost);
		if (rc == CT_TRACE_EVENT) {
			rc = ct_trace_writer_event(w, &ev);
			if (rc)
				return rc;
			(*events)++;
		} else if (rc == CT_TRACE_LOST) {
			rc = ct_trace_writer_lost(w, lost.pid, lost.tid, lost.count);
			if (rc)
				return rc;
		} else if (rc != -EBADMSG) {
			return rc;
		}
	}
}

int ct_store_save(struct ct_store *st, const char *path, uint64_t *events)
{
	struct ct_outfile of;
	struct ct_trace_info info;
	struct ct_trace_writer *w;
	int rc, crc;

	*events = 0;
	st->err[0] = '\0';
	if (!st->r) {
		seterr(st, "no events yet");
		return -ENODATA;
	}
	/* a temporary renamed over path once complete (util/outfile.h) */
	rc = ct_outfile_open(&of, path, 0);
	if (rc < 0) {
		seterr(st, strerror(-rc));
		return rc;
	}
	info = *ct_trace_reader_info(st->r);
	if (info.chunk_size < CT_TRACE_CHUNK_MIN || info.chunk_size > CT_TRACE_CHUNK_LIMIT)
		info.chunk_size = 0;
	w = ct_trace_writer_open(of.fd, &info);
	if (!w) {
		rc = errno ? -errno : -EIO;
	} else {
		rc = copy_records(st, w, events);
		crc = ct_trace_writer_close(w);
		if (!rc)
			rc = crc;
	}
	if (rc)
		ct_outfile_discard(&of);
	else
		rc = ct_outfile_commit(&of);
	if (rc && !st->err[0])
		seterr(st, strerror(-rc));
	return rc;
}
