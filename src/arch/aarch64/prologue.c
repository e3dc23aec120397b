/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a function keeps its return address once its prologue has run.
 *
 * aarch64 `bl` leaves the return address in x30, so nothing on the stack
 * proves a frame alive the way x86's pushed return address does.  But the
 * standard prologue of a non-leaf function saves x29/x30 as a frame record
 * at a fixed offset from the entry sp:
 *
 *	[paciasp | pacibsp | bti c | bti jc | nop]...
 *	stp x29, x30, [sp, #-N]!            record at entry sp - N
 *   or
 *	sub sp, sp, #N
 *	stp x29, x30, [sp, #M]              record at entry sp - N + M
 *
 * and the saved x30 stays there while the frame lives.  A later call whose
 * stack reused that word (after longjmp or an exception) shows the frame
 * dead, as on x86_64.  Anything else: no slot known, no check made.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/aarch64.h"

#define STP_X29_X30_PRE  0xa9807bfdu /* stp x29, x30, [sp, #imm]! with imm7 = 0 */
#define STP_X29_X30_OFF  0xa9007bfdu /* stp x29, x30, [sp, #imm] with imm7 = 0 */
#define STP_IMM7_MASK    (0x7fu << 15)
#define SUB_SP_SP_IMM    0xd10003ffu /* sub sp, sp, #imm12 (sh = 0) with imm12 = 0 */
#define SUB_IMM12_MASK   (0xfffu << 10)

static uint32_t word_at(const uint8_t *code, size_t i)
{
	uint32_t w;

	memcpy(&w, code + 4 * i, 4);
	return w;
}

static bool is_skippable_hint(uint32_t w)
{
	switch (w) {
	case 0xd503201fu: /* nop */
	case 0xd503233fu: /* paciasp */
	case 0xd503237fu: /* pacibsp */
	case 0xd503245fu: /* bti c */
	case 0xd50324dfu: /* bti jc */
		return true;
	default:
		return false;
	}
}

/* The signed, scaled imm7 of a 64-bit stp, in bytes. */
static int32_t stp_offset(uint32_t w)
{
	int32_t imm7 = (int32_t)((w >> 15) & 0x7f);

	if (imm7 & 0x40)
		imm7 -= 0x80;
	return imm7 * 8;
}

int aarch64_lr_slot(const uint8_t *code, size_t len, int32_t *off)
{
	size_t n = len / 4, i = 0;
	uint32_t w;

	while (i < n && i < 2 && is_skippable_hint(word_at(code, i)))
		i++;
	if (i >= n)
		return -ENOENT;
	w = word_at(code, i);
	if ((w & ~STP_IMM7_MASK) == STP_X29_X30_PRE) {
		int32_t pre = stp_offset(w);

		if (pre >= 0)
			return -ENOENT;
		*off = pre + 8;
		return 0;
	}
	if ((w & ~SUB_IMM12_MASK) == SUB_SP_SP_IMM && i + 1 < n) {
		int32_t frame = (int32_t)((w >> 10) & 0xfff);
		uint32_t w2 = word_at(code, i + 1);
		int32_t at;

		if ((w2 & ~STP_IMM7_MASK) != STP_X29_X30_OFF)
			return -ENOENT;
		at = stp_offset(w2);
		if (at < 0 || at + 16 > frame)
			return -ENOENT;
		*off = -frame + at + 8;
		return 0;
	}
	return -ENOENT;
}
