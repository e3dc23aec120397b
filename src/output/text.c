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

#include "output/output.h"
#include "util/strbuf.h"

size_t ct_text_indent(uint32_t level, char *buf)
{
	struct ct_sbuf b;

	if (level <= 1)
		return 0;
	ct_sbuf_init(&b, buf, CT_INDENT_MAX + 1);
	ct_sbuf_spaces(&b, 2 * (size_t)((level < CT_INDENT_MAX_LEVEL ? level
								   : CT_INDENT_MAX_LEVEL) - 1));
	if (level > CT_INDENT_MAX_LEVEL) {
		ct_sbuf_puts(&b, "[depth ");
		ct_sbuf_u64(&b, level);
		ct_sbuf_put(&b, "] ", 2);
	}
	return b.len;
}

/* DWARF-typed arguments: name=value, the value already C source. */
static void tb_named_args(struct ct_sbuf *b, const struct ct_event *ev)
{
	unsigned i;

	for (i = 0; i < ev->nr_named; i++) {
		if (i)
			ct_sbuf_put(b, ", ", 2);
		if (ev->named[i].name && *ev->named[i].name) {
			ct_sbuf_puts(b, ev->named[i].name);
			ct_sbuf_putc(b, '=');
		}
		ct_sbuf_puts(b, ev->named[i].value ? ev->named[i].value : "?");
	}
}

/*
 * "<5.433 us>": the largest unit in which the value is at least 1, with
 * three decimals (truncated, so 999999 ns is 999.999 us, never 1000.000 us);
 * below 1 us, whole nanoseconds.
 */
static void tb_duration(struct ct_sbuf *b, uint64_t ns)
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

	ct_sbuf_putc(b, '<');
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].div) {
			ct_sbuf_u64(b, ns / units[i].div);
			ct_sbuf_putc(b, '.');
			ct_sbuf_u64w(b, ns % units[i].div / (units[i].div / 1000), 3);
			ct_sbuf_puts(b, units[i].unit);
			return;
		}
	}
	ct_sbuf_u64(b, ns);
	ct_sbuf_puts(b, " ns>");
}

static void tb_signame(struct ct_sbuf *b, int signo)
{
	char tmp[CT_SIGNAME_MAX];

	ct_sbuf_puts(b, ct_signal_name(signo, tmp));
}

static void tb_regs(struct ct_sbuf *b, const struct ct_arch *arch, const struct ct_regs *regs)
{
	unsigned i;

	for (i = 0; i < arch->nr_regs; i++) {
		const struct ct_reg_desc *d = &arch->reg_desc[i];

		if (i)
			ct_sbuf_putc(b, ' ');
		ct_sbuf_put_escaped(b, d->name);
		ct_sbuf_putc(b, '=');
		ct_sbuf_hex64(b, d->word < CT_REGS_WORDS ? regs->w[d->word] : 0);
	}
}

size_t ct_text_format(const struct ct_event *ev, unsigned flags, char *buf, size_t bufsz)
{
	struct ct_sbuf b;
	size_t column;
	unsigned i, n;

	ct_sbuf_init(&b, buf, bufsz);
	ct_sbuf_u64(&b, ev->ts_ns / 1000000000);
	ct_sbuf_putc(&b, '.');
	ct_sbuf_u64w(&b, ev->ts_ns % 1000000000 / 1000, 6);
	ct_sbuf_put(&b, " [", 2);
	if (ev->pid != ev->tid) {
		ct_sbuf_s64(&b, ev->pid);
		ct_sbuf_putc(&b, '/');
	}
	ct_sbuf_s64(&b, ev->tid);
	ct_sbuf_put(&b, "] ", 2);

	switch (ev->type) {
	case CT_EV_CALL:
	case CT_EV_RETURN:
	case CT_EV_UNWIND: {
		char indent[CT_INDENT_MAX];

		ct_sbuf_put(&b, indent, ct_text_indent(ev->depth, indent));
		break;
	}
	default:
		break;
	}
	column = b.len;

	switch (ev->type) {
	case CT_EV_CALL:
		ct_sbuf_put_escaped(&b, ev->label ? ev->label : ev->func);
		ct_sbuf_putc(&b, '(');
		if (ev->flags & CT_EVF_TYPED) {
			tb_named_args(&b, ev);
		} else {
			n = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;
			for (i = 0; i < n; i++) {
				if (i)
					ct_sbuf_put(&b, ", ", 2);
				ct_sbuf_hex64(&b, ev->args[i]);
			}
		}
		ct_sbuf_put(&b, ") {", 3);
		if (ev->flags & CT_EVF_TAIL)
			ct_sbuf_puts(&b, " <tail call>");
		break;
	case CT_EV_RETURN:
		ct_sbuf_put(&b, "} ", 2);
		ct_sbuf_put_escaped(&b, ev->label ? ev->label : ev->func);
		if (!(ev->flags & CT_EVF_TYPED)) {
			ct_sbuf_put(&b, " = ", 3);
			ct_sbuf_hex64(&b, ev->retval);
		} else if (ev->ret_text) {
			ct_sbuf_put(&b, " = ", 3);
			ct_sbuf_puts(&b, ev->ret_text);
		}
		ct_sbuf_putc(&b, ' ');
		tb_duration(&b, ev->duration_ns);
		break;
	case CT_EV_UNWIND:
		ct_sbuf_put(&b, "} ", 2);
		ct_sbuf_put_escaped(&b, ev->label ? ev->label : ev->func);
		ct_sbuf_puts(&b, " <unwind> ");
		tb_duration(&b, ev->duration_ns);
		break;
	case CT_EV_THREAD_START:
		ct_sbuf_puts(&b, "+++ thread ");
		ct_sbuf_s64(&b, ev->tid);
		ct_sbuf_puts(&b, " started by ");
		ct_sbuf_s64(&b, ev->parent);
		break;
	case CT_EV_THREAD_EXIT:
		ct_sbuf_puts(&b, "+++ thread exited with ");
		ct_sbuf_s64(&b, ev->status);
		break;
	case CT_EV_FORK:
		ct_sbuf_puts(&b, ev->flags & CT_EVF_VFORK ? "+++ vfork child " : "+++ fork child ");
		ct_sbuf_s64(&b, ev->child);
		break;
	case CT_EV_EXEC:
		ct_sbuf_puts(&b, "+++ exec ");
		ct_sbuf_put_escaped(&b, ev->path);
		break;
	case CT_EV_SIGNAL:
		ct_sbuf_puts(&b, "--- ");
		tb_signame(&b, ev->signo);
		ct_sbuf_puts(&b, " (signal ");
		ct_sbuf_s64(&b, ev->signo);
		ct_sbuf_puts(&b, ") ---");
		break;
	case CT_EV_EXIT:
		if (ev->signo > 0) {
			ct_sbuf_puts(&b, "+++ killed by ");
			tb_signame(&b, ev->signo);
			if (ev->flags & CT_EVF_CORE)
				ct_sbuf_puts(&b, " (core dumped)");
			ct_sbuf_puts(&b, " +++");
		} else {
			ct_sbuf_puts(&b, "+++ exited with ");
			ct_sbuf_s64(&b, ev->status);
			ct_sbuf_puts(&b, " +++");
		}
		break;
	case CT_EV_NR_TYPES:
	default:
		ct_sbuf_puts(&b, "??? event type ");
		ct_sbuf_s64(&b, ev->type);
		break;
	}

	/* registers on a second line, two columns right of the event text */
	if ((flags & CT_OUT_REGS) && ev->regs && ev->arch) {
		ct_sbuf_putc(&b, '\n');
		ct_sbuf_spaces(&b, column + 2);
		tb_regs(&b, ev->arch, ev->regs);
	}

	return ct_sbuf_finish(&b);
}
