/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/stacks. */
#ifndef CT_STACKS_INTERNAL_H
#define CT_STACKS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ptrace/ptrace.h"
#include "stacks/stacks.h"

/* ---- memcache.c: reads of a stopped process, a page at a time ---- */

#define CT_MC_PAGE 4096u
#define CT_MC_SLOTS 64u

struct ct_mc_slot {
	uint64_t page; /* page address; valid when data is set */
	int err;       /* 0, or the -errno reading it gave */
	uint8_t *data;
};

struct ct_memcache {
	struct ct_pmem *mem;
	struct ct_mc_slot slot[CT_MC_SLOTS];
};

void ct_memcache_init(struct ct_memcache *mc, struct ct_pmem *mem);
void ct_memcache_fini(struct ct_memcache *mc);
/* 0 or -EFAULT (or -ENOMEM). */
int ct_memcache_read(struct ct_memcache *mc, uint64_t addr, void *buf, size_t len);

/* ---- sysarch.c: what `stacks` must know of each ISA ---- */

struct ct_stacks_arch {
	uint16_t machine;
	const char *const *sysnames;
	size_t nr_sysnames;
	/* registers in DWARF numbering 0..nr_dwarf-1 (NULL: none there) */
	const char *const *dwarf_regs;
	unsigned nr_dwarf;
	bool pc_separate; /* the pc is not among them: dwfl_thread_state_register_pc */
	/* The backend's frame-pointer unwinder takes its first step from the
	 * link register, which in a frame reached through CFI holds that
	 * frame's own return address: the frame shows twice (elfutils
	 * backends/aarch64_unwind.c).  The repeat is dropped. */
	bool fp_repeats_lr;
	/* What the thread stopped in: fills sys->state, nr, args, ret.  The
	 * register words are found by name in the arch's reg_desc. */
	void (*syscall_at_stop)(const struct ct_stacks_arch *sa, const struct ct_arch *arch,
				const struct ct_regs *r, struct ct_memcache *mc,
				struct ct_syscall *sys);
	/* glibc struct __pthread_mutex_s: byte offsets of __owner and __kind
	 * (tests/unit/test_stacks.c checks them against <pthread.h>) */
	unsigned mutex_owner_off, mutex_kind_off;
};

/* The table for an ELF machine, or NULL. */
const struct ct_stacks_arch *ct_stacks_arch_get(uint16_t machine);
/* The name of a system call, or NULL. */
const char *ct_sysname(const struct ct_stacks_arch *sa, long nr);
/* The number of the system call called name, or -1. */
long ct_sysnr_by_name(const struct ct_stacks_arch *sa, const char *name);
/* Index in struct ct_regs.w of the register arch calls name, or -1. */
int ct_reg_word(const struct ct_arch *arch, const char *name);
/* Registers read from words whose index cannot be found read as 0. */
uint64_t ct_reg_by_name(const struct ct_arch *arch, const struct ct_regs *r, const char *name);

/* ---- sysdecode.c: a system call's arguments as text ---- */

/* Fill sys->text (and sys->fd, sys->fd_target) for a thread of pid. */
void ct_sys_decode(struct ct_syscall *sys, pid_t pid, struct ct_memcache *mc);
/* After the detach: "<name+off>" after each address of sys->text that a
 * data symbol holds (ct_symbolizer_data); text too long is cut. */
void ct_sys_name_addrs(struct ct_syscall *sys, struct ct_symbolizer *sym);
/* Names of futex operations: "FUTEX_WAIT_PRIVATE", etc. into buf. */
void ct_futex_op_name(uint64_t op, char *buf, size_t len);

/* ---- locks.c: mutex owners and cycles of waiters ---- */

/* For a thread blocked in a futex wait: what it waits on (t->wait),
 * reading the futex and the mutex around it through mc. */
void ct_locks_classify(const struct ct_stacks_arch *sa, struct ct_snapshot *snap,
		       struct ct_stack_thread *t, struct ct_memcache *mc);
/* Find the cycles of mutex waiters (snap->deadlocks).  0 or -ENOMEM. */
int ct_locks_find_cycles(struct ct_snapshot *snap);
/* Is this module the C library or the dynamic linker, whose frames are not
 * where a program "waits"? */
bool ct_is_libc_module(const char *module);

/* ---- unwind.c ---- */

struct ct_unwinder;
/* Over the snapshot's symbolizer (its Dwfl) and stopped threads. */
struct ct_unwinder *ct_unwinder_new(struct ct_snapshot *snap, const struct ct_stacks_arch *sa,
				    struct ct_memcache *mc);
void ct_unwinder_free(struct ct_unwinder *u);
/* Fill t->frames (at most max), t->unwind_end.  0 or -ENOMEM. */
int ct_unwind_thread(struct ct_unwinder *u, struct ct_stack_thread *t, unsigned max);

/* ---- stop.c: stop every thread, let them go ---- */

struct ct_stopper {
	pid_t pid;
	struct ct_stack_thread *threads;
	unsigned nr, cap;
	unsigned timeout_ms;
	uint64_t t_stop_ns; /* when the first thread was seized */
	char *err;
	size_t errlen;
};

/* Seize and stop every thread of s->pid (s->threads filled, leader
 * first).  0, or -errno after setting s->err; on error nothing stays
 * attached. */
int ct_stop_world(struct ct_stopper *s);
/* Take tids, which the caller holds in ptrace-stops, as they are (their
 * name and state from /proc): nothing is seized, nothing will be detached.
 * 0 or -ENOMEM (s->err set). */
int ct_adopt_stopped(struct ct_stopper *s, const pid_t *tids, unsigned n);
/* Detach every thread we stopped, each with its pending signal. */
void ct_release_world(struct ct_stopper *s);

#endif
