/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Values rendered as C source (symtab/render.c), rule by rule as the typed
 * arguments contract writes them: integers of every size with sign
 * extension, bool, char and string escapes, enums, pointers, strings read
 * through a fake memory (limit, NULL, unreadable, an unreadable page just
 * after the NUL), shortest round-trip floats, structs one level deep.
 * Expected texts are written out by hand from the rules.
 */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "symtab/render.h"

/* ---- a fake tracee memory: PAGES pages at BASE, one of them unreadable ---- */

#define PAGE 4096u
#define PAGES 4
#define BASE 0x7f0000000000ull

struct fake {
	uint8_t bytes[PAGES * PAGE];
	uint64_t bad;      /* an unreadable page, or 0 */
	unsigned reads;
	unsigned bad_hits; /* reads that were refused for touching `bad` */
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;

	f->reads++;
	if (!len)
		return 0;
	if (addr < BASE || addr - BASE > sizeof(f->bytes) || len > sizeof(f->bytes) - (addr - BASE))
		return -EFAULT;
	/* any read overlapping the bad page fails as a whole, as
	 * process_vm_readv does for a range crossing into an unmapped one */
	if (f->bad && addr < f->bad + PAGE && addr + len > f->bad) {
		f->bad_hits++;
		return -EFAULT;
	}
	memcpy(buf, f->bytes + (addr - BASE), len);
	return 0;
}

static struct fake mem;

static struct ct_render_ctx ctx(unsigned limit)
{
	return (struct ct_render_ctx){ .read = fake_read, .read_ctx = &mem, .string_limit = limit };
}

/* Put s (with its NUL) at addr. */
static uint64_t put_str(uint64_t addr, const char *s)
{
	memcpy(mem.bytes + (addr - BASE), s, strlen(s) + 1);
	return addr;
}

static int setup(void **state __attribute__((unused)))
{
	memset(&mem, 'Z', sizeof(mem)); /* no NUL unless a test puts one */
	mem.bad = 0;
	mem.reads = mem.bad_hits = 0;
	return 0;
}

static char out[1024];

static const char *render_ctx(const struct ct_type *ty, const void *bytes, size_t len,
			      const struct ct_render_ctx *c)
{
	struct ct_sbuf b;

	ct_sbuf_init(&b, out, sizeof(out));
	ct_render_value(&b, ty, bytes, len, c);
	assert_true(ct_sbuf_finish(&b) < sizeof(out));
	return out;
}

static const char *render(const struct ct_type *ty, const void *bytes, size_t len)
{
	struct ct_render_ctx c = ctx(32);

	return render_ctx(ty, bytes, len, &c);
}

static const char *string_at(uint64_t addr, unsigned limit)
{
	struct ct_render_ctx c = ctx(limit);
	struct ct_sbuf b;

	ct_sbuf_init(&b, out, sizeof(out));
	ct_render_string(&b, addr, &c);
	assert_true(ct_sbuf_finish(&b) < sizeof(out));
	return out;
}

/* a scalar of natural alignment */
#define SCALAR(k, sz, sg) { .kind = (k), .size = (sz), .align = (sz), .is_signed = (sg) }

static const struct ct_type t_s8 = SCALAR(CT_TK_INT, 1, true);
static const struct ct_type t_u8 = SCALAR(CT_TK_INT, 1, false);
static const struct ct_type t_s16 = SCALAR(CT_TK_INT, 2, true);
static const struct ct_type t_u16 = SCALAR(CT_TK_INT, 2, false);
static const struct ct_type t_s32 = SCALAR(CT_TK_INT, 4, true);
static const struct ct_type t_u32 = SCALAR(CT_TK_INT, 4, false);
static const struct ct_type t_s64 = SCALAR(CT_TK_INT, 8, true);
static const struct ct_type t_u64 = SCALAR(CT_TK_INT, 8, false);
static const struct ct_type t_s128 = SCALAR(CT_TK_INT, 16, true);
static const struct ct_type t_u128 = SCALAR(CT_TK_INT, 16, false);
static const struct ct_type t_bool = SCALAR(CT_TK_BOOL, 1, false);
static const struct ct_type t_char = SCALAR(CT_TK_CHAR, 1, true);
static const struct ct_type t_ptr = SCALAR(CT_TK_PTR, 8, false);
static const struct ct_type t_str = SCALAR(CT_TK_STR, 8, false);
static const struct ct_type t_float = SCALAR(CT_TK_FLOAT, 4, false);
static const struct ct_type t_double = SCALAR(CT_TK_FLOAT, 8, false);
static const struct ct_type t_ldouble = { .kind = CT_TK_FLOAT, .size = 16, .align = 16,
					  .is_signed = true, .long_double = true };
static const struct ct_type t_f128 = SCALAR(CT_TK_FLOAT, 16, true);
static const struct ct_type t_half = SCALAR(CT_TK_FLOAT, 2, true);
static const struct ct_type t_other = SCALAR(CT_TK_OTHER, 8, false);

/* little-endian bytes of an integer, as both ISAs hold it */
static const uint8_t *le(uint64_t v)
{
	static uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return b;
}

static void test_ints(void **state __attribute__((unused)))
{
	/* sign extension from each size; the bytes above the size ignored */
	assert_string_equal(render(&t_s8, le(0xaaff), 1), "-1");
	assert_string_equal(render(&t_u8, le(0xaaff), 1), "255");
	assert_string_equal(render(&t_s8, le(0x7f), 1), "127");
	assert_string_equal(render(&t_s16, le(0xaa8000), 2), "-32768");
	assert_string_equal(render(&t_u16, le(0xaa8000), 2), "32768");
	assert_string_equal(render(&t_s32, le(0xaafffffffeull), 4), "-2");
	assert_string_equal(render(&t_u32, le(0xaafffffffeull), 4), "4294967294");
	assert_string_equal(render(&t_s32, le(200), 4), "200");
	assert_string_equal(render(&t_s64, le(0x8000000000000000ull), 8), "-9223372036854775808");
	assert_string_equal(render(&t_u64, le(0x8000000000000000ull), 8), "9223372036854775808");
	assert_string_equal(render(&t_u64, le(UINT64_MAX), 8), "18446744073709551615");
	assert_string_equal(render(&t_s64, le(0), 8), "0");
}

static void test_int128(void **state __attribute__((unused)))
{
	uint8_t b[16];

	/* -5: all ones above the low word */
	memcpy(b, le((uint64_t)-5), 8);
	memset(b + 8, 0xff, 8);
	assert_string_equal(render(&t_s128, b, 16), "-5");
	memcpy(b, le(UINT64_MAX), 8);
	memset(b + 8, 0, 8);
	assert_string_equal(render(&t_u128, b, 16), "18446744073709551615");
	/* 2^64: does not fit 64 bits */
	memcpy(b, le(0), 8);
	memcpy(b + 8, le(1), 8);
	assert_string_equal(render(&t_u128, b, 16), "?");
	assert_string_equal(render(&t_s128, b, 16), "?");
	/* -2^64 - 1 */
	memcpy(b, le(UINT64_MAX), 8);
	memcpy(b + 8, le(UINT64_MAX - 1), 8);
	assert_string_equal(render(&t_s128, b, 16), "?");
}

static void test_bool(void **state __attribute__((unused)))
{
	assert_string_equal(render(&t_bool, le(0), 1), "false");
	assert_string_equal(render(&t_bool, le(1), 1), "true");
	assert_string_equal(render(&t_bool, le(2), 1), "2");
	assert_string_equal(render(&t_bool, le(0x100), 1), "false"); /* one byte only */
}

static void test_char(void **state __attribute__((unused)))
{
	static const struct {
		uint8_t c;
		const char *want;
	} cases[] = {
		{ 0, "'\\0'" },     { '\n', "'\\n'" },  { '\t', "'\\t'" },  { '\r', "'\\r'" },
		{ 1, "'\\x01'" },   { 0x1f, "'\\x1f'" }, { '\'', "'\\''" },  { '\\', "'\\\\'" },
		{ 'a', "'a'" },     { ' ', "' '" },     { '~', "'~'" },     { '"', "'\"'" },
		{ 0x7f, "'\\x7f'" }, { 0x80, "'\\x80'" }, { 0xff, "'\\xff'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(render(&t_char, &cases[i].c, 1), cases[i].want);
}

static void test_enum(void **state __attribute__((unused)))
{
	static const struct ct_enumerator colors[] = { { "RED", -1 }, { "GREEN", 0 }, { "BLUE", 5 } };
	static const struct ct_type t_color = { .kind = CT_TK_ENUM, .size = 4, .align = 4,
						.is_signed = true, .nr = 3, .enums = colors };
	static const struct ct_enumerator bigs[] = { { "SMALL", 1 }, { "BIG", 0xffffffffll } };
	static const struct ct_type t_big = { .kind = CT_TK_ENUM, .size = 4, .align = 4, .nr = 2,
					      .enums = bigs };

	assert_string_equal(render(&t_color, le(0xffffffff), 4), "RED");
	assert_string_equal(render(&t_color, le(0), 4), "GREEN");
	assert_string_equal(render(&t_color, le(5), 4), "BLUE");
	assert_string_equal(render(&t_color, le(7), 4), "7");
	assert_string_equal(render(&t_color, le(0xfffffffd), 4), "-3");
	assert_string_equal(render(&t_big, le(0xffffffff), 4), "BIG");
	assert_string_equal(render(&t_big, le(1), 4), "SMALL");
	assert_string_equal(render(&t_big, le(0xfffffffe), 4), "4294967294");
}

static void test_pointer(void **state __attribute__((unused)))
{
	assert_string_equal(render(&t_ptr, le(0x7ffc1234), 8), "0x7ffc1234");
	assert_string_equal(render(&t_ptr, le(0), 8), "0x0");
	assert_string_equal(render(&t_ptr, le(0xffffffffffffffffull), 8), "0xffffffffffffffff");
}

static void test_string(void **state __attribute__((unused)))
{
	uint64_t a = put_str(BASE + 100, "abc");

	assert_string_equal(render(&t_str, le(a), 8), "\"abc\"");
	assert_string_equal(string_at(a, 32), "\"abc\"");
	assert_string_equal(render(&t_str, le(0), 8), "NULL");
	a = put_str(BASE + 200, "");
	assert_string_equal(string_at(a, 32), "\"\"");
	/* every escape: \" \\ \n \t \r, \xNN for the rest; ' as itself */
	a = put_str(BASE + 300, "a\"b\\c\n\t\r\x01\x1f\x7f\x80\xff'~ ");
	assert_string_equal(string_at(a, 32), "\"a\\\"b\\\\c\\n\\t\\r\\x01\\x1f\\x7f\\x80\\xff'~ \"");
}

static void test_string_limit(void **state __attribute__((unused)))
{
	uint64_t a = put_str(BASE + 100, "abcd");

	/* exactly the limit long: whole */
	assert_string_equal(string_at(a, 4), "\"abcd\"");
	/* one byte more: cut, dots outside the quotes */
	a = put_str(BASE + 200, "abcde");
	assert_string_equal(string_at(a, 4), "\"abcd\"...");
	assert_string_equal(string_at(a, 5), "\"abcde\"");
	assert_string_equal(string_at(a, 1), "\"a\"...");
	/* escapes do not count against the limit: bytes do */
	a = put_str(BASE + 300, "\n\n\n");
	assert_string_equal(string_at(a, 2), "\"\\n\\n\"...");
	/* no NUL in the whole region: the limit (default 32) still ends it */
	assert_string_equal(string_at(BASE + 1000, 32), "\"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ\"...");
}

static void test_string_unreadable(void **state __attribute__((unused)))
{
	uint64_t a;

	assert_string_equal(string_at(0x1234, 32), "<unreadable 0x1234>");
	assert_string_equal(render(&t_str, le(0xdead0000), 8), "<unreadable 0xdead0000>");
	/* a reader that is missing reads nothing */
	{
		struct ct_render_ctx c = { .string_limit = 32 };
		struct ct_sbuf b;

		ct_sbuf_init(&b, out, sizeof(out));
		ct_render_string(&b, BASE, &c);
		ct_sbuf_finish(&b);
		assert_string_equal(out, "<unreadable 0x7f0000000000>");
	}

	/* the string's NUL 3 bytes before an unreadable page: no read may
	 * touch that page, the string is whole */
	mem.bad = BASE + 2 * PAGE;
	a = put_str(mem.bad - 3 - 5, "hello");
	mem.reads = mem.bad_hits = 0;
	assert_string_equal(string_at(a, 32), "\"hello\"");
	assert_int_equal(mem.bad_hits, 0);
	/* NUL as the page's last byte, and a string spanning two good pages */
	a = put_str(mem.bad - 4, "xyz");
	assert_string_equal(string_at(a, 32), "\"xyz\"");
	a = put_str(BASE + PAGE - 3, "0123456789");
	assert_string_equal(string_at(a, 32), "\"0123456789\"");
	/* a string starting in the bad page */
	assert_string_equal(string_at(mem.bad + 8, 32), "<unreadable 0x7f0000002008>");
	assert_int_equal(mem.bad_hits, 1);
}

static const char *dbl(double d)
{
	return render(&t_double, &d, sizeof(d));
}

static const char *flt(float f)
{
	return render(&t_float, &f, sizeof(f));
}

/* The text reads back as the same double / float. */
static void round_trip(double d)
{
	uint64_t want, got;
	double back;

	back = strtod(dbl(d), NULL);
	memcpy(&want, &d, 8);
	memcpy(&got, &back, 8);
	assert_int_equal(got, want);
}

static void round_trip_f(float f)
{
	uint32_t want, got;
	float back;

	back = strtof(flt(f), NULL);
	memcpy(&want, &f, 4);
	memcpy(&got, &back, 4);
	assert_int_equal(got, want);
}

static void test_floats(void **state __attribute__((unused)))
{
	static const double ds[] = { 1.5, 0.1, -0.1, 1e300, -2.25e10, 0.1 + 0.2, 1.0 / 3,
				     5e-324, 1.7976931348623157e308, 0.0 };
	static const float fs[] = { 3.25f, 0.1f, 1.0f / 3, 16777216.0f, 1e-45f };

	assert_string_equal(dbl(1.5), "1.5");
	assert_string_equal(dbl(0.1), "0.1");
	assert_string_equal(dbl(-0.1), "-0.1");
	assert_string_equal(dbl(1e300), "1e+300");
	/* %.15g keeps a whole number of 11 digits whole */
	assert_string_equal(dbl(-2.25e10), "-22500000000");
	/* 15 digits do not read back, 17 are needed */
	assert_string_equal(dbl(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(dbl(1.0 / 3), "0.3333333333333333");
	assert_string_equal(dbl(-0.0), "-0");
	assert_string_equal(dbl(HUGE_VAL), "inf");
	assert_string_equal(dbl(-HUGE_VAL), "-inf");
	assert_string_equal(dbl(__builtin_nan("")), "nan");
	assert_string_equal(dbl(-__builtin_nan("")), "-nan");
	assert_string_equal(flt(3.25f), "3.25");
	assert_string_equal(flt(0.1f), "0.1");
	assert_string_equal(flt(1.0f / 3), "0.33333334");
	assert_string_equal(flt(HUGE_VALF), "inf");
	assert_string_equal(flt(__builtin_nanf("")), "nan");
	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++)
		round_trip(ds[i]);
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		round_trip_f(fs[i]);
	/* _Float16 is not rendered */
	assert_string_equal(render(&t_half, (uint8_t[2]){ 0 }, 2), "?");
}

static const char *ldbl(long double v)
{
	uint8_t b[16] = { 0 };

	memcpy(b, &v, sizeof(v) < 16 ? sizeof(v) : 16);
	return render(&t_ldouble, b, 16);
}

/* long double in the host's format, which is the traced program's: x87
 * 80-bit on x86_64 (10 bytes of 16), binary128 on aarch64.  Values beyond
 * double's range show it is not read through a double. */
static void test_long_double(void **state __attribute__((unused)))
{
	static const long double ls[] = { 1.0L / 3, 0.1L + 0.2L, LDBL_MAX, LDBL_MIN, -1e-4000L };

	assert_string_equal(ldbl(1.5L), "1.5");
	assert_string_equal(ldbl(-0.1L), "-0.1");
	assert_string_equal(ldbl(1e4000L), "1e+4000");
	assert_string_equal(ldbl(-2.25e10L), "-22500000000");
	assert_string_equal(ldbl(HUGE_VALL), "inf");
	for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
		long double back = strtold(ldbl(ls[i]), NULL);

		assert_memory_equal(&back, &ls[i], LDBL_MANT_DIG == 64 ? 10 : 16);
	}
#if LDBL_MANT_DIG == 64
	/* 1/3 needs 20 significant digits to read back in 64 bits of mantissa:
	 * 0.3333333333333333333 (19) is 1/3 - 1/3e-19, more than half an ulp
	 * (2^-66 / 2 ~ 6.8e-21) away */
	assert_string_equal(ldbl(1.0L / 3), "0.33333333333333333334");
#endif
}

static const char *f128(_Float128 v)
{
	uint8_t b[16];

	memcpy(b, &v, 16);
	return render(&t_f128, b, 16);
}

/* _Float128 (__float128): IEEE binary128 on both ISAs */
static void test_float128(void **state __attribute__((unused)))
{
	static const _Float128 qs[] = { 1.0F128 / 3, 0.1F128 + 0.2F128, FLT128_MAX, -1e-4900F128 };

	assert_string_equal(f128(1.5F128), "1.5");
	assert_string_equal(f128(-0.1F128), "-0.1");
	assert_string_equal(f128(1e4000F128), "1e+4000");
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		_Float128 back = strtof128(f128(qs[i]), NULL);

		assert_memory_equal(&back, &qs[i], 16);
	}
	/* binary128 has 113 bits: 1/3 takes 34 digits (33 are 1/3 - 1/3e-33,
	 * over half an ulp, 2^-114 / 2 ~ 2.4e-35, away) */
	assert_string_equal(f128(1.0F128 / 3), "0.3333333333333333333333333333333333");
}

struct demo {
	int x;
	int y;
};

static void test_struct(void **state __attribute__((unused)))
{
	static const struct ct_member xy[] = { { "x", 0, &t_s32, false }, { "y", 4, &t_s32, false } };
	static const struct ct_type t_xy = { .kind = CT_TK_STRUCT, .size = 8, .align = 4, .nr = 2,
					     .members = xy };
	static const struct ct_type t_arr = { .kind = CT_TK_ARRAY, .size = 8, .align = 4, .nr = 2,
					      .elem = &t_s32 };
	static const struct ct_member um[] = { { "i", 0, &t_s32, false }, { "f", 0, &t_float, false } };
	static const struct ct_type t_union = { .kind = CT_TK_UNION, .size = 4, .align = 4, .nr = 2,
						.members = um };
	static const struct ct_member um16[] = { { "l", 0, &t_s64, false },
						 { "a", 0, &t_arr, false } };
	static const struct ct_type t_union16 = { .kind = CT_TK_UNION, .size = 16, .align = 8,
						  .nr = 2, .members = um16 };
	/* struct { int a; struct xy in; int arr[2]; unsigned bf:3; int; union u;
	 *          const char *s; char c; double d; } */
	static const struct ct_member big[] = {
		{ "a", 0, &t_s32, false },   { "in", 4, &t_xy, false },  { "arr", 12, &t_arr, false },
		{ "bf", 20, &t_u32, true },  { "", 24, &t_s32, false },  { "u", 28, &t_union, false },
		{ "s", 32, &t_str, false },  { "c", 40, &t_char, false }, { "d", 48, &t_double, false },
	};
	static const struct ct_type t_big = { .kind = CT_TK_STRUCT, .size = 56, .align = 8,
					      .nr = 9, .members = big };
	struct demo v = { .x = 1, .y = 2 };
	uint8_t b[56];
	uint64_t s = put_str(BASE + 64, "hi");
	double d = 1.5;

	assert_string_equal(render(&t_xy, &v, sizeof(v)), "{x=1, y=2}");
	v.x = -7;
	assert_string_equal(render(&t_xy, &v, sizeof(v)), "{x=-7, y=2}");

	memset(b, 0xee, sizeof(b));
	memcpy(b, le(1), 4);
	memcpy(b + 24, le(7), 4);
	memcpy(b + 32, le(s), 8);
	b[40] = 'z';
	memcpy(b + 48, &d, 8);
	assert_string_equal(render(&t_big, b, sizeof(b)),
			    "{a=1, in={...}, arr=[...], bf=?, 7, u={...}, s=\"hi\", c='z', d=1.5}");

	/* a union by value, small or not, and an array */
	assert_string_equal(render(&t_union, b, 4), "{...}");
	assert_string_equal(render(&t_union16, b, 16), "{...}");
	assert_string_equal(render(&t_arr, b, 8), "[...]");
}

static void test_short_and_other(void **state __attribute__((unused)))
{
	static const struct ct_member xy[] = { { "x", 0, &t_s32, false }, { "y", 4, &t_s32, false } };
	static const struct ct_type t_xy = { .kind = CT_TK_STRUCT, .size = 8, .align = 4, .nr = 2,
					     .members = xy };
	static const uint8_t b[16];

	/* fewer bytes than the type's size */
	assert_string_equal(render(&t_s32, b, 2), "?");
	assert_string_equal(render(&t_double, b, 4), "?");
	/* a struct shows the members it has bytes for */
	assert_string_equal(render(&t_xy, b, 4), "{x=0, y=?}");
	assert_string_equal(render(&t_str, b, 0), "?");
	assert_int_equal(mem.reads, 0);
	/* opaque types */
	assert_string_equal(render(&t_other, b, 16), "?");
	assert_string_equal(render(&(struct ct_type){ .kind = CT_TK_VOID }, b, 16), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ints, setup),
		cmocka_unit_test_setup(test_int128, setup),
		cmocka_unit_test_setup(test_bool, setup),
		cmocka_unit_test_setup(test_char, setup),
		cmocka_unit_test_setup(test_enum, setup),
		cmocka_unit_test_setup(test_pointer, setup),
		cmocka_unit_test_setup(test_string, setup),
		cmocka_unit_test_setup(test_string_limit, setup),
		cmocka_unit_test_setup(test_string_unreadable, setup),
		cmocka_unit_test_setup(test_floats, setup),
		cmocka_unit_test_setup(test_long_double, setup),
		cmocka_unit_test_setup(test_float128, setup),
		cmocka_unit_test_setup(test_struct, setup),
		cmocka_unit_test_setup(test_short_and_other, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
