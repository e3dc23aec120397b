/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-readable live output, one line per event (calltrap(1) OUTPUT):
 *
 *	SECONDS.MICROS [PID/TID] INDENT EVENT
 *
 * A call is never merged with its return: events are printed as they
 * arrive, and other threads' events may come in between.  Names and paths
 * are printed as they are, except that control characters and '\' are
 * escaped (\xNN, \\) so that one event always stays on one line.
 */
#include "config.h"

#include <string.h>

#include "output/output.h"

struct tbuf {
	char *buf;
	size_t cap;
	size_t len; /* bytes needed so far; may exceed cap */
};

static void tb_putc(struct tbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->buf[b->len] = c;
	b->len++;
}

static void tb_put(struct tbuf *b, const char *s, size_t n)
{
	if (b->len + 1 < b->cap) {
		size_t room = b->cap - 1 - b->len;

		memcpy(b->buf + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

static void tb_puts(struct tbuf *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

static void tb_spaces(struct tbuf *b, size_t n)
{
	while (n--)
		tb_putc(b, ' ');
}

/* v in decimal, left-padded with zeros to at least `width` digits */
static void tb_u64w(struct tbuf *b, uint64_t v, int width)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i > (int)sizeof(tmp) - width)
		tmp[--i] = '0';
	tb_put(b, tmp + i, sizeof(tmp) - i);
}

static void tb_int(struct tbuf *b, long long v)
{
	if (v < 0) {
		tb_putc(b, '-');
		tb_u64w(b, -(uint64_t)v, 1);
	} else {
		tb_u64w(b, (uint64_t)v, 1);
	}
}

static const char hexdig[] = "0123456789abcdef";

static void tb_hex(struct tbuf *b, uint64_t v)
{
	char tmp[16];
	int i = sizeof(tmp);

	do {
		tmp[--i] = hexdig[v & 0xf];
		v >>= 4;
	} while (v);
	tb_put(b, "0x", 2);
	tb_put(b, tmp + i, sizeof(tmp) - i);
}

/* A name or path from the tracee: keep the line a single line. */
static void tb_str(struct tbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		tb_putc(b, '?');
		return;
	}
	for (; *s; s++) {
		if (*s == '\\') {
			tb_put(b, "\\\\", 2);
		} else if (*s < 0x20 || *s == 0x7f) {
			char e[4] = { '\\', 'x', hexdig[*s >> 4], hexdig[*s & 0xf] };

			tb_put(b, e, sizeof(e));
		} else {
			tb_putc(b, (char)*s);
		}
	}
}

/*
 * "<5.433 us>": the largest unit in which the value is at least 1, with
 * three decimals (truncated, so 999999 ns is 999.999 us, never 1000.000 us);
 * below 1 us, whole nanoseconds.
 */
static void tb_duration(struct tbuf *b, uint64_t ns)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {
		{ 1000000000, " s>" },
		{ 1000000, " ms>" },
		{ 1000, " us>" },
	};
	unsigned i;

	tb_putc(b, '<');
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].div) {
			tb_u64w(b, ns / units[i].div, 1);
			tb_putc(b, '.');
			tb_u64w(b, ns % units[i].div / (units[i].div / 1000), 3);
			tb_puts(b, units[i].unit);
			return;
		}
	}
	tb_u64w(b, ns, 1);
	tb_puts(b, " ns>");
}

static void tb_signame(struct tbuf *b, int signo)
{
	char tmp[CT_SIGNAME_MAX];

	tb_puts(b, ct_signal_name(signo, tmp));
}

static void tb_regs(struct tbuf *b, const struct ct_arch *arch, const struct ct_regs *regs)
{
	unsigned i;

	for (i = 0; i < arch->nr_regs; i++) {
		const struct ct_reg_desc *d = &arch->reg_desc[i];

		if (i)
			tb_putc(b, ' ');
		tb_str(b, d->name);
		tb_putc(b, '=');
		tb_hex(b, d->word < CT_REGS_WORDS ? regs->w[d->word] : 0);
	}
}

size_t ct_text_format(const struct ct_event *ev, unsigned flags, char *buf, size_t bufsz)
{
	struct tbuf b = { .buf = buf, .cap = buf ? bufsz : 0, .len = 0 };
	size_t column;
	unsigned i, n;

	tb_u64w(&b, ev->ts_ns / 1000000000, 1);
	tb_putc(&b, '.');
	tb_u64w(&b, ev->ts_ns % 1000000000 / 1000, 6);
	tb_put(&b, " [", 2);
	if (ev->pid != ev->tid) {
		tb_int(&b, ev->pid);
		tb_putc(&b, '/');
	}
	tb_int(&b, ev->tid);
	tb_put(&b, "] ", 2);

	switch (ev->type) {
	case CT_EV_CALL:
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		if (ev->depth > 1)
			tb_spaces(&b, 2 * (size_t)(ev->depth - 1));
		break;
	default:
		break;
	}
	column = b.len;

	switch (ev->type) {
	case CT_EV_CALL:
		tb_str(&b, ev->func);
		tb_putc(&b, '(');
		n = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;
		for (i = 0; i < n; i++) {
			if (i)
				tb_put(&b, ", ", 2);
			tb_hex(&b, ev->args[i]);
		}
		tb_put(&b, ") {", 3);
		break;
	case CT_EV_RETURN:
		tb_put(&b, "} ", 2);
		tb_str(&b, ev->func);
		tb_put(&b, " = ", 3);
		tb_hex(&b, ev->retval);
		tb_putc(&b, ' ');
		tb_duration(&b, ev->duration_ns);
		break;
	case CT_EV_UNWIND:
		tb_put(&b, "} ", 2);
		tb_str(&b, ev->func);
		tb_puts(&b, " <unwind> ");
		tb_duration(&b, ev->duration_ns);
		break;
	case CT_EV_THREAD_START:
		tb_puts(&b, "+++ thread ");
		tb_int(&b, ev->tid);
		tb_puts(&b, " started by ");
		tb_int(&b, ev->parent);
		break;
	case CT_EV_THREAD_EXIT:
		tb_puts(&b, "+++ thread exited with ");
		tb_int(&b, ev->status);
		break;
	case CT_EV_FORK:
		tb_puts(&b, ev->flags & CT_EVF_VFORK ? "+++ vfork child " : "+++ fork child ");
		tb_int(&b, ev->child);
		break;
	case CT_EV_EXEC:
		tb_puts(&b, "+++ exec ");
		tb_str(&b, ev->path);
		break;
	case CT_EV_SIGNAL:
		tb_puts(&b, "--- ");
		tb_signame(&b, ev->signo);
		tb_puts(&b, " (signal ");
		tb_int(&b, ev->signo);
		tb_puts(&b, ") ---");
		break;
	case CT_EV_EXIT:
		if (ev->signo > 0) {
			tb_puts(&b, "+++ killed by ");
			tb_signame(&b, ev->signo);
			if (ev->flags & CT_EVF_CORE)
				tb_puts(&b, " (core dumped)");
			tb_puts(&b, " +++");
		} else {
			tb_puts(&b, "+++ exited with ");
			tb_int(&b, ev->status);
			tb_puts(&b, " +++");
		}
		break;
	case CT_EV_NR_TYPES:
	default:
		tb_puts(&b, "??? event type ");
		tb_int(&b, ev->type);
		break;
	}

	/* registers on a second line, two columns right of the event text */
	if ((flags & CT_OUT_REGS) && ev->regs && ev->arch) {
		tb_putc(&b, '\n');
		tb_spaces(&b, column + 2);
		tb_regs(&b, ev->arch, ev->regs);
	}

	if (b.cap)
		b.buf[b.len < b.cap ? b.len : b.cap - 1] = '\0';
	return b.len;
}
