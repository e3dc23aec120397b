/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `calltrap stacks`: one consistent snapshot of every thread of a process.
 *
 * The world is stopped once (every thread seized and interrupted, passes
 * over /proc/PID/task repeated until no thread is missing, see stop.c),
 * then for each thread we read its registers, the system call it is in and
 * the futex it waits on, and unwind its stack (libdwfl from CFI, with the
 * arch backends' frame-pointer fallback; unwind.c).  Then every thread is
 * detached with the signal it was stopped with, which leaves the process
 * as it was: running threads run, a group-stop stays in force, interrupted
 * system calls restart.  Symbols, source lines and the deadlock analysis
 * come after the detach, from the snapshot alone, so the process is stopped
 * only for as long as reading it takes.
 *
 * docs/stacks.md documents the JSON form.
 */
#ifndef CT_STACKS_H
#define CT_STACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "arch/arch.h"
#include "symtab/symtab.h"
#include "stacks/symbolize.h"

enum ct_frame_how {
	CT_FRAME_REGS, /* frame 0: the registers of the stopped thread */
	CT_FRAME_CFI,  /* unwound with call frame information */
	CT_FRAME_FP,   /* unwound by the frame-pointer fallback (no CFI there) */
};

struct ct_frame {
	uint64_t pc;
	/* pc is where the thread is (frame 0, or a frame interrupted by a
	 * signal) rather than a return address: symbolize pc, not pc - 1 */
	bool activation;
	enum ct_frame_how how;
	struct ct_symloc loc; /* filled after the detach; strings owned by the symbolizer */
};
/* A frame whose code was inlined into its caller (loc.inlined) is listed
 * before that caller's frame, with the same pc, how and activation: as gdb
 * and `eu-stack -i` list them. */

/* A data address named by the symbol it is in: "accounts" + off.  name
 * NULL when it is in none (owned by the symbolizer). */
struct ct_addr_name {
	const char *name;
	uint64_t off;
};

enum ct_sys_state {
	CT_SYS_NONE,        /* not in a system call */
	CT_SYS_BLOCKED,     /* waiting in it; it restarts when the thread resumes */
	CT_SYS_INTERRUPTED, /* it returned -EINTR (calls that never restart: epoll_wait...) */
	CT_SYS_RETURNED,    /* it has returned, ret holds the value */
};

struct ct_syscall {
	enum ct_sys_state state;
	long nr;
	const char *name;  /* NULL when the arch's table has no name for nr */
	uint64_t args[6];
	bool arg0_lost;    /* aarch64 after the return: x0 holds the result */
	/* the thread is in restart_syscall, resuming the call named here
	 * (found from the libc wrapper it is in; its registers still hold the
	 * original arguments) */
	bool restarted;
	int64_t ret;
	int fd;            /* the fd argument of read, write, poll of one fd...; -1 */
	char fd_target[128]; /* readlink /proc/PID/fd/N: "pipe:[123]", a path... */
	char text[384];    /* strace-like: read(3<pipe:[123]>, 0x7f..., 64) */
	/* the addresses written in text, where each ends: once the process
	 * is let go, those in a data symbol get "<name+off>" there */
	struct {
		uint16_t end;
		uint64_t addr;
	} addrs[8];
	unsigned nr_addrs;
};

enum ct_wait_kind {
	CT_WAIT_NONE,
	CT_WAIT_MUTEX, /* a glibc pthread mutex, with its owner */
	CT_WAIT_FUTEX, /* another futex (condition variable, semaphore...) */
};

struct ct_wait {
	enum ct_wait_kind kind;
	uint64_t addr;   /* the futex word (for a mutex: the mutex) */
	struct ct_addr_name addr_name; /* the data symbol it is in */
	pid_t owner;     /* mutex owner tid; 0 unknown */
	bool owner_gone; /* the owner is not a thread of the process (exited) */
};

struct ct_stack_thread {
	pid_t tid;
	char name[32];     /* comm */
	char state;        /* /proc state before we stopped it: R S D T t Z ... */
	char wchan[64];    /* kernel function it sleeps in, "" if unknown */
	bool stopped;      /* consistent stop: regs, syscall and frames are valid */
	bool exited;       /* gone during the snapshot */
	bool zombie;       /* had exited already (state Z): nothing to show */
	bool group_stopped; /* in a group-stop (SIGSTOP...) */
	bool timed_out;    /* did not stop in time (uninterruptible sleep) */
	bool traced;       /* stop.c: seized by us and not detached yet */
	int pending_sig;   /* caught at our stop, handed back at the detach */
	struct ct_regs regs;
	struct ct_syscall sys;
	struct ct_wait wait;
	struct ct_frame *frames;
	unsigned nr_frames;
	char unwind_end[96]; /* why the unwinder stopped, "" at a clean end */
	int wait_frame;    /* index of the first frame outside libc, -1 */
};

/* A cycle of mutex waits: tids[i] waits for a mutex tids[i + 1] holds,
 * and the last for one the first holds. */
struct ct_deadlock {
	pid_t *tids;
	unsigned n;
};

struct ct_snapshot {
	pid_t pid;
	char name[32];
	char exe[256];
	const struct ct_arch *arch;
	struct ct_stack_thread *threads; /* leader first, then by tid */
	unsigned nr_threads;
	struct ct_deadlock *deadlocks;
	unsigned nr_deadlocks;
	uint64_t stopped_ns; /* how long the process was stopped */
	struct ct_symbolizer *sym;
	struct ct_labels *labels; /* --demangle=short: the frames' functions */
};

struct ct_stacks_opts {
	pid_t pid;
	unsigned max_frames;      /* 0: 256 */
	unsigned stop_timeout_ms; /* wait for each thread to stop; 0: 2000 */
	enum ct_demangle demangle; /* how C++ functions are named */
	/* The caller traces pid and holds these of its threads in ptrace-stops
	 * (the REPL's `bt`): they are read as they are, neither seized nor
	 * detached; other threads of pid are left out. */
	const pid_t *stopped_tids;
	unsigned nr_stopped;
	/* With stopped_tids: the pc to unwind from for a thread stopped at pc
	 * (a tracer's out-of-line copy stands for the original instruction).
	 * 0 with *out set, or negative to keep pc. */
	int (*map_pc)(void *ctx, pid_t tid, uint64_t pc, uint64_t *out);
	void *map_ctx;
};

/* Take the snapshot.  0 with *out set, or -errno with a one-line reason in
 * err (without "calltrap: "): -ESRCH no such process or it exited, -EPERM
 * not permitted or already traced, -ECHILD a zombie. */
int ct_stacks_take(const struct ct_stacks_opts *o, struct ct_snapshot **out, char *err,
		   size_t errlen);
void ct_snapshot_free(struct ct_snapshot *snap);

/* The thread with that tid, or NULL. */
const struct ct_stack_thread *ct_snapshot_thread(const struct ct_snapshot *snap, pid_t tid);

/* Output (print.c).  only_tid > 0: that thread alone (and the deadlocks it
 * is part of).  Return 0 or -EIO. */
int ct_stacks_print_text(FILE *fp, const struct ct_snapshot *snap, pid_t only_tid);
int ct_stacks_print_json(FILE *fp, const struct ct_snapshot *snap, pid_t only_tid);

#endif
