/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared area in a traced process (inject.c): made there by injected
 * system calls, adopted by calltrap, nothing left in the tracee's fd table.
 */
#ifndef CT_FP_INJECT_H
#define CT_FP_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fastpath/fastpath.h"
#include "ptrace/ptrace.h"

/* The memfd's name, as /proc/PID/maps shows it ("/memfd:NAME (deleted)"). */
#define CT_FP_MEMFD_NAME "calltrap-fastpath"
/* Bytes of tracee memory the name takes, its NUL included. */
#define CT_FP_MEMFD_NAME_SIZE sizeof(CT_FP_MEMFD_NAME)

/* How calltrap runs system calls in the tracee: thread tid stopped by us
 * with registers *regs, the `syscall; trap` pair at `code`
 * (ct_bpset_syscall_site: write_code as it says), and `name`, the address
 * of CT_FP_MEMFD_NAME_SIZE bytes of memory calltrap owns in the tracee
 * (ct_bpset_code_alloc), where the memfd's name is written for the kernel
 * to read: never the program's stack or data. */
struct ct_fp_remote {
	pid_t tid;
	const struct ct_arch *arch;
	struct ct_pmem *mem;
	const struct ct_regs *regs;
	uint64_t code;
	bool write_code;
	uint64_t name;
	/* 0: the area goes where the kernel puts it; else exactly there,
	 * over what is mapped (MAP_FIXED): a fork child's own area where its
	 * copied trampolines look for it */
	uint64_t at;
};

/*
 * Make an area of geometry g shared by calltrap (*a, as ct_fp_area_create
 * makes it, a->fd calltrap's own descriptor) and the tracee (at *remote,
 * read+write, MAP_SHARED): an injected memfd_create (close-on-exec),
 * opened by calltrap through /proc/TID/fd, sized and laid out here, an
 * injected mmap, an injected close.  Each injected call is first put to
 * the thread's seccomp filters.  On failure nothing is left in either
 * process (what was done is undone) and *call names the system call that
 * failed or was refused ("memfd_create", "mmap", "close", "munmap";
 * "open", "ftruncate" and such for calltrap's own; "check" when the
 * descriptor is not the memfd, close-on-exec, it should be: -EBADF);
 * ct_remote_refusal(err) tells a seccomp refusal
 * (-ECANCELED, -EACCES).  0 or -errno; -ESRCH when the thread vanished.
 */
int ct_fp_area_inject(struct ct_fp_area *a, const struct ct_fp_geometry *g,
		      const struct ct_fp_remote *rc, uint64_t *remote, const char **call);

/* The inverse: unmap the area at `remote` in the tracee (an injected
 * munmap) and destroy calltrap's side.  Only once no thread of the tracee
 * can be running code that touches it.  0 or -errno of the munmap
 * (calltrap's side is destroyed anyway). */
int ct_fp_area_eject(struct ct_fp_area *a, const struct ct_fp_remote *rc, uint64_t remote);

#endif
