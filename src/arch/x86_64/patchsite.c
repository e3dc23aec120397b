/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the fast path may put a 5-byte `jmp rel32` into a function, and
 * where the function leaves.  No control-flow recovery: a linear sweep of
 * the whole symbol [addr, addr + size), as uftrace's mcount-insn.c and
 * DTrace's pid provider do, trusted only as far as it is self-consistent:
 *
 *   - every direct branch (jmp, jcc, call, loop, jrcxz, xbegin) must land
 *     on an instruction start of the sweep, or outside the function; one
 *     landing inside an instruction means the sweep read data or
 *     overlapping code, and nothing of the function is patched;
 *   - the entry jump goes at the first instruction, or after an endbr64
 *     (which stays, as frida and the kernel keep it, so an indirect call
 *     still lands on it), and replaces the shortest run of whole
 *     instructions covering 5 bytes; no direct branch may land strictly
 *     inside that run (a branch to its first byte meets the jump itself);
 *   - an indirect jump (`jmp *%rax`, `jmp *disp(%rip)`) may land on any
 *     instruction start we cannot see, so a run of two or more
 *     instructions is refused then; one instruction of 5 bytes or more
 *     replaced whole is still safe (E9Patch's B1 tactic), since no
 *     compiler branches into the middle of an instruction.  A `jmp
 *     *disp(%rip)` is most often a -fno-plt tail call through the GOT, but
 *     GNU C's `goto *p` compiles to the same bytes with p pointing inside
 *     the function, so it gets no exception;
 *   - a call among the displaced instructions is refused (frida's rule: a
 *     thread inside that call returns into the patched bytes), and so is a
 *     system call (a thread blocked in it has its pc after it); every
 *     other displaced instruction must be one relocate() handles;
 *   - exits, after DTrace's return probes: ret, rep ret, ret imm16, and
 *     every direct jmp/jcc out of [addr, addr + size); and every indirect
 *     jmp, which leaves (a tail call through a pointer) unless it is a
 *     jump table's dispatch: a return trampoline there must look at the
 *     target it is about to jump to.  A return jump may replace the exit
 *     when it is 5 bytes or more, else the straight-line instructions just
 *     before it and the exit (`pop %rbx; pop %rbp; pop %r12; ret`), under
 *     the same branch rule, never reaching back past a call or a syscall
 *     (whose return point may only start the run).  A lone `ret` after a
 *     branch cannot hold a jump: it stays on a breakpoint or is caught at
 *     the return site.
 *
 * Each instruction is decoded once (capstone is most of the cost): the
 * sweep marks instruction starts, branch targets, straight-line
 * instructions and exits per byte; the exits are judged afterwards, once
 * every target is known.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"

#define JMP_REL32_LEN 5
#define ENDBR64_LEN 4

/* per byte of the function */
#define AT_START 0x01u    /* an instruction of the sweep starts here */
#define AT_TARGET 0x02u   /* a direct branch of the function lands here */
#define AT_STRAIGHT 0x04u /* the instruction here may be displaced with the next */
#define AT_EXIT 0x08u     /* the instruction here is an exit, */
#define AT_KIND_SHIFT 4   /* of this enum ct_exit_kind */
#define AT_RETURN_POINT 0x80u /* a call or system call just before returns here */

struct sweep {
	const uint8_t *code;
	size_t len;
	uint64_t addr;
	uint8_t *at; /* AT_* per byte */
	size_t end;  /* where the sweep stopped: len, or bytes that do not decode */
	csh cs;
	cs_insn *insn;
	struct ct_patch_site *site;
	/* function-wide findings of the first pass */
	bool indirect;
	enum ct_patch_why fatal; /* UNDECODABLE, FAR_BRANCH, BRANCH_MIDINSN */
	const char *fatal_detail;
	/* the entry run as it is being collected */
	enum ct_patch_why entry_why;
	size_t entry_end; /* patch_off + displaced_len once covered */
};

static const uint8_t endbr64[ENDBR64_LEN] = { 0xf3, 0x0f, 0x1e, 0xfa };

static bool inside(const struct sweep *sw, uint64_t target)
{
	return target >= sw->addr && target - sw->addr < sw->len;
}

static bool decode_at(struct sweep *sw, size_t off)
{
	const uint8_t *p = sw->code + off;
	size_t n = sw->len - off;
	uint64_t pc = sw->addr + off;

	return cs_disasm_iter(sw->cs, &p, &n, &pc, sw->insn);
}

static void set_fatal(struct sweep *sw, enum ct_patch_why why, const char *detail)
{
	if (sw->fatal == CT_PATCH_OK) {
		sw->fatal = why;
		sw->fatal_detail = detail;
	}
}

/* What a direct or indirect control transfer means for the function. */
enum flow {
	FLOW_NONE,     /* falls through only */
	FLOW_DIRECT,   /* direct branch that may fall through: jcc, loop, call, xbegin */
	FLOW_JMP,      /* direct jmp: never falls through */
	FLOW_RET,      /* ret, ret imm16 */
	FLOW_INDIRECT, /* jmp through a register or memory */
	FLOW_CALL_IND, /* call through a register or memory: comes back */
	FLOW_FAR,      /* far transfers, iret, relative branches of odd size */
};

/*
 * Classify the decoded instruction (plan from analyze()); for FLOW_DIRECT
 * and FLOW_JMP, *target is where it goes.  Calls are FLOW_DIRECT: they come
 * back, and their target matters only when it lands in the function.
 */
static enum flow classify(const cs_insn *insn, const struct ct_insn_plan *p, uint64_t *target)
{
	const cs_x86 *x = &insn->detail->x86;

	switch (insn->id) {
	case X86_INS_JMP:
		if (x->opcode[0] != 0xe9 && x->opcode[0] != 0xeb)
			return FLOW_INDIRECT;
		if (p->kind != X86_64_K_JMP)
			return FLOW_FAR; /* analyze() refused its operand size */
		*target = p->target;
		return FLOW_JMP;
	case X86_INS_CALL:
		if (x->opcode[0] != 0xe8)
			return FLOW_CALL_IND;
		if (p->kind != X86_64_K_CALL_REL)
			return FLOW_FAR;
		*target = p->target;
		return FLOW_DIRECT;
	case X86_INS_RET:
		return FLOW_RET;
	case X86_INS_XBEGIN:
		/* analyze() rejects it, but its abort target is a branch target */
		if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
			return FLOW_FAR;
		*target = (uint64_t)x->operands[0].imm;
		return FLOW_DIRECT;
	case X86_INS_LJMP:
	case X86_INS_LCALL:
	case X86_INS_RETF:
	case X86_INS_RETFQ:
	case X86_INS_IRET:
	case X86_INS_IRETD:
	case X86_INS_IRETQ:
		return FLOW_FAR;
	default:
		break;
	}
	/* analyze() knows jcc, loop and jrcxz by opcode, whatever capstone's groups */
	if (p->kind == X86_64_K_JCC || p->kind == X86_64_K_LOOP) {
		*target = p->target;
		return FLOW_DIRECT;
	}
	if (x86_64_in_group(insn, X86_GRP_BRANCH_RELATIVE))
		return FLOW_FAR;
	return FLOW_NONE;
}

/* A system call returns to the next instruction, as a call does: a thread
 * blocked in it (for ever, in read()) has its pc there. */
static bool is_syscall(const cs_insn *insn)
{
	return insn->id == X86_INS_SYSCALL || insn->id == X86_INS_SYSENTER ||
	       insn->id == X86_INS_INT;
}

/* Can this displaced instruction be moved into a trampoline?  CT_PATCH_OK,
 * or the reason it cannot, with *detail set. */
static enum ct_patch_why displaceable(const cs_insn *insn, const struct ct_insn_plan *p,
				      const char **detail)
{
	uint8_t buf[128];
	struct ct_codebuf cb;

	if (p->kind == X86_64_K_CALL_REL || p->kind == X86_64_K_CALL_IND) {
		*detail = "call";
		return CT_PATCH_CALL_DISPLACED;
	}
	if (is_syscall(insn)) {
		*detail = "system call";
		return CT_PATCH_CALL_DISPLACED;
	}
	switch (p->action) {
	case CT_INSN_EMULATE:
		/* a nop is copied or dropped; a direct jmp becomes a jump */
		if (p->kind == X86_64_K_NOP || p->kind == X86_64_K_JMP)
			return CT_PATCH_OK;
		break;
	case CT_INSN_RELOCATE:
		/* relocate() has the last word: try it where reach is no issue */
		ct_codebuf_init(&cb, buf, sizeof(buf), p->pc);
		if (x86_64_relocate(p, &cb) == 0)
			return CT_PATCH_OK;
		break;
	default:
		break;
	}
	*detail = p->why ? p->why : "instruction not relocatable";
	return CT_PATCH_NOT_RELOCATABLE;
}

/* May a jump replace the instructions that fall through to the exit? */
static bool straight_line(const cs_insn *insn, const struct ct_insn_plan *p)
{
	if (is_syscall(insn) || x86_64_in_group(insn, X86_GRP_JUMP) ||
	    x86_64_in_group(insn, X86_GRP_CALL) || x86_64_in_group(insn, X86_GRP_RET) ||
	    x86_64_in_group(insn, X86_GRP_INT) || x86_64_in_group(insn, X86_GRP_IRET) ||
	    x86_64_in_group(insn, X86_GRP_BRANCH_RELATIVE))
		return false;
	if (p->action == CT_INSN_EMULATE)
		return p->kind == X86_64_K_NOP;
	return p->action == CT_INSN_RELOCATE && p->kind == X86_64_K_COPY &&
	       !(p->aux & X86_64_F_NO_JUMP_BACK);
}

static enum ct_exit_kind ret_kind(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x->opcode[0] == 0xc2)
		return CT_EXIT_RET_IMM;
	/* c3 is the last byte; capstone 4 drops a rep prefix from prefix[] */
	for (unsigned i = 0; i + 1 < insn->size; i++)
		if (insn->bytes[i] == 0xf3)
			return CT_EXIT_REP_RET;
	return CT_EXIT_RET;
}

/* An exit: marked in at[], and stored while there is room (the target is
 * known only now). */
static void add_exit(struct sweep *sw, size_t off, enum ct_exit_kind kind, uint64_t target)
{
	struct ct_patch_site *site = sw->site;

	sw->at[off] |= (uint8_t)(AT_EXIT | kind << AT_KIND_SHIFT);
	if (site->nr_exits < site->exits_cap)
		site->exits[site->nr_exits] = (struct ct_patch_exit){
			.off = (uint32_t)off,
			.len = (uint8_t)sw->insn->size,
			.kind = (uint8_t)kind,
			.target = target,
		};
	site->nr_exits++;
}

/* The entry run: the instruction at off, displaced while 5 bytes are not
 * yet covered. */
static void add_displaced(struct sweep *sw, size_t off, const struct ct_insn_plan *p)
{
	struct ct_patch_site *site = sw->site;
	struct ct_insn_plan *d = &site->displaced[site->nr_displaced++];
	const char *detail = NULL;
	enum ct_patch_why why;

	*d = *p;
	why = displaceable(sw->insn, d, &detail);
	if (why != CT_PATCH_OK && sw->entry_why == CT_PATCH_OK) {
		sw->entry_why = why;
		site->detail = detail;
	}
	if (off + sw->insn->size - site->patch_off >= JMP_REL32_LEN)
		sw->entry_end = off + sw->insn->size;
}

/*
 * The sweep, decoding each instruction once: instruction starts, branch
 * targets, the entry run, and the exits with what may be displaced
 * before them; judge_exits() needs no decoding.
 */
static void sweep_function(struct sweep *sw)
{
	struct ct_patch_site *site = sw->site;
	size_t off = 0;

	while (off < sw->len) {
		struct ct_insn_plan p;
		uint64_t target = 0;
		enum flow flow;

		if (!decode_at(sw, off)) {
			set_fatal(sw, CT_PATCH_UNDECODABLE, "bytes that do not decode");
			sw->end = off;
			return;
		}
		sw->at[off] |= AT_START;
		site->nr_insns++;
		x86_64_analyze(sw->insn, sw->addr + off, &p);
		flow = classify(sw->insn, &p, &target);
		if ((flow == FLOW_DIRECT || flow == FLOW_JMP) && inside(sw, target))
			sw->at[target - sw->addr] |= AT_TARGET;
		if (flow == FLOW_FAR)
			set_fatal(sw, CT_PATCH_FAR_BRANCH, p.why ? p.why : "far branch");

		if (flow == FLOW_RET) {
			add_exit(sw, off, ret_kind(sw->insn), 0);
		} else if (flow == FLOW_INDIRECT) {
			sw->indirect = true;
			add_exit(sw, off, CT_EXIT_INDIRECT, 0);
		} else if ((flow == FLOW_JMP || flow == FLOW_DIRECT) && !inside(sw, target) &&
			   sw->insn->id != X86_INS_CALL && sw->insn->id != X86_INS_XBEGIN) {
			add_exit(sw, off, flow == FLOW_JMP ? CT_EXIT_TAIL_JMP : CT_EXIT_TAIL_JCC,
				 target);
		}
		if (straight_line(sw->insn, &p))
			sw->at[off] |= AT_STRAIGHT;
		if ((x86_64_in_group(sw->insn, X86_GRP_CALL) || is_syscall(sw->insn)) &&
		    off + sw->insn->size < sw->len)
			sw->at[off + sw->insn->size] |= AT_RETURN_POINT;
		if (off >= site->patch_off && sw->entry_end == 0)
			add_displaced(sw, off, &p);
		off += sw->insn->size;
	}
	sw->end = off;
	site->swept = true;
}

/* Does a branch land inside an instruction of the sweep? */
static bool target_mid_insn(const struct sweep *sw)
{
	for (size_t i = 0; i < sw->len; i++)
		if ((sw->at[i] & AT_TARGET) && !(sw->at[i] & AT_START))
			return true;
	return false;
}

/* Does a branch land strictly inside [from, to)? */
static bool target_inside(const struct sweep *sw, size_t from, size_t to)
{
	for (size_t i = from + 1; i < to && i < sw->len; i++)
		if (sw->at[i] & AT_TARGET)
			return true;
	return false;
}

static enum ct_patch_why entry_verdict(struct sweep *sw)
{
	struct ct_patch_site *site = sw->site;

	if (sw->len < site->patch_off + JMP_REL32_LEN)
		return CT_PATCH_TOO_SHORT;
	if (sw->fatal != CT_PATCH_OK) {
		site->detail = sw->fatal_detail;
		return sw->fatal;
	}
	if (sw->entry_end == 0)
		return CT_PATCH_TOO_SHORT; /* the last instruction ends before 5 bytes */
	site->displaced_len = (uint8_t)(sw->entry_end - site->patch_off);
	if (sw->entry_why != CT_PATCH_OK)
		return sw->entry_why;
	site->detail = NULL;
	if (target_inside(sw, site->patch_off, sw->entry_end))
		return CT_PATCH_BRANCH_INSIDE;
	if (sw->indirect && site->nr_displaced > 1)
		return CT_PATCH_INDIRECT_JUMP;
	return CT_PATCH_OK;
}

/* The instruction before the one at off, or -1 (at most 15 bytes back). */
static long prev_start(const struct sweep *sw, size_t off)
{
	for (size_t k = 1; k <= 15 && k <= off; k++)
		if (sw->at[off - k] & AT_START)
			return (long)(off - k);
	return -1;
}

/* Where the instruction at off ends: at the next start, or where the
 * sweep ended. */
static size_t insn_end(const struct sweep *sw, size_t off)
{
	size_t k = off + 1;

	while (k < sw->end && !(sw->at[k] & AT_START))
		k++;
	return k;
}

static void judge_exit(const struct sweep *sw, size_t reserved, struct ct_patch_exit *e)
{
	size_t end = e->off + e->len;

	/* reach back over the straight line that falls into the exit */
	e->patch_off = e->off;
	while (end - e->patch_off < JMP_REL32_LEN) {
		long prev = prev_start(sw, e->patch_off);

		if (prev < 0 || !(sw->at[prev] & AT_STRAIGHT))
			break;
		e->patch_off = (uint32_t)prev;
	}
	e->at_return_point = (sw->at[e->patch_off] & AT_RETURN_POINT) != 0;
	if (sw->fatal != CT_PATCH_OK)
		e->why = sw->fatal;
	else if (end - e->patch_off < JMP_REL32_LEN)
		e->why = CT_PATCH_TOO_SHORT;
	else if (e->patch_off < reserved)
		e->why = CT_PATCH_OVERLAP;
	else if (target_inside(sw, e->patch_off, end))
		e->why = CT_PATCH_BRANCH_INSIDE;
	else if (sw->indirect && e->patch_off != e->off)
		e->why = CT_PATCH_INDIRECT_JUMP;
	else
		e->why = CT_PATCH_OK;
}

/*
 * Every exit, judged with all branch targets known (those not stored
 * still count in nr_exits_patchable).  Bytes below `reserved` belong to
 * the entry (its endbr64 and its jump, or the breakpoint that replaces
 * it): no return jump may reach into them.
 */
static void judge_exits(const struct sweep *sw, size_t reserved)
{
	struct ct_patch_site *site = sw->site;
	size_t i = 0;

	for (size_t off = 0; off < sw->end; off++) {
		struct ct_patch_exit spare, *e = i < site->exits_cap ? &site->exits[i] : &spare;

		if (!(sw->at[off] & AT_EXIT))
			continue;
		if (e == &spare)
			spare = (struct ct_patch_exit){
				.off = (uint32_t)off,
				.len = (uint8_t)(insn_end(sw, off) - off),
				.kind = (uint8_t)(sw->at[off] >> AT_KIND_SHIFT),
			};
		judge_exit(sw, reserved, e);
		if (e->why == CT_PATCH_OK)
			site->nr_exits_patchable++;
		i++;
	}
}

int x86_64_patch_site(const uint8_t *code, size_t len, uint64_t addr, struct ct_patch_site *site)
{
	struct ct_patch_exit *exits = site->exits;
	size_t exits_cap = site->exits_cap;
	struct sweep sw = { .code = code, .len = len, .addr = addr, .site = site };
	size_t reserved;
	int ret = -ENOMEM;

	memset(site, 0, sizeof(*site));
	site->exits = exits;
	site->exits_cap = exits_cap;
	site->addr = addr;
	site->size = len;
	site->patch_len = JMP_REL32_LEN;
	if (len == 0) {
		site->why = CT_PATCH_NO_SIZE;
		return 0;
	}
	if (len >= ENDBR64_LEN && memcmp(code, endbr64, ENDBR64_LEN) == 0) {
		site->endbr = true;
		site->patch_off = ENDBR64_LEN;
	}

	sw.at = calloc(len, 1);
	if (!sw.at)
		return -ENOMEM;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &sw.cs) != CS_ERR_OK)
		goto out_free;
	if (cs_option(sw.cs, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
		goto out_close;
	sw.insn = cs_malloc(sw.cs);
	if (!sw.insn)
		goto out_close;

	sweep_function(&sw);
	if (sw.fatal == CT_PATCH_OK && target_mid_insn(&sw))
		set_fatal(&sw, CT_PATCH_BRANCH_MIDINSN, "a branch lands inside an instruction");
	site->indirect_jump = sw.indirect;
	site->why = entry_verdict(&sw);
	/* a refused entry keeps a breakpoint on its first instruction */
	reserved = site->patch_off + (site->displaced_len ? site->displaced_len : 1);
	judge_exits(&sw, reserved);
	ret = 0;

	cs_free(sw.insn, 1);
out_close:
	cs_close(&sw.cs);
out_free:
	free(sw.at);
	return ret;
}
