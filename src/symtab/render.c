// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A value of a DWARF-described type, given its bytes as the callee sees
 * them, rendered as C source: 10, -1, 'a', "abc", RED, 0x7ffc1234, 1.5,
 * {x=1, y=2}.  Strings are read through a callback, a page at a time so
 * that a string ending just before an unmapped page still reads.  docs/
 * events.md lists the forms; they are what the args integration test's
 * target prints as its own truth.
 */
#include "config.h"

#include <float.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/render.h"

#define PAGE 4096u

static uint64_t load_u64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	/* both ISAs are little-endian */
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static int64_t load_s64(const uint8_t *p, size_t n)
{
	uint64_t v = load_u64(p, n);

	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~UINT64_C(0) << (8 * n);
	return (int64_t)v;
}

static void put_fmt(struct ct_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put_fmt(struct ct_sbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		ct_sbuf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_escaped(struct ct_sbuf *b, unsigned char c, char quote)
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '\n':
		ct_sbuf_put(b, "\\n", 2);
		return;
	case '\t':
		ct_sbuf_put(b, "\\t", 2);
		return;
	case '\r':
		ct_sbuf_put(b, "\\r", 2);
		return;
	case '\\':
		ct_sbuf_put(b, "\\\\", 2);
		return;
	default:
		break;
	}
	if (c == (unsigned char)quote) {
		ct_sbuf_putc(b, '\\');
		ct_sbuf_putc(b, quote);
	} else if (c >= 0x20 && c < 0x7f) {
		ct_sbuf_putc(b, (char)c);
	} else {
		ct_sbuf_put(b, "\\x", 2);
		ct_sbuf_putc(b, hex[c >> 4]);
		ct_sbuf_putc(b, hex[c & 15]);
	}
}

static void put_double(struct ct_sbuf *b, double v)
{
	char tmp[40];
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v || v != v)
			break;
	}
	ct_sbuf_puts(b, tmp);
}

/* A 16-byte float: x87 80-bit extended (x86_64 long double) or IEEE
 * binary128 (aarch64 long double, _Float128), as the tracer's own C
 * types have them: calltrap runs on the ISA of the program it traces.
 * false when this build has no such type (then shown as ?). */
static bool put_float16(struct ct_sbuf *b, const uint8_t *bytes, bool long_double)
{
	char tmp[64];
	int prec;

#if LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113
	if (long_double) {
		long double v = 0;

		memcpy(&v, bytes, LDBL_MANT_DIG == 64 ? 10 : 16);
		for (prec = LDBL_DIG; prec <= LDBL_DECIMAL_DIG; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*Lg", prec, v);
			if (strtold(tmp, NULL) == v || v != v)
				break;
		}
		ct_sbuf_puts(b, tmp);
		return true;
	}
#endif
#if defined(__HAVE_FLOAT128) && __HAVE_FLOAT128
	{
		_Float128 v;
		char fmt[8];

		memcpy(&v, bytes, 16);
		for (prec = FLT128_DIG; prec <= FLT128_DECIMAL_DIG; prec++) {
			snprintf(fmt, sizeof(fmt), "%%.%dg", prec);
			strfromf128(tmp, sizeof(tmp), fmt, v);
			if (strtof128(tmp, NULL) == v || v != v)
				break;
		}
		ct_sbuf_puts(b, tmp);
		return true;
	}
#else
	(void)bytes;
	return false;
#endif
}

static void put_float(struct ct_sbuf *b, float v)
{
	char tmp[40];
	int prec;

	for (prec = 6; prec <= 9; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)v);
		if (strtof(tmp, NULL) == v || v != v)
			break;
	}
	ct_sbuf_puts(b, tmp);
}

void ct_render_string(struct ct_sbuf *b, uint64_t addr, const struct ct_render_ctx *ctx)
{
	uint8_t buf[PAGE];
	size_t got = 0, want = (size_t)ctx->string_limit + 1;
	bool nul = false;

	if (!addr) {
		ct_sbuf_puts(b, "NULL");
		return;
	}
	/* up to limit + 1 bytes, one page piece at a time: a NUL within the
	 * limit ends the string, a byte beyond it means "..." */
	while (got < want && !nul) {
		uint64_t a = addr + got;
		size_t n = PAGE - (size_t)(a % PAGE), i;

		if (n > want - got)
			n = want - got;
		if (n > sizeof(buf))
			n = sizeof(buf);
		if (!ctx->read || ctx->read(ctx->read_ctx, a, buf, n) < 0)
			break;
		if (!got)
			ct_sbuf_putc(b, '"');
		for (i = 0; i < n; i++) {
			if (!buf[i]) {
				nul = true;
				break;
			}
			if (got + i < ctx->string_limit)
				put_escaped(b, buf[i], '"');
		}
		got += i;
	}
	if (!got && !nul) {
		put_fmt(b, "<unreadable 0x%" PRIx64 ">", addr);
		return;
	}
	/* the opening quote came with the first read (an empty string too) */
	ct_sbuf_putc(b, '"');
	if (!nul)
		ct_sbuf_put(b, "...", 3);
}

static void render_enum(struct ct_sbuf *b, const struct ct_type *ty, int64_t v)
{
	unsigned i;

	for (i = 0; i < ty->nr; i++) {
		if (ty->enums[i].value == v) {
			ct_sbuf_puts(b, ty->enums[i].name);
			return;
		}
	}
	if (ty->is_signed)
		put_fmt(b, "%" PRId64, v);
	else
		put_fmt(b, "%" PRIu64, (uint64_t)v);
}

static void render_struct(struct ct_sbuf *b, const struct ct_type *ty, const uint8_t *bytes,
			  size_t len, const struct ct_render_ctx *ctx)
{
	unsigned i;

	ct_sbuf_putc(b, '{');
	for (i = 0; i < ty->nr; i++) {
		const struct ct_member *m = &ty->members[i];

		if (i)
			ct_sbuf_put(b, ", ", 2);
		if (*m->name) {
			ct_sbuf_puts(b, m->name);
			ct_sbuf_putc(b, '=');
		}
		if (m->bitfield)
			ct_sbuf_putc(b, '?');
		else if (m->type->kind == CT_TK_STRUCT || m->type->kind == CT_TK_UNION)
			ct_sbuf_put(b, "{...}", 5);
		else if (m->type->kind == CT_TK_ARRAY)
			ct_sbuf_put(b, "[...]", 5);
		else if (m->offset > len || m->type->size > len - m->offset)
			ct_sbuf_putc(b, '?');
		else
			ct_render_value(b, m->type, bytes + m->offset, m->type->size, ctx);
	}
	ct_sbuf_putc(b, '}');
}

void ct_render_value(struct ct_sbuf *b, const struct ct_type *ty, const uint8_t *bytes, size_t len,
		     const struct ct_render_ctx *ctx)
{
	size_t n = ty->size;
	/* unions and arrays show no bytes: {...} / [...] whatever their size */
	bool agg = ty->kind == CT_TK_STRUCT || ty->kind == CT_TK_UNION || ty->kind == CT_TK_ARRAY;

	/* a struct larger than the bytes we have shows the members within them */
	if ((n > len && ty->kind != CT_TK_STRUCT) || (!agg && n > 16) ||
	    (n > 8 && !agg && ty->kind != CT_TK_INT && ty->kind != CT_TK_FLOAT)) {
		ct_sbuf_putc(b, '?');
		return;
	}
	switch (ty->kind) {
	case CT_TK_INT:
		if (n > 8) {
			/* 128-bit: shown when its value fits 64 bits */
			int64_t lo = (int64_t)load_u64(bytes, 8);
			uint64_t hi = load_u64(bytes + 8, 8);

			if (ty->is_signed && hi == (lo < 0 ? UINT64_MAX : 0))
				put_fmt(b, "%" PRId64, lo);
			else if (!ty->is_signed && !hi)
				put_fmt(b, "%" PRIu64, (uint64_t)lo);
			else
				ct_sbuf_putc(b, '?');
		} else if (ty->is_signed) {
			put_fmt(b, "%" PRId64, load_s64(bytes, n));
		} else {
			put_fmt(b, "%" PRIu64, load_u64(bytes, n));
		}
		break;
	case CT_TK_BOOL: {
		uint64_t v = load_u64(bytes, n);

		if (v <= 1)
			ct_sbuf_puts(b, v ? "true" : "false");
		else
			put_fmt(b, "%" PRIu64, v);
		break;
	}
	case CT_TK_CHAR:
		ct_sbuf_putc(b, '\'');
		if (n == 1 && !bytes[0])
			ct_sbuf_put(b, "\\0", 2);
		else
			put_escaped(b, bytes[0], '\'');
		ct_sbuf_putc(b, '\'');
		break;
	case CT_TK_ENUM:
		render_enum(b, ty, ty->is_signed ? load_s64(bytes, n) : (int64_t)load_u64(bytes, n));
		break;
	case CT_TK_FLOAT:
		if (n == 8) {
			double d;

			memcpy(&d, bytes, 8);
			put_double(b, d);
		} else if (n == 4) {
			float f;

			memcpy(&f, bytes, 4);
			put_float(b, f);
		} else if (n != 16 || !put_float16(b, bytes, ty->long_double)) {
			ct_sbuf_putc(b, '?'); /* _Float16, or a format this build lacks */
		}
		break;
	case CT_TK_PTR:
		put_fmt(b, "0x%" PRIx64, load_u64(bytes, n));
		break;
	case CT_TK_STR:
		ct_render_string(b, load_u64(bytes, n), ctx);
		break;
	case CT_TK_STRUCT:
		render_struct(b, ty, bytes, len, ctx);
		break;
	case CT_TK_UNION:
		ct_sbuf_put(b, "{...}", 5);
		break;
	case CT_TK_ARRAY:
		ct_sbuf_put(b, "[...]", 5);
		break;
	case CT_TK_VOID:
	case CT_TK_OTHER:
	default:
		ct_sbuf_putc(b, '?');
		break;
	}
}
