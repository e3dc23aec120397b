/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The site/thread map against a trivially correct model (a flat array),
 * under random puts and deletes that force clusters and backward shifts. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/hashmap.h"

#define KEYS 512

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_empty(void **state)
{
	struct ct_hashmap h;
	size_t it = 0;
	uint64_t k;
	void *v;

	(void)state;
	ct_hashmap_init(&h);
	assert_null(ct_hashmap_get(&h, 42));
	assert_null(ct_hashmap_del(&h, 42));
	assert_int_equal(ct_hashmap_next(&h, &it, &k, &v), 0);
	ct_hashmap_fini(&h);
}

static void test_replace(void **state)
{
	struct ct_hashmap h;
	int a, b;

	(void)state;
	ct_hashmap_init(&h);
	assert_int_equal(ct_hashmap_put(&h, 7, &a), 0);
	assert_int_equal(ct_hashmap_put(&h, 7, &b), 0);
	assert_int_equal(h.n, 1);
	assert_ptr_equal(ct_hashmap_get(&h, 7), &b);
	assert_ptr_equal(ct_hashmap_del(&h, 7), &b);
	assert_null(ct_hashmap_get(&h, 7));
	assert_int_equal(h.n, 0);
	ct_hashmap_fini(&h);
}

/* Keys that are addresses 1 byte apart or 64 bytes apart (sites, slots)
 * and small integers (tids): the model must agree after every step. */
static void test_random_against_model(void **state)
{
	static char vals[KEYS];
	static uint64_t keys[KEYS];
	static bool present[KEYS];
	struct ct_hashmap h;
	size_t i, step, n = 0;

	(void)state;
	for (i = 0; i < KEYS; i++)
		keys[i] = i % 3 == 0 ? 0x555555554000ull + i : i % 3 == 1 ? 0x7f0000000000ull + 64 * i : i;
	ct_hashmap_init(&h);
	for (step = 0; step < 200000; step++) {
		size_t k = rng() % KEYS;

		if (rng() % 3) {
			assert_int_equal(ct_hashmap_put(&h, keys[k], &vals[k]), 0);
			if (!present[k])
				n++;
			present[k] = true;
		} else {
			void *got = ct_hashmap_del(&h, keys[k]);

			assert_ptr_equal(got, present[k] ? &vals[k] : NULL);
			if (present[k])
				n--;
			present[k] = false;
		}
		assert_int_equal(h.n, n);
		if (step % 997 == 0) {
			size_t j, it = 0, seen = 0;
			uint64_t key;
			void *val;

			for (j = 0; j < KEYS; j++)
				assert_ptr_equal(ct_hashmap_get(&h, keys[j]), present[j] ? &vals[j] : NULL);
			while (ct_hashmap_next(&h, &it, &key, &val))
				seen++;
			assert_int_equal(seen, n);
		}
	}
	ct_hashmap_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
