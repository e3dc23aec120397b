/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trace file reader (docs/trace-format.md).
 *
 * Input comes from memory, from a regular file through pread() into one
 * reusable chunk buffer, or from a pipe through read(); chunks are checked
 * (header CRC, payload CRC) before a byte of them is decoded.  Streaming
 * reads the chunks in file order and reports damage as it meets it:
 * -EBADMSG for a skipped chunk, -ENODATA for a file that ends inside one.
 * build_index() makes one pass over the file instead, keeping the intact
 * event chunks and loading every string and function, after which any chunk
 * decodes on its own (the format restarts all decoder state per chunk).
 *
 * Every allocation is bounded by bytes actually present: a payload buffer
 * only after its length fits the rest of the file and CT_TRACE_MAX_PAYLOAD,
 * per-chunk thread and stack state only as records that create them are
 * decoded (so at most proportional to the chunk), string-id gaps left by
 * lost symbol chunks only up to the number of damaged bytes.  Decoding
 * allocates nothing per event once buffers have grown, except for typed
 * values (1.1): they must live until close like the strings, so each
 * distinct value, and each distinct list of (name, value) pairs, is copied
 * once into the arena and found again by a hash of its bytes; decoding a
 * chunk again (the REPL pages back and forth) adds nothing.
 *
 * This file holds the reader object, its input and the file header; chunk
 * framing, the tables and event decoding have a file each (see
 * reader_impl.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/crc32c.h"
#include "trace/reader_impl.h"

void ct_rd_seterr(struct ct_trace_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

/* ---- input ---- */

/* Up to len bytes at off into dst; *got < len only at end of input. */
int ct_rd_src_read(struct ct_trace_reader *r, uint64_t off, void *dst, size_t len, size_t *got)
{
	uint8_t *d = dst;

	*got = 0;
	if (r->kind == SRC_MEM) {
		if (off < r->size) {
			*got = r->size - off < len ? (size_t)(r->size - off) : len;
			memcpy(d, r->mem + off, *got);
		}
		return 0;
	}
	if (r->kind == SRC_PIPE) {
		uint8_t skip[512];

		/* A pipe only goes forward: skip up to off, never back. */
		if (off < r->pipe_pos)
			return -ESPIPE;
		while (r->pipe_pos < off) {
			size_t want = off - r->pipe_pos < sizeof(skip) ? (size_t)(off - r->pipe_pos)
								      : sizeof(skip);
			ssize_t k = read(r->fd, skip, want);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -errno;
			if (k == 0)
				return 0;
			r->pipe_pos += (uint64_t)k;
		}
	}
	while (*got < len) {
		ssize_t k;

		if (r->kind == SRC_FILE) {
			if (off + *got >= r->size)
				break;
			k = pread(r->fd, d + *got, len - *got, (off_t)(off + *got));
		} else {
			k = read(r->fd, d + *got, len - *got);
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		*got += (size_t)k;
		if (r->kind == SRC_PIPE)
			r->pipe_pos += (uint64_t)k;
	}
	return 0;
}

/* len bytes at off: a pointer into memory, or into buf (grown to len, which
 * the caller has bounded).  *got < len only at end of input. */
int ct_rd_src_map(struct ct_trace_reader *r, uint64_t off, size_t len, uint8_t **buf,
		  size_t *cap, const uint8_t **out, size_t *got)
{
	if (r->kind == SRC_MEM) {
		*got = off < r->size ? (r->size - off < len ? (size_t)(r->size - off) : len) : 0;
		*out = r->mem + off;
		return 0;
	}
	if (*cap < len || !*buf) {
		/* never NULL, even for an empty payload: callers do p + len */
		uint8_t *nb = realloc(*buf, len ? len : 1);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = len ? len : 1;
	}
	*out = *buf;
	return ct_rd_src_read(r, off, *buf, len, got);
}

int ct_rd_io_error(struct ct_trace_reader *r, uint64_t off, int err)
{
	if (err == -ENOMEM)
		ct_rd_seterr(r, "out of memory");
	else
		ct_rd_seterr(r, "read error at offset %llu: %s", (unsigned long long)off,
			     strerror(-err));
	r->fatal = err;
	return err;
}

/* ---- open / close ---- */

/* A name from the file, fit for a message: printable ASCII, at most 32 bytes. */
static void safe_name(char *dst, const uint8_t *s, size_t n)
{
	size_t i;

	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[n] = '\0';
}

/* Parse and check the file header.  0 or -errno with r->err set. */
static int read_header(struct ct_trace_reader *r)
{
	uint8_t fixed[CT_TF_FILE_FIXED];
	const uint8_t *h, *p, *end;
	uint16_t major, minor, machine, words;
	uint64_t n, argc, i;
	char name[33];
	const char **argv;
	size_t got;
	uint32_t len;
	int err;

	err = ct_rd_src_read(r, 0, fixed, sizeof(fixed), &got);
	if (err)
		return ct_rd_io_error(r, 0, err);
	if (got == 0) {
		ct_rd_seterr(r, "empty file");
		return -ENODATA;
	}
	if (memcmp(fixed, CT_TF_MAGIC, got < CT_TF_MAGIC_LEN ? got : CT_TF_MAGIC_LEN)) {
		ct_rd_seterr(r, "not a calltrap trace (bad magic)");
		return -EINVAL;
	}
	if (got >= 12) {
		major = le16(fixed + 8);
		minor = le16(fixed + 10);
		if (major != CT_TRACE_VERSION_MAJOR) {
			ct_rd_seterr(r, "unsupported trace format version %u.%u "
				     "(this calltrap reads %u.x)",
				     major, minor, CT_TRACE_VERSION_MAJOR);
			return -EPROTONOSUPPORT;
		}
	}
	if (got < CT_TF_FILE_FIXED) {
		ct_rd_seterr(r, "truncated header (%zu of %u bytes)", got, CT_TF_FILE_FIXED);
		return -ENODATA;
	}
	minor = le16(fixed + 10);
	len = le32(fixed + 12);
	if (len < CT_TF_FILE_FIXED + 2 + 4 || len > CT_TRACE_MAX_HEADER) {
		ct_rd_seterr(r, "corrupt header: bad length %u", len);
		return -EBADMSG;
	}
	if (r->kind != SRC_PIPE && len > r->size) {
		ct_rd_seterr(r, "truncated header (%llu of %u bytes)", (unsigned long long)r->size,
			     len);
		return -ENODATA;
	}
	h = ct_rd_arena_alloc(r, len, 1);
	if (!h)
		return ct_rd_io_error(r, 0, -ENOMEM);
	memcpy((uint8_t *)h, fixed, sizeof(fixed));
	err = ct_rd_src_read(r, sizeof(fixed), (uint8_t *)h + sizeof(fixed), len - sizeof(fixed),
			     &got);
	if (err)
		return ct_rd_io_error(r, 0, err);
	if (got < len - sizeof(fixed)) {
		ct_rd_seterr(r, "truncated header (%zu of %u bytes)", got + sizeof(fixed), len);
		return -ENODATA;
	}
	if (!crc_ok(ct_crc32c(0, h, len - 4), le32(h + len - 4))) {
		ct_rd_seterr(r, "corrupt header: bad checksum");
		return -EBADMSG;
	}
	machine = le16(h + 16);
	words = le16(h + 18);
	r->info.version_major = CT_TRACE_VERSION_MAJOR;
	r->info.version_minor = minor;
	r->info.machine = machine;
	r->info.pid = (pid_t)le32(h + 20);
	r->info.start_realtime_ns = le64(h + 24);
	r->info.chunk_size = le32(h + 32);

	p = h + CT_TF_FILE_FIXED;
	end = h + len - 4;
	if (get_varint(&p, end, &n) || n > (uint64_t)(end - p))
		goto overrun;
	r->info.arch_name = ct_rd_arena_str(r, p, (size_t)n);
	safe_name(name, p, (size_t)n);
	p += n;
	if (get_varint(&p, end, &argc) || argc > (uint64_t)(end - p))
		goto overrun;
	argv = ct_rd_arena_alloc(r, (size_t)(argc + 1) * sizeof(*argv), sizeof(*argv));
	if (!argv || !r->info.arch_name)
		return ct_rd_io_error(r, 0, -ENOMEM);
	for (i = 0; i < argc; i++) {
		if (get_varint(&p, end, &n) || n > (uint64_t)(end - p))
			goto overrun;
		argv[i] = ct_rd_arena_str(r, p, (size_t)n);
		if (!argv[i])
			return ct_rd_io_error(r, 0, -ENOMEM);
		p += n;
	}
	argv[argc] = NULL;
	r->info.argc = (unsigned)argc;
	r->info.argv = argv;
	/* bytes left before the CRC belong to later minor versions */

	r->info.arch = ct_arch_by_machine(machine);
	if (!r->info.arch) {
		ct_rd_seterr(r, "unsupported architecture: e_machine %u (%s)", machine, name);
		return -ENOTSUP;
	}
	if (words != r->info.arch->regs_size / 8 || words > CT_REGS_WORDS) {
		ct_rd_seterr(r, "corrupt header: %u register words for %s", words,
			     r->info.arch->name);
		return -EBADMSG;
	}
	r->regs_words = words;
	r->header_len = len;
	r->next_off = len;
	r->sym_hwm = len;
	return 0;
overrun:
	ct_rd_seterr(r, "corrupt header: fields overrun its length");
	return -EBADMSG;
}

void ct_trace_reader_close(struct ct_trace_reader *r)
{
	uint32_t i;

	if (!r)
		return;
	while (r->arena) {
		struct ablock *b = r->arena;

		r->arena = b->next;
		free(b);
	}
	free(r->strs);
	free(r->funcs);
	ct_labels_free(r->labels);
	free(r->ivals.e);
	free(r->ilists.e);
	free(r->buf);
	for (i = 0; i < r->capslots; i++) {
		free(r->slots[i].regs);
		free(r->slots[i].stack);
	}
	free(r->slots);
	free(r->idx);
	free(r);
}

static struct ct_trace_reader *finish_open(struct ct_trace_reader *r, char *err, size_t errlen)
{
	int rc = read_header(r);

	/* string and function id 0: none */
	if (!rc)
		rc = ct_rd_pad_ids(r, 1, 1);
	if (rc == -ENOMEM)
		ct_rd_seterr(r, "out of memory");
	if (!rc) {
		r->err[0] = '\0';
		return r;
	}
	if (err && errlen)
		snprintf(err, errlen, "%s", r->err);
	ct_trace_reader_close(r);
	errno = -rc;
	return NULL;
}

struct ct_trace_reader *ct_trace_reader_open(int fd, char *err, size_t errlen)
{
	struct ct_trace_reader *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->fd = fd;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		if (err && errlen)
			snprintf(err, errlen, "read error: %s", strerror(e));
		free(r);
		errno = e;
		return NULL;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		r->kind = SRC_FILE;
		r->size = (uint64_t)st.st_size;
		if (S_ISBLK(st.st_mode)) {
			off_t e = lseek(fd, 0, SEEK_END);

			r->size = e > 0 ? (uint64_t)e : 0;
		}
	} else {
		r->kind = SRC_PIPE;
		r->size = UINT64_MAX;
	}
	return finish_open(r, err, errlen);
}

struct ct_trace_reader *ct_trace_reader_open_mem(const void *buf, size_t len, char *err,
						  size_t errlen)
{
	struct ct_trace_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->kind = SRC_MEM;
	r->fd = -1;
	r->mem = buf;
	r->size = len;
	return finish_open(r, err, errlen);
}

int ct_trace_reader_set_names(struct ct_trace_reader *r, enum ct_demangle mode)
{
	uint32_t i;

	r->symbols = mode == CT_DEMANGLE_NO;
	if (mode != CT_DEMANGLE_SHORT || r->labels)
		return 0;
	r->labels = ct_labels_new();
	if (!r->labels)
		return -ENOMEM;
	/* Every function of the file is told apart from every other: a file
	 * (or memory) not indexed yet is scanned by a reader of its own, so
	 * that this one still streams (and reports damage) as it would have.
	 * A pipe's functions are known only as they come. */
	if (r->kind != SRC_PIPE && !r->indexed) {
		struct ct_trace_reader *scan = r->kind == SRC_MEM ?
			ct_trace_reader_open_mem(r->mem, r->size, NULL, 0) :
			ct_trace_reader_open(r->fd, NULL, 0);

		if (scan && ct_trace_reader_build_index(scan) == 0)
			for (i = 0; i < scan->nfuncs; i++)
				if (scan->funcs[i].name &&
				    ct_labels_add(r->labels, scan->funcs[i].name) < 0)
					break;
		ct_trace_reader_close(scan);
	}
	for (i = 0; i < r->nfuncs; i++)
		if (r->funcs[i].name && ct_labels_add(r->labels, r->funcs[i].name) < 0)
			return -ENOMEM;
	return 0;
}

const struct ct_trace_info *ct_trace_reader_info(const struct ct_trace_reader *r)
{
	return &r->info;
}

const char *ct_trace_reader_error(const struct ct_trace_reader *r)
{
	return r->err;
}

const struct ct_trace_stats *ct_trace_reader_stats(const struct ct_trace_reader *r)
{
	return &r->stats;
}
