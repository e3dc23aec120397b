/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The code buffer every arch writes relocated instructions into.  Values are
 * stored little-endian, as both supported ISAs expect, whatever the host. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/arch.h"

void ct_codebuf_init(struct ct_codebuf *cb, uint8_t *buf, size_t cap, uint64_t pc)
{
	cb->buf = buf;
	cb->cap = cap;
	cb->len = 0;
	cb->pc = pc;
}

int ct_codebuf_put(struct ct_codebuf *cb, const void *bytes, size_t n)
{
	if (n > cb->cap - cb->len)
		return -ENOSPC;
	if (n)
		memcpy(cb->buf + cb->len, bytes, n);
	cb->len += n;
	return 0;
}

int ct_codebuf_put_u8(struct ct_codebuf *cb, uint8_t v)
{
	return ct_codebuf_put(cb, &v, 1);
}

int ct_codebuf_put_u32(struct ct_codebuf *cb, uint32_t v)
{
	uint8_t b[4];

	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return ct_codebuf_put(cb, b, sizeof(b));
}

int ct_codebuf_put_u64(struct ct_codebuf *cb, uint64_t v)
{
	uint8_t b[8];

	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return ct_codebuf_put(cb, b, sizeof(b));
}
