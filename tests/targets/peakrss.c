/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper: `peakrss FILE PROGRAM [ARGS...]` runs PROGRAM and writes its
 * peak resident set size in KiB (wait4's ru_maxrss: the largest of PROGRAM
 * and the descendants it waited for) to FILE, then exits as PROGRAM did
 * (128 + N when killed by signal N).  What GNU time's %M gives, without
 * its package; and unlike a Python wrapper, a program this small adds
 * nothing to the figure (a process keeps its high-water mark across exec,
 * so a child forked from a 13 MB interpreter peaks at 13 MB at least).
 */
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE PROGRAM [ARGS...]\n", argv[0]);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("wait4");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f)) {
		perror(argv[1]);
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
