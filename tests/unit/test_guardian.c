/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guardian (src/ptrace/guardian.h): its table's publication protocol,
 * and the process itself against a stand-in for calltrap that is really
 * killed.
 *
 * The stand-in ("fake calltrap", a child of the test) forks a victim (its
 * own child, so that it may open its /proc/PID/mem under any ptrace
 * policy), starts a guardian, hands it the victim's memory and notes
 * patches over a page the test shares with the victim: what the guardian
 * writes through /proc/VICTIM/mem there, the test reads in its own copy.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptrace/guardian.h"

/* ---- the table ---- */

static void collect(void *ctx, const struct ct_guard_entry *e)
{
	struct ct_guard_entry *out = ctx;
	size_t i = 0;

	while (out[i].len)
		i++;
	out[i].mm = e->mm;
	out[i].addr = e->addr;
	out[i].len = e->len;
	memcpy(out[i].orig, e->orig, e->len);
}

static void test_table(void **state)
{
	struct ct_guard_entry seen[8];
	struct ct_guardtab t;
	uint32_t h[4], again;
	int i;

	(void)state;
	assert_int_equal(ct_guardtab_init(&t, 4), 0);
	assert_int_equal(ct_guardtab_note(&t, 1, 0x1000, "\xcc", 0), 0);
	assert_int_equal(ct_guardtab_note(&t, 1, 0x1000, "123456789", 9), 0);
	for (i = 0; i < 4; i++) {
		uint8_t orig[2] = { (uint8_t)(0x10 + i), (uint8_t)(0x20 + i) };

		h[i] = ct_guardtab_note(&t, 7, 0x1000 + (uint64_t)i, orig, 2);
		assert_int_not_equal(h[i], 0);
	}
	/* full */
	assert_int_equal(ct_guardtab_note(&t, 7, 0x2000, "\x90", 1), 0);

	ct_guardtab_forget(&t, h[1]);
	ct_guardtab_forget(&t, 0);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(ct_guardtab_scan(t.sh, collect, seen), 3);
	assert_int_equal(seen[0].addr, 0x1000);
	assert_int_equal(seen[1].addr, 0x1002);
	assert_int_equal(seen[2].addr, 0x1003);
	assert_int_equal(seen[2].mm, 7);
	assert_int_equal(seen[2].len, 2);
	assert_memory_equal(seen[2].orig, "\x13\x23", 2);

	/* a freed entry is reused: the mark does not move */
	again = ct_guardtab_note(&t, 8, 0x3000, "\x55", 1);
	assert_int_equal(again, h[1]);
	assert_int_equal(atomic_load(&t.sh->used), 4);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(ct_guardtab_scan(t.sh, collect, seen), 4);
	assert_int_equal(seen[1].addr, 0x3000);
	assert_int_equal(seen[1].mm, 8);
	ct_guardtab_fini(&t);
}

/* What a writer puts in an entry for addr, so that a reader can tell a
 * complete entry from one mixing two notes. */
static void pattern(uint64_t addr, uint32_t *mm, uint8_t *orig, size_t *len)
{
	size_t i;

	*mm = (uint32_t)(addr * 2654435761u);
	*len = 1 + addr % CT_GUARD_MAX_LEN;
	for (i = 0; i < CT_GUARD_MAX_LEN; i++)
		orig[i] = (uint8_t)(addr >> (i % 4 * 8)) ^ (uint8_t)i;
}

struct check_ctx {
	unsigned bad, n;
};

static void check_entry(void *ctx, const struct ct_guard_entry *e)
{
	struct check_ctx *c = ctx;
	uint8_t orig[CT_GUARD_MAX_LEN];
	uint32_t mm;
	size_t len;

	pattern(e->addr, &mm, orig, &len);
	c->n++;
	if (e->mm != mm || e->len != len || memcmp(e->orig, orig, len))
		c->bad++;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A writer killed at random points, again and again: every entry the
 * reader finds live is one the writer completed. */
static void test_table_writer_killed(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 40; round++) {
		struct check_ctx c = { 0 };
		struct ct_guardtab t;
		pid_t pid;
		int st;

		assert_int_equal(ct_guardtab_init(&t, 256), 0);
		rng_state += (uint64_t)round * 7919;
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			uint32_t handles[256] = { 0 };

			for (;;) {
				unsigned slot = (unsigned)(rng() % 256);

				if (handles[slot]) {
					ct_guardtab_forget(&t, handles[slot]);
					handles[slot] = 0;
				} else {
					uint64_t addr = rng();
					uint8_t orig[CT_GUARD_MAX_LEN];
					uint32_t mm;
					size_t len;

					pattern(addr, &mm, orig, &len);
					handles[slot] = ct_guardtab_note(&t, mm, addr, orig, len);
				}
			}
		}
		nanosleep(&(struct timespec){ .tv_nsec = (long)(rng() % 3000000) }, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		ct_guardtab_scan(t.sh, check_entry, &c);
		assert_int_equal(c.bad, 0);
		assert_true(c.n <= 256);
		ct_guardtab_fini(&t);
	}
}

/* ---- the process ---- */

#define PAGE 4096

enum fake_mode {
	FAKE_DIES,       /* notes patches and is killed */
	FAKE_STANDS_DOWN, /* notes patches, stops the guardian, exits */
	FAKE_VICTIM_EXECS, /* ... and the victim execs before calltrap dies */
};

struct fake {
	pid_t pid, victim, guardian;
	char err_path[64];
};

static volatile uint8_t *shared_page;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The state letter of pid, 0 when it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	p = p ? strrchr(line, ')') : NULL;
	return p && p[1] ? p[2] : 0;
}

static bool alive(pid_t pid)
{
	char st = proc_state(pid);

	return st && st != 'Z' && st != 'X';
}

/* Has pid exec'ed /bin/sleep? */
static bool runs_sleep(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "sleep", 5) == 0;
}

static __attribute__((noreturn)) void fake_calltrap(enum fake_mode mode, int report,
						     const char *err_path)
{
	struct ct_guard *g;
	struct ct_pmem mem;
	int go[2], fd;
	pid_t victim, pids[2];
	uint32_t mm, h;

	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || pipe(go) < 0)
		_exit(10);
	victim = fork();
	if (victim == 0) {
		char c;

		/* wait to be told to exec, or until the test ends it (or the
		 * alarm does, if the test could not) */
		close(go[1]);
		alarm(60);
		if (read(go[0], &c, 1) == 1)
			execl("/bin/sleep", "sleep", "60", (char *)NULL);
		for (;;)
			pause();
	}
	alarm(60);
	if (victim < 0 || ct_pmem_open(&mem, victim) < 0 || ct_guard_start(&g) < 0 ||
	    ct_guard_add_mm(g, &mem, &mm) < 0)
		_exit(11);
	/* two patches the guardian must undo, one it must not */
	ct_guard_note(g, mm, (uint64_t)(uintptr_t)shared_page, "ABCD", 4);
	ct_guard_note(g, mm, (uint64_t)(uintptr_t)shared_page + 100, "EF", 2);
	h = ct_guard_note(g, mm, (uint64_t)(uintptr_t)shared_page + 200, "ZZ", 2);
	ct_guard_forget(g, h);
	pids[0] = victim;
	pids[1] = ct_guard_pid(g);
	if (mode == FAKE_VICTIM_EXECS) {
		if (write(go[1], "x", 1) != 1)
			_exit(12);
		/* the exec is done once the victim's comm says so */
		while (proc_state(victim) && !runs_sleep(victim))
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (mode == FAKE_STANDS_DOWN)
		ct_guard_stop(g);
	if (write(report, pids, sizeof(pids)) != sizeof(pids))
		_exit(13);
	if (mode == FAKE_STANDS_DOWN)
		_exit(0);
	for (;;)
		pause();
}

/* What a failed assertion leaves running, for the teardown. */
static struct fake *running;

static void fake_start(struct fake *f, enum fake_mode mode)
{
	pid_t pids[2];
	int p[2];

	memset((void *)shared_page, 'x', PAGE);
	snprintf(f->err_path, sizeof(f->err_path), "/tmp/ct-test-guardian.%d.err", (int)getpid());
	assert_int_equal(pipe(p), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		close(p[0]);
		fake_calltrap(mode, p[1], f->err_path);
	}
	close(p[1]);
	f->victim = f->guardian = 0;
	running = f;
	assert_int_equal(read(p[0], pids, sizeof(pids)), sizeof(pids));
	close(p[0]);
	f->victim = pids[0];
	f->guardian = pids[1];
	assert_true(f->victim > 0);
	assert_true(f->guardian > 0);
}

static void fake_kill(struct fake *f)
{
	int st;

	kill(f->pid, SIGKILL);
	assert_int_equal(waitpid(f->pid, &st, 0), f->pid);
	f->pid = 0;
}

/* Wait (up to 5 s) until the guardian is gone; its stderr. */
static char *guardian_report(struct fake *f)
{
	static char buf[4096];
	uint64_t end = now_ms() + 5000;
	ssize_t n;
	int fd;

	while (alive(f->guardian) && now_ms() < end)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	assert_false(alive(f->guardian));
	fd = open(f->err_path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	unlink(f->err_path);
	return buf;
}

/* Kill whatever of the fake, its victim and its guardian is left (pids
 * not yet known or already reaped are 0). */
static void fake_end(struct fake *f)
{
	if (f->victim > 0)
		kill(f->victim, SIGKILL); /* no longer our child: nothing to wait for */
	if (f->guardian > 0 && alive(f->guardian))
		kill(f->guardian, SIGKILL);
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = f->victim = f->guardian = 0;
	running = NULL;
}

static int kill_leftovers(void **state)
{
	(void)state;
	if (running)
		fake_end(running);
	return 0;
}

static void test_restores_after_death(void **state)
{
	struct fake f;
	char want[128], *rep;

	(void)state;
	fake_start(&f, FAKE_DIES);
	/* alive and idle: nothing written yet */
	assert_true(alive(f.guardian));
	assert_int_equal(shared_page[0], 'x');
	fake_kill(&f);
	rep = guardian_report(&f);
	assert_memory_equal((const void *)shared_page, "ABCD", 4);
	assert_memory_equal((const void *)(shared_page + 100), "EF", 2);
	assert_int_equal(shared_page[4], 'x');
	assert_int_equal(shared_page[102], 'x');
	/* retracted before the death: left alone */
	assert_int_equal(shared_page[200], 'x');
	snprintf(want, sizeof(want), "restored 2 patched instructions of process %d",
		 (int)f.victim);
	if (!strstr(rep, want))
		fail_msg("guardian said: %s", rep);
	fake_end(&f);
}

static void test_stands_down(void **state)
{
	struct fake f;
	char *rep;
	int st;

	(void)state;
	fake_start(&f, FAKE_STANDS_DOWN);
	/* ct_guard_stop returned before the pids were sent: it is gone */
	assert_false(alive(f.guardian));
	assert_int_equal(waitpid(f.pid, &st, 0), f.pid);
	f.pid = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rep = guardian_report(&f);
	assert_string_equal(rep, "");
	assert_int_equal(shared_page[0], 'x');
	assert_int_equal(shared_page[100], 'x');
	fake_end(&f);
}

/* The address space it was given has ended (exec): the guardian writes
 * nothing, not even into the new program under the same pid. */
static void test_address_space_ended(void **state)
{
	struct fake f;
	char *rep;

	(void)state;
	fake_start(&f, FAKE_VICTIM_EXECS);
	fake_kill(&f);
	rep = guardian_report(&f);
	if (strstr(rep, "restored") || strstr(rep, "not restored"))
		fail_msg("guardian said: %s", rep);
	assert_true(alive(f.victim));
	assert_int_equal(shared_page[0], 'x');
	fake_end(&f);
}

/* What the guardian keeps of calltrap: stdin and stdout on /dev/null,
 * stderr, its socket, and the memory files handed to it, nothing else
 * calltrap had open; its own session; not calltrap's child. */
static void test_process(void **state)
{
	char path[64], link[256], line[512], want_mem[64];
	struct dirent *d;
	unsigned nfds = 0;
	struct fake f;
	ssize_t n;
	FILE *fp;
	DIR *dir;
	int sid = -1, ppid = -1;

	(void)state;
	fake_start(&f, FAKE_DIES);
	snprintf(want_mem, sizeof(want_mem), "/proc/%d/mem", (int)f.victim);
	/* the file comes in a message, which the guardian takes in its time */
	snprintf(path, sizeof(path), "/proc/%d/fd/4", (int)f.guardian);
	for (n = 0; n < 2000 && readlink(path, link, sizeof(link)) <= 0; n++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)f.guardian);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir))) {
		int fd;

		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		nfds++;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)f.guardian, fd);
		n = readlink(path, link, sizeof(link) - 1);
		assert_true(n > 0);
		link[n] = '\0';
		if (fd <= 1)
			assert_string_equal(link, "/dev/null");
		else if (fd == 2)
			assert_string_equal(link, f.err_path);
		else if (fd == 3)
			assert_memory_equal(link, "socket:", 7);
		else /* what the fake handed over, nothing it had open */
			assert_string_equal(link, want_mem);
	}
	closedir(dir);
	assert_int_equal(nfds, 5);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)f.guardian);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	/* pid (comm) state ppid pgrp session */
	assert_non_null(strstr(line, "(calltrap-guard) "));
	assert_int_equal(sscanf(strrchr(line, ')') + 4, "%d %*d %d", &ppid, &sid), 2);
	assert_int_not_equal(ppid, f.pid);
	assert_int_equal(sid, f.guardian);
	fake_kill(&f);
	guardian_report(&f);
	fake_end(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_writer_killed),
		cmocka_unit_test_teardown(test_restores_after_death, kill_leftovers),
		cmocka_unit_test_teardown(test_stands_down, kill_leftovers),
		cmocka_unit_test_teardown(test_address_space_ended, kill_leftovers),
		cmocka_unit_test_teardown(test_process, kill_leftovers),
	};
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	shared_page = p;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
