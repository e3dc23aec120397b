/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guardian: a small process that outlives calltrap to put back the
 * bytes calltrap patched into the processes it attached to, when calltrap
 * dies without detaching (SIGKILL, the OOM killer, a crash).
 *
 * Without it, such a death leaves every breakpoint in place: the kernel
 * detaches the tracees, and the next traced call of any thread traps with
 * nobody to handle the SIGTRAP, which kills the process.
 *
 * How it works (see guardian.c for the process, guardtab.c for the table):
 * - calltrap keeps a table of its patches (address space, address, original
 *   bytes) in an anonymous MAP_SHARED mapping that the guardian inherits.
 *   An entry is written while marked free and made live by one release
 *   store; it is freed again only after its bytes are back.  calltrap may
 *   die between any two instructions: the guardian then sees each entry
 *   either complete or free.
 * - Each address space is handed to the guardian as calltrap's own open
 *   /proc/PID/mem (SCM_RIGHTS over a socket).  That file is bound to the
 *   address space it was opened on, not to the pid: after an exec, an exit
 *   or a pid reuse, writes through it reach nothing, never another program.
 *   It also spares the guardian a ptrace permission check of its own (the
 *   open did it, as calltrap).
 * - The guardian notices calltrap's death first by a robust mutex in the
 *   shared mapping that calltrap holds: the kernel releases a dying
 *   thread's robust futexes (and wakes their waiters) at the start of
 *   exit_mm, before it tears down the address space, which takes
 *   milliseconds per ten megabytes of calltrap's memory.  Files are closed
 *   after that, and the tracees detached after that (exit_notify), which is
 *   also when a pidfd or SIGCHLD would tell; so the end of the socket is
 *   only the fallback.  Neither needs a pid, which might be reused.
 * - A clean end sets stand_down, then releases the mutex and closes the
 *   socket: the guardian exits without writing, and calltrap waits until
 *   it is gone.
 * - Scratch areas are left mapped: threads in a slot run its jump back, and
 *   a mapping nothing points to is harmless.  Nobody but a tracer could
 *   unmap them anyway.
 */
#ifndef CT_GUARDIAN_H
#define CT_GUARDIAN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ptrace/ptrace.h"

/* ---- the shared table (guardtab.c) ---- */

#define CT_GUARD_MAX_LEN 8 /* bytes of one patch */
/* Entries of the table: more than the sites of any session we have seen
 * (tens of thousands per process, once more per followed fork); 32 MiB of
 * address space, of which only the pages ever used cost memory.  When it
 * is full, breakpoints are still placed, unguarded, and calltrap warns
 * once. */
#define CT_GUARD_CAPACITY (1u << 20)

enum { CT_GUARD_FREE = 0, CT_GUARD_LIVE = 1 };

struct ct_guard_entry {
	_Atomic uint32_t state; /* CT_GUARD_FREE/LIVE, the last field written */
	uint32_t mm;            /* the address space (ct_guard_add_mm) */
	uint64_t addr;
	uint8_t len;
	uint8_t orig[CT_GUARD_MAX_LEN];
};

struct ct_guard_shared {
	_Atomic uint32_t stand_down; /* calltrap ended cleanly: write nothing */
	_Atomic uint32_t used;       /* entries [0, used) may be live */
	uint32_t cap;
	uint32_t reserved;
	/* Robust and process-shared, held by calltrap while the guardian
	 * lives (guardian.c): its death wakes the guardian. */
	pthread_mutex_t alive;
	struct ct_guard_entry e[];
};

/* calltrap's side: the mapping and which entries it may reuse. */
struct ct_guardtab {
	struct ct_guard_shared *sh;
	size_t map_len;
	uint32_t *free; /* indices of entries freed by ct_guardtab_forget */
	size_t nr_free, cap_free;
};

int ct_guardtab_init(struct ct_guardtab *t, uint32_t cap);
void ct_guardtab_fini(struct ct_guardtab *t);
/* Publish a patch: a handle for ct_guardtab_forget (never 0), or 0 when
 * the table is full or len is 0 or above CT_GUARD_MAX_LEN. */
uint32_t ct_guardtab_note(struct ct_guardtab *t, uint32_t mm, uint64_t addr, const void *orig,
			  size_t len);
/* Retract it (0 is ignored). */
void ct_guardtab_forget(struct ct_guardtab *t, uint32_t handle);
/* The guardian's side: call fn on a copy of every live entry, in index
 * order; returns how many. */
size_t ct_guardtab_scan(const struct ct_guard_shared *sh,
			void (*fn)(void *ctx, const struct ct_guard_entry *e), void *ctx);

/* ---- the guardian process (guardian.c) ---- */

struct ct_guard;

/* Start a guardian: 0 and *out, or -errno.  It is not our child (it must
 * not show up in a waitpid(-1), nor keep one from failing with ECHILD),
 * sits in a session of its own (a terminal's ^C or a kill of calltrap's
 * process group does not reach it), keeps only stderr of our files, and
 * is called "calltrap-guard". */
int ct_guard_start(struct ct_guard **out);
/* Clean end: the guardian exits without writing anything; returns once it
 * has closed its end (or after a second).  NULL is fine. */
void ct_guard_stop(struct ct_guard *g);
pid_t ct_guard_pid(const struct ct_guard *g);

/* Hand the address space of mem to the guardian: *mm names it in
 * ct_guard_note.  0, or -errno (-EPIPE: the guardian is gone). */
int ct_guard_add_mm(struct ct_guard *g, const struct ct_pmem *mem, uint32_t *mm);
/* Its entries are all forgotten: the guardian closes its file. */
void ct_guard_drop_mm(struct ct_guard *g, uint32_t mm);
/* Call before writing a patch over [addr, addr + len) of mm, whose bytes
 * are orig now, and keep the handle; ct_guard_forget it once orig is back.
 * 0 (no handle) when g is NULL or the table is full (warned once). */
uint32_t ct_guard_note(struct ct_guard *g, uint32_t mm, uint64_t addr, const void *orig,
		       size_t len);
void ct_guard_forget(struct ct_guard *g, uint32_t handle);

#endif
