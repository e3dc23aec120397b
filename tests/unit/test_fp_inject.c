/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's memory in a real traced child (src/fastpath/inject.c,
 * ct_bpset_code_alloc): a forked child that computes and checks its own
 * work is seized and interrupted, the shared area is injected and taken
 * away again, code blocks are allocated near its main module; everything
 * is checked from outside (/proc/CHILD/maps, fd, mem, its registers), and
 * the child, resumed, must finish its own checks and exit 0.  Children
 * under seccomp filters that forbid one of the calls must be left
 * untouched.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "breakpoints/breakpoints.h"
#include "fastpath/inject.h"
#include "symtab/symtab.h"

#define MIB (1024ull * 1024ull)

/* ---- the child ---------------------------------------------------- */

/* Data the child checks is never written by anyone but itself. */
static uint64_t child_data[64];

static uint64_t mix(uint64_t x)
{
	return x * 6364136223846793005ull + 1442695040888963407ull;
}

/* Computes, checks and polls `go` until a byte comes: 0 when every check
 * held.  Its stack and data are compared with what it put there, its
 * sums against their closed form. */
static int child_work(int go)
{
	volatile uint64_t stack_pattern[64];
	uint64_t x = 1, n, sum;
	char c;
	int i, bad = 0;

	for (i = 0; i < 64; i++)
		stack_pattern[i] = child_data[i] = mix((uint64_t)i);
	for (;;) {
		for (n = 1000; n < 1064; n++) {
			sum = 0;
			for (uint64_t k = 1; k <= n; k++)
				sum += k;
			bad |= sum != n * (n + 1) / 2;
			x = mix(x);
		}
		for (i = 0; i < 64; i++)
			bad |= stack_pattern[i] != mix((uint64_t)i) || child_data[i] != mix((uint64_t)i);
		ssize_t r = read(go, &c, 1);
		if (r == 1)
			break;
		if (r == 0) /* the test is gone */
			return 3;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			bad = 1;
	}
	return bad ? 1 : 0;
}

/* What the child does to itself before its loop. */
enum filter { NO_FILTER, FORBID_MEMFD, FORBID_CLOSE, LIMIT_AS };

/* SECCOMP_RET_KILL_PROCESS for one call of this ISA: calltrap injecting
 * it would kill the child, which the test would see. */
static int install_filter(long nr)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ct_arch_host()->audit_arch, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Room for LIMIT_AS_ROOM more bytes of address space, no more: the
 * scratch area fits, a large fast-path area does not. */
#define LIMIT_AS_ROOM (32 * MIB)
static int limit_as(void)
{
	unsigned long pages;
	struct rlimit rl;
	FILE *f = fopen("/proc/self/statm", "re");

	if (!f || fscanf(f, "%lu", &pages) != 1)
		return -1;
	fclose(f);
	rl.rlim_cur = rl.rlim_max = pages * (unsigned long)sysconf(_SC_PAGESIZE) + LIMIT_AS_ROOM;
	return setrlimit(RLIMIT_AS, &rl);
}

struct child {
	pid_t pid;
	int go; /* write a byte: the child finishes */
};

/* Fork the child and wait until it runs its loop (filter installed). */
static void child_start(struct child *ch, enum filter filter)
{
	int go[2], ready[2];
	char c;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		const struct ct_arch *A = ct_arch_host();

		/* closing the other ends leaves holes in the fd table: the
		 * lowest free number is not the one after the highest */
		close(go[1]);
		close(ready[0]);
		/* a failed test leaves no child behind */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || fcntl(go[0], F_SETFL, O_NONBLOCK) ||
		    (filter == FORBID_MEMFD && install_filter(A->nr_memfd_create)) ||
		    (filter == FORBID_CLOSE && install_filter(A->nr_close)) ||
		    (filter == LIMIT_AS && limit_as()) ||
		    write(ready[1], "r", 1) != 1)
			_exit(2);
		_exit(child_work(go[0]));
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ch->go = go[1];
}

static int child_finish(struct child *ch)
{
	int status;

	assert_int_equal(write(ch->go, "g", 1), 1);
	close(ch->go);
	assert_int_equal(waitpid(ch->pid, &status, 0), ch->pid);
	if (!WIFEXITED(status)) {
		print_error("child ended by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -1;
	}
	return WEXITSTATUS(status);
}

static void seize(pid_t pid)
{
	int status;

	assert_int_equal(ct_ptrace_seize(pid, true), 0);
	assert_int_equal(ct_ptrace_wait(pid, &status, true, 0), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(status >> 16, PTRACE_EVENT_STOP);
}

/* ---- what is seen from outside -------------------------------------- */

/* "fd -> target" of every descriptor of pid, one a line, sorted. */
static char *fd_table(pid_t pid)
{
	char path[320], link[256], *out = NULL, *lines[256];
	size_t n = 0, len = 0, i, j;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)) && n < 256) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, d->d_name);
		ssize_t k = readlink(path, link, sizeof(link) - 1);
		assert_true(k > 0);
		link[k] = 0;
		assert_true(asprintf(&lines[n], "%s -> %s\n", d->d_name, link) > 0);
		n++;
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(lines[j], lines[i]) < 0) {
				char *t = lines[i];
				lines[i] = lines[j];
				lines[j] = t;
			}
	out = calloc(1, 1);
	for (i = 0; i < n; i++) {
		out = realloc(out, len + strlen(lines[i]) + 1);
		strcpy(out + len, lines[i]);
		len += strlen(lines[i]);
		free(lines[i]);
	}
	return out;
}

/* The maps line that contains addr (NULL: none), a copy. */
static char *maps_line(pid_t pid, uint64_t addr)
{
	char path[64], line[512];
	unsigned long lo, hi;
	char *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			found = strdup(line);
	fclose(f);
	return found;
}

/* The whole of /proc/PID/maps. */
static char *maps_text(pid_t pid)
{
	char path[64], *text = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	n = getdelim(&text, &cap, 0, f);
	assert_true(n > 0);
	fclose(f);
	return text;
}

/* [lo, hi) of every mapping of the child's executable (this test). */
static void main_module(pid_t pid, uint64_t *lo, uint64_t *hi)
{
	char path[64], exe[512], line[1024];
	unsigned long a, b;
	FILE *f;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = 0;
	*lo = UINT64_MAX;
	*hi = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');
		size_t el = strlen(exe);

		if (nl)
			*nl = 0;
		if (strlen(line) < el || strcmp(line + strlen(line) - el, exe) != 0 ||
		    sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		*lo = a < *lo ? a : *lo;
		*hi = b > *hi ? b : *hi;
	}
	fclose(f);
	assert_true(*lo < *hi);
}

static uint64_t find_gap(void *ctx, uint64_t near, uint64_t lo, uint64_t hi, uint64_t len)
{
	pid_t pid = *(pid_t *)ctx;
	struct ct_maps maps;
	uint64_t gap;

	if (ct_maps_read(pid, &maps) < 0)
		return 0;
	gap = ct_maps_find_gap(&maps, near, lo, hi, len);
	ct_maps_fini(&maps);
	return gap;
}

static uint64_t dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* ---- the tests ------------------------------------------------------ */

static const struct ct_fp_geometry geometry = { .nr_slots = 64, .nr_rings = 8,
						.ring_capacity = 256 };

/* The tracer's side of one child: memory, scratch areas, an injector. */
struct tracer {
	pid_t pid;
	const struct ct_arch *arch;
	struct ct_pmem mem;
	struct ct_bpset bs;
	struct ct_regs regs;
	struct ct_injector inj;
	struct ct_fp_remote rc;
	uint64_t lo, hi;
};

static void tracer_init(struct tracer *t, pid_t pid)
{
	t->pid = pid;
	t->arch = ct_arch_host();
	assert_int_equal(ct_pmem_open(&t->mem, pid), 0);
	assert_int_equal(ct_bpset_init(&t->bs, t->arch, &t->mem, find_gap, &t->pid), 0);
	assert_int_equal(ct_regs_get(pid, t->arch, &t->regs), 0);
	t->inj = (struct ct_injector){ .tid = pid, .regs = &t->regs, .world_stopped = true };
	main_module(pid, &t->lo, &t->hi);
	t->rc = (struct ct_fp_remote){ .tid = pid, .arch = t->arch, .mem = &t->mem,
				       .regs = &t->regs };
	assert_int_equal(ct_bpset_code_alloc(&t->bs, t->lo, t->hi, CT_FP_MEMFD_NAME_SIZE,
					     &t->inj, &t->rc.name),
			 0);
	assert_int_equal(ct_bpset_syscall_site(&t->bs, &t->inj, &t->rc.code, &t->rc.write_code),
			 0);
	assert_false(t->rc.write_code); /* the scratch area's own pair */
}

/* Scratch areas unmapped, the child detached and still running. */
static void tracer_fini(struct tracer *t)
{
	struct ct_regs now;

	assert_int_equal(ct_bpset_unmap_areas(&t->bs, &t->inj), 0);
	ct_bpset_fini(&t->bs);
	ct_pmem_close(&t->mem);
	assert_int_equal(ct_regs_get(t->pid, t->arch, &now), 0);
	assert_memory_equal(&now, &t->regs, t->arch->regs_size);
	assert_int_equal(ct_ptrace_detach(t->pid, 0), 0);
}

static void test_inject_and_remove(void **state)
{
	uint64_t remote = 0, c1, c2, v, magic;
	struct ct_fp_area a;
	struct ct_regs now;
	struct tracer t;
	struct child ch;
	const char *call = NULL;
	char *fds_before, *fds, *maps_before, *maps, *line;

	(void)state;
	child_start(&ch, NO_FILTER);
	seize(ch.pid);
	fds_before = fd_table(ch.pid);
	tracer_init(&t, ch.pid);

	/* two trampoline-sized blocks near the main module, read+exec */
	assert_int_equal(ct_bpset_code_alloc(&t.bs, t.lo, t.hi, 400, &t.inj, &c1), 0);
	assert_int_equal(ct_bpset_code_alloc(&t.bs, t.lo, t.hi, 333, &t.inj, &c2), 0);
	assert_true(c2 >= c1 + 400 || c1 >= c2 + 333);
	assert_true(c1 != t.rc.name && c2 != t.rc.name);
	assert_int_equal(c1 % t.arch->slot_size, 0);
	assert_int_equal(c2 % t.arch->slot_size, 0);
	for (uint64_t c = c1, len = 400; c; c = c == c1 ? c2 : 0, len = 333) {
		uint8_t bytes[400], back[400];

		assert_true(dist(c, t.lo) < 2048 * MIB && dist(c + len, t.hi) < 2048 * MIB);
		assert_true(dist(c, t.hi) < 2048 * MIB && dist(c + len, t.lo) < 2048 * MIB);
		line = maps_line(ch.pid, c);
		assert_non_null(line);
		assert_non_null(strstr(line, " r-xp "));
		free(line);
		line = maps_line(ch.pid, c + len - 1);
		assert_non_null(strstr(line, " r-xp "));
		free(line);
		memset(bytes, (int)(c & 0xff) | 1, len);
		assert_int_equal(ct_pmem_write(&t.mem, c, bytes, len), 0);
		assert_int_equal(ct_pmem_read(&t.mem, c, back, len), 0);
		assert_memory_equal(back, bytes, len);
	}
	/* a block no area can hold */
	assert_int_equal(ct_bpset_code_alloc(&t.bs, t.lo, t.hi, 64 * MIB, &t.inj, &v), -EINVAL);
	maps_before = maps_text(ch.pid);

	assert_int_equal(ct_fp_area_inject(&a, &geometry, &t.rc, &remote, &call), 0);
	assert_non_null(a.base);
	assert_int_equal(a.size, ct_fp_area_size(&geometry));
	assert_true(remote != 0);

	/* mapped at the address returned: shared, read+write, the memfd */
	line = maps_line(ch.pid, remote);
	assert_non_null(line);
	assert_non_null(strstr(line, " rw-s "));
	assert_non_null(strstr(line, "/memfd:" CT_FP_MEMFD_NAME));
	assert_int_equal(strtoull(line, NULL, 16), remote);
	free(line);
	line = maps_line(ch.pid, remote + a.size - 1);
	assert_non_null(strstr(line, "/memfd:" CT_FP_MEMFD_NAME));
	free(line);

	/* nothing left in its fd table */
	fds = fd_table(ch.pid);
	assert_string_equal(fds, fds_before);
	free(fds);

	/* one set of bytes: calltrap's laid-out header seen by the tracee,
	 * a word written on each side read on the other */
	assert_int_equal(ct_pmem_read(&t.mem, remote, &magic, sizeof(magic)), 0);
	assert_true(magic == CT_FP_MAGIC);
	v = 0x1122334455667788ull;
	memcpy((char *)a.base + a.size - 8, &v, 8);
	v = 0;
	assert_int_equal(ct_pmem_read(&t.mem, remote + a.size - 8, &v, 8), 0);
	assert_true(v == 0x1122334455667788ull);
	v = 0x8877665544332211ull;
	assert_int_equal(ct_pmem_write(&t.mem, remote + 4096, &v, 8), 0);
	assert_memory_equal((char *)a.base + 4096, &v, 8);

	/* its registers as they were */
	assert_int_equal(ct_regs_get(ch.pid, t.arch, &now), 0);
	assert_memory_equal(&now, &t.regs, t.arch->regs_size);

	/* removed: its maps and its fd table as before */
	assert_int_equal(ct_fp_area_eject(&a, &t.rc, remote), 0);
	assert_null(a.base);
	maps = maps_text(ch.pid);
	assert_string_equal(maps, maps_before);
	free(maps);
	fds = fd_table(ch.pid);
	assert_string_equal(fds, fds_before);
	free(fds);

	tracer_fini(&t);
	free(maps_before);
	free(fds_before);
	assert_int_equal(child_finish(&ch), 0);
}

/* A filter that forbids `what`: refused as seccomp's doing, nothing
 * injected (the filter kills the child if anything was). */
static void refused(enum filter filter, const char *what)
{
	uint64_t remote = 0;
	struct ct_fp_area a;
	struct tracer t;
	struct child ch;
	const char *call = NULL;
	char *fds_before, *fds, *maps_before, *maps;
	int err;

	child_start(&ch, filter);
	seize(ch.pid);
	fds_before = fd_table(ch.pid);
	tracer_init(&t, ch.pid);
	maps_before = maps_text(ch.pid);

	err = ct_fp_area_inject(&a, &geometry, &t.rc, &remote, &call);
	assert_true(err == -ECANCELED || err == -EACCES);
	assert_non_null(ct_remote_refusal(err));
	/* -EACCES: the filters cannot be read here (no CAP_SYS_ADMIN), so
	 * the first call put to them is refused already */
	if (err == -ECANCELED)
		assert_string_equal(call, what);
	assert_null(a.base);
	assert_int_equal(a.fd, -1);
	maps = maps_text(ch.pid);
	assert_string_equal(maps, maps_before);
	free(maps);
	fds = fd_table(ch.pid);
	assert_string_equal(fds, fds_before);
	free(fds);

	tracer_fini(&t);
	free(maps_before);
	free(fds_before);
	assert_int_equal(child_finish(&ch), 0);
}

static void test_seccomp_forbids_memfd(void **state)
{
	(void)state;
	refused(FORBID_MEMFD, "memfd_create");
}

/* memfd_create allowed, close forbidden: refused before the memfd is
 * made, or it would stay in the child's fd table. */
static void test_seccomp_forbids_close(void **state)
{
	(void)state;
	refused(FORBID_CLOSE, "close");
}

/* The mmap fails (ENOMEM) after the memfd was made and adopted: all of
 * it undone, in the child (its descriptor closed, nothing mapped) and in
 * calltrap (a is empty again). */
static void test_undone_on_failure(void **state)
{
	static const struct ct_fp_geometry big = { .nr_slots = 64, .nr_rings = 8,
						   .ring_capacity = 1u << 18 };
	uint64_t remote = 0;
	struct ct_fp_area a;
	struct tracer t;
	struct child ch;
	const char *call = NULL;
	char *fds_before, *fds, *maps_before, *maps;

	(void)state;
	assert_true(ct_fp_area_size(&big) > 2 * LIMIT_AS_ROOM);
	child_start(&ch, LIMIT_AS);
	seize(ch.pid);
	fds_before = fd_table(ch.pid);
	tracer_init(&t, ch.pid);
	maps_before = maps_text(ch.pid);

	assert_int_equal(ct_fp_area_inject(&a, &big, &t.rc, &remote, &call), -ENOMEM);
	assert_string_equal(call, "mmap");
	assert_null(ct_remote_refusal(-ENOMEM));
	assert_null(a.base);
	assert_int_equal(a.fd, -1);
	maps = maps_text(ch.pid);
	assert_string_equal(maps, maps_before);
	free(maps);
	fds = fd_table(ch.pid);
	assert_string_equal(fds, fds_before);
	free(fds);

	tracer_fini(&t);
	free(maps_before);
	free(fds_before);
	assert_int_equal(child_finish(&ch), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_and_remove),
		cmocka_unit_test(test_seccomp_forbids_memfd),
		cmocka_unit_test(test_seccomp_forbids_close),
		cmocka_unit_test(test_undone_on_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
