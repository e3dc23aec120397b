/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Number and padding appenders for struct ct_sbuf (see strbuf.h).  Digits
 * are built right to left in a small stack array and appended with one
 * ct_sbuf_put(), so truncation follows the same rule as any other text.
 */
#include "config.h"

#include "util/strbuf.h"

static const char hexdig[] = "0123456789abcdef";

void ct_sbuf_u64w(struct ct_sbuf *b, uint64_t v, unsigned width)
{
	char tmp[20]; /* UINT64_MAX has 20 digits */
	size_t i = sizeof(tmp);
	size_t ndig;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	/* pad outside tmp, so that any width is safe */
	for (ndig = sizeof(tmp) - i; ndig < width; ndig++)
		ct_sbuf_putc(b, '0');
	ct_sbuf_put(b, tmp + i, sizeof(tmp) - i);
}

void ct_sbuf_s64(struct ct_sbuf *b, int64_t v)
{
	if (v < 0) {
		ct_sbuf_putc(b, '-');
		/* unsigned negation: defined for INT64_MIN too */
		ct_sbuf_u64w(b, -(uint64_t)v, 1);
	} else {
		ct_sbuf_u64w(b, (uint64_t)v, 1);
	}
}

void ct_sbuf_hex64(struct ct_sbuf *b, uint64_t v)
{
	char tmp[18]; /* "0x" and 16 digits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = hexdig[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	ct_sbuf_put(b, tmp + i, sizeof(tmp) - i);
}

void ct_sbuf_hex8(struct ct_sbuf *b, unsigned char c)
{
	char e[2] = { hexdig[c >> 4], hexdig[c & 0xf] };

	ct_sbuf_put(b, e, sizeof(e));
}

void ct_sbuf_spaces(struct ct_sbuf *b, size_t n)
{
	if (b->len + 1 < b->cap) {
		size_t room = b->cap - 1 - b->len;

		memset(b->buf + b->len, ' ', n < room ? n : room);
	}
	b->len += n;
}

size_t ct_utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	/* a NUL fails the range tests, so nothing past it is read */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void ct_sbuf_put_escaped(struct ct_sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		ct_sbuf_putc(b, '?');
		return;
	}
	for (; *s; s++) {
		if (*s == '\\') {
			ct_sbuf_put(b, "\\\\", 2);
		} else if (*s < 0x20 || *s == 0x7f) {
			ct_sbuf_put(b, "\\x", 2);
			ct_sbuf_hex8(b, *s);
		} else {
			ct_sbuf_putc(b, (char)*s);
		}
	}
}
