/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ names: ct_demangle on names mangled by hand from the Itanium C++ ABI,
 * and ct_elf_demangle / ct_elf_mangled over a real C++ library, the
 * libstdc++ this test is linked with (for __cxa_demangle).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "symtab/symtab.h"

static void demangles_to(const char *sym, const char *want)
{
	char *d = ct_demangle(sym);

	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
}

static void test_demangle(void **state)
{
	(void)state;
	/* N..E nested name; l = long, i = int */
	demangles_to("_ZN2ns4overEll", "ns::over(long, long)");
	demangles_to("_Z7outsidel", "outside(long)");
	/* K: a const member function; I..E template arguments */
	demangles_to("_ZNK2ns3BoxIiE3getEi", "ns::Box<int>::get(int) const");
	demangles_to("_ZN2ns3BoxIlE3setEl", "ns::Box<long>::set(long)");
	/* pL is operator+=; R K S0_ = a reference to const ns::Vec (S_ = ns) */
	demangles_to("_ZN2ns3VecpLERKS0_", "ns::Vec::operator+=(ns::Vec const&)");
	/* GCC's anonymous namespace */
	demangles_to("_ZN2ns12_GLOBAL__N_16secretEl", "ns::(anonymous namespace)::secret(long)");
	/* a function template carries its return type (T_) */
	demangles_to("_ZN2ns5twiceIlEET_S1_", "long ns::twice<long>(long)");
	/* St = std::, D2 a base object destructor */
	demangles_to("_ZNSt9exceptionD2Ev", "std::exception::~exception()");
	/* GCC's clone suffixes stay visible */
	demangles_to("_ZN2ns4overEl.cold", "ns::over(long) [clone .cold]");

	/* C names and type names are not symbols to demangle */
	assert_null(ct_demangle("main"));
	assert_null(ct_demangle("i"));
	assert_null(ct_demangle("St9exception"));
	/* "_Z" but not a valid mangled name */
	assert_null(ct_demangle("_Z"));
	assert_null(ct_demangle("_Zfoo"));
	assert_null(ct_demangle(NULL));
}

/* The mapped file whose path contains `part`, opened. */
static struct ct_elf *open_mapped(const char *part)
{
	struct ct_maps maps;
	struct ct_elf *elf = NULL;
	size_t i;

	assert_int_equal(ct_maps_read(0, &maps), 0);
	for (i = 0; i < maps.n && !elf; i++)
		if (maps.v[i].path && strstr(maps.v[i].path, part))
			elf = ct_elf_open(maps.v[i].path);
	ct_maps_fini(&maps);
	assert_non_null(elf);
	return elf;
}

static void test_elf_demangle(void **state)
{
	struct ct_elf *elf = open_mapped("libstdc++");
	const struct ct_symbol *s;
	const char *first = NULL;
	size_t i, nr_cxx = 0;

	(void)state;
	/* nothing before it is asked for */
	for (i = 0; i < elf->nr_syms; i++)
		assert_null(elf->syms[i].demangled);
	assert_int_equal(ct_elf_demangle(elf), 0);

	s = ct_elf_symbol(elf, "_ZNSt9exceptionD2Ev");
	assert_non_null(s);
	assert_non_null(s->demangled);
	assert_string_equal(s->demangled, "std::exception::~exception()");
	/* back from the demangled name to the very symbol name */
	assert_string_equal(ct_elf_mangled(elf, s->demangled), "_ZNSt9exceptionD2Ev");
	/* any other string comes back as it is, even an equal one */
	assert_ptr_equal(ct_elf_mangled(elf, s->name), s->name);
	assert_ptr_equal(ct_elf_mangled(elf, "std::exception::~exception()"),
			 "std::exception::~exception()");
	assert_ptr_equal(ct_elf_mangled(NULL, "x"), "x");

	/* an extern "C" function of the library keeps its name only */
	s = ct_elf_symbol(elf, "__cxa_demangle");
	assert_non_null(s);
	assert_null(s->demangled);
	assert_ptr_equal(ct_elf_mangled(elf, s->name), s->name);

	/* every demangled name is a _Z symbol's, and leads back to it */
	for (i = 0; i < elf->nr_syms; i++) {
		s = &elf->syms[i];
		if (!s->demangled) {
			assert_false(s->name[0] == '_' && s->name[1] == 'Z' &&
				     s->name[2] == 'N' && s->name[3] == 'S' && s->name[4] == 't');
			continue;
		}
		assert_memory_equal(s->name, "_Z", 2);
		assert_string_equal(ct_elf_mangled(elf, s->demangled), s->name);
		assert_string_not_equal(s->demangled, s->name);
		if (!first)
			first = s->demangled;
		nr_cxx++;
	}
	/* libstdc++ exports thousands of C++ functions */
	assert_true(nr_cxx > 1000);

	/* once: a second call changes nothing */
	assert_int_equal(ct_elf_demangle(elf), 0);
	for (i = 0; i < elf->nr_syms && !elf->syms[i].demangled; i++)
		;
	assert_ptr_equal(elf->syms[i].demangled, first);
	ct_elf_free(elf);
}

static void test_elf_demangle_c(void **state)
{
	struct ct_elf *elf = open_mapped("libc.so");
	size_t i;

	(void)state;
	assert_int_equal(ct_elf_demangle(elf), 0);
	assert_true(elf->nr_syms > 100);
	for (i = 0; i < elf->nr_syms; i++)
		assert_null(elf->syms[i].demangled);
	assert_null(elf->demangled);
	assert_int_equal(ct_elf_demangle(NULL), -EINVAL);
	ct_elf_free(elf);
}

/* gcc's hot/cold split parts, and the clones that are real functions */
static void test_cold_parts(void **state)
{
	(void)state;
	assert_int_equal(ct_sym_cold_parent("main.cold"), 4);
	assert_int_equal(ct_sym_cold_parent("main.cold.12"), 4);
	assert_int_equal(ct_sym_cold_parent("_ZN3Box3getEl.cold"), 13);
	assert_int_equal(ct_sym_cold_parent("f.constprop.0.cold"), 13);
	assert_int_equal(ct_sym_cold_parent("f.cold@GLIBC_2.2.5"), 1);
	assert_int_equal(ct_sym_cold_parent("f.part.0"), 0);
	assert_int_equal(ct_sym_cold_parent("f.isra.0"), 0);
	assert_int_equal(ct_sym_cold_parent("f.constprop.1"), 0);
	assert_int_equal(ct_sym_cold_parent("f.cold.x"), 0);
	assert_int_equal(ct_sym_cold_parent("f.coldest"), 0);
	assert_int_equal(ct_sym_cold_parent("f.cold."), 0);
	assert_int_equal(ct_sym_cold_parent("cold"), 0);
	assert_int_equal(ct_sym_cold_parent(".cold"), 0);
	assert_int_equal(ct_sym_cold_parent("cold_start"), 0);
	assert_int_equal(ct_sym_cold_parent(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_elf_demangle),
		cmocka_unit_test(test_elf_demangle_c),
		cmocka_unit_test(test_cold_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
