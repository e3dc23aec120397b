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

/* PF_KTHREAD (include/linux/sched.h), in /proc/PID/stat's flags. */
#define CT_PF_KTHREAD 0x00200000ul

bool ct_proc_is_kthread(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	/* past "PID (COMM)", which may hold spaces and ')': state, ppid, pgrp,
	 * session, tty_nr, tpgid, then flags */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & CT_PF_KTHREAD;
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
