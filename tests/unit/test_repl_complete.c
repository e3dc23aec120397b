/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/repl/complete.c and the command lookup of commands.c: Tab completion
 * over a fake program's functions, module-qualified names included
 * ("libc.so.6:mallo" completes as "mallo" does, "libc.so" becomes
 * "libc.so.6:"), and gdb's habits in naming commands: short forms ('c',
 * 's'), unique prefixes ('fin'), and an ambiguous prefix's error listing
 * the candidates.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "repl/complete.h"

/* The fake program: module, function. */
static const char *const funcs[][2] = {
	{ "busy-O0", "main" },
	{ "busy-O0", "mallocate" },
	{ "busy-O0", "step" },
	{ "libc.so.6", "malloc" },
	{ "libc.so.6", "malloc_usable_size" },
	{ "libc.so.6", "free" },
	{ "libc.so.6", "step" }, /* the same name in two modules: one candidate */
	{ "libstdc++.so.6", "std::vector<int>::push_back" },
};

static void fake_funcs(void *ctx, ct_repl_func_cb cb, void *cb_ctx)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		cb(cb_ctx, funcs[i][0], funcs[i][1]);
}

static void fake_tids(void *ctx, ct_repl_name_cb cb, void *cb_ctx)
{
	(void)ctx;
	cb(cb_ctx, "4242");
	cb(cb_ctx, "4243");
}

static const struct ct_complete_src src = { NULL, fake_funcs, fake_tids };

/* Complete line: insert is what goes in (NULL: nothing), then the
 * candidates, NULL-terminated. */
static void expect(const char *line, const char *insert, ...)
{
	struct ct_completion c;
	const char *want;
	size_t n = 0;
	va_list ap;

	assert_int_equal(ct_complete(line, &src, &c), 0);
	if (insert) {
		assert_non_null(c.insert);
		assert_string_equal(c.insert, insert);
	} else {
		assert_null(c.insert);
	}
	va_start(ap, insert);
	while ((want = va_arg(ap, const char *))) {
		assert_true(n < c.n);
		assert_string_equal(c.v[n], want);
		n++;
	}
	va_end(ap);
	assert_int_equal(c.n, n);
	ct_completion_fini(&c);
}

static void test_module_qualified(void **state)
{
	(void)state;
	/* as "mallo" completes, so does "libc.so.6:mallo", within libc */
	expect("trace mallo", "c", "malloc", "malloc_usable_size", "mallocate", NULL);
	expect("trace libc.so.6:mallo", "c", "libc.so.6:malloc", "libc.so.6:malloc_usable_size",
	       NULL);
	expect("trace libc.so.6:malloc_u", "sable_size ", "libc.so.6:malloc_usable_size", NULL);
	expect("untrace libc.so.6:f", "ree ", "libc.so.6:free", NULL);
	/* the module name itself, and a ':' after it, no blank */
	expect("trace libc.so", ".6:", "libc.so.6:", NULL);
	expect("trace busy", "-O0:", "busy-O0:", NULL);
	/* the module as a pattern may name it: "libc" is libc.so.6 */
	expect("trace libc:fr", "ee ", "libc:free", NULL);
	/* gdb's break is trace */
	expect("b libc.so.6:malloc_", "usable_size ", "libc.so.6:malloc_usable_size", NULL);
	/* one name in two modules: one candidate; within one module, its own */
	expect("trace ste", "p ", "step", NULL);
	expect("trace busy-O0:ste", "p ", "busy-O0:step", NULL);
	expect("trace nosuch.so:ma", NULL, NULL);
	/* C++ "::" is no module separator */
	expect("trace std::vec", "tor<int>::push_back ", "std::vector<int>::push_back", NULL);
	/* where a glob matches names only, no module is offered */
	expect("find libc", NULL, NULL);
	expect("filter func=mallo", "c", "func=malloc", "func=malloc_usable_size",
	       "func=mallocate", NULL);
	expect("next call fr", "ee ", "free", NULL);
	expect("bt 424", NULL, "4242", "4243", NULL);
}

static void test_commands(void **state)
{
	(void)state;
	expect("cont", "inue ", "continue", NULL);
	expect("fi", NULL, "filter", "find", "finish", NULL);
	/* subcommands, after a short form too */
	expect("i b", "reakpoints ", "breakpoints", NULL);
	expect("info thr", "eads ", "threads", NULL);
	expect("info ", NULL, "breakpoints", "functions", "registers", "threads", NULL);
	expect("info functions mallo", "c", "malloc", "malloc_usable_size", "mallocate", NULL);
	expect("help fin", NULL, "find", "finish", NULL);
}

static void lookup(const char *word, const char *want)
{
	char why[256] = "";
	const struct ct_repl_cmd *c = ct_repl_lookup_cmd(word, why, sizeof(why));

	assert_non_null(c);
	assert_string_equal(c->name, want);
}

static void lookup_fails(const char *word, const char *want_why)
{
	char why[256] = "";

	assert_null(ct_repl_lookup_cmd(word, why, sizeof(why)));
	assert_string_equal(why, want_why);
}

static void test_lookup(void **state)
{
	(void)state;
	/* the full name, and any unique beginning */
	lookup("finish", "finish");
	lookup("fin", "finish");
	lookup("cont", "continue");
	lookup("fil", "filter");
	lookup("untr", "untrace");
	lookup("th", "threads");
	lookup("w", "wait");
	/* gdb's short forms win over prefixes */
	lookup("c", "continue");
	lookup("n", "next");
	lookup("s", "next");
	lookup("step", "next");
	lookup("r", "run");
	lookup("k", "kill");
	lookup("q", "quit");
	lookup("i", "info");
	lookup("b", "trace");
	lookup("break", "trace");
	lookup("where", "bt");
	lookup("p", "print");
	lookup("pre", "prev");
	lookup("backtrace", "bt");
	/* gdb's error for an ambiguous one names the candidates, sorted */
	lookup_fails("fi", "ambiguous command 'fi': filter, find, finish");
	lookup_fails("re", "ambiguous command 're': regs, replay, report");
	lookup_fails("pr", "ambiguous command 'pr': prev, print");
	lookup_fails("nosuch", "unknown command 'nosuch' (try 'help')");
	assert_null(ct_repl_lookup_cmd("fi", NULL, 0));
	assert_string_equal(ct_repl_canonical("i"), "info");
	assert_null(ct_repl_canonical("fi"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_qualified),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
