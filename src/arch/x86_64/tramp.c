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
 *
 * The producer runs ring.h's protocol step by step as ct_fp_produce()
 * does; see emit_produce().  It is emitted inline in every trampoline
 * rather than as one routine per area: a routine would be entered by call
 * (a return address of ours on the stack, where a signal handler's
 * unwinder could see it) or need its own way back per site, and the inline
 * copy costs ~250 bytes per trampoline, nothing at run time.  The frame
 * lives below the red zone, so a signal handler (the kernel writes its
 * frame below sp) and its own traced calls find everything above sp
 * intact; nested producers are the depth protocol's business.  The code
 * touches no memory but the area (given as an absolute address: it can be
 * anywhere) and the thread's stack below the red zone, makes no system
 * call, and on TSO needs no fence: ring.h's acquire loads and release
 * stores are plain movs; the thread's own counters take unlocked
 * read-modify-writes (only its signal handlers race with them), the shared
 * `unregistered` a locked one.  The thread is found by `mov %fs:0` (the
 * TCB's self pointer, which glibc and musl keep equal to fs_base, the
 * value calltrap registers): the engine patches only once threads have
 * their fs_base set (before the dynamic loader sets up TLS it is 0, and
 * that load would fault).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "fastpath/ring.h"

#define JMP_REL32_LEN 5
#define RED_ZONE 128
/* saved: flags and 9 registers, 8 bytes each, above them the red zone */
#define SAVE_BYTES (10 * 8)
#define FRAME (SAVE_BYTES + RED_ZONE) /* from the trampoline's rsp to the function's */
/* where each saved register sits from the trampoline's rsp (push order
 * rax rcx rdx rsi rdi r8 r9 r10 r11) */
#define SAVED_R11 0
#define SAVED_R10 8
#define SAVED_R9 16
#define SAVED_R8 24
#define SAVED_RDI 32
#define SAVED_RSI 40
#define SAVED_RDX 48
#define SAVED_RCX 56
#define SAVED_RAX 64

/* An emitter: the first error sticks, so sequences need no check per byte. */
struct em {
	struct ct_codebuf *cb;
	int err;
};

static void put(struct em *e, const uint8_t *b, size_t n)
{
	if (!e->err)
		e->err = ct_codebuf_put(e->cb, b, n);
}
#define PUT(e, ...) put((e), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void put_u32(struct em *e, uint32_t v)
{
	if (!e->err)
		e->err = ct_codebuf_put_u32(e->cb, v);
}

static void put_u64(struct em *e, uint64_t v)
{
	if (!e->err)
		e->err = ct_codebuf_put_u64(e->cb, v);
}

/* A forward branch with a rel8 (the opcode bytes given), bound later. */
static size_t fwd8(struct em *e, const uint8_t *op, size_t n)
{
	put(e, op, n);
	PUT(e, 0x00);
	return e->err ? 0 : e->cb->len - 1;
}
#define FWD8(e, ...) fwd8((e), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* The same with a rel32 (jmp e9, jcc 0f 8x), for the longer hops. */
static size_t fwd32(struct em *e, const uint8_t *op, size_t n)
{
	put(e, op, n);
	put_u32(e, 0);
	return e->err ? 0 : e->cb->len - 4;
}

static void bind32(struct em *e, size_t at)
{
	uint32_t d;

	if (e->err)
		return;
	d = (uint32_t)(e->cb->len - (at + 4));
	for (unsigned i = 0; i < 4; i++)
		e->cb->buf[at + i] = (uint8_t)(d >> (8 * i));
}

/* Bind the rel8 at `at` to here. */
static void bind8(struct em *e, size_t at)
{
	size_t d;

	if (e->err)
		return;
	d = e->cb->len - (at + 1);
	if (d > 127) {
		e->err = -ERANGE; /* a bug of this file: the code below is laid out to fit */
		return;
	}
	e->cb->buf[at] = (uint8_t)d;
}

/* A backward branch with a rel8 (opcode given) to the label at `to`. */
static void back8(struct em *e, uint8_t op, size_t to)
{
	int64_t d;

	if (e->err)
		return;
	d = (int64_t)to - (int64_t)(e->cb->len + 2);
	if (d < -128) {
		e->err = -ERANGE;
		return;
	}
	PUT(e, op, (uint8_t)(int8_t)d);
}

static void jump(struct em *e, uint64_t to)
{
	if (!e->err)
		e->err = x86_64_emit_jump(e->cb, to);
}

static void save(struct em *e)
{
	PUT(e, 0x48, 0x8d, 0x64, 0x24, 0x80, /* lea -0x80(%rsp),%rsp */
	    0x9c,                            /* pushfq */
	    0x50, 0x51, 0x52, 0x56, 0x57,    /* push %rax %rcx %rdx %rsi %rdi */
	    0x41, 0x50, 0x41, 0x51,          /* push %r8 %r9 */
	    0x41, 0x52, 0x41, 0x53);         /* push %r10 %r11 */
}

static void restore(struct em *e)
{
	PUT(e, 0x41, 0x5b, 0x41, 0x5a,       /* pop %r11 %r10 */
	    0x41, 0x59, 0x41, 0x58,          /* pop %r9 %r8 */
	    0x5f, 0x5e, 0x5a, 0x59, 0x58,    /* pop %rdi %rsi %rdx %rcx %rax */
	    0x9d,                            /* popfq */
	    0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00); /* lea 0x80(%rsp),%rsp */
}

/* %rax = rdtsc as one 64-bit value (clobbers %rdx) */
static void rdtsc64(struct em *e)
{
	PUT(e, 0x0f, 0x31,                   /* rdtsc */
	    0x48, 0xc1, 0xe2, 0x20,          /* shl $0x20,%rdx */
	    0x48, 0x09, 0xd0);               /* or %rdx,%rax */
}

/* rec->a[k] = the saved register at `slot` from the trampoline's rsp */
static void store_saved(struct em *e, uint8_t slot, unsigned k)
{
	PUT(e, 0x48, 0x8b, 0x44, 0x24, slot, /* mov slot(%rsp),%rax */
	    0x49, 0x89, 0x40, (uint8_t)(CT_FP_REC_ARGS + 8 * k)); /* mov %rax,a[k](%r8) */
}

/*
 * The record's fields after the timestamp, with %r8 = the record:
 *   CALL:   sp = the function's sp (at its return address), pc = the return
 *           address, a[] = rdi rsi rdx rcx r8 r9 as they were at entry;
 *   RETURN: sp = the sp at the exit, pc = the exit's address, a[0] = rax,
 *           a[1] = rdx, a[2..5] = 0.
 */
static void emit_fields(struct em *e, uint32_t kind, uint64_t exit_pc)
{
	PUT(e, 0x48, 0x8d, 0x84, 0x24, FRAME, 0x00, 0x00, 0x00); /* lea FRAME(%rsp),%rax */
	PUT(e, 0x49, 0x89, 0x40, CT_FP_REC_SP);                   /* mov %rax,sp(%r8) */
	if (kind == CT_FP_CALL) {
		PUT(e, 0x48, 0x8b, 0x84, 0x24, FRAME, 0x00, 0x00, 0x00); /* mov FRAME(%rsp),%rax */
	} else {
		PUT(e, 0x48, 0xb8);                               /* movabs $exit_pc,%rax */
		put_u64(e, exit_pc);
	}
	PUT(e, 0x49, 0x89, 0x40, CT_FP_REC_PC);                   /* mov %rax,pc(%r8) */
	if (kind == CT_FP_CALL) {
		static const uint8_t args[CT_FP_NR_ARGS] = { SAVED_RDI, SAVED_RSI, SAVED_RDX,
							     SAVED_RCX, SAVED_R8, SAVED_R9 };
		for (unsigned k = 0; k < CT_FP_NR_ARGS; k++)
			store_saved(e, args[k], k);
	} else {
		store_saved(e, SAVED_RAX, 0);
		store_saved(e, SAVED_RDX, 1);
		PUT(e, 0x31, 0xc0);                               /* xor %eax,%eax */
		for (unsigned k = 2; k < CT_FP_NR_ARGS; k++)
			PUT(e, 0x49, 0x89, 0x40, (uint8_t)(CT_FP_REC_ARGS + 8 * k));
	}
}

/*
 * ct_fp_produce() in machine code, between save() and restore().  Free to
 * use rax rcx rdx rsi rdi r8-r11 and the flags.  Registers:
 *   r11 area, r10 thread pointer (then the heartbeat), rdi table (then the
 *   ring), rsi probes left (then `waited`), rdx nr_slots - 1, r9 d (the
 *   depth taken), r8 mask (then the record), rax rcx scratch.
 */
static void emit_produce(struct em *e, const struct ct_tramp_ctx *ctx, uint32_t kind,
			 uint64_t exit_pc)
{
	size_t probe, found, notfound, unregistered, done1, room, have_room, drop1, drop2, drop3,
		waited, drop_pub, nested, again, done2;

	/* 1. the thread's ring: linear probing from ct_fp_hash(tp) */
	PUT(e, 0x49, 0xbb);                         /* movabs $area,%r11 */
	put_u64(e, ctx->area);
	PUT(e, 0x64, 0x4c, 0x8b, 0x14, 0x25, 0, 0, 0, 0); /* mov %fs:0,%r10 */
	PUT(e, 0x41, 0x8b, 0x73, CT_FP_HDR_NR_SLOTS, /* mov nr_slots(%r11),%esi */
	    0x0f, 0xbc, 0xce,                        /* bsf %esi,%ecx: log2 */
	    0xf7, 0xd9,                              /* neg %ecx */
	    0x83, 0xc1, 0x40,                        /* add $64,%ecx */
	    0x48, 0xb8);                             /* movabs $CT_FP_HASH_MULT,%rax */
	put_u64(e, CT_FP_HASH_MULT);
	PUT(e, 0x49, 0x0f, 0xaf, 0xc2,               /* imul %r10,%rax */
	    0x48, 0xd3, 0xe8,                        /* shr %cl,%rax */
	    /* one slot: shr by 64 is shr by 0, and the mask makes it 0 */
	    0x8d, 0x56, 0xff,                        /* lea -1(%rsi),%edx */
	    0x48, 0x21, 0xd0,                        /* and %rdx,%rax */
	    0x49, 0x8b, 0x7b, CT_FP_HDR_TABLE_OFFSET, /* mov table_offset(%r11),%rdi */
	    0x4c, 0x01, 0xdf);                       /* add %r11,%rdi */
	probe = e->cb->len;
	PUT(e, 0x48, 0x89, 0xc1,                     /* mov %rax,%rcx */
	    0x48, 0xc1, 0xe1, 0x04,                  /* shl $4,%rcx */
	    0x4c, 0x8b, 0x04, 0x0f,                  /* mov (%rdi,%rcx,1),%r8: tp (acquire) */
	    0x4d, 0x39, 0xd0);                       /* cmp %r10,%r8 */
	found = FWD8(e, 0x74);                       /* je found */
	PUT(e, 0x4d, 0x85, 0xc0);                    /* test %r8,%r8 */
	notfound = FWD8(e, 0x74);                    /* je notfound: an empty slot */
	PUT(e, 0x48, 0xff, 0xc0,                     /* inc %rax */
	    0x48, 0x21, 0xd0,                        /* and %rdx,%rax */
	    0xff, 0xce);                             /* dec %esi */
	back8(e, 0x75, probe);                       /* jnz probe */
	bind8(e, notfound);
	unregistered = e->cb->len;
	PUT(e, 0xf0, 0x49, 0xff, 0x43, CT_FP_HDR_UNREGISTERED); /* lock incq unregistered(%r11) */
	done1 = fwd32(e, (const uint8_t[]){ 0xe9 }, 1); /* jmp done */
	bind8(e, found);
	PUT(e, 0x48, 0x8b, 0x7c, 0x0f, CT_FP_SLOT_RING, /* mov ring_offset(%rdi,%rcx,1),%rdi */
	    0x48, 0x85, 0xff);                       /* test %rdi,%rdi */
	back8(e, 0x74, unregistered);                /* jz unregistered */
	PUT(e, 0x4c, 0x01, 0xdf);                    /* add %r11,%rdi: the ring */

	/* 2. d = depth++ */
	PUT(e, 0x41, 0xb9, 0x01, 0x00, 0x00, 0x00,   /* mov $1,%r9d */
	    0x4c, 0x0f, 0xc1, 0x4f, CT_FP_RING_DEPTH, /* xadd %r9,depth(%rdi) */
	    0x4c, 0x8b, 0x47, CT_FP_RING_MASK,       /* mov mask(%rdi),%r8 */
	    0x31, 0xf6);                             /* xor %esi,%esi: not waited */

	/* 3. room: one tail per turn, for both tests */
	room = e->cb->len;
	PUT(e, 0x48, 0x8b, 0x4f, CT_FP_RING_TAIL,    /* mov tail(%rdi),%rcx (acquire) */
	    0x48, 0x8b, 0x47, CT_FP_RING_RESERVE,    /* mov reserve(%rdi),%rax */
	    0x48, 0x29, 0xc8,                        /* sub %rcx,%rax */
	    0x4c, 0x39, 0xc0);                       /* cmp %r8,%rax */
	have_room = FWD8(e, 0x76);                   /* jbe have_room */
	PUT(e, 0x48, 0x3b, 0x0f);                    /* cmp head(%rdi),%rcx (acquire) */
	drop1 = FWD8(e, 0x74);                       /* je drop: nothing calltrap can drain */
	PUT(e, 0x4d, 0x8b, 0x53, CT_FP_HDR_HEARTBEAT, /* mov heartbeat(%r11),%r10 */
	    0x4d, 0x85, 0xd2);                       /* test %r10,%r10 */
	drop2 = FWD8(e, 0x74);                       /* je drop: calltrap left */
	rdtsc64(e);
	PUT(e, 0x4c, 0x29, 0xd0,                     /* sub %r10,%rax */
	    0x49, 0x3b, 0x43, CT_FP_HDR_HB_TIMEOUT); /* cmp hb_timeout(%r11),%rax */
	drop3 = FWD8(e, 0x7d);                       /* jge drop: the beat is stale */
	PUT(e, 0x85, 0xf6);                          /* test %esi,%esi */
	waited = FWD8(e, 0x75);                      /* jnz 1f */
	PUT(e, 0x48, 0xff, 0x47, CT_FP_RING_WAITS,   /* incq waits(%rdi) */
	    0xbe, 0x01, 0x00, 0x00, 0x00);           /* mov $1,%esi */
	bind8(e, waited);
	PUT(e, 0xf3, 0x90);                          /* 1: pause */
	back8(e, 0xeb, room);                        /* jmp room */
	bind8(e, drop1);
	bind8(e, drop2);
	bind8(e, drop3);
	PUT(e, 0x48, 0xff, 0x47, CT_FP_RING_DROPS);  /* drop: incq drops(%rdi) */
	drop_pub = fwd32(e, (const uint8_t[]){ 0xe9 }, 1); /* jmp publish */

	/* 4. i = reserve++; 5. the record, plain stores */
	bind8(e, have_room);
	PUT(e, 0xb8, 0x01, 0x00, 0x00, 0x00,         /* mov $1,%eax */
	    0x48, 0x0f, 0xc1, 0x47, CT_FP_RING_RESERVE, /* xadd %rax,reserve(%rdi) */
	    0x4c, 0x21, 0xc0,                        /* and %r8,%rax */
	    0x48, 0x6b, 0xc0, CT_FP_REC_SIZE,        /* imul $80,%rax,%rax */
	    0x4c, 0x8d, 0x84, 0x07, CT_FP_RING_RECORDS, 0x00, 0x00, 0x00, /* lea 128(%rdi,%rax,1),%r8 */
	    0x41, 0xc7, 0x00);                       /* movl $kind,(%r8) */
	put_u32(e, kind);
	PUT(e, 0x41, 0xc7, 0x40, CT_FP_REC_FUNC);    /* movl $func_id,4(%r8) */
	put_u32(e, ctx->func_id);
	rdtsc64(e);
	PUT(e, 0x49, 0x89, 0x40, CT_FP_REC_TSC);     /* mov %rax,tsc(%r8) */
	emit_fields(e, kind, exit_pc);

	/* 6. publish (outermost), or leave it to the producer we interrupted */
	bind32(e, drop_pub);
	PUT(e, 0x4d, 0x85, 0xc9);                    /* publish: test %r9,%r9 */
	nested = FWD8(e, 0x75);                      /* jnz nested */
	again = e->cb->len;
	PUT(e, 0x48, 0x8b, 0x47, CT_FP_RING_RESERVE, /* again: mov reserve(%rdi),%rax */
	    0x48, 0x89, 0x07,                        /* mov %rax,head(%rdi) (release) */
	    0x48, 0xff, 0x4f, CT_FP_RING_DEPTH,      /* decq depth(%rdi) */
	    0x48, 0x3b, 0x47, CT_FP_RING_RESERVE);   /* cmp reserve(%rdi),%rax */
	done2 = FWD8(e, 0x74);                       /* je done */
	PUT(e, 0x48, 0xff, 0x47, CT_FP_RING_DEPTH);  /* incq depth(%rdi): a handler reserved */
	back8(e, 0xeb, again);                       /* jmp again */
	bind8(e, nested);
	PUT(e, 0x48, 0xff, 0x4f, CT_FP_RING_DEPTH);  /* nested: decq depth(%rdi) */
	bind8(e, done2);
	bind32(e, done1);                            /* done: */
}

/* save, a record, restore */
static void emit_record(struct em *e, const struct ct_tramp_ctx *ctx, uint32_t kind,
			uint64_t exit_pc)
{
	save(e);
	emit_produce(e, ctx, kind, exit_pc);
	restore(e);
}

static bool in_function(const struct ct_patch_site *site, uint64_t pc)
{
	return pc >= site->addr && pc - site->addr < site->size;
}

/* A ret form: [f2|f3] c3, or [f2] c2 iw (x86_64_analyze copies them with
 * no jump back, as it does jmp r/m). */
static bool is_ret(const struct ct_insn_plan *p)
{
	uint8_t last = p->bytes[p->len - 1];

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
static int emit_exit_insn(struct em *e, const struct ct_insn_plan *p, uint64_t exit_pc,
			  uint64_t cont, const struct ct_tramp_ctx *ctx, bool *ends)
{
	size_t taken, skip = 0;
	uint8_t jcc = (uint8_t)(0x70 | p->cond);

	*ends = true;
	if (p->action == CT_INSN_EMULATE && p->kind == X86_64_K_JMP) {
		emit_record(e, ctx, CT_FP_RETURN, exit_pc);
		jump(e, p->target);
		return e->err;
	}
	if (p->action != CT_INSN_RELOCATE)
		return -ENOTSUP;
	if (p->kind == X86_64_K_COPY && is_ret(p)) {
		emit_record(e, ctx, CT_FP_RETURN, exit_pc);
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
	emit_record(e, ctx, CT_FP_RETURN, exit_pc);
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
static int emit_relocated(struct em *e, const struct ct_insn_plan *p, bool *ends)
{
	if (e->err)
		return e->err;
	e->err = x86_64_relocate_inline(p, e->cb, ends);
	return e->err;
}

int x86_64_tramp_entry(const struct ct_patch_site *site, const uint8_t *code CT_UNUSED,
		       const struct ct_tramp_ctx *ctx, struct ct_codebuf *cb)
{
	struct em e = { .cb = cb };
	bool ends = false;
	int ret;

	if (site->why != CT_PATCH_OK || site->displaced_len < JMP_REL32_LEN ||
	    site->nr_displaced == 0 || site->nr_displaced > CT_PATCH_MAX_DISPLACED)
		return -EINVAL;
	emit_record(&e, ctx, CT_FP_CALL, 0);
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

static int emit_exit(struct em *e, csh cs, cs_insn *insn, const struct ct_patch_site *site,
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
	struct em e = { .cb = cb };
	cs_insn *insn;
	csh cs;
	int ret;

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
