/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The byte emitter the fast path's trampolines are written with
 * (tramp.c, producer.c): on a ct_codebuf, with the first error kept, and
 * rel8/rel32 labels bound once their target is known.  Private to
 * src/arch/x86_64/.
 */
#ifndef CT_ARCH_X86_64_TRAMP_EMIT_H
#define CT_ARCH_X86_64_TRAMP_EMIT_H

#include <errno.h>

#include "arch/x86_64/x86_64.h"

/* An emitter: the first error sticks, so sequences need no check per byte. */
struct x86_64_em {
	struct ct_codebuf *cb;
	int err;
	struct ct_tramp_spans *spans; /* where records are made (optional) */
};

static inline void put(struct x86_64_em *e, const uint8_t *b, size_t n)
{
	if (!e->err)
		e->err = ct_codebuf_put(e->cb, b, n);
}
#define PUT(e, ...) put((e), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static inline void put_u32(struct x86_64_em *e, uint32_t v)
{
	if (!e->err)
		e->err = ct_codebuf_put_u32(e->cb, v);
}

static inline void put_u64(struct x86_64_em *e, uint64_t v)
{
	if (!e->err)
		e->err = ct_codebuf_put_u64(e->cb, v);
}

/* A forward branch with a rel8 (the opcode bytes given), bound later. */
static inline size_t fwd8(struct x86_64_em *e, const uint8_t *op, size_t n)
{
	put(e, op, n);
	PUT(e, 0x00);
	return e->err ? 0 : e->cb->len - 1;
}
#define FWD8(e, ...) fwd8((e), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* The same with a rel32 (jmp e9, jcc 0f 8x), for the longer hops. */
static inline size_t fwd32(struct x86_64_em *e, const uint8_t *op, size_t n)
{
	put(e, op, n);
	put_u32(e, 0);
	return e->err ? 0 : e->cb->len - 4;
}

static inline void bind32(struct x86_64_em *e, size_t at)
{
	uint32_t d;

	if (e->err)
		return;
	d = (uint32_t)(e->cb->len - (at + 4));
	for (unsigned i = 0; i < 4; i++)
		e->cb->buf[at + i] = (uint8_t)(d >> (8 * i));
}

/* Bind the rel8 at `at` to here. */
static inline void bind8(struct x86_64_em *e, size_t at)
{
	size_t d;

	if (e->err)
		return;
	d = e->cb->len - (at + 1);
	if (d > 127) {
		e->err = -ERANGE; /* a bug of this file: the code below is laid out to fit */
		return;
	}
	e->cb->buf[at] = (uint8_t)d;
}

/* A backward branch with a rel8 (opcode given) to the label at `to`. */
static inline void back8(struct x86_64_em *e, uint8_t op, size_t to)
{
	int64_t d;

	if (e->err)
		return;
	d = (int64_t)to - (int64_t)(e->cb->len + 2);
	if (d < -128) {
		e->err = -ERANGE;
		return;
	}
	PUT(e, op, (uint8_t)(int8_t)d);
}

static inline void jump(struct x86_64_em *e, uint64_t to)
{
	if (!e->err)
		e->err = x86_64_emit_jump(e->cb, to);
}

/* save, the producer of one record (ring.h, as ct_fp_produce() runs it),
 * restore: kind CT_FP_CALL at a function's entry, CT_FP_RETURN at the
 * exit at exit_pc (producer.c). */
void x86_64_emit_record(struct x86_64_em *e, const struct ct_tramp_ctx *ctx, uint32_t kind,
			uint64_t exit_pc);

#endif
