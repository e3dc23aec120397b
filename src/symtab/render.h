/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Values of DWARF-described types rendered as C source (render.c). */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "symtab/ctype.h"
#include "util/strbuf.h"

struct ct_render_ctx {
	/* reads the traced process's memory: 0 or a negative errno */
	int (*read)(void *read_ctx, uint64_t addr, void *buf, size_t len);
	void *read_ctx;
	unsigned string_limit; /* bytes of a string shown before "..." */
};

/* ty's value held in bytes[0, len): "?" when len < ty->size, except for a
 * struct, whose members past len show as "?". */
void ct_render_value(struct ct_sbuf *b, const struct ct_type *ty, const uint8_t *bytes, size_t len,
		     const struct ct_render_ctx *ctx);
/* The NUL-terminated string at addr: "abc", "abc"... past the limit, NULL,
 * or <unreadable 0x..>. */
void ct_render_string(struct ct_sbuf *b, uint64_t addr, const struct ct_render_ctx *ctx);

#endif
