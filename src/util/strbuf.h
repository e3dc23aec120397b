/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snprintf-like append buffer for the event formatters (text, jsonl), which
 * run once per traced event and must not allocate.  The caller owns the
 * memory.  Nothing is ever written at or past buf[cap - 1] except the NUL
 * that ct_sbuf_finish() puts there; len counts every byte asked for, so it
 * may exceed cap and tells the caller how large a buffer would have been
 * needed (cap >= len + 1).  The tiny appenders are inline because they are
 * called for every field of every event.
 */
#ifndef CT_STRBUF_H
#define CT_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ct_sbuf {
	char *buf;
	size_t cap;
	size_t len; /* bytes needed so far; may exceed cap */
};

/* A NULL buf is treated as cap 0: only lengths are counted. */
static inline void ct_sbuf_init(struct ct_sbuf *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->len = 0;
}

static inline void ct_sbuf_putc(struct ct_sbuf *b, char c)
{
	/* keep one byte for the NUL, like snprintf */
	if (b->len + 1 < b->cap)
		b->buf[b->len] = c;
	b->len++;
}

/* n bytes of s; whatever does not fit is counted but dropped. */
static inline void ct_sbuf_put(struct ct_sbuf *b, const char *s, size_t n)
{
	if (b->len + 1 < b->cap) {
		size_t room = b->cap - 1 - b->len;

		memcpy(b->buf + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

static inline void ct_sbuf_puts(struct ct_sbuf *b, const char *s)
{
	ct_sbuf_put(b, s, strlen(s));
}

/*
 * NUL-terminate (at len, or at cap - 1 if truncated; nothing when cap is 0)
 * and return len, the length the whole text has: as snprintf's return value,
 * the output was truncated iff the result >= cap.
 */
static inline size_t ct_sbuf_finish(struct ct_sbuf *b)
{
	if (b->cap)
		b->buf[b->len < b->cap ? b->len : b->cap - 1] = '\0';
	return b->len;
}

/* v in decimal, left-padded with '0' to at least width digits (any width). */
void ct_sbuf_u64w(struct ct_sbuf *b, uint64_t v, unsigned width);

/* v in decimal, as "%" PRIu64. */
static inline void ct_sbuf_u64(struct ct_sbuf *b, uint64_t v)
{
	ct_sbuf_u64w(b, v, 1);
}

/* v in decimal with a '-' when negative, as "%" PRId64 (INT64_MIN too). */
void ct_sbuf_s64(struct ct_sbuf *b, int64_t v);

/* "0x" and v in lower-case hex without leading zeros, as "%#" PRIx64 but 0 is "0x0". */
void ct_sbuf_hex64(struct ct_sbuf *b, uint64_t v);

/* Two lower-case hex digits of c, for the formatters' escapes. */
void ct_sbuf_hex8(struct ct_sbuf *b, unsigned char c);

/* n spaces. */
void ct_sbuf_spaces(struct ct_sbuf *b, size_t n);

/* A name or path that the traced process controls, kept on one line and
 * harmless to a terminal: control bytes as \xNN, '\' as \\ (NULL: "?"). */
void ct_sbuf_put_escaped(struct ct_sbuf *b, const char *str);

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0.  Reads nothing past a NUL.
 * The JSON writers (output/jsonl.c, view/vbuf.c) copy such sequences and
 * escape every other byte. */
size_t ct_utf8_seq_len(const unsigned char *s);

#endif /* CT_STRBUF_H */
