/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct ct_outfile (src/util/outfile.c): an existing file changes only at
 * commit, and then all at once; a discarded or failed output leaves it and
 * its directory as they were; both kinds of temporary (O_TMPFILE and the
 * named O_EXCL one) behave the same.  Each test works in a fresh directory
 * under $TMPDIR.
 */
#include "config.h"

#include <dirent.h>
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

#include "util/outfile.h"

struct dir {
	char path[PATH_MAX / 2];
	unsigned flags; /* for ct_outfile_open */
};

static int setup(void **state, unsigned flags)
{
	const char *tmp = getenv("TMPDIR");
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "%s/test_outfile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	d->flags = flags;
	*state = d;
	return 0;
}

static int setup_anon(void **state)
{
	return setup(state, 0);
}

static int setup_named(void **state)
{
	return setup(state, CT_OUTFILE_NAMED_TMP);
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static char *at(const struct dir *d, const char *name)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", d->path, name);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The file's content ("" if it cannot be read). */
static const char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Entries of the directory, "." and ".." excepted. */
static unsigned nr_entries(const struct dir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

static void write_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Written and discarded: the old file, alone in its directory. */
static void test_discard_keeps_old(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;

	put(at(d, "out"), "old\n");
	assert_int_equal(ct_outfile_open(&of, at(d, "out"), d->flags), 0);
	write_all(of.fd, "new content\n");
	assert_string_equal(get(at(d, "out")), "old\n");
	ct_outfile_discard(&of);
	assert_int_equal(of.fd, -1);
	assert_string_equal(get(at(d, "out")), "old\n");
	assert_int_equal(nr_entries(d), 1);
	ct_outfile_discard(&of); /* twice is harmless */
}

/* Committed: the new content, no temporary left; the old mode kept. */
static void test_commit_replaces(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;
	struct stat st;
	FILE *fp;

	put(at(d, "out"), "old\n");
	assert_int_equal(chmod(at(d, "out"), 0640), 0);
	assert_int_equal(ct_outfile_open(&of, at(d, "out"), d->flags), 0);
	fp = ct_outfile_stream(&of);
	assert_non_null(fp);
	fputs("new\n", fp);
	assert_string_equal(get(at(d, "out")), "old\n");
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_string_equal(get(at(d, "out")), "new\n");
	assert_int_equal(nr_entries(d), 1);
	assert_int_equal(stat(at(d, "out"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

/* A new file: nothing under its name before commit. */
static void test_commit_creates(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;

	assert_int_equal(ct_outfile_open(&of, at(d, "new"), d->flags), 0);
	write_all(of.fd, "x");
	assert_int_equal(access(at(d, "new"), F_OK), -1);
	/* the named temporary is there; O_TMPFILE's has no name */
	assert_int_equal(nr_entries(d), d->flags & CT_OUTFILE_NAMED_TMP ? 1 : 0);
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_string_equal(get(at(d, "new")), "x");
	assert_int_equal(nr_entries(d), 1);
}

/* Published early (record): in place at once, and writes go on there. */
static void test_publish_then_write(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;

	put(at(d, "out"), "old\n");
	assert_int_equal(ct_outfile_open(&of, at(d, "out"), d->flags), 0);
	write_all(of.fd, "a");
	assert_int_equal(ct_outfile_publish(&of), 0);
	assert_string_equal(get(at(d, "out")), "a");
	write_all(of.fd, "b");
	assert_string_equal(get(at(d, "out")), "ab");
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_string_equal(get(at(d, "out")), "ab");
	assert_int_equal(nr_entries(d), 1);
}

/* FILE.tmp a link to a victim: the victim is not touched, FILE is written. */
static void test_planted_link(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;

	put(at(d, "victim"), "victim\n");
	assert_int_equal(symlink("victim", at(d, "out.tmp")), 0);
	assert_int_equal(ct_outfile_open(&of, at(d, "out"), d->flags), 0);
	write_all(of.fd, "new\n");
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_string_equal(get(at(d, "victim")), "victim\n");
	assert_string_equal(get(at(d, "out")), "new\n");
	assert_int_equal(nr_entries(d), 3);
}

/* FILE a link to a file: the file is replaced, the link stays. */
static void test_link_followed(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;
	struct stat st;

	put(at(d, "real"), "old\n");
	assert_int_equal(symlink("real", at(d, "link")), 0);
	assert_int_equal(ct_outfile_open(&of, at(d, "link"), d->flags), 0);
	write_all(of.fd, "new\n");
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_string_equal(get(at(d, "real")), "new\n");
	assert_int_equal(lstat(at(d, "link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(nr_entries(d), 2);
}

/* What cannot be written is refused at open, leaving nothing. */
static void test_refused(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;

	assert_int_equal(symlink("nowhere", at(d, "dangling")), 0);
	assert_int_equal(ct_outfile_open(&of, at(d, "dangling"), d->flags), -ENOENT);
	assert_int_equal(of.fd, -1);
	assert_int_equal(ct_outfile_open(&of, at(d, "nodir/out"), d->flags), -ENOENT);
	assert_int_equal(ct_outfile_open(&of, d->path, d->flags), -EISDIR);
	assert_int_equal(ct_outfile_open(&of, at(d, "x/"), d->flags), -EISDIR);
	assert_int_equal(ct_outfile_open(&of, "", d->flags), -ENOENT);
	if (geteuid() != 0) {
		/* a read-only file stays so (root may write it, as with open) */
		put(at(d, "ro"), "ro\n");
		assert_int_equal(chmod(at(d, "ro"), 0444), 0);
		assert_int_equal(ct_outfile_open(&of, at(d, "ro"), d->flags), -EACCES);
	}
	ct_outfile_discard(&of);
	assert_int_equal(nr_entries(d), geteuid() != 0 ? 2 : 1);
}

/* A device is written in place, not replaced. */
static void test_device_in_place(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;
	struct stat st;

	assert_int_equal(ct_outfile_open(&of, "/dev/null", d->flags), 0);
	write_all(of.fd, "gone");
	assert_int_equal(ct_outfile_commit(&of), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/* A write error at commit (full device): nothing published. */
static void test_commit_error(void **state)
{
	struct dir *d = *state;
	struct ct_outfile of;
	FILE *fp;

	if (access("/dev/full", W_OK) < 0)
		skip();
	/* in place: the error comes from the flush */
	assert_int_equal(ct_outfile_open(&of, "/dev/full", d->flags), 0);
	fp = ct_outfile_stream(&of);
	assert_non_null(fp);
	fputs("x", fp);
	assert_int_equal(ct_outfile_commit(&of), -ENOSPC);
	assert_int_equal(of.fd, -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_anon, teardown), \
	     cmocka_unit_test_setup_teardown(f, setup_named, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_discard_keeps_old), T(test_commit_replaces), T(test_commit_creates),
		T(test_publish_then_write), T(test_planted_link), T(test_link_followed),
		T(test_refused), T(test_device_in_place), T(test_commit_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
