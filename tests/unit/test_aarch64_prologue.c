/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 lr_slot: where a function's prologue saves x30, as an offset from
 * the entry sp.  Encodings checked with aarch64-linux-gnu-as/objdump; the
 * offsets are worked out by hand in the comments.
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
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* lr_slot over the words; *off untouched (0x7777) unless it succeeds */
static int slot(const uint32_t *words, size_t n, int32_t *off)
{
	uint8_t code[64];

	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 4; b++)
			code[4 * i + b] = (uint8_t)(words[i] >> (8 * b));
	*off = 0x7777;
	return A->lr_slot(code, 4 * n, off);
}

static void test_pre_index(void **state)
{
	static const uint32_t f32[] = {
		0xa9be7bfd, /* stp x29, x30, [sp, #-32]!  record at -32, x30 at -24 */
		0x910003fd, /* mov x29, sp */
	};
	static const uint32_t f16[] = {
		0xa9bf7bfd, /* stp x29, x30, [sp, #-16]!  x30 at -8 */
	};
	static const uint32_t f512[] = {
		0xa9a07bfd, /* stp x29, x30, [sp, #-512]! (imm7 = -64, the most negative) -> -504 */
	};
	int32_t off;

	(void)state;
	assert_int_equal(slot(f32, N(f32), &off), 0);
	assert_int_equal(off, -24);
	assert_int_equal(slot(f16, N(f16), &off), 0);
	assert_int_equal(off, -8);
	assert_int_equal(slot(f512, N(f512), &off), 0);
	assert_int_equal(off, -504);
}

static void test_after_hints(void **state)
{
	static const uint32_t pac[] = {
		0xd503233f, /* paciasp */
		0xa9be7bfd, /* stp x29, x30, [sp, #-32]!  -> -24 */
	};
	static const uint32_t bti_pac[] = {
		0xd503245f, /* bti c */
		0xd503237f, /* pacibsp */
		0xa9bf7bfd, /* stp x29, x30, [sp, #-16]!  -> -8 */
	};
	static const uint32_t three_hints[] = {
		0xd503245f, /* bti c */
		0xd503233f, /* paciasp */
		0xd503201f, /* nop: a third hint is more than a prologue has */
		0xa9bf7bfd, /* stp x29, x30, [sp, #-16]! */
	};
	int32_t off;

	(void)state;
	assert_int_equal(slot(pac, N(pac), &off), 0);
	assert_int_equal(off, -24);
	assert_int_equal(slot(bti_pac, N(bti_pac), &off), 0);
	assert_int_equal(off, -8);
	assert_int_equal(slot(three_hints, N(three_hints), &off), -ENOENT);
	assert_int_equal(off, 0x7777);
}

static void test_sub_then_stp(void **state)
{
	static const uint32_t f[] = {
		0xd10103ff, /* sub sp, sp, #0x40 */
		0xa9037bfd, /* stp x29, x30, [sp, #48]   record at -64 + 48 = -16, x30 at -8 */
	};
	static const uint32_t beyond[] = {
		0xd10103ff, /* sub sp, sp, #0x40 */
		0xa9047bfd, /* stp x29, x30, [sp, #64]   above the frame: not a prologue */
	};
	static const uint32_t shifted[] = {
		0xd14007ff, /* sub sp, sp, #0x1, lsl #12 (not handled) */
		0xa93ffbfd, /* stp x29, x30, [sp, #-8] */
	};
	static const uint32_t alone[] = {
		0xd10103ff, /* sub sp, sp, #0x40 and nothing after it */
	};
	int32_t off;

	(void)state;
	assert_int_equal(slot(f, N(f), &off), 0);
	assert_int_equal(off, -8);
	assert_int_equal(slot(beyond, N(beyond), &off), -ENOENT);
	assert_int_equal(slot(shifted, N(shifted), &off), -ENOENT);
	assert_int_equal(slot(alone, N(alone), &off), -ENOENT);
	assert_int_equal(off, 0x7777);
}

static void test_not_a_record(void **state)
{
	static const uint32_t post_up[] = {
		0xa9817bfd, /* stp x29, x30, [sp, #16]!  sp moves up: no frame */
	};
	static const uint32_t other_pair[] = {
		0xa9be7bf3, /* stp x19, x30, [sp, #-32]! */
	};
	static const uint32_t str_lr[] = {
		0xf81f0ffe, /* str x30, [sp, #-16]! */
	};
	static const uint32_t leaf[] = {
		0x8b010000, /* add x0, x0, x1 */
		0xd65f03c0, /* ret */
	};
	int32_t off;

	(void)state;
	assert_int_equal(slot(post_up, N(post_up), &off), -ENOENT);
	assert_int_equal(slot(other_pair, N(other_pair), &off), -ENOENT);
	assert_int_equal(slot(str_lr, N(str_lr), &off), -ENOENT);
	assert_int_equal(slot(leaf, N(leaf), &off), -ENOENT);
	assert_int_equal(slot(leaf, 0, &off), -ENOENT);
	assert_int_equal(off, 0x7777);
}

static void test_x86_64_has_none(void **state)
{
	(void)state;
	/* the return address is on the stack at entry there (ra_at_entry_sp) */
	assert_null(ct_arch_x86_64.lr_slot);
	assert_true(ct_arch_x86_64.ra_at_entry_sp);
	assert_int_equal(ct_arch_x86_64.code_addr_mask, ~0ull);
	/* a PAC in bits 48.. is masked off, the address kept */
	assert_int_equal(0x002a0000aaaabbbcull & A->code_addr_mask, 0xaaaabbbcull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pre_index),
		cmocka_unit_test(test_after_hints),
		cmocka_unit_test(test_sub_then_stp),
		cmocka_unit_test(test_not_a_record),
		cmocka_unit_test(test_x86_64_has_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
