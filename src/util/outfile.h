/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files (-o FILE, the REPL's save and dump) that never harm what was
 * there: the new content is written to a temporary in FILE's directory and
 * put in place with rename(2) only when the command succeeds, so a failing
 * command leaves an existing FILE byte for byte as it was, and a killed one
 * leaves nothing half-written under FILE's name.
 *
 * The temporary is anonymous (O_TMPFILE, linked to a fresh name at publish)
 * where the file system supports it, else a fresh name created with O_EXCL.
 * Either way no existing name is ever opened for writing: a symbolic link
 * planted where the temporary would be (the old "FILE.tmp") is never
 * followed.  FILE itself is followed as open(2) would: a symbolic link to a
 * regular file is replaced at its target.  A FILE that exists and is not a
 * regular file (/dev/null, a FIFO, /dev/stdout on a pipe) is written in
 * place, streamed, with nothing to protect; one that exists but may not be
 * written (EACCES) is refused, as open(2) would.  A replaced file keeps its
 * permission bits (and, where allowed, its owner).
 *
 * Streamed outputs (`trace -o`, `record -o`) publish early: once the
 * command is known to run, the file takes its name and writes go on into
 * it, so it can be followed while it grows and a killed recorder leaves the
 * chunks it wrote.  The others publish when they close.
 */
#ifndef CT_OUTFILE_H
#define CT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct ct_outfile {
	int fd;      /* write here; -1 once closed or discarded */
	FILE *fp;    /* ct_outfile_stream()'s, owning fd; or NULL */
	/* private */
	char *target;  /* the name published: FILE, or the file its link names */
	char *tmpname; /* the temporary's name while it has one (O_EXCL, linked) */
	bool anon;     /* O_TMPFILE, not linked yet */
	bool in_place; /* not a regular file: written straight */
	bool published;
};

/* An outfile not opened (or already closed): ct_outfile_discard() is a no-op. */
#define CT_OUTFILE_INIT { .fd = -1 }

/* Make a named O_EXCL temporary even where O_TMPFILE works (for tests). */
#define CT_OUTFILE_NAMED_TMP 0x1

/*
 * Start writing path: of->fd is a temporary beside it (or path itself when
 * it is a device, FIFO or socket).  Nothing visible changes yet.  0 or
 * -errno (nothing left open): EACCES, ENOENT (a missing directory, or a
 * symbolic link to nothing), EISDIR, ...
 */
int ct_outfile_open(struct ct_outfile *of, const char *path, unsigned flags);

/* of->fd as a stdio stream (which ct_outfile_commit/discard close).  NULL
 * with errno set. */
FILE *ct_outfile_stream(struct ct_outfile *of);

/* Put the file in place now, under its name; writing may go on.  0 or
 * -errno (the file is still unpublished then). */
int ct_outfile_publish(struct ct_outfile *of);

/*
 * The command succeeded: flush, make the content durable, publish it (if
 * not yet) and close.  0, or -errno after which, if it was not yet
 * published, it is discarded and the old file is untouched.
 */
int ct_outfile_commit(struct ct_outfile *of);

/* The command failed: close and drop the temporary (a published file stays
 * as written).  Safe on a closed outfile and on CT_OUTFILE_INIT. */
void ct_outfile_discard(struct ct_outfile *of);

#endif
