/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `stacks` knows of each ISA beyond struct ct_arch: system call names
 * and where a stopped thread keeps its system call, DWARF register numbers
 * for the unwinder, glibc's mutex layout.  Registers are found by their
 * names in arch->reg_desc, so no register layout is repeated here.  Both
 * tables are built on every host (tests/unit/test_stacks.c runs them).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#include "stacks/internal.h"
#include "stacks/sysnames_aarch64.h"
#include "stacks/sysnames_x86_64.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The kernel's restart codes (include/linux/errno.h), which a thread that
 * was stopped inside a system call has in its return register. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

int ct_reg_word(const struct ct_arch *arch, const char *name)
{
	unsigned i;

	for (i = 0; i < arch->nr_regs; i++)
		if (!strcmp(arch->reg_desc[i].name, name))
			return (int)arch->reg_desc[i].word;
	return -1;
}

uint64_t ct_reg_by_name(const struct ct_arch *arch, const struct ct_regs *r, const char *name)
{
	int w = ct_reg_word(arch, name);

	return w < 0 ? 0 : r->w[w];
}

const char *ct_sysname(const struct ct_stacks_arch *sa, long nr)
{
	if (nr < 0 || (size_t)nr >= sa->nr_sysnames)
		return NULL;
	return sa->sysnames[nr];
}

long ct_sysnr_by_name(const struct ct_stacks_arch *sa, const char *name)
{
	size_t i;

	for (i = 0; i < sa->nr_sysnames; i++)
		if (sa->sysnames[i] && !strcmp(sa->sysnames[i], name))
			return (long)i;
	return -1;
}

static bool is_restart(int64_t ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

/* ---- x86_64 ---- */

/* DWARF numbering of the System V x86-64 psABI (rip is the return-address
 * column 16), as elfutils' x86_64_initreg.c passes them. */
static const char *const x86_64_dwarf[] = {
	"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",  "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

static const char *const x86_64_sysargs[6] = { "rdi", "rsi", "rdx", "r10", "r8", "r9" };

/*
 * A thread stopped on its way out of the kernel has orig_rax = the system
 * call it made (-1 when it entered the kernel by an interrupt or fault)
 * and rax = its result.  One interrupted while blocked has rax = -ERESTART*
 * and its arguments intact; the kernel restarts the call (rip -= 2, rax =
 * orig_rax) only once we let it go (arch_do_signal_or_restart runs after
 * get_signal, where it is stopped).
 */
static void x86_64_syscall_at_stop(const struct ct_stacks_arch *sa, const struct ct_arch *arch,
				   const struct ct_regs *r, struct ct_memcache *mc,
				   struct ct_syscall *sys)
{
	int64_t nr = (int64_t)ct_reg_by_name(arch, r, "orig_rax");
	int64_t ret = (int64_t)ct_reg_by_name(arch, r, "rax");
	unsigned i;

	(void)mc;
	if (nr < 0) {
		sys->state = CT_SYS_NONE;
		return;
	}
	sys->nr = (long)nr;
	sys->name = ct_sysname(sa, sys->nr);
	for (i = 0; i < 6; i++)
		sys->args[i] = ct_reg_by_name(arch, r, x86_64_sysargs[i]);
	sys->ret = ret;
	if (is_restart(ret))
		sys->state = CT_SYS_BLOCKED;
	else if (ret == -EINTR)
		sys->state = CT_SYS_INTERRUPTED;
	else
		sys->state = CT_SYS_RETURNED;
}

/* ---- aarch64 ---- */

/* DWARF for the Arm 64-bit architecture: x0..x30 are 0..30, sp is 31; the
 * pc has no number (elfutils' aarch64_initreg.c passes it separately). */
static const char *const aarch64_dwarf[] = {
	"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
	"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
	"x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",
};

#define AARCH64_SVC0 0xd4000001u

static bool insn_is_svc(struct ct_memcache *mc, uint64_t addr)
{
	uint8_t b[4];

	if (ct_memcache_read(mc, addr, b, sizeof(b)) < 0)
		return false;
	return ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		(uint32_t)b[3] << 24) == AARCH64_SVC0;
}

/*
 * arm64's do_signal() prepares a restart before get_signal(), where the
 * thread is stopped: x0 = orig_x0, pc back on the `svc`, and it forgets
 * the syscall number (so neither /proc/TID/syscall nor
 * PTRACE_GET_SYSCALL_INFO tell it).  x8 still holds it.  So: pc on an svc
 * is a call that will be made again (blocked, all arguments intact); pc
 * just after one is a call that returned, x0 its result.
 */
static void aarch64_syscall_at_stop(const struct ct_stacks_arch *sa, const struct ct_arch *arch,
				    const struct ct_regs *r, struct ct_memcache *mc,
				    struct ct_syscall *sys)
{
	uint64_t pc = arch->pc(r);
	char reg[4];
	unsigned i;

	if (insn_is_svc(mc, pc)) {
		sys->state = CT_SYS_BLOCKED;
	} else if (pc >= 4 && insn_is_svc(mc, pc - 4)) {
		sys->ret = (int64_t)ct_reg_by_name(arch, r, "x0");
		sys->arg0_lost = true;
		sys->state = sys->ret == -EINTR ? CT_SYS_INTERRUPTED : CT_SYS_RETURNED;
	} else {
		sys->state = CT_SYS_NONE;
		return;
	}
	sys->nr = (long)ct_reg_by_name(arch, r, "x8");
	sys->name = ct_sysname(sa, sys->nr);
	for (i = 0; i < 6; i++) {
		reg[0] = 'x';
		reg[1] = (char)('0' + i);
		reg[2] = '\0';
		sys->args[i] = ct_reg_by_name(arch, r, reg);
	}
}

/* glibc's struct __pthread_mutex_s has the same head on both 64-bit ISAs:
 * int __lock; unsigned __count; int __owner; unsigned __nusers; int __kind
 * (sysdeps/nptl/bits/struct_mutex.h and its x86 variant). */
static const struct ct_stacks_arch stacks_archs[] = {
	{
		.machine = EM_X86_64,
		.sysnames = sysnames_x86_64,
		.nr_sysnames = ARRAY_SIZE(sysnames_x86_64),
		.dwarf_regs = x86_64_dwarf,
		.nr_dwarf = ARRAY_SIZE(x86_64_dwarf),
		.pc_separate = false,
		.syscall_at_stop = x86_64_syscall_at_stop,
		.mutex_owner_off = 8,
		.mutex_kind_off = 16,
	},
	{
		.machine = EM_AARCH64,
		.sysnames = sysnames_aarch64,
		.nr_sysnames = ARRAY_SIZE(sysnames_aarch64),
		.dwarf_regs = aarch64_dwarf,
		.nr_dwarf = ARRAY_SIZE(aarch64_dwarf),
		.pc_separate = true,
		.fp_repeats_lr = true,
		.syscall_at_stop = aarch64_syscall_at_stop,
		.mutex_owner_off = 8,
		.mutex_kind_off = 16,
	},
};

const struct ct_stacks_arch *ct_stacks_arch_get(uint16_t machine)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stacks_archs); i++)
		if (stacks_archs[i].machine == machine)
			return &stacks_archs[i];
	return NULL;
}
