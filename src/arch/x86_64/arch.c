/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The x86_64 table: every fact about the ISA the rest of calltrap may use. */
#include "config.h"

#include <elf.h>
#include <linux/audit.h>

#include "arch/x86_64/x86_64.h"

static const uint8_t x86_64_syscall_insn[] = { 0x0f, 0x05 }; /* syscall */

const struct ct_arch ct_arch_x86_64 = {
	.name = "x86_64",
	.elf_machine = EM_X86_64,
	.cs_arch = CS_ARCH_X86,
	.cs_mode = CS_MODE_64,

	.bp_insn = { 0xcc }, /* int3 */
	.bp_len = 1,
	.insn_align = 1,
	.max_insn_len = 15,
	.slot_size = 64,
	.ra_at_entry_sp = true,
	.code_addr_mask = ~0ull,
	.getregs_request = 12, /* PTRACE_GETREGS */
	/* struct user begins with struct user_regs_struct */
	.pc_user_offset = (long)(X86_64_W(rip) * sizeof(uint64_t)),
	.debugreg_user_offset = X86_64_DEBUGREG_USER_OFFSET,
	/* rel32 and disp32 span +-2 GiB; keep a margin for the slot itself */
	.reach = 0x7fff0000,

	.regs_size = sizeof(struct x86_64_user_regs),
	.nr_int_args = 6,
	.reg_desc = x86_64_reg_desc,
	.nr_regs = X86_64_NR_REGS,

	.pc = x86_64_pc,
	.set_pc = x86_64_set_pc,
	.sp = x86_64_sp,
	.arg = x86_64_arg,
	.retval = x86_64_retval,
	.record_regs = x86_64_record_regs,
	.thread_pointer = x86_64_thread_pointer,
	.bp_addr = x86_64_bp_addr,
	.trap_rewind = x86_64_trap_rewind,
	.return_addr = x86_64_return_addr,
	/* pretcode; uc_flags, uc_link, uc_stack; r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp */
	.sigframe_pc_off = 8 + 40 + 16 * 8,
	.return_site = x86_64_return_site,
	.return_site_before = 15,
	.return_site_after = 9,
	.sp_after_return = x86_64_sp_after_return,
	.cancel_syscall_restart = x86_64_cancel_syscall_restart,
	.syscall_nr_regset = 0, /* orig_rax is in NT_PRSTATUS */

	.analyze = x86_64_analyze,
	.relocate = x86_64_relocate,
	.relocate_mem = NULL,
	.emulate = x86_64_emulate,
	.step_fixup = x86_64_step_fixup,
	.emit_jump = x86_64_emit_jump,
	.abi_locate = x86_64_abi_locate,
	/* struct user_fpregs_struct (FXSAVE layout): xmm0 at 160; st_space
	 * at 32 holds st(0)..st(7) in stack order, 16 bytes each */
	.fpregs_size = 512,
	.vreg_offset = 160,
	.nr_vregs = 16,
	.x87_offset = 32,
	.nr_x87 = 8,
	.check_site = NULL,
	.patch_site = x86_64_patch_site,
	.tramp_entry = x86_64_tramp_entry,
	.tramp_exit = x86_64_tramp_exit,
	.patch_jump = x86_64_patch_jump,
	.tramp_max_size = X86_64_TRAMP_MAX_SIZE,

	.syscall_insn = x86_64_syscall_insn,
	.syscall_len = sizeof(x86_64_syscall_insn),
	.set_syscall = x86_64_set_syscall,
	.syscall_ret = x86_64_syscall_ret,
	.nr_mmap = 9,
	.nr_munmap = 11,
	.nr_mprotect = 10,
	.nr_memfd_create = 319,
	.nr_close = 3,
	.audit_arch = AUDIT_ARCH_X86_64,
	.setup_call = x86_64_setup_call,
};
