/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct ct_sbuf: the snprintf contract.  Every buffer is filled with '#'
 * first and is larger than the cap handed to ct_sbuf_init(), so a write at
 * or past cap shows up as a changed guard byte.  Expected strings are
 * written by hand.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/strbuf.h"

#define AREA 64

/* All of area[cap..AREA) still holds the fill byte. */
static void assert_guard(const char *area, size_t cap)
{
	size_t i;

	for (i = cap; i < AREA; i++)
		assert_int_equal(area[i], '#');
}

static void fill(char *area)
{
	memset(area, '#', AREA);
}

/* "hello" (5 bytes) in cap 6: fits exactly with its NUL. */
static void test_exact_fit(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 6);
	ct_sbuf_puts(&b, "hello");
	assert_int_equal(ct_sbuf_finish(&b), 5);
	assert_memory_equal(area, "hello\0", 6);
	assert_guard(area, 6);
}

/* "hello" in cap 5: one byte short, so "hell" and the NUL; len still 5. */
static void test_one_short(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 5);
	ct_sbuf_puts(&b, "hello");
	/* the NUL's byte is left alone until finish */
	assert_int_equal(area[4], '#');
	assert_int_equal(ct_sbuf_finish(&b), 5);
	assert_memory_equal(area, "hell\0", 5);
	assert_guard(area, 5);
}

/* cap 0 writes nothing at all, not even the NUL, but still counts. */
static void test_cap0(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 0);
	ct_sbuf_putc(&b, 'x');
	ct_sbuf_puts(&b, "abc");
	ct_sbuf_u64(&b, 12345);
	ct_sbuf_hex64(&b, 0xff);
	ct_sbuf_spaces(&b, 3);
	/* 1 + 3 + 5 + 4 ("0xff") + 3 */
	assert_int_equal(ct_sbuf_finish(&b), 16);
	assert_guard(area, 0);
}

/* A NULL buffer is cap 0 whatever cap says: lengths only. */
static void test_null_buf(void **state)
{
	struct ct_sbuf b;

	(void)state;
	ct_sbuf_init(&b, NULL, 100);
	assert_int_equal(b.cap, 0);
	ct_sbuf_puts(&b, "abcdef");
	ct_sbuf_s64(&b, -7);
	assert_int_equal(ct_sbuf_finish(&b), 8);
}

/* cap 1 holds only the NUL. */
static void test_cap1(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 1);
	ct_sbuf_putc(&b, 'x');
	ct_sbuf_put(&b, "yz", 2);
	ct_sbuf_spaces(&b, 2);
	assert_int_equal(area[0], '#');
	assert_int_equal(ct_sbuf_finish(&b), 5);
	assert_int_equal(area[0], '\0');
	assert_guard(area, 1);

	/* and with nothing put, an empty string */
	fill(area);
	ct_sbuf_init(&b, area, 1);
	assert_int_equal(ct_sbuf_finish(&b), 0);
	assert_int_equal(area[0], '\0');
	assert_guard(area, 1);
}

/* "ab" then "cdef" in cap 5: the second put is cut after "cd". */
static void test_trunc_mid_put(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 5);
	ct_sbuf_put(&b, "ab", 2);
	ct_sbuf_put(&b, "cdef", 4);
	assert_int_equal(b.len, 6);
	/* once full, more is counted but dropped */
	ct_sbuf_putc(&b, 'g');
	ct_sbuf_puts(&b, "hi");
	assert_memory_equal(area, "abcd#", 5);
	assert_int_equal(ct_sbuf_finish(&b), 9);
	assert_memory_equal(area, "abcd\0", 5);
	assert_guard(area, 5);
}

/* A put of 0 bytes changes nothing, even at the edge. */
static void test_put_empty(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	fill(area);
	ct_sbuf_init(&b, area, 3);
	ct_sbuf_put(&b, "ab", 2);
	ct_sbuf_put(&b, "", 0);
	ct_sbuf_puts(&b, "");
	assert_int_equal(ct_sbuf_finish(&b), 2);
	assert_memory_equal(area, "ab\0", 3);
	assert_guard(area, 3);
}

#define ROOMY 40

/* A roomy buffer, filled and ready: for formatting checks without truncation. */
static struct ct_sbuf *fresh(struct ct_sbuf *b, char *area)
{
	fill(area);
	ct_sbuf_init(b, area, ROOMY);
	return b;
}

static void check(struct ct_sbuf *b, const char *area, const char *expect)
{
	assert_int_equal(ct_sbuf_finish(b), strlen(expect));
	assert_string_equal(area, expect);
	assert_guard(area, ROOMY);
}

static void test_numbers(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	ct_sbuf_u64(fresh(&b, area), 0);
	check(&b, area, "0");
	/* 2^64 - 1 */
	ct_sbuf_u64(fresh(&b, area), UINT64_MAX);
	check(&b, area, "18446744073709551615");
	ct_sbuf_u64(fresh(&b, area), 10);
	check(&b, area, "10");
	ct_sbuf_u64w(fresh(&b, area), 7, 3);
	check(&b, area, "007");
	/* width is a minimum, never a cut */
	ct_sbuf_u64w(fresh(&b, area), 1234, 3);
	check(&b, area, "1234");
	ct_sbuf_u64w(fresh(&b, area), 0, 6);
	check(&b, area, "000000");
	ct_sbuf_u64w(fresh(&b, area), 5, 0);
	check(&b, area, "5");
	/* wider than any uint64_t */
	ct_sbuf_u64w(fresh(&b, area), 5, 25);
	check(&b, area, "0000000000000000000000005");
	ct_sbuf_s64(fresh(&b, area), 0);
	check(&b, area, "0");
	ct_sbuf_s64(fresh(&b, area), -1);
	check(&b, area, "-1");
	/* -2^63 */
	ct_sbuf_s64(fresh(&b, area), INT64_MIN);
	check(&b, area, "-9223372036854775808");
	ct_sbuf_s64(fresh(&b, area), INT64_MAX);
	check(&b, area, "9223372036854775807");
	ct_sbuf_hex64(fresh(&b, area), 0);
	check(&b, area, "0x0");
	ct_sbuf_hex64(fresh(&b, area), 0xdeadbeef);
	check(&b, area, "0xdeadbeef");
	ct_sbuf_hex64(fresh(&b, area), UINT64_MAX);
	check(&b, area, "0xffffffffffffffff");
	ct_sbuf_hex64(fresh(&b, area), 0x8000000000000000ull);
	check(&b, area, "0x8000000000000000");

	fresh(&b, area);
	ct_sbuf_hex8(&b, 0x00);
	ct_sbuf_hex8(&b, 0x1f);
	ct_sbuf_hex8(&b, 0xa0);
	ct_sbuf_hex8(&b, 0xff);
	check(&b, area, "001fa0ff");

	fresh(&b, area);
	ct_sbuf_putc(&b, '[');
	ct_sbuf_spaces(&b, 0);
	ct_sbuf_spaces(&b, 3);
	ct_sbuf_putc(&b, ']');
	check(&b, area, "[   ]");
}

/* Numbers and padding cut at the edge follow the same rule as put. */
static void test_trunc_numbers(void **state)
{
	char area[AREA];
	struct ct_sbuf b;

	(void)state;
	/* "x0xdeadbeef" (11) in cap 6: "x0xde" */
	fill(area);
	ct_sbuf_init(&b, area, 6);
	ct_sbuf_putc(&b, 'x');
	ct_sbuf_hex64(&b, 0xdeadbeef);
	assert_int_equal(ct_sbuf_finish(&b), 11);
	assert_string_equal(area, "x0xde");
	assert_guard(area, 6);

	/* "-9223372036854775808" (20) in cap 4: "-92" */
	fill(area);
	ct_sbuf_init(&b, area, 4);
	ct_sbuf_s64(&b, INT64_MIN);
	assert_int_equal(ct_sbuf_finish(&b), 20);
	assert_string_equal(area, "-92");
	assert_guard(area, 4);

	/* "0000042" (7) in cap 4: "000" (cut inside the padding) */
	fill(area);
	ct_sbuf_init(&b, area, 4);
	ct_sbuf_u64w(&b, 42, 7);
	assert_int_equal(ct_sbuf_finish(&b), 7);
	assert_string_equal(area, "000");
	assert_guard(area, 4);

	/* "a" and 10 spaces (11) in cap 5: "a   " */
	fill(area);
	ct_sbuf_init(&b, area, 5);
	ct_sbuf_putc(&b, 'a');
	ct_sbuf_spaces(&b, 10);
	assert_memory_equal(area, "a   #", 5);
	assert_int_equal(ct_sbuf_finish(&b), 11);
	assert_string_equal(area, "a   ");
	assert_guard(area, 5);

	/* hex8 split across the edge: "ab" + "7f" + "z" in cap 4: "ab7" */
	fill(area);
	ct_sbuf_init(&b, area, 4);
	ct_sbuf_put(&b, "ab", 2);
	ct_sbuf_hex8(&b, 0x7f);
	ct_sbuf_putc(&b, 'z');
	assert_memory_equal(area, "ab7#", 4);
	assert_int_equal(ct_sbuf_finish(&b), 5);
	assert_string_equal(area, "ab7");
	assert_guard(area, 4);
}

/* The caller's retry: the returned length + 1 is a cap that fits. */
static void test_retry_fits(void **state)
{
	char area[AREA];
	struct ct_sbuf b;
	size_t need;

	(void)state;
	ct_sbuf_init(&b, NULL, 0);
	ct_sbuf_puts(&b, "pid ");
	ct_sbuf_s64(&b, -42);
	ct_sbuf_putc(&b, ' ');
	ct_sbuf_hex64(&b, 0x1000);
	need = ct_sbuf_finish(&b);
	/* "pid -42 0x1000" */
	assert_int_equal(need, 14);

	fill(area);
	ct_sbuf_init(&b, area, need + 1);
	ct_sbuf_puts(&b, "pid ");
	ct_sbuf_s64(&b, -42);
	ct_sbuf_putc(&b, ' ');
	ct_sbuf_hex64(&b, 0x1000);
	assert_int_equal(ct_sbuf_finish(&b), 14);
	assert_string_equal(area, "pid -42 0x1000");
	assert_guard(area, need + 1);
}

/* Names from the traced process stay on one line: control bytes as \xNN,
 * '\' doubled, everything else (UTF-8 included) as it is; NULL is "?". */
static void test_escaped(void **state)
{
	char buf[128];
	struct ct_sbuf b;
	size_t n;

	(void)state;
	ct_sbuf_init(&b, buf, sizeof(buf));
	ct_sbuf_put_escaped(&b, "lib\ndeadlock: 1->1\\x\x1b[2J\x7f\xc3\xa9 \"q\"");
	n = ct_sbuf_finish(&b);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "lib\\x0adeadlock: 1->1\\\\x\\x1b[2J\\x7f\xc3\xa9 \"q\"");
	ct_sbuf_init(&b, buf, sizeof(buf));
	ct_sbuf_put_escaped(&b, NULL);
	ct_sbuf_finish(&b);
	assert_string_equal(buf, "?");
	/* counted without a buffer, as callers size their copies */
	ct_sbuf_init(&b, NULL, 0);
	ct_sbuf_put_escaped(&b, "a\tb");
	assert_int_equal(b.len, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_one_short),
		cmocka_unit_test(test_cap0),
		cmocka_unit_test(test_null_buf),
		cmocka_unit_test(test_cap1),
		cmocka_unit_test(test_trunc_mid_put),
		cmocka_unit_test(test_put_empty),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_trunc_numbers),
		cmocka_unit_test(test_retry_fits),
		cmocka_unit_test(test_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
