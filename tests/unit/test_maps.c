/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/PID/maps parsing and gap finding, on literal maps text. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "symtab/symtab.h"

static const char maps_text[] =
	"555555554000-555555555000 r--p 00000000 fe:01 1312   /usr/bin/my prog\n"
	"555555555000-555555556000 r-xp 00001000 fe:01 1312   /usr/bin/my prog\n"
	"555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n"
	"7ffff7d80000-7ffff7da6000 r--p 00000000 fe:01 2228   /tmp/lib x.so (deleted)\n"
	"7ffff7da6000-7ffff7efb000 r-xs 00026000 fe:01 2228   /tmp/lib x.so (deleted)\n"
	"7ffff7f9f000-7ffff7fa2000 rw-p 00000000 00:00 0 \n"
	"7ffff7fc1000-7ffff7fc3000 r-xp 00000000 00:00 0                          [vdso]\n"
	"7ffff7fd0000-7ffff7fd1000 ---p 00000000 00:00 0\n"
	"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_parse(void **state)
{
	struct ct_maps maps;
	const struct ct_map *m;

	(void)state;
	assert_int_equal(ct_maps_parse(maps_text, &maps), 0);
	assert_int_equal(maps.n, 10);

	m = &maps.v[0];
	assert_int_equal(m->start, 0x555555554000ULL);
	assert_int_equal(m->end, 0x555555555000ULL);
	assert_int_equal(m->offset, 0);
	assert_int_equal(m->prot, PROT_READ);
	assert_false(m->shared);
	assert_int_equal(m->inode, 1312);
	assert_string_equal(m->path, "/usr/bin/my prog");
	assert_false(m->deleted);

	m = &maps.v[1];
	assert_int_equal(m->offset, 0x1000);
	assert_int_equal(m->prot, PROT_READ | PROT_EXEC);

	m = &maps.v[2];
	assert_int_equal(m->prot, PROT_READ | PROT_WRITE);
	assert_int_equal(m->inode, 0);
	assert_string_equal(m->path, "[heap]");

	m = &maps.v[3];
	assert_string_equal(m->path, "/tmp/lib x.so (deleted)");
	assert_true(m->deleted);
	assert_int_equal(m->inode, 2228);

	m = &maps.v[4];
	assert_true(m->shared);
	assert_int_equal(m->prot, PROT_READ | PROT_EXEC);
	assert_int_equal(m->offset, 0x26000);
	assert_true(m->deleted);

	/* anonymous, with and without the kernel's trailing blank */
	assert_null(maps.v[5].path);
	assert_int_equal(maps.v[5].start, 0x7ffff7f9f000ULL);
	assert_null(maps.v[7].path);
	assert_int_equal(maps.v[7].prot, 0);

	assert_string_equal(maps.v[6].path, "[vdso]");
	assert_int_equal(maps.v[6].prot, PROT_READ | PROT_EXEC);
	assert_string_equal(maps.v[8].path, "[stack]");
	assert_int_equal(maps.v[9].start, 0xffffffffff600000ULL);
	assert_int_equal(maps.v[9].prot, PROT_EXEC);

	ct_maps_fini(&maps);
	assert_int_equal(maps.n, 0);
	assert_null(maps.v);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"zzzz-1000 r--p 00000000 00:00 0\n",
		"1000 r--p 00000000 00:00 0\n",
		"2000-1000 r--p 00000000 00:00 0\n", /* end below start */
		"1000-2000 r--p\n",
		"1000-2000 r--p 00000000 00:00 x\n",
		"1000-2000 r--p 00000000 00:00 0\n1000-\n", /* good line, then a bad one */
	};
	struct ct_maps maps;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ct_maps_parse(bad[i], &maps), -EINVAL);
		assert_int_equal(maps.n, 0);
		assert_null(maps.v);
	}
	assert_int_equal(ct_maps_parse("", &maps), 0);
	assert_int_equal(maps.n, 0);
	/* no final newline */
	assert_int_equal(ct_maps_parse("1000-2000 r--p 00000000 00:00 0 /a b", &maps), 0);
	assert_int_equal(maps.n, 1);
	assert_string_equal(maps.v[0].path, "/a b");
	ct_maps_fini(&maps);
}

/* The kernel writes a newline in a path as "\012" and nothing else escaped
 * (a backslash stays one): "\012" is decoded, everything else kept. */
static void test_parse_escaped(void **state)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 fe:01 7   /tmp/new\\012line/lib.so\n"
		"2000-3000 r--p 00001000 fe:01 8   /tmp/a\\012\\012b (deleted)\n"
		"3000-4000 r--p 00000000 fe:01 9   /tmp/back\\slash\\01\\0123\\\n"
		"4000-5000 r--p 00000000 fe:01 9   /tmp/end\\012\n";
	struct ct_maps maps;

	(void)state;
	assert_int_equal(ct_maps_parse(text, &maps), 0);
	assert_int_equal(maps.n, 4);
	assert_string_equal(maps.v[0].path, "/tmp/new\nline/lib.so");
	assert_false(maps.v[0].deleted);
	assert_string_equal(maps.v[1].path, "/tmp/a\n\nb (deleted)");
	assert_true(maps.v[1].deleted);
	assert_int_equal(maps.v[1].inode, 8);
	assert_string_equal(maps.v[2].path, "/tmp/back\\slash\\01\n3\\");
	assert_string_equal(maps.v[3].path, "/tmp/end\n");
	ct_maps_fini(&maps);
}

/* What the kernel really writes for a file mapped from a directory whose
 * name holds a newline: ct_maps_read gives the file's own path back. */
static void test_read_newline(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200];
	struct ct_maps maps;
	const struct ct_map *m = NULL;
	char *seen;
	bool deleted;
	void *addr;
	size_t i;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ct_maps\nXXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mapped\nfile", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	addr = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(addr != MAP_FAILED);
	close(fd);
	assert_int_equal(ct_maps_read(0, &maps), 0);
	for (i = 0; i < maps.n; i++)
		if (maps.v[i].start == (uintptr_t)addr)
			m = &maps.v[i];
	/* what was found, then clean up before asserting anything about it */
	seen = m && m->path ? strdup(m->path) : NULL;
	deleted = m && m->deleted;
	ct_maps_fini(&maps);
	munmap(addr, 4096);
	unlink(path);
	rmdir(dir);
	if (!seen)
		fail_msg("the mapping at %p is not in the maps", addr);
	assert_string_equal(seen, path);
	assert_false(deleted);
	free(seen);
}

static void test_read_self(void **state)
{
	struct ct_maps maps;
	uintptr_t here = (uintptr_t)&test_read_self;
	bool found = false;
	size_t i;

	(void)state;
	assert_int_equal(ct_maps_read(getpid(), &maps), 0);
	assert_true(maps.n > 3);
	for (i = 0; i < maps.n; i++) {
		const struct ct_map *m = &maps.v[i];

		if (m->start <= here && here < m->end) {
			found = true;
			assert_true(m->prot & PROT_EXEC);
			assert_non_null(m->path);
			assert_int_equal(m->path[0], '/');
		}
		if (i)
			assert_true(maps.v[i - 1].end <= m->start);
	}
	assert_true(found);
	ct_maps_fini(&maps);
}

static void test_read_gone(void **state)
{
	struct ct_maps maps;
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* reaped: /proc/PID is gone (pid reuse in between is vanishingly unlikely) */
	assert_int_equal(ct_maps_read(pid, &maps), -ESRCH);
	assert_int_equal(maps.n, 0);
}

/* Mappings (page = 0x1000):
 *   [0x100000, 0x200000)  A
 *   [0x203000, 0x204000)  B      free: [0x200000, 0x203000) = 3 pages
 *   [0x210000, 0x220000)  C      free: [0x204000, 0x210000) = 12 pages
 *   beyond 0x220000 everything is free
 */
static const char gap_text[] = "100000-200000 r-xp 00000000 00:00 0\n"
			       "203000-204000 rw-p 00000000 00:00 0\n"
			       "210000-220000 r--p 00000000 00:00 0\n";

static void test_gap(void **state)
{
	struct ct_maps maps;

	(void)state;
	assert_int_equal(ct_maps_parse(gap_text, &maps), 0);

	/* near inside a free interval: the page containing it */
	assert_int_equal(ct_maps_find_gap(&maps, 0x205800, 0, UINT64_MAX, 0x1000), 0x205000);
	/* near inside mapping B, closer to the gap above it (0x204000 is
	 * 0x800 away, 0x202000 is 0x1800 away) */
	assert_int_equal(ct_maps_find_gap(&maps, 0x203800, 0, UINT64_MAX, 0x1000), 0x204000);
	/* near below every gap: the lowest free page above it, 0x200000 */
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x100000, UINT64_MAX, 0x1000),
			 0x200000);
	/* 4 pages do not fit in the 3-page gap: the next one up, at its start */
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x100000, UINT64_MAX, 0x4000),
			 0x204000);
	/* near above: the candidate ends at the top of the 12-page gap */
	assert_int_equal(ct_maps_find_gap(&maps, 0x215000, 0x100000, 0x220000, 0x4000),
			 0x20c000);
	/* len is rounded up to pages: 0x2001 takes 3 pages, which fill the gap
	 * [0x200000, 0x203000) exactly (unrounded, 0x200fff would be "nearest") */
	assert_int_equal(ct_maps_find_gap(&maps, 0x202800, 0x100000, 0x204000, 0x2001),
			 0x200000);
	/* unaligned lo is rounded up, unaligned hi down */
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x200001, 0x203fff, 0x1000),
			 0x201000);
	/* no room: [lo, hi) covers only mappings and the 3-page gap */
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x100000, 0x210000, 0xd000), 0);
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x100000, 0x200000, 0x1000), 0);
	/* zero length, or lo >= hi */
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0, UINT64_MAX, 0), 0);
	assert_int_equal(ct_maps_find_gap(&maps, 0x150000, 0x300000, 0x300000, 0x1000), 0);
	/* tie (0x202000 and 0x204000 both 0x1000 from 0x203000 when only
	 * 1 page fits below): the lower one */
	assert_int_equal(ct_maps_find_gap(&maps, 0x203000, 0x100000, 0x210000, 0x1000),
			 0x202000);
	ct_maps_fini(&maps);
}

/* The end of user space of the host ISA, one page lower (maps.c). */
#if defined(__aarch64__)
#define USER_END 0xffffffffe000ULL /* 48-bit VAs */
#else
#define USER_END 0x7fffffffe000ULL /* 4-level page tables */
#endif

static void test_gap_limits(void **state)
{
	struct ct_maps maps = { 0 };

	(void)state;
	/* never below mmap_min_addr (0x10000), even with lo = 0 and near = 0 */
	assert_int_equal(ct_maps_find_gap(&maps, 0, 0, UINT64_MAX, 0x1000), 0x10000);
	/* never above the end of user space */
	assert_int_equal(ct_maps_find_gap(&maps, UINT64_MAX, 0, UINT64_MAX, 0x2000),
			 USER_END - 0x2000);
	assert_int_equal(ct_maps_find_gap(&maps, 0, USER_END, UINT64_MAX, 0x1000), 0);
}

static void test_gap_stack_guard(void **state)
{
	struct ct_maps maps;

	(void)state;
	/* The stack at [0x7ffffffde000, 0x7ffffffff000) keeps 1 MiB below it
	 * free: the highest usable page ends at 0x7ffffffde000 - 0x100000. */
	/* (on aarch64 user space goes on above it: fill that with a mapping) */
	assert_int_equal(ct_maps_parse("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n"
				       "7ffffffff000-1000000000000 ---p 00000000 00:00 0\n",
				       &maps),
			 0);
	assert_int_equal(ct_maps_find_gap(&maps, 0x7ffffffde000ULL, 0, UINT64_MAX, 0x1000),
			 0x7ffffffde000ULL - 0x100000 - 0x1000);
	ct_maps_fini(&maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_escaped),
		cmocka_unit_test(test_read_newline),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_gone),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_gap_limits),
		cmocka_unit_test(test_gap_stack_guard),
	};

	if (sysconf(_SC_PAGESIZE) != 0x1000) /* the gap cases are worked for 4 KiB pages */
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
