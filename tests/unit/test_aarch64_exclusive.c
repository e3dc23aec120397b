/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 check_site: no breakpoint between a load-exclusive and its
 * store-exclusive (the trap would clear the monitor and the store would
 * fail forever).  Functions are word arrays annotated with their assembly,
 * at CODE = 0x1000; each site is checked by hand against the sequence.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/arch.h"

#define A (&ct_arch_aarch64)
#define CODE 0x1000ull
#define MAX_WORDS 64

/* Words to little-endian bytes. */
static size_t to_bytes(const uint32_t *words, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(words[i] >> (8 * b));
	return 4 * n;
}

/* check_site at word `idx` of the function; why must match the result */
static int check(const uint32_t *words, size_t n, size_t idx)
{
	uint8_t code[4 * MAX_WORDS];
	size_t len = to_bytes(words, n, code);
	const char *why = "unset";
	int ret;

	ret = A->check_site(code, len, CODE, CODE + 4 * idx, &why);
	if (ret == 0)
		assert_null(why);
	else if (ret == -ENOTSUP)
		assert_string_equal(why, "inside an exclusive load/store sequence");
	return ret;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_cas_loop(void **state CT_UNUSED)
{
	/* a compare-and-swap loop, as gcc emits for __atomic_compare_exchange */
	static const uint32_t f[] = {
		0x885ffc01, /* 0x1000: ldaxr w1, [x0]        */
		0x6b02003f, /* 0x1004: cmp w1, w2            */
		0x54000061, /* 0x1008: b.ne 0x1014           */
		0x8803fc04, /* 0x100c: stlxr w3, w4, [x0]    */
		0x35ffff83, /* 0x1010: cbnz w3, 0x1000       */
		0xd65f03c0, /* 0x1014: ret                   */
	};

	/* the load itself: it runs from the slot, the store comes after */
	assert_int_equal(check(f, N(f), 0), 0);
	/* between the load and the store, the b.ne not ending the sequence */
	assert_int_equal(check(f, N(f), 1), -ENOTSUP);
	assert_int_equal(check(f, N(f), 2), -ENOTSUP);
	assert_int_equal(check(f, N(f), 3), -ENOTSUP); /* the store itself */
	/* after the store */
	assert_int_equal(check(f, N(f), 4), 0);
	assert_int_equal(check(f, N(f), 5), 0);
	/* the end of the function (a return site after a final bl) */
	assert_int_equal(check(f, N(f), 6), 0);
	/* why may be NULL */
	{
		uint8_t code[4 * N(f)];

		to_bytes(f, N(f), code);
		assert_int_equal(A->check_site(code, sizeof(code), CODE, CODE + 4, NULL),
				 -ENOTSUP);
	}
}

static void test_pair_and_byte(void **state CT_UNUSED)
{
	static const uint32_t pair[] = {
		0xc87f0440, /* 0x1000: ldxp x0, x1, [x2]         */
		0x8b010000, /* 0x1004: add x0, x0, x1            */
		0xc8250440, /* 0x1008: stxp w5, x0, x1, [x2]     */
		0x35ffffa5, /* 0x100c: cbnz w5, 0x1000           */
	};
	static const uint32_t byte[] = {
		0x085f7c01, /* 0x1000: ldxrb w1, [x0]            */
		0x11000421, /* 0x1004: add w1, w1, #1            */
		0x08027c01, /* 0x1008: stxrb w2, w1, [x0]        */
	};

	assert_int_equal(check(pair, N(pair), 1), -ENOTSUP);
	assert_int_equal(check(pair, N(pair), 2), -ENOTSUP);
	assert_int_equal(check(pair, N(pair), 3), 0);
	assert_int_equal(check(byte, N(byte), 1), -ENOTSUP);
	assert_int_equal(check(byte, N(byte), 2), -ENOTSUP);
	assert_int_equal(check(byte, N(byte), 3), 0);
}

static void test_ended(void **state CT_UNUSED)
{
	/* clrex on the failure path ends the sequence */
	static const uint32_t clrex[] = {
		0x885f7c01, /* 0x1000: ldxr w1, [x0]    */
		0x6b02003f, /* 0x1004: cmp w1, w2       */
		0xd503305f, /* 0x1008: clrex            */
		0xd65f03c0, /* 0x100c: ret              */
	};
	/* an unconditional branch: what follows is not reached from the load */
	static const uint32_t branch[] = {
		0x885f7c01, /* 0x1000: ldxr w1, [x0]    */
		0x14000010, /* 0x1004: b 0x1044         */
		0xd503201f, /* 0x1008: nop              */
	};
	static const uint32_t ret[] = {
		0x885f7c01, /* 0x1000: ldxr w1, [x0]    */
		0xd65f03c0, /* 0x1004: ret              */
		0xd503201f, /* 0x1008: nop              */
	};

	assert_int_equal(check(clrex, N(clrex), 2), -ENOTSUP);
	assert_int_equal(check(clrex, N(clrex), 3), 0);
	assert_int_equal(check(branch, N(branch), 1), -ENOTSUP);
	assert_int_equal(check(branch, N(branch), 2), 0);
	assert_int_equal(check(ret, N(ret), 2), 0);
}

static void test_not_exclusive(void **state CT_UNUSED)
{
	/* ldar, casp and plain loads start no sequence */
	static const uint32_t f[] = {
		0x88dffc01, /* 0x1000: ldar w1, [x0]                  */
		0x08207c82, /* 0x1004: casp w0, w1, w2, w3, [x4]      */
		0xf9400420, /* 0x1008: ldr x0, [x1, #8]               */
		0xd503201f, /* 0x100c: nop                            */
	};

	for (size_t i = 0; i <= N(f); i++)
		assert_int_equal(check(f, N(f), i), 0);
}

static void test_window(void **state CT_UNUSED)
{
	/* ldxr, then nops: ARM's 128-byte limit means 32 words are looked at */
	uint32_t f[40];

	f[0] = 0x885f7c01; /* ldxr w1, [x0] */
	for (size_t i = 1; i < N(f); i++)
		f[i] = 0xd503201f; /* nop */
	/* site at word 32: words 31..0 are looked at, the ldxr among them */
	assert_int_equal(check(f, N(f), 32), -ENOTSUP);
	/* site at word 33: words 32..1, only nops */
	assert_int_equal(check(f, N(f), 33), 0);
}

static void test_bounds(void **state CT_UNUSED)
{
	static const uint32_t f[] = {
		0x885ffc01, /* 0x1000: ldaxr w1, [x0]        */
		0x6b02003f, /* 0x1004: cmp w1, w2            */
		0x8803fc04, /* 0x1008: stlxr w3, w4, [x0]    */
	};
	uint8_t code[12];
	const char *why = "unset";

	to_bytes(f, N(f), code);
	/* only the bytes given are looked at: from 0x1004 on, no load */
	assert_int_equal(A->check_site(code + 4, 8, CODE + 4, CODE + 8, &why), 0);
	assert_null(why);
	/* sites outside the range or between instructions */
	assert_int_equal(A->check_site(code, sizeof(code), CODE, CODE - 4, &why), -EINVAL);
	assert_int_equal(A->check_site(code, sizeof(code), CODE, CODE + 16, &why), -EINVAL);
	assert_int_equal(A->check_site(code, sizeof(code), CODE, CODE + 6, &why), -EINVAL);
	assert_int_equal(A->check_site(code, 0, CODE, CODE, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cas_loop),
		cmocka_unit_test(test_pair_and_byte),
		cmocka_unit_test(test_ended),
		cmocka_unit_test(test_not_exclusive),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
