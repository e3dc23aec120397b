/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts about a task that only /proc tells: its thread group, its tracer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrace/ptrace.h"

long ct_proc_status_field(pid_t tid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			val = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}
