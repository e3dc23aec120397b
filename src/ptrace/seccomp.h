/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process's seccomp filters say about a system call calltrap would
 * inject, before it is injected: a filter that kills on mmap kills the
 * process on our mmap just as on its own.
 *
 * seccomp_bpf.c runs a classic BPF filter over a struct seccomp_data as
 * the kernel does (pure, unit-tested); seccomp.c reads a thread's filters
 * with PTRACE_SECCOMP_GET_FILTER and asks them.
 */
#ifndef CT_SECCOMP_H
#define CT_SECCOMP_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value filter `prog` returns for `d`; SECCOMP_RET_KILL_PROCESS for a
 * program the kernel would not have accepted (falls off its end, jumps
 * out, reads outside seccomp_data), and 0 (SECCOMP_RET_KILL_THREAD) where
 * the kernel's would return 0 (a division by zero). */
uint32_t ct_seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d);

/* The return value that wins among two filters' (the kernel runs every
 * filter and keeps the action of highest precedence, KILL_PROCESS first,
 * ALLOW last). */
uint32_t ct_seccomp_combine(uint32_t a, uint32_t b);

/* Does the system call run?  ALLOW and LOG; not KILL, TRAP, ERRNO, TRACE,
 * USER_NOTIF or an unknown action (which the kernel takes as a kill). */
bool ct_seccomp_allows(uint32_t ret);

/* "kill", "trap", "errno", "trace", "user-notif", "log", "allow". */
const char *ct_seccomp_action_name(uint32_t ret);

#endif
