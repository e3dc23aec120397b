/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/ptrace/guardian*.c: what calltrap and its guardian say to
 * each other over their socket (AF_UNIX, SOCK_SEQPACKET). */
#ifndef CT_GUARDIAN_PROTO_H
#define CT_GUARDIAN_PROTO_H

#include <stdint.h>

#include "ptrace/guardian.h"

#define CT_GUARD_NAME "calltrap-guard"

enum ct_guard_msg_kind {
	CT_GUARD_READY = 1, /* guardian -> calltrap: running, pid = its pid */
	CT_GUARD_ADD_MM,    /* calltrap -> guardian: mm, pid, and its /proc/PID/mem */
	CT_GUARD_DROP_MM,   /* calltrap -> guardian: mm */
};

struct ct_guard_msg {
	uint32_t kind;
	uint32_t mm;
	int32_t pid;
};

/* The guardian process, forked by ct_guard_start with calltrap's end of
 * the socket closed, `alive` held by calltrap. */
__attribute__((noreturn)) void ct_guardian_main(int sock, struct ct_guard_shared *sh);

#endif
