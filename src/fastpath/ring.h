/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's shared area: its byte layout and its protocol.
 *
 * One area is mapped both in calltrap (the consumer) and in the traced
 * process (the producers: the injected trampolines, whose machine code,
 * src/arch/<isa>/tramp.c, runs the C reference producer of produce.c step
 * by step).  Everything in
 * it is found by an offset from the area's start, never by a pointer, so
 * both mappings read the same bytes at different addresses.  Emitted code
 * writes these structs by offset: every offset it uses is a CT_FP_* constant
 * below, checked against the struct by a _Static_assert.
 *
 *   offset 0                       struct ct_fp_header (256 bytes)
 *   header.table_offset            nr_slots x struct ct_fp_slot (16 bytes)
 *   slot.ring_offset (per thread)  struct ct_fp_ring (128 bytes), then
 *                                  capacity x struct ct_fp_record (80 bytes)
 *
 * THE THREAD TABLE.  nr_slots (a power of two) slots {thread_pointer,
 * ring_offset}, open addressing with linear probing from
 * ct_fp_hash(tp) = (tp * CT_FP_HASH_MULT) >> (64 - log2(nr_slots)).
 * Only calltrap writes it; producers only read it.  A slot is EMPTY
 * (tp 0: the end of a probe chain), LIVE (a thread pointer: never 0 or 1,
 * the ABI aligns the TCB) or a TOMBSTONE (tp 1: a thread that is gone;
 * probing continues past it).  To register, calltrap writes ring_offset,
 * then publishes tp with a release store (a reader that sees the tp sees
 * its ring).  A producer loads tp (acquire; a plain mov on x86_64, ldar on
 * aarch64), on a match loads ring_offset; it stops at an empty slot or
 * after nr_slots probes: not found = the event is dropped and counted in
 * header.unregistered (a locked add: the rare path, shared by threads).
 * Deletion writes the tombstone over tp; entries are never moved (a
 * concurrent reader would miss a moved entry), and registration reuses the
 * first tombstone of the chain.  calltrap keeps live + tombstones at most
 * nr_slots / 2 so chains stay short and an empty slot always ends them.
 *
 * When a slot is tombstoned, and why it is safe: a thread's producers can
 * run (even from a signal handler) only while the thread exists.  calltrap
 * unregisters a thread at its exit (PTRACE_EVENT_EXIT or its reaped
 * status): from then on it runs no user code, so no signal frame of it can
 * run a trampoline; calltrap drains its ring one last time, then tombstones
 * the slot and may reuse the ring.  glibc reuses a dead thread's TCB (its
 * stack cache) for a later thread, but only after the kernel clears the
 * dead thread's tid, which happens after its exit event; so a new thread
 * can show up with a thread pointer still in the table before calltrap has
 * handled the old thread's exit.  ct_fp_register() then answers -EEXIST
 * and the engine (which knows the old thread is dead, since its TCB was
 * reused, and the new one has not run yet) unregisters the old thread
 * first.  Two LIVE threads sharing a thread pointer (a raw clone() without
 * CLONE_SETTLS) would be two producers on one ring: the engine must keep
 * such a thread off the fast path.
 *
 * ONE RING PER THREAD, single producer (the thread and the signal handlers
 * that interrupt it), single consumer (calltrap).  Counters run freely
 * (u64, never wrap in practice); a record's slot is counter & mask.
 *   head     records published: written by the producer (release), read by
 *            calltrap (acquire).
 *   reserve  records reserved: producer only; reserve >= head.
 *   depth    producers of this thread in flight (nesting): producer only.
 *   tail     records consumed: written by calltrap (release), read by the
 *            producer (acquire) before it reuses a slot.
 *   drops, waits: producer-only counters calltrap reads for --stats.
 * The producer's read-modify-writes on reserve/depth/drops/waits race only
 * with signal handlers of the same thread, so a single instruction suffices
 * (x86_64 `incq`/`xaddq` without lock; aarch64 ldadd or a restarted
 * ldxr/stxr); the C reference uses relaxed C11 atomics, which are that.
 *
 * The producer (ct_fp_produce() is the executable specification):
 *  1. Find the ring by the thread pointer (above).
 *  2. d = depth++.  d == 0: outermost; d > 0: a signal handler interrupted
 *     a producer of this thread between its steps 2 and 6.
 *  3. Room: while reserve - tail >= capacity, wait, executing `pause`
 *     (aarch64 `yield`), as long as the tracer is alive, i.e. its heartbeat
 *     is fresh: (s64)(now - header.tracer_heartbeat) < header
 *     .heartbeat_timeout (ticks; calltrap writes the heartbeat every few ms
 *     and 0 when it leaves), and calltrap can make progress: head != tail
 *     (the tail loaded once per turn for both tests: a second load could
 *     see calltrap's drain up to head and pass for a deadlock; when every record in the ring is reserved but unpublished, they
 *     belong to producers this handler interrupted: waiting would deadlock,
 *     so drop).  Each wait counts once in waits.  If there is still no
 *     room: drops++, go to 6.  The program never waits for a dead calltrap.
 *  4. i = reserve++ (this slot is ours alone: an interrupting handler
 *     reserves the next one).
 *  5. Write record i & mask: every field, by plain stores.
 *  6. d > 0: depth--, return (the outermost producer publishes for us:
 *     signal handlers nest, so it resumes only after we are done).
 *     d == 0: publish:  r = reserve; head = r (release: every record
 *     before r is written); depth-- ; if reserve != r (a handler reserved
 *     between the load and the decrement and did not publish), depth++
 *     and publish again.  Publishing only while depth is held keeps head
 *     monotonic: a handler that runs after the decrement is outermost
 *     and publishes a reserve >= r itself.
 * So records are whole (each producer owns its reserved slot), none is
 * published before it is written, and the ring holds them in reservation
 * order (a handler's record may follow its interrupted producer's record
 * while carrying an earlier timestamp).
 *
 * The consumer (ct_fp_drain()): h = head (acquire); read records
 * [tail, h) in order; tail = h (release).  On x86_64 (TSO) every one of
 * these orderings is a plain mov; on aarch64 the release stores are stlr
 * and the acquire loads ldar.
 *
 * The hazard this design accepts: a signal handler that interrupts a
 * producer between steps 2 and 6 and never returns to it (siglongjmp out
 * of the handler) leaves depth > 0 for ever: no producer of that thread
 * publishes again, the ring fills with reserved records, and from then on
 * its events are dropped and counted (never a hang).  calltrap sees it as
 * reserve != head that does not move.
 *
 * Time: records carry raw counter ticks (x86_64 rdtsc, aarch64
 * cntvct_el0); header.clock holds the calibration that converts them to
 * CLOCK_MONOTONIC nanoseconds (clock.h).
 */
#ifndef CT_FASTPATH_RING_H
#define CT_FASTPATH_RING_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#define CT_FP_MAGIC UINT64_C(0x31474e4952505443) /* "CTPRING1", little-endian */
#define CT_FP_VERSION 1u

#define CT_FP_TP_EMPTY UINT64_C(0)
#define CT_FP_TP_TOMBSTONE UINT64_C(1)
#define CT_FP_HASH_MULT UINT64_C(0x9e3779b97f4a7c15) /* 2^64 / golden ratio */

/* Record kinds (low 16 bits of kind_flags); flags take the high 16. */
enum ct_fp_kind {
	CT_FP_CALL = 1,
	CT_FP_RETURN = 2,
};
#define CT_FP_KIND_MASK 0xffffu
#define CT_FP_NR_ARGS 6

/* The counter calibration (clock.h): ns = ns_base + ((ticks - tick_base)
 * * mult >> shift), with a signed 128-bit product. */
struct ct_fp_clock {
	uint64_t mult;
	uint32_t shift;
	uint32_t flags;           /* CT_TICKS_* of arch/ticks.h */
	uint64_t tick_base;
	uint64_t ns_base;         /* CLOCK_MONOTONIC */
	uint64_t ticks_per_sec;   /* measured, for display */
	uint64_t error_ppb;       /* bound of the measurement error */
};

struct ct_fp_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint32_t record_size;
	uint32_t ring_header_size;
	uint32_t slot_size;
	uint32_t nr_slots;        /* power of two */
	uint64_t table_offset;
	uint64_t area_size;
	uint64_t rings_offset;    /* ring k at rings_offset + k * ring_stride */
	uint64_t ring_stride;
	/* own cache line: written by calltrap every few ms, read by every waiter */
	alignas(64) uint64_t tracer_heartbeat; /* ticks; 0: calltrap is gone */
	uint64_t heartbeat_timeout;            /* ticks */
	uint64_t unregistered;                 /* events of threads not in the table */
	uint32_t ring_capacity;   /* records per ring, power of two; constant */
	uint32_t nr_rings;        /* constant */
	alignas(64) struct ct_fp_clock clock;
	alignas(64) uint8_t reserved[64];
};

struct ct_fp_slot {
	uint64_t thread_pointer;
	uint64_t ring_offset;
};

struct ct_fp_ring {
	/* producer's cache line */
	uint64_t head;
	uint64_t reserve;
	uint64_t depth;
	uint64_t drops;
	uint64_t waits;
	uint64_t mask;            /* capacity - 1; constant */
	uint64_t pad0[2];
	/* consumer's cache line */
	alignas(64) uint64_t tail;
	uint64_t pad1[7];
	/* then the records */
};

/*
 * One event.  CALL, recorded at the function's first instruction (its
 * entry pc is known from func_id): sp = the sp there (x86_64: pointing at
 * the return address), pc = the return address (x86_64: the word at sp;
 * aarch64: x30), a[] = the argument registers.  RETURN, recorded at the
 * exit instruction (ret, or a tail jump that is taken): sp = the sp as
 * that instruction executes it (for a ret, pointing at the return
 * address), pc = the exit instruction's address, a[0..1] = the return
 * registers, a[2..] = 0.
 */
struct ct_fp_record {
	uint32_t kind_flags;
	uint32_t func_id;
	uint64_t tsc;
	uint64_t sp;
	uint64_t pc;              /* call: the return address; return: the exit's pc */
	uint64_t a[CT_FP_NR_ARGS]; /* call: rdi rsi rdx rcx r8 r9 | x0-x5;
	                           * return: rax rdx | x0 x1, then 0 */
};

/* The offsets emitted code uses. */
#define CT_FP_HDR_HEARTBEAT 64
#define CT_FP_HDR_HB_TIMEOUT 72
#define CT_FP_HDR_UNREGISTERED 80
#define CT_FP_HDR_TABLE_OFFSET 32
#define CT_FP_HDR_NR_SLOTS 28
#define CT_FP_HDR_SIZE 256
#define CT_FP_SLOT_TP 0
#define CT_FP_SLOT_RING 8
#define CT_FP_SLOT_SIZE 16
#define CT_FP_RING_HEAD 0
#define CT_FP_RING_RESERVE 8
#define CT_FP_RING_DEPTH 16
#define CT_FP_RING_DROPS 24
#define CT_FP_RING_WAITS 32
#define CT_FP_RING_MASK 40
#define CT_FP_RING_TAIL 64
#define CT_FP_RING_RECORDS 128
#define CT_FP_REC_KIND 0
#define CT_FP_REC_FUNC 4
#define CT_FP_REC_TSC 8
#define CT_FP_REC_SP 16
#define CT_FP_REC_PC 24
#define CT_FP_REC_ARGS 32
#define CT_FP_REC_SIZE 80

#define CT_FP_ASSERT_OFF(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), #type "." #field " at " #off)
CT_FP_ASSERT_OFF(struct ct_fp_header, magic, 0);
CT_FP_ASSERT_OFF(struct ct_fp_header, version, 8);
CT_FP_ASSERT_OFF(struct ct_fp_header, nr_slots, CT_FP_HDR_NR_SLOTS);
CT_FP_ASSERT_OFF(struct ct_fp_header, table_offset, CT_FP_HDR_TABLE_OFFSET);
CT_FP_ASSERT_OFF(struct ct_fp_header, tracer_heartbeat, CT_FP_HDR_HEARTBEAT);
CT_FP_ASSERT_OFF(struct ct_fp_header, heartbeat_timeout, CT_FP_HDR_HB_TIMEOUT);
CT_FP_ASSERT_OFF(struct ct_fp_header, unregistered, CT_FP_HDR_UNREGISTERED);
CT_FP_ASSERT_OFF(struct ct_fp_header, clock, 128);
_Static_assert(sizeof(struct ct_fp_header) == CT_FP_HDR_SIZE, "header size");
_Static_assert(sizeof(struct ct_fp_clock) == 48, "clock size");
CT_FP_ASSERT_OFF(struct ct_fp_slot, thread_pointer, CT_FP_SLOT_TP);
CT_FP_ASSERT_OFF(struct ct_fp_slot, ring_offset, CT_FP_SLOT_RING);
_Static_assert(sizeof(struct ct_fp_slot) == CT_FP_SLOT_SIZE, "slot size");
CT_FP_ASSERT_OFF(struct ct_fp_ring, head, CT_FP_RING_HEAD);
CT_FP_ASSERT_OFF(struct ct_fp_ring, reserve, CT_FP_RING_RESERVE);
CT_FP_ASSERT_OFF(struct ct_fp_ring, depth, CT_FP_RING_DEPTH);
CT_FP_ASSERT_OFF(struct ct_fp_ring, drops, CT_FP_RING_DROPS);
CT_FP_ASSERT_OFF(struct ct_fp_ring, waits, CT_FP_RING_WAITS);
CT_FP_ASSERT_OFF(struct ct_fp_ring, mask, CT_FP_RING_MASK);
CT_FP_ASSERT_OFF(struct ct_fp_ring, tail, CT_FP_RING_TAIL);
_Static_assert(sizeof(struct ct_fp_ring) == CT_FP_RING_RECORDS, "ring header size");
CT_FP_ASSERT_OFF(struct ct_fp_record, kind_flags, CT_FP_REC_KIND);
CT_FP_ASSERT_OFF(struct ct_fp_record, func_id, CT_FP_REC_FUNC);
CT_FP_ASSERT_OFF(struct ct_fp_record, tsc, CT_FP_REC_TSC);
CT_FP_ASSERT_OFF(struct ct_fp_record, sp, CT_FP_REC_SP);
CT_FP_ASSERT_OFF(struct ct_fp_record, pc, CT_FP_REC_PC);
CT_FP_ASSERT_OFF(struct ct_fp_record, a, CT_FP_REC_ARGS);
_Static_assert(sizeof(struct ct_fp_record) == CT_FP_REC_SIZE, "record size");

/* log2 of a power of two */
static inline unsigned ct_fp_log2(uint64_t pow2)
{
	return (unsigned)__builtin_ctzll(pow2);
}

/* First probe of a thread pointer in a table of nr_slots (power of two). */
static inline uint64_t ct_fp_hash(uint64_t tp, uint32_t nr_slots)
{
	unsigned bits = ct_fp_log2(nr_slots);
	return bits ? (tp * CT_FP_HASH_MULT) >> (64 - bits) : 0;
}

#endif
