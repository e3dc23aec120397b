/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path of an address space (docs/fastpath.md): its shared area,
 * its threads' rings, and the functions moved from their entry breakpoint
 * to a jump into trampolines.
 *
 * A function moves only while the world is stopped (attach, the end of
 * start-up, an edit from the REPL) and only when every check says it is
 * safe; everything else stays on breakpoints, and --stats says why, per
 * reason.  Its breakpoint is placed first as usual (ct_mm_arm_module), so
 * a function traced before the move (a constructor at start-up, a
 * library loaded while threads run) is traced all the same.
 */
#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "arch/ticks.h"
#include "fastpath/inject.h"
#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "fast"
#include "util/log.h"

/* One ring per thread: 4096 records of 80 bytes (320 KiB, touched only as
 * it fills); the table twice the rings (ring.h keeps it at most half full). */
#define FAST_RINGS 256
#define FAST_RING_CAPACITY 4096
#define FAST_SLOTS 1024
/* A waiter gives up on a calltrap silent this long (SIGKILLed). */
#define FAST_HEARTBEAT_TIMEOUT_NS 1000000000ull
#define FAST_CALIBRATION_NS 5000000ull
/* Larger functions stay on breakpoints (their sweep costs more than it
 * saves, and exits grow with size). */
#define FAST_MAX_FUNC 65536
#define FAST_MAX_EXITS 64
/* Steps from the end of a trampoline's record code out of it: its
 * relocated instructions and the jump back. */
#define FAST_MAX_STEPS_OUT 32

const char *ct_fast_why_name(enum ct_fast_why why)
{
	static const char *const names[CT_FAST_NR_WHY] = {
		[CT_FAST_REGS] = "regs",
		[CT_FAST_VALUES] = "values-in-memory",
		[CT_FAST_ENTRY] = "entry",
		[CT_FAST_EXIT] = "exit",
		[CT_FAST_TAIL_EXIT] = "tail-exit",
		[CT_FAST_RETURN_POINT] = "exit-at-return-point",
		[CT_FAST_BUSY] = "busy",
		[CT_FAST_NO_ROOM] = "no-room",
		[CT_FAST_EMIT] = "emit",
	};

	return (unsigned)why < CT_FAST_NR_WHY ? names[why] : "?";
}

/* ---- threads ------------------------------------------------------- */

/* The thread of this address space that holds tp's ring, if any. */
static struct ct_thread *tp_owner(struct ct_fast *fast, uint64_t tp)
{
	const struct ct_fp_header *hdr = fast->area.base;

	for (uint32_t i = 0; i < hdr->nr_rings; i++)
		if (fast->owner[i] && fast->owner[i]->fp_tp == tp)
			return fast->owner[i];
	return NULL;
}

int ct_fast_thread_new(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs)
{
	struct ct_fast *fast = t->proc->mm->fast;
	struct ct_thread *old;
	uint64_t tp;
	int ring;

	if (!fast || t->fp_ring1)
		return 0;
	tp = s->arch->thread_pointer(regs);
	ring = ct_fp_register(&fast->area, tp);
	if (ring == -EEXIST && (old = tp_owner(fast, tp)) != NULL && old != t && old->in_vfork) {
		/* a vfork child on its parent's TLS: the parent runs no code
		 * until the child execs or exits; the ring is lent meanwhile,
		 * so the child's records are the child's */
		ct_fast_drain_thread(s, old);
		fast->owner[old->fp_ring1 - 1] = t;
		t->fp_ring1 = old->fp_ring1;
		t->fp_tp = tp;
		t->fp_lender = old->tid;
		old->fp_ring1 = 0;
		return 0;
	}
	if (ring == -EEXIST && (old = tp_owner(fast, tp)) != NULL && old != t) {
		/* glibc gave a dead thread's TCB to this one: the old one
		 * runs no code any more (ring.h); its records first */
		ct_fast_thread_gone(s, old);
		ring = ct_fp_register(&fast->area, tp);
	}
	if (ring < 0) {
		/* its records are counted as unregistered, the program unharmed */
		ct_dbg("thread %d: no ring (thread pointer %#lx): %s", (int)t->tid,
		       (unsigned long)tp, strerror(-ring));
		return 0;
	}
	fast->owner[ring] = t;
	t->fp_ring1 = (uint32_t)ring + 1;
	t->fp_tp = tp;
	return 0;
}

/* Threads without a ring (a spawned program's first thread had no thread
 * pointer before the dynamic linker set up its TLS), or whose thread
 * pointer moved since (arch_prctl), get one now. */
static bool refresh_threads(struct ct_session *s, struct ct_mm *mm)
{
	bool all_tls = true;
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct ct_regs regs;

		if (t->proc->mm != mm || ct_regs_get(t->tid, s->arch, &regs) < 0)
			continue;
		if (!s->arch->thread_pointer(&regs))
			all_tls = false;
		if (t->fp_ring1 && t->fp_tp != s->arch->thread_pointer(&regs))
			ct_fast_thread_gone(s, t);
		if (!t->fp_ring1)
			ct_fast_thread_new(s, t, &regs);
	}
	return all_tls;
}

/* ---- the area -------------------------------------------------------- */

static void fast_free(struct ct_fast *fast)
{
	if (!fast)
		return;
	ct_fp_area_destroy(&fast->area);
	free(fast->tramps);
	free(fast->funcs);
	free(fast->owner);
	free(fast);
}

/* The remote end of injected system calls from inj's thread. */
static int remote_of(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj,
		     struct ct_fp_remote *rc)
{
	*rc = (struct ct_fp_remote){ .tid = inj->tid, .arch = s->arch, .mem = &mm->mem,
				     .regs = inj->regs };
	return ct_bpset_syscall_site(&mm->bps, inj, &rc->code, &rc->write_code);
}

/* The main module's range: the first scratch area goes near it. */
static struct ct_modrt *main_module(struct ct_mm *mm)
{
	for (size_t i = 0; i < mm->nr_mods; i++)
		if (mm->mods[i]->is_main)
			return mm->mods[i];
	return mm->nr_mods ? mm->mods[0] : NULL;
}

static int inject(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj,
		  const struct ct_fp_geometry *g, struct ct_fast *fast, const char **call)
{
	struct ct_modrt *m = main_module(mm);
	struct ct_fp_remote rc;
	int ret;

	*call = "mmap";
	if (!m)
		return -ENOENT;
	/* the memfd's name, where the kernel reads it: calltrap's memory */
	ret = ct_bpset_code_alloc(&mm->bps, m->m.lo, m->m.hi, CT_FP_MEMFD_NAME_SIZE, inj,
				  &fast->name);
	if (ret == 0)
		ret = remote_of(s, mm, inj, &rc);
	if (ret < 0)
		return ret;
	rc.name = fast->name;
	return ct_fp_area_inject(&fast->area, g, &rc, &fast->remote, call);
}

int ct_fast_enable(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	const struct ct_fp_geometry g = {
		.nr_slots = FAST_SLOTS,
		.nr_rings = FAST_RINGS,
		.ring_capacity = FAST_RING_CAPACITY,
	};
	struct ct_fast *fast;
	const char *call = NULL;
	int ret;

	if (!s->opts.fast || mm->fast || mm->fast_refused || !s->arch->tramp_entry ||
	    !inj->world_stopped)
		return 0;
	if (!s->fp_clock_done) {
		s->fp_clock_done = true;
		ret = ct_fp_clock_calibrate(&s->fp_clock, FAST_CALIBRATION_NS);
		if (ret < 0) {
			ct_warn("cannot calibrate the %s counter: %s: tracing on breakpoints",
				ct_ticks_name(), strerror(-ret));
			s->fp_clock.ticks_per_sec = 0;
		}
		ct_fp_clock_format(&s->fp_clock, ct_ticks_name(), s->stats.fast_clock,
				   sizeof(s->stats.fast_clock));
	}
	if (!s->fp_clock.ticks_per_sec) {
		mm->fast_refused = true;
		return 0;
	}
	fast = calloc(1, sizeof(*fast));
	if (!fast)
		return -ENOMEM;
	fast->owner = calloc(g.nr_rings, sizeof(*fast->owner));
	if (!fast->owner) {
		free(fast);
		return -ENOMEM;
	}
	fast->area.fd = -1;
	fast->clock = s->fp_clock;
	fast->geometry = g;
	ret = inject(s, mm, inj, &g, fast, &call);
	if (ret < 0) {
		mm->fast_refused = true;
		fast_free(fast);
		if (ret == -ESRCH || ret == -ENOMEM)
			return ret;
		if (ct_remote_refusal(ret))
			ct_warn("process %d: %s %s: tracing on breakpoints", (int)mm->pid,
				ct_remote_refusal(ret), call);
		else
			ct_warn("process %d: cannot map the fast path's rings (%s: %s): tracing "
				"on breakpoints", (int)mm->pid, call, strerror(-ret));
		return 0;
	}
	ct_fp_set_clock(&fast->area, &fast->clock);
	ct_fp_set_heartbeat_timeout(&fast->area,
				    ct_fp_clock_ticks(&fast->clock, FAST_HEARTBEAT_TIMEOUT_NS));
	ct_fp_heartbeat(&fast->area, ct_ticks_now());
	mm->fast = fast;
	if (!s->nr_fast++)
		s->fast_tick_ns = ct_now_ns();
	s->clock_runs = true;
	/* every thread that exists now; later ones at their first stop */
	refresh_threads(s, mm);
	return 0;
}

/* ---- moving functions ------------------------------------------------ */

/* The pcs of every thread of mm (stopped), to keep patches off them. */
struct pcs {
	uint64_t *v;
	size_t n;
};

static int pcs_of(struct ct_session *s, struct ct_mm *mm, struct pcs *pc)
{
	size_t it = 0;
	uint64_t key;
	void *val;

	pc->v = calloc(s->threads.n + 1, sizeof(*pc->v));
	pc->n = 0;
	if (!pc->v)
		return -ENOMEM;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct ct_regs regs;

		if (t->proc->mm != mm)
			continue;
		if (ct_regs_get(t->tid, s->arch, &regs) == 0)
			pc->v[pc->n++] = s->arch->pc(&regs);
	}
	return 0;
}

/* Is a thread's pc strictly inside [at, at + len), or a breakpoint or a
 * patch anywhere in it? */
static bool range_taken(const struct ct_bpset *bs, const struct pcs *pc, uint64_t at, size_t len,
			uint64_t own_site)
{
	for (size_t i = 0; i < pc->n; i++)
		if (pc->v[i] > at && pc->v[i] < at + len)
			return true;
	for (uint64_t a = at; a < at + len; a++) {
		const struct ct_site *site = ct_site_at(bs, a);

		if ((site && site->inserted && a != own_site) || ct_patch_covering(bs, a))
			return true;
	}
	return false;
}

/* An exit among the instructions the entry jump displaces runs, and
 * records its return, in the entry trampoline: it takes no jump. */
static bool in_entry(const struct ct_patch_site *ps, const struct ct_patch_exit *e)
{
	return e->off >= ps->patch_off && e->off < ps->patch_off + ps->displaced_len;
}

/* How each exit of a function on the fast path sees its return. */
enum exit_plan {
	EXIT_IN_ENTRY, /* displaced by the entry jump: the entry trampoline */
	EXIT_JUMP,     /* a jump to its own trampoline */
	EXIT_BREAK,    /* no jump fits: a breakpoint on the exit (a stop) */
};

/* Why f cannot move (CT_FAST_NR_WHY: it can), from its plan; plan[i] for
 * each exit. */
static enum ct_fast_why judge(struct ct_mm *mm, struct ct_func *f, const struct ct_patch_site *ps,
			      const struct pcs *pc, enum exit_plan *plan)
{
	const uint64_t entry = f->addr + ps->patch_off;

	if (ps->why != CT_PATCH_OK || !ps->swept)
		return CT_FAST_ENTRY;
	if (ps->nr_exits > ps->exits_cap)
		return CT_FAST_EXIT;
	if (range_taken(&mm->bps, pc, entry, ps->patch_len, f->addr))
		return CT_FAST_BUSY;
	for (size_t i = 0; i < ps->nr_exits; i++) {
		const struct ct_patch_exit *e = &ps->exits[i];

		if (e->kind == CT_EXIT_TAIL_JMP || e->kind == CT_EXIT_TAIL_JCC ||
		    e->kind == CT_EXIT_INDIRECT)
			return CT_FAST_TAIL_EXIT;
		if (in_entry(ps, e))
			plan[i] = EXIT_IN_ENTRY;
		/* where a call returns, its callee's return breakpoint may
		 * have to go: a breakpoint on the exit leaves room for it */
		else if (e->why == CT_PATCH_OK && !e->at_return_point &&
			 !range_taken(&mm->bps, pc, f->addr + e->patch_off, ps->patch_len, 0))
			plan[i] = EXIT_JUMP;
		else
			plan[i] = EXIT_BREAK;
	}
	return CT_FAST_NR_WHY;
}

/* Other symbols that start inside f are entered from elsewhere. */
static void mark_inner_symbols(const struct ct_modrt *m, const struct ct_func *f,
			       struct ct_patch_site *ps)
{
	for (size_t i = 0; i < m->nr_funcs; i++) {
		uint64_t a = m->funcs[i].addr;

		if (a > f->addr && a < f->addr + f->size)
			ct_patch_site_external_target(ps, a);
	}
}

static int func_id(struct ct_fast *fast, struct ct_func *f, uint32_t *id)
{
	if (fast->nr_funcs == fast->cap_funcs) {
		uint32_t cap = fast->cap_funcs ? fast->cap_funcs * 2 : 256;
		struct ct_func **v = realloc(fast->funcs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		fast->funcs = v;
		fast->cap_funcs = cap;
	}
	*id = fast->nr_funcs;
	fast->funcs[fast->nr_funcs++] = f;
	return 0;
}

static int emit(const struct ct_arch *arch, const struct ct_patch_site *ps, long exit,
		const uint8_t *code, const struct ct_tramp_ctx *ctx, uint8_t *buf, size_t cap,
		uint64_t pc, size_t *len)
{
	struct ct_codebuf cb;
	int ret;

	ct_codebuf_init(&cb, buf, cap, pc);
	ret = exit < 0 ? arch->tramp_entry(ps, code, ctx, &cb) :
			 arch->tramp_exit(ps, (size_t)exit, code, ctx, &cb);
	*len = cb.len;
	return ret;
}

/* Emit one trampoline (exit < 0: the entry's) into tracee code memory
 * within reach of m; *at is where it went.  Its size is learnt by a first
 * emission at the module's start (any address in reach gives the same
 * forms), so the allocation takes what it needs, not the bound. */
static int place_trampoline(struct ct_session *s, struct ct_mm *mm, const struct ct_modrt *m,
			    const struct ct_patch_site *ps, long exit, const uint8_t *code,
			    const struct ct_tramp_ctx *ctx, const struct ct_injector *inj,
			    uint8_t *buf, uint64_t *at)
{
	const struct ct_arch *arch = s->arch;
	struct ct_fast *fast = mm->fast;
	struct ct_tramp_ctx c = *ctx;
	struct ct_fast_tramp *tr;
	size_t len, room;
	int ret;

	if (fast->nr_tramps == fast->cap_tramps) {
		size_t cap = fast->cap_tramps ? fast->cap_tramps * 2 : 64;
		struct ct_fast_tramp *v = realloc(fast->tramps, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		fast->tramps = v;
		fast->cap_tramps = cap;
	}
	tr = &fast->tramps[fast->nr_tramps];
	c.spans = &tr->spans;
	ret = emit(arch, ps, exit, code, &c, buf, arch->tramp_max_size, m->m.lo, &len);
	if (ret < 0)
		return ret;
	room = len + 16;
	ret = ct_bpset_code_alloc(&mm->bps, m->m.lo, m->m.hi, room, inj, at);
	if (ret == 0)
		ret = emit(arch, ps, exit, code, &c, buf, room, *at, &len);
	if (ret == 0)
		ret = ct_pmem_write(&mm->mem, *at, buf, len);
	if (ret < 0)
		return ret;
	/* known from now on, even if the function does not move after all:
	 * nothing jumps there then, and nothing is lost by knowing it */
	tr->addr = *at;
	tr->len = (uint32_t)len;
	fast->nr_tramps++;
	return 0;
}

/* What move() wrote, undone: f's jumps and exit breakpoints (its
 * trampolines stay, unused). */
static void unmove(struct ct_mm *mm, const uint64_t *jumps, size_t nr_jumps,
		   const uint64_t *breaks, size_t nr_breaks)
{
	for (size_t i = 0; i < nr_jumps; i++)
		ct_patch_remove(&mm->bps, jumps[i]);
	for (size_t i = 0; i < nr_breaks; i++)
		ct_site_remove(&mm->bps, breaks[i], CT_SITE_EXIT);
}

static enum ct_fast_why move(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
			     struct ct_func *f, const struct pcs *pc, const struct ct_injector *inj,
			     int *err)
{
	const struct ct_arch *arch = s->arch;
	struct ct_fast *fast = mm->fast;
	struct ct_patch_exit exits[FAST_MAX_EXITS];
	enum exit_plan plan[FAST_MAX_EXITS];
	struct ct_patch_site ps = { .exits = exits, .exits_cap = FAST_MAX_EXITS };
	uint64_t tramp[1 + FAST_MAX_EXITS], jumps[1 + FAST_MAX_EXITS], breaks[FAST_MAX_EXITS];
	size_t nr_jumps = 0, nr_breaks = 0;
	struct ct_tramp_ctx ctx;
	const char *why = NULL;
	enum ct_fast_why verdict;
	uint8_t *code, *buf = NULL, jump[CT_PATCH_MAX_LEN];
	int ret;

	*err = 0;
	if (s->opts.regs)
		return CT_FAST_REGS;
	if (!ct_typed_from_record(ct_typed_of(s, f)))
		return CT_FAST_VALUES;
	if (!f->size || f->size > FAST_MAX_FUNC)
		return CT_FAST_ENTRY;
	code = malloc(f->size);
	buf = malloc(arch->tramp_max_size);
	if (!code || !buf) {
		free(code);
		free(buf);
		*err = -ENOMEM;
		return CT_FAST_NO_ROOM;
	}
	if (ct_bpset_read_orig(&mm->bps, f->addr, code, f->size) < 0 ||
	    arch->patch_site(code, f->size, f->addr, &ps) < 0) {
		free(code);
		free(buf);
		return CT_FAST_ENTRY;
	}
	mark_inner_symbols(m, f, &ps);
	verdict = judge(mm, f, &ps, pc, plan);
	if (verdict != CT_FAST_NR_WHY)
		goto out;
	ctx.area = fast->remote;
	if (func_id(fast, f, &ctx.func_id) < 0) {
		verdict = CT_FAST_NO_ROOM;
		goto out;
	}
	/* the trampolines first: nothing jumps to them yet */
	for (long i = -1; i < (long)ps.nr_exits; i++) {
		if (i >= 0 && plan[i] != EXIT_JUMP)
			continue;
		ret = place_trampoline(s, mm, m, &ps, i, code, &ctx, inj, buf, &tramp[i + 1]);
		if (ret == -ESRCH)
			*err = ret;
		if (ret < 0) {
			verdict = ret == -ENOTSUP || ret == -ERANGE || ret == -EINVAL ?
					  CT_FAST_EMIT : CT_FAST_NO_ROOM;
			ct_dbg("%s: no trampoline: %s", f->name, strerror(-ret));
			goto out;
		}
	}
	/* the exits without a jump get their breakpoints */
	for (size_t i = 0; i < ps.nr_exits; i++) {
		uint64_t at = f->addr + exits[i].off;

		if (plan[i] != EXIT_BREAK)
			continue;
		ret = ct_site_add(&mm->bps, at, CT_SITE_EXIT, NULL, m->m.lo, m->m.hi, inj, &why);
		if (ret < 0) {
			unmove(mm, jumps, nr_jumps, breaks, nr_breaks);
			*err = ret == -ESRCH ? ret : 0;
			verdict = CT_FAST_EXIT;
			goto out;
		}
		breaks[nr_breaks++] = at;
	}
	/* then the entry breakpoint goes and the jumps come, the world stopped */
	ret = ct_site_remove(&mm->bps, f->addr, CT_SITE_ENTRY);
	if (ret < 0) {
		unmove(mm, jumps, nr_jumps, breaks, nr_breaks);
		*err = ret == -ESRCH ? ret : 0;
		verdict = CT_FAST_BUSY;
		goto out;
	}
	for (long i = -1; i < (long)ps.nr_exits; i++) {
		uint64_t at = f->addr + (i < 0 ? ps.patch_off : exits[i].patch_off);

		if (i >= 0 && plan[i] != EXIT_JUMP)
			continue;
		ret = arch->patch_jump(at, tramp[i + 1], ps.patch_len, jump);
		if (ret == 0)
			ret = ct_patch_insert(&mm->bps, at, jump, ps.patch_len, f);
		if (ret < 0) {
			unmove(mm, jumps, nr_jumps, breaks, nr_breaks);
			/* back on its breakpoint */
			if (ct_site_add(&mm->bps, f->addr, CT_SITE_ENTRY, f, m->m.lo, m->m.hi, inj,
					&why) < 0)
				f->refused = true;
			*err = ret == -ESRCH ? ret : 0;
			verdict = CT_FAST_BUSY;
			goto out;
		}
		jumps[nr_jumps++] = at;
	}
	f->fast = true;
	s->stats.fast_exit_breaks += nr_breaks;
out:
	free(code);
	free(buf);
	return verdict;
}

int ct_fast_convert(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	struct pcs pc;
	int ret = 0;

	if (!mm->fast || !inj->world_stopped)
		return 0;
	/* a trampoline finds its ring through the thread pointer: a thread
	 * without one yet (attached inside the dynamic linker's start-up)
	 * would fault there */
	if (!refresh_threads(s, mm))
		return 0;
	ret = pcs_of(s, mm, &pc);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < mm->nr_mods && ret == 0; i++) {
		struct ct_modrt *m = mm->mods[i];

		for (size_t j = 0; j < m->nr_funcs && ret == 0; j++) {
			struct ct_func *f = &m->funcs[j];
			const struct ct_site *site = ct_site_at(&mm->bps, f->addr);
			enum ct_fast_why why;

			if (!f->selected || f->refused || f->fast || !site || !site->inserted ||
			    site->kinds != CT_SITE_ENTRY || site->func != f)
				continue;
			why = move(s, mm, m, f, &pc, inj, &ret);
			if (why == CT_FAST_NR_WHY)
				s->stats.fast_funcs++;
			else
				s->stats.fast_left[why]++;
		}
	}
	free(pc.v);
	return ret;
}

int ct_fast_unarm(struct ct_session *s, struct ct_mm *mm, struct ct_func *f)
{
	uint64_t *keys = NULL;
	size_t n = 0, cap = 0, it = 0;
	uint64_t key;
	void *val;
	int ret = 0;

	(void)s;
	while (ct_hashmap_next(&mm->bps.patches, &it, &key, &val)) {
		if (((struct ct_patch *)val)->func != f)
			continue;
		if (n == cap) {
			uint64_t *nk = realloc(keys, (cap = cap ? cap * 2 : 8) * sizeof(*keys));

			if (!nk) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
		}
		keys[n++] = key;
	}
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = ct_patch_remove(&mm->bps, keys[i]);
	free(keys);
	/* and its exit breakpoints */
	for (uint64_t a = f->addr; ret == 0 && a < f->addr + f->size; a++) {
		const struct ct_site *site = ct_site_at(&mm->bps, a);

		if (site && (site->kinds & CT_SITE_EXIT))
			ret = ct_site_remove(&mm->bps, a, CT_SITE_EXIT);
	}
	if (ret == 0)
		f->fast = false;
	return ret;
}

/* ---- running ---------------------------------------------------------- */

size_t ct_fast_tick(struct ct_session *s)
{
	uint64_t now = ct_ticks_now();
	size_t it = 0;
	uint64_t key;
	void *val;

	while (ct_hashmap_next(&s->procs, &it, &key, &val)) {
		struct ct_proc *p = val;

		if (p->mm && p->mm->fast)
			ct_fp_heartbeat(&p->mm->fast->area, now);
	}
	s->fast_tick_ns = ct_now_ns();
	return ct_fast_drain_all(s);
}

pid_t ct_fast_wait(struct ct_session *s, int *status, const struct ct_stop_request *stop)
{
	const struct timespec idle = { 0, CT_FAST_TICK_NS };
	const struct timespec busy = { 0, 0 };
	size_t drained = 1;
	sigset_t chld;

	/* sigtimedwait sleeps until the SIGCHLD of the next ptrace stop,
	 * which must stay pending for that, not be discarded: blocked
	 * (calltrap's own mask; the caller puts its mask back at the end) */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (;;) {
		pid_t r = waitpid(-1, status, __WALL | WNOHANG);

		if (r != 0)
			return r < 0 ? -errno : r;
		if (stop->sig)
			return -EINTR;
		/* sleep until a stop comes or the tick is due; while the
		 * rings keep filling, read them without sleeping */
		if (sigtimedwait(&chld, NULL, drained ? &busy : &idle) < 0 && errno == EAGAIN) {
			if (drained)
				sched_yield();
			drained = ct_fast_tick(s);
		}
	}
}

void ct_fast_leave(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj)
{
	struct ct_fast *fast = mm->fast;
	struct ct_fp_counters c;
	size_t it = 0;
	uint64_t key;
	void *val;

	if (!fast)
		return;
	/* nobody waits for us any more; what is in the rings is read */
	ct_fp_leave(&fast->area);
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;

		if (t->proc->mm == mm)
			ct_fast_thread_gone(s, t);
	}
	ct_fp_counters(&fast->area, &c);
	s->stats.ring_waits += c.waits;
	s->stats.ring_drops += c.drops;
	s->stats.ring_unregistered += c.unregistered;
	s->stats.ring_records += fast->records;
	s->stats.ring_unmatched += fast->unmatched;
	if (inj && fast->remote) {
		struct ct_fp_remote rc;

		/* the tracee's mapping goes when nothing can run code that
		 * uses it: with its trampolines, which a signal frame may
		 * still return into (detach.c) */
		if (remote_of(s, mm, inj, &rc) == 0 && ct_fp_area_eject(&fast->area, &rc,
									fast->remote) < 0)
			ct_dbg("process %d: the rings stay mapped", (int)mm->pid);
	}
	fast_free(fast);
	mm->fast = NULL;
	s->nr_fast--;
}

struct ct_fast *ct_fast_fork_tables(const struct ct_fast *parent)
{
	struct ct_fast *fast = calloc(1, sizeof(*fast));
	const struct ct_fp_header *hdr = parent->area.base;

	if (!fast)
		return NULL;
	fast->area.fd = -1;
	fast->remote = parent->remote;
	fast->clock = parent->clock;
	fast->geometry = parent->geometry;
	fast->owner = calloc(hdr->nr_rings, sizeof(*fast->owner));
	fast->funcs = malloc((parent->nr_funcs + 1) * sizeof(*fast->funcs));
	fast->tramps = malloc((parent->nr_tramps + 1) * sizeof(*fast->tramps));
	if (!fast->owner || !fast->funcs || !fast->tramps) {
		fast_free(fast);
		return NULL;
	}
	memcpy(fast->funcs, parent->funcs, parent->nr_funcs * sizeof(*fast->funcs));
	fast->nr_funcs = fast->cap_funcs = parent->nr_funcs;
	memcpy(fast->tramps, parent->tramps, parent->nr_tramps * sizeof(*fast->tramps));
	fast->nr_tramps = fast->cap_tramps = parent->nr_tramps;
	return fast;
}

void ct_fast_free(struct ct_fast *fast)
{
	fast_free(fast);
}

/* A forked child that is not followed, or whose own area cannot be made:
 * private zeroes over the shared mapping, then the layout without a
 * thread: its trampolines find no ring and count that, in its own
 * memory. */
static int part_rings(struct ct_session *s, struct ct_thread *t, struct ct_regs *regs)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_fp_header hdr;
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = true };
	struct ct_fp_remote rc;
	uint64_t mapped;
	int ret;

	ret = remote_of(s, mm, &inj, &rc);
	if (ret == 0)
		ret = ct_remote_mmap(t->tid, s->arch, &mm->mem, regs, rc.code, rc.write_code,
				     mm->fast_shared, mm->fast_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &mapped);
	if (ret == 0 && mapped != mm->fast_shared)
		ret = -EFAULT;
	if (ret == 0) {
		hdr = mm->fast_hdr;
		hdr.tracer_heartbeat = 0;
		hdr.unregistered = 0;
		ret = ct_pmem_write(&mm->mem, mm->fast_shared, &hdr, sizeof(hdr));
	}
	return ret;
}

int ct_fast_forked(struct ct_session *s, struct ct_thread *t)
{
	struct ct_mm *mm = t->proc->mm;
	struct ct_fast *fast = mm->fast_pending;
	struct ct_regs regs;
	const char *call = NULL;
	int ret;

	if (!mm->fast_shared)
		return 0;
	mm->fast_pending = NULL;
	ret = ct_regs_get(t->tid, s->arch, &regs);
	if (ret == 0 && fast && t->proc->followed) {
		/* a followed child: an area of its own where its copied
		 * trampolines look, in place of the parent's */
		struct ct_injector inj = { .tid = t->tid, .regs = &regs, .world_stopped = true };
		struct ct_fp_remote rc;

		ret = remote_of(s, mm, &inj, &rc);
		if (ret == 0) {
			rc.name = fast->name = mm->fast_name;
			rc.at = fast->remote;
			ret = ct_fp_area_inject(&fast->area, &fast->geometry, &rc, &fast->remote,
						&call);
		}
		if (ret == 0) {
			ct_fp_set_clock(&fast->area, &fast->clock);
			ct_fp_set_heartbeat_timeout(&fast->area,
						    ct_fp_clock_ticks(&fast->clock,
								      FAST_HEARTBEAT_TIMEOUT_NS));
			ct_fp_heartbeat(&fast->area, ct_ticks_now());
			mm->fast = fast;
			s->nr_fast++;
			mm->fast_shared = 0;
			return ct_fast_thread_new(s, t, &regs);
		}
		ct_dbg("forked child %d: no rings of its own (%s: %s)", (int)t->tid,
		       call ? call : "?", strerror(-ret));
	}
	fast_free(fast);
	if (ret != -ESRCH)
		ret = part_rings(s, t, &regs);
	if (ret < 0 && ret != -ESRCH)
		ct_warn("forked child %d: cannot part its rings from its parent's: %s",
			(int)t->tid, strerror(-ret));
	mm->fast_shared = 0;
	return ret == -ESRCH ? ret : 0;
}

int ct_fast_start(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		  const struct ct_regs *regs)
{
	struct ct_injector inj = { .tid = t->tid, .regs = regs, .world_stopped = true };
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret;

	if (!s->opts.fast)
		return 0;
	/* patches go in only while no thread of mm can run */
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *o = val;

		if (o->proc->mm == mm && o->state != CT_TS_STOPPED)
			return 0;
	}
	ret = ct_fast_enable(s, mm, &inj);
	if (ret == 0)
		ret = ct_fast_convert(s, mm, &inj);
	return ret;
}

/* The trampoline pc is in, or NULL. */
static const struct ct_fast_tramp *tramp_at(const struct ct_fast *fast, uint64_t pc)
{
	for (size_t i = 0; i < fast->nr_tramps; i++)
		if (pc >= fast->tramps[i].addr && pc < fast->tramps[i].addr + fast->tramps[i].len)
			return &fast->tramps[i];
	return NULL;
}

/* Let guarded thread t run to `at` (calltrap's code) with a hardware
 * breakpoint of its own there: the trampoline is shared, and another
 * thread running through it must not meet a breakpoint meant for this one
 * (the world may run: a signal is delivered to one thread while the
 * others go on).  Then its pc is `at`.  1 when it exited (handled), 0 or
 * -errno (-ENOTSUP without debug registers). */
static int run_to(struct ct_session *s, struct ct_thread *t, struct ct_sigguard *g, uint64_t at)
{
	const struct ct_arch *arch = s->arch;
	struct ct_regs regs;
	siginfo_t si;
	int ret, ret2, status;

	ret = ct_ptrace_exec_break(t->tid, arch, at);
	if (ret < 0)
		return ret;
	ret = ct_sigguard_run(t->tid, g, false, &status, &si);
	if (ret == 1) {
		ct_handle_wait(s, t->tid, status);
		return 1;
	}
	ret2 = ct_ptrace_exec_break(t->tid, arch, 0);
	if (ret == 0)
		ret = ret2;
	if (ret == 0)
		ret = ct_regs_get(t->tid, arch, &regs);
	/* an instruction breakpoint stops before the instruction */
	if (ret == 0 && arch->pc(&regs) != at)
		ret = -EFAULT; /* it faulted or stopped elsewhere */
	return ret;
}

/* Take guarded thread t out of a trampoline: run to the end of the record
 * code it is in (never single-stepped there), then step what is left (the
 * relocated instructions and the jump back, or the exit) into the
 * program's own code.  1 when it exited, 0 or -errno. */
static int leave_tramp(struct ct_session *s, struct ct_thread *t, struct ct_sigguard *g,
		       const struct ct_fast_tramp *tr, uint64_t pc)
{
	struct ct_regs regs;
	siginfo_t si;
	int ret = 0, status;

	for (unsigned k = 0; k < tr->spans.n; k++)
		if (pc >= tr->addr + tr->spans.v[k].start && pc < tr->addr + tr->spans.v[k].end)
			ret = run_to(s, t, g, tr->addr + tr->spans.v[k].end);
	if (ret != 0)
		return ret;
	for (unsigned i = 0; i < FAST_MAX_STEPS_OUT; i++) {
		ret = ct_regs_get(t->tid, s->arch, &regs);
		if (ret < 0)
			return ret;
		pc = s->arch->pc(&regs);
		if (pc < tr->addr || pc >= tr->addr + tr->len)
			return 0;
		ret = ct_sigguard_run(t->tid, g, true, &status, &si);
		if (ret == 1) {
			ct_handle_wait(s, t->tid, status);
			return 1;
		}
		if (ret < 0)
			return ret;
		if (si.si_signo != SIGTRAP)
			return -EFAULT; /* its own code faulted: not ours to hide */
	}
	return -EFAULT;
}

bool ct_fast_in_trampoline(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	struct ct_regs regs;

	return fast && ct_regs_get(t->tid, s->arch, &regs) == 0 &&
	       tramp_at(fast, s->arch->pc(&regs)) != NULL;
}

int ct_fast_out_of_trampoline(struct ct_session *s, struct ct_thread *t)
{
	struct ct_fast *fast = t->proc->mm ? t->proc->mm->fast : NULL;
	const struct ct_fast_tramp *tr;
	struct ct_sigguard g;
	struct ct_regs regs;
	int ret, ret2;

	if (!fast || ct_regs_get(t->tid, s->arch, &regs) < 0)
		return 0;
	tr = tramp_at(fast, s->arch->pc(&regs));
	if (!tr)
		return 0;
	ret = ct_sigguard_enter(t->tid, &g);
	if (ret < 0)
		return ret;
	ret = leave_tramp(s, t, &g, tr, s->arch->pc(&regs));
	if (ret == 1)
		return -ESRCH;
	ret2 = ct_sigguard_leave(t->tid, &g);
	return ret ? ret : ret2;
}

int ct_fast_out_of_records(struct ct_session *s, struct ct_mm *mm)
{
	size_t it = 0;
	uint64_t key;
	void *val;
	int ret = 0;

	if (!mm->fast)
		return 0;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		int r;

		if (t->proc->mm != mm || ct_thread_blocked_in_vfork(t))
			continue;
		r = ct_fast_out_of_trampoline(s, t);
		if (r == -ESRCH) {
			/* t is gone, and the table moved: start over */
			it = 0;
			continue;
		}
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}
