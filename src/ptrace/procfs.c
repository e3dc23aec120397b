/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts about a task that only /proc tells: its thread group, its tracer. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrace/ptrace.h"

int ct_proc_auxv(pid_t pid, uint64_t type, uint64_t *val)
{
	uint64_t pair[2];
	char path[64];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fread(pair, sizeof(pair), 1, f) == 1 && pair[0] != 0) {
		if (pair[0] == type) {
			*val = pair[1];
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

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

int ct_proc_status_hex(pid_t tid, const char *field, uint64_t *val)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			*val = strtoull(line + flen + 1, NULL, 16);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int ct_proc_sig_caught(pid_t tid, int sig)
{
	uint64_t mask;
	int ret;

	if (sig < 1 || sig > 64)
		return -EINVAL;
	ret = ct_proc_status_hex(tid, "SigCgt", &mask);
	return ret < 0 ? ret : (int)((mask >> (sig - 1)) & 1);
}
