/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The REPL's state, shared by its core files (not by command files that
 * only need internal.h). */
#ifndef CT_REPL_STATE_H
#define CT_REPL_STATE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "repl/internal.h"
#include "repl/repl.h"
#include "session/session.h"
#include "trace/tracefile.h"

struct ct_lineio;

/* The program traced, if any, and how its events are kept. */
struct ct_repl_live {
	struct ct_session *s;     /* NULL: nothing traced */
	bool spawned;             /* started by us (kill at quit), else attached */
	bool background;          /* resumed with `continue &` */
	bool ended;               /* every traced process exited or was let go */
	pid_t pid;
	int rec_fd;               /* the recording (an unlinked temporary file), -1 */
	struct ct_output *rec, *echo, *tee;
	struct ct_trace_info info;
	uint64_t events_at_stop;  /* events recorded when it last stopped */
	struct ct_stop_request stop;
	int sigfd;                /* signalfd for SIGCHLD, -1 */
	sigset_t child_mask;      /* the mask a started program gets (calltrap's own) */
};

struct ct_repl {
	FILE *out;
	struct ct_repl_opts opts;
	bool interactive;
	bool batch;
	bool continue_on_error;
	bool echo;                /* print events as they arrive */
	bool regs;                /* record register snapshots */
	bool quit;
	bool failed;              /* a command failed */
	const char *where;        /* batch: script name for error lines */
	unsigned lineno;
	struct ct_store *store;
	struct ct_repl_live live;
	struct ct_patterns patterns; /* for programs started or attached */
	char **run_argv;          /* the program `run` starts (owned), NULL */
	struct ct_lineio *io;
};

/* live.c */
void ct_repl_live_init(struct ct_repl *r);
/* Let go of the program (detach, or kill one we started) and free. */
void ct_repl_live_fini(struct ct_repl *r);
/* The stop request the SIGINT handler uses. */
struct ct_stop_request *ct_repl_stop_request(struct ct_repl *r);
/* Handle what the traced program did meanwhile (SIGCHLD seen while
 * waiting for input).  Returns true when something worth redrawing the
 * prompt for happened. */
bool ct_repl_live_poll(struct ct_repl *r);
/* The last poll left stops waiting (busy threads): poll again without
 * waiting for the signalfd, whose SIGCHLDs for them were already read. */
bool ct_repl_live_more(const struct ct_repl *r);
/* Let the program run in the background on, handling its stops, until it
 * ends, limit_ns (0: no limit) has passed, Ctrl-C or SIGTERM.  0; 1 when
 * interrupted; -errno. */
int ct_repl_live_wait(struct ct_repl *r, uint64_t limit_ns);
/* Events recorded so far, for the prompt. */
uint64_t ct_repl_live_events(const struct ct_repl *r);
/* Bring the recording's file up to date for reading; -1 after an error. */
int ct_repl_live_sync(struct ct_repl *r);
/* Start argv stopped at its entry point / attach to pid; -1 after an error. */
int ct_repl_live_start(struct ct_repl *r, char *const argv[]);
int ct_repl_live_attach(struct ct_repl *r, pid_t pid);
/* Quit: leave the program as the user expects (asks first).  false when
 * the user said no. */
bool ct_repl_live_quit(struct ct_repl *r);
/* A program that ended: drop its session and recording (before `load`). */
void ct_repl_live_forget(struct ct_repl *r);
/* The program ended meanwhile: say so, close the recording. */
void ct_repl_live_check_end(struct ct_repl *r);
/* Function names for completion. */
void ct_repl_live_names(struct ct_repl *r, ct_repl_func_cb cb, void *ctx);
/* Thread ids for completion. */
void ct_repl_live_tids(struct ct_repl *r, ct_repl_name_cb cb, void *ctx);

/* lineio.c: reading commands */
struct ct_lineio *ct_lineio_new(struct ct_repl *r, FILE *in);
void ct_lineio_free(struct ct_lineio *io);
/* The next line (without its newline), valid until the next call; NULL at
 * the end of the input (Ctrl-D). */
const char *ct_lineio_read(struct ct_lineio *io);
/* Ask a yes/no question at the terminal; a script's answer is yes (said
 * on the output, as gdb does). */
bool ct_lineio_confirm(struct ct_lineio *io, const char *question);

/* commands.c */
/* Run one line.  0 or -1 (the command failed; its error is printed). */
int ct_repl_exec_line(struct ct_repl *r, const char *line);

/* SIGTERM or SIGHUP arrived (0 if not): stop reading, let the program go. */
int ct_repl_terminating(void);
/* The SIGINT flag the terminal's Ctrl-C sets (the handler is in repl.c). */
bool ct_repl_take_interrupt(void);

#endif
