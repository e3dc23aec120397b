/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: a process under a seccomp filter that calltrap's injected
 * system calls must respect (tests/integration/seccomp.sh).
 *
 *   seccomp MODE STOPFILE [MAXSECS]
 *   seccomp confine allow|exec-mmap PROGRAM [ARGS...]
 *
 * confine runs PROGRAM under a filter: one that allows everything (for
 * calltrap itself: a tracer under seccomp cannot read other processes'
 * filters), or the exec-mmap one below (for a program calltrap traces,
 * whose new image then cannot be).
 *
 * Otherwise, after its start-up, it installs by MODE a filter that
 *   kill-mmap    kills the process on any mmap;
 *   errno-mmap   fails any mmap with EPERM;
 *   exec-mmap    kills it on an anonymous executable mmap only (calltrap's
 *                scratch pages), which it checks by an anonymous read-write
 *                mmap and munmap of its own at each beat;
 *   log          logs mmap and allows every call;
 *   late         (none yet) on SIGUSR1, kills it on munmap and on an
 *                anonymous executable mmap, then prints "filter installed".
 * Then it prints pid=PID and loops calling beat(i) (which returns 2i + 1),
 * printing "beat N" every 50 ms, until STOPFILE exists (or MAXSECS,
 * default 30, passed) and beat() ran 20 times at least.  It prints "check
 * beats ok" when beat() returned what it should every time (and, for
 * errno-mmap, "check filter ok" when mmap still fails with EPERM), exiting
 * 0 only then.
 */
#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture"
#endif

#define TRACED __attribute__((noipa, used))

TRACED long beat(long i);

long beat(long i)
{
	asm volatile("");
	return 2 * i + 1;
}

/* the low word of argument n (little-endian) */
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

static int install(const struct sock_filter *insns, size_t n)
{
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = (struct sock_filter *)insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int install_mode(const char *mode)
{
	/* kill-mmap and errno-mmap: mmap gets `action` */
	const struct sock_filter on_mmap[] = {
		LD(offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 0, 3),
		LD(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 1),
		RET(strcmp(mode, "kill-mmap") == 0 ? SECCOMP_RET_KILL_PROCESS
		    : strcmp(mode, "log") == 0	   ? SECCOMP_RET_LOG
						   : SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};
	/* exec-mmap and late: an anonymous executable mmap kills (and, for
	 * late, any munmap) */
	const struct sock_filter on_exec_mmap[] = {
		LD(offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 0, 8),
		LD(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_munmap, 0, 1),
		RET(strcmp(mode, "late") == 0 ? SECCOMP_RET_KILL_PROCESS : SECCOMP_RET_ALLOW),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 4),
		LD(ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 2),
		LD(ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_KILL_PROCESS),
	};

	if (strcmp(mode, "exec-mmap") == 0 || strcmp(mode, "late") == 0)
		return install(on_exec_mmap, sizeof(on_exec_mmap) / sizeof(on_exec_mmap[0]));
	return install(on_mmap, sizeof(on_mmap) / sizeof(on_mmap[0]));
}

static volatile sig_atomic_t want_filter;

static void on_usr1(int sig)
{
	(void)sig;
	want_filter = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const struct timespec tick = { 0, 1000 * 1000 };
	double start, last = 0, maxsecs;
	long i = 0, sum = 0, want = 0, beats = 0;
	const char *mode;
	int failures = 0, late;

	if (argc >= 4 && strcmp(argv[1], "confine") == 0) {
		const struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };

		if (strcmp(argv[2], "allow") == 0 ? install(allow, 1) : install_mode(argv[2]))
			return 2;
		execvp(argv[3], argv + 3);
		return 127;
	}
	if (argc < 3 || (strcmp(argv[1], "kill-mmap") && strcmp(argv[1], "errno-mmap") &&
			 strcmp(argv[1], "exec-mmap") && strcmp(argv[1], "log") &&
			 strcmp(argv[1], "late"))) {
		fprintf(stderr, "usage: %s kill-mmap|errno-mmap|exec-mmap|log|late STOPFILE [MAXSECS]\n"
			"       %s confine allow|exec-mmap PROGRAM [ARGS...]\n", argv[0], argv[0]);
		return 2;
	}
	mode = argv[1];
	late = strcmp(mode, "late") == 0;
	maxsecs = argc > 3 ? atof(argv[3]) : 30;
	/* stdout's buffer now, before any filter can refuse its mmap */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seccomp %s\n", mode);
	if (late) {
		if (signal(SIGUSR1, on_usr1) == SIG_ERR)
			return 2;
	} else if (install_mode(mode)) {
		printf("cannot install the filter: %s\n", strerror(errno));
		return 2;
	}
	printf("pid=%d\n", getpid());

	start = now();
	while (i < 20 || (access(argv[2], F_OK) != 0 && now() - start < maxsecs)) {
		sum += beat(i);
		want += 2 * i + 1;
		i++;
		if (want_filter) {
			want_filter = 0;
			if (install_mode(mode)) {
				printf("cannot install the filter: %s\n", strerror(errno));
				return 2;
			}
			printf("filter installed\n");
		}
		if (now() - last >= 0.05) {
			last = now();
			printf("beat %ld\n", ++beats);
			if (strcmp(mode, "exec-mmap") == 0) {
				void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				if (p == MAP_FAILED || munmap(p, 4096)) {
					printf("check own-mmap FAIL %s\n", strerror(errno));
					failures++;
				}
			}
		}
		nanosleep(&tick, NULL);
	}
	if (access(argv[2], F_OK) != 0) {
		printf("check stopfile FAIL timeout\n");
		failures++;
	}
	if (sum == want) {
		printf("check beats ok n=%ld\n", i);
	} else {
		printf("check beats FAIL %ld, want %ld\n", sum, want);
		failures++;
	}
	if (strcmp(mode, "errno-mmap") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED && errno == EPERM) {
			printf("check filter ok\n");
		} else {
			printf("check filter FAIL mmap %s\n", p == MAP_FAILED ? strerror(errno) : "worked");
			failures++;
		}
	}
	return failures ? 1 : 0;
}
