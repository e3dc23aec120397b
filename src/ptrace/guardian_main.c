/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guardian process (guardian.h has the design, guardian.c calltrap's
 * side).
 *
 * It keeps stderr, for the line that says what it did, and the socket;
 * every other file calltrap had open is closed, stdin and stdout go to
 * /dev/null.  Two threads wait for calltrap's end:
 * - the main thread reads the socket: address spaces handed over (their
 *   /proc/PID/mem) or dropped; the end of the socket is calltrap's end;
 * - a watcher blocks on the robust mutex calltrap holds, which the kernel
 *   releases (EOWNERDEAD) when calltrap dies, before it frees calltrap's
 *   memory and closes its files: the earliest word of its death.
 * The first to see the end takes `lock`, reads what is left on the socket,
 * and either exits without writing (calltrap stood it down) or writes
 * every live entry of the table back through the files it holds, says so
 * on stderr, and exits the whole process.  Messages are taken off the
 * socket only under `lock`, so none is half-handled when it restores.
 *
 * Threads of the traced process are not ours to stop: one that runs into a
 * breakpoint between calltrap's death and the end of the restore takes a
 * SIGTRAP nobody handles.  The restore is one pwrite per patch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ptrace/guardian_proto.h"
#include "util/hashmap.h"

#define CT_LOG_DOMAIN "guardian"
#include "util/log.h"

#define GUARD_SOCK_FD 3

/* An address space as the guardian holds it. */
struct guard_mm {
	int fd; /* calltrap's /proc/PID/mem, -1 if it did not arrive */
	pid_t pid;
	unsigned restored, failed;
	int err;
};

struct guardian {
	struct ct_guard_shared *sh;
	int sock;
	pthread_mutex_t lock; /* mms, and taking messages off the socket */
	struct ct_hashmap mms;
	unsigned unknown;     /* live entries of no address space we hold */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- restoring ---- */

static void restore_one(void *ctx, const struct ct_guard_entry *e)
{
	struct guardian *g = ctx;
	struct guard_mm *m = ct_hashmap_get(&g->mms, e->mm);
	ssize_t n;

	if (!m) {
		g->unknown++;
		return;
	}
	if (m->fd < 0) {
		m->failed++;
		return;
	}
	n = pwrite(m->fd, e->orig, e->len, (off_t)e->addr);
	if (n == (ssize_t)e->len) {
		m->restored++;
	} else if (n != 0) {
		/* (0: /proc/PID/mem of an address space that ended, by exit
		 * or exec: there is nothing to restore) */
		m->failed++;
		m->err = n < 0 ? errno : EIO;
	}
}

static void report(struct guardian *g, uint64_t ns)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&g->mms, &it, &key, &val)) {
		struct guard_mm *m = val;

		if (m->restored)
			fprintf(stderr,
				"calltrap: guardian: calltrap died; restored %u patched "
				"instruction%s of process %d in %" PRIu64 " us\n",
				m->restored, m->restored == 1 ? "" : "s", (int)m->pid,
				(ns + 500) / 1000);
		if (m->failed)
			fprintf(stderr,
				"calltrap: guardian: process %d: %u patched instruction%s "
				"not restored: %s\n",
				(int)m->pid, m->failed, m->failed == 1 ? "" : "s",
				m->fd < 0 ? "its memory did not reach the guardian"
					  : strerror(m->err));
	}
	if (g->unknown)
		fprintf(stderr,
			"calltrap: guardian: %u patched instructions of a process it "
			"never heard of not restored\n",
			g->unknown);
}

/* ---- messages ---- */

static void mm_free(struct guard_mm *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

static void handle(struct guardian *g, const struct ct_guard_msg *msg, int fd)
{
	struct guard_mm *m;

	switch (msg->kind) {
	case CT_GUARD_ADD_MM:
		/* fd is -1 when it was cut off (no file left): the report
		 * then says so */
		m = calloc(1, sizeof(*m));
		if (!m || ct_hashmap_put(&g->mms, msg->mm, m) < 0) {
			free(m);
			break; /* its entries are reported as unknown */
		}
		m->fd = fd;
		m->pid = msg->pid;
		return;
	case CT_GUARD_DROP_MM:
		m = ct_hashmap_del(&g->mms, msg->mm);
		if (m)
			mm_free(m);
		break;
	default:
		break;
	}
	if (fd >= 0)
		close(fd);
}

/* Take every message waiting off the socket, with g->lock held: 1 at the
 * end of the socket, 0 when none is left, -errno when it cannot be read. */
static int drain(struct guardian *g)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct ct_guard_msg msg;
		struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm;
		int fd = -1;
		ssize_t n;

		n = recvmsg(g->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		if (n == 0)
			return 1;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if ((size_t)n == sizeof(msg))
			handle(g, &msg, fd);
		else if (fd >= 0)
			close(fd);
	}
}

/* calltrap has ended (t0: when we knew, and how): stood down, or dead. */
static __attribute__((noreturn)) void finish(struct guardian *g, uint64_t t0, const char *how)
{
	uint64_t t1;

	pthread_mutex_lock(&g->lock);
	/* what calltrap sent before it ended is all there is now */
	drain(g);
	if (!atomic_load_explicit(&g->sh->stand_down, memory_order_acquire)) {
		ct_guardtab_scan(g->sh, restore_one, g);
		t1 = mono_ns();
		report(g, t1 - t0);
		/* for bench/guardian.py */
		ct_dbg("calltrap's death noticed by %s at %" PRIu64 ", restored at %" PRIu64
		       " (CLOCK_MONOTONIC ns)",
		       how, t0, t1);
	}
	_exit(0);
}

static void *watch_calltrap(void *arg)
{
	struct guardian *g = arg;
	int ret = pthread_mutex_lock(&g->sh->alive);

	/* EOWNERDEAD: it died holding it; 0: it let go (ct_guard_stop) */
	if (ret == EOWNERDEAD || ret == 0)
		finish(g, mono_ns(), "its mutex");
	return NULL; /* the socket will tell */
}

/* ---- becoming the guardian ---- */

static void close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0) == 0)
		return;
#endif
	{
		long max = sysconf(_SC_OPEN_MAX), fd;

		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = lowfd; fd < max; fd++)
			close((int)fd);
	}
}

/* Shed what the guardian must not keep or inherit of calltrap: its
 * process group and session (a terminal's ^C, a kill of the group), its
 * signal handlers and mask, its files.  The socket's new fd, or -1. */
static int shed_calltrap(int sock)
{
	struct rlimit rl;
	sigset_t none;
	int sig, fd, devnull;

	setsid();
	prctl(PR_SET_NAME, CT_GUARD_NAME, 0, 0, 0);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for KILL, STOP and glibc's own */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	fd = fcntl(sock, F_DUPFD, GUARD_SOCK_FD);
	devnull = open("/dev/null", O_RDWR);
	if (fd < 0 || devnull < 0)
		return -1;
	/* no hold on calltrap's stdin or stdout (a pipe a script reads to its
	 * end, a terminal): stderr stays, for the report */
	if (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0)
		return -1;
	if (fd != GUARD_SOCK_FD && dup2(fd, GUARD_SOCK_FD) < 0)
		return -1;
	close_from(GUARD_SOCK_FD + 1);
	/* one file per address space: as many as the limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* It sleeps until calltrap dies and must then run at once, on a
	 * machine as busy as ever: the highest priority it may take
	 * (lowering the nice value needs CAP_SYS_NICE; without, it stays). */
	setpriority(PRIO_PROCESS, 0, -20);
	return GUARD_SOCK_FD;
}

void ct_guardian_main(int sock, struct ct_guard_shared *sh)
{
	struct ct_guard_msg ready = { .kind = CT_GUARD_READY };
	struct guardian g = { .sh = sh };
	struct pollfd p;
	pthread_t th;

	g.sock = shed_calltrap(sock);
	if (g.sock < 0 || pthread_mutex_init(&g.lock, NULL))
		_exit(1);
	ct_hashmap_init(&g.mms);
	/* without the watcher, the end of the socket is enough, only later */
	pthread_create(&th, NULL, watch_calltrap, &g);
	ready.pid = (int32_t)getpid();
	if (send(g.sock, &ready, sizeof(ready), MSG_NOSIGNAL) != sizeof(ready))
		_exit(1);
	p = (struct pollfd){ .fd = g.sock, .events = POLLIN };
	for (;;) {
		int ret;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(1);
		pthread_mutex_lock(&g.lock);
		ret = drain(&g);
		pthread_mutex_unlock(&g.lock);
		if (ret == 1)
			finish(&g, mono_ns(), "its socket");
		if (ret < 0 && ret != -ENOMEM && ret != -ENOBUFS)
			_exit(1); /* calltrap may be alive: write nothing */
		if (ret < 0)
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
}
