/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "breakpoints/breakpoints.h"

int ct_shadow_push(struct ct_shadow *s, const struct ct_frame *f)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct ct_frame *v = realloc(s->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = ncap;
	}
	s->v[s->n++] = *f;
	return 0;
}

void ct_shadow_fini(struct ct_shadow *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
