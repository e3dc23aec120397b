/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live event output: a format's ops table writing to a FILE the caller owns.
 * Each event is formatted into a buffer kept by the output (grown only when
 * a line does not fit, so the hot path does not allocate) and written with a
 * single fwrite(), so that lines from one writer never interleave.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/internal.h"

#define CT_OUTPUT_BUFSZ 4096

int ct_format_parse(const char *name, enum ct_format *fmt)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "text"))
		*fmt = CT_FMT_TEXT;
	else if (!strcmp(name, "jsonl"))
		*fmt = CT_FMT_JSONL;
	else
		return -EINVAL;
	return 0;
}

/* An error from stdio: errno when the library set one, else EIO. */
static int stdio_err(void)
{
	return errno > 0 ? -errno : -EIO;
}

static int line_begin(CT_UNUSED struct ct_output *o)
{
	return 0;
}

static int line_event(struct ct_output *o, const struct ct_event *ev)
{
	size_t need = o->format(ev, o->flags, o->buf, o->cap);

	/* room for the line, its newline and the formatter's NUL */
	if (need + 2 > o->cap) {
		size_t cap = o->cap;
		char *nbuf;

		while (cap < need + 2)
			cap *= 2;
		nbuf = realloc(o->buf, cap);
		if (!nbuf)
			return -ENOMEM;
		o->buf = nbuf;
		o->cap = cap;
		need = o->format(ev, o->flags, o->buf, o->cap);
	}
	o->buf[need] = '\n';
	errno = 0;
	if (fwrite(o->buf, 1, need + 1, o->fp) != need + 1)
		return stdio_err();
	return 0;
}

static int line_end(struct ct_output *o)
{
	errno = 0;
	if (fflush(o->fp) || ferror(o->fp))
		return stdio_err();
	return 0;
}

static const struct ct_output_ops line_ops = {
	.begin = line_begin,
	.event = line_event,
	.idle = line_end,
	.end = line_end,
	.flush = line_end,
};

struct ct_output *ct_output_new(enum ct_format fmt, FILE *fp, unsigned flags)
{
	struct ct_output *o;
	ct_format_fn format;
	int err;

	switch (fmt) {
	case CT_FMT_TEXT:
		format = ct_text_format;
		break;
	case CT_FMT_JSONL:
		format = ct_jsonl_format_flags;
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	if (!fp) {
		errno = EINVAL;
		return NULL;
	}

	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->ops = &line_ops;
	o->format = format;
	o->fp = fp;
	o->flags = flags;
	o->cap = CT_OUTPUT_BUFSZ;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		free(o);
		errno = ENOMEM;
		return NULL;
	}
	err = o->ops->begin(o);
	if (err) {
		ct_output_free(o);
		errno = -err;
		return NULL;
	}
	return o;
}

int ct_output_event(struct ct_output *o, const struct ct_event *ev)
{
	if (!o || !ev)
		return -EINVAL;
	return o->ops->event(o, ev);
}

int ct_output_idle(struct ct_output *o)
{
	if (!o)
		return -EINVAL;
	return o->ops->idle(o);
}

int ct_output_flush(struct ct_output *o)
{
	if (!o)
		return -EINVAL;
	return o->ops->flush ? o->ops->flush(o) : 0;
}

uint64_t ct_output_bytes(const struct ct_output *o)
{
	return o && o->trace ? ct_trace_writer_bytes(o->trace) : 0;
}

int ct_output_end(struct ct_output *o)
{
	if (!o)
		return -EINVAL;
	return o->ops->end(o);
}

void ct_output_free(struct ct_output *o)
{
	if (!o)
		return;
	if (o->ops->free)
		o->ops->free(o);
	free(o->buf);
	free(o);
}

/*
 * Linux numbers signals 1-31 the same way on x86_64 and aarch64
 * (asm-generic/signal.h and arch/x86/include/uapi/asm/signal.h agree), so
 * one table serves both.  Real-time signals are named after the kernel's
 * numbering (SIGRT_0 is 32), as strace does: glibc's SIGRTMIN is 34 because
 * it keeps two for itself, so "SIGRTMIN+n" would mislead.
 */
static const char *const ct_signames[32] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",  [4] = "SIGILL",
	[5] = "SIGTRAP",    [6] = "SIGABRT",	[7] = "SIGBUS",	  [8] = "SIGFPE",
	[9] = "SIGKILL",    [10] = "SIGUSR1",	[11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD",   [18] = "SIGCONT",	[19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN",   [22] = "SIGTTOU",	[23] = "SIGURG",  [24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO",	    [30] = "SIGPWR",	[31] = "SIGSYS",
};

const char *ct_signal_name(int signo, char *buf)
{
	if (signo > 0 && signo < 32)
		return ct_signames[signo];
	if (signo >= 32 && signo <= 64)
		snprintf(buf, CT_SIGNAME_MAX, "SIGRT_%d", signo - 32);
	else
		snprintf(buf, CT_SIGNAME_MAX, "SIG%d", signo);
	return buf;
}
