/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Splitting a REPL line into words. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "repl/words.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int ct_words_split(const char *line, struct ct_words *w, const char **why)
{
	const char *p = line;
	char *o;

	memset(w, 0, sizeof(*w));
	*why = NULL;
	/* words never grow: each fits in the line's length */
	w->buf = malloc(strlen(line) + 1);
	if (!w->buf)
		return -ENOMEM;
	o = w->buf;
	for (;;) {
		char quote = 0;

		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (w->argc == CT_WORDS_MAX) {
			*why = "too many words";
			ct_words_free(w);
			return -E2BIG;
		}
		w->argv[w->argc++] = o;
		while (*p && (quote || !blank(*p))) {
			char c = *p++;

			if (quote == '\'') {
				if (c == '\'')
					quote = 0;
				else
					*o++ = c;
			} else if (quote == '"') {
				if (c == '"')
					quote = 0;
				else if (c == '\\' && (*p == '"' || *p == '\\'))
					*o++ = *p++;
				else
					*o++ = c;
			} else if (c == '\'' || c == '"') {
				quote = c;
			} else if (c == '\\' && *p) {
				*o++ = *p++;
			} else {
				*o++ = c;
			}
		}
		if (quote) {
			*why = "unterminated quote";
			ct_words_free(w);
			return -EINVAL;
		}
		*o++ = '\0';
	}
	w->argv[w->argc] = NULL;
	return 0;
}

void ct_words_free(struct ct_words *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}
