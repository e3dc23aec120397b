/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: IFUNCs of libraries loaded at run time.  argv[1] is the path
 * of libifunc.so.  The program dlopens libm.so.6 (not linked in: it must
 * not be loaded before) and calls cos through dlsym 5 times with known
 * arguments, then dlopens libifunc.so and calls twice(i) 6 times.  cos is
 * an IFUNC in glibc's x86_64 libm (its resolver reads the CPU features
 * through the GOT); twice is one on every ISA (tests/targets/ifunclib.c).
 *
 * It also calls libifunc.so's local IFUNC plus_one, whose resolver must
 * have run once (the dynamic linker's run) whatever is traced.
 *
 * Traced with -e 'libm.so.6:cos' -e 'libifunc.so:twice', every call must
 * be reported: the "truth ev" lines (cos's double arguments are in vector
 * registers, so only its calls are checked, not their values).
 */
#include "config.h"

#include <dlfcn.h>
#include <math.h> /* M_PI only: libm is not linked */
#include <stdio.h>
#include <unistd.h>

#define NR_COS 5
#define NR_TWICE 6

static int failures;

static void ev(const char *type, const char *func, const char *kv)
{
	printf("truth ev pid=%d tid=%d type=%s func=%s depth=1%s\n", getpid(), gettid(), type, func,
	       kv);
}

static void *open_lib(const char *path)
{
	void *h = dlopen(path, RTLD_NOW);

	if (!h)
		printf("check dlopen %s FAIL %s\n", path, dlerror());
	return h;
}

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p)
		printf("check dlsym %s FAIL %s\n", name, dlerror());
	return p;
}

static int run_cos(void)
{
	static const double args[NR_COS] = { 0.0, M_PI / 3, M_PI / 2, M_PI, 2 * M_PI };
	static const double want[NR_COS] = { 1.0, 0.5, 0.0, -1.0, 1.0 };
	double (*cosp)(double);
	void *h;
	int i;

	if (dlopen("libm.so.6", RTLD_NOW | RTLD_NOLOAD)) {
		printf("check libm-loaded-late FAIL: loaded before dlopen\n");
		return -1;
	}
	h = open_lib("libm.so.6");
	if (!h || !(*(void **)&cosp = sym(h, "cos")))
		return -1;
	for (i = 0; i < NR_COS; i++) {
		double r = cosp(args[i]), err = r - want[i];

		if (err > 1e-12 || err < -1e-12) {
			printf("check cos(%g) FAIL got=%g want=%g\n", args[i], r, want[i]);
			failures++;
		}
	}
	return 0;
}

/* libifunc.so's local IFUNC plus_one works, and its resolver ran once: the
 * dynamic linker's run, none of a tracer's */
static int local_resolver_ran_once(void *h)
{
	long (*callp)(long);
	int (*runsp)(void);
	int runs;

	if (!(*(void **)&callp = sym(h, "ifunc_local_call")) ||
	    !(*(void **)&runsp = sym(h, "ifunc_local_runs")))
		return -1;
	if (callp(41) != 42) {
		printf("check plus_one(41) FAIL\n");
		failures++;
	}
	runs = runsp();
	printf("check local-ifunc-resolver-runs %s runs=%d\n", runs == 1 ? "ok" : "FAIL", runs);
	failures += runs != 1;
	return 0;
}

static int run_twice(const char *path)
{
	long (*twicep)(long);
	void *h = open_lib(path);
	long i;

	if (!h || !(*(void **)&twicep = sym(h, "twice")))
		return -1;
	for (i = 0; i < NR_TWICE; i++) {
		long r = twicep(i + 10);

		if (r != 2 * (i + 10)) {
			printf("check twice(%ld) FAIL got=%ld\n", i + 10, r);
			failures++;
		}
	}
	return local_resolver_ran_once(h);
}

int main(int argc, char **argv)
{
	char kv[64];
	long i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH/libifunc.so\n", argv[0]);
		return 2;
	}
	printf("truth pid=%d role=main\n", getpid());
	if (run_cos() || run_twice(argv[1]))
		return 1;
	for (i = 0; i < NR_COS; i++) {
		ev("call", "cos", "");
		ev("return", "cos", "");
	}
	for (i = 0; i < NR_TWICE; i++) {
		snprintf(kv, sizeof(kv), " args=%ld", i + 10);
		ev("call", "twice", kv);
		snprintf(kv, sizeof(kv), " ret=%ld", 2 * (i + 10));
		ev("return", "twice", kv);
	}
	printf("check ifunc %s\n", failures ? "FAIL" : "ok");
	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
