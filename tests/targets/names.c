/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process whose names try to forge lines of `calltrap stacks`
 * (tests/integration/stacks_names.sh):
 *
 *   main      renames itself (prctl PR_SET_NAME) "\ndeadlock: 1->1" and
 *             blocks in read() on its stdin
 *   other     renames itself (pthread_setname_np) with a quote, a
 *             backslash, a newline and a terminal escape sequence, and
 *             blocks in read() on a FIFO it made in DIR, named
 *             "f\ndeadlock: 2->2" (the fd's target is in the system call's
 *             text)
 *
 * It prints the truth: "truth pid=P role=main", then for each thread
 * "truth tid=T name=HEX" with the bytes of the name the kernel holds (read
 * back from /proc), and "truth fifo=HEX" with the FIFO's path; then
 * "ready".  A line on stdin (or its end) ends it.
 *
 * usage: names DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAIN_NAME "\ndeadlock: 1->1"
#define OTHER_NAME "q\"\\\n\033[31mred"
#define FIFO_NAME "f\ndeadlock: 2->2"

static pthread_barrier_t named;
static char fifo[4096];
static pid_t other_tid;

static void hex(const char *what, const char *s)
{
	printf("%s=", what);
	for (; *s; s++)
		printf("%02x", (unsigned char)*s);
}

/* The name as the kernel holds it (comm: at most 15 bytes). */
static void truth_thread(pid_t tid)
{
	char path[64], name[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, name, sizeof(name) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		printf("check comm FAIL (%s)\n", strerror(errno));
		exit(1);
	}
	/* the kernel ends comm with a newline of its own */
	name[n - 1] = '\0';
	printf("truth tid=%d ", (int)tid);
	hex("name", name);
	putchar('\n');
}

static void *other(void *arg)
{
	char c;
	int fd;

	(void)arg;
	other_tid = (pid_t)syscall(SYS_gettid);
	if (pthread_setname_np(pthread_self(), OTHER_NAME) != 0) {
		printf("check setname FAIL\n");
		exit(1);
	}
	/* O_RDWR: the open does not wait for a writer, the read does */
	fd = open(fifo, O_RDWR);
	if (fd < 0) {
		printf("check fifo FAIL (%s)\n", strerror(errno));
		exit(1);
	}
	pthread_barrier_wait(&named);
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	char c;

	if (argc != 2) {
		fprintf(stderr, "usage: names DIR\n");
		return 2;
	}
	snprintf(fifo, sizeof(fifo), "%s/%s", argv[1], FIFO_NAME);
	unlink(fifo);
	if (mkfifo(fifo, 0600) < 0 || prctl(PR_SET_NAME, MAIN_NAME, 0, 0, 0) < 0) {
		printf("check setup FAIL (%s)\n", strerror(errno));
		return 1;
	}
	pthread_barrier_init(&named, NULL, 2);
	if (pthread_create(&t, NULL, other, NULL) != 0)
		return 1;
	pthread_barrier_wait(&named);
	printf("truth pid=%d role=main\n", (int)getpid());
	truth_thread(getpid());
	truth_thread(other_tid);
	printf("truth ");
	hex("fifo", fifo);
	printf("\nready\n");
	fflush(stdout);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	unlink(fifo);
	return 0;
}
