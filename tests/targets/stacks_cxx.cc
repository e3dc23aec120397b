/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ frames for `calltrap stacks`: a thread blocked in read() inside a
 * member function template of a class template in a namespace, called from
 * a lambda that outer::relay() calls, itself inlined at -O2 (a template
 * instantiated with a local type: no linkage name, its DWARF name is to be
 * qualified, tests/integration/stacks_inline.sh).  The demangled names it
 * must show are printed as "truth" lines; then "ready", and main blocks in
 * read() on stdin.
 */
#include <cstdio>
#include <thread>
#include <unistd.h>
#include <sys/syscall.h>

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

namespace outer {
namespace inner {
template <typename T> struct Waiter {
	int fd;
	template <typename U> NOINLINE long wait_for(U extra)
	{
		char c;
		long r = read(fd, &c, 1);

		KEEP_FRAME();
		return r + (long)extra;
	}
};
} // namespace inner

#ifdef __OPTIMIZE__
#define RELAY_INLINE inline __attribute__((always_inline))
#else
#define RELAY_INLINE NOINLINE
#endif
template <typename F> RELAY_INLINE void relay(F f)
{
	f();
	KEEP_FRAME();
}
} // namespace outer

static int pfd[2];

int main()
{
	if (pipe(pfd) < 0)
		return 1;
	std::thread t([] {
		std::printf("truth tid=%ld role=waiter func=outer::inner::Waiter<int>::wait_for<long>(long)"
			    " syscall=read\n",
			    (long)syscall(SYS_gettid));
		std::fflush(stdout);
		outer::relay([] {
			outer::inner::Waiter<int> w{ pfd[0] };
			w.wait_for<long>(1L);
		});
	});
	std::printf("truth pid=%d role=main\n", (int)getpid());
	usleep(200000);
	std::printf("ready\n");
	std::fflush(stdout);
	char c;
	if (read(0, &c, 1) < 0)
		return 1;
	t.detach();
	return 0;
}
