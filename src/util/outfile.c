/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files written to a temporary and renamed into place (outfile.h).
 *
 * Why not open FILE with O_TRUNC: a command that fails after that (a pid
 * that does not exist, an unreadable trace) has already destroyed what FILE
 * held.  Why not "FILE.tmp": anyone who can write the directory can plant a
 * symbolic link there, and open(O_CREAT | O_TRUNC) follows it.  O_TMPFILE
 * has no name to plant; the O_EXCL fallback refuses any name that exists,
 * links included; linkat(2) never follows one at its new name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/outfile.h"

/* Names tried before giving up: a collision of 48 random bits is rare. */
#define TMP_TRIES 64

static void reset(struct ct_outfile *of)
{
	free(of->target);
	free(of->tmpname);
	memset(of, 0, sizeof(*of));
	of->fd = -1;
}

/* The directory of path, "." when it has none.  NULL with errno. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* A name in dir that is unlikely to exist.  NULL with errno. */
static char *tmp_name(const char *dir, unsigned attempt)
{
	struct timespec ts;
	uint64_t r;
	char *s;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 16 ^
		    attempt;
	}
	if (asprintf(&s, "%s/.calltrap-%012llx.tmp", dir,
		     (unsigned long long)(r & 0xffffffffffffull)) < 0)
		return NULL;
	return s;
}

/* A new file under a fresh name in dir (O_EXCL: never an existing name,
 * nor a symbolic link).  The fd, or -errno; *name set on success. */
static int create_named(const char *dir, char **name)
{
	unsigned i;
	int fd = -EEXIST;

	for (i = 0; i < TMP_TRIES && fd == -EEXIST; i++) {
		*name = tmp_name(dir, i);
		if (!*name)
			return -errno;
		fd = open(*name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		fd = -errno;
		free(*name);
		*name = NULL;
	}
	return fd;
}

/* Give the anonymous temporary a fresh name beside its target. */
static int link_anon(struct ct_outfile *of)
{
	char proc[64], *dir, *name;
	unsigned i;
	int rc = -EEXIST;

	dir = dir_of(of->target);
	if (!dir)
		return -errno;
	/* by /proc: linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	for (i = 0; i < TMP_TRIES && rc == -EEXIST; i++) {
		name = tmp_name(dir, i);
		if (!name) {
			rc = -errno;
			break;
		}
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
			of->tmpname = name;
			of->anon = false;
			rc = 0;
			break;
		}
		rc = -errno;
		free(name);
	}
	free(dir);
	return rc;
}

/* The replaced file's permissions (and owner, where we may) for the new one. */
static int keep_attrs(int fd, const struct stat *st)
{
	if (fchmod(fd, st->st_mode & 0777) < 0)
		return -errno;
	/* only root may give a file away; anyone else keeps it as created */
	if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EPERM)
		return -errno;
	return 0;
}

/* Decide what path names: 1 when it exists and is a regular file (*st set,
 * of->target its real name), 0 when it does not exist (of->target = path),
 * 2 when it is something else (write in place), or -errno. */
static int resolve(struct ct_outfile *of, const char *path, struct stat *st)
{
	struct stat lst;

	if (!*path)
		return -ENOENT;
	if (path[strlen(path) - 1] == '/')
		return -EISDIR;
	if (stat(path, st) == 0) {
		if (!S_ISREG(st->st_mode))
			return 2;
		/* a file we may not write stays as it is, as with open(2) */
		if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
			return -errno;
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
			of->target = realpath(path, NULL);
		else
			of->target = strdup(path);
		return of->target ? 1 : -errno;
	}
	if (errno != ENOENT)
		return -errno;
	/* a symbolic link to nothing: not ours to create a file for */
	if (lstat(path, &lst) == 0)
		return -ENOENT;
	of->target = strdup(path);
	return of->target ? 0 : -errno;
}

int ct_outfile_open(struct ct_outfile *of, const char *path, unsigned flags)
{
	struct stat st;
	char *dir = NULL;
	int kind, fd = -1;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	kind = resolve(of, path, &st);
	if (kind < 0)
		goto fail;
	if (kind == 2) {
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			kind = -errno;
			goto fail;
		}
		of->in_place = true;
		of->published = true;
		of->fd = fd;
		return 0;
	}
	dir = dir_of(of->target);
	if (!dir) {
		kind = -errno;
		goto fail;
	}
	if (!(flags & CT_OUTFILE_NAMED_TMP)) {
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
		/* EISDIR: a kernel without O_TMPFILE; EOPNOTSUPP: a file system */
		if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
			kind = -errno;
			goto fail;
		}
		of->anon = fd >= 0;
	}
	if (fd < 0) {
		fd = create_named(dir, &of->tmpname);
		if (fd < 0) {
			kind = fd;
			goto fail;
		}
	}
	of->fd = fd;
	free(dir);
	if (kind == 1) {
		kind = keep_attrs(fd, &st);
		if (kind < 0) {
			ct_outfile_discard(of);
			return kind;
		}
	}
	return 0;
fail:
	free(dir);
	reset(of);
	return kind;
}

FILE *ct_outfile_stream(struct ct_outfile *of)
{
	if (!of->fp && of->fd >= 0)
		of->fp = fdopen(of->fd, "w");
	return of->fp;
}

int ct_outfile_publish(struct ct_outfile *of)
{
	int rc;

	if (of->published)
		return 0;
	if (of->anon && (rc = link_anon(of)) < 0)
		return rc;
	if (rename(of->tmpname, of->target) < 0)
		return -errno;
	free(of->tmpname);
	of->tmpname = NULL;
	of->published = true;
	return 0;
}

int ct_outfile_commit(struct ct_outfile *of)
{
	int rc = 0;

	errno = 0;
	if (of->fp && (fflush(of->fp) != 0 || ferror(of->fp)))
		rc = errno ? -errno : -EIO;
	/* the content on disk before its name is: a crash leaves old or new */
	if (!rc && !of->published && fsync(of->fd) < 0)
		rc = -errno;
	/* named before closing (an anonymous file is named through its fd),
	 * put in place only once closing has succeeded */
	if (!rc && of->anon)
		rc = link_anon(of);
	if (rc) {
		ct_outfile_discard(of);
		return rc;
	}
	if (of->fp ? fclose(of->fp) != 0 : close(of->fd) < 0)
		rc = -errno;
	of->fp = NULL;
	of->fd = -1;
	if (!rc)
		rc = ct_outfile_publish(of);
	if (rc && !of->published && of->tmpname)
		unlink(of->tmpname);
	reset(of);
	return rc;
}

void ct_outfile_discard(struct ct_outfile *of)
{
	int saved = errno;

	if (of->fp)
		fclose(of->fp);
	else if (of->fd >= 0)
		close(of->fd);
	if (of->tmpname && !of->published)
		unlink(of->tmpname);
	reset(of);
	errno = saved;
}
