/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF files read once per session (symtab.h, "ELF files read once").
 *
 * A traced shell running /bin/true a thousand times maps the same three
 * files a thousand times; reading their symbol tables (and DWARF) each
 * time cost calltrap ~0.3 MB and milliseconds per exec.  Here a file is
 * known by what stat() says of it: device and inode say which file,
 * size and modification time that its contents are still those we read
 * (a file rewritten in place keeps its inode).  Buckets of a hashmap by
 * inode chain the files that share one (a file replaced while an old
 * copy is still mapped somewhere).
 *
 * Referenced files stay; unreferenced ones wait in an LRU list, at most
 * CT_ELF_CACHE_IDLE of them.  DWARF can be large (tens of MB for libc's
 * separate debug info) and takes long to open: the newest idle files,
 * those a program exec'ing itself maps again at once, keep theirs; older
 * ones give it back (it is opened again if a traced function of the file
 * is called).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "symtab/symtab.h"
#include "util/hashmap.h"

struct ct_elf_cache {
	struct ct_hashmap files; /* bucket key -> first struct ct_elf of its chain */
	size_t nr_files;
	struct ct_elf *idle_new, *idle_old; /* the LRU list of unreferenced files */
	size_t nr_idle;
};

static uint64_t bucket(uint64_t dev, uint64_t ino)
{
	return ino ^ (dev * 0x9E3779B97F4A7C15ull);
}

struct ct_elf_cache *ct_elf_cache_new(void)
{
	struct ct_elf_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	ct_hashmap_init(&c->files);
	return c;
}

static void idle_unlink(struct ct_elf_cache *c, struct ct_elf *elf)
{
	if (elf->idle_prev)
		elf->idle_prev->idle_next = elf->idle_next;
	else
		c->idle_new = elf->idle_next;
	if (elf->idle_next)
		elf->idle_next->idle_prev = elf->idle_prev;
	else
		c->idle_old = elf->idle_prev;
	elf->idle_prev = elf->idle_next = NULL;
	c->nr_idle--;
}

/* Take elf out of the cache (its chain, and the idle list if there). */
static void forget(struct ct_elf_cache *c, struct ct_elf *elf)
{
	uint64_t key = bucket(elf->dev, elf->ino);
	struct ct_elf *head = ct_hashmap_get(&c->files, key), *p;

	if (elf->refs == 0)
		idle_unlink(c, elf);
	if (head == elf) {
		/* the put after a del finds room: no allocation, no failure */
		ct_hashmap_del(&c->files, key);
		if (elf->cache_next)
			ct_hashmap_put(&c->files, key, elf->cache_next);
	} else {
		for (p = head; p && p->cache_next != elf; p = p->cache_next)
			;
		if (p)
			p->cache_next = elf->cache_next;
	}
	elf->cache_next = NULL;
	elf->cache = NULL;
	c->nr_files--;
}

void ct_elf_cache_free(struct ct_elf_cache *c)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!c)
		return;
	while (c->idle_old) {
		struct ct_elf *elf = c->idle_old;

		forget(c, elf);
		ct_elf_free(elf);
	}
	/* still referenced: each is freed by its last ct_elf_put */
	while (ct_hashmap_next(&c->files, &it, &key, &val)) {
		struct ct_elf *elf = val, *next;

		for (; elf; elf = next) {
			next = elf->cache_next;
			elf->cache_next = NULL;
			elf->cache = NULL;
		}
	}
	ct_hashmap_fini(&c->files);
	free(c);
}

struct ct_elf *ct_elf_cache_open(struct ct_elf_cache *c, const char *path)
{
	struct ct_elf *elf, *head;
	struct stat st;
	int64_t mtime;

	if (!c || stat(path, &st) || !S_ISREG(st.st_mode))
		return ct_elf_open(path); /* which says why not */
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	for (elf = ct_hashmap_get(&c->files, bucket((uint64_t)st.st_dev, (uint64_t)st.st_ino));
	     elf; elf = elf->cache_next) {
		if (elf->dev == (uint64_t)st.st_dev && elf->ino == (uint64_t)st.st_ino &&
		    elf->size == (uint64_t)st.st_size && elf->mtime_ns == mtime) {
			if (elf->refs++ == 0)
				idle_unlink(c, elf);
			return elf;
		}
	}
	elf = ct_elf_open(path);
	if (!elf)
		return NULL;
	/* known by its own fstat(), in case the file changed since stat() */
	head = ct_hashmap_get(&c->files, bucket(elf->dev, elf->ino));
	if (ct_hashmap_put(&c->files, bucket(elf->dev, elf->ino), elf) < 0)
		return elf; /* not shared, still usable */
	elf->cache_next = head;
	elf->cache = c;
	c->nr_files++;
	return elf;
}

void ct_elf_put(struct ct_elf *elf)
{
	struct ct_elf_cache *c;
	unsigned i;

	if (!elf || --elf->refs > 0)
		return;
	c = elf->cache;
	if (!c) {
		ct_elf_free(elf);
		return;
	}
	/* idle: the newest of the list; the one it pushes out of the first
	 * CT_ELF_CACHE_IDLE_DWARF gives its DWARF back */
	elf->idle_prev = NULL;
	elf->idle_next = c->idle_new;
	if (c->idle_new)
		c->idle_new->idle_prev = elf;
	else
		c->idle_old = elf;
	c->idle_new = elf;
	c->nr_idle++;
	for (i = 0; elf && i < CT_ELF_CACHE_IDLE_DWARF; i++)
		elf = elf->idle_next;
	if (elf) {
		ct_dwarf_free(elf->dw);
		elf->dw = NULL;
		elf->dw_tried = false;
	}
	while (c->nr_idle > CT_ELF_CACHE_IDLE) {
		struct ct_elf *old = c->idle_old;

		forget(c, old);
		ct_elf_free(old);
	}
}

void ct_elf_cache_count(const struct ct_elf_cache *c, size_t *files, size_t *idle)
{
	*files = c ? c->nr_files : 0;
	*idle = c ? c->nr_idle : 0;
}
