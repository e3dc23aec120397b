/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where commands come from: a terminal through libedit (prompt, history
 * in ~/.calltrap_history, tab completion), or a script or pipe read line
 * by line without any decoration.
 *
 * Whichever the input, waiting for it polls the input and the traced
 * program's SIGCHLD signalfd together (wait_input), so a program that runs
 * in the background (`continue &`) keeps being traced while calltrap waits
 * for a key, a piped line or a script's next command, and the prompt's
 * event count keeps up.  Ctrl-C at the prompt abandons the line, as in a
 * shell.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "repl/complete.h"
#include "repl/state.h"
#include "repl/store.h"

#define HISTORY_SIZE 1000
#define HISTORY_FILE ".calltrap_history"
/* how often the prompt's event count is redrawn while a program runs */
#define REFRESH_MS 250

struct ct_lineio {
	struct ct_repl *r;
	FILE *in;
	char *buf;               /* batch: the input read so far; the line returned */
	size_t cap, len;         /* batch: its size, and the bytes in it */
	size_t used;             /* batch: the bytes of the line returned last */
	bool eof;                /* batch: the input has ended */
	EditLine *el;
	History *hist;
	char history[PATH_MAX];  /* "" when there is no $HOME */
	char prompt[128];
	bool cancelled;          /* Ctrl-C abandoned the line */
	bool asking;             /* a question is on the terminal: no prompt redraw */
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

/*
 * Wait until fd (the terminal, a pipe or a script) can be read, handling
 * what the traced program does meanwhile; fd -1: a line is at hand, handle
 * only what the program did so far, as between two lines typed.  1: fd is
 * ready; 0: SIGTERM or SIGHUP (end the input); -1: Ctrl-C, or poll failed
 * (errno).
 */
static int wait_input(struct ct_lineio *io, int fd)
{
	struct ct_repl *r = io->r;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = r->live.sigfd, .events = POLLIN } };
		bool running = r->live.s && !r->live.ended && r->live.background;
		int n, wait_ms = running && io->el ? REFRESH_MS : -1;

		if (ct_repl_terminating())
			return 0;
		if (ct_repl_take_interrupt()) {
			errno = EINTR;
			return -1;
		}
		if (ct_repl_live_more(r) || fd < 0)
			wait_ms = 0; /* look at the input, then handle the rest */
		n = poll(pfd, 2, wait_ms); /* a negative fd is left out */
		if (n < 0 && errno != EINTR)
			return -1;
		if (n < 0)
			continue;
		if (r->live.sigfd >= 0 && (n == 0 || (pfd[1].revents & POLLIN))) {
			bool news = ct_repl_live_poll(r);
			uint64_t now = monotonic_ms();

			/* what it printed (events echoed, its exit) is seen
			 * now, as at a terminal, also where stdout is a file */
			fflush(stdout);

			/* redraw the prompt with the new count, at most every
			 * REFRESH_MS: back to the line's start, clear it, and
			 * let libedit draw prompt and line again */
			if (io->el && running && !io->asking && (news || !r->live.background) &&
			    now - io->last_refresh_ms >= REFRESH_MS) {
				io->last_refresh_ms = now;
				fputs("\r\033[K", stdout);
				fflush(stdout);
				el_set(io->el, EL_REFRESH);
			}
		}
		/* POLLNVAL: a closed descriptor, whose read fails and ends
		 * the input (rather than a poll that returns at once, forever) */
		if (fd < 0 || (pfd[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
			return 1;
	}
}

static int getc_fn(EditLine *el, wchar_t *wc)
{
	struct ct_lineio *io;

	el_get(el, EL_CLIENTDATA, &io);
	for (;;) {
		char c;
		ssize_t got;
		size_t conv;
		int ready = wait_input(io, STDIN_FILENO);

		if (ready == 0)
			return 0; /* as at the end of input */
		if (ready < 0) {
			io->cancelled = errno == EINTR;
			return -1;
		}
		got = read(STDIN_FILENO, &c, 1);
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

/* ---- completion ---- */

/* The names completion offers: the traced program's functions, with
 * their modules, and those of the events (a trace file loaded). */
struct store_funcs {
	ct_repl_func_cb cb;
	void *ctx;
};

static void store_func(void *ctx, const char *name)
{
	struct store_funcs *f = ctx;

	f->cb(f->ctx, NULL, name);
}

static void src_funcs(void *ctx, ct_repl_func_cb cb, void *cb_ctx)
{
	struct ct_repl *r = ctx;
	struct store_funcs f = { cb, cb_ctx };

	ct_repl_live_names(r, cb, cb_ctx);
	if (r->store)
		ct_store_names(r->store, store_func, &f);
}

static void src_tids(void *ctx, ct_repl_name_cb cb, void *cb_ctx)
{
	ct_repl_live_tids(ctx, cb, cb_ctx);
}

static unsigned char complete_fn(EditLine *el, CT_UNUSED int ch)
{
	const LineInfo *li = el_line(el);
	struct ct_lineio *io;
	struct ct_completion c;
	struct ct_complete_src src;
	unsigned char ret;
	char *line;
	size_t i;

	el_get(el, EL_CLIENTDATA, &io);
	src = (struct ct_complete_src){ io->r, src_funcs, src_tids };
	line = strndup(li->buffer, (size_t)(li->cursor - li->buffer));
	if (!line || ct_complete(line, &src, &c) < 0) {
		free(line);
		return CC_ERROR;
	}
	if (c.insert) {
		el_insertstr(el, c.insert);
		ret = CC_REFRESH;
	} else if (c.n > 1) {
		/* nothing to add: show the choices under the line */
		fputc('\n', stdout);
		for (i = 0; i < c.n && i < 200; i++)
			printf("%s%s", c.v[i], (i + 1) % 4 == 0 || i + 1 == c.n ? "\n" : "  ");
		if (c.n > 200)
			printf("... and %zu more\n", c.n - 200);
		fflush(stdout);
		ret = CC_REDISPLAY;
	} else {
		ret = CC_ERROR;
	}
	ct_completion_fini(&c);
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

/*
 * A line of a script or pipe.  Read with read(2) rather than stdio, so
 * that wait_input sees whether a line is still to come: while it waits,
 * a program running in the background is traced as at a terminal.
 */
static const char *read_batch(struct ct_lineio *io)
{
	int fd = fileno(io->in);

	/* forget the line returned last */
	if (io->used) {
		memmove(io->buf, io->buf + io->used, io->len - io->used);
		io->len -= io->used;
		io->used = 0;
	}
	for (;;) {
		char *nl = io->len ? memchr(io->buf, '\n', io->len) : NULL;
		ssize_t got;
		int ready;

		/* a script's lines are all at hand: between two, the program
		 * running in the background goes on as between lines typed */
		if (nl || io->eof) {
			ready = wait_input(io, -1);
			if (ready < 0 && errno == EINTR) {
				ct_repl_error(io->r, "interrupted");
				ct_repl_fail_later(io->r);
			}
			if (ready <= 0)
				return NULL;
		}
		if (nl) {
			*nl = '\0';
			io->used = (size_t)(nl - io->buf) + 1;
			return io->buf;
		}
		if (io->eof) {
			if (!io->len)
				return NULL;
			/* the last line, without its newline */
			io->buf[io->len] = '\0';
			io->used = io->len;
			return io->buf;
		}
		if (io->cap - io->len < 4096 + 1) {
			size_t cap = io->cap ? io->cap * 2 : 8192;
			char *b = realloc(io->buf, cap);

			if (!b)
				return NULL;
			io->buf = b;
			io->cap = cap;
		}
		ready = wait_input(io, fd);
		if (ready < 0 && errno == EINTR) {
			/* Ctrl-C: the script stops here, and the run fails as
			 * at a failing command, never with status 0 */
			ct_repl_error(io->r, "interrupted");
			ct_repl_fail_later(io->r);
			return NULL;
		}
		if (ready <= 0)
			return NULL; /* SIGTERM or an error: the input ends here */
		got = read(fd, io->buf + io->len, io->cap - io->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			/* EBADF (stdin closed), EIO: no more commands, and
			 * the run fails, as at a failing command */
			ct_repl_error(io->r, "reading the commands: %s", strerror(errno));
			ct_repl_fail_later(io->r);
		}
		if (got <= 0)
			io->eof = true;
		else
			io->len += (size_t)got;
	}
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

/*
 * Ask as gdb's query() does: at the controlling terminal, whatever stdout
 * is redirected to (the question is for the person typing, not for the
 * file collecting the output); with no terminal to ask (a script or a
 * pipe), answer yes and say so.
 */
bool ct_lineio_confirm(struct ct_lineio *io, const char *question)
{
	int tty = -1, in = STDIN_FILENO, out = STDERR_FILENO;
	bool yes = true;

	if (!io->el) {
		fprintf(io->r->out, "%s (y or n) [answered Y; input not from terminal]\n", question);
		return true;
	}
	fflush(stdout);
	io->asking = true;
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0)
		in = out = tty;
	for (;;) {
		char answer[16];
		size_t n = 0;
		char c;

		dprintf(out, "%s (y or n) ", question);
		while (n + 1 < sizeof(answer)) {
			/* while the question waits, a program running in the
			 * background is traced on, as at the prompt: its
			 * threads that hit a breakpoint must not stay stopped */
			int ready = wait_input(io, in);
			ssize_t got;

			if (ready == 0)
				goto done; /* SIGTERM or SIGHUP: quit without asking */
			if (ready < 0 && errno == EINTR) {
				dprintf(out, "\n");
				yes = false;
				goto done;
			}
			got = ready < 0 ? -1 : read(in, &c, 1);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				dprintf(out, "\n");
				goto done; /* end of input: nobody left to ask */
			}
			if (c == '\n')
				break;
			answer[n++] = c;
		}
		answer[n] = '\0';
		if (answer[0] == 'y' || answer[0] == 'Y')
			goto done;
		if (answer[0] == 'n' || answer[0] == 'N') {
			yes = false;
			goto done;
		}
		dprintf(out, "Please answer y or n.\n");
	}
done:
	io->asking = false;
	if (tty >= 0)
		close(tty);
	return yes;
}
