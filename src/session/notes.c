/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a session says once it is over: the patterns that selected nothing,
 * and when nothing at all was traced, why and what to try.
 *
 * A pattern is pending, as a gdb breakpoint is: one that selects nothing
 * at start-up applies to every module loaded later (dlopen, exec, in any
 * process of the session), so only the end of the session can tell that it
 * never matched.  The program runs undisturbed either way.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/internal.h"

/* Does the program argv0 names (a path, or looked up in $PATH as execvp
 * does) start with "#!"? */
static bool is_script(const char *argv0)
{
	const char *path = getenv("PATH"), *p;
	char buf[PATH_MAX], head[2];
	int fd = -1;

	if (!argv0 || !*argv0)
		return false;
	if (strchr(argv0, '/')) {
		fd = open(argv0, O_RDONLY | O_CLOEXEC);
	} else {
		for (p = path ? path : "/usr/bin:/bin"; fd < 0 && *p;) {
			size_t len = strcspn(p, ":");

			if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, p, len ? "/" : "",
				     argv0) < (int)sizeof(buf) &&
			    access(buf, X_OK) == 0)
				fd = open(buf, O_RDONLY | O_CLOEXEC);
			p += len;
			if (*p == ':')
				p++;
		}
	}
	if (fd < 0)
		return false;
	if (read(fd, head, sizeof(head)) != (ssize_t)sizeof(head))
		head[0] = '\0';
	close(fd);
	return head[0] == '#' && head[1] == '!';
}

unsigned ct_session_end_notes(const struct ct_session *s, FILE *f, const char *prefix)
{
	const struct ct_patterns *pats = s->opts.patterns;
	bool defaults = !ct_patterns_have_include(pats);
	unsigned unmatched = 0;
	char text[512];
	size_t i;

	for (i = 0; pats && i < pats->n; i++) {
		const struct ct_pattern *p = &pats->v[i];

		/* an exclusion that removed nothing harms nothing */
		if (p->exclude || p->matched)
			continue;
		unmatched++;
		ct_pattern_text(p, text, sizeof(text));
		if (p->module && !p->modules)
			fprintf(f, "%spattern '%s' matched nothing: no module named '%s' was loaded\n",
				prefix, text, p->module);
		else
			fprintf(f, "%spattern '%s' matched no function\n", prefix, text);
	}
	if (s->stats.events[CT_EV_CALL] || !s->main_exe)
		return unmatched;
	if (!s->main_exe_symtab && (defaults || !s->nr_selected)) {
		if (is_script(s->spawn_argv0))
			fprintf(f, "%snothing traced: %s is a script, run by %s, which ", prefix,
				s->spawn_argv0, s->main_exe);
		else
			fprintf(f, "%snothing traced: %s ", prefix, s->main_exe);
		fprintf(f, "has no symbol table (stripped): try -e 'libc.so.6:*' for its "
			   "library calls, or install its debug symbols (Debian: its -dbgsym "
			   "package)\n");
	} else if (!s->nr_selected && !unmatched) {
		/* (a pattern that matched nothing was named above) */
		fprintf(f, "%snothing traced: %s defines no function of its own; try "
			   "-e 'libc.so.6:*' for its library calls\n", prefix, s->main_exe);
	}
	return unmatched;
}
