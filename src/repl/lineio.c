/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where commands come from: a terminal through libedit (prompt, history
 * in ~/.calltrap_history, tab completion), or a script or pipe read line
 * by line without any decoration.
 *
 * While libedit waits for a key, our character reader polls the terminal
 * and the traced program's SIGCHLD signalfd together, so a program that
 * runs in the background keeps being traced and the prompt's event count
 * keeps up.  Ctrl-C at the prompt abandons the line, as in a shell.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "repl/state.h"
#include "repl/store.h"

#define HISTORY_SIZE 1000
#define HISTORY_FILE ".calltrap_history"
/* how often the prompt's event count is redrawn while a program runs */
#define REFRESH_MS 250

struct ct_lineio {
	struct ct_repl *r;
	FILE *in;
	char *buf;               /* batch: getline's */
	size_t cap;
	EditLine *el;
	History *hist;
	char history[PATH_MAX];  /* "" when there is no $HOME */
	char prompt[128];
	bool cancelled;          /* Ctrl-C abandoned the line */
	uint64_t last_refresh_ms;
	mbstate_t mbs;
};

/* ---- the prompt ---- */

static char *prompt_fn(EditLine *el)
{
	struct ct_lineio *io;
	struct ct_repl *r;

	el_get(el, EL_CLIENTDATA, &io);
	r = io->r;
	if (r->live.s && r->live.background && !r->live.ended)
		snprintf(io->prompt, sizeof(io->prompt), "(calltrap: running, %llu events) ",
			 (unsigned long long)ct_repl_live_events(r));
	else
		snprintf(io->prompt, sizeof(io->prompt), "(calltrap) ");
	return io->prompt;
}

/* ---- reading a character ---- */

static uint64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int getc_fn(EditLine *el, wchar_t *wc)
{
	struct ct_lineio *io;

	el_get(el, EL_CLIENTDATA, &io);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
					 { .fd = io->r->live.sigfd, .events = POLLIN } };
		bool running = io->r->live.s && !io->r->live.ended && io->r->live.background;
		int n, wait_ms = running ? REFRESH_MS : -1;

		if (ct_repl_terminating())
			return 0; /* as at the end of input */
		if (ct_repl_take_interrupt()) {
			io->cancelled = true;
			return -1;
		}
		if (ct_repl_live_more(io->r))
			wait_ms = 0; /* look at the keyboard, then handle the rest */
		n = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, wait_ms);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n < 0)
			continue;
		if (io->r->live.sigfd >= 0 && (n == 0 || (pfd[1].revents & POLLIN))) {
			bool news = ct_repl_live_poll(io->r);
			uint64_t now = monotonic_ms();

			/* redraw the prompt with the new count, at most every
			 * REFRESH_MS: back to the line's start, clear it, and
			 * let libedit draw prompt and line again */
			if (running && (news || !io->r->live.background) &&
			    now - io->last_refresh_ms >= REFRESH_MS) {
				io->last_refresh_ms = now;
				fputs("\r\033[K", stdout);
				fflush(stdout);
				el_set(el, EL_REFRESH);
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char c;
			ssize_t got = read(STDIN_FILENO, &c, 1);
			size_t conv;

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return got == 0 ? 0 : -1;
			conv = mbrtowc(wc, &c, 1, &io->mbs);
			if (conv == (size_t)-2)
				continue; /* more bytes of a multibyte character */
			if (conv == (size_t)-1) {
				memset(&io->mbs, 0, sizeof(io->mbs));
				*wc = (wchar_t)(unsigned char)c;
			}
			return 1;
		}
	}
}

/* ---- completion ---- */

struct cands {
	char **v;
	size_t n, cap;
	const char *prefix;
	size_t plen;
	const char *lead;  /* prepended to each candidate: "func=" */
};

static void cand_add(void *ctx, const char *name)
{
	struct cands *c = ctx;
	size_t ll = c->lead ? strlen(c->lead) : 0;
	char *s;

	if (ll + strlen(name) < c->plen || strncmp(name, c->prefix + ll, c->plen - ll) ||
	    (ll && strncmp(c->prefix, c->lead, ll)))
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		char **v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return;
		c->v = v;
		c->cap = cap;
	}
	s = malloc(ll + strlen(name) + 1);
	if (!s)
		return;
	if (ll)
		memcpy(s, c->lead, ll);
	strcpy(s + ll, name);
	c->v[c->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cands_files(struct cands *c)
{
	const char *slash = strrchr(c->prefix, '/');
	char dir[PATH_MAX];
	const char *base = slash ? slash + 1 : c->prefix;
	struct dirent *de;
	DIR *d;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->prefix + 1), c->prefix);
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
		cand_add(c, full);
	}
	closedir(d);
}

static void cands_names(struct ct_repl *r, struct cands *c, enum ct_repl_complete kind)
{
	switch (kind) {
	case CT_COMPLETE_COMMAND:
		ct_repl_cmd_names(cand_add, c);
		break;
	case CT_COMPLETE_FUNCTION:
		ct_repl_live_names(r, cand_add, c);
		if (r->store)
			ct_store_names(r->store, cand_add, c);
		break;
	case CT_COMPLETE_THREAD:
		ct_repl_live_tids(r, cand_add, c);
		break;
	case CT_COMPLETE_FILE:
		cands_files(c);
		break;
	case CT_COMPLETE_NONE:
		break;
	}
}

/* What the word being completed is, from the words before it. */
static enum ct_repl_complete word_kind(const char *line, size_t start, const char **lead,
				       const char *word)
{
	char first[32] = "", second[32] = "";
	const struct ct_repl_cmd *cmd;
	unsigned nwords = 0;
	const char *p = line;

	*lead = NULL;
	while (p < line + start) {
		size_t len;

		while (p < line + start && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= line + start)
			break;
		len = strcspn(p, " \t");
		if (p + len > line + start)
			len = (size_t)(line + start - p);
		if (nwords == 0)
			snprintf(first, sizeof(first), "%.*s", (int)len, p);
		else if (nwords == 1)
			snprintf(second, sizeof(second), "%.*s", (int)len, p);
		nwords++;
		p += len;
	}
	if (nwords == 0)
		return CT_COMPLETE_COMMAND;
	if (!strcmp(first, "filter")) {
		if (!strncmp(word, "func=", 5)) {
			*lead = "func=";
			return CT_COMPLETE_FUNCTION;
		}
		if (!strncmp(word, "tid=", 4)) {
			*lead = "tid=";
			return CT_COMPLETE_THREAD;
		}
		return CT_COMPLETE_NONE;
	}
	if (!strcmp(first, "next") && nwords == 1)
		return CT_COMPLETE_NONE;
	if (!strcmp(first, "next") && !strcmp(second, "call"))
		return CT_COMPLETE_FUNCTION;
	if ((!strcmp(first, "list") || !strcmp(first, "info")) && nwords == 1)
		return CT_COMPLETE_NONE;
	cmd = ct_repl_find_cmd(first);
	return cmd ? cmd->complete : CT_COMPLETE_NONE;
}

static unsigned char complete_fn(EditLine *el, CT_UNUSED int ch)
{
	const LineInfo *li = el_line(el);
	struct ct_lineio *io;
	struct cands c = { 0 };
	enum ct_repl_complete kind;
	size_t start, len, common, i;
	char *line, *word;
	unsigned char ret = CC_ERROR;

	el_get(el, EL_CLIENTDATA, &io);
	len = (size_t)(li->cursor - li->buffer);
	line = strndup(li->buffer, len);
	if (!line)
		return CC_ERROR;
	start = len;
	while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t')
		start--;
	word = line + start;
	kind = word_kind(line, start, &c.lead, word);
	c.prefix = word;
	c.plen = strlen(word);
	cands_names(io->r, &c, kind);
	if (c.n == 0)
		goto out;
	qsort(c.v, c.n, sizeof(*c.v), cmp_str);
	/* the same name in several modules is one candidate */
	for (i = 1, len = 1; i < c.n; i++) {
		if (strcmp(c.v[i], c.v[len - 1]))
			c.v[len++] = c.v[i];
		else
			free(c.v[i]);
	}
	c.n = len;
	common = strlen(c.v[0]);
	for (i = 1; i < c.n; i++) {
		size_t k = 0;

		while (k < common && c.v[i][k] == c.v[0][k])
			k++;
		common = k;
	}
	if (c.n == 1) {
		const char *rest = c.v[0] + c.plen;
		bool dir = c.v[0][strlen(c.v[0]) - 1] == '/';

		el_insertstr(el, rest);
		if (!dir)
			el_insertstr(el, " ");
		ret = CC_REFRESH;
	} else if (common > c.plen) {
		char *ext = strndup(c.v[0] + c.plen, common - c.plen);

		if (ext) {
			el_insertstr(el, ext);
			free(ext);
		}
		ret = CC_REFRESH;
	} else {
		/* nothing to add: show the choices under the line */
		fputc('\n', stdout);
		for (i = 0; i < c.n && i < 200; i++)
			printf("%s%s", c.v[i], (i + 1) % 4 == 0 || i + 1 == c.n ? "\n" : "  ");
		if (c.n > 200)
			printf("... and %zu more\n", c.n - 200);
		fflush(stdout);
		ret = CC_REDISPLAY;
	}
out:
	for (i = 0; i < c.n; i++)
		free(c.v[i]);
	free(c.v);
	free(line);
	return ret;
}

/* ---- setting up ---- */

static void history_open(struct ct_lineio *io)
{
	const char *home = getenv("HOME");
	HistEvent ev;

	io->hist = history_init();
	if (!io->hist)
		return;
	history(io->hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(io->hist, &ev, H_SETUNIQUE, 1);
	if (home && *home) {
		snprintf(io->history, sizeof(io->history), "%s/%s", home, HISTORY_FILE);
		history(io->hist, &ev, H_LOAD, io->history); /* none yet is fine */
	}
}

struct ct_lineio *ct_lineio_new(struct ct_repl *r, FILE *in)
{
	struct ct_lineio *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->r = r;
	io->in = in;
	if (r->batch)
		return io;
	io->el = el_init("calltrap", stdin, stdout, stderr);
	if (!io->el) {
		free(io);
		errno = ENOTTY;
		return NULL;
	}
	el_set(io->el, EL_CLIENTDATA, io);
	el_set(io->el, EL_EDITOR, "emacs");
	el_set(io->el, EL_PROMPT, prompt_fn);
	el_set(io->el, EL_GETCFN, getc_fn);
	/* the wide call: the narrow one copies both strings and never frees
	 * them (libedit's eln.c) */
	el_wset(io->el, EL_ADDFN, L"ct-complete", L"complete a command, function, thread or file",
		complete_fn);
	el_set(io->el, EL_BIND, "^I", "ct-complete", NULL);
	history_open(io);
	if (io->hist)
		el_set(io->el, EL_HIST, history, io->hist);
	el_source(io->el, NULL); /* ~/.editrc, as other libedit programs */
	return io;
}

void ct_lineio_free(struct ct_lineio *io)
{
	if (!io)
		return;
	if (io->el)
		el_end(io->el);
	if (io->hist)
		history_end(io->hist);
	free(io->buf);
	free(io);
}

static const char *read_batch(struct ct_lineio *io)
{
	ssize_t n = getline(&io->buf, &io->cap, io->in);

	if (n < 0)
		return NULL;
	if (n > 0 && io->buf[n - 1] == '\n')
		io->buf[n - 1] = '\0';
	return io->buf;
}

const char *ct_lineio_read(struct ct_lineio *io)
{
	for (;;) {
		const char *line;
		HistEvent ev;
		int count;
		size_t n;

		if (!io->el)
			return read_batch(io);
		io->cancelled = false;
		line = el_gets(io->el, &count);
		if (io->cancelled) {
			/* Ctrl-C: drop the line, new prompt */
			fputc('\n', stdout);
			el_reset(io->el);
			continue;
		}
		if (!line || count <= 0)
			return NULL;
		free(io->buf);
		io->buf = strdup(line);
		if (!io->buf)
			return NULL;
		n = strlen(io->buf);
		if (n && io->buf[n - 1] == '\n')
			io->buf[--n] = '\0';
		if (n && io->hist) {
			history(io->hist, &ev, H_ENTER, io->buf);
			if (io->history[0])
				history(io->hist, &ev, H_SAVE, io->history);
		}
		return io->buf;
	}
}

bool ct_lineio_confirm(struct ct_lineio *io, const char *question)
{
	for (;;) {
		char answer[16];
		size_t n = 0;
		char c;

		printf("%s (y or n) ", question);
		fflush(stdout);
		while (n + 1 < sizeof(answer)) {
			ssize_t got = read(STDIN_FILENO, &c, 1);

			if (got < 0 && errno == EINTR) {
				if (ct_repl_terminating())
					return true;
				if (ct_repl_take_interrupt()) {
					fputc('\n', stdout);
					return false;
				}
				continue;
			}
			if (got <= 0) {
				fputc('\n', stdout);
				return true; /* end of input: nobody left to ask */
			}
			if (c == '\n')
				break;
			answer[n++] = c;
		}
		answer[n] = '\0';
		(void)io;
		if (answer[0] == 'y' || answer[0] == 'Y')
			return true;
		if (answer[0] == 'n' || answer[0] == 'N')
			return false;
		printf("Please answer y or n.\n");
	}
}
