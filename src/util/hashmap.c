/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "util/hashmap.h"

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing: addresses and tids are not random in low bits. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

void ct_hashmap_init(struct ct_hashmap *h)
{
	h->v = NULL;
	h->cap = 0;
	h->n = 0;
}

void ct_hashmap_fini(struct ct_hashmap *h)
{
	free(h->v);
	ct_hashmap_init(h);
}

void *ct_hashmap_get(const struct ct_hashmap *h, uint64_t key)
{
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = slot_of(key, h->cap); h->v[i].val; i = (i + 1) & (h->cap - 1))
		if (h->v[i].key == key)
			return h->v[i].val;
	return NULL;
}

static void put_nogrow(struct ct_hashmap *h, uint64_t key, void *val)
{
	size_t i;

	for (i = slot_of(key, h->cap); h->v[i].val; i = (i + 1) & (h->cap - 1)) {
		if (h->v[i].key == key) {
			h->v[i].val = val;
			return;
		}
	}
	h->v[i].key = key;
	h->v[i].val = val;
	h->n++;
}

int ct_hashmap_put(struct ct_hashmap *h, uint64_t key, void *val)
{
	if ((h->n + 1) * 4 > h->cap * 3) {
		size_t ncap = h->cap ? h->cap * 2 : 64, i;
		struct ct_hashmap old = *h;

		h->v = calloc(ncap, sizeof(*h->v));
		if (!h->v) {
			*h = old;
			return -ENOMEM;
		}
		h->cap = ncap;
		h->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i].val)
				put_nogrow(h, old.v[i].key, old.v[i].val);
		free(old.v);
	}
	put_nogrow(h, key, val);
	return 0;
}

void *ct_hashmap_del(struct ct_hashmap *h, uint64_t key)
{
	size_t i, j, mask = h->cap - 1;
	void *val;

	if (!h->cap)
		return NULL;
	for (i = slot_of(key, h->cap); h->v[i].val; i = (i + 1) & mask)
		if (h->v[i].key == key)
			break;
	if (!h->v[i].val)
		return NULL;
	val = h->v[i].val;
	h->v[i].val = NULL;
	h->n--;
	/* Backward shift: move later entries of the cluster into the hole
	 * when their home bucket allows it, so lookups never stop early. */
	for (j = (i + 1) & mask; h->v[j].val; j = (j + 1) & mask) {
		size_t home = slot_of(h->v[j].key, h->cap);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			h->v[i] = h->v[j];
			h->v[j].val = NULL;
			i = j;
		}
	}
	return val;
}

int ct_hashmap_next(const struct ct_hashmap *h, size_t *iter, uint64_t *key, void **val)
{
	for (; *iter < h->cap; (*iter)++) {
		if (h->v[*iter].val) {
			*key = h->v[*iter].key;
			*val = h->v[*iter].val;
			(*iter)++;
			return 1;
		}
	}
	return 0;
}
