/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Before calltrap injects a system call into a thread, the thread's own
 * seccomp filters are asked about that exact call: its number, the arch,
 * its six arguments and the instruction pointer the kernel will report.
 * A filter that kills, traps or fails it would kill or disturb the
 * process, and calltrap does not inject what it cannot check.
 *
 * The filters are read with PTRACE_SECCOMP_GET_FILTER, which needs
 * CAP_SYS_ADMIN and a tracer under no seccomp filter of its own.  When
 * they cannot be read, the one case taken on trust is a process calltrap
 * started (or a child of it) with as many filters as calltrap runs under:
 * filters are inherited and only ever added, so those are calltrap's own
 * (a container's profile, say), which the system calls calltrap makes for
 * itself pass.  A process calltrap did not start proves nothing by its
 * count: it is refused.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "ptrace/ptrace.h"
#include "ptrace/seccomp.h"

#define CT_LOG_DOMAIN "seccomp"
#include "util/log.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* The filter count of /proc/TID/status (kernel 5.9+), or -1. */
static long nr_filters(pid_t tid)
{
	return ct_proc_status_field(tid, "Seccomp_filters");
}

/* Is tid's process calltrap's child, or a descendant of it? */
static bool descends_from_us(pid_t tid)
{
	pid_t self = getpid();
	long pid = ct_proc_status_field(tid, "Tgid");
	int depth;

	for (depth = 0; pid > 1 && depth < 64; depth++) {
		pid = ct_proc_status_field((pid_t)pid, "PPid");
		if (pid == self)
			return true;
	}
	return false;
}

static bool same_filters_as_ours(pid_t tid)
{
	pid_t self = getpid();
	long ours = nr_filters(self);

	return ct_proc_status_field(self, "Seccomp") == SECCOMP_MODE_FILTER && ours > 0 &&
	       nr_filters(tid) == ours && descends_from_us(tid);
}

/* Run filter `index` of tid on d into *verdict.  0, -ENOENT past the last
 * filter, or -errno when it cannot be read. */
static int run_filter(pid_t tid, unsigned long index, const struct seccomp_data *d,
		      uint32_t *verdict)
{
	struct sock_filter *prog;
	long n, m;

	n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, index, NULL);
	if (n < 0)
		return -errno;
	if (n == 0 || n > BPF_MAXINSNS)
		return -EINVAL;
	prog = calloc((size_t)n, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	m = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, index, prog);
	if (m != n) {
		free(prog);
		return m < 0 ? -errno : -EINVAL;
	}
	*verdict = ct_seccomp_run(prog, (size_t)n, d);
	free(prog);
	return 0;
}

int ct_seccomp_check(pid_t tid, const struct ct_arch *arch, long nr, const uint64_t args[6],
		     uint64_t ip, uint32_t *verdict)
{
	struct seccomp_data d;
	unsigned long i;
	uint32_t one = SECCOMP_RET_ALLOW;
	int ret;

	*verdict = SECCOMP_RET_ALLOW;
	switch (ct_proc_status_field(tid, "Seccomp")) {
	case SECCOMP_MODE_FILTER:
		break;
	case SECCOMP_MODE_STRICT:
		/* read, write, exit and sigreturn only */
		*verdict = SECCOMP_RET_KILL_THREAD;
		return -ECANCELED;
	default:
		/* none, or the thread is gone (the injection will tell) */
		return 0;
	}
	memset(&d, 0, sizeof(d));
	d.nr = (int)nr;
	d.arch = arch->audit_arch;
	d.instruction_pointer = ip;
	memcpy(d.args, args, sizeof(d.args));
	for (i = 0;; i++) {
		ret = run_filter(tid, i, &d, &one);
		if (ret == -ENOENT && i > 0)
			break;
		if (ret == -ESRCH)
			return ret;
		if (ret < 0) {
			if (same_filters_as_ours(tid)) {
				ct_dbg("tid %d: filters unreadable (%s), as many as ours", (int)tid,
				       strerror(-ret));
				return 0;
			}
			ct_dbg("tid %d: cannot read seccomp filter %lu: %s", (int)tid, i,
			       strerror(-ret));
			return -EACCES;
		}
		*verdict = ct_seccomp_combine(*verdict, one);
	}
	ct_dbg("tid %d: syscall %ld: %s (%#x)", (int)tid, nr, ct_seccomp_action_name(*verdict),
	       *verdict);
	return ct_seccomp_allows(*verdict) ? 0 : -ECANCELED;
}

const char *ct_remote_refusal(int err)
{
	switch (err) {
	case -ECANCELED:
		return "its seccomp filter forbids";
	case -EACCES:
		return "calltrap cannot read its seccomp filters (that needs CAP_SYS_ADMIN and no "
		       "seccomp filter on calltrap itself) to check";
	default:
		return NULL;
	}
}
