/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's patches in a breakpoint set (src/breakpoints/patch.c),
 * on this test's own memory through /proc/self/mem: what is written, what
 * read_orig sees through, the refusals (a breakpoint inside a patch, a
 * patch over a breakpoint or another patch), a fork's copy, a module's
 * forgetting, and detach's restoring of every original byte.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch/arch.h"
#include "breakpoints/breakpoints.h"
#include "ptrace/ptrace.h"

static uint8_t code[64];
static const uint8_t jmp[5] = { 0xe9, 0x11, 0x22, 0x33, 0x44 }; /* jmp rel32 */

struct fixture {
	struct ct_pmem mem;
	struct ct_bpset bs;
};

static int setup(void **state)
{
	static struct fixture f;

	for (size_t i = 0; i < sizeof(code); i++)
		code[i] = (uint8_t)(0x40 + i);
	if (ct_pmem_open(&f.mem, getpid()) < 0)
		return -1;
	if (ct_bpset_init(&f.bs, &ct_arch_x86_64, &f.mem, NULL, NULL) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ct_bpset_fini(&f->bs);
	ct_pmem_close(&f->mem);
	return 0;
}

static uint64_t at(size_t off)
{
	return (uint64_t)(uintptr_t)&code[off];
}

static void test_insert_read_remove(void **state)
{
	struct fixture *f = *state;
	uint8_t orig[16];

	assert_int_equal(ct_patch_insert(&f->bs, at(8), jmp, sizeof(jmp), NULL), 0);
	assert_memory_equal(&code[8], jmp, sizeof(jmp));
	assert_int_equal(code[7], 0x47);
	assert_int_equal(code[13], 0x4d);
	/* read_orig sees the original bytes, also from inside the patch */
	assert_int_equal(ct_bpset_read_orig(&f->bs, at(4), orig, 16), 0);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(orig[i], 0x44 + i);
	assert_int_equal(ct_bpset_read_orig(&f->bs, at(10), orig, 2), 0);
	assert_int_equal(orig[0], 0x4a);
	assert_int_equal(orig[1], 0x4b);
	/* the patch holding an address */
	assert_null(ct_patch_covering(&f->bs, at(7)));
	assert_int_equal(ct_patch_covering(&f->bs, at(12))->addr, at(8));
	assert_null(ct_patch_covering(&f->bs, at(13)));

	assert_int_equal(ct_patch_remove(&f->bs, at(8)), 0);
	for (size_t i = 0; i < sizeof(code); i++)
		assert_int_equal(code[i], 0x40 + i);
	assert_int_equal(ct_patch_remove(&f->bs, at(8)), -ENOENT);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;

	assert_int_equal(ct_patch_insert(&f->bs, at(8), jmp, sizeof(jmp), NULL), 0);
	/* overlapping patches, from either side */
	assert_int_equal(ct_patch_insert(&f->bs, at(12), jmp, sizeof(jmp), NULL), -EBUSY);
	assert_int_equal(ct_patch_insert(&f->bs, at(4), jmp, sizeof(jmp), NULL), -EBUSY);
	/* adjacent is fine */
	assert_int_equal(ct_patch_insert(&f->bs, at(13), jmp, sizeof(jmp), NULL), 0);
	/* no breakpoint inside a patch (it needs no injector to say so) */
	assert_int_equal(ct_site_add(&f->bs, at(9), CT_SITE_RETURN, NULL, at(0), at(64), NULL,
				     &why),
			 -ENOTSUP);
	assert_non_null(why);
	assert_int_equal(ct_patch_insert(&f->bs, at(20), jmp, 0, NULL), -EINVAL);
	assert_int_equal(ct_patch_insert(&f->bs, at(20), jmp, CT_PATCH_MAX_LEN + 1, NULL),
			 -EINVAL);
	assert_int_equal(ct_bpset_remove_all(&f->bs), 0);
	for (size_t i = 0; i < sizeof(code); i++)
		assert_int_equal(code[i], 0x40 + i);
}

static void test_clone_and_forget(void **state)
{
	struct fixture *f = *state;
	struct ct_bpset copy;
	uint8_t orig[4];

	assert_int_equal(ct_patch_insert(&f->bs, at(8), jmp, sizeof(jmp), NULL), 0);
	assert_int_equal(ct_patch_insert(&f->bs, at(30), jmp, sizeof(jmp), NULL), 0);
	/* a fork's copy knows both (same memory here: it reads the same) */
	assert_int_equal(ct_bpset_clone(&copy, &f->bs, &f->mem), 0);
	assert_int_equal(ct_bpset_read_orig(&copy, at(30), orig, 4), 0);
	assert_int_equal(orig[0], 0x40 + 30);
	/* a module unmapped from [0, 20): its patch is forgotten, not written */
	assert_int_equal(ct_bpset_forget(&copy, at(0), at(20)), 0);
	assert_null(ct_patch_covering(&copy, at(8)));
	assert_non_null(ct_patch_covering(&copy, at(31)));
	assert_memory_equal(&code[8], jmp, sizeof(jmp));
	ct_bpset_fini(&copy);
	/* the original set still restores both */
	assert_int_equal(ct_bpset_remove_all(&f->bs), 0);
	for (size_t i = 0; i < sizeof(code); i++)
		assert_int_equal(code[i], 0x40 + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_read_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_and_forget, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
