/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The -e pattern language: parsing, selection, default set, counters. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "symtab/symtab.h"

static const struct ct_modnames PROG = { .file = "prog" };

static void add_ok(struct ct_patterns *p, const char *spec)
{
	assert_int_equal(ct_patterns_add(p, spec), 0);
}

static void test_parse(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "malloc");
	add_ok(&p, "libc.so.6:str*");
	add_ok(&p, "!libc*:strlen");
	add_ok(&p, "ns::Klass::method");
	add_ok(&p, "libfoo.so:ns::*");
	add_ok(&p, "!ns::*");
	assert_int_equal(p.n, 6);

	assert_false(p.v[0].exclude);
	assert_null(p.v[0].module);
	assert_string_equal(p.v[0].glob, "malloc");

	assert_false(p.v[1].exclude);
	assert_string_equal(p.v[1].module, "libc.so.6");
	assert_string_equal(p.v[1].glob, "str*");

	assert_true(p.v[2].exclude);
	assert_string_equal(p.v[2].module, "libc*");
	assert_string_equal(p.v[2].glob, "strlen");

	/* "::" is C++ scope, never the module separator */
	assert_null(p.v[3].module);
	assert_string_equal(p.v[3].glob, "ns::Klass::method");

	assert_string_equal(p.v[4].module, "libfoo.so");
	assert_string_equal(p.v[4].glob, "ns::*");

	assert_true(p.v[5].exclude);
	assert_null(p.v[5].module);
	assert_string_equal(p.v[5].glob, "ns::*");

	ct_patterns_fini(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = { "", "!", ":", "!:", ":malloc", "libc.so.6:", "!libc:" };
	struct ct_patterns p = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ct_patterns_add(&p, bad[i]), -EINVAL);
	/* nothing was added by the failures */
	assert_int_equal(p.n, 0);
	assert_false(ct_patterns_have_include(&p));
	ct_patterns_fini(&p);
}

static void test_have_include(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	assert_false(ct_patterns_have_include(&p));
	add_ok(&p, "!foo");
	assert_false(ct_patterns_have_include(&p));
	add_ok(&p, "bar");
	assert_true(ct_patterns_have_include(&p));
	ct_patterns_fini(&p);
}

static void test_plain_glob(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "str*");
	assert_true(ct_patterns_match(&p, "libc.so.6", false, "strlen"));
	assert_true(ct_patterns_match(&p, "prog", true, "strange"));
	/* is_main alone is not enough once there is an include pattern */
	assert_false(ct_patterns_match(&p, "prog", true, "main"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "memstr"));
	/* no FNM_PATHNAME: '*' crosses '/' */
	assert_true(ct_patterns_match(&p, "prog", true, "str/x"));
	assert_int_equal(p.v[0].matched, 3);
	ct_patterns_fini(&p);
}

/* A module is named by its file name, its soname, or either without the
 * version after ".so" (and without ".so"): as people name libraries. */
static void test_module_names(void **state)
{
	const struct ct_modnames sqlite = { .file = "libsqlite3.so.0.8.6",
					    .soname = "libsqlite3.so.0" };
	const struct ct_modnames libc = { .file = "libc.so.6", .soname = "libc.so.6" };
	const struct ct_modnames prog = { .file = "python3.11", .soname = NULL };
	const struct ct_modnames odd = { .file = "libx.so.1a", .soname = NULL };

	(void)state;
	assert_true(ct_module_name_match("libsqlite3.so.0.8.6", &sqlite));
	assert_true(ct_module_name_match("libsqlite3.so.0", &sqlite));
	assert_true(ct_module_name_match("libsqlite3.so", &sqlite));
	assert_true(ct_module_name_match("libsqlite3", &sqlite));
	assert_true(ct_module_name_match("libsqlite*", &sqlite));
	assert_false(ct_module_name_match("libsqlite", &sqlite));
	assert_false(ct_module_name_match("libsqlite3.so.0.8", &sqlite));
	assert_false(ct_module_name_match("libsqlite3.so.1", &sqlite));
	assert_true(ct_module_name_match("libc", &libc));
	assert_true(ct_module_name_match("libc.so.6", &libc));
	assert_false(ct_module_name_match("libc.so.7", &libc));
	assert_false(ct_module_name_match("lib", &libc));
	/* a version only after ".so": an executable keeps its digits */
	assert_true(ct_module_name_match("python3.11", &prog));
	assert_false(ct_module_name_match("python3", &prog));
	/* ".so.1a" is no version suffix */
	assert_false(ct_module_name_match("libx", &odd));
	assert_false(ct_module_name_match("libx.so", &odd));
	assert_false(ct_module_name_match("libc", NULL));
}

/* The toolchain's functions are not in the default set; a pattern
 * reaches them. */
static void test_default_toolchain(void **state)
{
	static const char *const tool[] = { "_start", "_init", "_fini", "frame_dummy",
					    "register_tm_clones", "deregister_tm_clones",
					    "__do_global_dtors_aux", "__libc_csu_init",
					    "__libc_csu_fini" };
	struct ct_patterns none = { 0 }, p = { 0 };
	size_t i;

	(void)state;
	assert_true(ct_patterns_match(&none, "prog", true, "main"));
	assert_true(ct_patterns_match(&none, "prog", true, "_start_work"));
	for (i = 0; i < sizeof(tool) / sizeof(tool[0]); i++)
		assert_false(ct_patterns_match(&none, "prog", true, tool[i]));
	add_ok(&p, "_start");
	assert_true(ct_patterns_match(&p, "prog", true, "_start"));
	ct_patterns_fini(&p);
}

static void test_module_glob(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "libc.so.6:malloc");
	add_ok(&p, "libc*:str*");
	assert_true(ct_patterns_match(&p, "libc.so.6", false, "malloc"));
	assert_false(ct_patterns_match(&p, "libjemalloc.so.2", false, "malloc"));
	assert_false(ct_patterns_match(&p, "prog", true, "malloc"));
	assert_true(ct_patterns_match(&p, "libc.so.6", false, "strcpy"));
	assert_true(ct_patterns_match(&p, "libcrypto.so.3", false, "strtoul"));
	assert_false(ct_patterns_match(&p, "libm.so.6", false, "strtod"));
	/* an unknown module never matches a module pattern */
	assert_false(ct_patterns_match(&p, NULL, false, "malloc"));
	assert_int_equal(p.v[0].matched, 1);
	assert_int_equal(p.v[1].matched, 2);
	ct_patterns_fini(&p);
}

static void test_exclude(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "str*");
	add_ok(&p, "!strlen");
	add_ok(&p, "!libc.so.6:strc*");
	assert_true(ct_patterns_match(&p, "libc.so.6", false, "strdup"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "strlen"));
	assert_false(ct_patterns_match(&p, "prog", true, "strlen"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "strcpy"));
	assert_true(ct_patterns_match(&p, "prog", true, "strcpy")); /* other module */
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "malloc"));
	/* includes count what they matched, excludes what they removed */
	assert_int_equal(p.v[0].matched, 5);
	assert_int_equal(p.v[1].matched, 2);
	assert_int_equal(p.v[2].matched, 1);
	ct_patterns_fini(&p);
}

static void test_exclude_before_include(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	/* order does not matter: the exclusion still wins */
	add_ok(&p, "!strlen");
	add_ok(&p, "str*");
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "strlen"));
	assert_true(ct_patterns_match(&p, "libc.so.6", false, "strnlen"));
	assert_int_equal(p.v[0].matched, 1);
	assert_int_equal(p.v[1].matched, 2);
	ct_patterns_fini(&p);
}

static void test_default_set(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	/* no pattern at all: every function of the main executable */
	assert_true(ct_patterns_match(&p, "prog", true, "main"));
	assert_true(ct_patterns_match(&p, "prog", true, "helper"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "malloc"));

	/* exclusions only: the default set minus them */
	add_ok(&p, "!_*");
	add_ok(&p, "!libc.so.6:*");
	assert_true(ct_patterns_match(&p, "prog", true, "main"));
	assert_false(ct_patterns_match(&p, "prog", true, "_helper"));
	assert_false(ct_patterns_match(&p, "prog", true, "__impl"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "malloc"));
	/* only what was in the default set counts as removed: not the
	 * toolchain's _start */
	assert_false(ct_patterns_match(&p, "prog", true, "_start"));
	assert_false(ct_patterns_match(&p, "libc.so.6", false, "_IO_puts"));
	assert_int_equal(p.v[0].matched, 2);
	assert_int_equal(p.v[1].matched, 0);
	ct_patterns_fini(&p);
}

static void test_cxx(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "ns::Klass::method");
	add_ok(&p, "libfoo.so:ns::*");
	add_ok(&p, "!ns::Klass::~Klass*");
	assert_true(ct_patterns_match(&p, "prog", true, "ns::Klass::method"));
	assert_true(ct_patterns_match(&p, "libbar.so", false, "ns::Klass::method"));
	assert_false(ct_patterns_match(&p, "prog", true, "ns::Klass::method2"));
	assert_true(ct_patterns_match(&p, "libfoo.so", false, "ns::Other::run(int)"));
	assert_false(ct_patterns_match(&p, "libbar.so", false, "ns::Other::run(int)"));
	assert_false(ct_patterns_match(&p, "libfoo.so", false, "ns::Klass::~Klass()"));
	assert_false(ct_patterns_match(&p, "libfoo.so", false, "other::f"));
	assert_int_equal(p.v[0].matched, 2);
	assert_int_equal(p.v[1].matched, 2);
	assert_int_equal(p.v[2].matched, 1);
	ct_patterns_fini(&p);
}

/* A C++ function has two names: its demangled one and its symbol; either
 * selects it, and a pattern matching both counts once. */
static void test_cxx_two_names(void **state)
{
	static const char box_get[] = "ns::Box<int>::get(int) const";
	static const char box_get_sym[] = "_ZNK2ns3BoxIiE3getEi";
	static const char long_get[] = "ns::Box<long>::get(long) const";
	static const char long_get_sym[] = "_ZNK2ns3BoxIlE3getEl";
	static const char over2[] = "ns::over(long, long)";
	static const char over2_sym[] = "_ZN2ns4overEll";
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "*Box<int>::*");
	assert_true(ct_patterns_match_sym(&p, &PROG, true, box_get, box_get_sym));
	assert_false(ct_patterns_match_sym(&p, &PROG, true, long_get, long_get_sym));
	assert_int_equal(p.v[0].matched, 1);
	ct_patterns_fini(&p);

	/* by the symbol only: the mangled glob does not match the demangled name */
	add_ok(&p, "_ZNK2ns3BoxI*");
	assert_true(ct_patterns_match_sym(&p, &PROG, true, box_get, box_get_sym));
	assert_true(ct_patterns_match_sym(&p, &PROG, true, long_get, long_get_sym));
	assert_false(ct_patterns_match_sym(&p, &PROG, true, over2, over2_sym));
	/* without the symbol name it cannot match */
	assert_false(ct_patterns_match(&p, "prog", true, box_get));
	assert_int_equal(p.v[0].matched, 2);
	ct_patterns_fini(&p);

	/* both names match "*": counted once per function */
	add_ok(&p, "*");
	assert_true(ct_patterns_match_sym(&p, &PROG, true, box_get, box_get_sym));
	assert_true(ct_patterns_match_sym(&p, &PROG, true, "main", "main"));
	assert_true(ct_patterns_match_sym(&p, &PROG, true, "main", NULL));
	assert_int_equal(p.v[0].matched, 3);
	ct_patterns_fini(&p);

	/* a demangled include, a mangled exclusion (and the other way round) */
	add_ok(&p, "ns::*");
	add_ok(&p, "!_ZNK*");
	add_ok(&p, "!ns::over(long)");
	assert_false(ct_patterns_match_sym(&p, &PROG, true, box_get, box_get_sym));
	assert_true(ct_patterns_match_sym(&p, &PROG, true, over2, over2_sym));
	assert_false(ct_patterns_match_sym(&p, &PROG, true, "ns::over(long)", "_ZN2ns4overEl"));
	assert_true(ct_patterns_match_sym(&p, &PROG, true, "ns::plain(long)", "_ZN2ns5plainEl"));
	/* a function template's name starts with its return type */
	assert_false(ct_patterns_match_sym(&p, &PROG, true, "long ns::twice<long>(long)",
					   "_ZN2ns5twiceIlEET_S1_"));
	assert_int_equal(p.v[0].matched, 4);
	assert_int_equal(p.v[1].matched, 1);
	assert_int_equal(p.v[2].matched, 1);
	ct_patterns_fini(&p);

	/* MODULE:GLOB over demangled names: "::" stays in the glob, the
	 * first single ':' ends the module */
	add_ok(&p, "prog:ns::Box<*>::get*");
	add_ok(&p, "libfoo.so:::global_scope*");
	assert_string_equal(p.v[0].module, "prog");
	assert_string_equal(p.v[0].glob, "ns::Box<*>::get*");
	assert_string_equal(p.v[1].module, "libfoo.so");
	assert_string_equal(p.v[1].glob, "::global_scope*");
	assert_true(ct_patterns_match_sym(&p, &PROG, true, long_get, long_get_sym));
	assert_false(ct_patterns_match_sym(&p, &(const struct ct_modnames){ .file = "libfoo.so" },
					   false, long_get, long_get_sym));
	assert_false(ct_patterns_match_sym(&p, &PROG, true, "ns::Box<int>::set(int)",
					   "_ZN2ns3BoxIiE3setEi"));
	ct_patterns_fini(&p);
}

static void test_no_match_counter(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "nosuchfunc");
	add_ok(&p, "main");
	assert_true(ct_patterns_match(&p, "prog", true, "main"));
	assert_false(ct_patterns_match(&p, "prog", true, "helper"));
	assert_int_equal(p.v[0].matched, 0);
	assert_int_equal(p.v[1].matched, 1);
	ct_patterns_fini(&p);
}

/* A ':' inside a bracket expression or after a backslash is part of the
 * glob, as fnmatch(3) reads it: only a ':' outside both names a module. */
static void test_bracket_colon(void **state)
{
	struct ct_patterns p = { 0 };

	(void)state;
	add_ok(&p, "[[:lower:]]*");
	add_ok(&p, "libm.so.6:[[:alpha:]]os");
	add_ok(&p, "[]:]x");            /* a leading ']' is a member */
	add_ok(&p, "[!:]*");            /* a negated set */
	add_ok(&p, "a\\:b");            /* an escaped ':' */
	add_ok(&p, "lib[[:digit:]].so:f[:]");
	add_ok(&p, "x[:y");             /* no ']': the '[' is ordinary, ':' splits */
	add_ok(&p, "[[:x]:z");          /* "[:x]" is no class: the set is "[:x" */
	assert_int_equal(p.n, 8);
	assert_null(p.v[0].module);
	assert_string_equal(p.v[0].glob, "[[:lower:]]*");
	assert_string_equal(p.v[1].module, "libm.so.6");
	assert_string_equal(p.v[1].glob, "[[:alpha:]]os");
	assert_null(p.v[2].module);
	assert_string_equal(p.v[2].glob, "[]:]x");
	assert_null(p.v[3].module);
	assert_null(p.v[4].module);
	assert_string_equal(p.v[4].glob, "a\\:b");
	assert_string_equal(p.v[5].module, "lib[[:digit:]].so");
	assert_string_equal(p.v[5].glob, "f[:]");
	assert_string_equal(p.v[6].module, "x[");
	assert_string_equal(p.v[6].glob, "y");
	assert_string_equal(p.v[7].module, "[[:x]");
	assert_string_equal(p.v[7].glob, "z");

	ct_patterns_fini(&p);

	/* and they select what fnmatch says */
	add_ok(&p, "[[:lower:]]*");
	add_ok(&p, "libm.so.6:[[:alpha:]]os");
	add_ok(&p, "[]:]x");
	add_ok(&p, "a\\:b");
	add_ok(&p, "lib[[:digit:]].so:f[:]");
	assert_true(ct_patterns_match(&p, "prog", true, "main"));
	assert_false(ct_patterns_match(&p, "prog", true, "Main"));
	assert_true(ct_patterns_match(&p, "libm.so.6", false, "cos"));
	assert_true(ct_patterns_match(&p, "prog", true, ":x"));
	assert_true(ct_patterns_match(&p, "prog", true, "a:b"));
	assert_true(ct_patterns_match(&p, "lib7.so", false, "f:"));
	assert_false(ct_patterns_match(&p, "prog", true, "Ab"));
	ct_patterns_fini(&p);

	/* ":" inside brackets never makes "MODULE:" or ":GLOB" */
	add_ok(&p, "[:]");
	assert_null(p.v[0].module);
	ct_patterns_fini(&p);
	assert_int_equal(ct_patterns_add(&p, "[:]:"), -EINVAL);
	assert_int_equal(ct_patterns_add(&p, "[x]\\:[:]:"), -EINVAL);
	assert_int_equal(p.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_have_include),
		cmocka_unit_test(test_plain_glob),
		cmocka_unit_test(test_module_glob),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_exclude_before_include),
		cmocka_unit_test(test_default_set),
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_cxx_two_names),
		cmocka_unit_test(test_no_match_counter),
		cmocka_unit_test(test_module_names),
		cmocka_unit_test(test_default_toolchain),
		cmocka_unit_test(test_bracket_colon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
