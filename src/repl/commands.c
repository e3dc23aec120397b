/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command language: dispatch, and the commands about the REPL itself
 * (help, set, quit). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "repl/state.h"
#include "repl/words.h"

static const struct ct_repl_cmd *const tables[] = {
	ct_repl_live_cmds,
	ct_repl_event_cmds,
	ct_repl_base_cmds,
};

#define NR_TABLES (sizeof(tables) / sizeof(tables[0]))

const struct ct_repl_cmd *ct_repl_find_cmd(const char *name)
{
	size_t t;
	const struct ct_repl_cmd *c;

	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

void ct_repl_cmd_names(ct_repl_name_cb cb, void *ctx)
{
	size_t t;
	const struct ct_repl_cmd *c;

	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name; c++)
			cb(ctx, c->name);
}

int ct_repl_exec_line(struct ct_repl *r, const char *line)
{
	const struct ct_repl_cmd *c;
	struct ct_words w;
	const char *why;
	int rc;

	rc = ct_words_split(line, &w, &why);
	if (rc == -ENOMEM)
		return ct_repl_error(r, "%s", strerror(ENOMEM));
	if (rc < 0)
		return ct_repl_error(r, "%s", why);
	if (w.argc == 0) {
		ct_words_free(&w);
		return 0;
	}
	c = ct_repl_find_cmd(w.argv[0]);
	if (!c)
		rc = ct_repl_error(r, "unknown command '%s' (try 'help')", w.argv[0]);
	else
		rc = c->fn(r, w.argc, w.argv) < 0 ? -1 : 0;
	ct_words_free(&w);
	return rc;
}

/* ---- help ---- */

/* usages longer than this get their summary on the next line */
#define HELP_COLUMN 30

static void help_all(struct ct_repl *r)
{
	static const char *const titles[NR_TABLES] = {
		"Program control and what to trace",
		"Events (of the program traced, or of a loaded trace file)",
		"The session",
	};
	size_t t, width = 0;
	const struct ct_repl_cmd *c;

	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name; c++)
			if (strlen(c->usage) > width && strlen(c->usage) <= HELP_COLUMN)
				width = strlen(c->usage);
	for (t = 0; t < NR_TABLES; t++) {
		fprintf(r->out, "%s%s:\n", t ? "\n" : "", titles[t]);
		for (c = tables[t]; c->name; c++) {
			/* a long usage gets a line of its own */
			if (strlen(c->usage) > width)
				fprintf(r->out, "  %s\n  %-*s  %s\n", c->usage, (int)width, "",
					c->summary);
			else
				fprintf(r->out, "  %-*s  %s\n", (int)width, c->usage, c->summary);
		}
	}
	fputs("\nType 'help COMMAND' for its usage and examples.\n", r->out);
}

static int cmd_help(struct ct_repl *r, int argc, char **argv)
{
	const struct ct_repl_cmd *c;

	if (argc > 2)
		return ct_repl_error(r, "usage: help [COMMAND]");
	if (argc == 1) {
		help_all(r);
		return 0;
	}
	c = ct_repl_find_cmd(argv[1]);
	if (!c)
		return ct_repl_error(r, "no command '%s' (type 'help' for the list)", argv[1]);
	fprintf(r->out, "usage: %s\n\n%s\n%s", c->usage, c->summary, c->help);
	return 0;
}

/* ---- set ---- */

static int parse_bool(const char *s, bool *v)
{
	if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
	    !strcasecmp(s, "true")) {
		*v = true;
		return 0;
	}
	if (!strcasecmp(s, "off") || !strcasecmp(s, "no") || !strcmp(s, "0") ||
	    !strcasecmp(s, "false")) {
		*v = false;
		return 0;
	}
	return -EINVAL;
}

struct setting {
	const char *name;
	size_t offset; /* of the bool in struct ct_repl */
	const char *what;
};

static const struct setting settings[] = {
	{ "continue-on-error", offsetof(struct ct_repl, continue_on_error),
	  "batch: go on after a failing command (the exit status is still 1)" },
	{ "echo", offsetof(struct ct_repl, echo), "print events as they arrive" },
	{ "regs", offsetof(struct ct_repl, regs),
	  "record register snapshots (for the next program started or attached)" },
};

#define NR_SETTINGS (sizeof(settings) / sizeof(settings[0]))

static bool *setting_ptr(struct ct_repl *r, const struct setting *s)
{
	return (bool *)((char *)r + s->offset);
}

static int cmd_set(struct ct_repl *r, int argc, char **argv)
{
	const struct setting *s = NULL;
	size_t i;
	bool v;

	if (argc == 1) {
		for (i = 0; i < NR_SETTINGS; i++)
			fprintf(r->out, "%-18s %-3s  %s\n", settings[i].name,
				*setting_ptr(r, &settings[i]) ? "on" : "off", settings[i].what);
		return 0;
	}
	if (argc != 3)
		return ct_repl_error(r, "usage: set [NAME on|off]");
	for (i = 0; i < NR_SETTINGS; i++)
		if (!strcmp(settings[i].name, argv[1]))
			s = &settings[i];
	if (!s)
		return ct_repl_error(r, "no setting '%s' (type 'set' for the list)", argv[1]);
	if (parse_bool(argv[2], &v) < 0)
		return ct_repl_error(r, "set %s: '%s' is not on or off", argv[1], argv[2]);
	*setting_ptr(r, s) = v;
	if (s->offset == offsetof(struct ct_repl, echo) && r->live.tee)
		ct_output_tee_enable(r->live.tee, 1, v);
	return 0;
}

/* ---- quit ---- */

static int cmd_quit(struct ct_repl *r, int argc, CT_UNUSED char **argv)
{
	if (argc != 1)
		return ct_repl_error(r, "usage: quit");
	if (ct_repl_live_quit(r))
		r->quit = true;
	return 0;
}

const struct ct_repl_cmd ct_repl_base_cmds[] = {
	{ "help", cmd_help, "help [COMMAND]", "list the commands, or show one's usage",
	  "Without a command, one line for each command.  With one, its usage, what it\n"
	  "does and examples.\n"
	  "\nExamples:\n  help\n  help filter\n",
	  CT_COMPLETE_COMMAND },
	{ "set", cmd_set, "set [NAME on|off]", "show or change a setting",
	  "Settings:\n"
	  "  continue-on-error  in a script, go on after a failing command (default off;\n"
	  "                     calltrap still exits with status 1 at the end)\n"
	  "  echo               print events as they arrive (default on)\n"
	  "  regs               record register snapshots, for 'regs' (default on; takes\n"
	  "                     effect for the next program started or attached)\n"
	  "\nExamples:\n  set\n  set continue-on-error on\n  set echo off\n",
	  CT_COMPLETE_NONE },
	{ "quit", cmd_quit, "quit", "leave calltrap (Ctrl-D too)",
	  "A program calltrap started is killed, one it attached to is detached and\n"
	  "left running as it was.  In a terminal, calltrap asks first when a program\n"
	  "is still traced.\n"
	  "\nExamples:\n  quit\n",
	  CT_COMPLETE_NONE },
	{ NULL, NULL, NULL, NULL, NULL, CT_COMPLETE_NONE },
};
