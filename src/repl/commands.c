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

/*
 * gdb's short forms, where the command here does what gdb's does; they win
 * over prefixes as in gdb ('s' is step although set, stop and save begin
 * with s).  Each event is one step, into calls too, so step and next move
 * alike.  A breakpoint here is a traced function, hence break.
 */
static const struct alias {
	const char *alias, *name;
} aliases[] = {
	{ "b", "trace" },    { "break", "trace" }, { "backtrace", "bt" }, { "where", "bt" },
	{ "c", "continue" }, { "fin", "finish" },  { "i", "info" },       { "k", "kill" },
	{ "n", "next" },     { "s", "next" },      { "step", "next" },    { "p", "print" },
	{ "q", "quit" },     { "r", "run" },       { "h", "help" },
};

#define NR_ALIASES (sizeof(aliases) / sizeof(aliases[0]))

/*
 * Subcommands, also matched by a unique prefix ('i b', 'info thr'), and the
 * command each is ('info threads' is 'threads'); sub NULL drops the word.
 */
static const struct subcmd {
	const char *cmd, *word;
	const char *to_cmd, *to_word;
} subcmds[] = {
	{ "info", "breakpoints", "info", "breakpoints" },
	{ "info", "functions", "list", "functions" },
	{ "info", "registers", "regs", NULL },
	{ "info", "threads", "threads", NULL },
	{ "list", "functions", "list", "functions" },
};

#define NR_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

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

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c" of the names that begin with word, sorted, into buf. */
static void candidates(const char *word, const char **names, size_t n, char *buf, size_t len)
{
	size_t i, k = 0, used = 0;

	for (i = 0; i < n; i++)
		if (!strncmp(names[i], word, strlen(word)))
			names[k++] = names[i];
	qsort(names, k, sizeof(*names), cmp_name);
	buf[0] = '\0';
	for (i = 0; i < k && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/* The index of word in names, or of the one name it begins (a unique
 * prefix); -1 when none does, -2 when several do. */
static int match_prefix(const char *word, const char *const *names, size_t n)
{
	size_t i, wl = strlen(word);
	int found = -1;

	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], word))
			return (int)i;
		if (wl && !strncmp(names[i], word, wl))
			found = found == -1 ? (int)i : -2;
	}
	return found;
}

#define MAX_CMDS 64 /* more than the tables hold (31) */

const struct ct_repl_cmd *ct_repl_lookup_cmd(const char *word, char *why, size_t len)
{
	const struct ct_repl_cmd *cmds[MAX_CMDS];
	const char *names[MAX_CMDS];
	const struct ct_repl_cmd *c;
	size_t t, n = 0, i;
	int k;

	for (i = 0; i < NR_ALIASES; i++)
		if (!strcmp(aliases[i].alias, word))
			return ct_repl_find_cmd(aliases[i].name);
	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name && n < MAX_CMDS; c++) {
			cmds[n] = c;
			names[n++] = c->name;
		}
	k = match_prefix(word, names, n);
	if (k >= 0)
		return cmds[k];
	if (!why) {
		/* nothing to say */
	} else if (k == -1) {
		snprintf(why, len, "unknown command '%s' (try 'help')", word);
	} else {
		char list[512];

		candidates(word, names, n, list, sizeof(list));
		snprintf(why, len, "ambiguous command '%s': %s", word, list);
	}
	return NULL;
}

/*
 * The command and subcommand the words name, written back as their full
 * names (argv[0] = "threads" for 'i thr'), so that a command sees only
 * its own words.  NULL, with why, for words that name none.
 */
static const struct ct_repl_cmd *resolve(struct ct_words *w, char *why, size_t len)
{
	const struct ct_repl_cmd *c = ct_repl_lookup_cmd(w->argv[0], why, len);
	const char *names[NR_SUBCMDS];
	const struct subcmd *sub[NR_SUBCMDS];
	size_t i, n = 0;
	int k;

	if (!c)
		return NULL;
	w->argv[0] = (char *)c->name;
	for (i = 0; i < NR_SUBCMDS; i++)
		if (!strcmp(subcmds[i].cmd, c->name)) {
			sub[n] = &subcmds[i];
			names[n++] = subcmds[i].word;
		}
	if (!n || w->argc < 2)
		return c;
	k = match_prefix(w->argv[1], names, n);
	if (k < 0) {
		char list[256];

		candidates(k == -1 ? "" : w->argv[1], names, n, list, sizeof(list));
		snprintf(why, len, "%s: %s '%s' (%s)", c->name,
			 k == -1 ? "no subcommand" : "ambiguous subcommand", w->argv[1], list);
		return NULL;
	}
	c = ct_repl_find_cmd(sub[k]->to_cmd);
	w->argv[0] = (char *)sub[k]->to_cmd;
	if (sub[k]->to_word) {
		w->argv[1] = (char *)sub[k]->to_word;
	} else {
		memmove(&w->argv[1], &w->argv[2], (size_t)(w->argc - 1) * sizeof(w->argv[0]));
		w->argc--;
	}
	return c;
}

const char *ct_repl_canonical(const char *word)
{
	const struct ct_repl_cmd *c = ct_repl_lookup_cmd(word, NULL, 0);

	return c ? c->name : NULL;
}

void ct_repl_cmd_names(ct_repl_name_cb cb, void *ctx)
{
	size_t t;
	const struct ct_repl_cmd *c;

	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name; c++)
			cb(ctx, c->name);
}

bool ct_repl_subcmd_names(const char *cmd, ct_repl_name_cb cb, void *ctx)
{
	bool any = false;
	size_t i;

	for (i = 0; i < NR_SUBCMDS; i++)
		if (!strcmp(subcmds[i].cmd, cmd)) {
			cb(ctx, subcmds[i].word);
			any = true;
		}
	return any;
}

int ct_repl_exec_line(struct ct_repl *r, const char *line)
{
	const struct ct_repl_cmd *c;
	struct ct_words w;
	const char *why;
	char err[640];
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
	c = resolve(&w, err, sizeof(err));
	if (!c)
		rc = ct_repl_error(r, "%s", err);
	else
		rc = c->fn(r, w.argc, w.argv) < 0 ? -1 : 0;
	ct_words_free(&w);
	return rc;
}

/* ---- help ---- */

/* usages longer than this get their summary on the next line */
#define HELP_COLUMN 30

/* "c" or "s, step, n" for a command: its short forms; false if none. */
static bool short_forms(const char *name, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_ALIASES && used < len; i++)
		if (!strcmp(aliases[i].name, name))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 aliases[i].alias);
	return used > 0;
}

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
	fputs("\nShort forms, as in gdb (and any unique beginning of a command: 'fil' is\n"
	      "filter; 'i b' is info breakpoints):\n", r->out);
	for (t = 0; t < NR_TABLES; t++)
		for (c = tables[t]; c->name; c++) {
			char forms[64];

			if (short_forms(c->name, forms, sizeof(forms)))
				fprintf(r->out, "  %-18s %s\n", forms, c->name);
		}
	for (t = 0; t < NR_SUBCMDS; t++) {
		const struct subcmd *s = &subcmds[t];
		char from[64];

		if (strcmp(s->cmd, s->to_cmd)) {
			snprintf(from, sizeof(from), "%s %s", s->cmd, s->word);
			fprintf(r->out, "  %-18s %s%s%s\n", from, s->to_cmd, s->to_word ? " " : "",
				s->to_word ? s->to_word : "");
		}
	}
	fputs("\nType 'help COMMAND' for its usage and examples.\n", r->out);
}

static int cmd_help(struct ct_repl *r, int argc, char **argv)
{
	const struct ct_repl_cmd *c;
	char why[640], forms[64];

	if (argc > 2)
		return ct_repl_error(r, "usage: help [COMMAND]");
	if (argc == 1) {
		help_all(r);
		return 0;
	}
	c = ct_repl_lookup_cmd(argv[1], why, sizeof(why));
	if (!c)
		return ct_repl_error(r, "help: %s", why);
	fprintf(r->out, "usage: %s\n\n%s\n", c->usage, c->summary);
	if (short_forms(c->name, forms, sizeof(forms)))
		fprintf(r->out, "Short forms: %s\n", forms);
	fputs(c->help, r->out);
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
