/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who holds the lock a thread waits for.  A thread blocked in
 * pthread_mutex_lock() sleeps in futex(FUTEX_WAIT, &mutex->__data.__lock,
 * 2): the futex word is the mutex itself, and glibc keeps the owner's tid
 * in __data.__owner, a few bytes further (offsets per ISA in sysarch.c).
 * A futex word that is not a mutex (a condition variable's __g_signals, a
 * semaphore, pthread_join's tid word) has no owner there; we call it a
 * mutex only when the bytes read as one: lock word 1 or 2 (or, robust, the
 * owner's tid), a known __kind, an owner that could be a tid.  PI mutexes
 * (FUTEX_LOCK_PI) carry the owner in the futex word itself.
 *
 * The wait-for graph has at most one edge out of each thread (it waits for
 * one mutex, which has one owner), so a cycle is found by following edges
 * from each thread until one repeats.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stacks/internal.h"

#define FUTEX_TID_MASK 0x3fffffffu
/* glibc mutex __kind bits: type (0..3), robust 16, PI 32, PP 64, pshared
 * 128, elision 256/512 (sysdeps/nptl/pthreadP.h) */
#define MUTEX_KIND_KNOWN (3u | 16u | 32u | 64u | 128u | 256u | 512u)
#define MUTEX_KIND_ROBUST 16u
#define PID_MAX_LIMIT 4194304 /* the kernel's PID_MAX_LIMIT on 64-bit */

bool ct_is_libc_module(const char *m)
{
	if (!m)
		return false;
	return !strncmp(m, "libc.so", 7) || !strncmp(m, "libc-", 5) ||
	       !strncmp(m, "libpthread", 10) || !strncmp(m, "ld-linux", 8) ||
	       !strncmp(m, "ld64.so", 7);
}

static bool thread_of(const struct ct_snapshot *snap, pid_t tid)
{
	return ct_snapshot_thread(snap, tid) != NULL;
}

void ct_locks_classify(const struct ct_stacks_arch *sa, struct ct_snapshot *snap,
		       struct ct_stack_thread *t, struct ct_memcache *mc)
{
	const struct ct_syscall *sys = &t->sys;
	uint64_t uaddr = sys->args[0];
	unsigned cmd = (unsigned)(sys->args[1] & 0x7f);
	int32_t lock, owner, kind;
	uint32_t word;

	memset(&t->wait, 0, sizeof(t->wait));
	if (sys->state != CT_SYS_BLOCKED || !sys->name || strcmp(sys->name, "futex") != 0)
		return;
	if (cmd == 6 || cmd == 13 || cmd == 11) {
		/* LOCK_PI, LOCK_PI2, WAIT_REQUEUE_PI: the word is the owner */
		t->wait.kind = CT_WAIT_MUTEX;
		t->wait.addr = uaddr;
		if (ct_memcache_read(mc, uaddr, &word, sizeof(word)) == 0)
			t->wait.owner = (pid_t)(word & FUTEX_TID_MASK);
		t->wait.owner_gone = t->wait.owner && !thread_of(snap, t->wait.owner);
		if (cmd == 11) { /* waits on a condvar, then takes uaddr2 */
			t->wait.kind = CT_WAIT_FUTEX;
			t->wait.owner = 0;
		}
		return;
	}
	if (cmd != 0 && cmd != 9) /* FUTEX_WAIT, FUTEX_WAIT_BITSET */
		return;
	t->wait.kind = CT_WAIT_FUTEX;
	t->wait.addr = uaddr;
	if (ct_memcache_read(mc, uaddr, &lock, sizeof(lock)) < 0 ||
	    ct_memcache_read(mc, uaddr + sa->mutex_owner_off, &owner, sizeof(owner)) < 0 ||
	    ct_memcache_read(mc, uaddr + sa->mutex_kind_off, &kind, sizeof(kind)) < 0)
		return;
	if ((uint32_t)kind & ~MUTEX_KIND_KNOWN)
		return;
	if ((uint32_t)kind & MUTEX_KIND_ROBUST) {
		/* robust mutexes keep the owner in the lock word too */
		if ((pid_t)((uint32_t)lock & FUTEX_TID_MASK) != owner)
			return;
	} else if (lock != 1 && lock != 2) {
		return;
	}
	if (owner <= 0 || owner >= PID_MAX_LIMIT)
		return;
	t->wait.kind = CT_WAIT_MUTEX;
	t->wait.owner = owner;
	t->wait.owner_gone = !thread_of(snap, owner);
}

static struct ct_stack_thread *waits_for(struct ct_snapshot *snap, struct ct_stack_thread *t)
{
	if (t->wait.kind != CT_WAIT_MUTEX || !t->wait.owner || t->wait.owner == t->tid)
		return NULL;
	return (struct ct_stack_thread *)ct_snapshot_thread(snap, t->wait.owner);
}

int ct_locks_find_cycles(struct ct_snapshot *snap)
{
	unsigned n = snap->nr_threads, i, j;
	/* 0 unvisited, 1 on the current path, 2 done */
	unsigned char *mark = calloc(n ? n : 1, 1);

	if (!mark)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ct_stack_thread *t = &snap->threads[i], *u;

		if (mark[i])
			continue;
		for (u = t; u && !mark[u - snap->threads]; u = waits_for(snap, u))
			mark[u - snap->threads] = 1;
		if (u && mark[u - snap->threads] == 1) {
			/* a new cycle, starting at u */
			struct ct_stack_thread *v = u;
			struct ct_deadlock *dl, *grown;
			unsigned len = 0;

			do {
				len++;
				v = waits_for(snap, v);
			} while (v != u);
			grown = realloc(snap->deadlocks,
					(snap->nr_deadlocks + 1) * sizeof(*snap->deadlocks));
			if (!grown)
				goto nomem;
			snap->deadlocks = grown;
			dl = &snap->deadlocks[snap->nr_deadlocks];
			dl->tids = malloc(len * sizeof(*dl->tids));
			if (!dl->tids)
				goto nomem;
			dl->n = len;
			snap->nr_deadlocks++;
			for (j = 0, v = u; j < len; j++, v = waits_for(snap, v))
				dl->tids[j] = v->tid;
		}
		for (u = t; u && mark[u - snap->threads] == 1; u = waits_for(snap, u))
			mark[u - snap->threads] = 2;
	}
	free(mark);
	return 0;
nomem:
	free(mark);
	return -ENOMEM;
}
