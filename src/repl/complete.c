/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tab completion of a REPL line (see complete.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "repl/complete.h"
#include "symtab/symtab.h"

struct cands {
	char **v;
	size_t n, cap;
	const char *word; /* the word completed */
	size_t wlen;
	const char *sep;  /* its module separator (a function pattern), or NULL */
	bool nomem;
};

/* Add a + b if it begins with the word. */
static void add2(struct cands *c, const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *s;

	if (alen + blen < c->wlen)
		return;
	if (alen >= c->wlen ? strncmp(a, c->word, c->wlen) :
			      strncmp(a, c->word, alen) ||
				      strncmp(b, c->word + alen, c->wlen - alen))
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		char **v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->nomem = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	s = malloc(alen + blen + 1);
	if (!s) {
		c->nomem = true;
		return;
	}
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen + 1);
	c->v[c->n++] = s;
}

static void add_name(void *ctx, const char *name)
{
	add2(ctx, "", 0, name);
}

static void add_func(void *ctx, const char *module, const char *name)
{
	(void)module;
	add2(ctx, "", 0, name);
}

/* A function pattern: GLOB or MODULE:GLOB. */
static void add_pattern(void *ctx, const char *module, const char *name)
{
	struct cands *c = ctx;

	add2(c, "", 0, name);
	if (!module)
		return;
	add2(c, module, strlen(module), ":");
	if (c->sep) {
		/* the module as typed ("libc:mallo" stays "libc:") */
		char mod[256];
		struct ct_modnames mn = { .file = module };
		size_t mlen = (size_t)(c->sep - c->word);

		if (mlen < sizeof(mod)) {
			memcpy(mod, c->word, mlen);
			mod[mlen] = '\0';
			if (ct_module_name_match(mod, &mn))
				add2(c, c->word, mlen + 1, name);
		}
	}
}

/* Prefixed: "func=" of filter words. */
struct lead {
	struct cands *c;
	const char *lead;
};

static void add_lead_func(void *ctx, const char *module, const char *name)
{
	struct lead *l = ctx;

	(void)module;
	add2(l->c, l->lead, strlen(l->lead), name);
}

static void add_lead_name(void *ctx, const char *name)
{
	add_lead_func(ctx, NULL, name);
}

static void add_files(struct cands *c)
{
	const char *slash = strrchr(c->word, '/');
	char dir[PATH_MAX];
	const char *base = slash ? slash + 1 : c->word;
	struct dirent *de;
	DIR *d;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->word + 1), c->word);
	else
		dir[0] = '\0';
	d = opendir(dir[0] ? dir : ".");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char full[PATH_MAX * 2];
		struct stat st;

		if (strncmp(de->d_name, base, strlen(base)))
			continue;
		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(full, sizeof(full), "%s%s", dir, de->d_name);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && strlen(full) + 1 < sizeof(full))
			strcat(full, "/");
		add_name(c, full);
	}
	closedir(d);
}

/* The first two words before the word completed, and how many there are. */
static unsigned words_before(const char *line, size_t start, char *first, char *second,
			     size_t len)
{
	unsigned nwords = 0;
	const char *p = line;

	first[0] = second[0] = '\0';
	while (p < line + start) {
		size_t n;

		while (p < line + start && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= line + start)
			break;
		n = strcspn(p, " \t");
		if (p + n > line + start)
			n = (size_t)(line + start - p);
		if (nwords == 0)
			snprintf(first, len, "%.*s", (int)n, p);
		else if (nwords == 1)
			snprintf(second, len, "%.*s", (int)n, p);
		nwords++;
		p += n;
	}
	return nwords;
}

static void gather(const char *line, size_t start, const struct ct_complete_src *src,
		   struct cands *c)
{
	char first[32], second[32];
	unsigned nwords = words_before(line, start, first, second, sizeof(first));
	const struct ct_repl_cmd *cmd;
	const char *name;
	struct lead l = { c, NULL };

	if (nwords == 0) {
		ct_repl_cmd_names(add_name, c);
		return;
	}
	name = ct_repl_canonical(first);
	if (!name)
		return;
	if (!strcmp(name, "filter")) {
		if (!strncmp(c->word, "func=", 5)) {
			l.lead = "func=";
			if (src->funcs)
				src->funcs(src->ctx, add_lead_func, &l);
		} else if (!strncmp(c->word, "tid=", 4)) {
			l.lead = "tid=";
			if (src->tids)
				src->tids(src->ctx, add_lead_name, &l);
		}
		return;
	}
	if (nwords == 1 && ct_repl_subcmd_names(name, add_name, c))
		return; /* info b<TAB> */
	if (!strcmp(name, "next")) {
		if (nwords == 2 && !strcmp(second, "call") && src->funcs)
			src->funcs(src->ctx, add_func, c);
		return;
	}
	if (!strcmp(name, "info")) {
		/* info functions GLOB */
		if (nwords == 2 && !strncmp("functions", second, strlen(second)) && src->funcs)
			src->funcs(src->ctx, add_func, c);
		return;
	}
	cmd = ct_repl_find_cmd(name);
	switch (cmd ? cmd->complete : CT_COMPLETE_NONE) {
	case CT_COMPLETE_COMMAND:
		ct_repl_cmd_names(add_name, c);
		break;
	case CT_COMPLETE_FUNCTION:
		if (src->funcs)
			src->funcs(src->ctx, add_func, c);
		break;
	case CT_COMPLETE_PATTERN:
		c->sep = ct_pattern_module_sep(c->word);
		if (src->funcs)
			src->funcs(src->ctx, add_pattern, c);
		break;
	case CT_COMPLETE_THREAD:
		if (src->tids)
			src->tids(src->ctx, add_name, c);
		break;
	case CT_COMPLETE_FILE:
		add_files(c);
		break;
	case CT_COMPLETE_NONE:
		break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ct_complete(const char *line, const struct ct_complete_src *src, struct ct_completion *out)
{
	struct cands c = { 0 };
	size_t start = strlen(line), common, i, n;
	const char *only;

	memset(out, 0, sizeof(*out));
	while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t')
		start--;
	c.word = line + start;
	c.wlen = strlen(c.word);
	gather(line, start, src, &c);
	out->v = c.v;
	if (c.nomem) {
		out->n = c.n;
		ct_completion_fini(out);
		return -ENOMEM;
	}
	if (!c.n)
		return 0;
	qsort(c.v, c.n, sizeof(*c.v), cmp_str);
	/* the same name in several modules is one candidate */
	for (i = 1, n = 1; i < c.n; i++) {
		if (strcmp(c.v[i], c.v[n - 1]))
			c.v[n++] = c.v[i];
		else
			free(c.v[i]);
	}
	out->n = n;
	common = strlen(c.v[0]);
	for (i = 1; i < n; i++) {
		size_t k = 0;

		while (k < common && c.v[i][k] == c.v[0][k])
			k++;
		common = k;
	}
	only = n == 1 ? c.v[0] : NULL;
	if (only) {
		size_t len = strlen(only);
		bool more = len && (only[len - 1] == '/' || only[len - 1] == ':');

		out->insert = malloc(len - c.wlen + 2);
		if (!out->insert)
			goto nomem;
		strcpy(out->insert, only + c.wlen);
		if (!more)
			strcat(out->insert, " ");
	} else if (common > c.wlen) {
		out->insert = strndup(c.v[0] + c.wlen, common - c.wlen);
		if (!out->insert)
			goto nomem;
	}
	return 0;
nomem:
	ct_completion_fini(out);
	return -ENOMEM;
}

void ct_completion_fini(struct ct_completion *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	free(c->insert);
	memset(c, 0, sizeof(*c));
}
