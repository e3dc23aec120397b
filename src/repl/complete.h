/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tab completion of a REPL line: what the word before the cursor can
 * become, from the words before it.  Apart from libedit (lineio.c draws
 * the result) and from the live session (the names come through
 * ct_complete_src), so that tests can call it.
 */
#ifndef CT_REPL_COMPLETE_H
#define CT_REPL_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "repl/internal.h"

/* Where the names come from. */
struct ct_complete_src {
	void *ctx;
	/* each function: its name and its module's file name ("libc.so.6";
	 * NULL where not known, as for a trace file's) */
	void (*funcs)(void *ctx, ct_repl_func_cb cb, void *cb_ctx);
	/* each thread id */
	void (*tids)(void *ctx, ct_repl_name_cb cb, void *cb_ctx);
};

struct ct_completion {
	char **v;     /* what the word can become: whole words, sorted, distinct */
	size_t n;
	char *insert; /* what to insert at the cursor; NULL: nothing (list v) */
};

/*
 * Complete the last word of line (the text before the cursor).  A word
 * that becomes one candidate gets it and a blank (none after a directory's
 * '/' or a module's ':', where more follows); several get what they have
 * in common, or, if that adds nothing, are listed.  A function pattern
 * (trace, untrace, break) completes a module's name ("libc.so" ->
 * "libc.so.6:") and the functions of one ("libc.so.6:mallo"), the module
 * named as a pattern names it.  0, or -ENOMEM.
 */
int ct_complete(const char *line, const struct ct_complete_src *src, struct ct_completion *c);
void ct_completion_fini(struct ct_completion *c);

#endif
