/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "view/pbuf.h"

void ct_pb_bytes(struct ct_vbuf *b, uint32_t field, const void *data, size_t len)
{
	ct_pb_tag(b, field, CT_PB_LEN);
	ct_pb_raw_varint(b, len);
	ct_vbuf_put(b, data, len);
}

void ct_pb_string(struct ct_vbuf *b, uint32_t field, const char *s)
{
	if (!s)
		s = "?";
	ct_pb_bytes(b, field, s, strlen(s));
}

/* The mark of a failed open: ct_pb_close() ignores it. */
#define NO_MARK ((size_t)-1)

size_t ct_pb_open(struct ct_vbuf *b, uint32_t field)
{
	ct_pb_tag(b, field, CT_PB_LEN);
	if (!ct_vbuf_room(b, 1))
		return NO_MARK;
	b->p[b->len] = 0;
	return b->len++;
}

void ct_pb_close(struct ct_vbuf *b, size_t mark)
{
	size_t len, n;

	if (b->err || mark == NO_MARK || mark >= b->len)
		return;
	len = b->len - mark - 1;
	n = ct_pb_varint_len(len);
	if (n > 1) {
		if (!ct_vbuf_room(b, n - 1))
			return;
		memmove(b->p + mark + n, b->p + mark + 1, len);
	}
	b->len = mark;
	ct_pb_raw_varint(b, len);
	b->len += len;
}
