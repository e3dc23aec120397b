/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch->patch_site over every function of a real file: this test binary and
 * the libc it runs on (x86_64 files only; elsewhere the tests skip).  The
 * analysis must never fail, each plan must describe the bytes it was given
 * (whole instructions inside the function, exits in order, no return jump
 * reaching into the entry's), and the coverage is printed: entries
 * patched and refused per reason, exits patchable, as --stats will count
 * them.
 */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
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

#include "arch/arch.h"
#include "symtab/symtab.h"

#define X (&ct_arch_x86_64)

struct coverage {
	unsigned funcs, entry[CT_PATCH_NR_WHY], aliases;
	unsigned exits, exit[CT_PATCH_NR_WHY];
};

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* The file bytes of [value, value + size) in an executable segment, or NULL. */
static const uint8_t *func_bytes(const struct ct_elf *elf, const uint8_t *file, size_t file_len,
				 uint64_t value, uint64_t size)
{
	for (size_t i = 0; i < elf->nr_loads; i++) {
		const struct ct_elf_load *l = &elf->loads[i];

		if (!(l->flags & PF_X) || value < l->vaddr || value + size > l->vaddr + l->filesz)
			continue;
		if (l->offset + (value - l->vaddr) + size > file_len)
			return NULL;
		return file + l->offset + (value - l->vaddr);
	}
	return NULL;
}

/* Whatever the verdicts, the plan must describe the bytes it was given. */
static void check_consistent(const struct ct_patch_site *s)
{
	size_t n = s->nr_exits < s->exits_cap ? s->nr_exits : s->exits_cap;

	if (s->why == CT_PATCH_OK) {
		unsigned sum = 0;

		assert_true(s->nr_displaced >= 1 && s->nr_displaced <= CT_PATCH_MAX_DISPLACED);
		for (unsigned i = 0; i < s->nr_displaced; i++)
			sum += s->displaced[i].len;
		assert_int_equal(sum, s->displaced_len);
		assert_true(s->displaced_len >= 5);
		assert_true(s->patch_off + s->displaced_len <= s->size);
		assert_true(s->swept);
	}
	for (size_t i = 0; i < n; i++) {
		const struct ct_patch_exit *e = &s->exits[i];

		assert_true(e->off + e->len <= s->size);
		assert_true(e->patch_off <= e->off);
		if (e->why == CT_PATCH_OK) {
			assert_true(e->off + e->len - e->patch_off >= 5);
			assert_true(s->why != CT_PATCH_OK ||
				    e->patch_off >= s->patch_off + s->displaced_len);
		}
		if (i > 0)
			assert_true(e->off > s->exits[i - 1].off);
	}
}

static void sweep_file(const char *path, struct coverage *c)
{
	struct ct_elf *elf = ct_elf_open(path);
	size_t file_len, cap = 64;
	uint8_t *file;
	struct ct_patch_exit *exits = malloc(cap * sizeof(*exits));

	assert_non_null(elf);
	assert_non_null(exits);
	file = slurp(path, &file_len);
	for (size_t i = 0; i < elf->nr_syms; i++) {
		const struct ct_symbol *sym = &elf->syms[i];
		struct ct_patch_site s = { .exits = exits, .exits_cap = cap };
		const uint8_t *code;

		if (i > 0 && sym->value == elf->syms[i - 1].value)
			continue; /* an alias of the previous one */
		code = func_bytes(elf, file, file_len, sym->value, sym->size);
		if (!code)
			continue;
		assert_int_equal(X->patch_site(code, sym->size, sym->value, &s), 0);
		if (s.nr_exits > cap) {
			cap = s.nr_exits;
			exits = realloc(exits, cap * sizeof(*exits));
			assert_non_null(exits);
			s.exits = exits;
			s.exits_cap = cap;
			assert_int_equal(X->patch_site(code, sym->size, sym->value, &s), 0);
		}
		check_consistent(&s);
		/* the next symbol starts inside this one: entered from elsewhere */
		for (size_t j = i + 1; j < elf->nr_syms && elf->syms[j].value < sym->value + sym->size;
		     j++) {
			enum ct_patch_why was = s.why;

			ct_patch_site_external_target(&s, elf->syms[j].value);
			c->aliases += was == CT_PATCH_OK && s.why != CT_PATCH_OK;
		}
		check_consistent(&s);
		c->funcs++;
		c->entry[s.why]++;
		c->exits += (unsigned)s.nr_exits;
		for (size_t k = 0; k < s.nr_exits; k++)
			c->exit[exits[k].why]++;
	}
	free(exits);
	free(file);
	ct_elf_free(elf);
}

static void print_coverage(const char *path, const struct coverage *c)
{
	printf("# patch sites of %s: %u functions, %u entries patched (%.1f%%), "
	       "%u exits, %u patchable (%.1f%%)\n",
	       path, c->funcs, c->entry[CT_PATCH_OK],
	       c->funcs ? 100.0 * c->entry[CT_PATCH_OK] / c->funcs : 0.0, c->exits,
	       c->exit[CT_PATCH_OK], c->exits ? 100.0 * c->exit[CT_PATCH_OK] / c->exits : 0.0);
	for (int w = 1; w < CT_PATCH_NR_WHY; w++)
		if (c->entry[w] || c->exit[w])
			printf("#   %-16s entries %5u  exits %6u\n",
			       ct_patch_why_name((enum ct_patch_why)w), c->entry[w], c->exit[w]);
	printf("#   (entries refused for another symbol inside the jump: %u)\n", c->aliases);
}

static void sweep_and_print(const char *path)
{
	struct coverage c;
	struct ct_elf *elf = ct_elf_open(path);

	if (!elf || elf->machine != EM_X86_64) {
		ct_elf_free(elf);
		skip(); /* an x86_64 analysis of an x86_64 file only */
	}
	ct_elf_free(elf);
	memset(&c, 0, sizeof(c));
	sweep_file(path, &c);
	print_coverage(path, &c);
	assert_true(c.funcs > 0);
	/* compiled functions mostly start with 5 bytes of plain instructions
	 * (a quarter leaves room for instrumented builds: -fsanitize puts
	 * calls early) */
	assert_true(c.entry[CT_PATCH_OK] > c.funcs / 4);
}

static void test_sweep_self(void **state CT_UNUSED)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	assert_true(n > 0);
	path[n] = '\0';
	sweep_and_print(path);
}

static void test_sweep_libc(void **state CT_UNUSED)
{
	struct ct_maps maps;
	const char *libc = NULL;

	assert_int_equal(ct_maps_read(getpid(), &maps), 0);
	for (size_t i = 0; i < maps.n && !libc; i++) {
		const char *p = maps.v[i].path;
		const char *base = p ? strrchr(p, '/') : NULL;

		if (base && strncmp(base, "/libc.so", 8) == 0)
			libc = p;
	}
	if (!libc) {
		ct_maps_fini(&maps);
		skip(); /* a static or musl build */
	}
	sweep_and_print(libc);
	ct_maps_fini(&maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_self),
		cmocka_unit_test(test_sweep_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
