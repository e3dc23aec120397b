/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seizing the threads of a running process.  There is no atomic "attach to
 * a thread group": a thread can create another between our reading
 * /proc/PID/task and our seizing its creator.  So callers repeat passes
 * over /proc/PID/task until one finds nothing new, and something ensures
 * no unseen thread can still appear: PTRACE_O_TRACECLONE (the session),
 * or waiting until every seized thread has stopped before the next pass
 * (stacks).  Used by both src/session/session.c and src/stacks/stop.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "ptrace/ptrace.h"

pid_t ct_proc_tracer(pid_t tid)
{
	long t = ct_proc_status_field(tid, "TracerPid");

	return t > 0 ? (pid_t)t : 0;
}

char ct_proc_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the name in parentheses may itself hold ')' and spaces */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static int seize(pid_t tid, unsigned long options)
{
	if (ptrace(PTRACE_SEIZE, tid, 0L, options) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, 0L, 0L) < 0)
		return -errno;
	return 0;
}

int ct_ptrace_seize_pass(pid_t pid, unsigned long options, const struct ct_seize_cb *cb,
			 pid_t *tracer)
{
	struct dirent *de;
	char path[64];
	int added = 0, ret = 0;
	DIR *d;

	if (tracer)
		*tracer = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0 || !cb->want(cb->ctx, tid))
			continue;
		ret = seize(tid, options);
		if (ret == -ESRCH) {
			ret = 0;
			continue;
		}
		if (ret == -EPERM && ct_proc_tracer(tid) == getpid())
			ret = 0; /* auto-attached through a clone event */
		if (ret == -EPERM && cb->zombie) {
			char st = ct_proc_task_state(pid, tid);

			/* a thread that exited (a leader after pthread_exit)
			 * cannot be traced and needs not be; one already
			 * reaped since the refusal has no state left (0) */
			if (st == 'Z' || st == 'X' || st == 0) {
				ret = cb->zombie(cb->ctx, tid);
				if (ret < 0)
					break;
				continue;
			}
		}
		if (ret < 0) {
			if (ret == -EPERM && tracer)
				*tracer = ct_proc_tracer(tid);
			break;
		}
		ret = cb->added(cb->ctx, tid);
		if (ret < 0)
			break;
		added++;
	}
	closedir(d);
	return ret < 0 ? ret : added;
}
