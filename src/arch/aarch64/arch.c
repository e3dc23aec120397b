/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The aarch64 table: every fact about the ISA the rest of calltrap may use. */
#include "config.h"

#include <elf.h>
#include <linux/audit.h>

#include "arch/aarch64/aarch64.h"

/* NT_ARM_SYSTEM_CALL from <elf.h>: the syscall number the kernel's
 * restart logic reads (regs->syscallno). */
#define AARCH64_NT_ARM_SYSTEM_CALL 0x404

static const uint8_t aarch64_syscall_insn[] = { 0x01, 0x00, 0x00, 0xd4 }; /* svc #0 */

const struct ct_arch ct_arch_aarch64 = {
	.name = "aarch64",
	.elf_machine = EM_AARCH64,
	.cs_arch = CS_ARCH_ARM64,
	.cs_mode = CS_MODE_ARM, /* little-endian */

	/* brk #0: the kernel keeps other immediates (uprobes' brk #0x5, kgdb,
	 * BUG()) for itself */
	.bp_insn = { 0x00, 0x00, 0x20, 0xd4 },
	.bp_len = 4,
	.insn_align = 4,
	.max_insn_len = 4,
	/* the longest slot, a q-register literal load, is 32 bytes from a
	 * 16-byte aligned slot (relocate.c) */
	.slot_size = 32,
	/* the jump back is a b (imm26: +-128 MiB); keep a margin for the slot */
	.reach = 0x7ff0000,
	.ra_at_entry_sp = false,
	.lr_slot = aarch64_lr_slot,
	.code_addr_mask = 0x0000ffffffffffffull,
	.getregs_request = 0,
	.pc_user_offset = -1, /* no PTRACE_POKEUSER on arm64 */
	.debugreg_user_offset = -1,

	.regs_size = sizeof(struct aarch64_user_regs),
	.nr_int_args = 8,
	.reg_desc = aarch64_reg_desc,
	.nr_regs = AARCH64_NR_REGS,

	.pc = aarch64_pc,
	.set_pc = aarch64_set_pc,
	.sp = aarch64_sp,
	.arg = aarch64_arg,
	.retval = aarch64_retval,
	.bp_addr = aarch64_bp_addr,
	.trap_rewind = aarch64_trap_rewind,
	.return_addr = aarch64_return_addr,
	/* siginfo; ucontext to uc_mcontext (16-aligned); fault_address, x0..x30, sp */
	.sigframe_pc_off = 128 + 176 + 8 + 31 * 8 + 8,
	.return_site = aarch64_return_site,
	.return_site_before = 4,
	.return_site_after = 8,
	.sp_after_return = aarch64_sp_after_return,
	.cancel_syscall_restart = aarch64_cancel_syscall_restart,
	.syscall_nr_regset = AARCH64_NT_ARM_SYSTEM_CALL,

	.analyze = aarch64_analyze,
	.relocate = aarch64_relocate,
	.relocate_mem = aarch64_relocate_mem,
	.emulate = aarch64_emulate,
	.step_fixup = aarch64_step_fixup,
	.emit_jump = aarch64_emit_jump,
	.abi_locate = aarch64_abi_locate,
	/* struct user_fpsimd_state: vregs[32], fpsr, fpcr */
	.fpregs_size = 528,
	.vreg_offset = 0,
	.nr_vregs = 32,
	.x87_offset = 0,
	.nr_x87 = 0,
	.check_site = aarch64_check_site,
	.patch_site = NULL, /* no fast path on aarch64 yet: breakpoints only */
	.tramp_entry = NULL,
	.tramp_exit = NULL,
	.patch_jump = NULL,
	.tramp_max_size = 0,

	.syscall_insn = aarch64_syscall_insn,
	.syscall_len = sizeof(aarch64_syscall_insn),
	.set_syscall = aarch64_set_syscall,
	.syscall_ret = aarch64_syscall_ret,
	/* asm-generic/unistd.h */
	.nr_mmap = 222,
	.nr_munmap = 215,
	.nr_mprotect = 226,
	.nr_memfd_create = 279,
	.nr_close = 57,
	.audit_arch = AUDIT_ARCH_AARCH64,
	.setup_call = aarch64_setup_call,
};
