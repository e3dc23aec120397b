/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Filter values of replay, report and dump (and the REPL's `filter`). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "view/view.h"

void ct_view_filter_init(struct ct_view_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->until_ns = UINT64_MAX;
}

bool ct_view_filter_active(const struct ct_view_filter *f)
{
	return f->nr_funcs || f->nr_tids || f->max_depth || f->min_duration_ns || f->since_ns ||
	       f->until_ns != UINT64_MAX;
}

/*
 * Decimal digits with an optional fraction, then a unit.  Parsed by hand
 * rather than with strtod so that "1.000000001s" is exactly 1000000001 ns.
 */
int ct_view_parse_time(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	uint64_t whole = 0, frac = 0, fscale = 1, mult = 0;
	const char *p = s;
	bool digits = false;
	unsigned i;

	if (!s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		whole = whole * 10 + (uint64_t)(*p - '0');
		digits = true;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			digits = true;
			/* beyond nanoseconds of a second, digits cannot matter */
			if (fscale < 1000000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fscale *= 10;
			}
		}
	}
	if (!digits)
		return -EINVAL;
	if (!*p) {
		/* a bare number: only 0 needs no unit */
		if (whole || frac)
			return -EINVAL;
		*ns = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(p, units[i].name))
			mult = units[i].mult;
	if (!mult)
		return -EINVAL;
	if (whole > UINT64_MAX / mult)
		return -EINVAL;
	*ns = whole * mult + frac * mult / fscale;
	return 0;
}

int ct_view_parse_tids(const char *s, struct ct_view_filter *f)
{
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v == 0 || v > INT_MAX)
			return -EINVAL;
		if (f->nr_tids >= CT_VIEW_MAX_TIDS)
			return -E2BIG;
		f->tids[f->nr_tids++] = (pid_t)v;
		if (!*end)
			return 0;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
}

char *ct_view_format_duration(uint64_t ns, char *buf)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {
		{ 1000000000, " s" },
		{ 1000000, "ms" },
		{ 1000, "us" },
	};
	struct ct_sbuf b;
	char num[24];
	size_t len;
	unsigned i;

	ct_sbuf_init(&b, num, sizeof(num));
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].div)
			break;
	}
	if (i == sizeof(units) / sizeof(units[0])) {
		ct_sbuf_u64(&b, ns);
	} else if (i == 0 && ns >= 1000 * units[0].div) {
		ct_sbuf_u64(&b, ns / units[0].div);
	} else {
		ct_sbuf_u64(&b, ns / units[i].div);
		ct_sbuf_putc(&b, '.');
		ct_sbuf_u64w(&b, ns % units[i].div / (units[i].div / 1000), 3);
	}
	len = ct_sbuf_finish(&b);
	ct_sbuf_init(&b, buf, CT_VIEW_DURLEN);
	if (len < 7)
		ct_sbuf_spaces(&b, 7 - len);
	ct_sbuf_put(&b, num, len);
	ct_sbuf_putc(&b, ' ');
	ct_sbuf_puts(&b, i < sizeof(units) / sizeof(units[0]) ? units[i].unit : "ns");
	ct_sbuf_finish(&b);
	return buf;
}

int ct_view_filter_set(struct ct_view_filter *f, const char *name, const char *value, char *why,
		       size_t whylen)
{
	uint64_t ns;
	int rc;

	if (!strcmp(name, "func")) {
		if (!value || !*value) {
			snprintf(why, whylen, "empty --func pattern");
			return -EINVAL;
		}
		if (f->nr_funcs >= CT_VIEW_MAX_FUNCS) {
			snprintf(why, whylen, "too many --func patterns (at most %d)",
				 CT_VIEW_MAX_FUNCS);
			return -E2BIG;
		}
		f->funcs[f->nr_funcs++] = value;
		return 0;
	}
	if (!strcmp(name, "tid")) {
		rc = ct_view_parse_tids(value, f);
		if (rc == -E2BIG)
			snprintf(why, whylen, "too many --tid values (at most %d)",
				 CT_VIEW_MAX_TIDS);
		else if (rc)
			snprintf(why, whylen, "invalid --tid '%s' (thread ids, comma-separated)",
				 value);
		return rc;
	}
	if (!strcmp(name, "max-depth")) {
		char *end;
		unsigned long v;

		errno = 0;
		v = value && *value >= '0' && *value <= '9' ? strtoul(value, &end, 10) : 0;
		if (!v || errno || *end || v > UINT_MAX) {
			snprintf(why, whylen, "invalid --max-depth '%s' (a number >= 1)",
				 value ? value : "");
			return -EINVAL;
		}
		f->max_depth = (unsigned)v;
		return 0;
	}
	if (!strcmp(name, "min-duration") || !strcmp(name, "since") || !strcmp(name, "until")) {
		if (ct_view_parse_time(value, &ns) < 0) {
			snprintf(why, whylen,
				 "invalid --%s '%s' (a time with a unit: ns, us, ms, s)", name,
				 value ? value : "");
			return -EINVAL;
		}
		if (name[0] == 'm')
			f->min_duration_ns = ns;
		else if (name[0] == 's')
			f->since_ns = ns;
		else
			f->until_ns = ns;
		return 0;
	}
	snprintf(why, whylen, "no such filter '%s'", name);
	return -ENOENT;
}
