/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The architecture interface: the only place above which no code knows an
 * instruction set or a register layout.  Each ISA provides one const table
 * (src/arch/<isa>/arch.c), in the manner of uftrace's mcount_arch_ops and
 * elfutils' Ebl backends.  Every hook here is pure (no ptrace): tests run
 * both ISAs on any host, and a trace recorded on one ISA can be read on
 * another by taking the table from the file's ELF machine.
 */
#ifndef CT_ARCH_H
#define CT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capstone/capstone.h>

/* Raw NT_PRSTATUS image, large enough for every supported ISA
 * (x86_64 user_regs_struct: 27 words; aarch64 user_pt_regs: 34 words). */
#define CT_REGS_WORDS 34
struct ct_regs {
	uint64_t w[CT_REGS_WORDS];
};

/* Access to (remote) memory: a ptrace'd process in the tracer, a fake
 * buffer in unit tests.  Both return 0 or a negative errno (-EFAULT). */
struct ct_mem {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	void *ctx;
};

/* Where one argument or return value lives at the function's entry (or
 * return), by the calling convention (abi_locate).  Its bytes, in order,
 * are those of the parts (REGS), of the stack at entry sp + stack_off
 * (STACK), or of memory at an address found in part[0] or, with no parts,
 * on the stack at stack_off (REF: a copy passed by invisible reference, a
 * struct returned in memory). */
enum ct_vloc_kind {
	CT_VLOC_NONE, /* void */
	CT_VLOC_REGS,
	CT_VLOC_STACK,
	CT_VLOC_REF,
};

enum ct_regfile {
	CT_RF_GPR, /* reg: word index into struct ct_regs */
	CT_RF_VEC, /* reg: vector register number (xmm0-15 | v0-31) */
	CT_RF_X87, /* reg: x87 stack register st(reg) (x86_64 only) */
};

struct ct_vloc_part {
	uint8_t file;   /* enum ct_regfile */
	uint8_t reg;
	uint8_t size;   /* low bytes of the register taken */
	uint8_t offset; /* where they go in the value */
};

struct ct_vloc {
	enum ct_vloc_kind kind;
	uint8_t nr_parts;
	struct ct_vloc_part part[4];
	uint32_t stack_off;
	/* REF of a return value: the address is part[0] as it was at the
	 * function's entry (aarch64 x8), not at its return */
	bool ref_at_entry;
};

struct ct_sig;

/* One general-purpose register as shown by --regs and in jsonl. */
struct ct_reg_desc {
	const char *name;
	unsigned word; /* index into struct ct_regs.w */
};

/* Output buffer for relocated code (after frida's writers): bytes are
 * collected in a host buffer, but every displacement is computed against
 * `pc`, the address buf[0] will have inside the tracee. */
struct ct_codebuf {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint64_t pc;
};

/* How the instruction displaced by a breakpoint is executed. */
enum ct_insn_action {
	CT_INSN_RELOCATE, /* copy (rewritten) into a slot, followed by a jump back */
	CT_INSN_EMULATE,  /* the tracer applies its effect to the registers */
	CT_INSN_STEP,     /* single-step the copy in a slot, then step_fixup */
	CT_INSN_REJECT,   /* cannot be handled: no breakpoint here */
};

/* The decoded facts about one displaced instruction.  analyze() fills it,
 * relocate()/emulate()/step_fixup() read it.  The fields after `why` are
 * private to the arch that filled them. */
struct ct_insn_plan {
	enum ct_insn_action action;
	uint64_t pc;       /* address of the original instruction */
	uint8_t len;       /* its length in bytes */
	uint8_t bytes[16]; /* its original bytes */
	const char *why;   /* REJECT/STEP: a short reason for messages */

	unsigned kind;     /* arch-private classification */
	uint64_t target;   /* branch target, or address a pc-relative operand refers to */
	uint8_t disp_off;  /* offset of a pc-relative displacement inside bytes[] */
	uint8_t disp_size; /* its size (1, 4) */
	uint8_t cond;      /* condition code / opcode detail */
	uint8_t reg;       /* register operand */
	uint32_t aux;      /* anything else the arch needs */
};

/*
 * Patch-site analysis for the fast path (arch->patch_site): where a jump to a
 * trampoline may replace a function's first instructions, and where the
 * function leaves (DTrace's pid provider return probes: every return and
 * every jump out), judged from a linear sweep of the function's bytes.
 * Every verdict that is not CT_PATCH_OK leaves the site on an int3
 * breakpoint; the reason is what --stats counts per kind.
 */
enum ct_patch_why {
	CT_PATCH_OK = 0,
	CT_PATCH_NO_SIZE,         /* the symbol's size is 0 or unknown */
	CT_PATCH_TOO_SHORT,       /* fewer bytes than the jump (before the end, or up to the exit) */
	CT_PATCH_UNDECODABLE,     /* the sweep met bytes that do not decode (data in text) */
	CT_PATCH_INDIRECT_JUMP,   /* a jump through a register or memory (maybe a jump table)
				   * could land inside a jump over two or more instructions */
	CT_PATCH_FAR_BRANCH,      /* far jmp/call/ret, or a relative branch of unusual size */
	CT_PATCH_BRANCH_INSIDE,   /* a branch lands strictly inside the bytes the jump replaces */
	CT_PATCH_BRANCH_MIDINSN,  /* a branch lands inside an instruction: the sweep cannot be trusted */
	CT_PATCH_CALL_DISPLACED,  /* a call or syscall among the displaced instructions (a thread
				   * inside it would come back into the patched bytes) */
	CT_PATCH_NOT_RELOCATABLE, /* a displaced instruction cannot be relocated */
	CT_PATCH_OVERLAP,         /* exit: its jump would reach into the entry's bytes (the
				   * endbr64, the entry jump, or the breakpoint in its place);
				   * an exit the entry jump displaces runs in the entry trampoline */
	CT_PATCH_NR_WHY,
};

/* A short name of each reason ("too-short", ...), for --stats. */
const char *ct_patch_why_name(enum ct_patch_why why);

enum ct_exit_kind {
	CT_EXIT_RET,      /* ret (also with a bnd prefix) */
	CT_EXIT_REP_RET,  /* rep ret (f3 c3, AMD's branch predictor idiom) */
	CT_EXIT_RET_IMM,  /* ret imm16 */
	CT_EXIT_TAIL_JMP, /* direct jmp out of the function: a tail call */
	CT_EXIT_TAIL_JCC, /* conditional direct jump out of it (jcc, loop, jrcxz) */
	/* jmp through a register or memory: a tail call through a pointer
	 * (a vtable, the GOT), or a jump table's dispatch that stays inside;
	 * only the target, known when it runs, tells which */
	CT_EXIT_INDIRECT,
};

/* One place where the function leaves.  The jump to a return trampoline
 * would replace [patch_off, off + len): the exit itself when it is long
 * enough (jmp rel32), else the straight-line instructions just before it
 * and the exit (e.g. `add $8,%rsp; pop %rbx; ret`).  why says whether that
 * is safe; when not, the exit is caught by a breakpoint or at the return
 * site. */
struct ct_patch_exit {
	uint32_t off;       /* of the exit instruction from the function's start */
	uint8_t len;        /* its length */
	uint8_t kind;       /* enum ct_exit_kind */
	uint64_t target;    /* TAIL_JMP, TAIL_JCC: where the jump goes */
	uint32_t patch_off; /* start of the bytes the jump would replace */
	enum ct_patch_why why;
	/* patch_off is where a call (or system call) just before it returns:
	 * a return breakpoint for that call would have to go into the jump */
	bool at_return_point;
};

/* At most this many instructions are displaced by an entry jump
 * (x86_64: 5 bytes of one-byte instructions). */
#define CT_PATCH_MAX_DISPLACED 5

struct ct_patch_site {
	/* Filled by the caller: where the exits go (the snprintf convention:
	 * nr_exits counts all, only the first exits_cap are stored). */
	struct ct_patch_exit *exits;
	size_t exits_cap;

	/* The function, as given. */
	uint64_t addr;
	uint64_t size;

	/* The entry.  why == CT_PATCH_OK when the jump may go at
	 * addr + patch_off, replacing the whole instructions of
	 * [patch_off, patch_off + displaced_len); detail then names the
	 * instruction at fault (for messages), or is NULL. */
	enum ct_patch_why why;
	const char *detail;
	uint32_t patch_off;    /* 0, or after the endbr64 that stays */
	uint8_t patch_len;     /* bytes of the jump itself (5) */
	uint8_t displaced_len; /* >= patch_len when the run was found */
	uint8_t nr_displaced;
	bool endbr;            /* the function starts with an endbr64 (kept) */
	/* Each displaced instruction as analyze() classified it, in order:
	 * RELOCATE (relocate() emits it) or EMULATE (nop: copied or dropped;
	 * direct jmp: a jump to insn.target).  relocate() continues an
	 * instruction at its original pc + len, which for all but the last
	 * lies in the patched bytes: the emitter must continue each one with
	 * the next relocated instruction instead.  A displaced ret or jmp
	 * ends the function's path there. */
	struct ct_insn_plan displaced[CT_PATCH_MAX_DISPLACED];

	/* The sweep. */
	uint32_t nr_insns;     /* instructions decoded */
	bool swept;            /* it reached the end: the exits are all there */
	bool indirect_jump;    /* the function has one (an INDIRECT exit) */
	size_t nr_exits;
	uint32_t nr_exits_patchable;
};

/*
 * A branch the sweep could not see lands at `target`: a jump back from the
 * function's *.cold part (whose own exits, from the same analysis, name
 * it), or another symbol that starts inside this one (an alias entered
 * from elsewhere).  Refuses, as CT_PATCH_BRANCH_INSIDE, the entry and each
 * stored exit whose jump would replace that byte without starting at it.
 * Call it with exits_cap >= nr_exits, or the exits not stored stay unjudged.
 */
void ct_patch_site_external_target(struct ct_patch_site *site, uint64_t target);

/* What a fast-path trampoline needs besides the patch plan: the shared
 * area's address in the tracee (ring.h; anywhere, taken as an absolute
 * value) and the function's id, which its records carry. */
struct ct_tramp_ctx {
	uint64_t area;
	uint32_t func_id;
	/* Out, optional: where the trampoline makes its records, [start,
	 * end) offsets from its first byte, each from the save of the
	 * program's registers to their restore.  A thread stopped inside one
	 * holds calltrap's state on its stack and must be let run to `end`
	 * before it can be moved (detach), never single-stepped there (a
	 * stepped pushf saves the trap flag). */
	struct ct_tramp_spans *spans;
};

#define CT_TRAMP_MAX_SPANS 8
struct ct_tramp_spans {
	unsigned n;
	struct {
		uint32_t start, end;
	} v[CT_TRAMP_MAX_SPANS];
};

struct ct_arch {
	const char *name;     /* "x86_64", "aarch64" */
	uint16_t elf_machine; /* EM_X86_64, EM_AARCH64 */
	int cs_arch;          /* capstone cs_arch */
	int cs_mode;          /* capstone cs_mode */

	uint8_t bp_insn[4];   /* cc | brk #0 */
	uint8_t bp_len;
	uint8_t insn_align;   /* 1 | 4 */
	uint8_t max_insn_len; /* 15 | 4 */
	uint8_t slot_size;    /* bytes reserved per out-of-line slot */
	int64_t reach;        /* max |slot - module byte| that relocated code may span */

	size_t regs_size;     /* bytes of NT_PRSTATUS */
	/* Offset of the pc in struct user for PTRACE_POKEUSER, which writes
	 * one word instead of the whole register set on the hot path; -1
	 * where the ISA has no POKEUSER (aarch64). */
	long pc_user_offset;
	/* Offset of the debug registers in struct user (x86 u_debugreg: DR0
	 * the address of an instruction breakpoint, DR7 its enable bits), for
	 * a breakpoint of one thread that writes no code; -1 where there is
	 * none (aarch64 has NT_ARM_HW_BREAK instead). */
	long debugreg_user_offset;
	/* A ptrace request that reads NT_PRSTATUS in the layout above with
	 * less work than PTRACE_GETREGSET (x86 PTRACE_GETREGS), or 0. */
	int getregs_request;
	unsigned nr_int_args; /* integer argument registers: 6 | 8 */
	const struct ct_reg_desc *reg_desc;
	unsigned nr_regs;

	uint64_t (*pc)(const struct ct_regs *r);
	void (*set_pc)(struct ct_regs *r, uint64_t pc);
	uint64_t (*sp)(const struct ct_regs *r);
	uint64_t (*arg)(const struct ct_regs *r, unsigned n); /* n < nr_int_args */
	uint64_t (*retval)(const struct ct_regs *r);
	/* The fast path (NULL where the ISA has none yet).  The registers a
	 * ring record stands for: a call's (a[] the integer argument
	 * registers, pc the function's entry) or a return's (a[0], a[1] the
	 * return value registers, pc the exit instruction), sp as the record
	 * has it; every other register reads 0. */
	void (*record_regs)(struct ct_regs *r, bool is_return, uint64_t pc, uint64_t sp,
			    const uint64_t a[6]);
	/* The thread pointer a trampoline finds its thread's ring by (x86_64
	 * fs_base, which %fs:0 holds under glibc). */
	uint64_t (*thread_pointer)(const struct ct_regs *r);

	/* Address of the breakpoint that trapped, from the pc reported at the
	 * trap (pc - 1 after int3; pc itself after brk). */
	uint64_t (*bp_addr)(const struct ct_regs *r);
	/* The pc to report when a thread stopped at a breakpoint trap must be
	 * rewound so that it re-executes the site (detach of an unhandled trap). */
	uint64_t (*trap_rewind)(const struct ct_regs *r);

	/* At a function's first instruction: where it will return to.
	 * x86_64 reads [sp]; aarch64 takes x30.  0 or -EFAULT. */
	int (*return_addr)(const struct ct_regs *r, const struct ct_mem *mem, uint64_t *ra);
	/* Could `ra` be a return address?  Only where a call instruction
	 * ends exactly, or where the signal return trampoline starts (the
	 * return address of a signal handler, or of a function it tail-calls).
	 * code holds the program's bytes around ra, ra at code[at] (at bytes
	 * before it, len - at from it).  A return breakpoint goes nowhere
	 * else: the word taken as a return address at an entry reached by a
	 * jump (a *.cold part) is any value, a pointer to data among them. */
	bool (*return_site)(const uint8_t *code, size_t len, size_t at);
	/* bytes return_site wants before and from ra (at most) */
	uint8_t return_site_before, return_site_after;
	/* At the first instruction of a signal handler, the pc of the code the
	 * signal interrupted (which sigreturn resumes) is saved at sp + this:
	 * x86_64 rt_sigframe = pretcode, then the ucontext with uc_mcontext.rip;
	 * aarch64 rt_sigframe = siginfo, then the ucontext with uc_mcontext.pc. */
	uint32_t sigframe_pc_off;
	/* Stack pointer expected at the return address, from the sp at entry:
	 * entry sp + 8 on x86_64, entry sp on aarch64. */
	uint64_t (*sp_after_return)(uint64_t entry_sp);
	/* The return address sits in memory at the entry sp (x86_64 `call`)
	 * and stays there while the frame lives, so a changed word there
	 * proves the frame dead (its stack was reused after longjmp or an
	 * exception).  return_addr() then reads exactly that word. */
	bool ra_at_entry_sp;
	/* Optional (NULL on x86_64): where a function saves its return
	 * address, judged from its first instructions (code[0] at the entry):
	 * 0 with *off = that word's offset from the entry sp, -ENOENT when its
	 * prologue is not one the arch knows.  While the frame lives the word
	 * holds the return address (aarch64: the x29/x30 frame record). */
	int (*lr_slot)(const uint8_t *code, size_t len, int32_t *off);
	/* The bits of a saved code address that hold the address; the rest may
	 * hold a pointer-authentication code (aarch64: user addresses fit in
	 * 48 bits).  All ones on x86_64. */
	uint64_t code_addr_mask;

	/* Forget an interrupted system call so that moving the pc does not
	 * get undone by the kernel's syscall restart (gdb amd64_linux_write_pc):
	 * x86_64 orig_rax = -1. */
	void (*cancel_syscall_restart)(struct ct_regs *r);
	/* When non-zero, cancelling a syscall restart also needs this regset
	 * set to -1 (the ptrace layer does it): aarch64 keeps the syscall
	 * number the restart logic reads (regs->syscallno) outside NT_PRSTATUS,
	 * in NT_ARM_SYSTEM_CALL (0x404).  0 on x86_64. */
	unsigned syscall_nr_regset;

	/* One instruction.  analyze() classifies a decoded instruction at pc:
	 * returns 0 with plan->action set (REJECT with plan->why), or -ENOTSUP
	 * for what this arch cannot decode at all. */
	int (*analyze)(const cs_insn *insn, uint64_t pc, struct ct_insn_plan *plan);
	/* RELOCATE and STEP: emit the slot's code at cb->pc.  For RELOCATE the
	 * code ends by continuing at plan->pc + plan->len (or the branch target);
	 * for STEP it is the single instruction to step.  0, -ENOSPC, or -ERANGE
	 * when cb->pc is out of reach of a pc-relative operand. */
	int (*relocate)(const struct ct_insn_plan *plan, struct ct_codebuf *cb);
	/* Optional (NULL on x86_64); when non-NULL, callers use it instead of
	 * relocate().  The same, with read access to the tracee for plans that
	 * copy data into the slot: aarch64 ldr s/d/q (literal) loads from a
	 * copy of its literal placed in the slot, read here (relocate() gives
	 * -ENOTSUP for those).  0, -ENOSPC, -ERANGE, or -EFAULT. */
	int (*relocate_mem)(const struct ct_insn_plan *plan, struct ct_codebuf *cb,
			    const struct ct_mem *mem);
	/* EMULATE: apply the instruction's effect.  0 or -EFAULT. */
	int (*emulate)(const struct ct_insn_plan *plan, struct ct_regs *r, const struct ct_mem *mem);
	/* STEP: after single-stepping the copy placed at `slot`, turn the
	 * resulting state into the one the original would have produced. */
	int (*step_fixup)(const struct ct_insn_plan *plan, uint64_t slot, struct ct_regs *r,
			  const struct ct_mem *mem);
	/* An unconditional jump from cb->pc to `to`, any distance (aarch64:
	 * a direct b only, -ERANGE beyond +-128 MiB; see its relocate.c). */
	int (*emit_jump)(struct ct_codebuf *cb, uint64_t to);
	/* Where the parameters (params[sig->nr_params]) and the return value
	 * of a function of signature sig are, by the ISA's Linux calling
	 * convention (SysV AMD64 psABI | AAPCS64).  0, or -ENOTSUP when a type
	 * cannot be placed with certainty (nothing can be trusted then). */
	int (*abi_locate)(const struct ct_sig *sig, struct ct_vloc *params, struct ct_vloc *ret);
	/* The vector registers, as PTRACE_GETREGSET NT_PRFPREG gives them:
	 * its size, and where register 0 is (each takes 16 bytes); the same
	 * for the x87 stack registers st(0).. (nr_x87 is 0 without them). */
	size_t fpregs_size;
	size_t vreg_offset;
	unsigned nr_vregs;
	size_t x87_offset;
	unsigned nr_x87;
	/* Optional (NULL on x86_64): whether a breakpoint may go at `site`,
	 * judged from the instructions before it in [code_addr, code_addr +
	 * len), the bytes of the function holding it (code[0] is at
	 * code_addr).  0; -ENOTSUP with *why set when it may not (aarch64:
	 * "inside an exclusive load/store sequence"); -EINVAL when site is
	 * not an instruction boundary within (or at the end of) the range.
	 * Pure: the caller reads the bytes. */
	int (*check_site)(const uint8_t *code, size_t len, uint64_t code_addr, uint64_t site,
			  const char **why);
	/* Optional (NULL on aarch64 for now): the fast path's patch plan of
	 * the function [addr, addr + len), whose bytes are code[0..len) (the
	 * whole symbol, st_size of them; len 0 when unknown).  Fills *site
	 * (after the caller set site->exits and exits_cap): the entry verdict
	 * and the displaced instructions, and every exit with its own
	 * verdict.  0 (the verdicts are in *site), or -ENOMEM.  Pure; the
	 * caller must still check that no other symbol starts inside the
	 * displaced bytes (an alias entered from elsewhere). */
	int (*patch_site)(const uint8_t *code, size_t len, uint64_t addr,
			  struct ct_patch_site *site);

	/* Optional (NULL on aarch64 for now): the fast path's trampolines,
	 * emitted at cb->pc (their address in the tracee, within
	 * rel32/branch reach of the function) for a site patch_site() judged,
	 * whose bytes are code[0..site->size).  Each keeps every register,
	 * flag and the red zone, writes one record into the thread's ring by
	 * ring.h's protocol (no system call; waits only on a full ring while
	 * calltrap is alive), then goes on as the function would.
	 * tramp_entry: a CALL record (pc = the return address, sp = the sp
	 * at entry, a[] = the argument registers), then the displaced
	 * instructions relocated, then back to addr + patch_off +
	 * displaced_len; an exit among them records its RETURN there.
	 * tramp_exit: exit exit_index (why CT_PATCH_OK): the instructions its
	 * jump displaces before it, then a RETURN record (pc = the exit's
	 * address, sp = the sp at it, a[0..1] = the return registers), then
	 * the exit itself (a ret as it was: no return address is rewritten;
	 * a tail jump to its target; a conditional one records only when
	 * taken).  0; -EINVAL for a refused site or exit, -ENOTSUP for one
	 * that cannot be emitted (an indirect jump), -ERANGE when a relocated
	 * pc-relative operand is out of reach of cb->pc, -ENOSPC. */
	int (*tramp_entry)(const struct ct_patch_site *site, const uint8_t *code,
			   const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb);
	int (*tramp_exit)(const struct ct_patch_site *site, size_t exit_index,
			  const uint8_t *code, const struct ct_tramp_ctx *ctx,
			  struct ct_codebuf *cb);
	/* The bytes that replace [at, at + len) of a patched function: a jump
	 * to `to` and int3 over the rest.  0, -EINVAL (len too short for the
	 * jump) or -ERANGE (beyond a direct jump's reach). */
	int (*patch_jump)(uint64_t at, uint64_t to, size_t len, uint8_t *out);
	/* An upper bound of one trampoline's bytes, for the allocator. */
	size_t tramp_max_size;

	/* Remote system calls and function calls. */
	const uint8_t *syscall_insn; /* syscall | svc #0 */
	uint8_t syscall_len;
	void (*set_syscall)(struct ct_regs *r, long nr, const uint64_t args[6]);
	long (*syscall_ret)(const struct ct_regs *r);
	int nr_mmap, nr_munmap, nr_mprotect; /* syscall numbers of this ISA */
	int nr_memfd_create, nr_close;
	/* seccomp_data.arch of its system calls (AUDIT_ARCH_*).  Its
	 * seccomp_data.instruction_pointer is the address after syscall_insn
	 * (x86_64 rip after `syscall`, aarch64 ELR after `svc`). */
	uint32_t audit_arch;
	/* Prepare r so that resuming it calls fn(args...) and returns to
	 * ret_addr (where the caller keeps a breakpoint).  May write to the
	 * stack below the red zone through mem.  0 or -EFAULT. */
	int (*setup_call)(struct ct_regs *r, const struct ct_mem *mem, uint64_t fn,
			  uint64_t ret_addr, const uint64_t *args, unsigned nargs);
};

extern const struct ct_arch ct_arch_x86_64;
extern const struct ct_arch ct_arch_aarch64;

/* The table for the ISA this calltrap runs on. */
const struct ct_arch *ct_arch_host(void);
/* The table for an ELF e_machine, or NULL. */
const struct ct_arch *ct_arch_by_machine(uint16_t machine);

/* Code buffer helpers (src/arch/codebuf.c).  Values are stored little-endian. */
void ct_codebuf_init(struct ct_codebuf *cb, uint8_t *buf, size_t cap, uint64_t pc);
static inline uint64_t ct_codebuf_here(const struct ct_codebuf *cb)
{
	return cb->pc + cb->len;
}
int ct_codebuf_put(struct ct_codebuf *cb, const void *bytes, size_t n); /* 0 or -ENOSPC */
int ct_codebuf_put_u8(struct ct_codebuf *cb, uint8_t v);
int ct_codebuf_put_u32(struct ct_codebuf *cb, uint32_t v);
int ct_codebuf_put_u64(struct ct_codebuf *cb, uint64_t v);

#define CT_UNUSED __attribute__((unused))

#endif
