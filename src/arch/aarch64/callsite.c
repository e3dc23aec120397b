/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is an address a return address?  Only if the instruction right before it
 * is a branch with link, which leaves exactly that address in x30:
 *
 *	bl imm26                        100101 imm26
 *	blr xn                          1101011 0 0 01 11111 0000 0 0 nnnnn 00000
 *	blraa/blrab xn, xm              1101011 1 0 01 11111 0000 1 M nnnnn mmmmm
 *	blraaz/blrabz xn                1101011 0 0 01 11111 0000 1 M nnnnn 11111
 *
 * or if it is the signal return trampoline, where a signal handler returns
 * (the vdso's __kernel_rt_sigreturn, or a libc's SA_RESTORER):
 *
 *	mov x8, #139         d2801168   (rt_sigreturn)
 *	svc #0               d4000001
 *
 * x30 at a function's entry is anything but that when the function was
 * entered by a plain branch (a *.cold part, a tail call after a frame
 * reloaded x30 with something else): then there is no return to see.
 */
#include "config.h"

#include "arch/aarch64/aarch64.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool call_ends_at(const uint8_t *code, size_t len)
{
	uint32_t insn;

	if (len < 4)
		return false;
	insn = le32(code + len - 4);
	if ((insn & 0xfc000000u) == 0x94000000u)          /* bl */
		return true;
	if ((insn & 0xfffffc1fu) == 0xd63f0000u)          /* blr */
		return true;
	if ((insn & 0xfffff800u) == 0xd73f0800u)          /* blraa, blrab */
		return true;
	return (insn & 0xfffff81fu) == 0xd63f081fu;       /* blraaz, blrabz */
}

static bool sigreturn_at(const uint8_t *code, size_t len)
{
	return len >= 8 && le32(code) == 0xd2801168u && le32(code + 4) == 0xd4000001u;
}

bool aarch64_return_site(const uint8_t *code, size_t len, size_t at)
{
	return call_ends_at(code, at) || sigreturn_at(code + at, len - at);
}
