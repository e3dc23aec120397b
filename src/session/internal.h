/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/session: the session's data model. */
#ifndef CT_SESSION_INTERNAL_H
#define CT_SESSION_INTERNAL_H

#include "arch/arch.h"
#include "breakpoints/breakpoints.h"
#include "fastpath/ring.h"
#include "ptrace/ptrace.h"
#include "session/session.h"
#include "util/hashmap.h"

/* A module as the session knows it: the ELF (shared, with its DWARF, by
 * every module of the same file), where it is mapped, and the functions
 * it holds.  Shared by the address spaces forked from the one that mapped
 * it; freed once none maps it and no frame names it (modrt.c). */
struct ct_modrt {
	struct ct_module m;
	/* every function symbol of the ELF, funcs[i] for m.elf->syms[i]; the
	 * patterns choose among them (ct_func.selected).  Never reallocated:
	 * sites and frames point into it. */
	struct ct_func *funcs;
	size_t nr_funcs;
	unsigned refs;  /* address spaces whose mods[] hold it */
	bool is_main;
	bool relocated; /* by the dynamic linker: its IFUNC resolvers may run */
	struct ct_modrt *next_dead; /* in s->dead_mods */
};

struct ct_session;
/* Where separate debug files are looked for, besides the standard places:
 * --debug-dir, else CALLTRAP_DEBUG_DIR (NULL: neither). */
const char *ct_session_debug_dirs(const struct ct_session *s);

/* The names the patterns' MODULE part may use for m. */
static inline struct ct_modnames ct_modrt_names(const struct ct_modrt *m)
{
	return (struct ct_modnames){ .file = m->m.name, .soname = m->m.elf->soname };
}

/* One address space, shared by the threads of a process and by a
 * vfork/CLONE_VM child. */
struct ct_mm {
	int refs;
	pid_t pid;              /* a process using it, for /proc/PID/maps */
	struct ct_pmem mem;
	struct ct_bpset bps;
	struct ct_modrt **mods; /* modules mapped in this mm, a reference each */
	size_t nr_mods;
	bool has_rbrk;          /* the dynamic linker's r_brk has a site */
	bool started;           /* start-up done (entry point reached, or attached) */
	/* a signal frame may return into a scratch area: never unmap them */
	bool keep_areas;
	/* words seen at entries that are not return addresses (retsite.c) */
	struct ct_hashmap not_ra;
	bool seccomp_warned;    /* said once that seccomp forbids a scratch area */
	struct ct_fast *fast;   /* its fast path (fast.h), NULL on breakpoints alone */
	bool fast_refused;      /* its area could not be mapped: breakpoints only */
	/* a fork child's copy of its parent's rings, MAP_SHARED with them:
	 * where and how large, until ct_fast_forked replaces it */
	uint64_t fast_shared, fast_size;
	struct ct_fp_header fast_hdr; /* the parent's layout, for the child's own */
	struct ct_fast *fast_pending; /* the parent's tables, for the child's own */
	uint64_t fast_name;           /* calltrap's bytes that name a memfd */
};

struct ct_proc {
	pid_t pid;
	struct ct_mm *mm;
	bool followed;  /* its events are reported */
	bool spawned;   /* the program calltrap started */
	bool attached;  /* seized with -p: detach at the end */
	unsigned nr_threads;
};

enum ct_thread_state {
	CT_TS_NEW,        /* waiting for its first stop */
	CT_TS_RUNNING,
	CT_TS_STOPPED,    /* in a ptrace-stop we have not resumed */
	CT_TS_GROUP_STOP, /* in group-stop, PTRACE_LISTEN'ed */
};

struct ct_thread {
	pid_t tid;
	struct ct_proc *proc;
	enum ct_thread_state state;
	struct ct_shadow stack;
	struct ct_site *stepping;  /* a STEP copy is being single-stepped */
	uint64_t step_slot;
	int pending_sig;           /* to deliver when resumed or detached */
	bool group_stopped;        /* was in group-stop when we stopped it */
	bool interrupted;          /* we sent PTRACE_INTERRUPT */
	bool cleanup_child;        /* unfollowed fork child: clean and detach at first stop */
	/* Inside vfork(), or about to be once resumed from its VFORK event
	 * stop: the kernel makes it wait until the child execs or exits, so it
	 * can neither stop before then (while running) nor take injected code
	 * (stopped inside the system call).  Its PTRACE_EVENT_VFORK_DONE stop,
	 * or any stop, ends it. */
	bool in_vfork;
	/* signal frames built while its pc was in a slot (sigframe.c) */
	uint64_t sig_slot_pc;      /* stepping into a handler from this slot pc */
	struct ct_slot_frame *slot_frames;
	size_t nr_slot_frames;
	/* held by calltrap since then: from when we saw it stop (or added
	 * it stopped) until ct_thread_resume; 0 while it runs */
	uint64_t stop_ns;
	/* A non-local exit (longjmp, a raised exception) began at nonlocal_ns
	 * and where it landed is not known yet: a frame entered before then
	 * may have been abandoned (nonlocal.c). */
	bool nonlocal;
	uint64_t nonlocal_ns;
	/* its ring in mm->fast: index + 1, 0 when it has none; the thread
	 * pointer it was registered by */
	uint32_t fp_ring1;
	uint64_t fp_tp;
	/* a vfork child runs on its parent's TLS: it borrows the parent's
	 * ring (blocked meanwhile) and gives it back at exec or exit */
	pid_t fp_lender;
};

/* A signal frame whose saved pc points into a slot: `addr` holds slot_pc. */
struct ct_slot_frame {
	uint64_t addr;
	uint64_t slot_pc;
	uint64_t sp; /* of the handler at its entry: the frame lives while sp <= this */
};

/* A `trace`/`untrace` made while the session runs: applied in order, after
 * the initial patterns, to every module loaded now or later. */
struct ct_edit {
	bool add;
	struct ct_patterns one; /* a single including pattern */
	char *spec;             /* as the user wrote it */
};

struct ct_session {
	const struct ct_arch *arch;
	struct ct_session_opts opts;
	struct ct_hashmap threads;  /* tid -> struct ct_thread */
	struct ct_hashmap procs;    /* pid -> struct ct_proc */
	struct ct_hashmap early;    /* tid -> (status+1): stops of tasks not announced yet */
	struct ct_elf_cache *elf_cache; /* the ELF files of every module */
	/* modules no address space maps any more but a frame still names */
	struct ct_modrt *dead_mods;
	uint64_t t0_ns;
	uint64_t seq;
	struct ct_stats stats;
	pid_t main_pid;
	int main_status;            /* wait status, -1 until it exits */
	bool attaching;             /* seizing: new stops stay stopped */
	bool detaching;
	/* The world is stopped for the REPL (or being stopped): every stop is
	 * handled (its events emitted, a breakpoint's displaced instruction
	 * set up) and the thread left stopped, until ct_session_resume_all. */
	bool holding;
	/* The program's clock (event ts_ns, ct_ts_of) stands still while
	 * calltrap holds every thread: nr_held threads have stop_ns set;
	 * idle_ns sums the times all were held, the current one since
	 * idle_since. */
	size_t nr_held;
	uint64_t idle_ns;
	uint64_t idle_since;
	bool pause_pending;         /* pause_at_start: hold at the entry point */
	struct ct_edit *edits;
	size_t nr_edits;
	int stop_signal;
	int fatal;                  /* -errno of a fatal tracer error */
	bool poll_more;             /* the last poll stopped at its budget */
	unsigned long last_matched; /* functions the last trace/untrace matched */
	struct ct_typed_buf *typed_buf; /* the typed values of the event being emitted */
	/* the fast path: the counter's calibration, measured once */
	struct ct_fp_clock fp_clock;
	bool fp_clock_done;
	uint64_t fast_tick_ns;      /* the last ct_fast_tick */
	unsigned nr_fast;           /* address spaces with a fast path */
	bool clock_runs;            /* held time no longer taken off (ct_idle_update) */
	/* records of every ring being put in time order (fastev.c) */
	struct ct_fp_pending *fp_batch;
	size_t fp_batch_n, fp_batch_cap;
	struct ct_labels *labels;   /* short_names: the traced functions' names */
	/* Restores the breakpoints of attached processes if calltrap dies
	 * (ptrace/guardian.h); from attach until everything is detached.
	 * Spawned programs need none: PTRACE_O_EXITKILL ends them with us. */
	struct ct_guard *guard;
	/* for ct_session_end_notes */
	unsigned long nr_selected;  /* functions selected by module_select */
	char *main_exe;             /* the main process's executable */
	bool main_exe_symtab;
	char *spawn_argv0;          /* the program as the user named it */
	char errmsg[256];
};

/* session.c */
uint64_t ct_now_ns(void);
/* t is held by calltrap from `now` on (its stop was seen), or no more
 * (resumed, or gone): the program's clock stands still while every
 * thread is held. */
void ct_thread_held(struct ct_session *s, struct ct_thread *t, uint64_t now);
void ct_thread_released(struct ct_session *s, struct ct_thread *t);
/* Every thread is held; after a change of the threads (was_idle: what
 * ct_all_held said before), start or end the clock's idle time. */
bool ct_all_held(const struct ct_session *s);
void ct_idle_update(struct ct_session *s, bool was_idle, uint64_t now);
/* The event timestamp (ts_ns) of CLOCK_MONOTONIC time `now`: time since
 * the session began, less the times calltrap held every thread. */
uint64_t ct_ts_of(const struct ct_session *s, uint64_t now);
void ct_session_set_error(struct ct_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ct_emit(struct ct_session *s, struct ct_event *ev, const struct ct_regs *regs);
struct ct_thread *ct_thread_add(struct ct_session *s, struct ct_proc *p, pid_t tid,
				enum ct_thread_state st);
void ct_thread_remove(struct ct_session *s, struct ct_thread *t);
/* A thread of p other than `except`, or NULL. */
struct ct_thread *ct_proc_thread(struct ct_session *s, const struct ct_proc *p,
				  const struct ct_thread *except);
/* Forget every thread of p but `except` (they are gone). */
void ct_proc_drop_threads(struct ct_session *s, const struct ct_proc *p,
			  const struct ct_thread *except);
struct ct_proc *ct_proc_add(struct ct_session *s, pid_t pid, struct ct_mm *mm);
void ct_proc_remove(struct ct_session *s, struct ct_proc *p);
/* Resume a thread we stopped: single-step its displaced copy when it was
 * left about to (t->stepping), LISTEN when it was in group-stop, else
 * continue with its pending signal.  -ESRCH counts as done. */
int ct_thread_resume(struct ct_session *s, struct ct_thread *t);
/* A stopped thread through which code may be injected (not one inside
 * vfork()); among several, one not in group-stop. */
struct ct_thread *ct_mm_injector_thread(struct ct_session *s, const struct ct_mm *mm);
/* A thread that cannot stop until its vfork child execs or exits. */
static inline bool ct_thread_blocked_in_vfork(const struct ct_thread *t)
{
	return t->in_vfork && (t->state == CT_TS_RUNNING || t->state == CT_TS_NEW);
}
/* Handled stops leave threads stopped (detach, or the world held). */
static inline bool ct_keep_stopped(const struct ct_session *s)
{
	return s->detaching || s->holding;
}

/* typed.c: DWARF-typed arguments and return values.  The values of an
 * event live in one buffer of the session until the next event. */
#define CT_TYPED_MAX_NAMED 64   /* parameters shown per call */
#define CT_TYPED_TEXT 16384     /* bytes of their rendered values */
struct ct_typed;
/* f's signature placed by the calling convention, looked up at its first
 * call (which also gives ct_typed_src its source line); NULL without DWARF,
 * when its arguments cannot be placed, or with opts.raw_args. */
const struct ct_typed *ct_typed_of(struct ct_session *s, struct ct_func *f);
void ct_typed_free(struct ct_func *f);
/* Can the fast path's records alone show ty's values (NULL: raw
 * registers, yes)?  Only values held in the general registers a record
 * keeps, with no string to read from memory later: the memory and the
 * vector registers are not those of the call any more when its record is
 * read. */
bool ct_typed_from_record(const struct ct_typed *ty);
/* ev->src_file/src_line from f's DWARF, once ct_typed_of(f) found it. */
void ct_typed_src(const struct ct_func *f, struct ct_event *ev);
/* At the entry stop: ev->named[] and CT_EVF_TYPED. */
void ct_typed_call(struct ct_session *s, struct ct_thread *t, const struct ct_typed *ty,
		   const struct ct_regs *regs, struct ct_event *ev);
/* At the entry: what the return value will need from the entry registers
 * (aarch64: x8, where a large struct is returned); keep it in the frame. */
uint64_t ct_typed_entry_ref(const struct ct_typed *ty, const struct ct_regs *regs);
/* At the return stop: ev->ret_text and CT_EVF_TYPED. */
void ct_typed_return(struct ct_session *s, struct ct_thread *t, const struct ct_typed *ty,
		     uint64_t entry_ref, const struct ct_regs *regs, struct ct_event *ev);

/* modrt.c: modules, shared by address spaces and freed with the last */
/* A module for mod, found in the maps of process pid, its functions
 * selected by the patterns; it takes mod over, with one reference.  NULL
 * with errno (mod is still the caller's). */
struct ct_modrt *ct_modrt_new(struct ct_session *s, pid_t pid, struct ct_module *mod);
/* Drop a reference: the last one frees m, or leaves it in s->dead_mods
 * while a frame names one of its functions. */
void ct_modrt_put(struct ct_session *s, struct ct_modrt *m);
/* Free the dead modules no frame names any more (all of them: at the end
 * of the session). */
void ct_modrt_reap(struct ct_session *s, bool all);
/* short_names: f is traced, so its name is one of those events show; the
 * names added together before the next event are told apart together. */
void ct_func_label_add(struct ct_session *s, const struct ct_func *f);
/* The label of f's events (ct_event.label): NULL without short_names (or
 * out of memory); found once, it never changes. */
static inline const char *ct_func_label(struct ct_session *s, struct ct_func *f)
{
	if (!f->label && s->labels)
		f->label = ct_labels_get(s->labels, f->name);
	return f->label;
}

/* mm.c: address spaces, their modules, the patterns' selection */
struct ct_mm *ct_mm_new(struct ct_session *s, pid_t pid);
void ct_mm_put(struct ct_session *s, struct ct_mm *mm);
/* For a forked child, whose memory is a copy of parent's: the same
 * breakpoint tables and modules over the child's own memory. */
struct ct_mm *ct_mm_fork(struct ct_session *s, const struct ct_mm *parent, pid_t pid);
/* Read the maps, adopt new modules, place entry sites for the selected
 * functions.  inj: a stopped thread of this mm. */
int ct_mm_scan(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);
/* The module whose mapped range holds addr (its data too), or NULL. */
struct ct_modrt *ct_mm_module_at(const struct ct_mm *mm, uint64_t addr);
/* A later scratch area (for code out of reach of the first) refused by
 * seccomp (err, ct_remote_refusal): say once for the process that what
 * needs it is not traced. */
void ct_mm_seccomp_warn(struct ct_session *s, struct ct_mm *mm, int err);
/* [lo, hi) of the module (or mapping) holding addr, for slot reach. */
int ct_mm_reach_range(struct ct_session *s, struct ct_mm *mm, uint64_t addr, uint64_t *lo,
		      uint64_t *hi);
/* Entry point reached or attached: resolve IFUNCs. */
int ct_mm_startup_done(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		       const struct ct_regs *regs);
/* The r_brk site was hit. */
int ct_mm_rbrk_hit(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		   const struct ct_regs *regs);
/* Do the initial patterns and then the edits select `name` of m? */
bool ct_mm_wanted(struct ct_session *s, const struct ct_modrt *m, const char *name);

/* entries.c: the breakpoints that follow from the modules and patterns */
/* Place the entry sites of m's selected functions that have none (IFUNCs
 * resolved once start-up is done).  inj: a stopped thread of mm. */
int ct_mm_arm_module(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		     const struct ct_injector *inj);
/* The internal sites m holds: the dynamic linker's r_brk, and the entry
 * point of the main executable until start-up is done, and those that see
 * non-local exits (nonlocal.c). */
int ct_mm_arm_internal(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		       const struct ct_injector *inj);
/* nonlocal.c: the internal sites that see non-local exits begin and land,
 * on the functions of m that start and end them. */
int ct_mm_arm_nonlocal(struct ct_session *s, struct ct_mm *mm, struct ct_modrt *m,
		       const struct ct_injector *inj);
/* A CT_SITE_NONLOCAL or CT_SITE_LANDED site was hit by t. */
void ct_nonlocal_hit(struct ct_session *s, struct ct_thread *t, const struct ct_site *site,
		     const struct ct_regs *regs);
/* May `top`, t's top frame, entered at the stack pointer where a call
 * starts now with return address ra, have made this call as its tail call?
 * Not when a non-local exit began since its entry and has not been seen
 * to land: the same call site calling again after a longjmp or a catch
 * looks the same. */
bool ct_nonlocal_tail_ok(const struct ct_session *s, const struct ct_thread *t,
			 const struct ct_frame *top, uint64_t ra);
/* May a breakpoint go at addr, given the code before it in its function
 * (arch->check_site: not inside an exclusive load/store sequence)?  0, or
 * -ENOTSUP after a warning naming the function. */
int ct_mm_check_site(struct ct_session *s, struct ct_mm *mm, uint64_t addr);
/* The CT_SITE_RESOLVER `site` was hit: resolve the IFUNCs waiting for it. */
int ct_mm_resolver_hit(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t,
		       const struct ct_site *site, const struct ct_regs *regs);
/* Make the entry sites of every module of mm agree with ct_func.selected:
 * sites of functions no longer selected removed (return sites are never
 * touched), sites of newly selected ones placed.  The world is stopped;
 * inj is a stopped thread of mm. */
int ct_mm_sync(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);

/* stop.c: one waitpid result */
int ct_handle_wait(struct ct_session *s, pid_t tid, int status);
/* Execute the instruction displaced by `site` for a thread stopped on it,
 * with regs read at the trap, and resume it; while the world is held, only
 * point it at the instruction (ct_thread_resume runs it later). */
int ct_pass_site(struct ct_session *s, struct ct_thread *t, struct ct_site *site,
		 struct ct_regs *regs);
/* Unwind every frame of t (thread exit, exec). */
void ct_unwind_all(struct ct_session *s, struct ct_thread *t);
/* When t's current stop began: its events happen then, and the time we
 * hold it from then on is not its own. */
uint64_t ct_stop_time(const struct ct_thread *t);
/* The event of frame f (at depth) ending or returning at `now`; regs: the
 * registers at the return (its value), NULL for an unwind. */
void ct_frame_event(struct ct_session *s, struct ct_thread *t, const struct ct_frame *f,
		    enum ct_event_type type, size_t depth, uint64_t now, const struct ct_regs *regs);
/* The call event of frame fr, just pushed on t's stack; regs: as at the
 * function's first instruction (its arguments). */
void ct_call_event(struct ct_session *s, struct ct_thread *t, const struct ct_frame *fr,
		   const struct ct_typed *typed, const struct ct_regs *regs);
/* Pop, as unwind events, the frames whose return address the stack no
 * longer holds (their stack reused after longjmp or an exception); ra: the
 * return address of the call being entered. */
void ct_unwind_stale(struct ct_session *s, struct ct_thread *t, uint64_t ra, uint64_t now);
/* Pop, as unwind events, the frames entered below sp (by_entry_sp), or
 * whose return would leave sp below sp (their expected sp). */
void ct_unwind_below(struct ct_session *s, struct ct_thread *t, uint64_t sp, bool by_entry_sp,
		     uint64_t now);
/* Pop t's frames entered at sp or below as unwind events: a call or a
 * catch running at sp shows them gone. */
void ct_unwind_at(struct ct_session *s, struct ct_thread *t, uint64_t sp);

/* retsite.c: return breakpoints */
/* Make ra, taken as the return address of a call entering thread t's
 * function, a return site; regs: t's registers now (code injected through
 * t puts them back).  0 when it is one; -ENOENT when ra is not a
 * return address (not right after a call in executable code: nothing is
 * written, and the frame's return cannot be seen); -errno when no
 * breakpoint could be placed there. */
int ct_return_site_ensure(struct ct_session *s, struct ct_thread *t, uint64_t ra,
			  const struct ct_regs *regs);
/* The mappings changed: forget which addresses were found not to be code. */
void ct_return_site_forget(struct ct_mm *mm);

/* sigframe.c: no signal frame into calltrap's pages once they are unmapped.
 * A signal delivered while a thread runs an out-of-line copy gets a frame
 * whose saved pc is in the slot; the handler may still run (or sleep) at
 * detach.  Such a delivery is made by single-stepping into the handler, so
 * that calltrap sees the frame and remembers where its pc is; detach writes
 * the original pc there before the pages go. */
/* Resume t with signal sig (a signal-delivery or other stop, sig != 0):
 * true when done here because its pc is in a slot (*ret: 0 or -errno). */
bool ct_sigframe_resume(struct ct_session *s, struct ct_thread *t, int sig, int *ret);
/* The single-step trap of such a delivery (t->sig_slot_pc set): note the
 * frame, if the signal has a handler that got one. */
void ct_sigframe_stepped(struct ct_session *s, struct ct_thread *t, const struct ct_regs *regs);
/* At detach, the world stopped: make every live frame of mm's threads
 * point at the original code.  false when one cannot be (a pc in the
 * middle of a rewritten sequence): the scratch areas must stay mapped. */
bool ct_sigframe_fix(struct ct_session *s, struct ct_mm *mm);
void ct_sigframe_forget(struct ct_thread *t);

/* children.c */
int ct_on_clone_event(struct ct_session *s, struct ct_thread *t, int event);
int ct_on_exec_event(struct ct_session *s, struct ct_thread *t);
int ct_on_first_stop(struct ct_session *s, struct ct_thread *t, int status);
/* Attach: threads of p blocked in vfork() (their child shares the memory
 * and holds them in the kernel) are marked, and their children seized, as
 * they run with our breakpoints.  0 or -errno. */
int ct_attach_vfork_children(struct ct_session *s, struct ct_proc *p);

/* detach.c */
int ct_detach_all(struct ct_session *s);
/* Interrupt every running thread and wait until each is stopped, taking
 * the breakpoint traps that raced with the interrupts (ct_handle_wait
 * handles each stop: the caller sets detaching or holding first). */
int ct_stop_everything(struct ct_session *s);

/* control.c */
/* Hold every thread stopped (s->holding), as the REPL's stop does; -errno
 * with the session's error set.  A world with no process left is held. */
int ct_world_stop(struct ct_session *s);
/* Let every held thread go; -errno (the first), the session's error set
 * unless one is already. */
int ct_world_resume(struct ct_session *s);
/* edits.c */
void ct_edits_fini(struct ct_session *s);
/* The spawned program (stopped after its exec, scanned) into a process
 * group of its own, by an injected setpgid(0, 0). */
int ct_spawn_new_pgrp(struct ct_session *s, struct ct_mm *mm, const struct ct_injector *inj);
/* pause_at_start: run the program to its entry point and hold the world
 * there.  0 (also when it exited before), or -errno after cleaning up. */
int ct_spawn_pause(struct ct_session *s, struct ct_mm *mm, struct ct_thread *t);

#endif
