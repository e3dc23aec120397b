/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: a library loaded at run time.  argv[1] is the path of
 * libplugin.so.  dl_before() runs before the library exists; then
 * plugin_func(i) (which calls plugin_helper) runs 20 times, the library is
 * closed (and really unmapped), opened again (maybe elsewhere) and
 * plugin_func(100 + i) runs 10 more times; dl_after() ends.
 *
 * Traced with -e 'libplugin.so:plugin_*' -e dl_before -e dl_after, the
 * events must be exactly the "truth ev" lines, so breakpoints must be
 * placed in the library when it appears and again after it is reloaded.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

TRACED long dl_before(long x);
TRACED long dl_after(long x);

long dl_before(long x)
{
	asm volatile("");
	return x + 1;
}

long dl_after(long x)
{
	asm volatile("");
	return x + 2;
}

static int failures;

static void ev(const char *type, const char *func, int depth, const char *key, long val)
{
	printf("truth ev pid=%d tid=%d type=%s func=%s depth=%d %s=%ld\n", getpid(), gettid(), type,
	       func, depth, key, val);
}

static int run_plugin(const char *path, long from, long n)
{
	long (*fn)(long);
	void *h;
	long i, r;

	h = dlopen(path, RTLD_NOW);
	if (!h) {
		printf("check dlopen FAIL %s\n", dlerror());
		return -1;
	}
	*(void **)&fn = dlsym(h, "plugin_func");
	if (!fn) {
		printf("check dlsym FAIL %s\n", dlerror());
		return -1;
	}
	for (i = from; i < from + n; i++) {
		r = fn(i);
		if (r != i * i + 7) {
			printf("check plugin_func(%ld) FAIL got=%ld\n", i, r);
			failures++;
		}
	}
	if (dlclose(h)) {
		printf("check dlclose FAIL %s\n", dlerror());
		return -1;
	}
	/* The library must really be gone, so the second dlopen maps it anew. */
	if (dlopen(path, RTLD_NOW | RTLD_NOLOAD)) {
		printf("check unloaded FAIL\n");
		return -1;
	}
	return 0;
}

static void ev_plugin(long from, long n)
{
	long i;

	for (i = from; i < from + n; i++) {
		ev("call", "plugin_func", 1, "args", i);
		ev("call", "plugin_helper", 2, "args", i);
		ev("return", "plugin_helper", 2, "ret", i * i);
		ev("return", "plugin_func", 1, "ret", i * i + 7);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH/libplugin.so\n", argv[0]);
		return 2;
	}
	printf("truth pid=%d role=main\n", getpid());
	if (dl_before(1) != 2)
		failures++;
	if (run_plugin(argv[1], 0, 20) || run_plugin(argv[1], 100, 10))
		return 1;
	if (dl_after(5) != 7)
		failures++;

	ev("call", "dl_before", 1, "args", 1);
	ev("return", "dl_before", 1, "ret", 2);
	ev_plugin(0, 20);
	ev_plugin(100, 10);
	ev("call", "dl_after", 1, "args", 5);
	ev("return", "dl_after", 1, "ret", 7);
	printf("check dlopen %s\n", failures ? "FAIL" : "ok");
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
