/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One tracing session: the programs traced, their address spaces, threads,
 * breakpoints and the event sink. */
#ifndef CT_SESSION_H
#define CT_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "output/output.h"
#include "symtab/symtab.h"
#include "trace/event.h"

struct ct_session_opts {
	struct ct_patterns *patterns;
	unsigned max_depth;       /* 0: unlimited */
	bool regs;                /* snapshot registers into every event */
	bool follow_forks;
	struct ct_output *out;
	unsigned spin_us;         /* WNOHANG spin before blocking */
	const sigset_t *child_mask; /* signal mask for a spawned program */
};

struct ct_stats {
	uint64_t events[CT_EV_NR_TYPES];
	uint64_t stops_entry;     /* breakpoint stops that made a call event */
	uint64_t stops_return;    /* ... that made return events */
	uint64_t stops_step;      /* extra stops to single-step a copy */
	uint64_t stops_spurious;  /* hits that matched no frame or were silent */
	uint64_t stops_internal;  /* r_brk, entry point, injected calls */
	uint64_t stops_other;     /* signals, clone/fork/exec, group-stops */
};

struct ct_session;

/*
 * How the caller's signal handlers ask a running session to stop.  The
 * handler stores the signal (and whether a process sent it to calltrap
 * alone) and then does ptrace(PTRACE_INTERRUPT, wake_tid): the interrupt
 * stop wakes the tracer's blocking waitpid, so a signal that lands just
 * before the tracer blocks is never left unseen.  SIGALRM means the
 * --duration timer expired.
 */
struct ct_stop_request {
	volatile sig_atomic_t sig;
	volatile sig_atomic_t user_sent;
	volatile sig_atomic_t wake_tid; /* set by the session */
};

/* NULL with errno set. */
struct ct_session *ct_session_new(const struct ct_session_opts *opts);
void ct_session_free(struct ct_session *s);

/* Start argv and prepare its image.  0 or -errno; the error line is left
 * to the caller, with ct_session_error() as context. */
int ct_session_spawn(struct ct_session *s, char *const argv[]);
/* Seize every thread of pid.  -ESRCH, -EPERM (what: "already traced by
 * PID N" when so, in ct_session_error()). */
int ct_session_attach(struct ct_session *s, pid_t pid);

/*
 * Trace until every traced process has exited or `stop` asks to end (then
 * attached processes are detached, left as they were).  For a spawned
 * program, SIGTERM/SIGHUP, and SIGINT sent to calltrap alone, are passed
 * on to it and tracing goes on.  Returns 0, or -errno after detaching on a
 * fatal tracer error.
 */
int ct_session_run(struct ct_session *s, struct ct_stop_request *stop);

/* The wait(2) status of the spawned program's exit; -1 if it has not. */
int ct_session_exit_status(const struct ct_session *s);
/* A message describing the last error, or NULL. */
const char *ct_session_error(const struct ct_session *s);
const struct ct_stats *ct_session_stats(const struct ct_session *s);
/* The signal that stopped the run (0 if none). */
int ct_session_stop_signal(const struct ct_session *s);

#endif
