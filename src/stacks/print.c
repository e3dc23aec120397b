/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot as text for people, or as one JSON object (docs/stacks.md). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "stacks/internal.h"

static const char *state_name(char st)
{
	switch (st) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "uninterruptible sleep";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'Z':
		return "zombie";
	case 'X':
		return "dead";
	case 'I':
		return "idle";
	default:
		return "unknown";
	}
}

static const char *sys_state_name(enum ct_sys_state s)
{
	switch (s) {
	case CT_SYS_BLOCKED:
		return "blocked";
	case CT_SYS_INTERRUPTED:
		return "interrupted";
	case CT_SYS_RETURNED:
		return "returned";
	default:
		return "none";
	}
}

static const char *how_name(enum ct_frame_how h)
{
	switch (h) {
	case CT_FRAME_CFI:
		return "cfi";
	case CT_FRAME_FP:
		return "fp";
	default:
		return "regs";
	}
}

static bool show(pid_t tid, pid_t only)
{
	return only <= 0 || tid == only;
}

static bool cycle_has(const struct ct_deadlock *d, pid_t tid)
{
	unsigned i;

	for (i = 0; i < d->n; i++)
		if (d->tids[i] == tid)
			return true;
	return false;
}

/* The function a thread waits in: its first frame outside libc. */
static const char *wait_func(const struct ct_stack_thread *t)
{
	if (t->wait_frame < 0 || !t->frames[t->wait_frame].loc.func)
		return NULL;
	return t->frames[t->wait_frame].loc.func;
}

/* The same as text shows it: its label (--demangle=short) if it has one. */
static const char *wait_label(const struct ct_stack_thread *t)
{
	if (t->wait_frame >= 0 && t->frames[t->wait_frame].loc.label)
		return t->frames[t->wait_frame].loc.label;
	return wait_func(t);
}

/* ---- text ---- */

/*
 * A string the process controls (its names, paths, symbols, the system
 * call's text with its fd targets) on one line: control bytes as \xNN and
 * '\' as \\ (in quotes '"' as \" too), as the live text output does, so
 * that no name can end a line and forge the next one (a thread named
 * "\ndeadlock: 1->1"), nor send escape sequences to a terminal.
 */
static void text_str(FILE *fp, const char *str, bool quoted)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "??");

	if (quoted)
		fputc('"', fp);
	for (; *s; s++) {
		if (*s == '\\' || (quoted && *s == '"'))
			fprintf(fp, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(fp, "\\x%02x", *s);
		else
			fputc(*s, fp);
	}
	if (quoted)
		fputc('"', fp);
}

static void text_frame(FILE *fp, unsigned n, const struct ct_frame *f)
{
	fprintf(fp, "    #%-2u 0x%016" PRIx64 " in ", n, f->pc);
	if (f->loc.func) {
		text_str(fp, f->loc.label ? f->loc.label : f->loc.func, false);
		/* an inlined function has no code of its own to be at an
		 * offset into */
		if (!f->loc.inlined)
			fprintf(fp, "+%#" PRIx64, f->loc.offset);
	} else {
		fputs("??", fp);
	}
	if (f->loc.module) {
		fputs(" (", fp);
		text_str(fp, f->loc.module, false);
		fputc(')', fp);
	}
	if (f->loc.file) {
		fputs(" at ", fp);
		text_str(fp, f->loc.file, false);
		fprintf(fp, ":%d", f->loc.line);
	}
	if (f->loc.inlined)
		fputs(" [inlined]", fp);
	else if (f->how == CT_FRAME_FP)
		fputs(" [frame pointer]", fp);
	fputc('\n', fp);
}

/* A data address, and the symbol it is in as gdb shows it:
 * 0x55d0c2a4c118<accounts+56> (the offset in decimal, as gdb has it). */
static void text_addr(FILE *fp, uint64_t addr, const struct ct_addr_name *an)
{
	fprintf(fp, "%#" PRIx64, addr);
	if (!an->name)
		return;
	fputc('<', fp);
	text_str(fp, an->name, false);
	if (an->off)
		fprintf(fp, "+%" PRIu64, an->off);
	fputc('>', fp);
}

static void text_wait(FILE *fp, const struct ct_snapshot *snap, const struct ct_stack_thread *t)
{
	const struct ct_stack_thread *o;

	if (t->wait.kind == CT_WAIT_FUTEX) {
		fputs("    waits on futex ", fp);
		text_addr(fp, t->wait.addr, &t->wait.addr_name);
		fputc('\n', fp);
		return;
	}
	if (t->wait.kind != CT_WAIT_MUTEX)
		return;
	fputs("    waits for mutex ", fp);
	text_addr(fp, t->wait.addr, &t->wait.addr_name);
	o = t->wait.owner ? ct_snapshot_thread(snap, t->wait.owner) : NULL;
	if (o == t)
		fprintf(fp, ", which it holds itself (a self-deadlock)");
	else if (o) {
		fprintf(fp, " held by thread %d ", (int)o->tid);
		text_str(fp, o->name, true);
		if (wait_func(o)) {
			fputs(" (in ", fp);
			text_str(fp, wait_label(o), false);
			fputc(')', fp);
		}
	} else if (t->wait.owner)
		fprintf(fp, " held by thread %d, which no longer exists", (int)t->wait.owner);
	fputc('\n', fp);
}

static void text_thread(FILE *fp, const struct ct_snapshot *snap, const struct ct_stack_thread *t)
{
	const struct ct_syscall *sys = &t->sys;
	unsigned i;

	fprintf(fp, "thread %d ", (int)t->tid);
	text_str(fp, t->name, true);
	fprintf(fp, " state %c (%s)", t->state ? t->state : '?', state_name(t->state));
	if (t->group_stopped && t->state != 'T')
		fputs(" group-stopped", fp);
	if (t->wchan[0]) {
		fputs(" wchan ", fp);
		text_str(fp, t->wchan, false);
	}
	if (t->pending_sig)
		fprintf(fp, ", signal %d (%s) pending", t->pending_sig, strsignal(t->pending_sig));
	fputc('\n', fp);
	if (t->zombie) {
		fputs("    (exited; no stack)\n", fp);
		return;
	}
	if (t->exited) {
		fputs("    (exited during the snapshot)\n", fp);
		return;
	}
	if (t->timed_out) {
		fputs("    (did not stop in time: no stack)\n", fp);
		return;
	}
	if (!t->stopped)
		return;
	switch (sys->state) {
	case CT_SYS_BLOCKED:
		fputs("    in ", fp);
		text_str(fp, sys->text, false);
		fprintf(fp, "%s\n", sys->restarted ? " (resumed by restart_syscall)" : "");
		break;
	case CT_SYS_INTERRUPTED:
		fputs("    in ", fp);
		text_str(fp, sys->text, false);
		fputs(" = -1 EINTR (woken by the stop; this call does not restart)\n", fp);
		break;
	case CT_SYS_RETURNED:
		fputs("    returning from ", fp);
		text_str(fp, sys->text, false);
		fprintf(fp, " = %" PRId64 "\n", sys->ret);
		break;
	default:
		break;
	}
	text_wait(fp, snap, t);
	for (i = 0; i < t->nr_frames; i++)
		text_frame(fp, i, &t->frames[i]);
	if (t->unwind_end[0] && t->nr_frames < 2) {
		fputs("    (backtrace ends: ", fp);
		text_str(fp, t->unwind_end, false);
		fputs(")\n", fp);
	}
}

static void text_deadlock(FILE *fp, const struct ct_snapshot *snap, const struct ct_deadlock *d)
{
	unsigned i;

	fputs("deadlock:", fp);
	for (i = 0; i < d->n; i++)
		fprintf(fp, " %d ->", (int)d->tids[i]);
	fprintf(fp, " %d\n", (int)d->tids[0]);
	for (i = 0; i < d->n; i++) {
		const struct ct_stack_thread *t = ct_snapshot_thread(snap, d->tids[i]);

		fprintf(fp, "    thread %d waits in ", (int)t->tid);
		text_str(fp, wait_label(t), false);
		fputs(" for mutex ", fp);
		text_addr(fp, t->wait.addr, &t->wait.addr_name);
		fprintf(fp, " held by thread %d\n", (int)t->wait.owner);
	}
}

int ct_stacks_print_text(FILE *fp, const struct ct_snapshot *snap, pid_t only_tid)
{
	unsigned i;

	fprintf(fp, "process %d ", (int)snap->pid);
	text_str(fp, snap->name, true);
	if (snap->exe[0]) {
		fputs(" (", fp);
		text_str(fp, snap->exe, false);
		fputc(')', fp);
	}
	fprintf(fp, ": %u thread%s, stopped for %.2f ms\n", snap->nr_threads,
		snap->nr_threads == 1 ? "" : "s", (double)snap->stopped_ns / 1e6);
	for (i = 0; i < snap->nr_threads; i++) {
		if (!show(snap->threads[i].tid, only_tid))
			continue;
		fputc('\n', fp);
		text_thread(fp, snap, &snap->threads[i]);
	}
	for (i = 0; i < snap->nr_deadlocks; i++) {
		if (only_tid > 0 && !cycle_has(&snap->deadlocks[i], only_tid))
			continue;
		fputc('\n', fp);
		text_deadlock(fp, snap, &snap->deadlocks[i]);
	}
	fflush(fp);
	return ferror(fp) ? -EIO : 0;
}

/* ---- JSON ---- */

static void json_str_body(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
}

static void json_str(FILE *fp, const char *s)
{
	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	json_str_body(fp, s);
	fputc('"', fp);
}

static void json_hex(FILE *fp, uint64_t v)
{
	fprintf(fp, "\"0x%" PRIx64 "\"", v);
}

static void json_frame(FILE *fp, const struct ct_frame *f)
{
	fputs("{\"pc\":", fp);
	json_hex(fp, f->pc);
	fputs(",\"func\":", fp);
	json_str(fp, f->loc.func);
	fputs(",\"symbol\":", fp);
	json_str(fp, f->loc.symbol);
	fputs(",\"offset\":", fp);
	if (f->loc.func && !f->loc.inlined)
		json_hex(fp, f->loc.offset);
	else
		fputs("null", fp);
	fputs(",\"module\":", fp);
	json_str(fp, f->loc.module);
	fputs(",\"file\":", fp);
	json_str(fp, f->loc.file);
	fputs(",\"line\":", fp);
	if (f->loc.line > 0)
		fprintf(fp, "%d", f->loc.line);
	else
		fputs("null", fp);
	fprintf(fp, ",\"inlined\":%s,\"unwound_by\":\"%s\"}", f->loc.inlined ? "true" : "false",
		how_name(f->how));
}

static void json_syscall(FILE *fp, const struct ct_syscall *sys)
{
	unsigned i;

	if (sys->state == CT_SYS_NONE) {
		fputs("null", fp);
		return;
	}
	fprintf(fp, "{\"nr\":%ld,\"name\":", sys->nr);
	json_str(fp, sys->name);
	fprintf(fp, ",\"state\":\"%s\",\"restarted\":%s,\"args\":[", sys_state_name(sys->state),
		sys->restarted ? "true" : "false");
	for (i = 0; i < 6; i++) {
		if (i)
			fputc(',', fp);
		if (i == 0 && sys->arg0_lost)
			fputs("null", fp);
		else
			json_hex(fp, sys->args[i]);
	}
	fputs("],\"retval\":", fp);
	if (sys->state == CT_SYS_RETURNED || sys->state == CT_SYS_INTERRUPTED)
		fprintf(fp, "%" PRId64, sys->ret);
	else
		fputs("null", fp);
	fputs(",\"fd\":", fp);
	if (sys->fd >= 0) {
		fprintf(fp, "%d,\"fd_target\":", sys->fd);
		json_str(fp, sys->fd_target[0] ? sys->fd_target : NULL);
	} else {
		fputs("null,\"fd_target\":null", fp);
	}
	fputs(",\"text\":", fp);
	json_str(fp, sys->text);
	fputc('}', fp);
}

/* "accounts+56", or null */
static void json_addr_name(FILE *fp, const struct ct_addr_name *an)
{
	char buf[32];

	if (!an->name) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	json_str_body(fp, an->name);
	if (an->off) {
		snprintf(buf, sizeof(buf), "+%" PRIu64, an->off);
		fputs(buf, fp);
	}
	fputc('"', fp);
}

static void json_wait(FILE *fp, const struct ct_stack_thread *t)
{
	if (t->wait.kind == CT_WAIT_NONE) {
		fputs("null", fp);
		return;
	}
	fprintf(fp, "{\"kind\":\"%s\",\"addr\":", t->wait.kind == CT_WAIT_MUTEX ? "mutex" : "futex");
	json_hex(fp, t->wait.addr);
	fputs(",\"addr_symbol\":", fp);
	json_addr_name(fp, &t->wait.addr_name);
	fputs(",\"owner\":", fp);
	if (t->wait.owner)
		fprintf(fp, "%d,\"owner_exists\":%s", (int)t->wait.owner,
			t->wait.owner_gone ? "false" : "true");
	else
		fputs("null,\"owner_exists\":null", fp);
	fputc('}', fp);
}

static void json_thread(FILE *fp, const struct ct_stack_thread *t)
{
	char st[2] = { t->state ? t->state : '?', '\0' };
	unsigned i;

	fprintf(fp, "{\"tid\":%d,\"name\":", (int)t->tid);
	json_str(fp, t->name);
	fputs(",\"state\":", fp);
	json_str(fp, st);
	fputs(",\"wchan\":", fp);
	json_str(fp, t->wchan[0] ? t->wchan : NULL);
	fprintf(fp, ",\"stopped\":%s,\"exited\":%s,\"zombie\":%s,\"timed_out\":%s",
		t->stopped ? "true" : "false", t->exited ? "true" : "false",
		t->zombie ? "true" : "false", t->timed_out ? "true" : "false");
	fprintf(fp, ",\"group_stopped\":%s,\"pending_signal\":",
		t->group_stopped ? "true" : "false");
	if (t->pending_sig)
		fprintf(fp, "%d", t->pending_sig);
	else
		fputs("null", fp);
	fputs(",\"syscall\":", fp);
	if (t->stopped)
		json_syscall(fp, &t->sys);
	else
		fputs("null", fp);
	fputs(",\"wait\":", fp);
	json_wait(fp, t);
	fputs(",\"wait_func\":", fp);
	json_str(fp, wait_func(t));
	fputs(",\"frames\":[", fp);
	for (i = 0; i < t->nr_frames; i++) {
		if (i)
			fputc(',', fp);
		json_frame(fp, &t->frames[i]);
	}
	fputs("],\"unwind_end\":", fp);
	json_str(fp, t->unwind_end[0] ? t->unwind_end : NULL);
	fputc('}', fp);
}

static void json_deadlock(FILE *fp, const struct ct_snapshot *snap, const struct ct_deadlock *d)
{
	unsigned i;

	fputs("{\"cycle\":[", fp);
	for (i = 0; i < d->n; i++)
		fprintf(fp, "%s%d", i ? "," : "", (int)d->tids[i]);
	fputs("],\"waits\":[", fp);
	for (i = 0; i < d->n; i++) {
		const struct ct_stack_thread *t = ct_snapshot_thread(snap, d->tids[i]);

		fprintf(fp, "%s{\"tid\":%d,\"func\":", i ? "," : "", (int)t->tid);
		json_str(fp, wait_func(t));
		fputs(",\"mutex\":", fp);
		json_hex(fp, t->wait.addr);
		fputs(",\"mutex_symbol\":", fp);
		json_addr_name(fp, &t->wait.addr_name);
		fprintf(fp, ",\"owner\":%d}", (int)t->wait.owner);
	}
	fputs("]}", fp);
}

int ct_stacks_print_json(FILE *fp, const struct ct_snapshot *snap, pid_t only_tid)
{
	bool first = true;
	unsigned i;

	fprintf(fp, "{\"pid\":%d,\"name\":", (int)snap->pid);
	json_str(fp, snap->name);
	fputs(",\"exe\":", fp);
	json_str(fp, snap->exe[0] ? snap->exe : NULL);
	fprintf(fp, ",\"arch\":\"%s\",\"stopped_ns\":%" PRIu64 ",\"threads\":[", snap->arch->name,
		snap->stopped_ns);
	for (i = 0; i < snap->nr_threads; i++) {
		if (!show(snap->threads[i].tid, only_tid))
			continue;
		if (!first)
			fputc(',', fp);
		first = false;
		json_thread(fp, &snap->threads[i]);
	}
	fputs("],\"deadlocks\":[", fp);
	first = true;
	for (i = 0; i < snap->nr_deadlocks; i++) {
		if (only_tid > 0 && !cycle_has(&snap->deadlocks[i], only_tid))
			continue;
		if (!first)
			fputc(',', fp);
		first = false;
		json_deadlock(fp, snap, &snap->deadlocks[i]);
	}
	fputs("]}\n", fp);
	fflush(fp);
	return ferror(fp) ? -EIO : 0;
}
