/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ELF cache (src/symtab/elfcache.c): one ct_elf per file however often
 * it is opened, a new one when the file changed, unreferenced files kept
 * up to a bound.  The files are copies of this test's own executable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "symtab/symtab.h"

/* cmocka's assertions are not noreturn: say so for -Wnull-dereference */
#define need(p)                       \
	do {                          \
		assert_non_null(p);   \
		if (!(p))             \
			abort();      \
	} while (0)

#define NR_FILES (CT_ELF_CACHE_IDLE + 2)

struct fixture {
	char dir[64];
	char path[NR_FILES][PATH_MAX];
	struct ct_elf_cache *c;
};

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int i;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ct-test-elfcache-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	for (i = 0; i < NR_FILES; i++) {
		snprintf(f->path[i], sizeof(f->path[i]), "%s/copy%d", f->dir, i);
		copy_file("/proc/self/exe", f->path[i]);
	}
	f->c = ct_elf_cache_new();
	if (!f->c)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	ct_elf_cache_free(f->c);
	for (i = 0; i < NR_FILES; i++)
		unlink(f->path[i]);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void expect_count(const struct ct_elf_cache *c, size_t files, size_t idle)
{
	size_t nf, ni;

	ct_elf_cache_count(c, &nf, &ni);
	assert_int_equal(nf, files);
	assert_int_equal(ni, idle);
}

/* The same file twice: one ELF, read once; idle after the last put, and
 * found again there. */
static void test_shared(void **state)
{
	struct fixture *f = *state;
	struct ct_elf *a, *b;

	a = ct_elf_cache_open(f->c, f->path[0]);
	need(a);
	assert_true(a->nr_syms > 0);
	b = ct_elf_cache_open(f->c, f->path[0]);
	assert_ptr_equal(a, b);
	expect_count(f->c, 1, 0);
	/* another file with the same contents is another file */
	b = ct_elf_cache_open(f->c, f->path[1]);
	need(b);
	assert_ptr_not_equal(a, b);
	expect_count(f->c, 2, 0);
	ct_elf_put(b);
	expect_count(f->c, 2, 1);
	ct_elf_put(a);
	expect_count(f->c, 2, 1);
	ct_elf_put(a);
	expect_count(f->c, 2, 2);
	b = ct_elf_cache_open(f->c, f->path[0]);
	assert_ptr_equal(a, b);
	expect_count(f->c, 2, 1);
	ct_elf_put(b);
}

/* A file rewritten in place (same inode, other mtime) or replaced (other
 * inode) is read again; the old ELF stays valid for its holder, and each
 * version is found by its own identity. */
static void test_changed(void **state)
{
	struct fixture *f = *state;
	struct timespec t_new[2] = { { 1000000000, 0 }, { 1000000000, 0 } }, t_old[2];
	struct ct_elf *a, *b, *c;
	struct stat st;

	assert_int_equal(stat(f->path[0], &st), 0);
	t_old[0] = st.st_atim;
	t_old[1] = st.st_mtim;
	a = ct_elf_cache_open(f->c, f->path[0]);
	need(a);
	assert_int_equal(utimensat(AT_FDCWD, f->path[0], t_new, 0), 0);
	b = ct_elf_cache_open(f->c, f->path[0]);
	need(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->ino, b->ino);
	assert_int_equal(b->mtime_ns, 1000000000ll * 1000000000ll);
	expect_count(f->c, 2, 0);
	/* both versions share a bucket: each is found by its mtime */
	assert_int_equal(utimensat(AT_FDCWD, f->path[0], t_old, 0), 0);
	c = ct_elf_cache_open(f->c, f->path[0]);
	assert_ptr_equal(c, a);
	ct_elf_put(c);
	assert_int_equal(utimensat(AT_FDCWD, f->path[0], t_new, 0), 0);
	c = ct_elf_cache_open(f->c, f->path[0]);
	assert_ptr_equal(c, b);
	ct_elf_put(c);
	/* replaced by another file */
	assert_int_equal(rename(f->path[1], f->path[0]), 0);
	c = ct_elf_cache_open(f->c, f->path[0]);
	need(c);
	assert_ptr_not_equal(c, a);
	assert_ptr_not_equal(c, b);
	expect_count(f->c, 3, 0);
	assert_int_equal(a->nr_syms, c->nr_syms);
	ct_elf_put(a);
	ct_elf_put(c);
	ct_elf_put(b);
	expect_count(f->c, 3, 3);
}

/* At most CT_ELF_CACHE_IDLE unreferenced files: the oldest goes, and is
 * read again when asked for; the newest keep their DWARF. */
static void test_idle_limit(void **state)
{
	struct fixture *f = *state;
	struct ct_elf *e[NR_FILES], *again;
	bool has_dwarf;
	int i;

	for (i = 0; i < NR_FILES; i++) {
		e[i] = ct_elf_cache_open(f->c, f->path[i]);
		need(e[i]);
		ct_elf_dwarf(e[i], f->path[i], NULL);
	}
	has_dwarf = e[0]->dw != NULL;
	expect_count(f->c, NR_FILES, 0);
	for (i = 0; i < NR_FILES; i++)
		ct_elf_put(e[i]);
	expect_count(f->c, CT_ELF_CACHE_IDLE, CT_ELF_CACHE_IDLE);
	/* the newest idle files keep their DWARF, older ones gave it back */
	for (i = 2; i < NR_FILES; i++) {
		bool newest = i >= NR_FILES - CT_ELF_CACHE_IDLE_DWARF;

		assert_int_equal(e[i]->dw_tried, newest);
		if (has_dwarf)
			assert_int_equal(e[i]->dw != NULL, newest);
	}
	again = ct_elf_cache_open(f->c, f->path[NR_FILES - 1]);
	assert_ptr_equal(again, e[NR_FILES - 1]);
	expect_count(f->c, CT_ELF_CACHE_IDLE, CT_ELF_CACHE_IDLE - 1);
	ct_elf_put(again);
	/* copy0 was freed: read again, one file more until the oldest goes */
	again = ct_elf_cache_open(f->c, f->path[0]);
	need(again);
	expect_count(f->c, CT_ELF_CACHE_IDLE + 1, CT_ELF_CACHE_IDLE);
	ct_elf_put(again);
	expect_count(f->c, CT_ELF_CACHE_IDLE, CT_ELF_CACHE_IDLE);
}

/* Files still referenced outlive the cache; no cache is ct_elf_open. */
static void test_outlive(void **state)
{
	struct fixture *f = *state;
	struct ct_elf *a, *b;

	a = ct_elf_cache_open(f->c, f->path[0]);
	need(a);
	b = ct_elf_cache_open(f->c, f->path[1]);
	need(b);
	ct_elf_put(b);
	ct_elf_cache_free(f->c);
	f->c = NULL;
	assert_null(a->cache);
	assert_true(a->nr_syms > 0);
	ct_elf_put(a);
	a = ct_elf_cache_open(NULL, f->path[0]);
	need(a);
	assert_null(a->cache);
	ct_elf_put(a);
	errno = 0;
	assert_null(ct_elf_cache_open(f->c, "/nonexistent/file"));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outlive, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
