// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DWARF-typed arguments and return values.  The first time a traced
 * function is entered, its signature is looked up in its module's DWARF
 * and placed by the calling convention (arch->abi_locate); from then on
 * each call costs what its types need beyond the registers the stop
 * already read: the vector registers only for floating-point values, one
 * read of the stack for arguments passed there, and a read per string or
 * by-reference value.  Functions without DWARF keep their raw registers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/internal.h"
#include "symtab/ctype.h"
#include "symtab/render.h"
#include "symtab/symtab.h"
#include "util/log.h"
#include "util/strbuf.h"

/* bytes of one value we show: a larger struct shows the members that
 * start in its first MAX_VALUE bytes */
#define MAX_VALUE 256
#define MAX_STACK_READ 4096

struct ct_typed {
	const struct ct_sig *sig;
	/* the parameters and return value can be read where the calling
	 * convention puts them; else only the source line is known */
	bool args_ok;
	unsigned nr_shown;        /* parameters shown: at most CT_TYPED_MAX_NAMED */
	struct ct_vloc *params;
	struct ct_vloc ret;
	uint32_t stack_bytes;     /* entry sp + [0, stack_bytes) holds stack arguments */
};

struct ct_typed_buf {
	struct ct_named_value named[CT_TYPED_MAX_NAMED];
	char text[CT_TYPED_TEXT];
	uint8_t vregs[1024];      /* NT_PRFPREG image */
	uint8_t stack[MAX_STACK_READ];
};

static struct ct_typed *resolve(struct ct_session *s, const struct ct_func *f)
{
	struct ct_typed *ty;
	const struct ct_sig *sig;
	const struct ct_symbol *sym;
	struct ct_modrt *m = f->owner;
	struct ct_dwarf *dw;
	size_t idx;
	unsigned i;

	if (!m || !m->m.elf)
		return NULL;
	idx = (size_t)(f - m->funcs);
	dw = ct_elf_dwarf(m->m.elf, m->m.file, ct_session_debug_dirs(s));
	/* the code its entry site is on: for an IFUNC the implementation, not
	 * the resolver that its symbol's value names; failing DWARF of that
	 * code, the prototype of a global symbol's public name (a local one
	 * could be any static function of that name) */
	sym = &m->m.elf->syms[idx];
	sig = ct_dwarf_sig(dw, f->addr - m->m.bias, sym->global ? sym->name : NULL);
	if (!sig)
		return NULL;
	ty = calloc(1, sizeof(*ty));
	if (!ty)
		return NULL;
	ty->sig = sig;
	/* foo.isra.0, foo.constprop.1, foo.part.0, foo.cold: a compiler-made
	 * variant whose registers are not foo's declared parameters */
	if (sig->nocall || strchr(m->m.elf->syms[idx].name, '.'))
		return ty;
	ty->params = calloc(sig->nr_params ? sig->nr_params : 1, sizeof(*ty->params));
	if (!ty->params || s->arch->abi_locate(sig, ty->params, &ty->ret) < 0) {
		ct_dbg("%s: arguments of types we cannot place: raw registers", f->name);
		free(ty->params);
		ty->params = NULL;
		return ty;
	}
	ty->args_ok = true;
	ty->nr_shown = sig->nr_params < CT_TYPED_MAX_NAMED ? sig->nr_params : CT_TYPED_MAX_NAMED;
	for (i = 0; i < ty->nr_shown; i++) {
		const struct ct_vloc *l = &ty->params[i];
		uint32_t end = l->kind == CT_VLOC_STACK ? l->stack_off + sig->params[i].type->size :
			       l->kind == CT_VLOC_REF && !l->nr_parts ? l->stack_off + 8 : 0;

		if (end > ty->stack_bytes)
			ty->stack_bytes = end < MAX_STACK_READ ? end : MAX_STACK_READ;
	}
	return ty;
}

const struct ct_typed *ct_typed_of(struct ct_session *s, struct ct_func *f)
{
	if (!f->typed_done) {
		f->typed_done = true;
		f->typed = resolve(s, f);
	}
	return f->typed && f->typed->args_ok && !s->opts.raw_args ? f->typed : NULL;
}

/* Does rendering a value of this type read the process's memory (a
 * string, or a struct holding one)?  Deep or cyclic types count as yes. */
static bool reads_memory(const struct ct_type *ty, unsigned depth)
{
	unsigned i;

	if (!ty || depth > 8)
		return true;
	if (ty->kind == CT_TK_STR)
		return true;
	if (ty->kind == CT_TK_STRUCT)
		for (i = 0; i < ty->nr; i++)
			if (reads_memory(ty->members[i].type, depth + 1))
				return true;
	return false;
}

/* A value whose bytes are all in general registers of the record, and
 * whose text needs nothing else. */
static bool loc_in_record(const struct ct_vloc *loc, const struct ct_type *ty)
{
	unsigned i;

	if (loc->kind == CT_VLOC_NONE)
		return true;
	if (loc->kind != CT_VLOC_REGS || reads_memory(ty, 0))
		return false;
	for (i = 0; i < loc->nr_parts; i++)
		if (loc->part[i].file != CT_RF_GPR)
			return false;
	return true;
}

bool ct_typed_from_record(const struct ct_typed *ty)
{
	unsigned i;

	if (!ty)
		return true;
	for (i = 0; i < ty->nr_shown; i++)
		if (!loc_in_record(&ty->params[i], ty->sig->params[i].type))
			return false;
	return loc_in_record(&ty->ret, ty->sig->ret);
}

void ct_typed_free(struct ct_func *f)
{
	if (f->typed) {
		free(f->typed->params);
		free(f->typed);
		f->typed = NULL;
	}
}

void ct_typed_src(const struct ct_func *f, struct ct_event *ev)
{
	if (f->typed) {
		ev->src_file = f->typed->sig->decl_file;
		ev->src_line = f->typed->sig->decl_line;
	}
}

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return ct_pmem_read(ctx, addr, buf, len);
}

/* What the registers of one stop give: general ones always, vector ones
 * read once on demand. */
struct stop_regs {
	struct ct_session *s;
	pid_t tid;
	const struct ct_regs *regs;
	const uint8_t *vregs; /* NULL until read, or when it failed */
	bool vregs_tried;
};

static bool want_vregs(struct stop_regs *r, struct ct_typed_buf *tb)
{
	if (!r->vregs_tried) {
		r->vregs_tried = true;
		if (r->s->arch->fpregs_size <= sizeof(tb->vregs) &&
		    ct_fpregs_get(r->tid, r->s->arch, tb->vregs) == 0)
			r->vregs = tb->vregs;
	}
	return r->vregs != NULL;
}

static uint64_t part_word(const struct stop_regs *r, const struct ct_vloc_part *p)
{
	return p->file == CT_RF_GPR && p->reg < CT_REGS_WORDS ? r->regs->w[p->reg] : 0;
}

/*
 * The bytes of a value of `size` bytes at loc into val[MAX_VALUE] (the
 * first MAX_VALUE of them).  stack[0, stack_len) holds what the entry sp
 * pointed at; ref is the address of a REF value found beforehand.  0, or
 * -EFAULT with *bad set to the address that cannot be read.
 */
static int gather(struct stop_regs *r, struct ct_typed_buf *tb, const struct ct_pmem *mem,
		  const struct ct_vloc *loc, uint64_t sp, const uint8_t *stack, uint32_t stack_len,
		  uint64_t ref, size_t size, uint8_t *val, uint64_t *bad)
{
	const struct ct_arch *arch = r->s->arch;
	size_t n = size < MAX_VALUE ? size : MAX_VALUE;
	uint64_t addr;
	unsigned i;

	memset(val, 0, MAX_VALUE);
	switch (loc->kind) {
	case CT_VLOC_REGS:
		for (i = 0; i < loc->nr_parts; i++) {
			const struct ct_vloc_part *p = &loc->part[i];
			const uint8_t *src;

			if (p->file == CT_RF_VEC) {
				if (p->reg >= arch->nr_vregs || !want_vregs(r, tb))
					return -EIO;
				src = r->vregs + arch->vreg_offset + 16 * (size_t)p->reg;
			} else if (p->file == CT_RF_X87) {
				if (p->reg >= arch->nr_x87 || !want_vregs(r, tb))
					return -EIO;
				src = r->vregs + arch->x87_offset + 16 * (size_t)p->reg;
			} else if (p->reg < CT_REGS_WORDS) {
				src = (const uint8_t *)&r->regs->w[p->reg];
			} else {
				return -EINVAL;
			}
			if ((size_t)p->offset + p->size <= MAX_VALUE)
				memcpy(val + p->offset, src, p->size);
		}
		return 0;
	case CT_VLOC_STACK:
		if (loc->stack_off + n <= stack_len) {
			memcpy(val, stack + loc->stack_off, n);
			return 0;
		}
		addr = sp + loc->stack_off;
		break;
	case CT_VLOC_REF:
		addr = ref;
		break;
	case CT_VLOC_NONE:
	default:
		return -EINVAL;
	}
	if (ct_pmem_read(mem, addr, val, n) < 0) {
		*bad = addr;
		return -EFAULT;
	}
	return 0;
}

/* The address a REF value is at, when its pointer is where loc says. */
static uint64_t ref_address(const struct stop_regs *r, const struct ct_vloc *loc,
			    const uint8_t *stack, uint32_t stack_len)
{
	uint64_t v = 0;

	if (loc->kind != CT_VLOC_REF)
		return 0;
	if (loc->nr_parts)
		return part_word(r, &loc->part[0]);
	if (loc->stack_off + 8 <= stack_len)
		memcpy(&v, stack + loc->stack_off, 8);
	return v;
}

/* Render one value into the text buffer at *used; its string. */
static const char *render_one(struct ct_typed_buf *tb, size_t *used, const struct ct_type *type,
			      int got, const uint8_t *val, uint64_t bad,
			      const struct ct_render_ctx *rc)
{
	struct ct_sbuf b;
	char *start = tb->text + *used;
	size_t room = sizeof(tb->text) - *used;

	if (room < 2)
		return "?";
	ct_sbuf_init(&b, start, room);
	if (got == -EFAULT) {
		char tmp[40];

		snprintf(tmp, sizeof(tmp), "<unreadable 0x%llx>", (unsigned long long)bad);
		ct_sbuf_puts(&b, tmp);
	} else if (got < 0) {
		/* where the calling convention puts it cannot be read (the
		 * vector registers): no value, as gdb says it */
		ct_sbuf_puts(&b, "<optimized out>");
	} else {
		ct_render_value(&b, type, val, MAX_VALUE, rc);
	}
	*used += (ct_sbuf_finish(&b) < room ? b.len : room - 1) + 1;
	return start;
}

/* What one stop's values are read and rendered with. */
struct stop_ctx {
	struct ct_typed_buf *tb;
	const struct ct_pmem *mem;
	struct stop_regs r;
	struct ct_render_ctx rc;
	size_t used; /* bytes of tb->text taken */
};

/* false when the session's buffer cannot be had (then nothing is typed) */
static bool stop_begin(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs,
		       struct stop_ctx *c)
{
	if (!s->typed_buf)
		s->typed_buf = malloc(sizeof(*s->typed_buf));
	c->tb = s->typed_buf;
	c->mem = &t->proc->mm->mem;
	c->r = (struct stop_regs){ .s = s, .tid = t->tid, .regs = regs };
	c->rc = (struct ct_render_ctx){
		.read = read_mem, .read_ctx = (void *)c->mem, .string_limit = s->opts.string_limit,
	};
	c->used = 0;
	return c->tb != NULL;
}

void ct_typed_call(struct ct_session *s, struct ct_thread *t, const struct ct_typed *ty,
		   const struct ct_regs *regs, struct ct_event *ev)
{
	struct stop_ctx c;
	uint64_t sp = s->arch->sp(regs), bad = 0;
	uint32_t stack_len = 0;
	uint8_t val[MAX_VALUE];
	unsigned i;

	if (!stop_begin(s, t, regs, &c))
		return;
	ev->flags |= CT_EVF_TYPED;
	ev->named = c.tb->named;
	ev->nr_named = ty->nr_shown;
	if (ty->stack_bytes && ct_pmem_read(c.mem, sp, c.tb->stack, ty->stack_bytes) == 0)
		stack_len = ty->stack_bytes;
	for (i = 0; i < ty->nr_shown; i++) {
		const struct ct_param *p = &ty->sig->params[i];
		const struct ct_vloc *loc = &ty->params[i];
		int got = gather(&c.r, c.tb, c.mem, loc, sp, c.tb->stack, stack_len,
				 ref_address(&c.r, loc, c.tb->stack, stack_len), p->type->size, val,
				 &bad);

		c.tb->named[i].name = p->name;
		c.tb->named[i].value = render_one(c.tb, &c.used, p->type, got, val, bad, &c.rc);
	}
}

uint64_t ct_typed_entry_ref(const struct ct_typed *ty, const struct ct_regs *regs)
{
	if (ty->ret.kind == CT_VLOC_REF && ty->ret.ref_at_entry && ty->ret.nr_parts &&
	    ty->ret.part[0].reg < CT_REGS_WORDS)
		return regs->w[ty->ret.part[0].reg];
	return 0;
}

void ct_typed_return(struct ct_session *s, struct ct_thread *t, const struct ct_typed *ty,
		     uint64_t entry_ref, const struct ct_regs *regs, struct ct_event *ev)
{
	struct stop_ctx c;
	uint64_t ref, bad = 0;
	uint8_t val[MAX_VALUE];
	int got;

	if (!stop_begin(s, t, regs, &c))
		return;
	ev->flags |= CT_EVF_TYPED;
	if (ty->ret.kind == CT_VLOC_NONE)
		return; /* void: no ret_text */
	ref = ty->ret.ref_at_entry ? entry_ref : ref_address(&c.r, &ty->ret, NULL, 0);
	got = gather(&c.r, c.tb, c.mem, &ty->ret, 0, NULL, 0, ref, ty->sig->ret->size, val, &bad);
	ev->ret_text = render_one(c.tb, &c.used, ty->sig->ret, got, val, bad, &c.rc);
}
