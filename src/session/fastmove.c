/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moving functions to the fast path (docs/fastpath.md, step 4): which
 * functions may move and how each exit sees its return, their trampolines
 * placed and written, their entry breakpoint taken away and the jumps
 * put in, the world stopped; and back (the REPL's untrace).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "session/fast.h"
#include "session/internal.h"

#define CT_LOG_DOMAIN "fast"
#include "util/log.h"

/* Larger functions stay on breakpoints (their sweep costs more than it
 * saves, and exits grow with size). */
#define FAST_MAX_FUNC 65536
#define FAST_MAX_EXITS 64

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

	/* a thread in a slot goes on right after the displaced instruction:
	 * that place counts as its pc (a jump must not cover it) */
	pc->v = calloc(2 * s->threads.n + 1, sizeof(*pc->v));
	pc->n = 0;
	if (!pc->v)
		return -ENOMEM;
	while (ct_hashmap_next(&s->threads, &it, &key, &val)) {
		struct ct_thread *t = val;
		struct ct_regs regs;

		if (t->proc->mm != mm)
			continue;
		if (ct_regs_get(t->tid, s->arch, &regs) == 0) {
			uint64_t back = ct_bpset_slot_resume(&mm->bps, s->arch->pc(&regs));

			pc->v[pc->n++] = s->arch->pc(&regs);
			if (back)
				pc->v[pc->n++] = back;
		}
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
	if (!ct_fast_refresh_threads(s, mm))
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
