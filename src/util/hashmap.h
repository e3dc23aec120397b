/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uint64_t -> pointer map, open addressing with linear probing and
 * backward-shift deletion.  Used on the breakpoint hot path (site lookup by
 * address, thread lookup by tid), so no allocation on lookup. */
#ifndef CT_HASHMAP_H
#define CT_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct ct_hashmap_entry {
	uint64_t key;
	void *val; /* NULL marks an empty bucket: values are never NULL */
};

struct ct_hashmap {
	struct ct_hashmap_entry *v;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

void ct_hashmap_init(struct ct_hashmap *h);
void ct_hashmap_fini(struct ct_hashmap *h);
void *ct_hashmap_get(const struct ct_hashmap *h, uint64_t key);
/* Insert or replace; val must not be NULL.  0 or -ENOMEM. */
int ct_hashmap_put(struct ct_hashmap *h, uint64_t key, void *val);
/* The removed value, or NULL. */
void *ct_hashmap_del(struct ct_hashmap *h, uint64_t key);

/* Iterate: for (size_t i = 0; ct_hashmap_next(h, &i, &k, &v); ) */
int ct_hashmap_next(const struct ct_hashmap *h, size_t *iter, uint64_t *key, void **val);

#endif
