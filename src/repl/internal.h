/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/repl: the REPL's state as its command files see it.
 *
 * A command is a function over words (the line split like a shell does,
 * quotes honoured).  It prints what it shows to ct_repl_out() and its
 * errors with ct_repl_error() (one line, "calltrap: " added), and returns 0
 * or -1.  In batch mode the first -1 ends the run with a non-zero exit
 * (unless `set continue-on-error on`).
 *
 * Each command file exports a table ending with a { NULL } entry;
 * commands.c gathers them for dispatch, help and completion.
 */
#ifndef CT_REPL_INTERNAL_H
#define CT_REPL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/cxxname.h"

struct ct_repl;
struct ct_store;

/* What a command's arguments are, for tab completion. */
enum ct_repl_complete {
	CT_COMPLETE_NONE,
	CT_COMPLETE_COMMAND,  /* a command name (help) */
	CT_COMPLETE_FUNCTION, /* a function name of the loaded symbols or events */
	CT_COMPLETE_PATTERN,  /* a function, or MODULE:function (trace) */
	CT_COMPLETE_FILE,     /* a file name */
	CT_COMPLETE_THREAD,   /* a thread id */
};

struct ct_repl_cmd {
	const char *name;
	int (*fn)(struct ct_repl *r, int argc, char **argv); /* argv[0] is the name */
	const char *usage;   /* "events [N | all]": the command and its arguments */
	const char *summary; /* one line for `help` */
	const char *help;    /* `help NAME`: what it does, then examples; ends in '\n' */
	enum ct_repl_complete complete;
};

/* Where a command prints what it shows. */
FILE *ct_repl_out(struct ct_repl *r);

/* One error line on stderr: "calltrap: " and the message.  Returns -1. */
int ct_repl_error(struct ct_repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Make a script end with exit status 1 without stopping it: what a command
 * did is worth seeing although its input was damaged (`load`). */
void ct_repl_fail_later(struct ct_repl *r);

/* True in an interactive session (a terminal, no -x): commands may ask. */
bool ct_repl_interactive(const struct ct_repl *r);

/* How events name C++ functions (--demangle). */
enum ct_demangle ct_repl_demangle(const struct ct_repl *r);

/*
 * The events every event command works on: the trace file loaded, or the
 * live session's recording brought up to date (its events written out and
 * the index extended).  NULL when there are none yet; then this
 * has printed why (with ct_repl_error()), and the command just fails.
 */
struct ct_store *ct_repl_store(struct ct_repl *r);

/* Replace the events with a store opened on a trace file (`load`): 0 and
 * the REPL owns st; -1 while a program is traced (the REPL printed why;
 * st stays the caller's). */
int ct_repl_set_store(struct ct_repl *r, struct ct_store *st);

/* True while a program is traced (running or stopped). */
bool ct_repl_live(const struct ct_repl *r);

/* While a program is traced, a view of its recording ends at the
 * program's clock now (frames still open have run until now, less the
 * time it sat stopped at the prompt), not at its last event. */
struct ct_view_input;
void ct_repl_view_end(const struct ct_repl *r, struct ct_view_input *in);

/* Names for completion of functions: called with each name; the REPL
 * adds those of the loaded symbols (live) and of the store's file. */
typedef void (*ct_repl_name_cb)(void *ctx, const char *name);
/* A function and its module's file name (NULL where not known). */
typedef void (*ct_repl_func_cb)(void *ctx, const char *module, const char *name);

/* The command tables. */
extern const struct ct_repl_cmd ct_repl_event_cmds[]; /* cmd_events.c */
extern const struct ct_repl_cmd ct_repl_live_cmds[];  /* cmd_live.c */
extern const struct ct_repl_cmd ct_repl_base_cmds[];  /* commands.c: help, set, quit */

/* A command by its exact name, or NULL. */
const struct ct_repl_cmd *ct_repl_find_cmd(const char *name);

/* The command a word typed names: one of gdb's short forms ('c'), the
 * command's name, or a unique beginning of one ('fin').  NULL when it names
 * none or several; then why (if not NULL) says so, listing the candidates
 * of an ambiguous one, as gdb does. */
const struct ct_repl_cmd *ct_repl_lookup_cmd(const char *word, char *why, size_t len);

/* The full name of the command word names, or NULL (for completion). */
const char *ct_repl_canonical(const char *word);

/* Each command name, for completion. */
void ct_repl_cmd_names(ct_repl_name_cb cb, void *ctx);

/* The subcommands of the command named cmd ("info": breakpoints, ...),
 * each to cb; false when it has none. */
bool ct_repl_subcmd_names(const char *cmd, ct_repl_name_cb cb, void *ctx);

#endif
