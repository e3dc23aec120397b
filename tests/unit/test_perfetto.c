/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protobuf writer (src/view/pbuf.c) byte by byte, and dump
 * --format=perfetto read back by a decoder of its own (a protobuf wire
 * walker and perfetto's interning rules written out here): the names of
 * the slices through the interned strings, with the interning tables
 * emptied after every few strings as well as never.  Expected bytes are
 * worked out by hand from the protobuf encoding (tag = field << 3 | wire
 * type; varints 7 bits a byte, low bits first).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "trace_util.h"
#include "view/pbuf.h"
#include "view/view.h"

static void assert_bytes(const struct ct_vbuf *b, const unsigned char *want, size_t n)
{
	assert_int_equal(b->err, 0);
	assert_int_equal(b->len, n);
	assert_memory_equal(b->p, want, n);
}

static void test_varints(void **state)
{
	static const unsigned char want[] = {
		0x08, 0x00,                   /* 1: 0 */
		0x08, 0x7f,                   /* 1: 127 */
		0x08, 0x80, 0x01,             /* 1: 128 */
		0x10, 0xac, 0x02,             /* 2: 300 */
		0x78, 0x80, 0x80, 0x80, 0x80, 0x10, /* 15: 1 << 32 */
		0x80, 0x01, 0x01,             /* 16: 1 (a two-byte tag) */
		0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* max */
		0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 4: -1 */
	};
	struct ct_vbuf b;

	(void)state;
	ct_vbuf_init(&b);
	ct_pb_varint(&b, 1, 0);
	ct_pb_varint(&b, 1, 127);
	ct_pb_varint(&b, 1, 128);
	ct_pb_varint(&b, 2, 300);
	ct_pb_varint(&b, 15, 1ull << 32);
	ct_pb_varint(&b, 16, 1);
	ct_pb_varint(&b, 1, UINT64_MAX);
	ct_pb_varint(&b, 4, (uint64_t)(int64_t)-1);
	assert_bytes(&b, want, sizeof(want));
	assert_int_equal(ct_pb_varint_len(0), 1);
	assert_int_equal(ct_pb_varint_len(127), 1);
	assert_int_equal(ct_pb_varint_len(128), 2);
	assert_int_equal(ct_pb_varint_len(16383), 2);
	assert_int_equal(ct_pb_varint_len(16384), 3);
	assert_int_equal(ct_pb_varint_len(UINT64_MAX), 10);
	ct_vbuf_fini(&b);
}

static void test_strings(void **state)
{
	static const unsigned char want[] = {
		0x12, 0x03, 'a', 'b', 'c', /* 2: "abc" */
		0x12, 0x01, '?',           /* 2: NULL */
		0xe2, 0x03, 0x00,          /* 60: "" */
	};
	struct ct_vbuf b;

	(void)state;
	ct_vbuf_init(&b);
	ct_pb_string(&b, 2, "abc");
	ct_pb_string(&b, 2, NULL);
	ct_pb_string(&b, 60, "");
	assert_bytes(&b, want, sizeof(want));
	ct_vbuf_fini(&b);
}

/* A nested message of n bytes of x behind a prefix: its length takes one,
 * two or three bytes, the body moved up as needed. */
static void nested(size_t n, const unsigned char *len, size_t lenlen)
{
	unsigned char want[20000];
	struct ct_vbuf b;
	size_t m, i, k = 0;

	ct_vbuf_init(&b);
	ct_pb_varint(&b, 1, 5);
	m = ct_pb_open(&b, 3);
	for (i = 0; i < n; i++)
		ct_vbuf_putc(&b, 'x');
	ct_pb_close(&b, m);
	ct_pb_varint(&b, 1, 6);
	want[k++] = 0x08;
	want[k++] = 0x05;
	want[k++] = 0x1a;
	memcpy(want + k, len, lenlen);
	k += lenlen;
	memset(want + k, 'x', n);
	k += n;
	want[k++] = 0x08;
	want[k++] = 0x06;
	assert_bytes(&b, want, k);
	ct_vbuf_fini(&b);
}

static void test_nested(void **state)
{
	(void)state;
	nested(0, (const unsigned char *)"\x00", 1);
	nested(127, (const unsigned char *)"\x7f", 1);
	nested(128, (const unsigned char *)"\x80\x01", 2);
	nested(300, (const unsigned char *)"\xac\x02", 2);
	nested(16384, (const unsigned char *)"\x80\x80\x01", 3);
}

/* A message in a message, the inner one 200 bytes: inner 0x12 0xc8 0x01 +
 * 200 = 203 bytes, so the outer length is 0xcb 0x01. */
static void test_nested_twice(void **state)
{
	unsigned char want[210];
	struct ct_vbuf b;
	size_t outer, inner;

	(void)state;
	ct_vbuf_init(&b);
	outer = ct_pb_open(&b, 1);
	inner = ct_pb_open(&b, 2);
	ct_vbuf_spaces(&b, 200);
	ct_pb_close(&b, inner);
	ct_pb_close(&b, outer);
	memcpy(want, "\x0a\xcb\x01\x12\xc8\x01", 6);
	memset(want + 6, ' ', 200);
	assert_bytes(&b, want, 206);
	ct_vbuf_fini(&b);
}

/* ---- the dump, decoded ---- */

#define NFUNCS 10
static char fnames[NFUNCS][8];

/* f0..f9 called one after the other by thread 4242 (each returns 7 after
 * 100 ns), then f0 again, calling f1. */
static int write_calls(void)
{
	struct ct_trace_writer *w;
	struct ct_event ev;
	int fd = test_memfd();
	unsigned i;

	w = test_writer(fd, &ct_arch_x86_64, 0);
	for (i = 0; i <= NFUNCS + 1; i++) {
		unsigned fn = i < NFUNCS ? i : i - NFUNCS;

		snprintf(fnames[fn], sizeof(fnames[fn]), "f%u", fn);
		memset(&ev, 0, sizeof(ev));
		ev.seq = 2 * i + 1;
		ev.ts_ns = 1000 + 1000 * i;
		ev.pid = ev.tid = 4242;
		ev.type = CT_EV_CALL;
		ev.func = fnames[fn];
		ev.module = "prog";
		ev.addr = 0x1000 + 0x10 * fn;
		ev.depth = i == NFUNCS + 1 ? 2 : 1;
		ev.nr_args = 1;
		ev.args[0] = fn;
		assert_int_equal(ct_trace_writer_event(w, &ev), 0);
		if (i == NFUNCS)
			continue; /* f0 stays open: f1 is called inside it */
		ev.seq++;
		ev.ts_ns += 100;
		ev.type = CT_EV_RETURN;
		ev.retval = 7;
		ev.duration_ns = 100;
		assert_int_equal(ct_trace_writer_event(w, &ev), 0);
	}
	memset(&ev, 0, sizeof(ev));
	ev.seq = 100;
	ev.ts_ns = 20000;
	ev.pid = ev.tid = 4242;
	ev.type = CT_EV_RETURN;
	ev.func = fnames[0];
	ev.module = "prog";
	ev.addr = 0x1000;
	ev.depth = 1;
	ev.retval = 7;
	ev.duration_ns = 9000;
	assert_int_equal(ct_trace_writer_event(w, &ev), 0);
	assert_int_equal(ct_trace_writer_close(w), 0);
	return fd;
}

static struct blob dump_perfetto(int fd, unsigned max_interned)
{
	struct ct_dump_opts o = { .format = CT_DUMP_PERFETTO, .max_interned = max_interned };
	struct ct_view_filter f;
	struct ct_trace_reader *r;
	struct ct_view_input *in;
	struct blob out = { NULL, 0 };
	char *buf = NULL;
	FILE *fp;

	ct_view_filter_init(&f);
	r = ct_trace_reader_open(fd, NULL, 0);
	assert_non_null(r);
	in = ct_view_input_new(r, fd, 0, UINT64_MAX, 0);
	assert_non_null(in);
	o.info = ct_trace_reader_info(r);
	fp = open_memstream(&buf, &out.n);
	assert_non_null(fp);
	assert_int_equal(ct_dump(in, &f, &o, fp), 0);
	assert_int_equal(fclose(fp), 0);
	ct_view_input_free(in);
	ct_trace_reader_close(r);
	out.p = (uint8_t *)buf;
	return out;
}

/* One field of a message: its number, and its varint or its bytes. */
struct field {
	uint32_t num;
	unsigned wire;
	uint64_t v;
	const uint8_t *p;
	size_t n;
};

static uint64_t rd_varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		assert_true(*p < end && shift < 64);
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
		if (!(*(*p)++ & 0x80))
			return v;
	}
}

/* The next field of [*p, end): false at the end. */
static bool next_field(const uint8_t **p, const uint8_t *end, struct field *f)
{
	uint64_t tag;

	if (*p == end)
		return false;
	tag = rd_varint(p, end);
	f->num = (uint32_t)(tag >> 3);
	f->wire = tag & 7;
	if (f->wire == CT_PB_VARINT) {
		f->v = rd_varint(p, end);
		return true;
	}
	assert_int_equal(f->wire, CT_PB_LEN);
	f->n = rd_varint(p, end);
	assert_true(f->n <= (size_t)(end - *p));
	f->p = *p;
	*p += f->n;
	return true;
}

/* The sequence's interned strings, as perfetto keeps them: by kind
 * (InternedData field 1..3) and iid, until SEQ_INCREMENTAL_STATE_CLEARED. */
#define MAX_IID 64
struct seqstate {
	bool valid;
	char names[4][MAX_IID][16];
	unsigned clears;
};

static void interned(struct seqstate *s, const struct field *id)
{
	const uint8_t *p = id->p, *end = id->p + id->n, *q, *qend;
	struct field f, e;

	assert_true(s->valid);
	while (next_field(&p, end, &f)) {
		uint64_t iid = 0;
		char name[16] = "";

		assert_true(f.num >= 1 && f.num <= 3 && f.wire == CT_PB_LEN);
		q = f.p;
		qend = f.p + f.n;
		while (next_field(&q, qend, &e)) {
			if (e.num == 1)
				iid = e.v;
			else if (e.num == 2 && e.n < sizeof(name))
				memcpy(name, e.p, e.n);
		}
		assert_true(iid >= 1 && iid < MAX_IID);
		assert_string_equal(s->names[f.num][iid], ""); /* never given twice */
		strcpy(s->names[f.num][iid], name);
	}
}

/* Decode the trace; the names of its slices, through the interning, in
 * names[] ("f0,f1,..."); the number of state clears. */
static unsigned decode(const struct blob *t, char *names, size_t size)
{
	const uint8_t *p = t->p, *end = t->p + t->n, *q, *qend, *r, *rend;
	struct seqstate s;
	struct field pk, f, te;

	memset(&s, 0, sizeof(s));
	names[0] = '\0';
	while (next_field(&p, end, &pk)) {
		const struct field *event = NULL, *idata = NULL;
		struct field ev, id;
		uint64_t flags = 0;

		assert_int_equal(pk.num, 1); /* Trace.packet */
		q = pk.p;
		qend = pk.p + pk.n;
		while (next_field(&q, qend, &f)) {
			if (f.num == 13)
				flags = f.v;
			else if (f.num == 12)
				id = f, idata = &id;
			else if (f.num == 11)
				ev = f, event = &ev;
		}
		if (flags & 1) {
			memset(s.names, 0, sizeof(s.names));
			s.valid = true;
			s.clears++;
		}
		if (idata)
			interned(&s, idata);
		if (!event)
			continue;
		assert_true(flags & 2); /* SEQ_NEEDS_INCREMENTAL_STATE */
		r = event->p;
		rend = event->p + event->n;
		while (next_field(&r, rend, &te)) {
			if (te.num == 10) { /* name_iid */
				assert_true(te.v >= 1 && te.v < MAX_IID);
				assert_string_not_equal(s.names[2][te.v], "");
				if (names[0])
					strncat(names, ",", size - strlen(names) - 1);
				strncat(names, s.names[2][te.v], size - strlen(names) - 1);
			} else if (te.num == 3) { /* category_iids */
				assert_string_equal(s.names[1][te.v], "prog");
			}
		}
	}
	return s.clears;
}

static void test_interning(void **state)
{
	static const char want[] = "f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f0,f1";
	char names[256];
	struct blob t;
	int fd = write_calls();

	(void)state;
	/* never emptied: one clear, in the first packet that uses the state */
	t = dump_perfetto(fd, 0);
	assert_int_equal(decode(&t, names, sizeof(names)), 1);
	assert_string_equal(names, want);
	free(t.p);
	/* emptied past 3 strings: cleared again and again, the names right */
	t = dump_perfetto(fd, 3);
	assert_true(decode(&t, names, sizeof(names)) >= 6);
	assert_string_equal(names, want);
	free(t.p);
	close(fd);
}

/* The end of f1's first frame, whole: a packet of 19 bytes ("retval" was
 * interned by f0's). */
static void test_slice_end(void **state)
{
	static const unsigned char want[] = {
		0x0a, 0x13,             /* Trace.packet, 19 bytes */
		0x40, 0xb4, 0x10,       /* timestamp 2100 */
		0x50, 0x01,             /* trusted_packet_sequence_id 1 */
		0x5a, 0x0a,             /* track_event, 10 bytes */
		0x48, 0x02,             /*   type TYPE_SLICE_END */
		0x58, 0x02,             /*   track_uuid 2 (1: the process) */
		0x22, 0x04,             /*   debug_annotations, 4 bytes */
		0x08, 0x02,             /*     name_iid 2 ("retval"; 1: "args") */
		0x38, 0x07,             /*     pointer_value 7 */
		0x68, 0x02,             /* sequence_flags SEQ_NEEDS_INCREMENTAL_STATE */
	};
	struct blob t;
	int fd = write_calls();
	size_t i;
	bool found = false;

	(void)state;
	t = dump_perfetto(fd, 0);
	for (i = 0; !found && i + sizeof(want) <= t.n; i++)
		found = !memcmp(t.p + i, want, sizeof(want));
	assert_true(found);
	free(t.p);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varints),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nested_twice),
		cmocka_unit_test(test_interning),
		cmocka_unit_test(test_slice_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
