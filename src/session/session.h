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

#define CT_DEFAULT_STRING_LIMIT 32
#define CT_MAX_STRING_LIMIT 65536

struct ct_session_opts {
	/* The -e patterns (see symtab.h; the caller keeps them alive).  NULL:
	 * nothing is traced until ct_session_trace(). */
	struct ct_patterns *patterns;
	unsigned max_depth;       /* 0: unlimited */
	bool regs;                /* snapshot registers into every event */
	bool follow_forks;
	struct ct_output *out;
	unsigned spin_us;         /* WNOHANG spin before blocking */
	const sigset_t *child_mask; /* signal mask for a spawned program */
	/* C++ functions keep their symbol-table names: events and patterns
	 * see "_ZN2ns1fEi", not "ns::f(int)" */
	bool no_demangle;
	/* Events carry a label (ct_event.label): a C++ function's short name,
	 * longer only where two traced functions would read the same
	 * (--demangle=short, symtab.h ct_labels). */
	bool short_names;
	/* Arguments and return values stay raw registers even where DWARF
	 * describes the function (--raw-args). */
	bool raw_args;
	unsigned string_limit;   /* bytes of a char * argument shown (--string-limit);
				  * 0: CT_DEFAULT_STRING_LIMIT */
	const char *debug_dirs;  /* searched first for separate debug info, ':'-separated */
	/* Functions go through the fast path (injected trampolines writing to
	 * shared rings, no stop per event) where it is safe, on breakpoints
	 * elsewhere (--engine=fast); false: breakpoints only. */
	bool fast;

	/* For the REPL (all false for `trace` and `record`): */
	/* ct_session_spawn returns with the program stopped at its entry
	 * point, ct_session_attach with every thread stopped (see there). */
	bool pause_at_start;
	/* A stop request makes ct_session_run stop every thread and return
	 * CT_RUN_STOPPED, instead of detaching or passing the signal on. */
	bool interactive;
	/* The spawned program gets a process group of its own (setpgid(0, 0)
	 * before any of its code runs), so a terminal's ^C reaches calltrap
	 * alone.  It is then a background job: reading the terminal stops it
	 * (SIGTTIN, a group-stop), unless the caller hands it the terminal
	 * with tcsetpgrp(ct_session_pid()). */
	bool new_pgrp;
};

/* Why a function selected for the fast path stays on breakpoints. */
enum ct_fast_why {
	CT_FAST_REGS,          /* --regs: a record holds no register snapshot */
	CT_FAST_VALUES,        /* its typed values need memory or vector registers */
	CT_FAST_ENTRY,         /* its entry cannot take a jump (patchsite.c says why) */
	CT_FAST_EXIT,          /* an exit cannot take a jump */
	CT_FAST_TAIL_EXIT,     /* it leaves by a jump (tail call): not yet */
	CT_FAST_RETURN_POINT,  /* an exit's jump would start where a call returns */
	CT_FAST_BUSY,          /* a breakpoint, a patch or a thread is inside */
	CT_FAST_NO_ROOM,       /* no trampoline memory within reach */
	CT_FAST_EMIT,          /* the trampoline emitter refused it */
	CT_FAST_NR_WHY,
};
const char *ct_fast_why_name(enum ct_fast_why why);

struct ct_stats {
	uint64_t events[CT_EV_NR_TYPES];
	uint64_t stops_entry;     /* breakpoint stops that made a call event */
	uint64_t stops_return;    /* ... that made return events */
	uint64_t stops_step;      /* extra stops to single-step a copy */
	uint64_t stops_spurious;  /* hits that matched no frame or were silent */
	uint64_t stops_internal;  /* r_brk, entry point, injected calls */
	uint64_t stops_other;     /* signals, clone/fork/exec, group-stops */
	uint64_t returns_unseen;  /* calls entered by a jump: no return address to watch */
	/* the fast path (all 0 without it) */
	uint64_t fast_funcs;      /* functions traced through trampolines */
	uint64_t fast_exit_breaks; /* their exits where no jump fits: a stop each */
	uint64_t fast_left[CT_FAST_NR_WHY]; /* ... left on breakpoints, by reason */
	uint64_t ring_records;    /* records read from the rings */
	uint64_t ring_calls;      /* ... that made a call event */
	uint64_t ring_returns;    /* ... that made return events */
	uint64_t ring_waits;      /* times a thread waited for room in its ring */
	uint64_t ring_drops;      /* records lost: calltrap gone, or a nested full ring */
	uint64_t ring_unregistered; /* records of threads without a ring */
	uint64_t ring_unmatched;  /* returns that found no frame of theirs */
	char fast_clock[128];     /* the counter's calibration, in words */
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
 * to the caller, with ct_session_error() as context.
 * With opts.pause_at_start it returns with every thread stopped
 * (ct_session_stopped()) at the program's entry point: the dynamic linker
 * has mapped and relocated the initial libraries (their constructors have
 * run; library functions traced then were reported), IFUNCs can be
 * resolved, and no instruction of the program's own start code has run.
 * If the program exits before (a missing library), it returns 0 with
 * ct_session_done() true.  Without a breakpoint at the entry point (a
 * warning says so) it stops at the exec, before the libraries. */
int ct_session_spawn(struct ct_session *s, char *const argv[]);
/* Seize every thread of pid.  -ESRCH, -EPERM (what: "already traced by
 * PID N" when so, in ct_session_error()).  With opts.pause_at_start every
 * thread stays stopped after the attach. */
int ct_session_attach(struct ct_session *s, pid_t pid);

/*
 * Trace until every traced process has exited or `stop` asks to end (then
 * attached processes are detached, left as they were).  For a spawned
 * program, SIGTERM/SIGHUP, and SIGINT sent to calltrap alone, are passed
 * on to it and tracing goes on.  Returns 0, or -errno after detaching on a
 * fatal tracer error.
 * A stopped world (ct_session_stopped()) is resumed first.  With
 * opts.interactive, any stop request stops every thread as
 * ct_session_stop_all() does and returns CT_RUN_STOPPED, with the
 * signal in ct_session_stop_signal() and left in stop->sig (clear it
 * before the next run); the session stays as it is.
 */
#define CT_RUN_STOPPED 1
int ct_session_run(struct ct_session *s, struct ct_stop_request *stop);

/* The wait(2) status of the spawned program's exit; -1 if it has not. */
int ct_session_exit_status(const struct ct_session *s);
/* A message describing the last error, or NULL. */
const char *ct_session_error(const struct ct_session *s);
const struct ct_stats *ct_session_stats(const struct ct_session *s);
/* The signal that stopped the run (0 if none). */
int ct_session_stop_signal(const struct ct_session *s);

/* Once the session is over (every process exited or detached): one line
 * on f, after prefix, for each including pattern of opts.patterns that
 * selected no function in any module of any process over the whole run
 * (patterns stay pending until then: a library loaded later counts); and
 * when not a single call was traced for lack of anything to trace (a
 * stripped executable, a script's interpreter, no function selected), one
 * line saying why and what to try.  Returns how many patterns matched
 * nothing. */
unsigned ct_session_end_notes(const struct ct_session *s, FILE *f, const char *prefix);

/*
 * ---- Live control (the REPL) ----
 *
 * Every call below is made from the thread that spawned or attached (ptrace
 * requests come from the tracer thread only).  A call that fails, and one
 * that succeeds with something to say (trace/untrace), leaves a one-line
 * message in ct_session_error(), which each of them clears first.  Before
 * ct_session_free(), a session that is not done must be detached or killed:
 * freeing it would leave breakpoints in a process that calltrap's exit then
 * detaches (or kills, when spawned).
 */

/* For thread tid stopped at pc: the pc in the program's own code that pc
 * stands for (pc itself, or the original instruction of an out-of-line
 * copy it is executing).  0 and *orig; -ESRCH (no such thread), -EAGAIN
 * (in the middle of a rewritten sequence: no equivalent). */
int ct_session_orig_pc(struct ct_session *s, pid_t tid, uint64_t pc, uint64_t *orig);

/* The main process's pid (the spawned or attached one), 0 before. */
pid_t ct_session_pid(const struct ct_session *s);
/* Nothing is traced any more: every process exited, was killed or detached. */
bool ct_session_done(const struct ct_session *s);
/* Every thread is stopped by us (pause_at_start, ct_session_stop_all, a
 * CT_RUN_STOPPED), and stays so until ct_session_resume_all() or
 * ct_session_run(). */
bool ct_session_stopped(const struct ct_session *s);
/* The program's clock now, as event ts_ns: time since the session began,
 * less the times calltrap held every thread (as while
 * ct_session_stopped()), during which it stands still. */
uint64_t ct_session_clock(const struct ct_session *s);

/* At most this many wait statuses are handled by one ct_session_poll. */
#define CT_SESSION_POLL_BUDGET 512

/*
 * Handle the wait statuses available (events go to opts.out, which is
 * then told it is idle), blocking up to timeout_ms for the first one (-1:
 * as long as it takes, 0: not at all; a signal caught by a handler ends
 * the wait early).  Returns how many were handled, at most
 * CT_SESSION_POLL_BUDGET, or -errno after a fatal tracer error (the
 * session then detached; a spawned program is killed).  It does not spin:
 * an idle call sleeps in sigtimedwait.
 *
 * Driven by SIGCHLD (ptrace sends one to the tracer for each stop and
 * exit; SIGCHLD must not be ignored nor have SA_NOCLDSTOP): block it, read
 * it from a signalfd beside the keyboard, and after reading the signalfd
 * call ct_session_poll(s, 0), which handles what is pending (with WNOHANG
 * until none is left or the budget is spent).  When
 * ct_session_poll_more() then says the budget ran out, call it again
 * without waiting for the signalfd: the SIGCHLDs of the statuses left
 * were already read.  Otherwise a stop coming after it raises SIGCHLD
 * again and none is missed.  It uses waitpid(-1): the caller must have no
 * other children whose status it wants.  While the world is stopped
 * nothing comes but exits (e.g. a SIGKILL from outside).
 */
int ct_session_poll(struct ct_session *s, int timeout_ms);
/* The last ct_session_poll stopped at its budget: more may be waiting. */
bool ct_session_poll_more(const struct ct_session *s);

/*
 * Stop every thread (PTRACE_INTERRUPT, then wait).  Stops that race with
 * it are handled, their events emitted: a breakpoint hit makes its event
 * and leaves the thread before its displaced instruction (resuming runs
 * it), a signal stays pending for the thread, a new thread or child is
 * stopped too.  A thread in group-stop (SIGSTOP) stays so.  0 or -errno;
 * nothing to stop is 0.  Once stopped, the world stays so; trace, untrace,
 * the listings, kill and detach all work in that state.
 */
int ct_session_stop_all(struct ct_session *s);
/* Resume every thread stopped by us (group-stopped ones go back to their
 * group-stop, pending signals are delivered).  0 or -errno. */
int ct_session_resume_all(struct ct_session *s);

/*
 * Change what is traced, with the -e syntax (GLOB, MODULE:GLOB; for
 * trace, "!SPEC" is the same as untrace SPEC; untrace takes no '!').  The
 * edits apply in order after opts.patterns (the last one that matches a
 * function decides) to every module loaded now and to those loaded later.
 * Running threads are stopped for the change and resumed after it; a
 * stopped world stays stopped.  trace places the entry breakpoints of the
 * newly selected functions in every address space (IFUNCs resolved once
 * the program has started); untrace puts the original bytes back at the
 * entry of those no longer selected, while frames already open keep
 * their return breakpoints and get their returns (or unwinds) reported.
 * Returns how many functions (symbol names, so aliases count each) were
 * added or removed; 0 with a message in ct_session_error() when the
 * pattern matched nothing in the loaded modules or changed nothing.
 * -EINVAL for a bad pattern, other -errno when placing or removing a
 * breakpoint failed (message set).  Hit counts survive untrace/trace.
 */
int ct_session_trace(struct ct_session *s, const char *pattern);
/* How many functions the last ct_session_trace/untrace pattern matched in
 * the loaded modules (0: none, a typo or a library not loaded yet). */
unsigned long ct_session_last_matched(const struct ct_session *s);
int ct_session_untrace(struct ct_session *s, const char *pattern);

struct ct_pattern_info {
	const char *spec; /* "GLOB", "MODULE:GLOB", or for initial exclusions "!SPEC" */
	bool trace;       /* include (trace), or exclude (untrace) */
	bool initial;     /* from opts.patterns */
};
/* The patterns in the order they apply: opts.patterns, then the edits.
 * cb returns non-zero to stop.  Returns how many were given to cb. */
int ct_session_patterns(const struct ct_session *s,
			int (*cb)(void *ctx, const struct ct_pattern_info *pi), void *ctx);

struct ct_session_func {
	const char *module; /* file name ("libc.so.6") */
	const char *path;   /* as mapped */
	const char *name;
	uint64_t addr;      /* entry; 0 for an IFUNC not resolved yet */
	uint64_t size;      /* 0 if unknown */
	uint64_t hits;      /* calls seen so far (kept across untrace) */
	bool ifunc;
	bool traced;        /* selected by the patterns */
	bool inserted;      /* its entry breakpoint is in place */
	bool refused;       /* selected, but its entry cannot take a breakpoint */
};
/*
 * Every function of the modules mapped in the main process (or, once it is
 * gone, in another traced one), module by module in address order, each
 * module's by address; aliases are given each.  To filter with the -e
 * syntax, ct_patterns_match_sym() on f->name and its mangled name.  The
 * strings are valid until the session next runs.
 */
void ct_session_foreach_func(struct ct_session *s,
			     void (*cb)(void *ctx, const struct ct_session_func *f), void *ctx);

enum ct_thread_run {
	CT_THREAD_RUNNING,
	CT_THREAD_STOPPED,       /* stopped by us */
	CT_THREAD_GROUP_STOPPED, /* in a group-stop (SIGSTOP, SIGTSTP...) */
	CT_THREAD_EXITED,        /* a leader that exited while other threads run */
};
struct ct_session_frame {
	const char *func, *module;
	uint64_t addr;        /* the function's entry */
	uint64_t ret_addr;    /* where it returns to (0: unknown) */
	uint64_t entry_sp;    /* stack pointer at its entry */
	uint64_t entry_ts_ns; /* when it was called, as event ts_ns */
};
struct ct_session_thread {
	pid_t pid, tid;
	enum ct_thread_run run;
	const char *state;  /* "running", "stopped", "group-stopped", "exited" */
	/* innermost traced frame of its shadow stack, NULL/0 when none */
	const char *func, *module;
	uint64_t func_addr;
	unsigned depth;     /* traced frames open (as the depth of their events) */
	/* its shadow stack, frames[0] outermost (depth 1), frames[depth - 1]
	 * innermost; valid during the callback only */
	const struct ct_session_frame *frames;
	int pending_sig;    /* a signal it gets when resumed */
	bool followed;      /* its events are reported */
};
/* Every traced thread, by pid then tid.  The strings are valid until the
 * session next runs (a module's names go with the module once no process
 * maps it and no frame names it).  0, or -ENOMEM (then cb was not
 * called).  Neither callback may call the session's control functions. */
int ct_session_foreach_thread(struct ct_session *s,
			      void (*cb)(void *ctx, const struct ct_session_thread *t), void *ctx);

/*
 * SIGKILL every traced process (the spawned program, an attached one, its
 * followed children) and reap them: every event up to their exits is
 * emitted (open frames as unwinds, thread and process exits), and nothing
 * is left (ct_session_done()).  Works running or stopped.  0.
 */
int ct_session_kill(struct ct_session *s);
/* Restore every original byte, move threads out of our code, unmap the
 * scratch areas and detach every thread with its pending signal; the
 * program goes on untraced (a spawned one too; it stays calltrap's child,
 * for the caller to reap).  Works running or stopped.  0 or -errno. */
int ct_session_detach(struct ct_session *s);

#endif
