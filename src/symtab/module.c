/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Modules: the ELF files mapped into a process, found from /proc/PID/maps.
 *
 * The loader maps each PT_LOAD from file page (p_offset & ~(pg-1)) to
 * address bias + (p_vaddr & ~(pg-1)); p_vaddr and p_offset are congruent
 * modulo the page size, so one mapping (start, offset) of a segment gives
 *
 *	bias = start - (p_vaddr & ~(pg-1)) - (offset - (p_offset & ~(pg-1)))
 *
 * (the last term is non-zero when the kernel split a segment's mapping,
 * e.g. after mprotect of RELRO).  ET_EXEC files are not relocated: bias 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elf.h>

#define CT_LOG_DOMAIN "module"
#include "symtab/symtab.h"
#include "util/log.h"

static uint64_t page_mask(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return (pg > 0 ? (uint64_t)pg : 4096) - 1;
}

/* How well a segment's flags explain a mapping's protection.  Two segments
 * can share a file page (small files linked without separate code pages);
 * the executable bit then tells text from data.  RELRO turns a RW segment's
 * first pages read-only, so W counts for less than X. */
static int prot_score(const struct ct_elf_load *l, int prot)
{
	int score = 0;

	if (!!(l->flags & PF_X) == !!(prot & PROT_EXEC))
		score += 2;
	if (!!(l->flags & PF_W) == !!(prot & PROT_WRITE))
		score += 1;
	return score;
}

int ct_module_bias(const struct ct_elf *elf, const struct ct_map *map, uint64_t *bias)
{
	uint64_t mask = page_mask();
	const struct ct_elf_load *best = NULL;
	int best_score = -1;
	size_t i;

	if (!elf || !map || !bias)
		return -EINVAL;
	if (elf->type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	if (elf->type != ET_DYN)
		return -EINVAL;
	for (i = 0; i < elf->nr_loads; i++) {
		const struct ct_elf_load *l = &elf->loads[i];
		uint64_t off_lo = l->offset & ~mask;
		int score;

		if (!l->filesz || map->offset < off_lo)
			continue;
		if (map->offset > l->offset && map->offset - l->offset >= l->filesz)
			continue;
		/* segments come in address order: on a tie the first one wins */
		score = prot_score(l, map->prot);
		if (score > best_score) {
			best = l;
			best_score = score;
		}
	}
	if (!best)
		return -EINVAL;
	*bias = map->start - (best->vaddr & ~mask) - (map->offset - (best->offset & ~mask));
	return 0;
}

int ct_module_relocated(const struct ct_module *m, const struct ct_maps *maps)
{
	uint64_t mask = page_mask(), start, end;
	size_t i;

	if (!m->elf || !m->elf->relro_memsz)
		return -ENOENT;
	start = (m->bias + m->elf->relro_vaddr) & ~mask;
	end = (m->bias + m->elf->relro_vaddr + m->elf->relro_memsz) & ~mask;
	if (start == end)
		return -ENOENT; /* less than a page: left writable */
	for (i = 0; i < maps->n; i++)
		if (maps->v[i].start <= start && start < maps->v[i].end)
			return !(maps->v[i].prot & PROT_WRITE);
	return -ENOENT;
}

void ct_module_fini(struct ct_module *m)
{
	if (!m)
		return;
	free(m->path);
	ct_elf_put(m->elf);
	m->path = NULL;
	m->name = NULL;
	m->file = NULL;
	m->elf = NULL;
}

/* All mappings of one file: built while scanning the maps. */
struct group {
	const struct ct_map *first; /* lowest start */
	uint64_t lo, hi, text_lo, text_hi;
};

static struct group *group_find(struct group *g, size_t n, const struct ct_map *m)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (g[i].first->inode == m->inode && !strcmp(g[i].first->path, m->path))
			return &g[i];
	return NULL;
}

/* The ways to the file of a mapping open_module_elf tries, in order. */
enum { WAY_MAP_FILES_DELETED, WAY_ROOT, WAY_PATH, WAY_MAP_FILES, NR_WAYS };

/* The path of way `way` to the file of m in buf, or false when that way
 * does not apply. */
static bool way_path(pid_t pid, const struct ct_map *m, int way, char *buf, size_t len)
{
	switch (way) {
	case WAY_MAP_FILES_DELETED:
	case WAY_MAP_FILES:
		if (pid <= 0 || m->deleted != (way == WAY_MAP_FILES_DELETED))
			return false;
		snprintf(buf, len, "/proc/%d/map_files/%llx-%llx", (int)pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		return true;
	case WAY_ROOT:
		if (pid <= 0)
			return false;
		snprintf(buf, len, "/proc/%d/root%s", (int)pid, m->path);
		return true;
	default:
		snprintf(buf, len, "%s", m->path);
		return true;
	}
}

/*
 * Open the file behind a group.  The path in the maps can lead elsewhere:
 * the file was deleted or replaced (" (deleted)"), the process has its own
 * mount namespace or root, or a path held a literal "\012" that the maps
 * decoding took for a newline.  The ways, in order:
 *
 *	/proc/PID/map_files/START-END	for a deleted file (the only way to
 *					its contents; the kernel may demand
 *					CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE)
 *	/proc/PID/root/PATH		the process's own mount namespace
 *	PATH
 *	/proc/PID/map_files/START-END	for any other file, the mapped file
 *					itself when the paths did not lead to it
 *
 * The first regular file with the mapping's inode is opened; failing that,
 * the first regular file at all (stat of a file on overlayfs can give
 * another inode than the maps show; devices are not compared: btrfs gives
 * each subvolume a device of its own).  stat() first: opening a device
 * that happens to be mapped could have side effects.  NULL with errno;
 * else *file is the way that led to it (malloc'ed).
 */
static struct ct_elf *open_module_elf(pid_t pid, const struct group *g, struct ct_elf_cache *cache,
				      char **file)
{
	const struct ct_map *m = g->first;
	size_t len = strlen(m->path) + 64;
	struct ct_elf *elf = NULL;
	char *buf = malloc(len);
	int err = ENOENT, way, fallback = -1, pass;

	*file = NULL;
	if (!buf)
		return NULL;
	/* pass 0: a way to the mapping's inode; pass 1: the first other
	 * regular file */
	for (pass = 0; pass < 2 && !elf; pass++) {
		for (way = 0; way < NR_WAYS && !elf; way++) {
			struct stat st;

			if (pass == 1 && way != fallback)
				continue;
			if (!way_path(pid, m, way, buf, len))
				continue;
			if (stat(buf, &st)) {
				err = errno;
				continue;
			}
			if (!S_ISREG(st.st_mode)) {
				err = ENOEXEC;
				continue;
			}
			if (pass == 0 && st.st_ino != m->inode) {
				if (fallback < 0)
					fallback = way;
				continue;
			}
			elf = ct_elf_cache_open(cache, buf);
			if (!elf) {
				err = errno;
				ct_dbg("%s: %s", buf, strerror(err));
				if (err == ENOMEM || err == ENOEXEC)
					goto out; /* another way to the same file would not help */
			}
		}
	}
out:
	if (!elf) {
		free(buf);
		errno = err;
	} else {
		*file = buf;
	}
	return elf;
}

/* path + '\0' + file name without " (deleted)" + '\0' + file, in one block. */
static int module_names(struct ct_module *mod, const struct ct_map *m, const char *file)
{
	static const char suffix[] = " (deleted)";
	size_t plen = strlen(m->path), flen = strlen(file);
	const char *base = strrchr(m->path, '/');
	size_t blen;
	char *name;

	base = base ? base + 1 : m->path;
	blen = plen - (size_t)(base - m->path);
	if (m->deleted && blen >= sizeof(suffix) - 1)
		blen -= sizeof(suffix) - 1;
	mod->path = malloc(plen + 1 + blen + 1 + flen + 1);
	if (!mod->path)
		return -ENOMEM;
	memcpy(mod->path, m->path, plen + 1);
	name = mod->path + plen + 1;
	memcpy(name, base, blen);
	name[blen] = '\0';
	memcpy(name + blen + 1, file, flen + 1);
	mod->name = name;
	mod->file = name + blen + 1;
	return 0;
}

int ct_modules_from_maps(pid_t pid, const struct ct_maps *maps, struct ct_elf_cache *cache,
			 struct ct_module **mods, size_t *nr)
{
	struct group *groups;
	struct ct_module *out = NULL;
	size_t i, ng = 0, n = 0;
	int err = 0;

	*mods = NULL;
	*nr = 0;
	if (!maps->n)
		return 0;
	groups = calloc(maps->n, sizeof(*groups));
	if (!groups)
		return -ENOMEM;
	for (i = 0; i < maps->n; i++) {
		const struct ct_map *m = &maps->v[i];
		struct group *g;

		/* "[vdso]", "anon_inode:...", anonymous memory: not files */
		if (!m->path || m->path[0] != '/')
			continue;
		g = group_find(groups, ng, m);
		if (!g) {
			g = &groups[ng++];
			g->first = m;
			g->lo = m->start;
			g->hi = m->end;
		}
		if (m->start < g->first->start)
			g->first = m;
		if (m->start < g->lo)
			g->lo = m->start;
		if (m->end > g->hi)
			g->hi = m->end;
		if (m->prot & PROT_EXEC) {
			if (!g->text_hi || m->start < g->text_lo)
				g->text_lo = m->start;
			if (m->end > g->text_hi)
				g->text_hi = m->end;
		}
	}
	if (!ng)
		goto out;
	out = calloc(ng, sizeof(*out));
	if (!out) {
		err = -ENOMEM;
		goto out;
	}
	/* kernel maps are in address order, so groups (and modules) are too */
	for (i = 0; i < ng; i++) {
		const struct group *g = &groups[i];
		struct ct_module *mod = &out[n];
		char *file;
		struct ct_elf *elf = open_module_elf(pid, g, cache, &file);
		int ret;

		if (!elf) {
			if (errno == ENOMEM) {
				err = -ENOMEM;
				goto out;
			}
			ct_dbg("skipping %s: %s", g->first->path, strerror(errno));
			continue;
		}
		if (ct_module_bias(elf, g->first, &mod->bias)) {
			ct_dbg("skipping %s: no PT_LOAD for offset %#llx", g->first->path,
			       (unsigned long long)g->first->offset);
			ct_elf_put(elf);
			free(file);
			continue;
		}
		ret = module_names(mod, g->first, file);
		free(file);
		if (ret) {
			ct_elf_put(elf);
			err = -ENOMEM;
			goto out;
		}
		mod->elf = elf;
		mod->lo = g->lo;
		mod->hi = g->hi;
		mod->text_lo = g->text_lo;
		mod->text_hi = g->text_hi;
		n++;
	}
out:
	free(groups);
	if (err) {
		for (i = 0; i < n; i++)
			ct_module_fini(&out[i]);
		free(out);
		return err;
	}
	if (!n) {
		free(out);
		out = NULL;
	}
	*mods = out;
	*nr = n;
	return 0;
}
