/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The records of a trace file within a time window, with a lookahead ring.
 *
 * Records are decoded straight into the ring's slots (no copy, nothing
 * allocated per record); a register snapshot is copied into its slot only
 * when the ring holds more than the current record, since the reader's
 * snapshot lives only until its next read.
 *
 * Looking up the duration of an open frame (--min-duration decided at the
 * call, as replay must print the call line before its return arrives) scans
 * the ring, then, past it, a second reader on the same file: it seeks
 * through the index to the chunk after the ring and reads on until the
 * frame ends or enough time has passed.  Memory stays at the ring, the
 * second reader's chunk buffer and its copy of the string table.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "view/view.h"

/* Read forward rather than seek when the second reader is this close. */
#define SCOUT_SKIP 20000

struct ct_view_input {
	struct ct_trace_reader *r;
	int fd;
	uint64_t since, until;

	struct ct_view_rec *ring;
	unsigned cap;   /* window + 1 */
	unsigned head;  /* slot of the current record */
	unsigned count; /* records in the ring, the current one included */
	bool cur;       /* ring[head] has been delivered */

	bool eof;         /* nothing more will be read */
	bool past_until;  /* stopped at an event after until */
	bool reached_end; /* the reader said "end of trace" */
	bool in_window;   /* an event at or after since was read */
	int fatal;        /* -errno to return once the ring is drained */
	uint64_t max_ts;  /* of the events read so far */
	uint64_t last_seq; /* of the last event read into the ring */
	bool have_seq;
	uint64_t out_ts;  /* of the last event delivered */
	uint64_t end_ts;  /* ct_view_input_end_at: the clock of a live program */

	char first[256];
	bool have_first;
	uint64_t damage;

	struct ct_trace_reader *scout;
	bool scout_failed;
	bool scout_valid;
	uint64_t scout_next; /* seq the scout reads next */
};

int ct_view_open_file(const char *path, int *fd, struct ct_trace_reader **r, char *err,
		      size_t errlen)
{
	int e;

	*r = NULL;
	if (errlen)
		err[0] = '\0';
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	*r = ct_trace_reader_open(*fd, err, errlen);
	if (!*r) {
		e = errno ? errno : EIO;
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(e));
		close(*fd);
		*fd = -1;
		return -e;
	}
	return 0;
}

static void note_first(struct ct_view_input *in, const char *msg)
{
	if (in->have_first || !msg || !*msg)
		return;
	snprintf(in->first, sizeof(in->first), "%s", msg);
	in->have_first = true;
}

/* Position r at the first chunk that may hold events at or after since. */
static int seek_since(struct ct_view_input *in)
{
	size_t i, n;
	int rc;

	rc = ct_trace_reader_build_index(in->r);
	if (rc == -ESPIPE)
		return 0; /* a pipe: skip the early events as they come */
	if (rc < 0)
		return rc;
	if (ct_trace_reader_stats(in->r)->bad_chunks)
		note_first(in, ct_trace_reader_error(in->r));
	n = ct_trace_reader_nr_chunks(in->r);
	for (i = 0; i < n; i++)
		if (ct_trace_reader_chunk(in->r, i)->last_ts >= in->since)
			break;
	if (i == n) {
		in->eof = true;
		in->reached_end = true;
		return 0;
	}
	return ct_trace_reader_seek_chunk(in->r, i);
}

struct ct_view_input *ct_view_input_new(struct ct_trace_reader *r, int fd, uint64_t since_ns,
					uint64_t until_ns, unsigned window)
{
	struct ct_view_input *in;
	int rc;

	if (!r || window > (1u << 20)) {
		errno = EINVAL;
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->r = r;
	in->fd = fd;
	in->since = since_ns;
	in->until = until_ns;
	in->cap = window + 1;
	in->ring = calloc(in->cap, sizeof(*in->ring));
	if (!in->ring) {
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	if (since_ns) {
		rc = seek_since(in);
		if (rc < 0) {
			in->fatal = rc;
			in->eof = true;
			note_first(in, ct_trace_reader_error(r));
			if (!in->have_first)
				note_first(in, strerror(-rc));
		}
	} else {
		in->in_window = true;
	}
	return in;
}

void ct_view_input_free(struct ct_view_input *in)
{
	if (!in)
		return;
	ct_trace_reader_close(in->scout);
	free(in->ring);
	free(in);
}

/* Read one record into slot s.  1, or 0 when nothing more comes. */
static int read_one(struct ct_view_input *in, struct ct_view_rec *s)
{
	int rc;

	while (!in->eof) {
		rc = ct_trace_reader_read(in->r, &s->ev, &s->lost);
		if (rc == CT_TRACE_EVENT) {
			if (s->ev.ts_ns < in->since)
				continue;
			if (s->ev.ts_ns > in->until) {
				in->eof = true;
				in->past_until = true;
				return 0;
			}
			in->in_window = true;
			if (s->ev.ts_ns > in->max_ts)
				in->max_ts = s->ev.ts_ns;
			in->last_seq = s->ev.seq;
			in->have_seq = true;
			if (s->ev.regs && in->cap > 1) {
				memcpy(&s->regs, s->ev.regs, sizeof(s->regs));
				s->ev.regs = &s->regs;
			}
			s->kind = CT_TRACE_EVENT;
			return 1;
		}
		if (rc == CT_TRACE_LOST) {
			/* lost before the window: not ours to report */
			if (!in->in_window)
				continue;
			s->kind = CT_TRACE_LOST;
			return 1;
		}
		if (rc == 0) {
			in->eof = true;
			in->reached_end = true;
			return 0;
		}
		if (rc == -EBADMSG) {
			in->damage++;
			note_first(in, ct_trace_reader_error(in->r));
			continue;
		}
		if (rc == -ENODATA)
			continue; /* truncated: counted in the stats; the next read ends */
		in->fatal = rc;
		in->eof = true;
		note_first(in, ct_trace_reader_error(in->r));
		if (!in->have_first)
			note_first(in, strerror(-rc));
		return 0;
	}
	return 0;
}

/* Make the ring hold at least n records (current included).  true if so. */
static bool fill(struct ct_view_input *in, unsigned n)
{
	while (in->count < n) {
		unsigned slot;

		if (in->count >= in->cap || in->eof)
			return false;
		slot = in->head + in->count;
		if (slot >= in->cap)
			slot -= in->cap;
		if (read_one(in, &in->ring[slot]) != 1)
			return false;
		in->count++;
	}
	return true;
}

int ct_view_input_next(struct ct_view_input *in, const struct ct_view_rec **rec)
{
	if (in->cur) {
		in->cur = false;
		in->count--;
		if (++in->head == in->cap)
			in->head = 0;
	}
	if (!fill(in, 1))
		return in->fatal ? in->fatal : 0;
	in->cur = true;
	*rec = &in->ring[in->head];
	if (in->ring[in->head].kind == CT_TRACE_EVENT)
		in->out_ts = in->ring[in->head].ev.ts_ns;
	return 1;
}

const struct ct_view_rec *ct_view_input_peek(struct ct_view_input *in, unsigned i)
{
	unsigned slot;

	if (!in->cur || i >= in->cap || !fill(in, i + 1))
		return NULL;
	slot = in->head + i;
	if (slot >= in->cap)
		slot -= in->cap;
	return &in->ring[slot];
}

uint64_t ct_view_input_last_ts(const struct ct_view_input *in)
{
	/* stopped by --until: frames still open were open until then */
	if (in->past_until && in->until != UINT64_MAX)
		return in->until;
	if (in->end_ts > in->max_ts && in->end_ts > in->out_ts)
		return in->end_ts;
	return in->max_ts > in->out_ts ? in->max_ts : in->out_ts;
}

void ct_view_input_end_at(struct ct_view_input *in, uint64_t ts)
{
	in->end_ts = ts;
}

static uint64_t since_call(const struct ct_event *call, uint64_t ts)
{
	return ts > call->ts_ns ? ts - call->ts_ns : 0;
}

/*
 * Does e settle the duration of the frame call opened?  1 with *ns set,
 * else 0.  Compared by depth and address, not by string pointers, since e
 * may come from the second reader.
 */
static int settles(const struct ct_event *call, const struct ct_event *e, uint64_t need,
		   uint64_t *ns)
{
	if (e->pid == call->pid && e->tid == call->tid) {
		switch (e->type) {
		case CT_EV_RETURN:
		case CT_EV_UNWIND:
			if (e->depth == call->depth && e->addr == call->addr) {
				*ns = e->duration_ns;
				return 1;
			}
			if (e->depth <= call->depth)
				goto ended;
			break;
		case CT_EV_CALL:
			if (e->depth <= call->depth)
				goto ended;
			break;
		case CT_EV_THREAD_EXIT:
		case CT_EV_EXIT:
			goto ended;
		default:
			break;
		}
	} else if (e->pid == call->pid && e->type == CT_EV_EXIT) {
		goto ended;
	}
	if (since_call(call, e->ts_ns) >= need) {
		*ns = need;
		return 1;
	}
	return 0;
ended:
	*ns = since_call(call, e->ts_ns);
	return 1;
}

static bool is_regular(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* Past the ring: the second reader from the event after the ring's last. */
static int scout_duration(struct ct_view_input *in, const struct ct_event *call, uint64_t need,
			  uint64_t *ns)
{
	uint64_t start = in->last_seq + 1, last = call->ts_ns;
	struct ct_event ev;
	int rc;

	if (!in->scout && !in->scout_failed) {
		in->scout = is_regular(in->fd) ? ct_trace_reader_open(in->fd, NULL, 0) : NULL;
		if (!in->scout || ct_trace_reader_build_index(in->scout) < 0) {
			ct_trace_reader_close(in->scout);
			in->scout = NULL;
			in->scout_failed = true;
		}
	}
	if (!in->scout) {
		/* cannot look further (a pipe): keep the frame */
		*ns = need;
		return 0;
	}
	if (!in->scout_valid || in->scout_next > start || start - in->scout_next > SCOUT_SKIP) {
		size_t i = ct_trace_reader_find_seq(in->scout, start);

		if (i >= ct_trace_reader_nr_chunks(in->scout))
			goto end;
		rc = ct_trace_reader_seek_chunk(in->scout, i);
		if (rc < 0)
			return rc;
		in->scout_next = ct_trace_reader_chunk(in->scout, i)->first_seq;
		in->scout_valid = true;
	}
	while ((rc = ct_trace_reader_next(in->scout, &ev)) == 1) {
		in->scout_next = ev.seq + 1;
		if (ev.seq < start)
			continue;
		if (ev.ts_ns > in->until) {
			last = in->until;
			break;
		}
		if (settles(call, &ev, need, ns))
			return 0;
		if (ev.ts_ns > last)
			last = ev.ts_ns;
	}
	/* the second reader reached the end (or a damaged tail): open until then */
	in->scout_valid = false;
end:
	*ns = since_call(call, last);
	return 0;
}

int ct_view_input_duration(struct ct_view_input *in, uint64_t need, uint64_t *ns)
{
	const struct ct_event *call;
	const struct ct_view_rec *rec;
	unsigned i;

	if (!in->cur || in->ring[in->head].kind != CT_TRACE_EVENT)
		return -EINVAL;
	call = &in->ring[in->head].ev;
	for (i = 1;; i++) {
		rec = ct_view_input_peek(in, i);
		if (!rec)
			break;
		if (rec->kind == CT_TRACE_EVENT && settles(call, &rec->ev, need, ns))
			return 0;
	}
	if (in->eof) {
		/* the whole rest of the view is in the ring: open until its end */
		*ns = since_call(call, ct_view_input_last_ts(in));
		return 0;
	}
	return scout_duration(in, call, need, ns);
}

void ct_view_problems_of(const struct ct_trace_reader *r, bool live,
			 struct ct_view_problems *p)
{
	const struct ct_trace_stats *st = ct_trace_reader_stats(r);

	memset(p, 0, sizeof(*p));
	p->bad_chunks = st->bad_chunks;
	p->bad_events = st->bad_events;
	if (p->bad_chunks)
		snprintf(p->first, sizeof(p->first), "%s", ct_trace_reader_error(r));
	/* a file being written may end anywhere: nothing is lost yet */
	p->truncated = st->truncated && !live;
	if (p->truncated)
		ct_trace_truncation_message(st, p->truncation, sizeof(p->truncation));
	p->incomplete = !st->complete && !st->truncated && !st->rest_unread && !live;
	p->trailing_bytes = st->trailing_bytes;
	p->trailing_offset = st->trailing_offset;
	p->lost_events = st->lost_events;
	p->error = p->bad_chunks || p->truncated;
}

void ct_view_input_problems(const struct ct_view_input *in, struct ct_view_problems *p)
{
	ct_view_problems_of(in->r, false, p);
	if (p->bad_chunks < in->damage)
		p->bad_chunks = in->damage;
	/* stopped early (--until, an I/O error): the end was not seen */
	p->incomplete = p->incomplete && in->reached_end && !in->fatal;
	p->error = p->error || in->fatal || p->bad_chunks;
	p->first[0] = '\0';
	if (in->have_first)
		snprintf(p->first, sizeof(p->first), "%s", in->first);
}

static void sep(struct ct_sbuf *b)
{
	if (b->len)
		ct_sbuf_put(b, "; ", 2);
}

bool ct_view_problems_line(const struct ct_view_problems *p, char *buf, size_t size)
{
	struct ct_sbuf b;

	ct_sbuf_init(&b, buf, size);
	/* a damaged chunk or an I/O error; a truncation says itself below */
	if (p->error && (p->first[0] || !p->truncated)) {
		ct_sbuf_puts(&b, p->first[0] ? p->first : "damaged trace");
		if (p->bad_chunks > 1) {
			ct_sbuf_put(&b, " (", 2);
			ct_sbuf_u64(&b, p->bad_chunks);
			ct_sbuf_puts(&b, " damaged chunks skipped in all)");
		}
	}
	if (p->truncated) {
		sep(&b);
		ct_sbuf_puts(&b, p->truncation);
	} else if (p->incomplete) {
		sep(&b);
		ct_sbuf_puts(&b, "trace incomplete: the recorder did not finish it");
	}
	if (p->trailing_bytes) {
		sep(&b);
		ct_sbuf_u64(&b, p->trailing_bytes);
		ct_sbuf_puts(&b, p->trailing_bytes == 1 ? " byte" : " bytes");
		ct_sbuf_puts(&b, " after the end chunk (offset ");
		ct_sbuf_u64(&b, p->trailing_offset);
		ct_sbuf_puts(&b, ") ignored");
	}
	if (p->lost_events) {
		sep(&b);
		ct_sbuf_u64(&b, p->lost_events);
		ct_sbuf_puts(&b, p->lost_events == 1 ? " event lost by the recorder"
						     : " events lost by the recorder");
	}
	ct_sbuf_finish(&b);
	return b.len > 0;
}
