/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One event stream into two outputs: the REPL records and echoes. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "output/internal.h"

typedef int (*tee_op)(struct ct_output *o);

/* Both enabled outputs, the first error wins. */
static int each(struct ct_output *o, tee_op op)
{
	int ret = 0, r;
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (!o->tee[i] || !o->tee_on[i])
			continue;
		r = op(o->tee[i]);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

static int tee_begin(CT_UNUSED struct ct_output *o)
{
	return 0;
}

static int tee_event(struct ct_output *o, const struct ct_event *ev)
{
	int ret = 0, r;
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (!o->tee[i] || !o->tee_on[i])
			continue;
		r = ct_output_event(o->tee[i], ev);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

static int tee_idle(struct ct_output *o)
{
	return each(o, ct_output_idle);
}

static int tee_flush(struct ct_output *o)
{
	return each(o, ct_output_flush);
}

/* Ends both, also one switched off: its file must be complete. */
static int tee_end(struct ct_output *o)
{
	int ret = 0, r;
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (!o->tee[i])
			continue;
		r = ct_output_end(o->tee[i]);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

static const struct ct_output_ops tee_ops = {
	.begin = tee_begin,
	.event = tee_event,
	.idle = tee_idle,
	.end = tee_end,
	.flush = tee_flush,
};

struct ct_output *ct_output_new_tee(struct ct_output *a, struct ct_output *b)
{
	struct ct_output *o;

	if (!a || !b) {
		errno = EINVAL;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->ops = &tee_ops;
	o->fd = -1;
	o->tee[0] = a;
	o->tee[1] = b;
	o->tee_on[0] = o->tee_on[1] = true;
	return o;
}

void ct_output_tee_enable(struct ct_output *o, unsigned which, bool on)
{
	if (o && o->ops == &tee_ops && which < 2)
		o->tee_on[which] = on;
}
