/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer's typed values (format 1.1): the EXT record before
 * a typed call (its parameters' name ids and rendered values) or a typed
 * return (its rendered value), planned first so that the encoder
 * (writer.c) reserves its room, then written.
 */
#include "config.h"

#include "trace/writer_impl.h"

static uint32_t value_len(const char *v)
{
	return v ? (uint32_t)strnlen(v, CT_TRACE_MAX_VALUE) : 0;
}

/* Plan the EXT record of ev (interning the parameter names). */
int ct_tw_plan_typed(struct ct_trace_writer *w, const struct ct_event *ev, struct typed *t)
{
	unsigned i;
	int err;

	t->kind = 0;
	t->size = 0;
	if (!(ev->flags & CT_EVF_TYPED))
		return 0;
	if (ev->type == CT_EV_CALL && ev->nr_named && ev->named) {
		t->kind = CT_TF_X_ARGS;
		t->n = ev->nr_named < CT_TRACE_MAX_NAMED ? ev->nr_named : CT_TRACE_MAX_NAMED;
		t->body = varint_len(CT_TF_X_ARGS) + varint_len(t->n);
		for (i = 0; i < t->n; i++) {
			const char *name = ev->named[i].name;

			t->sid[i] = 0; /* unnamed */
			if (name && *name) {
				err = ct_tw_intern_str(w, name, &t->sid[i]);
				if (err)
					return err;
			}
			t->val[i] = ev->named[i].value;
			t->len[i] = value_len(t->val[i]);
			t->body += varint_len(t->sid[i]) + varint_len(t->len[i]) + t->len[i];
		}
	} else if (ev->type == CT_EV_RETURN && ev->ret_text) {
		t->kind = CT_TF_X_RETVAL;
		t->n = 1;
		t->val[0] = ev->ret_text;
		t->len[0] = value_len(ev->ret_text);
		t->body = varint_len(CT_TF_X_RETVAL) + varint_len(t->len[0]) + t->len[0];
	} else {
		return 0; /* f(void), a void function, an unwind: the flag says it all */
	}
	t->size = 1 + varint_len(t->body) + t->body;
	return 0;
}

uint8_t *ct_tw_put_typed(uint8_t *p, const struct typed *t)
{
	unsigned i;

	*p++ = CT_TF_R_EXT;
	p = put_varint(p, t->body);
	p = put_varint(p, t->kind);
	if (t->kind == CT_TF_X_ARGS)
		p = put_varint(p, t->n);
	for (i = 0; i < t->n; i++) {
		if (t->kind == CT_TF_X_ARGS)
			p = put_varint(p, t->sid[i]);
		p = put_varint(p, t->len[i]);
		memcpy(p, t->val[i], t->len[i]);
		p += t->len[i];
	}
	return p;
}
