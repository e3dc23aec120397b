/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's shared area, calltrap's side (the consumer: area.c) and
 * the C reference producer (produce.c), the executable specification of
 * the trampolines' ring code.  Layout and protocol: ring.h.
 */
#ifndef CT_FASTPATH_H
#define CT_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fastpath/ring.h"

struct ct_fp_geometry {
	uint32_t nr_slots;      /* thread table, power of two >= 2 * nr_rings */
	uint32_t nr_rings;
	uint32_t ring_capacity; /* records, power of two >= 2 */
};

/* calltrap's view of one area: the mapping and its private bookkeeping
 * (which ring belongs to whom never lives in the shared bytes). */
struct ct_fp_area {
	void *base;
	size_t size;
	int fd;                 /* memfd, for mapping it elsewhere; -1 if none */
	uint8_t *ring_used;     /* nr_rings flags */
	uint32_t nr_live, nr_tombstones;
	/* the layout as laid out (the shared header's copy may be overwritten
	 * by the traced program; calltrap goes by this one) */
	struct ct_fp_header layout;
	uint64_t retired_drops, retired_waits; /* of rings since reused */
};

struct ct_fp_counters {
	uint64_t drops, waits, unregistered;
	uint64_t pending;       /* reserved, not yet published (a stuck depth if it stays) */
};

/* Bytes an area of this geometry takes; 0 if the geometry is invalid. */
size_t ct_fp_area_size(const struct ct_fp_geometry *g);
/* Lay out an empty area in [base, base + size) (zeroed memory). */
int ct_fp_area_init(void *base, size_t size, const struct ct_fp_geometry *g);
/* Is [base, base + size) an area of this layout version, every size and
 * offset as this calltrap knows them?  0 or -EINVAL. */
int ct_fp_area_check(const void *base, size_t size);
/* A memfd of the right size mapped shared in calltrap, laid out. 0/-errno. */
int ct_fp_area_create(struct ct_fp_area *a, const struct ct_fp_geometry *g);
/* The same from an empty file calltrap opened (fd, which a then owns and
 * closes, even on failure): sized, mapped shared, laid out.  0/-errno. */
int ct_fp_area_adopt(struct ct_fp_area *a, int fd, const struct ct_fp_geometry *g);
void ct_fp_area_destroy(struct ct_fp_area *a);

/* Give thread pointer tp a ring: the ring's index, or -EINVAL (tp 0 or 1),
 * -EEXIST (tp is in the table: unregister the dead owner first, ring.h),
 * -ENOSPC (no ring free, or the table is half full). */
int ct_fp_register(struct ct_fp_area *a, uint64_t tp);
/* Drain tp's ring into fn one last time, tombstone its slot, free the
 * ring.  Only once the thread runs no user code any more.  0 or -ENOENT. */
typedef void (*ct_fp_record_fn)(void *ctx, uint32_t ring, const struct ct_fp_record *r);
int ct_fp_unregister(struct ct_fp_area *a, uint64_t tp, ct_fp_record_fn fn, void *ctx);

/* Hand the published records of ring `ring` to fn, in order, each once;
 * returns how many. */
size_t ct_fp_drain(struct ct_fp_area *a, uint32_t ring, ct_fp_record_fn fn, void *ctx);
/* The ring at index `ring` (valid or not). */
struct ct_fp_ring *ct_fp_ring_at(void *base, uint32_t ring);

/* calltrap is alive at `now` (ticks); waiters give up `timeout` ticks after
 * the last beat.  ct_fp_leave: calltrap goes, nobody waits any more. */
void ct_fp_heartbeat(struct ct_fp_area *a, uint64_t now);
void ct_fp_set_heartbeat_timeout(struct ct_fp_area *a, uint64_t timeout);
void ct_fp_leave(struct ct_fp_area *a);
/* The calibration records' ticks are converted with (clock.h). */
void ct_fp_set_clock(struct ct_fp_area *a, const struct ct_fp_clock *c);
void ct_fp_counters(const struct ct_fp_area *a, struct ct_fp_counters *c);

/* Both sides: the offset of tp's ring in the area at base, 0 if none. */
uint64_t ct_fp_lookup(const void *base, uint64_t tp);

/* --- the reference producer ------------------------------------------ */

/* What a trampoline records (kind_flags, func_id, sp, pc, a[], as struct
 * ct_fp_record in ring.h says per kind); the producer adds the timestamp. */
struct ct_fp_event {
	uint32_t kind_flags;
	uint32_t func_id;
	uint64_t sp;
	uint64_t pc;
	uint64_t a[CT_FP_NR_ARGS];
};

/* Test hooks: the points between the protocol's steps (ring.h) where a
 * test raises a signal whose handler produces, and the waiting loop. */
enum ct_fp_point {
	CT_FP_AT_DEPTH,        /* after step 2 (depth taken) */
	CT_FP_AT_FULL,         /* in step 3, the ring seen full, head not read */
	CT_FP_AT_MID_RECORD,   /* in step 5, half the record written */
	CT_FP_AT_PUBLISH_LOAD, /* in step 6, reserve loaded, head not stored */
	CT_FP_AT_UNDEPTH,      /* in step 6, depth given back, reserve not re-read */
	CT_FP_AT_WAIT,         /* each turn of the full-ring wait */
};
struct ct_fp_hooks {
	void (*at)(void *ctx, enum ct_fp_point p);
	void *ctx;
};

enum ct_fp_outcome {
	CT_FP_WRITTEN,
	CT_FP_DROPPED,      /* full ring, calltrap not alive (or a nested deadlock) */
	CT_FP_UNREGISTERED, /* tp has no ring */
};

enum ct_fp_outcome ct_fp_produce(void *base, uint64_t tp, const struct ct_fp_event *ev,
				 const struct ct_fp_hooks *hooks);

#endif
