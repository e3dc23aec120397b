/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: DWARF-typed arguments and return values
 * (tests/integration/args.sh, tests/integration/check_args.py).
 *
 * Every args_* function is called from main with known values, and main prints
 * what `calltrap trace -e 'args_*' --string-limit=N` must show for it, in the
 * rendering of the typed-arguments contract (C source: -5, 200, true, 'a',
 * GREEN, "\"abc\"", 1.5, {x=1, y=2}, ...):
 *
 *   truth call FUNC<TAB>NAME=VALUE<TAB>NAME=VALUE...   one per parameter, in order
 *   truth ret FUNC VALUE                               the return value
 *   truth ret FUNC                                     a void function's return
 *   truth limit N                                      the string limit (argv[1])
 *
 * The fields of a call are separated by tabs because values hold spaces
 * ("{x=1, y=2}"); a rendered value never holds a tab (it is escaped).  An
 * unnamed parameter has an empty NAME.  The values are rendered here by the
 * target's own helpers from the values it passes, independently of calltrap;
 * "check NAME ok|FAIL" lines test those helpers against hand-written strings
 * and the functions' results against what main expects.
 *
 * The functions cover the argument classes of both ABIs: integer registers
 * and their overflow to the stack (10 longs: 6 registers on x86_64, 8 on
 * aarch64), 10 doubles (8 vector registers), small structs in registers
 * (two ints, two doubles: an HFA on aarch64, SSE on x86_64; a long and a
 * double; two floats), structs over 16 bytes (memory on x86_64, by reference
 * on aarch64, returned through x8 there), sub-word types whose register or
 * stack slot has undefined upper bits, and void/no-parameter functions.
 * They are noipa so that -O2 keeps real calls with every parameter where the
 * ABI puts it (no clones, no dropped unused parameters).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACED __attribute__((noipa, used))

enum color { RED, GREEN, BLUE };
enum sign { NEG = -1, ZERO, POS };

struct point {
	int x;
	int y;
};

struct dpair {
	double a;
	double b;
};

struct lmix {
	long a;
	double b;
};

struct fpair {
	float x;
	float y;
};

/* 32 bytes: passed in memory on x86_64, by reference on aarch64 */
struct big {
	long a;
	long b;
	long c;
	int d;
};

/* members that are themselves aggregates render as {...} and [...] */
struct nest {
	int id;
	struct point p;
	int v[3];
};

/* the second eightbyte is padding only: no register for it on x86_64 */
struct lpad16 {
	long x;
} __attribute__((aligned(16)));

/* floats of one size: an HFA on aarch64 (s0), SSE on x86_64 (xmm0) */
union fu {
	float a;
	float b;
};

/* what the functions store, so their bodies use their parameters */
static volatile long sink;
static volatile double dsink;

TRACED int args_int(int a, int b);
TRACED unsigned char args_uchar(unsigned char c, unsigned short s, unsigned u);
TRACED long long args_llong(long long a, long long b);
TRACED bool args_bool(bool t, bool f);
TRACED enum color args_enum(enum color c, enum color d, enum sign s);
TRACED char args_char(char a, char nl, char ctl);
TRACED char *args_str(const char *s, char *quoted, const char *nul, const char *bad);
TRACED const char *args_str_long(const char *lng);
TRACED void *args_ptr(int *p, void *q, size_t n);
TRACED double args_double(double a, double b, double c, double inf);
TRACED float args_float(float f, float g);
TRACED struct point args_point(struct point p);
TRACED struct dpair args_dpair(struct dpair d);
TRACED struct lmix args_lmix(struct lmix m);
TRACED float args_fpair(struct fpair f);
TRACED struct big args_big(struct big b, int k);
TRACED long args_nest(struct nest n);
TRACED long args_long10(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
			long a8, long a9);
TRACED double args_double10(double d0, double d1, double d2, double d3, double d4, double d5,
			    double d6, double d7, double d8, double d9);
TRACED long args_spill(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7, int i8,
		       double x0, double x1, double x2, double x3, double x4, double x5, double x6,
		       double x7, double x8, float fl, char ch, short sh);
TRACED int args_mixed(int n, double d, const char *name, long l, float f, bool ok, enum color c,
		      char ch);
TRACED void args_void(int x);
TRACED int args_noparams(void);
TRACED long args_unnamed(int a, int, long c);
TRACED long double args_ldouble(long double a, double d, long double b);
TRACED _Float128 args_f128(_Float128 q, double d);
TRACED double args_pad16(struct lpad16 s, double d, long l);
TRACED float args_ufloat(union fu u, float f);

int args_int(int a, int b)
{
	sink = b;
	return a * 3;
}

unsigned char args_uchar(unsigned char c, unsigned short s, unsigned u)
{
	sink = s + u;
	return c;
}

long long args_llong(long long a, long long b)
{
	sink = b;
	return a - 1;
}

bool args_bool(bool t, bool f)
{
	return t && !f;
}

enum color args_enum(enum color c, enum color d, enum sign s)
{
	sink = d + s;
	return c == GREEN ? BLUE : (enum color)9;
}

char args_char(char a, char nl, char ctl)
{
	sink = nl + ctl;
	return (char)(a + 25);
}

char *args_str(const char *s, char *quoted, const char *nul, const char *bad)
{
	static char result[] = "result";

	sink = (long)(uintptr_t)nul + (long)(uintptr_t)bad + quoted[0] + s[0];
	return result;
}

const char *args_str_long(const char *lng)
{
	sink = lng[0];
	return lng;
}

void *args_ptr(int *p, void *q, size_t n)
{
	sink = (long)(uintptr_t)q + (long)n;
	return (void *)((uintptr_t)p * 2);
}

double args_double(double a, double b, double c, double inf)
{
	dsink = b + c + inf;
	return a * -1.5e10;
}

float args_float(float f, float g)
{
	dsink = g;
	return f * 2;
}

struct point args_point(struct point p)
{
	struct point r = { p.y, p.x };

	return r;
}

struct dpair args_dpair(struct dpair d)
{
	struct dpair r = { d.b, d.a };

	return r;
}

struct lmix args_lmix(struct lmix m)
{
	struct lmix r = { m.a + 1, m.b * 2 };

	return r;
}

float args_fpair(struct fpair f)
{
	return f.x + f.y;
}

struct big args_big(struct big b, int k)
{
	struct big r = { b.a * k, b.b * k, b.c * k, b.d * k };

	return r;
}

long args_nest(struct nest n)
{
	return n.id + n.p.x + n.p.y + n.v[0] + n.v[1] + n.v[2];
}

long args_long10(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8,
		 long a9)
{
	return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
}

double args_double10(double d0, double d1, double d2, double d3, double d4, double d5, double d6,
		     double d7, double d8, double d9)
{
	return d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9;
}

long args_spill(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7, int i8, double x0,
		double x1, double x2, double x3, double x4, double x5, double x6, double x7,
		double x8, float fl, char ch, short sh)
{
	dsink = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + fl;
	return (long)i0 + i1 + i2 + i3 + i4 + i5 + i6 + i7 + i8 + ch + sh;
}

int args_mixed(int n, double d, const char *name, long l, float f, bool ok, enum color c, char ch)
{
	dsink = d + f;
	sink = name[0] + l + ok + c + ch;
	return n + 1;
}

void args_void(int x)
{
	sink = x;
}

int args_noparams(void)
{
	sink = 1;
	return 42;
}

/* the unnamed parameter: a DW_TAG_formal_parameter without DW_AT_name */
long args_unnamed(int a, int, long c)
{
	return a + c;
}

/* x86_64: long double in memory, returned in st0; aarch64: in q registers */
long double args_ldouble(long double a, double d, long double b)
{
	dsink = (double)a;
	return b - d;
}

/* in one whole xmm / q register each */
_Float128 args_f128(_Float128 q, double d)
{
	dsink = d;
	return q / 4;
}

double args_pad16(struct lpad16 s, double d, long l)
{
	return (double)s.x + d * (double)l;
}

float args_ufloat(union fu u, float f)
{
	return u.a + f;
}

/*
 * The rendering, as the contract specifies it.  Values go to a ring of
 * buffers so that one truth line can hold several.
 */
#define NBUF 32
#define BUFSZ 1024

static unsigned long string_limit = 32;
static int failures;

static char *vbuf(void)
{
	static char bufs[NBUF][BUFSZ];
	static unsigned next;

	return bufs[next++ % NBUF];
}

static const char *vfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *vfmt(const char *fmt, ...)
{
	char *b = vbuf();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, BUFSZ, fmt, ap);
	va_end(ap);
	return b;
}

static const char *v_ll(long long v)
{
	return vfmt("%lld", v);
}

static const char *v_ull(unsigned long long v)
{
	return vfmt("%llu", v);
}

static const char *v_bool(bool v)
{
	return v ? "true" : "false";
}

static const char *v_ptr(const void *p)
{
	return vfmt("0x%lx", (unsigned long)(uintptr_t)p);
}

static const char *v_unreadable(const void *p)
{
	return vfmt("<unreadable 0x%lx>", (unsigned long)(uintptr_t)p);
}

static const char *v_color(enum color c)
{
	switch (c) {
	case RED:
		return "RED";
	case GREEN:
		return "GREEN";
	case BLUE:
		return "BLUE";
	}
	return v_ll(c);
}

static const char *v_sign(enum sign s)
{
	switch (s) {
	case NEG:
		return "NEG";
	case ZERO:
		return "ZERO";
	case POS:
		return "POS";
	}
	return v_ll(s);
}

/* one byte of a C literal quoted by Q (' or "); returns the new length */
static size_t esc_byte(char *b, size_t len, unsigned char c, char q)
{
	switch (c) {
	case '\n':
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\n");
	case '\t':
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\t");
	case '\r':
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\r");
	case '\\':
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\\\");
	}
	if (c == (unsigned char)q)
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\%c", q);
	if (c < 0x20 || c >= 0x7f)
		return len + (size_t)snprintf(b + len, BUFSZ - len, "\\x%02x", c);
	b[len] = (char)c;
	b[len + 1] = '\0';
	return len + 1;
}

static const char *v_char(char c)
{
	char *b = vbuf();
	size_t len;

	b[0] = '\'';
	len = esc_byte(b, 1, (unsigned char)c, '\'');
	snprintf(b + len, BUFSZ - len, "'");
	return b;
}

/* a readable char *: at most string_limit bytes, "..." when cut */
static const char *v_str(const char *s)
{
	char *b = vbuf();
	size_t i, n, len = 1;

	if (!s)
		return "NULL";
	n = strlen(s);
	b[0] = '"';
	for (i = 0; i < n && i < string_limit && len < BUFSZ - 16; i++)
		len = esc_byte(b, len, (unsigned char)s[i], '"');
	snprintf(b + len, BUFSZ - len, "\"%s", n > string_limit ? "..." : "");
	return b;
}

/*
 * The first of %.15g, %.16g, %.17g (floats: %.6g to %.9g) that reads back as
 * the same value: the shortest form for all but whole numbers with trailing
 * zeros, which stay whole ("-22500000000", never "-2.25e+10").
 */
static const char *v_dbl(double v)
{
	char *b = vbuf();
	int p;

	if (isnan(v))
		return "nan";
	for (p = 15; p <= 17; p++) {
		snprintf(b, BUFSZ, "%.*g", p, v);
		if (strtod(b, NULL) == v)
			break;
	}
	return b;
}

static const char *v_flt(float v)
{
	char *b = vbuf();
	int p;

	if (isnan(v))
		return "nan";
	for (p = 6; p <= 9; p++) {
		snprintf(b, BUFSZ, "%.*g", p, (double)v);
		if (strtof(b, NULL) == v)
			break;
	}
	return b;
}

/* long double and _Float128 the same way, from their DIG to DECIMAL_DIG */
static const char *v_ldbl(long double v)
{
	char *b = vbuf();
	int p;

	if (isnan(v))
		return "nan";
	for (p = LDBL_DIG; p <= LDBL_DECIMAL_DIG; p++) {
		snprintf(b, BUFSZ, "%.*Lg", p, v);
		if (strtold(b, NULL) == v)
			break;
	}
	return b;
}

static const char *v_f128(_Float128 v)
{
	char *b = vbuf(), fmt[8];
	int p;

	for (p = FLT128_DIG; p <= FLT128_DECIMAL_DIG; p++) {
		snprintf(fmt, sizeof(fmt), "%%.%dg", p);
		strfromf128(b, BUFSZ, fmt, v);
		if (strtof128(b, NULL) == v)
			break;
	}
	return b;
}

static const char *v_point(struct point p)
{
	return vfmt("{x=%s, y=%s}", v_ll(p.x), v_ll(p.y));
}

static const char *v_dpair(struct dpair d)
{
	return vfmt("{a=%s, b=%s}", v_dbl(d.a), v_dbl(d.b));
}

static const char *v_lmix(struct lmix m)
{
	return vfmt("{a=%s, b=%s}", v_ll(m.a), v_dbl(m.b));
}

static const char *v_fpair(struct fpair f)
{
	return vfmt("{x=%s, y=%s}", v_flt(f.x), v_flt(f.y));
}

static const char *v_big(struct big b)
{
	return vfmt("{a=%s, b=%s, c=%s, d=%s}", v_ll(b.a), v_ll(b.b), v_ll(b.c), v_ll(b.d));
}

static const char *v_nest(struct nest n)
{
	return vfmt("{id=%s, p={...}, v=[...]}", v_ll(n.id));
}

/* truth_call(FUNC, NAME, VALUE, ..., NULL) */
static void truth_call(const char *func, ...)
{
	const char *name;
	va_list ap;

	printf("truth call %s", func);
	va_start(ap, func);
	while ((name = va_arg(ap, const char *)))
		printf("\t%s=%s", name, va_arg(ap, const char *));
	va_end(ap);
	printf("\n");
}

static void truth_ret(const char *func, const char *value)
{
	if (value)
		printf("truth ret %s %s\n", func, value);
	else
		printf("truth ret %s\n", func);
}

static void check(const char *what, bool ok)
{
	printf("check %s %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
}

static void check_str(const char *what, const char *got, const char *want)
{
	check(what, strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("  got  %s\n  want %s\n", got, want);
}

/* the renderers against hand-written renderings (limit 20 here) */
static void check_renderers(void)
{
	unsigned long saved = string_limit;

	string_limit = 20;
	check_str("render-int", v_ll(-5), "-5");
	check_str("render-llong", v_ll(-5000000000LL), "-5000000000");
	check_str("render-uchar", v_ull((unsigned char)200), "200");
	check_str("render-char", v_char('a'), "'a'");
	check_str("render-char-nl", v_char('\n'), "'\\n'");
	check_str("render-char-ctl", v_char('\x01'), "'\\x01'");
	check_str("render-str", v_str("abc"), "\"abc\"");
	check_str("render-str-esc", v_str("say \"hi\"\nC:\\dir"), "\"say \\\"hi\\\"\\nC:\\\\dir\"");
	check_str("render-str-cut", v_str("abcdefghijklmnopqrstuvwxyz"),
		  "\"abcdefghijklmnopqrst\"...");
	check_str("render-str-null", v_str(NULL), "NULL");
	check_str("render-dbl", v_dbl(1.5), "1.5");
	check_str("render-dbl-neg", v_dbl(-0.1), "-0.1");
	check_str("render-dbl-big", v_dbl(1e300), "1e+300");
	check_str("render-dbl-whole", v_dbl(-2.25e10), "-22500000000");
	check_str("render-dbl-small", v_dbl(1e-5), "1e-05");
	check_str("render-dbl-third", v_dbl(1.0 / 3), "0.3333333333333333");
	check_str("render-dbl-inf", v_dbl(INFINITY), "inf");
	check_str("render-flt", v_flt(3.25f), "3.25");
	check_str("render-flt-tenth", v_flt(0.1f), "0.1");
	check_str("render-flt-third", v_flt(1.0f / 3), "0.33333334");
	check_str("render-ldbl", v_ldbl(1.5L), "1.5");
	check_str("render-ldbl-tenth", v_ldbl(-0.1L), "-0.1");
	check_str("render-ldbl-huge", v_ldbl(1e4000L), "1e+4000");
	check_str("render-f128-huge", v_f128(1e4000F128), "1e+4000");
	check_str("render-f128-third", v_f128(1.0F128 / 3), "0.3333333333333333333333333333333333");
	check_str("render-point", v_point((struct point){ 1, 2 }), "{x=1, y=2}");
	check_str("render-enum", v_color(GREEN), "GREEN");
	check_str("render-enum-none", v_color((enum color)7), "7");
	string_limit = saved;
}

int main(int argc, char **argv)
{
	static char quoted[] = "say \"hi\"\nC:\\dir";
	static const char lng[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *bad = (const char *)1;
	int *fake_p = (int *)0x1000;
	struct point pt = { 1, -2 };
	struct dpair dp = { 1.5, -0.25 };
	struct lmix lm = { 7, 2.5 };
	struct fpair fp = { 0.5f, -3.75f };
	struct big bg = { 1, -2, 0x100000000L, 4 };
	struct nest ns = { 5, { 6, 7 }, { 8, 9, 10 } };
	char *endp;

	if (argc > 1) {
		string_limit = strtoul(argv[1], &endp, 10);
		if (*endp || !*argv[1]) {
			fprintf(stderr, "usage: %s [STRING_LIMIT]\n", argv[0]);
			return 2;
		}
	}
	printf("truth limit %lu\n", string_limit);
	check_renderers();

	{
		int r = args_int(-5, 2147483647);

		check("args_int", r == -15);
		truth_call("args_int", "a", v_ll(-5), "b", v_ll(2147483647), NULL);
		truth_ret("args_int", v_ll(-15));
	}
	{
		unsigned char r = args_uchar(200, 65535, 4000000000u);

		check("args_uchar", r == 200);
		truth_call("args_uchar", "c", v_ull(200), "s", v_ull(65535), "u", v_ull(4000000000u),
			   NULL);
		truth_ret("args_uchar", v_ull(200));
	}
	{
		long long r = args_llong(-5000000000LL, 0x123456789abcdefLL);

		check("args_llong", r == -5000000001LL);
		truth_call("args_llong", "a", v_ll(-5000000000LL), "b", v_ll(0x123456789abcdefLL),
			   NULL);
		truth_ret("args_llong", v_ll(-5000000001LL));
	}
	{
		bool r1 = args_bool(true, false);
		bool r2;

		check("args_bool-1", r1);
		truth_call("args_bool", "t", v_bool(true), "f", v_bool(false), NULL);
		truth_ret("args_bool", v_bool(true));
		r2 = args_bool(false, true);
		check("args_bool-2", !r2);
		truth_call("args_bool", "t", v_bool(false), "f", v_bool(true), NULL);
		truth_ret("args_bool", v_bool(false));
	}
	{
		enum color r1 = args_enum(GREEN, (enum color)7, NEG);
		enum color r2;

		check("args_enum-1", r1 == BLUE);
		truth_call("args_enum", "c", v_color(GREEN), "d", v_color((enum color)7), "s",
			   v_sign(NEG), NULL);
		truth_ret("args_enum", v_color(BLUE));
		r2 = args_enum(RED, BLUE, (enum sign)-3);
		check("args_enum-2", r2 == (enum color)9);
		truth_call("args_enum", "c", v_color(RED), "d", v_color(BLUE), "s",
			   v_sign((enum sign)-3), NULL);
		truth_ret("args_enum", v_color((enum color)9));
	}
	{
		char r = args_char('a', '\n', '\x01');

		check("args_char", r == 'z');
		truth_call("args_char", "a", v_char('a'), "nl", v_char('\n'), "ctl", v_char('\x01'),
			   NULL);
		truth_ret("args_char", v_char('z'));
	}
	{
		char *r = args_str("hello", quoted, NULL, bad);

		check("args_str", strcmp(r, "result") == 0);
		truth_call("args_str", "s", v_str("hello"), "quoted", v_str(quoted), "nul", v_str(NULL),
			   "bad", v_unreadable(bad), NULL);
		truth_ret("args_str", v_str("result"));
	}
	{
		const char *r = args_str_long(lng);

		check("args_str_long", r == lng);
		truth_call("args_str_long", "lng", v_str(lng), NULL);
		truth_ret("args_str_long", v_str(lng));
	}
	{
		void *r = args_ptr(fake_p, NULL, (size_t)123456789012ULL);

		check("args_ptr", r == (void *)0x2000);
		truth_call("args_ptr", "p", v_ptr(fake_p), "q", v_ptr(NULL), "n",
			   v_ull(123456789012ULL), NULL);
		truth_ret("args_ptr", v_ptr((void *)0x2000));
	}
	{
		double r = args_double(1.5, -0.1, 1e300, INFINITY);

		check("args_double", r == -2.25e10);
		truth_call("args_double", "a", v_dbl(1.5), "b", v_dbl(-0.1), "c", v_dbl(1e300), "inf",
			   v_dbl(INFINITY), NULL);
		truth_ret("args_double", v_dbl(-2.25e10));
	}
	{
		float r = args_float(3.25f, -0.1f);

		check("args_float", r == 6.5f);
		truth_call("args_float", "f", v_flt(3.25f), "g", v_flt(-0.1f), NULL);
		truth_ret("args_float", v_flt(6.5f));
	}
	{
		struct point r = args_point(pt);

		check("args_point", r.x == -2 && r.y == 1);
		truth_call("args_point", "p", v_point(pt), NULL);
		truth_ret("args_point", v_point((struct point){ -2, 1 }));
	}
	{
		struct dpair r = args_dpair(dp);

		check("args_dpair", r.a == -0.25 && r.b == 1.5);
		truth_call("args_dpair", "d", v_dpair(dp), NULL);
		truth_ret("args_dpair", v_dpair((struct dpair){ -0.25, 1.5 }));
	}
	{
		struct lmix r = args_lmix(lm);

		check("args_lmix", r.a == 8 && r.b == 5.0);
		truth_call("args_lmix", "m", v_lmix(lm), NULL);
		truth_ret("args_lmix", v_lmix((struct lmix){ 8, 5.0 }));
	}
	{
		float r = args_fpair(fp);

		check("args_fpair", r == -3.25f);
		truth_call("args_fpair", "f", v_fpair(fp), NULL);
		truth_ret("args_fpair", v_flt(-3.25f));
	}
	{
		struct big r = args_big(bg, -3);

		check("args_big", r.a == -3 && r.b == 6 && r.c == -0x300000000L && r.d == -12);
		truth_call("args_big", "b", v_big(bg), "k", v_ll(-3), NULL);
		truth_ret("args_big", v_big((struct big){ -3, 6, -0x300000000L, -12 }));
	}
	{
		long r = args_nest(ns);

		check("args_nest", r == 45);
		truth_call("args_nest", "n", v_nest(ns), NULL);
		truth_ret("args_nest", v_ll(45));
	}
	{
		long r = args_long10(1, -2, 3, -4, 5, -6, 0x100000007L, -8, 9, -10);

		check("args_long10", r == 0x100000007L - 12);
		truth_call("args_long10", "a0", v_ll(1), "a1", v_ll(-2), "a2", v_ll(3), "a3", v_ll(-4),
			   "a4", v_ll(5), "a5", v_ll(-6), "a6", v_ll(0x100000007L), "a7", v_ll(-8),
			   "a8", v_ll(9), "a9", v_ll(-10), NULL);
		truth_ret("args_long10", v_ll(0x100000007L - 12));
	}
	{
		/* the sum of the arguments, in the callee's order of additions */
		double want = 0.5 + -1.25 + 2 + 3.75 + -4.5 + 5.125 + 6 + -7.5 + 1e-5 + -2.5e-300;
		double r = args_double10(0.5, -1.25, 2, 3.75, -4.5, 5.125, 6, -7.5, 1e-5, -2.5e-300);

		check("args_double10", r == want);
		truth_call("args_double10", "d0", v_dbl(0.5), "d1", v_dbl(-1.25), "d2", v_dbl(2),
			   "d3", v_dbl(3.75), "d4", v_dbl(-4.5), "d5", v_dbl(5.125), "d6", v_dbl(6),
			   "d7", v_dbl(-7.5), "d8", v_dbl(1e-5), "d9", v_dbl(-2.5e-300), NULL);
		truth_ret("args_double10", v_dbl(want));
	}
	{
		long r = args_spill(-1, 2, -3, 4, -5, 6, -7, 8, -9, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5,
				    7.5, -8.5, 9.25f, 'q', -300);

		check("args_spill", r == -5 + 'q' - 300);
		truth_call("args_spill", "i0", v_ll(-1), "i1", v_ll(2), "i2", v_ll(-3), "i3", v_ll(4),
			   "i4", v_ll(-5), "i5", v_ll(6), "i6", v_ll(-7), "i7", v_ll(8), "i8", v_ll(-9),
			   "x0", v_dbl(0.5), "x1", v_dbl(1.5), "x2", v_dbl(2.5), "x3", v_dbl(3.5),
			   "x4", v_dbl(4.5), "x5", v_dbl(5.5), "x6", v_dbl(6.5), "x7", v_dbl(7.5),
			   "x8", v_dbl(-8.5), "fl", v_flt(9.25f), "ch", v_char('q'), "sh", v_ll(-300),
			   NULL);
		truth_ret("args_spill", v_ll(-5 + 'q' - 300));
	}
	{
		int r = args_mixed(10, -0.5, "abc", -123456789012L, 0.25f, true, BLUE, 'x');

		check("args_mixed", r == 11);
		truth_call("args_mixed", "n", v_ll(10), "d", v_dbl(-0.5), "name", v_str("abc"), "l",
			   v_ll(-123456789012L), "f", v_flt(0.25f), "ok", v_bool(true), "c",
			   v_color(BLUE), "ch", v_char('x'), NULL);
		truth_ret("args_mixed", v_ll(11));
	}
	{
		args_void(-77);
		check("args_void", sink == -77);
		truth_call("args_void", "x", v_ll(-77), NULL);
		truth_ret("args_void", NULL);
	}
	{
		int r = args_noparams();

		check("args_noparams", r == 42);
		truth_call("args_noparams", NULL);
		truth_ret("args_noparams", v_ll(42));
	}
	{
		long r = args_unnamed(1, 2, 3);

		check("args_unnamed", r == 4);
		truth_call("args_unnamed", "a", v_ll(1), "", v_ll(2), "c", v_ll(3), NULL);
		truth_ret("args_unnamed", v_ll(4));
	}

	{
		long double r = args_ldouble(1e4000L, 2.5, -0.1L);

		check("args_ldouble", r == -0.1L - 2.5);
		truth_call("args_ldouble", "a", v_ldbl(1e4000L), "d", v_dbl(2.5), "b", v_ldbl(-0.1L),
			   NULL);
		truth_ret("args_ldouble", v_ldbl(-0.1L - 2.5));
	}
	{
		_Float128 r = args_f128(1e4000F128, -0.5);

		check("args_f128", r == 1e4000F128 / 4);
		truth_call("args_f128", "q", v_f128(1e4000F128), "d", v_dbl(-0.5), NULL);
		truth_ret("args_f128", v_f128(1e4000F128 / 4));
	}
	{
		struct lpad16 lp = { 5 };
		double r = args_pad16(lp, 2.5, 7);

		check("args_pad16", r == 22.5);
		truth_call("args_pad16", "s", vfmt("{x=%s}", v_ll(5)), "d", v_dbl(2.5), "l", v_ll(7),
			   NULL);
		truth_ret("args_pad16", v_dbl(22.5));
	}
	{
		union fu u = { 1.5f };
		float r = args_ufloat(u, 2.5f);

		check("args_ufloat", r == 4.0f);
		truth_call("args_ufloat", "u", "{...}", "f", v_flt(2.5f), NULL);
		truth_ret("args_ufloat", v_flt(4.0f));
	}

	printf("truth exit status=%d\n", failures ? 1 : 0);
	return failures ? 1 : 0;
}
