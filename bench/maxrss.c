/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maxrss: run a program and write its peak resident set size, in KiB, to a
 * file.  bench/run.sh uses it only where GNU time (/usr/bin/time -f %M) is
 * missing; both report ru_maxrss from wait4().
 *
 * Usage: maxrss OUTFILE PROGRAM [ARGS...]
 *
 * Exits with the program's exit status (128 + signal if it was killed), or
 * 125 if the program could not be run or the figure not written.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXRSS_ERR_EXIT 125

static int write_kib(const char *path, long kib)
{
	FILE *f;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", kib) < 0) {
		int err = -errno;

		fclose(f);
		return err;
	}
	if (fclose(f))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int status, err;
	pid_t pid, r;

	if (argc < 3) {
		fprintf(stderr, "usage: maxrss OUTFILE PROGRAM [ARGS...]\n");
		return 2;
	}

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "maxrss: fork: %s\n", strerror(errno));
		return MAXRSS_ERR_EXIT;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "maxrss: exec %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}

	do
		r = wait4(pid, &status, 0, &ru);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fprintf(stderr, "maxrss: wait4 %d: %s\n", (int)pid, strerror(errno));
		return MAXRSS_ERR_EXIT;
	}

	/* Linux reports ru_maxrss in KiB (getrusage(2)). */
	err = write_kib(argv[1], ru.ru_maxrss);
	if (err) {
		fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(-err));
		return MAXRSS_ERR_EXIT;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
