/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON lines: one object per event, keys in the fixed order of DESIGN.md
 * "Event schema" and docs/events.md, so that line-oriented tools (grep, jq,
 * diff) see the same text for the same event.  The formatter is snprintf-like
 * and never allocates: the caller owns the buffer and grows it if needed.
 *
 * Strings come from the tracee (symbol names, exec paths) and may hold any
 * byte.  Valid UTF-8 is copied; '"' and '\' get a backslash; control
 * characters (U+0000-U+001F, U+007F) and every byte that is not part of a
 * valid UTF-8 sequence become \u00xx of that byte (lower-case hex), i.e. such
 * a byte reads back as the Latin-1 character of the same value.  That is
 * lossy only in that a genuine U+0080-U+00FF character and a stray byte of
 * the same value look alike; it always yields valid JSON and valid UTF-8.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "output/output.h"
#include "util/strbuf.h"

/* "0x..." in quotes: JSON numbers lose precision above 2^53 in most readers. */
static void jb_hexstr(struct ct_sbuf *b, uint64_t v)
{
	ct_sbuf_putc(b, '"');
	ct_sbuf_hex64(b, v);
	ct_sbuf_putc(b, '"');
}

static void jb_esc_byte(struct ct_sbuf *b, unsigned char c)
{
	ct_sbuf_put(b, "\\u00", 4);
	ct_sbuf_hex8(b, c);
}

/* A JSON string, or null for a missing one. */
static void jb_str(struct ct_sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		ct_sbuf_put(b, "null", 4);
		return;
	}
	ct_sbuf_putc(b, '"');
	while (*s) {
		const unsigned char *run = s;
		size_t n;

		/* copy plain ASCII in one piece */
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s != run)
			ct_sbuf_put(b, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		if (*s == '"' || *s == '\\') {
			ct_sbuf_putc(b, '\\');
			ct_sbuf_putc(b, (char)*s);
			s++;
		} else if (*s < 0x80) {
			jb_esc_byte(b, *s++);
		} else if ((n = ct_utf8_seq_len(s))) {
			ct_sbuf_put(b, (const char *)s, n);
			s += n;
		} else {
			jb_esc_byte(b, *s++);
		}
	}
	ct_sbuf_putc(b, '"');
}

/* ,"key": */
static void jb_key(struct ct_sbuf *b, const char *key)
{
	ct_sbuf_put(b, ",\"", 2);
	ct_sbuf_puts(b, key);
	ct_sbuf_put(b, "\":", 2);
}

static void jb_bool(struct ct_sbuf *b, bool v)
{
	if (v)
		ct_sbuf_put(b, "true", 4);
	else
		ct_sbuf_put(b, "false", 5);
}

static void jb_signal(struct ct_sbuf *b, int signo)
{
	char tmp[CT_SIGNAME_MAX];

	jb_key(b, "signo");
	ct_sbuf_s64(b, signo);
	jb_key(b, "signame");
	jb_str(b, ct_signal_name(signo, tmp));
}

static void jb_frame(struct ct_sbuf *b, const struct ct_event *ev)
{
	jb_key(b, "func");
	jb_str(b, ev->func);
	jb_key(b, "module");
	jb_str(b, ev->module);
	jb_key(b, "addr");
	jb_hexstr(b, ev->addr);
	jb_key(b, "depth");
	ct_sbuf_u64(b, ev->depth);
}

/* A typed value as JSON: numbers and booleans bare (they are JSON
 * literals already), everything else as a string of its C rendering. */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

static void jb_value(struct ct_sbuf *b, const char *v)
{
	if (!v)
		ct_sbuf_put(b, "null", 4);
	else if (json_number(v) || !strcmp(v, "true") || !strcmp(v, "false"))
		ct_sbuf_puts(b, v);
	else
		jb_str(b, v);
}

static void jb_named_args(struct ct_sbuf *b, const struct ct_event *ev)
{
	unsigned i;

	ct_sbuf_putc(b, '{');
	for (i = 0; i < ev->nr_named; i++) {
		const char *name = ev->named[i].name;

		if (i)
			ct_sbuf_putc(b, ',');
		if (name && *name) {
			jb_str(b, name);
		} else {
			char key[16];

			snprintf(key, sizeof(key), "arg%u", i);
			jb_str(b, key);
		}
		ct_sbuf_putc(b, ':');
		jb_value(b, ev->named[i].value);
	}
	ct_sbuf_putc(b, '}');
}

static void jb_regs(struct ct_sbuf *b, const struct ct_arch *arch, const struct ct_regs *regs)
{
	unsigned i;

	jb_key(b, "regs");
	ct_sbuf_putc(b, '{');
	for (i = 0; i < arch->nr_regs; i++) {
		const struct ct_reg_desc *d = &arch->reg_desc[i];

		if (i)
			ct_sbuf_putc(b, ',');
		jb_str(b, d->name);
		ct_sbuf_putc(b, ':');
		jb_hexstr(b, d->word < CT_REGS_WORDS ? regs->w[d->word] : 0);
	}
	ct_sbuf_putc(b, '}');
}

size_t ct_jsonl_format_flags(const struct ct_event *ev, unsigned flags, char *buf, size_t bufsz)
{
	struct ct_sbuf b;
	unsigned i, n;

	ct_sbuf_init(&b, buf, bufsz);
	ct_sbuf_put(&b, "{\"seq\":", 7);
	ct_sbuf_u64(&b, ev->seq);
	jb_key(&b, "ts_ns");
	ct_sbuf_u64(&b, ev->ts_ns);
	jb_key(&b, "pid");
	ct_sbuf_s64(&b, ev->pid);
	jb_key(&b, "tid");
	ct_sbuf_s64(&b, ev->tid);
	jb_key(&b, "type");
	jb_str(&b, ct_event_type_name(ev->type));

	switch (ev->type) {
	case CT_EV_CALL:
		jb_frame(&b, ev);
		jb_key(&b, "args");
		if (ev->flags & CT_EVF_TYPED) {
			jb_named_args(&b, ev);
		} else {
			ct_sbuf_putc(&b, '[');
			n = ev->nr_args < CT_MAX_ARGS ? ev->nr_args : CT_MAX_ARGS;
			for (i = 0; i < n; i++) {
				if (i)
					ct_sbuf_putc(&b, ',');
				jb_hexstr(&b, ev->args[i]);
			}
			ct_sbuf_putc(&b, ']');
		}
		if (ev->flags & CT_EVF_TAIL)
			ct_sbuf_puts(&b, ",\"tail\":true");
		break;
	case CT_EV_RETURN:
		jb_frame(&b, ev);
		if (!(ev->flags & CT_EVF_TYPED)) {
			jb_key(&b, "retval");
			jb_hexstr(&b, ev->retval);
		} else if (ev->ret_text) {
			jb_key(&b, "retval");
			jb_value(&b, ev->ret_text);
		}
		jb_key(&b, "duration_ns");
		ct_sbuf_u64(&b, ev->duration_ns);
		break;
	case CT_EV_UNWIND:
		jb_frame(&b, ev);
		jb_key(&b, "duration_ns");
		ct_sbuf_u64(&b, ev->duration_ns);
		break;
	case CT_EV_THREAD_START:
		jb_key(&b, "parent");
		ct_sbuf_s64(&b, ev->parent);
		break;
	case CT_EV_THREAD_EXIT:
		jb_key(&b, "status");
		ct_sbuf_s64(&b, ev->status);
		break;
	case CT_EV_FORK:
		jb_key(&b, "child");
		ct_sbuf_s64(&b, ev->child);
		jb_key(&b, "vfork");
		jb_bool(&b, ev->flags & CT_EVF_VFORK);
		jb_key(&b, "followed");
		jb_bool(&b, ev->flags & CT_EVF_FOLLOWED);
		break;
	case CT_EV_EXEC:
		jb_key(&b, "path");
		jb_str(&b, ev->path);
		break;
	case CT_EV_SIGNAL:
		jb_signal(&b, ev->signo);
		break;
	case CT_EV_EXIT:
		/* killed by a signal, or a normal exit with a status */
		if (ev->signo > 0) {
			jb_signal(&b, ev->signo);
			jb_key(&b, "core");
			jb_bool(&b, ev->flags & CT_EVF_CORE);
		} else {
			jb_key(&b, "status");
			ct_sbuf_s64(&b, ev->status);
		}
		break;
	case CT_EV_NR_TYPES:
	default:
		break;
	}

	if ((flags & CT_OUT_REGS) && ev->regs && ev->arch)
		jb_regs(&b, ev->arch, ev->regs);
	ct_sbuf_putc(&b, '}');

	return ct_sbuf_finish(&b);
}

size_t ct_jsonl_format(const struct ct_event *ev, char *buf, size_t bufsz)
{
	return ct_jsonl_format_flags(ev, CT_OUT_REGS, buf, bufsz);
}
