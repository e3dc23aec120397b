/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/stacks without a process: system call tables of both ISAs, what a
 * stopped thread's registers say about its system call, the arguments as
 * text, the mutex owner read from memory, cycles of waiters, demangling,
 * and the page cache.  "Memory" is a sparse temporary file read at the
 * address as offset, which is what /proc/PID/mem is to struct ct_pmem.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "stacks/internal.h"
#include "symtab/symtab.h" /* ct_demangle */

#define FAKE_END 0x100000

struct fake {
	struct ct_pmem mem;
	struct ct_memcache mc;
};

static void fake_open(struct fake *f)
{
	f->mem.fd = memfd_create("fake-tracee", MFD_CLOEXEC);
	f->mem.pid = getpid();
	assert_true(f->mem.fd >= 0);
	/* 1 MiB of zeros: pages below FAKE_END read whole, as mapped memory does */
	assert_int_equal(ftruncate(f->mem.fd, FAKE_END), 0);
	ct_memcache_init(&f->mc, &f->mem);
}

static void fake_put(struct fake *f, uint64_t addr, const void *buf, size_t len)
{
	assert_int_equal(pwrite(f->mem.fd, buf, len, (off_t)addr), (ssize_t)len);
	/* what was cached before is stale now */
	ct_memcache_fini(&f->mc);
	ct_memcache_init(&f->mc, &f->mem);
}

static void fake_close(struct fake *f)
{
	ct_memcache_fini(&f->mc);
	close(f->mem.fd);
}

static void set_reg(const struct ct_arch *arch, struct ct_regs *r, const char *name, uint64_t v)
{
	int w = ct_reg_word(arch, name);

	assert_true(w >= 0);
	r->w[w] = v;
}

static void test_sysnames(void **state)
{
	const struct ct_stacks_arch *x = ct_stacks_arch_get(EM_X86_64);
	const struct ct_stacks_arch *a = ct_stacks_arch_get(EM_AARCH64);

	(void)state;
	assert_non_null(x);
	assert_non_null(a);
	/* arch/x86/entry/syscalls/syscall_64.tbl */
	assert_string_equal(ct_sysname(x, 0), "read");
	assert_string_equal(ct_sysname(x, 7), "poll");
	assert_string_equal(ct_sysname(x, 35), "nanosleep");
	assert_string_equal(ct_sysname(x, 202), "futex");
	assert_string_equal(ct_sysname(x, 219), "restart_syscall");
	assert_string_equal(ct_sysname(x, 232), "epoll_wait");
	/* include/uapi/asm-generic/unistd.h */
	assert_string_equal(ct_sysname(a, 63), "read");
	assert_string_equal(ct_sysname(a, 73), "ppoll");
	assert_string_equal(ct_sysname(a, 98), "futex");
	assert_string_equal(ct_sysname(a, 115), "clock_nanosleep");
	assert_string_equal(ct_sysname(a, 128), "restart_syscall");
	assert_string_equal(ct_sysname(a, 260), "wait4");
	assert_null(ct_sysname(a, -1));
	assert_null(ct_sysname(a, 100000));
	/* aarch64 has no poll, select, pause nor epoll_wait */
	assert_int_equal(ct_sysnr_by_name(a, "poll"), -1);
	assert_int_equal(ct_sysnr_by_name(a, "pause"), -1);
	assert_int_equal(ct_sysnr_by_name(a, "epoll_wait"), -1);
	assert_int_equal(ct_sysnr_by_name(a, "epoll_pwait"), 22);
	assert_int_equal(ct_sysnr_by_name(x, "clock_nanosleep"), 230);
}

static void test_x86_64_syscall_at_stop(void **state)
{
	const struct ct_stacks_arch *sa = ct_stacks_arch_get(EM_X86_64);
	const struct ct_arch *arch = &ct_arch_x86_64;
	struct ct_syscall sys;
	struct ct_regs r;
	struct fake f;

	(void)state;
	fake_open(&f);
	memset(&r, 0, sizeof(r));
	set_reg(arch, &r, "orig_rax", 202);
	set_reg(arch, &r, "rax", (uint64_t)-512); /* -ERESTARTSYS */
	set_reg(arch, &r, "rdi", 0x1000);
	set_reg(arch, &r, "rsi", 0x80);
	set_reg(arch, &r, "rdx", 2);
	set_reg(arch, &r, "r10", 0);
	set_reg(arch, &r, "rcx", 0xdead); /* clobbered by `syscall`: not an argument */
	memset(&sys, 0, sizeof(sys));
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_BLOCKED);
	assert_int_equal(sys.nr, 202);
	assert_string_equal(sys.name, "futex");
	assert_int_equal(sys.args[0], 0x1000);
	assert_int_equal(sys.args[1], 0x80);
	assert_int_equal(sys.args[2], 2);
	assert_int_equal(sys.args[3], 0);

	set_reg(arch, &r, "rax", (uint64_t)-516); /* -ERESTART_RESTARTBLOCK */
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_BLOCKED);
	set_reg(arch, &r, "rax", (uint64_t)-EINTR);
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_INTERRUPTED);
	set_reg(arch, &r, "rax", 5);
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_RETURNED);
	assert_int_equal(sys.ret, 5);
	set_reg(arch, &r, "orig_rax", (uint64_t)-1); /* entered by an interrupt */
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_NONE);
	fake_close(&f);
}

static void test_aarch64_syscall_at_stop(void **state)
{
	const struct ct_stacks_arch *sa = ct_stacks_arch_get(EM_AARCH64);
	const struct ct_arch *arch = &ct_arch_aarch64;
	static const uint8_t code[] = {
		0x1f, 0x20, 0x03, 0xd5, /* 0x4000: nop */
		0x01, 0x00, 0x00, 0xd4, /* 0x4004: svc #0 */
		0x1f, 0x20, 0x03, 0xd5, /* 0x4008: nop */
	};
	struct ct_syscall sys;
	struct ct_regs r;
	struct fake f;

	(void)state;
	fake_open(&f);
	fake_put(&f, 0x4000, code, sizeof(code));
	memset(&r, 0, sizeof(r));
	set_reg(arch, &r, "x8", 63); /* read */
	set_reg(arch, &r, "x0", 4);
	set_reg(arch, &r, "x1", 0x7000);
	set_reg(arch, &r, "x2", 64);

	/* pc rewound onto the svc: blocked, to be restarted, x0 intact */
	set_reg(arch, &r, "pc", 0x4004);
	memset(&sys, 0, sizeof(sys));
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_BLOCKED);
	assert_string_equal(sys.name, "read");
	assert_int_equal(sys.args[0], 4);
	assert_int_equal(sys.args[1], 0x7000);
	assert_false(sys.arg0_lost);

	/* pc after the svc: returned, x0 is the result */
	set_reg(arch, &r, "pc", 0x4008);
	set_reg(arch, &r, "x0", (uint64_t)-EINTR);
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_INTERRUPTED);
	assert_true(sys.arg0_lost);
	assert_int_equal(sys.ret, -EINTR);

	/* anywhere else: not in a system call */
	set_reg(arch, &r, "pc", 0x4000);
	sa->syscall_at_stop(sa, arch, &r, &f.mc, &sys);
	assert_int_equal(sys.state, CT_SYS_NONE);
	fake_close(&f);
}

static void decode(struct fake *f, struct ct_syscall *sys, const char *name,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const struct ct_stacks_arch *sa = ct_stacks_arch_get(EM_X86_64);

	memset(sys, 0, sizeof(*sys));
	sys->state = CT_SYS_BLOCKED;
	sys->nr = ct_sysnr_by_name(sa, name);
	sys->name = ct_sysname(sa, sys->nr);
	sys->args[0] = a0;
	sys->args[1] = a1;
	sys->args[2] = a2;
	sys->args[3] = a3;
	sys->args[4] = a4;
	sys->args[5] = a5;
	ct_sys_decode(sys, getpid(), &f->mc);
}

static void test_decode(void **state)
{
	const int64_t ts[2] = { 3600, 250 };
	struct {
		int32_t fd;
		int16_t events, revents;
	} pfd[2];
	struct ct_syscall sys;
	char want[384];
	struct fake f;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	fake_open(&f);
	fake_put(&f, 0x2000, ts, sizeof(ts));
	pfd[0].fd = p[0];
	pfd[0].events = 0x1 | 0x2000; /* POLLIN|POLLRDHUP */
	pfd[1].fd = -1;
	pfd[1].events = 0x4;
	fake_put(&f, 0x3000, pfd, sizeof(pfd));

	decode(&f, &sys, "futex", 0x1000, 0x80, 2, 0, 0, 0);
	assert_string_equal(sys.text, "futex(0x1000, FUTEX_WAIT_PRIVATE, 2, NULL)");
	decode(&f, &sys, "futex", 0x1004, 0x189, 0, 0x2000, 0, 0xffffffff);
	assert_string_equal(sys.text, "futex(0x1004, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, "
				      "0, {tv_sec=3600, tv_nsec=250}, NULL, 0xffffffff)");
	decode(&f, &sys, "nanosleep", 0x2000, 0, 0, 0, 0, 0);
	assert_string_equal(sys.text, "nanosleep({tv_sec=3600, tv_nsec=250}, NULL)");
	decode(&f, &sys, "clock_nanosleep", 1, 1, 0x2000, 0x5000, 0, 0);
	assert_string_equal(sys.text, "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, "
				      "{tv_sec=3600, tv_nsec=250}, 0x5000)");
	/* unreadable memory: the address, not a crash */
	decode(&f, &sys, "nanosleep", 0x7fff00000000ull, 0, 0, 0, 0, 0);
	assert_string_equal(sys.text, "nanosleep(0x7fff00000000, NULL)");

	decode(&f, &sys, "read", (uint64_t)p[0], 0x7ffc0000, 64, 0, 0, 0);
	assert_int_equal(sys.fd, p[0]);
	assert_memory_equal(sys.fd_target, "pipe:[", 6);
	snprintf(want, sizeof(want), "read(%d<%s>, 0x7ffc0000, 64)", p[0], sys.fd_target);
	assert_string_equal(sys.text, want);

	snprintf(want, sizeof(want),
		 "poll([{fd=%d<%s>, events=POLLIN|POLLRDHUP}, {fd=-1, events=POLLOUT}], 2, -1)",
		 p[0], sys.fd_target);
	decode(&f, &sys, "poll", 0x3000, 2, (uint64_t)-1, 0, 0, 0);
	assert_string_equal(sys.text, want);
	assert_int_equal(sys.fd, -1); /* two fds: none is "the" fd */

	decode(&f, &sys, "wait4", (uint64_t)-1, 0, 0x40000001, 0, 0, 0);
	assert_string_equal(sys.text, "wait4(-1, NULL, WNOHANG|__WALL, NULL)");
	decode(&f, &sys, "pause", 0, 0, 0, 0, 0, 0);
	assert_string_equal(sys.text, "pause()");
	decode(&f, &sys, "epoll_pwait", 9999, 0x4000, 16, (uint64_t)-1, 0, 8);
	assert_string_equal(sys.text, "epoll_pwait(9999, 0x4000, 16, -1, NULL, 8)");

	/* a number with no name */
	memset(&sys, 0, sizeof(sys));
	sys.state = CT_SYS_BLOCKED;
	sys.nr = 4000;
	sys.args[0] = 1;
	ct_sys_decode(&sys, getpid(), &f.mc);
	assert_string_equal(sys.text, "syscall_4000(1, 0, 0, 0, 0, 0)");
	close(p[0]);
	close(p[1]);
	fake_close(&f);
}

/* Data objects of this test binary to be named: one initialized (.data),
 * one big and zeroed (.bss, mostly past the pages mapped from the file). */
struct ut_account {
	long balance;
	int locks[6];
};
struct ut_account ut_accounts[4] = { { 1, { 0 } }, { 2, { 0 } }, { 3, { 0 } }, { 4, { 0 } } };
char ut_big_bss[1 << 20];

static void test_data_names(void **state)
{
	struct ct_symbolizer *sym = ct_symbolizer_new(getpid(), false);
	uint64_t lock = (uint64_t)(uintptr_t)&ut_accounts[2].locks[1], off = 1;
	uint64_t base = (uint64_t)(uintptr_t)ut_accounts;
	int on_stack = 0;
	const char *name = NULL;
	struct ct_syscall sys;
	char want[384];
	struct fake f;

	(void)state;
	assert_non_null(sym);
	assert_int_equal(ct_symbolizer_data(sym, base, &name, &off), 0);
	assert_string_equal(name, "ut_accounts");
	assert_int_equal(off, 0);
	assert_int_equal(ct_symbolizer_data(sym, lock, &name, &off), 0);
	assert_string_equal(name, "ut_accounts");
	assert_int_equal(off, lock - base);
	/* the last byte is in, the next is not */
	assert_int_equal(ct_symbolizer_data(sym, base + sizeof(ut_accounts) - 1, &name, &off), 0);
	assert_int_equal(off, sizeof(ut_accounts) - 1);
	if (ct_symbolizer_data(sym, base + sizeof(ut_accounts), &name, &off) == 0)
		assert_string_not_equal(name, "ut_accounts");
	/* .bss past the file's pages: an anonymous mapping after the module's */
	assert_int_equal(ct_symbolizer_data(sym, (uint64_t)(uintptr_t)&ut_big_bss[900000], &name,
					    &off),
			 0);
	assert_string_equal(name, "ut_big_bss");
	assert_int_equal(off, 900000);
	/* code and the stack are no data symbol */
	assert_int_equal(ct_symbolizer_data(sym, (uint64_t)(uintptr_t)test_data_names, &name, &off),
			 -ENOENT);
	assert_int_equal(ct_symbolizer_data(sym, (uint64_t)(uintptr_t)&on_stack, &name, &off),
			 -ENOENT);

	/* in a system call's text, after each address a symbol holds */
	fake_open(&f);
	decode(&f, &sys, "futex", lock, 0x80, 2, 0, 0, 0);
	ct_sys_name_addrs(&sys, sym);
	snprintf(want, sizeof(want), "futex(%#" PRIx64 "<ut_accounts+%" PRIu64 ">, FUTEX_WAIT_PRIVATE, 2, NULL)",
		 lock, lock - base);
	assert_string_equal(sys.text, want);
	decode(&f, &sys, "read", 0, (uint64_t)(uintptr_t)&on_stack, (uint64_t)(uintptr_t)ut_big_bss,
	       0, 0, 0);
	ct_sys_name_addrs(&sys, sym);
	assert_non_null(strstr(sys.text, "<ut_big_bss>)"));
	snprintf(want, sizeof(want), "%#" PRIx64 ", ", (uint64_t)(uintptr_t)&on_stack);
	assert_non_null(strstr(sys.text, want)); /* the stack address stays bare */
	fake_close(&f);
	ct_symbolizer_free(sym);
}

static void test_futex_op_names(void **state)
{
	char buf[80];

	(void)state;
	ct_futex_op_name(0, buf, sizeof(buf));
	assert_string_equal(buf, "FUTEX_WAIT");
	ct_futex_op_name(0x81, buf, sizeof(buf));
	assert_string_equal(buf, "FUTEX_WAKE_PRIVATE");
	ct_futex_op_name(0x86, buf, sizeof(buf));
	assert_string_equal(buf, "FUTEX_LOCK_PI_PRIVATE");
	ct_futex_op_name(0x7f, buf, sizeof(buf));
	assert_string_equal(buf, "0x7f");
}

/* glibc's layout, from the host's own <pthread.h> */
static void test_mutex_layout(void **state)
{
	const struct ct_stacks_arch *sa = ct_stacks_arch_get(
#if defined(__x86_64__)
		EM_X86_64
#else
		EM_AARCH64
#endif
	);

	(void)state;
	assert_int_equal(sa->mutex_owner_off, offsetof(pthread_mutex_t, __data.__owner));
	assert_int_equal(sa->mutex_kind_off, offsetof(pthread_mutex_t, __data.__kind));
	assert_int_equal(offsetof(pthread_mutex_t, __data.__lock), 0);
}

static void init_thread(struct ct_stack_thread *t, pid_t tid, uint64_t futex, uint64_t op)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->stopped = true;
	t->wait_frame = -1;
	t->sys.state = CT_SYS_BLOCKED;
	t->sys.name = "futex";
	t->sys.args[0] = futex;
	t->sys.args[1] = op;
	t->sys.args[2] = 2;
}

static void put_mutex(struct fake *f, uint64_t addr, int32_t lock, int32_t owner, int32_t kind)
{
	int32_t m[6] = { lock, 0, owner, 1, kind, 0 };

	fake_put(f, addr, m, sizeof(m));
}

static void test_locks(void **state)
{
	const struct ct_stacks_arch *sa = ct_stacks_arch_get(EM_X86_64);
	struct ct_stack_thread th[5];
	struct ct_snapshot snap = { .threads = th, .nr_threads = 5 };
	uint32_t pi = 0x80000000u | 103;
	struct fake f;

	(void)state;
	fake_open(&f);
	put_mutex(&f, 0x1000, 2, 102, 0);         /* held by 102 */
	put_mutex(&f, 0x1100, 2, 103, 0);         /* held by 103 */
	put_mutex(&f, 0x1200, 0, 101, 0);         /* lock word 0: not a held mutex */
	put_mutex(&f, 0x1300, 2, 101, 0x4000000); /* unknown kind bits: not a mutex */
	fake_put(&f, 0x1400, &pi, sizeof(pi));    /* PI futex held by 103 */
	put_mutex(&f, 0x1500, 2, 4242, 1);        /* held by a thread that is gone */

	init_thread(&th[0], 101, 0x1000, 0x80);
	init_thread(&th[1], 102, 0x1100, 0x80);
	init_thread(&th[2], 103, 0x1400, 0x86); /* FUTEX_LOCK_PI_PRIVATE */
	init_thread(&th[3], 104, 0x1200, 0x89);
	init_thread(&th[4], 105, 0x1300, 0x80);
	for (unsigned i = 0; i < 5; i++)
		ct_locks_classify(sa, &snap, &th[i], &f.mc);
	assert_int_equal(th[0].wait.kind, CT_WAIT_MUTEX);
	assert_int_equal(th[0].wait.owner, 102);
	assert_int_equal(th[1].wait.owner, 103);
	assert_int_equal(th[2].wait.kind, CT_WAIT_MUTEX);
	assert_int_equal(th[2].wait.owner, 103); /* itself: not a cycle */
	assert_int_equal(th[3].wait.kind, CT_WAIT_FUTEX);
	assert_int_equal(th[3].wait.owner, 0);
	assert_int_equal(th[4].wait.kind, CT_WAIT_FUTEX);
	assert_int_equal(ct_locks_find_cycles(&snap), 0);
	assert_int_equal(snap.nr_deadlocks, 0);

	/* 103 now waits for 0x1000 (held by 102): 102 -> 103 -> 102, and
	 * 101 waits into the cycle without being part of it */
	init_thread(&th[2], 103, 0x1000, 0x80);
	ct_locks_classify(sa, &snap, &th[2], &f.mc);
	assert_int_equal(ct_locks_find_cycles(&snap), 0);
	assert_int_equal(snap.nr_deadlocks, 1);
	assert_int_equal(snap.deadlocks[0].n, 2);
	assert_true((snap.deadlocks[0].tids[0] == 102 && snap.deadlocks[0].tids[1] == 103) ||
		    (snap.deadlocks[0].tids[0] == 103 && snap.deadlocks[0].tids[1] == 102));
	free(snap.deadlocks[0].tids);
	free(snap.deadlocks);

	/* an owner that exited */
	init_thread(&th[4], 105, 0x1500, 0x80);
	ct_locks_classify(sa, &snap, &th[4], &f.mc);
	assert_int_equal(th[4].wait.kind, CT_WAIT_MUTEX);
	assert_int_equal(th[4].wait.owner, 4242);
	assert_true(th[4].wait.owner_gone);
	/* not a futex wait at all */
	th[4].sys.name = "read";
	ct_locks_classify(sa, &snap, &th[4], &f.mc);
	assert_int_equal(th[4].wait.kind, CT_WAIT_NONE);
	fake_close(&f);
}

static void test_libc_modules(void **state)
{
	(void)state;
	assert_true(ct_is_libc_module("libc.so.6"));
	assert_true(ct_is_libc_module("libpthread.so.0"));
	assert_true(ct_is_libc_module("ld-linux-x86-64.so.2"));
	assert_true(ct_is_libc_module("ld-linux-aarch64.so.1"));
	assert_false(ct_is_libc_module("libcrypto.so.3"));
	assert_false(ct_is_libc_module("deadlock-O2"));
	assert_false(ct_is_libc_module(NULL));
}

static void test_demangle(void **state)
{
	char *d;

	(void)state;
	d = ct_demangle("_ZN5outer5inner6WaiterIiE8wait_forIlEElT_");
	assert_non_null(d);
	assert_string_equal(d, "long outer::inner::Waiter<int>::wait_for<long>(long)");
	free(d);
	d = ct_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi");
	assert_non_null(d);
	assert_string_equal(d, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	free(d);
	assert_null(ct_demangle("main"));
	assert_null(ct_demangle("_Z")); /* not a valid mangled name */
	assert_null(ct_demangle(NULL));
}

static void test_memcache(void **state)
{
	uint8_t page[2 * CT_MC_PAGE], out[64];
	struct fake f;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7);
	fake_open(&f);
	fake_put(&f, 0x10000, page, sizeof(page));
	/* across a page boundary */
	assert_int_equal(ct_memcache_read(&f.mc, 0x10000 + CT_MC_PAGE - 20, out, 40), 0);
	assert_memory_equal(out, page + CT_MC_PAGE - 20, 40);
	/* a page that is not there (past the end of the file) */
	assert_int_equal(ct_memcache_read(&f.mc, FAKE_END + 0x40000, out, 8), -EFAULT);
	/* two addresses sharing a slot evict each other, reads stay right */
	assert_int_equal(ct_memcache_read(&f.mc, 0x10008, out, 8), 0);
	assert_memory_equal(out, page + 8, 8);
	assert_int_equal(ct_memcache_read(&f.mc, 0x10008 + CT_MC_PAGE * CT_MC_SLOTS, out, 8), 0);
	assert_memory_equal(out, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(ct_memcache_read(&f.mc, 0x10010, out, 8), 0);
	assert_memory_equal(out, page + 16, 8);
	fake_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysnames),
		cmocka_unit_test(test_x86_64_syscall_at_stop),
		cmocka_unit_test(test_aarch64_syscall_at_stop),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_data_names),
		cmocka_unit_test(test_futex_op_names),
		cmocka_unit_test(test_mutex_layout),
		cmocka_unit_test(test_locks),
		cmocka_unit_test(test_libc_modules),
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_memcache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
