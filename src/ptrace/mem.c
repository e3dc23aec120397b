/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Remote memory through /proc/PID/mem.  Writes go through the kernel's
 * FOLL_FORCE path, so they reach read-only text (copy-on-write, like
 * PTRACE_POKEDATA) but touch exactly the bytes given, which matters when
 * another thread runs code next to a breakpoint being written.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ptrace/ptrace.h"

int ct_pmem_open(struct ct_pmem *m, pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	m->pid = pid;
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	if (m->fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

void ct_pmem_close(struct ct_pmem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int ct_pmem_read(const struct ct_pmem *m, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(m->fd, buf, len, (off_t)addr);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 && errno != EIO ? -errno : -EFAULT;
}

int ct_pmem_write(const struct ct_pmem *m, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(m->fd, buf, len, (off_t)addr);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 && errno != EIO ? -errno : -EFAULT;
}

int ct_pmem_read_words(const struct ct_pmem *m, const uint64_t *addrs, uint64_t *vals,
		       unsigned n, unsigned *bad)
{
	struct iovec local[8], remote[8];
	unsigned i;
	ssize_t got;

	if (n == 0 || n > 8)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		local[i] = (struct iovec){ .iov_base = &vals[i], .iov_len = 8 };
		remote[i] = (struct iovec){ .iov_base = (void *)(uintptr_t)addrs[i], .iov_len = 8 };
	}
	got = process_vm_readv(m->pid, local, n, remote, n, 0);
	if (got == (ssize_t)(8 * n)) {
		*bad = 0;
		return 0;
	}
	/* a partial transfer stops at the first bad word: read one by one */
	*bad = 0;
	for (i = 0; i < n; i++)
		if (ct_pmem_read(m, addrs[i], &vals[i], 8) < 0)
			*bad |= 1u << i;
	return *bad == (1u << n) - 1 ? -EFAULT : 0;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return ct_pmem_read(ctx, addr, buf, len);
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return ct_pmem_write(ctx, addr, buf, len);
}

struct ct_mem ct_pmem_as_mem(struct ct_pmem *m)
{
	return (struct ct_mem){ .read = mem_read, .write = mem_write, .ctx = m };
}
