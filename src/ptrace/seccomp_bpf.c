/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A classic BPF interpreter for seccomp filters, with the kernel's
 * semantics (kernel/seccomp.c seccomp_check_filter, net/core/filter.c
 * bpf_convert_filter): 32-bit A and X, 16 scratch words, word loads from
 * struct seccomp_data in host byte order, forward jumps only, division by
 * zero returning 0, shifts by X taken modulo 32.  Anything the kernel
 * would have refused to load counts as SECCOMP_RET_KILL_PROCESS: we only
 * run filters the kernel accepted, so that is only ever a bug, and the
 * answer that injects nothing.
 */
#include "config.h"

#include <string.h>

#include "ptrace/seccomp.h"

#define MEMWORDS 16

uint32_t ct_seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[MEMWORDS] = { 0 };
	size_t pc = 0;

	while (pc < len) {
		const struct sock_filter *f = &prog[pc++];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;
		bool cond;

		switch (BPF_CLASS(f->code)) {
		case BPF_RET:
			if (BPF_RVAL(f->code) == BPF_K)
				return k;
			if (BPF_RVAL(f->code) == BPF_A)
				return a;
			return SECCOMP_RET_KILL_PROCESS;
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (k >= sizeof(*d) || (k & 3))
					return SECCOMP_RET_KILL_PROCESS;
				memcpy(&a, (const char *)d + k, sizeof(a));
			} else if (f->code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = sizeof(*d);
			} else if (f->code == (BPF_LD | BPF_IMM)) {
				a = k;
			} else if (f->code == (BPF_LD | BPF_MEM) && k < MEMWORDS) {
				a = mem[k];
			} else {
				return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof(*d);
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = k;
			else if (f->code == (BPF_LDX | BPF_MEM) && k < MEMWORDS)
				x = mem[k];
			else
				return SECCOMP_RET_KILL_PROCESS;
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= MEMWORDS)
				return SECCOMP_RET_KILL_PROCESS;
			mem[k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return 0;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a <<= src & 31; break;
			case BPF_RSH: a >>= src & 31; break;
			case BPF_NEG: a = -a; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_JMP:
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				if (k >= len - pc)
					return SECCOMP_RET_KILL_PROCESS;
				pc += k;
				continue;
			case BPF_JEQ: cond = a == src; break;
			case BPF_JGT: cond = a > src; break;
			case BPF_JGE: cond = a >= src; break;
			case BPF_JSET: cond = (a & src) != 0; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			if ((size_t)(cond ? f->jt : f->jf) >= len - pc)
				return SECCOMP_RET_KILL_PROCESS;
			pc += cond ? f->jt : f->jf;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else if (BPF_MISCOP(f->code) == BPF_TXA)
				a = x;
			else
				return SECCOMP_RET_KILL_PROCESS;
			break;
		default:
			return SECCOMP_RET_KILL_PROCESS;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;
}

/* The kernel's ACTION_ONLY: the action as a signed number, so that
 * KILL_PROCESS (0x80000000) ranks first. */
static int32_t action_only(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

uint32_t ct_seccomp_combine(uint32_t a, uint32_t b)
{
	return action_only(b) < action_only(a) ? b : a;
}

bool ct_seccomp_allows(uint32_t ret)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;

	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

const char *ct_seccomp_action_name(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW: return "allow";
	case SECCOMP_RET_LOG: return "log";
	case SECCOMP_RET_TRACE: return "trace";
	case SECCOMP_RET_USER_NOTIF: return "user-notif";
	case SECCOMP_RET_ERRNO: return "errno";
	case SECCOMP_RET_TRAP: return "trap";
	default: return "kill";
	}
}
