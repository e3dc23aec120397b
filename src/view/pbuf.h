/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A protobuf writer on a ct_vbuf, just what dump --format=perfetto needs:
 * varint fields (uint32/64, int32/64, bool, enum), length-delimited bytes
 * and strings, and nested messages.
 *
 * A nested message is written in place: ct_pb_open() reserves one byte for
 * its length, ct_pb_close() stores the length there and, for a body of
 * 128 bytes or more, moves the body up to make room for the longer varint.
 * Bodies are one trace packet at most (a few hundred bytes, a long C++
 * name or typed value at worst), so the move is cheap, and the encoding is
 * the canonical one (no padded lengths).  The vbuf must not be flushed
 * between an open and its close.  After an allocation failure (b->err),
 * everything is dropped and the marks are ignored.
 */
#ifndef CT_VIEW_PBUF_H
#define CT_VIEW_PBUF_H

#include <stddef.h>
#include <stdint.h>

#include "view/vbuf.h"

/* Wire types */
#define CT_PB_VARINT 0
#define CT_PB_LEN 2

/* A varint's length in bytes (1 to 10). */
static inline unsigned ct_pb_varint_len(uint64_t v)
{
	unsigned n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* v as a bare varint. */
static inline void ct_pb_raw_varint(struct ct_vbuf *b, uint64_t v)
{
	unsigned char *p;

	if (!ct_vbuf_room(b, 10))
		return;
	p = (unsigned char *)b->p + b->len;
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	b->len = (size_t)((char *)p - b->p);
}

static inline void ct_pb_tag(struct ct_vbuf *b, uint32_t field, unsigned wire)
{
	ct_pb_raw_varint(b, ((uint64_t)field << 3) | wire);
}

/* A varint field: uint32/64, bool, enum; int32/64 as their two's
 * complement (negative values take 10 bytes, as protobuf encodes them). */
static inline void ct_pb_varint(struct ct_vbuf *b, uint32_t field, uint64_t v)
{
	ct_pb_tag(b, field, CT_PB_VARINT);
	ct_pb_raw_varint(b, v);
}

void ct_pb_bytes(struct ct_vbuf *b, uint32_t field, const void *data, size_t len);
/* A string field; NULL is written as "?" */
void ct_pb_string(struct ct_vbuf *b, uint32_t field, const char *s);

/* Open a nested message (or a packet: Trace.packet is one); the mark is
 * given back to ct_pb_close(). */
size_t ct_pb_open(struct ct_vbuf *b, uint32_t field);
void ct_pb_close(struct ct_vbuf *b, size_t mark);

#endif
