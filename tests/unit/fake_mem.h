/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake tracee memory for unit tests of the arch hooks: `size` read-only
 * bytes at `base`, counting reads (struct ct_mem's read side). */
#ifndef CT_TEST_FAKE_MEM_H
#define CT_TEST_FAKE_MEM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fake_mem {
	uint64_t base;
	const uint8_t *bytes;
	size_t size;
	unsigned reads;
};

static inline int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	m->reads++;
	if (addr < m->base || addr - m->base > m->size || len > m->size - (addr - m->base))
		return -EFAULT;
	memcpy(buf, m->bytes + (addr - m->base), len);
	return 0;
}

#endif
