/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/PID/maps: read the whole file first, then parse it.  The kernel
 * produces the text a buffer at a time while the process keeps running, so
 * reading quickly (no parsing between reads) keeps the view as close to one
 * moment as /proc allows.  Each line is
 *
 *	start-end perms offset major:minor inode [path]
 *
 * where path is the rest of the line: it may contain spaces, and the kernel
 * appends " (deleted)" to a file that was unlinked or replaced.  A newline
 * in a path is the one character the kernel escapes (show_map_vma:
 * seq_path(..., "\n") writes it as the octal "\012"; a backslash stays as
 * it is), so that is the one escape decoded.
 *
 * ct_maps_find_gap() picks where the breakpoint engine maps its scratch
 * pages: a free range within reach of a module.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CT_LOG_DOMAIN "maps"
#include "symtab/symtab.h"
#include "util/log.h"

/* vm.mmap_min_addr is 4096 by default, but 65536 on many distributions;
 * below that the kernel refuses mmap for unprivileged processes. */
#define GAP_MIN_ADDR 0x10000ULL
/* The end of user space of the ISA we run on (we trace processes of our
 * own ISA), one page lower still: x86_64 (4-level page tables) ends at
 * (1 << 47) - 4096; aarch64 with 48-bit VAs at 1 << 48, and it places
 * PIE executables at 0xaaaa..., above the x86_64 end. */
#if defined(__aarch64__)
#define GAP_MAX_ADDR 0xffffffffe000ULL
#else
#define GAP_MAX_ADDR 0x7fffffffe000ULL
#endif
/* The kernel keeps stack_guard_gap (256 pages by default) free below a
 * growing stack; a mapping there would stop the main stack from growing
 * (mm/mmap.c, CVE-2017-1000364). */
#define STACK_GUARD_GAP (256ULL * 4096)

static const char deleted_suffix[] = " (deleted)";
static const char newline_escape[] = "\\012";

/* path[0, len) with every "\012" turned back into the newline it stands
 * for; malloc'ed, NULL when out of memory. */
static char *decode_path(const char *path, size_t len)
{
	size_t elen = sizeof(newline_escape) - 1, i, o = 0;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (len - i >= elen && !memcmp(path + i, newline_escape, elen)) {
			out[o++] = '\n';
			i += elen - 1;
		} else {
			out[o++] = path[i];
		}
	}
	out[o] = '\0';
	return out;
}

void ct_maps_fini(struct ct_maps *maps)
{
	size_t i;

	if (!maps)
		return;
	for (i = 0; i < maps->n; i++)
		free(maps->v[i].path);
	free(maps->v);
	maps->v = NULL;
	maps->n = 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A hex number that must be followed by `sep` (or, when sep is ' ', any
 * blank).  Returns the character after the separator, or NULL. */
static const char *parse_hex(const char *s, char sep, uint64_t *out)
{
	char *end;

	if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
		return NULL;
	errno = 0;
	*out = strtoull(s, &end, 16);
	if (errno || *end != sep)
		return NULL;
	return end + 1;
}

/* One line, without its '\n' (line[len] is the newline or the NUL). */
static int parse_line(const char *line, size_t len, struct ct_map *m)
{
	const char *s = line, *eol = line + len;
	uint64_t dev;
	char *end;

	memset(m, 0, sizeof(*m));
	s = parse_hex(s, '-', &m->start);
	if (!s)
		return -EINVAL;
	s = parse_hex(s, ' ', &m->end);
	if (!s || m->end < m->start)
		return -EINVAL;
	if (eol - s < 5 || s[4] != ' ')
		return -EINVAL;
	if (s[0] == 'r')
		m->prot |= PROT_READ;
	if (s[1] == 'w')
		m->prot |= PROT_WRITE;
	if (s[2] == 'x')
		m->prot |= PROT_EXEC;
	m->shared = s[3] == 's';
	s = parse_hex(s + 5, ' ', &m->offset);
	if (!s)
		return -EINVAL;
	s = parse_hex(s, ':', &dev); /* major */
	if (!s)
		return -EINVAL;
	s = parse_hex(s, ' ', &dev); /* minor */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	m->inode = strtoull(s, &end, 10);
	if (errno || end > eol || (end < eol && *end != ' '))
		return -EINVAL;
	s = skip_blanks(end);
	if (s < eol) {
		size_t plen = (size_t)(eol - s);
		size_t slen = sizeof(deleted_suffix) - 1;

		m->path = decode_path(s, plen);
		if (!m->path)
			return -ENOMEM;
		plen = strlen(m->path);
		m->deleted = plen > slen && !memcmp(m->path + plen - slen, deleted_suffix, slen);
	}
	return 0;
}

int ct_maps_parse(const char *text, struct ct_maps *maps)
{
	size_t cap = 0;
	const char *p = text;
	int err;

	maps->v = NULL;
	maps->n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len) {
			if (maps->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct ct_map *v = realloc(maps->v, ncap * sizeof(*v));

				if (!v) {
					err = -ENOMEM;
					goto fail;
				}
				maps->v = v;
				cap = ncap;
			}
			err = parse_line(p, len, &maps->v[maps->n]);
			if (err) {
				ct_dbg("bad line: %.*s", (int)len, p);
				goto fail;
			}
			maps->n++;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
fail:
	ct_maps_fini(maps);
	return err;
}

/* The whole file, NUL-terminated; NULL with errno set. */
static char *read_all(int fd)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf)
				goto fail;
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	return NULL;
}

int ct_maps_read(pid_t pid, struct ct_maps *maps)
{
	char path[64];
	char *text;
	int fd, err;

	maps->v = NULL;
	maps->n = 0;
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	text = read_all(fd);
	err = errno;
	close(fd);
	if (!text)
		return err == ENOENT ? -ESRCH : -err;
	err = ct_maps_parse(text, maps);
	free(text);
	return err;
}

/* ---- gaps ---- */

struct span {
	uint64_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

static uint64_t page_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return pg > 0 ? (uint64_t)pg : 4096;
}

/*
 * Free space is what lies between the (sorted, possibly overlapping)
 * mappings, clipped to [lo, hi) and user space.  In each free interval
 * [fs, fe) that can hold len bytes, the candidate nearest to `near` is
 * clamp(near rounded down to a page, fs, fe - len); the best candidate over
 * all intervals wins.
 */
uint64_t ct_maps_find_gap(const struct ct_maps *maps, uint64_t near, uint64_t lo, uint64_t hi,
			  uint64_t len)
{
	uint64_t pg = page_size(), mask = pg - 1;
	uint64_t best = 0, best_dist = UINT64_MAX;
	uint64_t cursor, target;
	struct span *spans;
	size_t i, n = 0;

	if (!len || len > GAP_MAX_ADDR)
		return 0;
	len = (len + mask) & ~mask;
	if (lo < GAP_MIN_ADDR)
		lo = GAP_MIN_ADDR;
	if (hi > GAP_MAX_ADDR)
		hi = GAP_MAX_ADDR;
	lo = (lo + mask) & ~mask;
	hi &= ~mask;
	if (lo >= hi || hi - lo < len)
		return 0;
	target = near & ~mask;

	spans = malloc((maps->n + 1) * sizeof(*spans));
	if (!spans)
		return 0;
	for (i = 0; i < maps->n; i++) {
		const struct ct_map *m = &maps->v[i];
		uint64_t start = m->start;

		if (m->path && !strcmp(m->path, "[stack]"))
			start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
		spans[n].start = start & ~mask;
		/* an unaligned end (never from the kernel) still occupies its page */
		spans[n].end = m->end > UINT64_MAX - mask ? UINT64_MAX : (m->end + mask) & ~mask;
		n++;
	}
	qsort(spans, n, sizeof(*spans), span_cmp);
	/* a sentinel span at hi closes the last interval */
	spans[n].start = hi;
	spans[n].end = hi;

	cursor = lo;
	for (i = 0; i <= n && cursor < hi; i++) {
		uint64_t fs = cursor, fe = spans[i].start < hi ? spans[i].start : hi;

		if (fe > fs && fe - fs >= len) {
			uint64_t cand = target, dist;

			if (cand < fs)
				cand = fs;
			if (cand > fe - len)
				cand = fe - len;
			dist = cand > near ? cand - near : near - cand;
			/* intervals come in address order: strict < keeps the lower on ties */
			if (dist < best_dist) {
				best = cand;
				best_dist = dist;
			}
		}
		if (spans[i].end > cursor)
			cursor = spans[i].end;
	}
	free(spans);
	return best;
}
