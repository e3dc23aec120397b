/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Breakpoint sites of one address space, the scratch areas holding their
 * out-of-line slots, and per-thread shadow stacks.
 *
 * A site is an int3/brk written over the first byte(s) of an instruction.
 * The displaced instruction is prepared once, when the site is created:
 * emulated by the tracer, or relocated into a slot of a scratch area mapped
 * near the code (followed by a jump back), or, as a last resort, stepped in
 * its slot.  Sites stay inserted for the whole session, so a hit costs one
 * ptrace stop and no thread ever runs over a missing breakpoint (non-stop).
 */
#ifndef CT_BREAKPOINTS_H
#define CT_BREAKPOINTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"
#include "disasm/disasm.h"
#include "ptrace/guardian.h"
#include "ptrace/ptrace.h"
#include "util/hashmap.h"

enum ct_site_kind {
	CT_SITE_ENTRY = 0x1,  /* first instruction of a traced function */
	CT_SITE_RETURN = 0x2, /* a return address of a traced call */
	CT_SITE_RBRK = 0x4,   /* the dynamic linker's r_brk (library list changed) */
	CT_SITE_START = 0x8,  /* the program's entry point (start-up finished) */
	CT_SITE_RESOLVER = 0x10, /* an IFUNC resolver, for when the program runs it */
	/* a non-local exit begins (longjmp, an exception raised): frames may
	 * be abandoned without returning (session/nonlocal.c) */
	CT_SITE_NONLOCAL = 0x20,
	CT_SITE_LANDED = 0x40, /* a non-local exit landed (a catch begins) */
	/* an exit (ret) of a function on the fast path where no jump fits:
	 * its return is seen by this stop (session/fast.c) */
	CT_SITE_EXIT = 0x80,
};

struct ct_modrt;

/* A traced function. */
struct ct_func {
	const char *name;
	/* the symbol behind a demangled name (ct_event.sym), else NULL */
	const char *sym;
	const char *module; /* module file name */
	struct ct_modrt *owner; /* the session's: the module that holds it */
	uint64_t addr;
	uint64_t size;        /* from the symbol; 0 if unknown */
	uint64_t hits;
	/* arch->lr_slot() of its first instructions, found when its entry
	 * breakpoint is placed */
	int32_t lr_slot_off;
	bool has_lr_slot;
	/* the session's: chosen by its patterns; its entry site was refused
	 * (an instruction we cannot displace, warned about once) */
	bool selected;
	bool refused;
	/* the session's: its DWARF signature, looked up at its first call */
	struct ct_typed *typed;
	bool typed_done;
	/* the session's: the name events show (ct_event.label), once known */
	const char *label;
	/* the session's: traced through the fast path's trampolines, not an
	 * entry breakpoint */
	bool fast;
};

struct ct_site {
	uint64_t addr;
	unsigned kinds;
	struct ct_func *func; /* CT_SITE_ENTRY */
	struct ct_insn_plan plan;
	uint64_t slot;        /* out-of-line copy, 0 when emulated */
	uint8_t orig[4];      /* bytes under the breakpoint */
	uint32_t guard;       /* its entry in the guardian's table while inserted, or 0 */
	bool inserted;
	uint64_t hits;
};

/* A fast path's jump over whole instructions (patch.c). */
#define CT_PATCH_MAX_LEN 8
struct ct_patch {
	uint64_t addr;
	struct ct_func *func; /* whose entry or exit it is */
	uint8_t orig[CT_PATCH_MAX_LEN];
	uint8_t len;
};

struct ct_scratch {
	uint64_t addr;
	uint64_t len;
	uint64_t used; /* bump allocator; the first slot holds `syscall; trap` */
};

/* Where the tracer may run an injected system call to map a scratch area. */
struct ct_injector {
	pid_t tid;                  /* a thread stopped by us */
	const struct ct_regs *regs; /* its registers */
	bool world_stopped;         /* every thread of the mm is stopped */
};

/* Finds a free range of `len` bytes inside [lo, hi) of the address space,
 * nearest to `near`; 0 when there is none (the session reads the maps). */
typedef uint64_t (*ct_gap_fn)(void *ctx, uint64_t near, uint64_t lo, uint64_t hi, uint64_t len);

struct ct_bpset {
	const struct ct_arch *arch;
	struct ct_disasm *dis;
	struct ct_pmem *mem;
	struct ct_hashmap sites;  /* addr -> struct ct_site */
	struct ct_hashmap slots;  /* slot addr -> struct ct_site */
	struct ct_hashmap patches; /* addr -> struct ct_patch */
	struct ct_scratch *areas;
	size_t nr_areas;
	ct_gap_fn find_gap;
	void *gap_ctx;
	/* The guardian told about every breakpoint while it is inserted
	 * (ct_bpset_guard), and this address space's name there. */
	struct ct_guard *guard;
	uint32_t guard_mm;
};

int ct_bpset_init(struct ct_bpset *bs, const struct ct_arch *arch, struct ct_pmem *mem,
		  ct_gap_fn find_gap, void *gap_ctx);
/* Frees the tables; does not touch the tracee (see ct_bpset_remove_all)
 * and retracts whatever the guardian still holds of it. */
void ct_bpset_fini(struct ct_bpset *bs);
/* A deep copy for a forked child whose memory is a copy of ours: same
 * sites, same slot addresses, its own memory handle, no guardian. */
int ct_bpset_clone(struct ct_bpset *dst, const struct ct_bpset *src, struct ct_pmem *mem);
/* From now on the guardian g restores the original bytes of every inserted
 * breakpoint if calltrap dies: the address space is handed to it and the
 * breakpoints inserted already are published.  0 or -errno (then no
 * guardian for this address space). */
int ct_bpset_guard(struct ct_bpset *bs, struct ct_guard *g);
/* Forget the sites in [lo, hi) without touching the memory, which no
 * longer holds their code (a module unmapped by dlclose).  0 or -ENOMEM. */
int ct_bpset_forget(struct ct_bpset *bs, uint64_t lo, uint64_t hi);

static inline struct ct_site *ct_site_at(const struct ct_bpset *bs, uint64_t addr)
{
	return ct_hashmap_get(&bs->sites, addr);
}

/*
 * Make `addr` a site of kind `kind` (adding the kind when the site exists,
 * and inserting it again when it was retired by ct_site_remove).
 * [lo, hi) is the code/data range that the relocated instruction may refer
 * to (its module), which the slot must be within reach of.  -ENOTSUP when
 * the instruction can be neither relocated nor emulated (*why says what it
 * is), -ERANGE when no scratch area can be placed within reach, -EFAULT,
 * -ESRCH.
 */
int ct_site_add(struct ct_bpset *bs, uint64_t addr, unsigned kind, struct ct_func *func,
		uint64_t lo, uint64_t hi, const struct ct_injector *inj, const char **why);

/*
 * Take `kind` off the site at addr (CT_SITE_ENTRY: its func too).  When no
 * kind is left, the original bytes go back and the site is retired, not
 * freed: a thread may still be running its out-of-line copy (or be about
 * to single-step it), and ct_bpset_translate_pc must still know the slot.
 * ct_site_add inserts a retired site again.  The caller makes sure no
 * thread has a reported but unhandled trap on it (the world is stopped and
 * pending traps were taken).  0, -ENOENT (no such site), -EFAULT, -ESRCH.
 */
int ct_site_remove(struct ct_bpset *bs, uint64_t addr, unsigned kind);

/* Registers stopped on site's breakpoint (pc anywhere), moved past it as
 * if its original instruction ran next: emulated (memory through the
 * set's), or pc at its out-of-line copy, which a STEP plan still has to
 * single-step.  0, or -errno from the emulation. */
int ct_site_displace(const struct ct_bpset *bs, const struct ct_site *site, struct ct_regs *regs);

/* Call fn(args) in inj's thread, returning into the trap of the first
 * scratch area; *ret is its return value, and the thread is put back as
 * it was (ct_remote_run).  When one of our breakpoints is on fn's first
 * instruction, the call starts past it (ct_site_displace), so a function
 * we watch can be called too.  0, -EAGAIN (no scratch area yet), -ENOTSUP
 * (that first instruction must be single-stepped), -EFAULT (fn faulted
 * or stopped anywhere else), -ESRCH. */
int ct_bpset_call(const struct ct_bpset *bs, const struct ct_injector *inj, uint64_t fn,
		  const uint64_t *args, unsigned nargs, uint64_t *ret);

/* Read code as it is without our breakpoints. 0 or -EFAULT. */
int ct_bpset_read_orig(const struct ct_bpset *bs, uint64_t addr, uint8_t *buf, size_t len);

/* Map a first scratch area near [lo, hi) now, while the world is stopped
 * (inj->world_stopped): later areas are mapped through its own syscall
 * slot, with the other threads running.  0 when one exists already. */
int ct_bpset_reserve(struct ct_bpset *bs, uint64_t lo, uint64_t hi, const struct ct_injector *inj);

/* `len` bytes of calltrap's own code (a fast-path trampoline, or data such
 * as a string an injected system call reads) within reach of [lo, hi),
 * from the scratch areas, mapping a new one (through inj) when none has
 * room; never freed, like the slots.  The block is read+exec in the
 * tracee; write it with ct_pmem_write.  *addr is slot-aligned.  0,
 * -EINVAL (len 0 or more than an area holds), -ERANGE (no room within
 * reach), or an error of the injected mmap. */
int ct_bpset_code_alloc(struct ct_bpset *bs, uint64_t lo, uint64_t hi, uint64_t len,
			const struct ct_injector *inj, uint64_t *addr);
/* Where inj's thread may run an injected system call: the `syscall; trap`
 * of the first scratch area (*write_code false), else, only while the
 * world is stopped, code borrowed near its pc (*write_code true: the
 * pair must be written there and taken away again, as ct_remote_syscall
 * does).  0, -EAGAIN (no area and the world runs), -EFAULT. */
int ct_bpset_syscall_site(const struct ct_bpset *bs, const struct ct_injector *inj,
			  uint64_t *code, bool *write_code);

/* Write back every original byte (the world must be stopped). */
int ct_bpset_remove_all(struct ct_bpset *bs);
/* Unmap every scratch area through injected munmap calls from `inj`'s
 * thread, whose pc must not be inside an area. */
int ct_bpset_unmap_areas(struct ct_bpset *bs, const struct ct_injector *inj);

/* ---- the fast path's patches (patch.c) ---- */
/* Write `bytes` (a jump) over [addr, addr + len), keeping the original
 * bytes.  Every thread of the address space must be stopped, none with its
 * pc inside.  0, -EBUSY (a breakpoint or a patch is there), -EINVAL,
 * -ENOMEM, -EFAULT, -ESRCH. */
int ct_patch_insert(struct ct_bpset *bs, uint64_t addr, const uint8_t *bytes, size_t len,
		    struct ct_func *func);
/* Put the original bytes back (the same conditions).  0, -ENOENT, -errno. */
int ct_patch_remove(struct ct_bpset *bs, uint64_t addr);
int ct_patch_remove_all(struct ct_bpset *bs);
/* The patch whose bytes hold addr, or NULL. */
const struct ct_patch *ct_patch_covering(const struct ct_bpset *bs, uint64_t addr);
/* Replace the patched bytes of buf (read at addr) with the original ones. */
void ct_patch_overlay(const struct ct_bpset *bs, uint64_t addr, uint8_t *buf, size_t len);
/* For ct_bpset_clone and ct_bpset_forget. */
int ct_patch_clone(struct ct_bpset *dst, const struct ct_bpset *src);
int ct_patch_forget(struct ct_bpset *bs, uint64_t lo, uint64_t hi);
void ct_patch_fini(struct ct_bpset *bs);

/* For a pc inside a slot: where the slot's code goes on in the original
 * code (after the displaced instruction); 0 for any other pc. */
uint64_t ct_bpset_slot_resume(const struct ct_bpset *bs, uint64_t pc);
/* Is pc inside a scratch area? */
bool ct_bpset_in_scratch(const struct ct_bpset *bs, uint64_t pc);
/* For a thread stopped with its pc inside a slot: the equivalent pc in the
 * original code, or -EAGAIN when it is in the middle of a rewritten
 * sequence and must be stepped out first. */
int ct_bpset_translate_pc(const struct ct_bpset *bs, uint64_t pc, uint64_t *orig);

/* ---- shadow stacks ---- */
struct ct_frame {
	struct ct_func *func;
	uint64_t ret_addr;
	uint64_t entry_sp;
	uint64_t expected_sp; /* sp at the return address when it returns */
	uint64_t entry_ns;   /* CLOCK_MONOTONIC */
	uint64_t entry_ts;   /* its call event's ts_ns: durations are on that clock */
	/* a signal arrived while this was the top frame, perhaps before its
	 * prologue saved the return address: its slot proves nothing */
	bool slot_unsure;
	/* what the typed return value needs from the entry (ct_typed_entry_ref) */
	uint64_t ret_ref;
	/* entered by a tail call of the frame below it: the same return
	 * address and stack pointer, returning for both */
	bool tail;
	/* how many tail calls in a row made this frame (0: not a tail call) */
	uint32_t tail_run;
};

/* A run of tail calls longer than this at one stack pointer (a
 * tail-dispatch loop that never returns) ends the frame each new call
 * leaves as an unwind, so that the shadow stack stays bounded. */
#define CT_TAIL_RUN_MAX 1024

struct ct_shadow {
	struct ct_frame *v;
	size_t n, cap;
};

int ct_shadow_push(struct ct_shadow *s, const struct ct_frame *f);
void ct_shadow_fini(struct ct_shadow *s);
static inline struct ct_frame *ct_shadow_top(struct ct_shadow *s)
{
	return s->n ? &s->v[s->n - 1] : NULL;
}

#endif
