/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads of a stopped process through a small direct-mapped page cache: the
 * unwinder asks for one word at a time, mostly from the same few stack
 * pages, and a pread of /proc/PID/mem per word would dominate the cost of
 * a snapshot.  Valid only while the process stays stopped.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stacks/internal.h"

void ct_memcache_init(struct ct_memcache *mc, struct ct_pmem *mem)
{
	memset(mc, 0, sizeof(*mc));
	mc->mem = mem;
}

void ct_memcache_fini(struct ct_memcache *mc)
{
	unsigned i;

	for (i = 0; i < CT_MC_SLOTS; i++)
		free(mc->slot[i].data);
	memset(mc->slot, 0, sizeof(mc->slot));
}

static struct ct_mc_slot *page_of(struct ct_memcache *mc, uint64_t page)
{
	struct ct_mc_slot *s = &mc->slot[(page / CT_MC_PAGE) % CT_MC_SLOTS];

	if (s->data && s->page == page)
		return s;
	if (!s->data) {
		s->data = malloc(CT_MC_PAGE);
		if (!s->data)
			return NULL;
	}
	s->page = page;
	s->err = ct_pmem_read(mc->mem, page, s->data, CT_MC_PAGE);
	return s;
}

int ct_memcache_read(struct ct_memcache *mc, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		uint64_t page = addr & ~(uint64_t)(CT_MC_PAGE - 1);
		size_t off = (size_t)(addr - page), n = CT_MC_PAGE - off;
		struct ct_mc_slot *s;

		if (addr + len < addr)
			return -EFAULT;
		s = page_of(mc, page);
		if (!s)
			return -ENOMEM;
		if (s->err)
			return -EFAULT;
		if (n > len)
			n = len;
		memcpy(out, s->data + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}
