/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event model shared by live output, the trace file and the REPL. */
#ifndef CT_EVENT_H
#define CT_EVENT_H

#include <stdint.h>
#include <sys/types.h>

#include "arch/arch.h"

enum ct_event_type {
	CT_EV_CALL,
	CT_EV_RETURN,
	CT_EV_UNWIND,       /* frame abandoned (longjmp, exception, thread exit) */
	CT_EV_THREAD_START, /* tid is the new thread; parent = creating thread */
	CT_EV_THREAD_EXIT,  /* status = exit code */
	CT_EV_FORK,         /* child = new pid; flags CT_EVF_VFORK for vfork/CLONE_VM */
	CT_EV_EXEC,         /* path = new image */
	CT_EV_SIGNAL,       /* signo delivered to tid */
	CT_EV_EXIT,         /* process exit: status, or signo when killed */
	CT_EV_NR_TYPES
};

#define CT_EVF_VFORK    0x1 /* fork event of a child sharing the parent's memory */
#define CT_EVF_FOLLOWED 0x2 /* fork event of a child we trace (-f) */
#define CT_EVF_CORE     0x4 /* exit by signal with a core dump */
#define CT_EVF_TYPED    0x8 /* call/return of a function DWARF describes: named[]
			     * and ret_text replace args[] and retval */
#define CT_EVF_TAIL     0x10 /* call entered by a tail call of the frame below it,
			      * which returns when it does, with its value */

#define CT_MAX_ARGS 8

/* One DWARF-decoded argument: its name and its value rendered as C source
 * ("10", "-1", "'a'", "\"abc\"", "RED", "0x7ffc1234", "{x=1, y=2}"). */
struct ct_named_value {
	const char *name;
	const char *value;
};

struct ct_event {
	uint64_t seq;
	uint64_t ts_ns; /* the program's clock: ns since the session began, less the
			 * times every thread was held (docs/events.md) */
	pid_t pid;
	pid_t tid;
	enum ct_event_type type;
	uint32_t flags;

	/* call, return, unwind */
	const char *func;
	/* the name text views print instead of func, or NULL: a C++
	 * function's short name (--demangle=short, symtab.h ct_labels); jsonl
	 * and the trace file keep func */
	const char *label;
	/* the symbol-table name behind a demangled func ("_ZN2ns1fEi"), or
	 * NULL; the trace file keeps it (--demangle=no in a view) */
	const char *sym;
	const char *module; /* file name of the module, e.g. "libc.so.6" */
	uint64_t addr;      /* function entry address */
	uint32_t depth;     /* traced frames on this thread, starting at 1 */
	unsigned nr_args;
	uint64_t args[CT_MAX_ARGS];
	uint64_t retval;
	uint64_t duration_ns;
	/* with CT_EVF_TYPED: a call's arguments by name (nr_named may be 0 for
	 * f(void)); a return's value (NULL for a void function) */
	unsigned nr_named;
	const struct ct_named_value *named;
	const char *ret_text;
	/* where the function is declared (DWARF decl_file/decl_line), or NULL/0 */
	const char *src_file;
	uint32_t src_line;

	/* process and thread events */
	pid_t parent; /* thread_start: creating tid */
	pid_t child;  /* fork: the new process */
	int signo;    /* signal, exit by signal */
	int status;   /* exit, thread_exit: exit code */
	const char *path; /* exec */

	/* with --regs: the general-purpose registers at the event */
	const struct ct_arch *arch;
	const struct ct_regs *regs;
};

const char *ct_event_type_name(enum ct_event_type t);

/* The name a text view shows for ev's function: its label, else func. */
static inline const char *ct_event_func_name(const struct ct_event *ev)
{
	return ev->label ? ev->label : ev->func;
}

#endif
