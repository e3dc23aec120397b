/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable output buffer for the view writers (replay, report, chrome,
 * folded, svg): text is appended in memory and written out in large
 * pieces, so the per-event cost is a few stores.  The buffer grows to the
 * longest line written between two flushes and is then reused; an
 * allocation failure is remembered (err) and later appends are dropped.
 */
#ifndef CT_VIEW_VBUF_H
#define CT_VIEW_VBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct ct_vbuf {
	char *p;
	size_t len, cap;
	int err; /* 0, -ENOMEM, or the error of a flush */
};

/* Write out once this much is buffered. */
#define CT_VBUF_FLUSH (64u << 10)

void ct_vbuf_init(struct ct_vbuf *b);
void ct_vbuf_fini(struct ct_vbuf *b);
/* Make room for n more bytes; false (and err set) if it cannot. */
int ct_vbuf_grow(struct ct_vbuf *b, size_t n);

static inline int ct_vbuf_room(struct ct_vbuf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return 1;
	return ct_vbuf_grow(b, n);
}

static inline void ct_vbuf_put(struct ct_vbuf *b, const char *s, size_t n)
{
	if (ct_vbuf_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static inline void ct_vbuf_puts(struct ct_vbuf *b, const char *s)
{
	ct_vbuf_put(b, s, strlen(s));
}

static inline void ct_vbuf_putc(struct ct_vbuf *b, char c)
{
	if (ct_vbuf_room(b, 1))
		b->p[b->len++] = c;
}

void ct_vbuf_spaces(struct ct_vbuf *b, size_t n);
void ct_vbuf_u64(struct ct_vbuf *b, uint64_t v);
/* right-aligned in width columns */
void ct_vbuf_u64_right(struct ct_vbuf *b, uint64_t v, unsigned width);
void ct_vbuf_s64(struct ct_vbuf *b, int64_t v);
void ct_vbuf_hex64(struct ct_vbuf *b, uint64_t v); /* "0x2a", "0x0" */
/* ns as microseconds with three decimals: 1234 -> "1.234" */
void ct_vbuf_us(struct ct_vbuf *b, uint64_t ns);

/* Strings from the traced program, in each writer's escaping.  NULL is
 * written as "?" (text, xml) or null (json). */
void ct_vbuf_text(struct ct_vbuf *b, const char *s); /* control chars, '\' escaped */
void ct_vbuf_json(struct ct_vbuf *b, const char *s); /* a JSON string, quotes included */
void ct_vbuf_xml(struct ct_vbuf *b, const char *s);  /* XML text/attribute, valid UTF-8 */
/* A folded-stack frame name: ';' and line breaks would split it. */
void ct_vbuf_folded(struct ct_vbuf *b, const char *s);

/* Write everything buffered to fp.  0 or -errno (also the earlier err). */
int ct_vbuf_flush(struct ct_vbuf *b, FILE *fp);

/* Flush once CT_VBUF_FLUSH bytes are buffered. */
static inline int ct_vbuf_maybe_flush(struct ct_vbuf *b, FILE *fp)
{
	if (b->len < CT_VBUF_FLUSH)
		return b->err;
	return ct_vbuf_flush(b, fp);
}

#endif
