/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calltrap: subcommand dispatch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *fp);
};

static const struct subcommand subcommands[] = {
	{ "trace", ct_cmd_trace, ct_help_trace },
	{ "record", ct_cmd_record, ct_help_record },
	{ "replay", ct_cmd_replay, ct_help_replay },
	{ "report", ct_cmd_report, ct_help_report },
	{ "dump", ct_cmd_dump, ct_help_dump },
	{ "stacks", ct_cmd_stacks, ct_help_stacks },
	{ "repl", ct_cmd_repl, ct_help_repl },
};

static const struct subcommand *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const struct subcommand *sc;

	if (!cmd) {
		ct_help_main(stderr);
		return CT_EXIT_USAGE;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		ct_help_main(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("calltrap %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		if (argc <= 2) {
			ct_help_main(stdout);
			return 0;
		}
		sc = find(argv[2]);
		if (!sc) {
			fprintf(stderr, "calltrap: no such command '%s'\n", argv[2]);
			return CT_EXIT_USAGE;
		}
		sc->help(stdout);
		return 0;
	}
	sc = find(cmd);
	if (sc)
		return sc->run(argc - 1, argv + 1);
	fprintf(stderr, "calltrap: no such command '%s' (see 'calltrap --help')\n", cmd);
	return CT_EXIT_USAGE;
}
