/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "util/strbuf.h"
#include "view/vbuf.h"

void ct_vbuf_init(struct ct_vbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void ct_vbuf_fini(struct ct_vbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int ct_vbuf_grow(struct ct_vbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->err)
		return 0;
	while (cap < b->len + n) {
		if (cap > SIZE_MAX / 2) {
			b->err = -ENOMEM;
			return 0;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return 0;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

void ct_vbuf_spaces(struct ct_vbuf *b, size_t n)
{
	if (ct_vbuf_room(b, n)) {
		memset(b->p + b->len, ' ', n);
		b->len += n;
	}
}

/* Digits of v at the end of tmp[24]; returns the first. */
static char *digits(uint64_t v, char *tmp)
{
	char *p = tmp + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void ct_vbuf_u64(struct ct_vbuf *b, uint64_t v)
{
	char tmp[24], *p;

	if (v < 10) {
		ct_vbuf_putc(b, (char)('0' + v));
		return;
	}
	p = digits(v, tmp);
	ct_vbuf_put(b, p, (size_t)(tmp + 24 - p));
}

void ct_vbuf_u64_right(struct ct_vbuf *b, uint64_t v, unsigned width)
{
	char tmp[24], *p = digits(v, tmp);
	size_t n = (size_t)(tmp + 24 - p);

	if (n < width)
		ct_vbuf_spaces(b, width - n);
	ct_vbuf_put(b, p, n);
}

void ct_vbuf_s64(struct ct_vbuf *b, int64_t v)
{
	if (v < 0) {
		ct_vbuf_putc(b, '-');
		ct_vbuf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ct_vbuf_u64(b, (uint64_t)v);
	}
}

void ct_vbuf_hex64(struct ct_vbuf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[18], *p = tmp + sizeof(tmp);

	do {
		*--p = hex[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	ct_vbuf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void ct_vbuf_us(struct ct_vbuf *b, uint64_t ns)
{
	unsigned frac = (unsigned)(ns % 1000);

	ct_vbuf_u64(b, ns / 1000);
	if (ct_vbuf_room(b, 4)) {
		b->p[b->len++] = '.';
		b->p[b->len++] = (char)('0' + frac / 100);
		b->p[b->len++] = (char)('0' + frac / 10 % 10);
		b->p[b->len++] = (char)('0' + frac % 10);
	}
}

static void hex2(struct ct_vbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	ct_vbuf_putc(b, hex[c >> 4]);
	ct_vbuf_putc(b, hex[c & 15]);
}

void ct_vbuf_text(struct ct_vbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		ct_vbuf_putc(b, '?');
		return;
	}
	while (*s) {
		const unsigned char *run = s;

		while (*s >= 0x20 && *s != 0x7f && *s != '\\')
			s++;
		if (s != run)
			ct_vbuf_put(b, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		if (*s == '\\') {
			ct_vbuf_put(b, "\\\\", 2);
		} else {
			ct_vbuf_put(b, "\\x", 2);
			hex2(b, *s);
		}
		s++;
	}
}

/* As the jsonl formatter does (src/output/jsonl.c): valid UTF-8 copied,
 * anything else as \u00XX of the byte. */
void ct_vbuf_json(struct ct_vbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		ct_vbuf_put(b, "null", 4);
		return;
	}
	ct_vbuf_putc(b, '"');
	while (*s) {
		const unsigned char *run = s;
		size_t n;

		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s != run)
			ct_vbuf_put(b, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		if (*s == '"' || *s == '\\') {
			ct_vbuf_putc(b, '\\');
			ct_vbuf_putc(b, (char)*s++);
		} else if (*s >= 0x80 && (n = ct_utf8_seq_len(s))) {
			ct_vbuf_put(b, (const char *)s, n);
			s += n;
		} else {
			ct_vbuf_put(b, "\\u00", 4);
			hex2(b, *s++);
		}
	}
	ct_vbuf_putc(b, '"');
}

/* XML 1.0 allows neither most control characters nor invalid UTF-8, even
 * escaped: those become '?'. */
void ct_vbuf_xml(struct ct_vbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (!s) {
		ct_vbuf_putc(b, '?');
		return;
	}
	while (*s) {
		switch (*s) {
		case '&':
			ct_vbuf_put(b, "&amp;", 5);
			break;
		case '<':
			ct_vbuf_put(b, "&lt;", 4);
			break;
		case '>':
			ct_vbuf_put(b, "&gt;", 4);
			break;
		case '"':
			ct_vbuf_put(b, "&quot;", 6);
			break;
		case '\'':
			ct_vbuf_put(b, "&apos;", 6);
			break;
		default:
			if (*s >= 0x20 && *s < 0x7f) {
				ct_vbuf_putc(b, (char)*s);
			} else if (*s >= 0x80 && (n = ct_utf8_seq_len(s))) {
				ct_vbuf_put(b, (const char *)s, n);
				s += n;
				continue;
			} else {
				ct_vbuf_putc(b, '?');
			}
		}
		s++;
	}
}

void ct_vbuf_folded(struct ct_vbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		ct_vbuf_putc(b, '?');
		return;
	}
	for (; *s; s++) {
		if (*s == ';')
			ct_vbuf_putc(b, ':');
		else if (*s < 0x20 || *s == 0x7f)
			ct_vbuf_putc(b, '?');
		else
			ct_vbuf_putc(b, (char)*s);
	}
}

int ct_vbuf_flush(struct ct_vbuf *b, FILE *fp)
{
	if (b->err)
		return b->err;
	if (b->len) {
		errno = 0;
		if (fwrite(b->p, 1, b->len, fp) != b->len) {
			b->err = errno > 0 ? -errno : -EIO;
			return b->err;
		}
		b->len = 0;
	}
	return 0;
}
