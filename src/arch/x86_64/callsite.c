/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is an address a return address?  Only if an instruction right before it
 * is a call that ends exactly there, or if it is the signal return
 * trampoline, where a signal handler returns.  x86 code cannot be decoded backwards
 * with certainty, so this asks the question gdb's and libunwind's "was the
 * previous instruction a call" heuristics ask: does one of the call forms
 * end at the address?
 *
 *	e8 rel32                      call rel32 (also after 67: addr32 call)
 *	[rex] ff /2 modrm [sib] [disp] call r/m64 (register or memory)
 *
 * A prefix before the opcode does not change where the call ends, so only
 * the opcode and what follows it are matched.  The trampoline is glibc's
 * and musl's __restore_rt (what SA_RESTORER points at):
 *
 *	48 c7 c0 0f 00 00 00 | b8 0f 00 00 00   mov $15, %rax | %eax  (rt_sigreturn)
 *	0f 05                                   syscall
 *
 * A word on the stack that
 * points anywhere else (a spilled pointer at the sp of a *.cold part
 * entered by a jump) is not a return address.
 */
#include "config.h"

#include <string.h>

#include "arch/x86_64/x86_64.h"

/* Length of ff /2 from its opcode byte, given the ModRM byte and the SIB
 * byte after it (when there is one; ModRM alone decides if there is). */
static unsigned ff_call_len(uint8_t modrm, uint8_t sib)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;

	switch (mod) {
	case 3:
		return 2;                                  /* ff d0: call *%rax */
	case 0:
		if (rm == 5)
			return 6;                          /* ff 15 disp32: call *x(%rip) */
		if (rm == 4)
			return (sib & 7) == 5 ? 7 : 3;     /* ff 14 25 disp32 | ff 14 c5 */
		return 2;                                  /* ff 10: call *(%rax) */
	case 1:
		return rm == 4 ? 4 : 3;                    /* + disp8 */
	default:
		return rm == 4 ? 7 : 6;                    /* + disp32 */
	}
}

static bool call_ends_at(const uint8_t *code, size_t len)
{
	size_t k;

	if (len >= 5 && code[len - 5] == 0xe8)
		return true;
	/* ff /2 is 2 to 7 bytes from its opcode */
	for (k = 2; k <= 7 && k <= len; k++) {
		const uint8_t *op = code + len - k;
		uint8_t modrm = op[1];

		if (op[0] != 0xff || ((modrm >> 3) & 7) != 2)
			continue;
		if (ff_call_len(modrm, k > 2 ? op[2] : 0) == k)
			return true;
	}
	return false;
}

static bool sigreturn_at(const uint8_t *code, size_t len)
{
	static const uint8_t rax[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	static const uint8_t eax[] = { 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };

	return (len >= sizeof(rax) && memcmp(code, rax, sizeof(rax)) == 0) ||
	       (len >= sizeof(eax) && memcmp(code, eax, sizeof(eax)) == 0);
}

bool x86_64_return_site(const uint8_t *code, size_t len, size_t at)
{
	return call_ends_at(code, at) || sigreturn_at(code + at, len - at);
}
