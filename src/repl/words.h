/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A command line split into words, the way a shell would. */
#ifndef CT_REPL_WORDS_H
#define CT_REPL_WORDS_H

#include <stddef.h>

#define CT_WORDS_MAX 64

struct ct_words {
	int argc;
	char *argv[CT_WORDS_MAX + 1]; /* argv[argc] is NULL */
	char *buf;                    /* the words, owned */
};

/*
 * Split line: blanks separate words; 'single' and "double" quotes group
 * (backslash escapes \" and \\ inside double quotes, any character
 * outside quotes); '#' at the start of a word comments out the rest.
 * 0; -EINVAL with why set ("unterminated quote"), -E2BIG (more than
 * CT_WORDS_MAX words), -ENOMEM.  An empty or comment line gives argc 0.
 */
int ct_words_split(const char *line, struct ct_words *w, const char **why);
void ct_words_free(struct ct_words *w);

#endif
