/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's ring producer in x86_64 machine code: ring.h's protocol
 * for one record, between a save and a restore of everything it touches.
 *
 * The producer runs ring.h's protocol step by step as ct_fp_produce()
 * does; see emit_produce().  It is emitted inline in every trampoline
 * rather than as one routine per area: a routine would be entered by call
 * (a return address of ours on the stack, where a signal handler's
 * unwinder could see it) or need its own way back per site, and the inline
 * copy costs ~390 bytes per record, nothing at run time.  The frame
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

#include "arch/x86_64/tramp_emit.h"
#include "fastpath/ring.h"

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

static void save(struct x86_64_em *e)
{
	PUT(e, 0x48, 0x8d, 0x64, 0x24, 0x80, /* lea -0x80(%rsp),%rsp */
	    0x9c,                            /* pushfq */
	    0x50, 0x51, 0x52, 0x56, 0x57,    /* push %rax %rcx %rdx %rsi %rdi */
	    0x41, 0x50, 0x41, 0x51,          /* push %r8 %r9 */
	    0x41, 0x52, 0x41, 0x53);         /* push %r10 %r11 */
}

static void restore(struct x86_64_em *e)
{
	PUT(e, 0x41, 0x5b, 0x41, 0x5a,       /* pop %r11 %r10 */
	    0x41, 0x59, 0x41, 0x58,          /* pop %r9 %r8 */
	    0x5f, 0x5e, 0x5a, 0x59, 0x58,    /* pop %rdi %rsi %rdx %rcx %rax */
	    0x9d,                            /* popfq */
	    0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00); /* lea 0x80(%rsp),%rsp */
}

/* %rax = rdtsc as one 64-bit value (clobbers %rdx) */
static void rdtsc64(struct x86_64_em *e)
{
	PUT(e, 0x0f, 0x31,                   /* rdtsc */
	    0x48, 0xc1, 0xe2, 0x20,          /* shl $0x20,%rdx */
	    0x48, 0x09, 0xd0);               /* or %rdx,%rax */
}

/* rec->a[k] = the saved register at `slot` from the trampoline's rsp */
static void store_saved(struct x86_64_em *e, uint8_t slot, unsigned k)
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
static void emit_fields(struct x86_64_em *e, uint32_t kind, uint64_t exit_pc)
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
static void emit_produce(struct x86_64_em *e, const struct ct_tramp_ctx *ctx, uint32_t kind,
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
void x86_64_emit_record(struct x86_64_em *e, const struct ct_tramp_ctx *ctx, uint32_t kind,
			uint64_t exit_pc)
{
	uint32_t start = (uint32_t)e->cb->len;

	save(e);
	emit_produce(e, ctx, kind, exit_pc);
	restore(e);
	if (e->spans && !e->err) {
		if (e->spans->n == CT_TRAMP_MAX_SPANS) {
			e->err = -ENOSPC;
			return;
		}
		e->spans->v[e->spans->n].start = start;
		e->spans->v[e->spans->n].end = (uint32_t)e->cb->len;
		e->spans->n++;
	}
}