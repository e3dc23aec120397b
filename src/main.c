/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calltrap: subcommand dispatch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

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
		if (argc > 2 && !strcmp(argv[2], "trace"))
			ct_help_trace(stdout);
		else if (argc > 2) {
			fprintf(stderr, "calltrap: no such command '%s'\n", argv[2]);
			return CT_EXIT_USAGE;
		} else
			ct_help_main(stdout);
		return 0;
	}
	if (!strcmp(cmd, "trace"))
		return ct_cmd_trace(argc - 1, argv + 1);
	fprintf(stderr, "calltrap: no such command '%s' (see 'calltrap --help')\n", cmd);
	return CT_EXIT_USAGE;
}
