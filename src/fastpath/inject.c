/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared area in a traced process.  The memfd is made by the tracee
 * itself (an injected memfd_create), so that it can map it with an
 * injected mmap; calltrap opens the same file through /proc/TID/fd/N (as
 * its tracer it may), sizes and lays it out from its own side, and the
 * tracee's descriptor is closed again at once: the program's fd table is
 * as it was, and the memfd is close-on-exec for the moment it exists (an
 * exec by another thread in between must not inherit it).
 *
 * Before anything is injected, every call the sequence and its undoing
 * make is put to the thread's seccomp filters, so that a filter that
 * would forbid the close (say) does not leave a descriptor behind after
 * the memfd_create went through.  The descriptor number is predicted as
 * the lowest free one (the world is stopped); each call is checked again,
 * with its real arguments, when it is injected.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastpath/inject.h"

#define CT_LOG_DOMAIN "fastpath"
#include "util/log.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U /* Linux 6.3: never executable */
#endif

/* The fd table is walked no further than this looking for a free number. */
#define FD_GUESS_MAX 65536

static int remote_call(const struct ct_fp_remote *rc, long nr, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };

	return ct_remote_syscall(rc->tid, rc->arch, rc->mem, rc->regs, rc->code,
				 rc->write_code, nr, args, ret);
}

/* A raw system call return as 0 / -errno, the value in *val. */
static int sys_result(long ret, long *val)
{
	if (ret < 0 && ret > -4096)
		return (int)ret;
	if (val)
		*val = ret;
	return 0;
}

static int seccomp_allows(const struct ct_fp_remote *rc, long nr, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	uint32_t verdict;

	return ct_seccomp_check(rc->tid, rc->arch, nr, args, rc->code + rc->arch->syscall_len,
				&verdict);
}

/* The number the kernel will give the next descriptor of tid. */
static int lowest_free_fd(pid_t tid, int *fd)
{
	char path[64];
	struct stat st;
	int dir, n;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)tid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (n = 0; n < FD_GUESS_MAX; n++) {
		snprintf(path, sizeof(path), "%d", n);
		if (fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
			break;
	}
	close(dir);
	*fd = n;
	return 0;
}

/* Every call of the sequence and those that would undo it; *call is the
 * one refused. */
static int precheck(const struct ct_fp_remote *rc, uint64_t size, const char **call)
{
	const struct ct_arch *A = rc->arch;
	int fd = 0, ret;

	*call = "memfd_create";
	ret = seccomp_allows(rc, A->nr_memfd_create, rc->name, MFD_CLOEXEC | MFD_NOEXEC_SEAL, 0,
			     0, 0, 0);
	if (ret == -ECANCELED)
		ret = seccomp_allows(rc, A->nr_memfd_create, rc->name, MFD_CLOEXEC, 0, 0, 0, 0);
	if (ret < 0)
		return ret;
	*call = "open";
	ret = lowest_free_fd(rc->tid, &fd);
	if (ret < 0)
		return ret;
	*call = "mmap";
	ret = seccomp_allows(rc, A->nr_mmap, rc->at, size, PROT_READ | PROT_WRITE,
			     MAP_SHARED | (rc->at ? MAP_FIXED : 0), (uint64_t)fd, 0);
	if (ret < 0)
		return ret;
	*call = "close";
	ret = seccomp_allows(rc, A->nr_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if (ret < 0)
		return ret;
	*call = "munmap";
	return seccomp_allows(rc, A->nr_munmap, 0, size, 0, 0, 0, 0);
}

/* Is tid's descriptor fd our memfd, close-on-exec?  Read back from
 * /proc, not taken on trust: it is what calltrap is about to open. */
static int check_memfd(pid_t tid, int fd)
{
	char path[64], link[128], line[128];
	unsigned long flags = 0;
	bool have_flags = false;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	if (strncmp(link, "/memfd:" CT_FP_MEMFD_NAME,
		    sizeof("/memfd:" CT_FP_MEMFD_NAME) - 1) != 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1) {
			have_flags = true;
			break;
		}
	fclose(f);
	return have_flags && (flags & O_CLOEXEC) ? 0 : -EBADF;
}

/* Adopt the tracee's descriptor rfd as calltrap's own area. */
static int adopt(struct ct_fp_area *a, const struct ct_fp_geometry *g, pid_t tid, int rfd,
		 const char **call)
{
	char path[64];
	int fd, ret;

	*call = "check";
	ret = check_memfd(tid, rfd);
	if (ret < 0)
		return ret;
	*call = "open";
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, rfd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*call = "ftruncate";
	return ct_fp_area_adopt(a, fd, g);
}

static int make_memfd(const struct ct_fp_remote *rc, int *rfd)
{
	static const unsigned flags[2] = { MFD_CLOEXEC | MFD_NOEXEC_SEAL, MFD_CLOEXEC };
	long ret = 0, val;
	int err = 0;

	/* a kernel before 6.3 does not know MFD_NOEXEC_SEAL (EINVAL); one
	 * with vm.memfd_noexec = 2 refuses a memfd without it; a seccomp
	 * filter may care about the flags */
	err = remote_call(rc, rc->arch->nr_memfd_create, rc->name, flags[0], 0, 0, 0, 0, &ret);
	if ((err == 0 && ret == -EINVAL) || err == -ECANCELED)
		err = remote_call(rc, rc->arch->nr_memfd_create, rc->name, flags[1], 0, 0, 0, 0,
				  &ret);
	if (err == 0)
		err = sys_result(ret, &val);
	if (err == 0)
		*rfd = (int)val;
	return err;
}

int ct_fp_area_inject(struct ct_fp_area *a, const struct ct_fp_geometry *g,
		      const struct ct_fp_remote *rc, uint64_t *remote, const char **call)
{
	const struct ct_arch *A = rc->arch;
	size_t size = ct_fp_area_size(g);
	uint64_t addr = 0;
	long ret, val = 0;
	int rfd = -1, err, err2;

	*a = (struct ct_fp_area){ .fd = -1 };
	*call = "memfd_create";
	if (size == 0)
		return -EINVAL;
	err = ct_pmem_write(rc->mem, rc->name, CT_FP_MEMFD_NAME, CT_FP_MEMFD_NAME_SIZE);
	if (err < 0)
		return err;
	err = precheck(rc, size, call);
	if (err < 0)
		return err;
	*call = "memfd_create";
	err = make_memfd(rc, &rfd);
	if (err < 0)
		return err;
	err = adopt(a, g, rc->tid, rfd, call);
	if (err < 0)
		goto undo;
	*call = "mmap";
	err = remote_call(rc, A->nr_mmap, rc->at, size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | (rc->at ? MAP_FIXED : 0), (uint64_t)rfd, 0, &ret);
	if (err == 0)
		err = sys_result(ret, &val);
	if (err < 0)
		goto undo;
	addr = (uint64_t)val;
	if (rc->at && addr != rc->at) {
		err = -EFAULT;
		goto undo;
	}
	*call = "close";
	err = remote_call(rc, A->nr_close, (uint64_t)rfd, 0, 0, 0, 0, 0, &ret);
	if (err == 0) {
		/* a close that ran released the descriptor even if it
		 * reports an error: that number is not ours to close again */
		rfd = -1;
		err = sys_result(ret, NULL);
	}
	if (err < 0)
		goto undo;
	ct_dbg("tid %d: area of %zu bytes at %#lx", (int)rc->tid, size, (unsigned long)addr);
	*remote = addr;
	return 0;
undo:
	if (err != -ESRCH) {
		if (addr) {
			err2 = remote_call(rc, A->nr_munmap, addr, size, 0, 0, 0, 0, &ret);
			if (err2 < 0 || ret < 0)
				ct_dbg("tid %d: the fast path's area at %#lx could not be unmapped",
					(int)rc->tid, (unsigned long)addr);
		}
		if (rfd >= 0) {
			err2 = remote_call(rc, A->nr_close, (uint64_t)rfd, 0, 0, 0, 0, 0, &ret);
			if (err2 < 0 || ret < 0)
				ct_dbg("tid %d: its descriptor %d could not be closed", (int)rc->tid,
					rfd);
		}
	}
	ct_fp_area_destroy(a);
	return err;
}

int ct_fp_area_eject(struct ct_fp_area *a, const struct ct_fp_remote *rc, uint64_t remote)
{
	long ret = 0;
	int err;

	err = remote_call(rc, rc->arch->nr_munmap, remote, a->size, 0, 0, 0, 0, &ret);
	if (err == 0)
		err = sys_result(ret, NULL);
	ct_fp_area_destroy(a);
	return err;
}
