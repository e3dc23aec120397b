/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system call a thread is blocked in, written the way strace -y would:
 * file descriptors with what they are (readlink /proc/PID/fd/N), futex
 * operations and clocks by name, timespecs and poll sets read from the
 * stopped process.  Only the calls threads block in are decoded in full;
 * others show their arguments in hex.  Names are the ISA-independent ones,
 * so one table serves x86_64 and aarch64 (which lacks poll, select, pause
 * and epoll_wait, but has their p* forms).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stacks/internal.h"

enum kind {
	K_RAW,        /* nargs arguments in hex */
	K_FD,         /* an fd, then nargs - 1 arguments */
	K_FUTEX,
	K_POLL,       /* poll(fds, nfds, timeout_ms) */
	K_PPOLL,      /* ppoll(fds, nfds, tsp, sigmask, size) */
	K_SELECT,     /* select(n, r, w, e, timeval) */
	K_PSELECT6,   /* pselect6(n, r, w, e, timespec, sigmask) */
	K_EPOLL,      /* epoll_wait/epoll_pwait(epfd, events, max, timeout_ms [, mask, size]) */
	K_EPOLL2,     /* epoll_pwait2(epfd, events, max, timespec, mask, size) */
	K_NANOSLEEP,
	K_CLOCK_NANOSLEEP,
	K_WAIT4,
	K_WAITID,
};

struct decoder {
	const char *name;
	enum kind kind;
	unsigned nargs;
};

static const struct decoder decoders[] = {
	{ "read", K_FD, 3 },
	{ "write", K_FD, 3 },
	{ "readv", K_FD, 3 },
	{ "writev", K_FD, 3 },
	{ "pread64", K_FD, 4 },
	{ "pwrite64", K_FD, 4 },
	{ "preadv", K_FD, 4 },
	{ "pwritev", K_FD, 4 },
	{ "preadv2", K_FD, 5 },
	{ "pwritev2", K_FD, 5 },
	{ "accept", K_FD, 3 },
	{ "accept4", K_FD, 4 },
	{ "connect", K_FD, 3 },
	{ "recvfrom", K_FD, 6 },
	{ "recvmsg", K_FD, 3 },
	{ "recvmmsg", K_FD, 5 },
	{ "sendto", K_FD, 6 },
	{ "sendmsg", K_FD, 3 },
	{ "sendmmsg", K_FD, 4 },
	{ "flock", K_FD, 2 },
	{ "fcntl", K_FD, 3 },
	{ "ioctl", K_FD, 3 },
	{ "fsync", K_FD, 1 },
	{ "fdatasync", K_FD, 1 },
	{ "close", K_FD, 1 },
	{ "io_uring_enter", K_FD, 6 },
	{ "futex", K_FUTEX, 6 },
	{ "poll", K_POLL, 3 },
	{ "ppoll", K_PPOLL, 5 },
	{ "select", K_SELECT, 5 },
	{ "pselect6", K_PSELECT6, 6 },
	{ "epoll_wait", K_EPOLL, 4 },
	{ "epoll_pwait", K_EPOLL, 6 },
	{ "epoll_pwait2", K_EPOLL2, 6 },
	{ "nanosleep", K_NANOSLEEP, 2 },
	{ "clock_nanosleep", K_CLOCK_NANOSLEEP, 4 },
	{ "wait4", K_WAIT4, 4 },
	{ "waitid", K_WAITID, 5 },
	{ "pause", K_RAW, 0 },
	{ "sched_yield", K_RAW, 0 },
	{ "restart_syscall", K_RAW, 0 },
	{ "rt_sigsuspend", K_RAW, 2 },
	{ "rt_sigtimedwait", K_RAW, 4 },
	{ "msgrcv", K_RAW, 5 },
	{ "semop", K_RAW, 3 },
	{ "semtimedop", K_RAW, 4 },
	{ "futex_waitv", K_RAW, 5 },
};

/* The output line; overflow is cut, never an error. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

struct ctx {
	struct out o;
	struct ct_syscall *sys;
	pid_t pid;
	struct ct_memcache *mc;
};

static void fd_target(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* An address in hex, remembered for ct_sys_name_addrs (unless the text
 * was cut there). */
static void put_addr(struct ctx *c, uint64_t v)
{
	struct ct_syscall *sys = c->sys;

	put(&c->o, "%#" PRIx64, v);
	if (c->o.len + 1 < c->o.cap && sys->nr_addrs < sizeof(sys->addrs) / sizeof(sys->addrs[0])) {
		sys->addrs[sys->nr_addrs].end = (uint16_t)c->o.len;
		sys->addrs[sys->nr_addrs].addr = v;
		sys->nr_addrs++;
	}
}

/* A value that is probably a count or a flag in decimal, an address in hex. */
static void put_val(struct ctx *c, uint64_t v)
{
	if (v < 4096)
		put(&c->o, "%" PRIu64, v);
	else if ((int64_t)v < 0 && (int64_t)v > -4096)
		put(&c->o, "%" PRId64, (int64_t)v);
	else
		put_addr(c, v);
}

static void put_arg(struct ctx *c, unsigned i)
{
	if (i == 0 && c->sys->arg0_lost)
		put(&c->o, "?");
	else
		put_val(c, c->sys->args[i]);
}

static void put_fd(struct ctx *c, int fd, bool remember)
{
	char target[sizeof(c->sys->fd_target)];

	fd_target(c->pid, fd, target, sizeof(target));
	put(&c->o, "%d", fd);
	if (target[0])
		put(&c->o, "<%s>", target);
	if (remember) {
		c->sys->fd = fd;
		memcpy(c->sys->fd_target, target, sizeof(target));
	}
}

static void put_fd_arg(struct ctx *c, unsigned i)
{
	if (i == 0 && c->sys->arg0_lost)
		put(&c->o, "?");
	else
		put_fd(c, (int)c->sys->args[i], true);
}

/* ", a, b, ..." for args [from, to) */
static void put_rest(struct ctx *c, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++) {
		put(&c->o, ", ");
		put_arg(c, i);
	}
}

static void put_ptr(struct ctx *c, uint64_t p)
{
	if (p)
		put_addr(c, p);
	else
		put(&c->o, "NULL");
}

static void put_timespec(struct ctx *c, uint64_t addr)
{
	int64_t ts[2];

	if (!addr) {
		put(&c->o, "NULL");
		return;
	}
	if (ct_memcache_read(c->mc, addr, ts, sizeof(ts)) < 0) {
		put_addr(c, addr);
		return;
	}
	put(&c->o, "{tv_sec=%" PRId64 ", tv_nsec=%" PRId64 "}", ts[0], ts[1]);
}

static void put_timeval(struct ctx *c, uint64_t addr)
{
	int64_t tv[2];

	if (!addr) {
		put(&c->o, "NULL");
		return;
	}
	if (ct_memcache_read(c->mc, addr, tv, sizeof(tv)) < 0) {
		put_addr(c, addr);
		return;
	}
	put(&c->o, "{tv_sec=%" PRId64 ", tv_usec=%" PRId64 "}", tv[0], tv[1]);
}

struct flag {
	uint64_t bit;
	const char *name;
};

static void put_flags(struct ctx *c, uint64_t v, const struct flag *f, size_t n)
{
	bool any = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v & f[i].bit) {
			put(&c->o, "%s%s", any ? "|" : "", f[i].name);
			v &= ~f[i].bit;
			any = true;
		}
	}
	if (v || !any)
		put(&c->o, any ? "|%#" PRIx64 : "%#" PRIx64, v);
}

static const struct flag poll_flags[] = {
	{ 0x1, "POLLIN" },	{ 0x2, "POLLPRI" },	  { 0x4, "POLLOUT" },
	{ 0x8, "POLLERR" },	{ 0x10, "POLLHUP" },	  { 0x20, "POLLNVAL" },
	{ 0x40, "POLLRDNORM" }, { 0x80, "POLLRDBAND" },	  { 0x100, "POLLWRNORM" },
	{ 0x200, "POLLWRBAND" }, { 0x2000, "POLLRDHUP" },
};

static void put_pollfds(struct ctx *c, uint64_t addr, uint64_t nfds)
{
	unsigned i, n = nfds > 8 ? 8 : (unsigned)nfds;

	put(&c->o, "[");
	for (i = 0; i < n; i++) {
		struct {
			int32_t fd;
			int16_t events, revents;
		} p;

		if (ct_memcache_read(c->mc, addr + 8 * i, &p, sizeof(p)) < 0) {
			put(&c->o, "%s%#" PRIx64, i ? ", " : "", addr + 8 * i);
			break;
		}
		put(&c->o, "%s{fd=", i ? ", " : "");
		put_fd(c, p.fd, nfds == 1);
		put(&c->o, ", events=");
		put_flags(c, (uint16_t)p.events, poll_flags,
			  sizeof(poll_flags) / sizeof(poll_flags[0]));
		put(&c->o, "}");
	}
	if (nfds > n)
		put(&c->o, ", ...");
	put(&c->o, "]");
}

static void put_fdset(struct ctx *c, uint64_t addr, uint64_t nfds)
{
	uint8_t set[128];
	unsigned fd, n = nfds > 1024 ? 1024 : (unsigned)nfds;
	bool first = true;

	if (!addr) {
		put(&c->o, "NULL");
		return;
	}
	if (ct_memcache_read(c->mc, addr, set, (n + 7) / 8) < 0) {
		put_addr(c, addr);
		return;
	}
	put(&c->o, "[");
	for (fd = 0; fd < n; fd++) {
		if (set[fd / 8] & (1u << (fd % 8))) {
			put(&c->o, "%s%u", first ? "" : " ", fd);
			first = false;
		}
	}
	put(&c->o, "]");
}

static const char *const clock_names[] = {
	"CLOCK_REALTIME",	   "CLOCK_MONOTONIC",	  "CLOCK_PROCESS_CPUTIME_ID",
	"CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
	"CLOCK_MONOTONIC_COARSE",  "CLOCK_BOOTTIME",	  "CLOCK_REALTIME_ALARM",
	"CLOCK_BOOTTIME_ALARM",	   "CLOCK_SGI_CYCLE",	  "CLOCK_TAI",
};

void ct_futex_op_name(uint64_t op, char *buf, size_t len)
{
	static const char *const cmds[] = {
		"FUTEX_WAIT",	     "FUTEX_WAKE",	  "FUTEX_FD",	     "FUTEX_REQUEUE",
		"FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",	  "FUTEX_LOCK_PI",   "FUTEX_UNLOCK_PI",
		"FUTEX_TRYLOCK_PI",  "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET",
		"FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
	};
	unsigned cmd = (unsigned)(op & 0x7f);
	uint64_t rest = op & ~(uint64_t)(0x7f | 128 | 256);

	if (cmd < sizeof(cmds) / sizeof(cmds[0]))
		snprintf(buf, len, "%s%s%s", cmds[cmd], op & 128 ? "_PRIVATE" : "",
			 op & 256 ? "|FUTEX_CLOCK_REALTIME" : "");
	else
		snprintf(buf, len, "%#" PRIx64, op);
	if (rest && cmd < sizeof(cmds) / sizeof(cmds[0])) {
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "|%#" PRIx64, rest);
	}
}

static void put_futex(struct ctx *c)
{
	const uint64_t *a = c->sys->args;
	unsigned cmd = (unsigned)(a[1] & 0x7f);
	char op[80];

	ct_futex_op_name(a[1], op, sizeof(op));
	if (c->sys->arg0_lost)
		put(&c->o, "?");
	else
		put_addr(c, a[0]);
	put(&c->o, ", %s, %" PRIu32, op, (uint32_t)a[2]);
	switch (cmd) {
	case 0: /* FUTEX_WAIT: relative timeout */
	case 6: /* LOCK_PI: absolute, CLOCK_REALTIME */
	case 13: /* LOCK_PI2 */
		put(&c->o, ", ");
		put_timespec(c, a[3]);
		break;
	case 9: /* WAIT_BITSET: absolute timeout, then the bitset */
		put(&c->o, ", ");
		put_timespec(c, a[3]);
		put(&c->o, ", ");
		put_ptr(c, a[4]);
		put(&c->o, ", %#" PRIx32, (uint32_t)a[5]);
		break;
	default:
		put_rest(c, 3, 6);
		break;
	}
}

static void put_wait_options(struct ctx *c, uint64_t v)
{
	static const struct flag f[] = {
		{ 1, "WNOHANG" },	   { 2, "WUNTRACED" },	{ 4, "WEXITED" },
		{ 8, "WCONTINUED" },	   { 0x01000000, "WNOWAIT" },
		{ 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" }, { 0x80000000, "__WCLONE" },
	};

	if (!v)
		put(&c->o, "0");
	else
		put_flags(c, v, f, sizeof(f) / sizeof(f[0]));
}

static void decode(struct ctx *c, const struct decoder *d)
{
	const uint64_t *a = c->sys->args;

	switch (d->kind) {
	case K_RAW:
		if (d->nargs) {
			put_arg(c, 0);
			put_rest(c, 1, d->nargs);
		}
		break;
	case K_FD:
		put_fd_arg(c, 0);
		put_rest(c, 1, d->nargs);
		break;
	case K_FUTEX:
		put_futex(c);
		break;
	case K_POLL:
	case K_PPOLL:
		if (c->sys->arg0_lost)
			put(&c->o, "?");
		else
			put_pollfds(c, a[0], a[1]);
		put(&c->o, ", %" PRIu64 ", ", a[1]);
		if (d->kind == K_POLL) {
			put(&c->o, "%d", (int)a[2]);
		} else {
			put_timespec(c, a[2]);
			put(&c->o, ", ");
			put_ptr(c, a[3]);
			put(&c->o, ", %" PRIu64, a[4]);
		}
		break;
	case K_SELECT:
	case K_PSELECT6:
		put_arg(c, 0);
		put(&c->o, ", ");
		put_fdset(c, a[1], a[0]);
		put(&c->o, ", ");
		put_fdset(c, a[2], a[0]);
		put(&c->o, ", ");
		put_fdset(c, a[3], a[0]);
		put(&c->o, ", ");
		if (d->kind == K_SELECT) {
			put_timeval(c, a[4]);
		} else {
			put_timespec(c, a[4]);
			put(&c->o, ", ");
			put_ptr(c, a[5]);
		}
		break;
	case K_EPOLL:
		put_fd_arg(c, 0);
		put(&c->o, ", ");
		put_addr(c, a[1]);
		put(&c->o, ", %d, %d", (int)a[2], (int)a[3]);
		if (d->nargs > 4) {
			put(&c->o, ", ");
			put_ptr(c, a[4]);
			put(&c->o, ", %" PRIu64, a[5]);
		}
		break;
	case K_EPOLL2:
		put_fd_arg(c, 0);
		put(&c->o, ", ");
		put_addr(c, a[1]);
		put(&c->o, ", %d, ", (int)a[2]);
		put_timespec(c, a[3]);
		put(&c->o, ", ");
		put_ptr(c, a[4]);
		put(&c->o, ", %" PRIu64, a[5]);
		break;
	case K_NANOSLEEP:
		if (c->sys->arg0_lost)
			put(&c->o, "?");
		else
			put_timespec(c, a[0]);
		put(&c->o, ", ");
		put_ptr(c, a[1]);
		break;
	case K_CLOCK_NANOSLEEP:
		if (c->sys->arg0_lost)
			put(&c->o, "?");
		else if (a[0] < sizeof(clock_names) / sizeof(clock_names[0]))
			put(&c->o, "%s", clock_names[a[0]]);
		else
			put_arg(c, 0);
		put(&c->o, ", %s, ", a[1] == 1 ? "TIMER_ABSTIME" : a[1] ? "?" : "0");
		put_timespec(c, a[2]);
		put(&c->o, ", ");
		put_ptr(c, a[3]);
		break;
	case K_WAIT4:
		if (c->sys->arg0_lost)
			put(&c->o, "?");
		else
			put(&c->o, "%d", (int)a[0]);
		put(&c->o, ", ");
		put_ptr(c, a[1]);
		put(&c->o, ", ");
		put_wait_options(c, a[2]);
		put(&c->o, ", ");
		put_ptr(c, a[3]);
		break;
	case K_WAITID: {
		static const char *const idtypes[] = { "P_ALL", "P_PID", "P_PGID", "P_PIDFD" };

		if (c->sys->arg0_lost)
			put(&c->o, "?");
		else if (a[0] < 4)
			put(&c->o, "%s", idtypes[a[0]]);
		else
			put_arg(c, 0);
		put(&c->o, ", %d, ", (int)a[1]);
		put_ptr(c, a[2]);
		put(&c->o, ", ");
		put_wait_options(c, a[3]);
		put(&c->o, ", ");
		put_ptr(c, a[4]);
		break;
	}
	}
}

void ct_sys_decode(struct ct_syscall *sys, pid_t pid, struct ct_memcache *mc)
{
	struct ctx c = { .o = { .buf = sys->text, .cap = sizeof(sys->text) },
			 .sys = sys, .pid = pid, .mc = mc };
	const struct decoder *d = NULL;
	size_t i;

	sys->fd = -1;
	sys->fd_target[0] = '\0';
	sys->text[0] = '\0';
	sys->nr_addrs = 0;
	if (sys->state == CT_SYS_NONE)
		return;
	if (sys->name) {
		for (i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
			if (!strcmp(decoders[i].name, sys->name)) {
				d = &decoders[i];
				break;
			}
		}
		put(&c.o, "%s(", sys->name);
	} else {
		put(&c.o, "syscall_%ld(", sys->nr);
	}
	if (d) {
		decode(&c, d);
	} else {
		put_arg(&c, 0);
		put_rest(&c, 1, 6);
	}
	put(&c.o, ")");
}

void ct_sys_name_addrs(struct ct_syscall *sys, struct ct_symbolizer *sym)
{
	char text[sizeof(sys->text)];
	struct out o = { .buf = text, .cap = sizeof(text) };
	size_t from = 0;
	unsigned i;

	if (!sys->nr_addrs || !sym)
		return;
	text[0] = '\0';
	for (i = 0; i < sys->nr_addrs; i++) {
		const char *name;
		uint64_t off;
		size_t end = sys->addrs[i].end;

		if (end < from || end > strlen(sys->text) ||
		    ct_symbolizer_data(sym, sys->addrs[i].addr, &name, &off) < 0)
			continue;
		put(&o, "%.*s", (int)(end - from), sys->text + from);
		if (off)
			put(&o, "<%s+%" PRIu64 ">", name, off);
		else
			put(&o, "<%s>", name);
		from = end;
	}
	if (!from)
		return;
	put(&o, "%s", sys->text + from);
	memcpy(sys->text, text, sizeof(text));
	sys->nr_addrs = 0;
}
