/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared area, calltrap's side: lay it out, map it, give threads
 * rings, drain them, beat the heartbeat (protocol: ring.h).  The area is
 * a memfd mapped shared: made here (ct_fp_area_create), or made in the
 * tracee by an injected memfd_create and adopted (inject.c), mapped at a
 * different address on each side, which is why nothing inside it is a
 * pointer.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fastpath/fastpath.h"

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t ring_stride(uint32_t capacity)
{
	return align_up(sizeof(struct ct_fp_ring) + (uint64_t)capacity * sizeof(struct ct_fp_record),
			64);
}

size_t ct_fp_area_size(const struct ct_fp_geometry *g)
{
	if (!pow2(g->nr_slots) || !pow2(g->ring_capacity) || g->ring_capacity < 2 ||
	    g->nr_rings == 0 || g->nr_rings > g->nr_slots / 2 || g->ring_capacity > (1u << 24))
		return 0;
	uint64_t rings = align_up(sizeof(struct ct_fp_header) +
					  (uint64_t)g->nr_slots * sizeof(struct ct_fp_slot),
				  64);
	return (size_t)align_up(rings + g->nr_rings * ring_stride(g->ring_capacity), 4096);
}

int ct_fp_area_init(void *base, size_t size, const struct ct_fp_geometry *g)
{
	size_t need = ct_fp_area_size(g);
	if (need == 0 || size < need)
		return -EINVAL;
	struct ct_fp_header *hdr = base;
	*hdr = (struct ct_fp_header){
		.magic = CT_FP_MAGIC,
		.version = CT_FP_VERSION,
		.header_size = sizeof(struct ct_fp_header),
		.record_size = sizeof(struct ct_fp_record),
		.ring_header_size = sizeof(struct ct_fp_ring),
		.slot_size = sizeof(struct ct_fp_slot),
		.nr_slots = g->nr_slots,
		.table_offset = sizeof(struct ct_fp_header),
		.area_size = need,
		.rings_offset = align_up(sizeof(struct ct_fp_header) +
						 (uint64_t)g->nr_slots * sizeof(struct ct_fp_slot),
					 64),
		.ring_stride = ring_stride(g->ring_capacity),
		.ring_capacity = g->ring_capacity,
		.nr_rings = g->nr_rings,
	};
	memset((char *)base + hdr->table_offset, 0, g->nr_slots * sizeof(struct ct_fp_slot));
	for (uint32_t k = 0; k < g->nr_rings; k++) {
		struct ct_fp_ring *r = ct_fp_ring_at(base, k);
		memset(r, 0, sizeof(*r));
		r->mask = g->ring_capacity - 1;
	}
	return 0;
}

int ct_fp_area_check(const void *base, size_t size)
{
	const struct ct_fp_header *h = base;
	if (size < sizeof(*h) || h->magic != CT_FP_MAGIC || h->version != CT_FP_VERSION ||
	    h->header_size != sizeof(struct ct_fp_header) ||
	    h->record_size != sizeof(struct ct_fp_record) ||
	    h->ring_header_size != sizeof(struct ct_fp_ring) ||
	    h->slot_size != sizeof(struct ct_fp_slot))
		return -EINVAL;
	struct ct_fp_geometry g = { h->nr_slots, h->nr_rings, h->ring_capacity };
	size_t need = ct_fp_area_size(&g);
	if (need == 0 || need != h->area_size || size < need ||
	    h->table_offset != sizeof(struct ct_fp_header) ||
	    h->rings_offset != align_up(h->table_offset + (uint64_t)g.nr_slots *
								  sizeof(struct ct_fp_slot),
					64) ||
	    h->ring_stride != ring_stride(g.ring_capacity))
		return -EINVAL;
	return 0;
}

int ct_fp_area_adopt(struct ct_fp_area *a, int fd, const struct ct_fp_geometry *g)
{
	*a = (struct ct_fp_area){ .fd = fd };
	size_t size = ct_fp_area_size(g);
	int err;
	if (size == 0) {
		errno = EINVAL;
		goto fail;
	}
	if (ftruncate(fd, (off_t)size) != 0)
		goto fail;
	a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		goto fail;
	}
	a->size = size;
	a->ring_used = calloc(g->nr_rings, 1);
	if (!a->ring_used) {
		errno = ENOMEM;
		goto fail;
	}
	err = ct_fp_area_init(a->base, size, g);
	/* calltrap's own copy of the layout: the tracee can write the shared
	 * header, and nothing it writes may send calltrap out of the area */
	if (err == 0)
		a->layout = *(const struct ct_fp_header *)a->base;
	return err;
fail:
	err = -errno;
	ct_fp_area_destroy(a);
	return err;
}

int ct_fp_area_create(struct ct_fp_area *a, const struct ct_fp_geometry *g)
{
	*a = (struct ct_fp_area){ .fd = -1 };
	if (ct_fp_area_size(g) == 0)
		return -EINVAL;
	int fd = memfd_create("calltrap-fastpath", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	return ct_fp_area_adopt(a, fd, g);
}

void ct_fp_area_destroy(struct ct_fp_area *a)
{
	if (a->base)
		munmap(a->base, a->size);
	if (a->fd >= 0)
		close(a->fd);
	free(a->ring_used);
	*a = (struct ct_fp_area){ .fd = -1 };
}

struct ct_fp_ring *ct_fp_ring_at(void *base, uint32_t ring)
{
	struct ct_fp_header *hdr = base;
	return (struct ct_fp_ring *)((char *)base + hdr->rings_offset + ring * hdr->ring_stride);
}

/* calltrap's side goes by its own copy of the layout (a->layout), never by
 * the shared header, which the traced program can overwrite */
static struct ct_fp_slot *table_of(const struct ct_fp_area *a)
{
	return (struct ct_fp_slot *)((char *)a->base + a->layout.table_offset);
}

static struct ct_fp_ring *ring_of(const struct ct_fp_area *a, uint32_t k)
{
	return (struct ct_fp_ring *)((char *)a->base + a->layout.rings_offset +
				     (uint64_t)k * a->layout.ring_stride);
}

/* The ring at offset off, or nr_rings when off is no ring's. */
static uint32_t ring_index(const struct ct_fp_area *a, uint64_t off)
{
	const struct ct_fp_header *l = &a->layout;

	if (off < l->rings_offset || (off - l->rings_offset) % l->ring_stride ||
	    (off - l->rings_offset) / l->ring_stride >= l->nr_rings)
		return l->nr_rings;
	return (uint32_t)((off - l->rings_offset) / l->ring_stride);
}

/* Is tp in the table?  (ct_fp_lookup, by calltrap's layout.) */
static bool registered(const struct ct_fp_area *a, uint64_t tp)
{
	const struct ct_fp_slot *table = table_of(a);
	uint32_t n = a->layout.nr_slots;
	uint64_t i = ct_fp_hash(tp, n);

	for (uint32_t probes = 0; probes < n; probes++, i = (i + 1) & (n - 1)) {
		uint64_t t = LOAD_ACQ(&table[i].thread_pointer);

		if (t == tp)
			return true;
		if (t == CT_FP_TP_EMPTY)
			break;
	}
	return false;
}

int ct_fp_register(struct ct_fp_area *a, uint64_t tp)
{
	struct ct_fp_slot *table = table_of(a);
	uint32_t n = a->layout.nr_slots;
	if (tp == CT_FP_TP_EMPTY || tp == CT_FP_TP_TOMBSTONE)
		return -EINVAL;
	if (registered(a, tp))
		return -EEXIST;
	/* the first tombstone of the chain, else its empty end */
	uint64_t i = ct_fp_hash(tp, n), slot = UINT64_MAX;
	for (uint32_t probes = 0; probes < n; probes++, i = (i + 1) & (n - 1)) {
		uint64_t t = table[i].thread_pointer;
		if (t == CT_FP_TP_TOMBSTONE || t == CT_FP_TP_EMPTY) {
			slot = i;
			break;
		}
	}
	if (slot == UINT64_MAX)
		return -ENOSPC;
	bool fresh = table[slot].thread_pointer == CT_FP_TP_EMPTY;
	if (fresh && a->nr_live + a->nr_tombstones + 1 > n / 2)
		return -ENOSPC;
	uint32_t k;
	for (k = 0; k < a->layout.nr_rings && a->ring_used[k]; k++)
		;
	if (k == a->layout.nr_rings)
		return -ENOSPC;

	/* a clean ring: its thread is new, nobody produces into it yet */
	struct ct_fp_ring *ring = ring_of(a, k);
	a->retired_drops += ring->drops;
	a->retired_waits += ring->waits;
	memset(ring, 0, sizeof(*ring));
	ring->mask = a->layout.ring_capacity - 1;
	a->ring_used[k] = 1;

	STORE(&table[slot].ring_offset, (uint64_t)((char *)ring - (char *)a->base));
	STORE_REL(&table[slot].thread_pointer, tp); /* publishes the ring */
	if (!fresh)
		a->nr_tombstones--;
	a->nr_live++;
	return (int)k;
}

int ct_fp_unregister(struct ct_fp_area *a, uint64_t tp, ct_fp_record_fn fn, void *ctx)
{
	struct ct_fp_slot *table = table_of(a);
	uint32_t n = a->layout.nr_slots;
	uint64_t i = ct_fp_hash(tp, n);
	for (uint32_t probes = 0; probes < n; probes++, i = (i + 1) & (n - 1)) {
		uint64_t t = table[i].thread_pointer;
		if (t == CT_FP_TP_EMPTY)
			break;
		if (t != tp || tp == CT_FP_TP_TOMBSTONE)
			continue;
		uint32_t k = ring_index(a, table[i].ring_offset);
		if (k == a->layout.nr_rings)
			return -EINVAL; /* overwritten by the program */
		ct_fp_drain(a, k, fn, ctx);
		STORE_REL(&table[i].thread_pointer, CT_FP_TP_TOMBSTONE);
		a->ring_used[k] = 0;
		a->nr_live--;
		a->nr_tombstones++;
		return 0;
	}
	return -ENOENT;
}

size_t ct_fp_drain(struct ct_fp_area *a, uint32_t k, ct_fp_record_fn fn, void *ctx)
{
	if (k >= a->layout.nr_rings)
		return 0;
	struct ct_fp_ring *ring = ring_of(a, k);
	const struct ct_fp_record *recs = (const struct ct_fp_record *)(ring + 1);
	uint64_t mask = a->layout.ring_capacity - 1;
	uint64_t tail = ring->tail; /* ours alone */
	uint64_t head = LOAD_ACQ(&ring->head);
	size_t n = 0;
	/* more published than the ring holds: the program wrote over it;
	 * what it holds cannot be trusted, and is skipped */
	if (head - tail > mask + 1) {
		STORE_REL(&ring->tail, head);
		return 0;
	}
	/* give the producer its slots back every quarter ring, so a thread
	 * waiting on a full ring resumes before the whole backlog is handed on */
	uint64_t batch = (mask + 1) / 4 ? (mask + 1) / 4 : 1;
	while (tail != head) {
		fn(ctx, k, &recs[tail & mask]);
		tail++;
		n++;
		if (n % batch == 0 || tail == head)
			STORE_REL(&ring->tail, tail);
	}
	return n;
}

void ct_fp_heartbeat(struct ct_fp_area *a, uint64_t now)
{
	struct ct_fp_header *hdr = a->base;
	STORE_REL(&hdr->tracer_heartbeat, now ? now : 1);
}

void ct_fp_set_heartbeat_timeout(struct ct_fp_area *a, uint64_t timeout)
{
	struct ct_fp_header *hdr = a->base;
	STORE_REL(&hdr->heartbeat_timeout, timeout > INT64_MAX ? INT64_MAX : timeout);
}

void ct_fp_leave(struct ct_fp_area *a)
{
	struct ct_fp_header *hdr = a->base;
	STORE_REL(&hdr->tracer_heartbeat, 0);
}

void ct_fp_set_clock(struct ct_fp_area *a, const struct ct_fp_clock *c)
{
	struct ct_fp_header *hdr = a->base;
	hdr->clock = *c; /* only calltrap reads it */
}

void ct_fp_counters(const struct ct_fp_area *a, struct ct_fp_counters *c)
{
	struct ct_fp_header *hdr = a->base;
	*c = (struct ct_fp_counters){
		.drops = a->retired_drops,
		.waits = a->retired_waits,
		.unregistered = LOAD(&hdr->unregistered),
	};
	for (uint32_t k = 0; k < a->layout.nr_rings; k++) {
		struct ct_fp_ring *ring = ring_of(a, k);
		c->drops += LOAD(&ring->drops);
		c->waits += LOAD(&ring->waits);
		c->pending += LOAD(&ring->reserve) - LOAD_ACQ(&ring->head);
	}
}
