/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's trampolines on x86_64: the machine code a patched
 * function jumps to (never calls: no return address is ever pushed or
 * rewritten), written against its address in the tracee (cb->pc), as the
 * relocator writes slots.
 *
 * ENTRY, at the jump that replaced [patch_off, patch_off + displaced_len):
 *     lea -128(%rsp),%rsp        below the red zone first (lea keeps flags)
 *     pushfq; push rax rcx rdx rsi rdi r8 r9 r10 r11
 *     <producer: a CALL record>
 *     pop r11 .. rax; popfq; lea 128(%rsp),%rsp
 *     <the displaced instructions, relocated one after the other>
 *     jmp addr + patch_off + displaced_len
 * EXIT i, at the jump that replaced [patch_off, off + len):
 *     <the straight-line instructions of [patch_off, off), relocated>
 *     save; <producer: a RETURN record>; restore
 *     <the exit itself: ret | rep ret | ret imm16 as they were, or a jump
 *      to the tail call's target>
 *   a tail jcc tests its condition on the function's flags first, and
 *   records only when it is taken:
 *     <head> rel8 -> taken;  jmp addr + off + len;
 *     taken: save; <producer>; restore; jmp target
 * An exit among the entry's displaced instructions (a function shorter
 * than the jump) records the same way inside the entry trampoline.  The
 * save, the producer and the restore are producer.c's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/tramp_emit.h"
#include "fastpath/ring.h"

#define JMP_REL32_LEN 5

static bool in_function(const struct ct_patch_site *site, uint64_t pc)
{
	return pc >= site->addr && pc - site->addr < site->size;
}

/* A ret form: [f2|f3] c3, or [f2] c2 iw (x86_64_analyze copies them with
 * no jump back, as it does jmp r/m). */
static bool is_ret(const struct ct_insn_plan *p)
{
	uint8_t last = p->bytes[p->len - 1];

	if (!(p->aux & X86_64_F_NO_JUMP_BACK))
		return false; /* `01 c3` is add %eax,%ebx */
	if (p->len <= 2 && last == 0xc3)
		return true;
	return (p->len == 3 && p->bytes[0] == 0xc2) ||
	       (p->len == 4 && p->bytes[0] == 0xf2 && p->bytes[1] == 0xc2);
}

/*
 * One exit instruction `p` at exit_pc: the RETURN record, then the exit.
 * A conditional one records only when taken; not taken, it continues at
 * `cont`, or with the code emitted next when cont is 0.  *ends: control
 * never reaches the code emitted next.  -ENOTSUP for an indirect jump
 * (a tail call or a jump table's dispatch: only its target tells).
 */
static int emit_exit_insn(struct x86_64_em *e, const struct ct_insn_plan *p, uint64_t exit_pc,
			  uint64_t cont, const struct ct_tramp_ctx *ctx, bool *ends)
{
	size_t taken, skip = 0;
	uint8_t jcc = (uint8_t)(0x70 | p->cond);

	*ends = true;
	if (p->action == CT_INSN_EMULATE && p->kind == X86_64_K_JMP) {
		x86_64_emit_record(e, ctx, CT_FP_RETURN, exit_pc);
		jump(e, p->target);
		return e->err;
	}
	if (p->action != CT_INSN_RELOCATE)
		return -ENOTSUP;
	if (p->kind == X86_64_K_COPY && is_ret(p)) {
		x86_64_emit_record(e, ctx, CT_FP_RETURN, exit_pc);
		put(e, p->bytes, p->len); /* as it was: it pops the untouched return address */
		return e->err;
	}
	if (p->kind != X86_64_K_JCC && p->kind != X86_64_K_LOOP)
		return -ENOTSUP;
	/* the condition on the function's own flags (and rcx), evaluated once */
	if (p->kind == X86_64_K_JCC)
		taken = fwd8(e, &jcc, 1);
	else
		taken = fwd8(e, p->bytes, p->disp_off);
	if (cont) {
		jump(e, cont);
	} else {
		*ends = false;
		PUT(e, 0xe9, 0, 0, 0, 0); /* jmp rel32 over the taken path */
		skip = e->err ? 0 : e->cb->len - 4;
	}
	bind8(e, taken);
	x86_64_emit_record(e, ctx, CT_FP_RETURN, exit_pc);
	jump(e, p->target);
	if (!e->err && !cont) {
		uint32_t rel = (uint32_t)(e->cb->len - (skip + 4));
		for (unsigned i = 0; i < 4; i++)
			e->cb->buf[skip + i] = (uint8_t)(rel >> (8 * i));
	}
	return e->err;
}

/* Is the displaced instruction `p` an exit of the function? */
static bool displaced_exit(const struct ct_patch_site *site, const struct ct_insn_plan *p)
{
	if (p->action == CT_INSN_EMULATE)
		return p->kind == X86_64_K_JMP && !in_function(site, p->target);
	if (p->action != CT_INSN_RELOCATE)
		return false;
	if (p->kind == X86_64_K_JCC || p->kind == X86_64_K_LOOP)
		return !in_function(site, p->target);
	/* ret, and jmp r/m (which emit_exit_insn refuses) */
	return p->kind == X86_64_K_COPY && (p->aux & X86_64_F_NO_JUMP_BACK);
}

/* One straight-line or displaced instruction, continuing with the next. */
static int emit_relocated(struct x86_64_em *e, const struct ct_insn_plan *p, bool *ends)
{
	if (e->err)
		return e->err;
	e->err = x86_64_relocate_inline(p, e->cb, ends);
	return e->err;
}

int x86_64_tramp_entry(const struct ct_patch_site *site, const uint8_t *code CT_UNUSED,
		       const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb)
{
	struct x86_64_em e = { .cb = cb, .spans = ctx->spans };
	bool ends = false;
	int ret;

	if (ctx->spans)
		ctx->spans->n = 0;
	if (site->why != CT_PATCH_OK || site->displaced_len < JMP_REL32_LEN ||
	    site->nr_displaced == 0 || site->nr_displaced > CT_PATCH_MAX_DISPLACED)
		return -EINVAL;
	x86_64_emit_record(&e, ctx, CT_FP_CALL, 0);
	for (unsigned k = 0; k < site->nr_displaced && !ends; k++) {
		const struct ct_insn_plan *p = &site->displaced[k];

		/* an exit among the displaced instructions (a function
		 * shorter than the jump) records its return here */
		if (displaced_exit(site, p))
			ret = emit_exit_insn(&e, p, p->pc, 0, ctx, &ends);
		else
			ret = emit_relocated(&e, p, &ends);
		if (ret < 0)
			return ret;
	}
	if (!ends)
		jump(&e, site->addr + site->patch_off + site->displaced_len);
	return e.err;
}

/* Decode and classify the instruction at code[off] (the function's bytes). */
static int decode_one(csh cs, cs_insn *insn, const struct ct_patch_site *site,
		      const uint8_t *code, size_t off, struct ct_insn_plan *p)
{
	const uint8_t *c = code + off;
	size_t n = site->size - off;
	uint64_t pc = site->addr + off;

	if (!cs_disasm_iter(cs, &c, &n, &pc, insn))
		return -ENOTSUP;
	if (x86_64_analyze(insn, site->addr + off, p) < 0 || p->action == CT_INSN_REJECT)
		return -ENOTSUP;
	return 0;
}

static int emit_exit(struct x86_64_em *e, csh cs, cs_insn *insn, const struct ct_patch_site *site,
		     const struct ct_patch_exit *x, const uint8_t *code,
		     const struct ct_tramp_ctx *ctx)
{
	struct ct_insn_plan p;
	size_t off = x->patch_off;
	bool ends;
	int ret;

	/* the straight line the jump displaces before the exit */
	while (off < x->off) {
		ret = decode_one(cs, insn, site, code, off, &p);
		if (ret < 0)
			return ret;
		if (displaced_exit(site, &p) ||
		    !((p.action == CT_INSN_EMULATE && p.kind == X86_64_K_NOP) ||
		      (p.action == CT_INSN_RELOCATE && p.kind == X86_64_K_COPY)))
			return -ENOTSUP;
		ret = emit_relocated(e, &p, &ends);
		if (ret < 0)
			return ret;
		off += p.len;
	}
	if (off != x->off)
		return -EINVAL;
	ret = decode_one(cs, insn, site, code, off, &p);
	if (ret < 0)
		return ret;
	if (p.len != x->len || !displaced_exit(site, &p))
		return -EINVAL;
	return emit_exit_insn(e, &p, site->addr + x->off, site->addr + x->off + x->len, ctx,
			      &ends);
}

int x86_64_tramp_exit(const struct ct_patch_site *site, size_t exit_index, const uint8_t *code,
		      const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb)
{
	const struct ct_patch_exit *x;
	struct x86_64_em e = { .cb = cb, .spans = ctx->spans };
	cs_insn *insn;
	csh cs;
	int ret;

	if (ctx->spans)
		ctx->spans->n = 0;
	if (exit_index >= site->nr_exits || exit_index >= site->exits_cap)
		return -EINVAL;
	x = &site->exits[exit_index];
	if (x->kind == CT_EXIT_INDIRECT)
		return -ENOTSUP;
	if (x->why != CT_PATCH_OK || x->patch_off > x->off || (uint64_t)x->off + x->len > site->size)
		return -EINVAL;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -ENOMEM;
	ret = -ENOMEM;
	if (cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
		goto out_close;
	insn = cs_malloc(cs);
	if (!insn)
		goto out_close;
	ret = emit_exit(&e, cs, insn, site, x, code, ctx);
	cs_free(insn, 1);
out_close:
	cs_close(&cs);
	return ret;
}

int x86_64_patch_jump(uint64_t at, uint64_t to, size_t len, uint8_t *out)
{
	int64_t rel = (int64_t)(to - (at + JMP_REL32_LEN));

	if (len < JMP_REL32_LEN)
		return -EINVAL;
	if (rel < INT32_MIN || rel > INT32_MAX)
		return -ERANGE;
	out[0] = 0xe9; /* jmp rel32 */
	for (unsigned i = 0; i < 4; i++)
		out[1 + i] = (uint8_t)((uint64_t)rel >> (8 * i));
	/* int3 over what is left of the replaced instructions: nothing
	 * branches there (patch_site proved it), and a stray jump traps */
	memset(out + JMP_REL32_LEN, 0xcc, len - JMP_REL32_LEN);
	return 0;
}
