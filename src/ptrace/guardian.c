/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calltrap's side of the guardian (guardian.h has the design,
 * guardian_main.c the process).
 *
 * calltrap takes the robust mutex, then forks; the child forks the
 * guardian and exits at once: the guardian is then nobody's child but
 * init's (or a subreaper's), so calltrap's waitpid(-1) never sees it nor
 * waits for it instead of failing with ECHILD.  It says it is ready before
 * calltrap patches anything.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptrace/guardian_proto.h"

#define CT_LOG_DOMAIN "guardian"
#include "util/log.h"

/* How long calltrap waits for the guardian to start, and to end. */
#define GUARD_WAIT_MS 1000

struct ct_guard {
	struct ct_guardtab tab;
	int sock;
	pid_t pid;
	int pidfd;      /* the guardian's, -1 without pidfd_open(2) */
	uint32_t next_mm;
	bool gone;      /* the guardian died before us: warned */
	bool full;      /* the table filled up: warned */
	bool locked;    /* we hold sh->alive */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The mutex whose release by the kernel tells the guardian we died. */
static int hold_alive(struct ct_guard *g)
{
	pthread_mutexattr_t a;
	int ret;

	ret = pthread_mutexattr_init(&a);
	if (ret)
		return -ret;
	ret = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (!ret)
		ret = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (!ret)
		ret = pthread_mutex_init(&g->tab.sh->alive, &a);
	pthread_mutexattr_destroy(&a);
	if (!ret)
		ret = pthread_mutex_lock(&g->tab.sh->alive);
	if (ret)
		return -ret;
	g->locked = true;
	return 0;
}

static int wait_readable(int sock, int ms)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
	int n;

	for (;;) {
		uint64_t now = mono_ns();

		if (now >= end)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)((end - now + 999999) / 1000000));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int wait_ready(struct ct_guard *g)
{
	struct ct_guard_msg msg;
	ssize_t n;
	int ret;

	ret = wait_readable(g->sock, GUARD_WAIT_MS);
	if (ret < 0)
		return ret;
	do
		n = recv(g->sock, &msg, sizeof(msg), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(msg) || msg.kind != CT_GUARD_READY)
		return -EPROTO;
	g->pid = msg.pid;
	return 0;
}

int ct_guard_start(struct ct_guard **out)
{
	struct ct_guard *g = calloc(1, sizeof(*g));
	int sv[2], ret, status;
	pid_t mid, w;

	if (!g)
		return -ENOMEM;
	g->sock = -1;
	g->pidfd = -1;
	ret = ct_guardtab_init(&g->tab, CT_GUARD_CAPACITY);
	if (ret == 0)
		ret = hold_alive(g);
	if (ret < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		goto fail;
	}
	g->sock = sv[0];
	mid = fork();
	if (mid == 0) {
		pid_t gp;

		close(sv[0]);
		gp = fork();
		if (gp == 0)
			ct_guardian_main(sv[1], g->tab.sh);
		_exit(gp < 0 ? 1 : 0);
	}
	if (mid < 0)
		ret = -errno;
	close(sv[1]);
	if (mid < 0)
		goto fail;
	do
		w = waitpid(mid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		ret = -EAGAIN;
		goto fail;
	}
	ret = wait_ready(g);
	if (ret < 0)
		goto fail;
#ifdef SYS_pidfd_open
	/* (it ends only when we stop it or die; were someone else to kill
	 * it in this instant and its pid be reused, ct_guard_stop would wait
	 * GUARD_WAIT_MS on a stranger, no more) */
	g->pidfd = (int)syscall(SYS_pidfd_open, g->pid, 0);
#endif
	ct_dbg("process %d started", (int)g->pid);
	*out = g;
	return 0;
fail:
	/* a guardian that started after all must not take this for our death */
	if (g->tab.sh)
		atomic_store_explicit(&g->tab.sh->stand_down, 1, memory_order_release);
	if (g->sock >= 0)
		close(g->sock);
	if (g->locked)
		pthread_mutex_unlock(&g->tab.sh->alive);
	ct_guardtab_fini(&g->tab);
	free(g);
	return ret;
}

void ct_guard_stop(struct ct_guard *g)
{
	char buf[sizeof(struct ct_guard_msg)];

	if (!g)
		return;
	atomic_store_explicit(&g->tab.sh->stand_down, 1, memory_order_release);
	/* It wakes and exits, closing its end (then it cannot write any
	 * more) and then ending (then no process of ours is left): once we
	 * return, both happened, or a second went by. */
	pthread_mutex_unlock(&g->tab.sh->alive);
	if (shutdown(g->sock, SHUT_WR) == 0) {
		while (wait_readable(g->sock, GUARD_WAIT_MS) == 0 &&
		       recv(g->sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	if (g->pidfd >= 0) {
		wait_readable(g->pidfd, GUARD_WAIT_MS);
		close(g->pidfd);
	}
	ct_dbg("process %d stood down", (int)g->pid);
	close(g->sock);
	ct_guardtab_fini(&g->tab);
	free(g);
}

pid_t ct_guard_pid(const struct ct_guard *g)
{
	return g ? g->pid : 0;
}

static int send_msg(struct ct_guard *g, const struct ct_guard_msg *msg, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int ret;

	if (g->gone)
		return -EPIPE;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	do
		n = sendmsg(g->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*msg))
		return 0;
	ret = n < 0 ? -errno : -EIO;
	/* a message lost would leave the guardian with a wrong picture:
	 * stop using it */
	g->gone = true;
	ct_warn("the guardian (process %d) is unreachable (%s): if calltrap is killed, "
		"the traced processes keep their breakpoints",
		(int)g->pid, ret == -EPIPE || ret == -ECONNRESET ? "gone" : strerror(-ret));
	return ret;
}

int ct_guard_add_mm(struct ct_guard *g, const struct ct_pmem *mem, uint32_t *mm)
{
	struct ct_guard_msg msg = { .kind = CT_GUARD_ADD_MM, .mm = ++g->next_mm, .pid = mem->pid };
	int ret = send_msg(g, &msg, mem->fd);

	if (ret == 0)
		*mm = msg.mm;
	return ret;
}

void ct_guard_drop_mm(struct ct_guard *g, uint32_t mm)
{
	struct ct_guard_msg msg = { .kind = CT_GUARD_DROP_MM, .mm = mm };

	if (g)
		send_msg(g, &msg, -1);
}

uint32_t ct_guard_note(struct ct_guard *g, uint32_t mm, uint64_t addr, const void *orig,
		       size_t len)
{
	uint32_t h;

	if (!g || g->gone || !len || len > CT_GUARD_MAX_LEN)
		return 0;
	h = ct_guardtab_note(&g->tab, mm, addr, orig, len);
	if (!h && !g->full) {
		g->full = true;
		ct_warn("the guardian's table is full (%u patches): if calltrap is killed, "
			"the traced processes keep the breakpoints placed from now on",
			(unsigned)g->tab.sh->cap);
	}
	return h;
}

void ct_guard_forget(struct ct_guard *g, uint32_t handle)
{
	if (g)
		ct_guardtab_forget(&g->tab, handle);
}
