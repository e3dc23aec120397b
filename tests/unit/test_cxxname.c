/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ names a person can read (src/util/cxxname.c, labels.c): the short
 * and longer forms of demangled names, on names as __cxa_demangle prints
 * them, taken from real binaries (`nm -C` of libstdc++.so.6 and of g++
 * 12 programs using std::map, std::function, lambdas, shared_ptr); the
 * wanted forms are written by hand.  Then the labels of a view: overloads
 * and template instances told apart only where they collide, and labels
 * that never change once given.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/cxxname.h"

static void form_is(const char *full, enum ct_cxx_level level, const char *want)
{
	char buf[4096];
	size_t n = ct_cxx_name(full, level, buf, sizeof(buf));

	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, want);
}

static void short_is(const char *full, const char *want)
{
	form_is(full, CT_CXX_SHORT, want);
}

/* libstdc++'s std::map<std::string, std::vector<int>> node insertion: 1,200
 * characters demangled */
#define RB_TREE                                                                                   \
	"std::_Rb_tree<std::__cxx11::basic_string<char, std::char_traits<char>, "                \
	"std::allocator<char> >, std::pair<std::__cxx11::basic_string<char, "                    \
	"std::char_traits<char>, std::allocator<char> > const, std::vector<int, "                \
	"std::allocator<int> > >, std::_Select1st<std::pair<std::__cxx11::basic_string<char, "   \
	"std::char_traits<char>, std::allocator<char> > const, std::vector<int, "                \
	"std::allocator<int> > > >, std::less<std::__cxx11::basic_string<char, "                 \
	"std::char_traits<char>, std::allocator<char> > >, "                                     \
	"std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, "     \
	"std::allocator<char> > const, std::vector<int, std::allocator<int> > > > >"

static void test_short(void **state)
{
	(void)state;
	/* plain and namespaced, parameters and qualifiers go */
	short_is("outside(long)", "outside");
	short_is("ns::over(long, long)", "ns::over");
	short_is("ns::Box<int>::get(int) const", "ns::Box::get");
	short_is("ns::Box<int>::get(int) const &&", "ns::Box::get");
	short_is("std::exception::~exception()", "std::exception::~exception");
	/* the 1,000-character ones */
	short_is(RB_TREE "::_M_get_insert_hint_unique_pos(std::_Rb_tree_const_iterator<std::pair<"
			 "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
			 "const, std::vector<int, std::allocator<int> > > >, std::__cxx11::basic_string<"
			 "char, std::char_traits<char>, std::allocator<char> > const&)",
		 "std::_Rb_tree::_M_get_insert_hint_unique_pos");
	short_is(RB_TREE "::_M_begin()", "std::_Rb_tree::_M_begin");
	/* a function template: its return type goes too */
	short_is("std::_Rb_tree_node<std::pair<std::__cxx11::basic_string<char, "
		 "std::char_traits<char>, std::allocator<char> > const, std::vector<int, "
		 "std::allocator<int> > > >* " RB_TREE "::_M_create_node<std::piecewise_construct_t "
		 "const&, std::tuple<std::__cxx11::basic_string<char, std::char_traits<char>, "
		 "std::allocator<char> >&&>, std::tuple<> >(std::piecewise_construct_t const&, "
		 "std::tuple<std::__cxx11::basic_string<char, std::char_traits<char>, "
		 "std::allocator<char> >&&>&&, std::tuple<>&&)",
		 "std::_Rb_tree::_M_create_node");
	short_is("long ns::twice<long>(long)", "ns::twice");
	short_is("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
		 ">::_M_create(unsigned long&, unsigned long)",
		 "std::__cxx11::basic_string::_M_create");
	/* operators whose symbol holds a bracket */
	short_is("ns::Vec::operator<(ns::Vec const&) const", "ns::Vec::operator<");
	short_is("ns::Vec::operator()(int) const", "ns::Vec::operator()");
	short_is("ns::Vec::operator+=(ns::Vec const&)", "ns::Vec::operator+=");
	short_is("std::basic_ostream<wchar_t, std::char_traits<wchar_t> >::operator<<(short)",
		 "std::basic_ostream::operator<<");
	short_is("std::basic_ostream<char, std::char_traits<char> >& std::operator<< <char, "
		 "std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, "
		 "std::_Setiosflags)",
		 "std::operator<<");
	short_is("std::basic_istream<wchar_t, std::char_traits<wchar_t> >& std::operator>><long "
		 "double, wchar_t, std::char_traits<wchar_t> >(std::basic_istream<wchar_t, "
		 "std::char_traits<wchar_t> >&, std::complex<long double>&)",
		 "std::operator>>");
	short_is("bool ns::operator==<int>(std::vector<int, std::allocator<int> > const&, "
		 "std::vector<int, std::allocator<int> > const&)",
		 "ns::operator==");
	short_is("std::__shared_ptr_access<ns::S, (__gnu_cxx::_Lock_policy)2, false, "
		 "false>::operator->() const",
		 "std::__shared_ptr_access::operator->");
	short_is("std::tr1::hash<std::basic_string<wchar_t, std::char_traits<wchar_t>, "
		 "std::allocator<wchar_t> > const&>::operator()(std::basic_string<wchar_t, "
		 "std::char_traits<wchar_t>, std::allocator<wchar_t> > const&) const",
		 "std::tr1::hash::operator()");
	short_is("__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > "
		 ">::difference_type __gnu_cxx::operator-<int*, std::vector<int, "
		 "std::allocator<int> > >(__gnu_cxx::__normal_iterator<int*, std::vector<int, "
		 "std::allocator<int> > > const&, __gnu_cxx::__normal_iterator<int*, "
		 "std::vector<int, std::allocator<int> > > const&)",
		 "__gnu_cxx::operator-");
	short_is("operator new(unsigned long, std::align_val_t, std::nothrow_t const&)",
		 "operator new");
	short_is("operator delete[](void*, unsigned long)", "operator delete[]");
	/* conversion operators: the type is the name */
	short_is("ns::S::operator bool() const", "ns::S::operator bool");
	short_is("std::__exception_ptr::exception_ptr::operator void "
		 "(std::__exception_ptr::exception_ptr::*)()() const",
		 "std::__exception_ptr::exception_ptr::operator void "
		 "(std::__exception_ptr::exception_ptr::*)()");
	/* function-pointer parameters; a function returning one */
	short_is("std::ios_base::register_callback(void (*)(std::ios_base::event, std::ios_base&, "
		 "int), int)",
		 "std::ios_base::register_callback");
	short_is("void (*ns::pick<int>(int))(int)", "ns::pick");
	/* the anonymous namespace, lambdas, local classes, ABI tags */
	short_is("ns::(anonymous namespace)::secret(long)", "ns::(anonymous namespace)::secret");
	short_is("(anonymous namespace)::anon(int)", "(anonymous namespace)::anon");
	short_is("main::{lambda(int)#1}::operator()(int) const", "main::{lambda(int)#1}::operator()");
	short_is("main::{lambda(std::vector<int, std::allocator<int> > const&)#2}::operator()(std::"
		 "vector<int, std::allocator<int> > const&) const",
		 "main::{lambda(std::vector const&)#2}::operator()");
	short_is("main::{lambda(int)#1} const& std::_Any_data::_M_access<main::{lambda(int)#1}>() "
		 "const",
		 "std::_Any_data::_M_access");
	short_is("ns::outer(int)::Local::get(int)", "ns::outer::Local::get");
	short_is("ns::name[abi:cxx11]()", "ns::name");
	short_is("ns::S::get[abi:cxx11]() const", "ns::S::get");
	/* what the demangler puts around a name stays */
	short_is("ns::over(long) [clone .cold]", "ns::over [clone .cold]");
	short_is("f(int) [clone .isra.0] [clone .cold]", "f [clone .isra.0] [clone .cold]");
	short_is("ns::over(long) [cold]", "ns::over [cold]");
	short_is("non-virtual thunk to std::__cxx11::basic_stringstream<char, "
		 "std::char_traits<char>, std::allocator<char> >::~basic_stringstream()",
		 "non-virtual thunk to std::__cxx11::basic_stringstream::~basic_stringstream");
	short_is("virtual thunk to shop::Shelf::~Shelf()", "virtual thunk to shop::Shelf::~Shelf");
	short_is("transaction clone for std::logic_error::logic_error(char const*)",
		 "transaction clone for std::logic_error::logic_error");
	/* C names and odd ones come out as they are */
	short_is("main", "main");
	short_is("_ZN2ns4overEl", "_ZN2ns4overEl");
	short_is("__libc_start_main", "__libc_start_main");
	short_is("", "");
}

static void test_longer(void **state)
{
	(void)state;
	form_is("ns::over(long, long)", CT_CXX_PARAMS, "ns::over(long, long)");
	form_is("ns::Box<int>::get(int) const", CT_CXX_PARAMS, "ns::Box::get(int) const");
	form_is("ns::Box<int>::get(int) const", CT_CXX_TEMPLATE, "ns::Box<int>::get(int) const");
	form_is("std::vector<int, std::allocator<int> >::push_back(int const&)", CT_CXX_PARAMS,
		"std::vector::push_back(int const&)");
	form_is("std::vector<int, std::allocator<int> >::push_back(int const&)", CT_CXX_TEMPLATE,
		"std::vector<int, std::allocator>::push_back(int const&)");
	form_is("std::vector<int, std::allocator<int> >::push_back(int const&)",
		CT_CXX_TEMPLATE + 1, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	/* the space that kept two '>' apart goes with the inner list */
	form_is("std::remove_reference<std::tuple<std::__cxx11::basic_string<char, "
		"std::char_traits<char>, std::allocator<char> >&&> >::type& "
		"std::forward<std::tuple<std::__cxx11::basic_string<char, std::char_traits<char>, "
		"std::allocator<char> >&&> >(std::remove_reference<std::tuple<"
		"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> "
		">&&> >::type&)",
		CT_CXX_TEMPLATE + 1,
		"std::forward<std::tuple<std::__cxx11::basic_string&&> >(std::remove_reference<"
		"std::tuple<std::__cxx11::basic_string&&> >::type&)");
	form_is("ns::over(long) [clone .cold]", CT_CXX_PARAMS, "ns::over(long) [clone .cold]");
	form_is("long ns::twice<long>(long)", CT_CXX_FULL, "long ns::twice<long>(long)");

	/* snprintf-like: the length needed, a truncated copy */
	{
		char small[8];

		assert_int_equal(ct_cxx_name("ns::Box<int>::get(int) const", CT_CXX_SHORT, small,
					     sizeof(small)),
				 strlen("ns::Box::get"));
		assert_string_equal(small, "ns::Box");
		assert_int_equal(ct_cxx_name("ns::Box<int>::get(int)", CT_CXX_SHORT, NULL, 0),
				 strlen("ns::Box::get"));
	}
}

static void test_parse(void **state)
{
	enum ct_demangle d = CT_DEMANGLE_NO;

	(void)state;
	assert_int_equal(ct_demangle_parse("short", &d), 0);
	assert_int_equal(d, CT_DEMANGLE_SHORT);
	assert_int_equal(ct_demangle_parse("full", &d), 0);
	assert_int_equal(d, CT_DEMANGLE_FULL);
	assert_int_equal(ct_demangle_parse("no", &d), 0);
	assert_int_equal(d, CT_DEMANGLE_NO);
	assert_int_equal(ct_demangle_parse("yes", &d), -EINVAL);
	assert_int_equal(ct_demangle_parse("", &d), -EINVAL);
	assert_int_equal(d, CT_DEMANGLE_NO);
}

static void label_is(struct ct_labels *l, const char *name, const char *want)
{
	const char *got = ct_labels_get(l, name);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_labels(void **state)
{
	struct ct_labels *l = ct_labels_new();

	(void)state;
	assert_non_null(l);
	/* one view: an overloaded pair, const and non-const overloads, two
	 * instances of one class template, a unique name, a C name */
	assert_int_equal(ct_labels_add(l, "shop::pick(int)"), 0);
	assert_int_equal(ct_labels_add(l, "shop::pick(double)"), 0);
	assert_int_equal(ct_labels_add(l, "shop::alone(int)"), 0);
	assert_int_equal(ct_labels_add(l, "X::begin()"), 0);
	assert_int_equal(ct_labels_add(l, "X::begin() const"), 0);
	assert_int_equal(ct_labels_add(l, "std::vector<int, std::allocator<int> >::size() const"), 0);
	assert_int_equal(ct_labels_add(l, "std::vector<char, std::allocator<char> >::size() const"),
			 0);
	assert_int_equal(ct_labels_add(l, "std::vector<int, std::allocator<int> >::push_back(int "
					  "const&)"),
			 0);
	assert_int_equal(ct_labels_add(l, "main"), 0);
	assert_int_equal(ct_labels_add(l, "main"), 0); /* twice: one name */
	assert_int_equal(ct_labels_add(l, NULL), -EINVAL);

	label_is(l, "shop::pick(int)", "shop::pick(int)");
	label_is(l, "shop::pick(double)", "shop::pick(double)");
	label_is(l, "shop::alone(int)", "shop::alone");
	label_is(l, "X::begin()", "X::begin()");
	label_is(l, "X::begin() const", "X::begin() const");
	label_is(l, "std::vector<int, std::allocator<int> >::size() const",
		 "std::vector<int, std::allocator>::size() const");
	label_is(l, "std::vector<char, std::allocator<char> >::size() const",
		 "std::vector<char, std::allocator>::size() const");
	label_is(l, "std::vector<int, std::allocator<int> >::push_back(int const&)",
		 "std::vector::push_back");
	label_is(l, "main", "main");
	/* the same pointer each time: a label serves as a key */
	assert_ptr_equal(ct_labels_get(l, "shop::alone(int)"), ct_labels_get(l, "shop::alone(int)"));

	/* a name met later that collides with a labelled one: it is told
	 * apart, the labelled one keeps its label */
	label_is(l, "shop::alone(double)", "shop::alone(double)");
	label_is(l, "shop::alone(int)", "shop::alone");
	/* a third overload, after the pair */
	label_is(l, "shop::pick(char)", "shop::pick(char)");

	/* names that differ only deep inside their template arguments */
	assert_int_equal(ct_labels_add(l, "A<B<C<int> > >::f()"), 0);
	assert_int_equal(ct_labels_add(l, "A<B<C<long> > >::f()"), 0);
	label_is(l, "A<B<C<int> > >::f()", "A<B<C<int> > >::f()");
	label_is(l, "A<B<C<long> > >::f()", "A<B<C<long> > >::f()");
	/* the same text at every level but the whole name: the whole name */
	assert_int_equal(ct_labels_add(l, "g(int) [clone .cold]"), 0);
	assert_int_equal(ct_labels_add(l, "g(int)"), 0);
	label_is(l, "g(int) [clone .cold]", "g [clone .cold]");
	label_is(l, "g(int)", "g");

	assert_null(ct_labels_get(l, NULL));
	assert_null(ct_labels_get(NULL, "x"));
	ct_labels_free(l);
	ct_labels_free(NULL);
}

/* Many instances of one member: every label distinct, none lost. */
static void test_labels_many(void **state)
{
	struct ct_labels *l = ct_labels_new();
	const char *labels[300];
	char name[128];
	int i, j;

	(void)state;
	assert_non_null(l);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "std::vector<T%d, std::allocator<T%d> >::size() const", i,
			 i);
		assert_int_equal(ct_labels_add(l, name), 0);
	}
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "std::vector<T%d, std::allocator<T%d> >::size() const", i,
			 i);
		labels[i] = ct_labels_get(l, name);
		assert_non_null(labels[i]);
		snprintf(name, sizeof(name), "std::vector<T%d, std::allocator>::size() const", i);
		assert_string_equal(labels[i], name);
	}
	for (i = 0; i < 300; i++)
		for (j = i + 1; j < 300; j++)
			assert_string_not_equal(labels[i], labels[j]);
	ct_labels_free(l);
}

/* A name from a hostile symbol table or trace file: a million nested
 * brackets of each kind, closed or not.  Every form is made without a
 * stack frame per bracket (this crashed before), and the shallow part of a
 * name is still shortened. */
static void test_hostile_nesting(void **state)
{
	static const char *const opens[] = { "(", "{", "<", "[" };
	static const char *const closes[] = { ")", "}", ">", "]" };
	const size_t deep = 1000000;
	size_t cap = 2 * deep + 64, k, i, n;
	char *name = malloc(cap), *buf = malloc(cap + 64);
	char small[64];

	(void)state;
	assert_non_null(name);
	assert_non_null(buf);
	for (k = 0; k < 4; k++) {
		unsigned closed;

		for (closed = 0; closed < 2; closed++) {
			n = (size_t)snprintf(name, cap, "ns::X<int>::f(");
			for (i = 0; i < deep; i++)
				name[n++] = opens[k][0];
			for (i = 0; closed && i < deep; i++)
				name[n++] = closes[k][0];
			name[n++] = ')';
			name[n] = '\0';
			/* the form is bounded by the name (no level adds) */
			assert_true(ct_cxx_name(name, CT_CXX_SHORT, buf, cap + 64) <= n);
			assert_true(ct_cxx_name(name, CT_CXX_PARAMS, buf, cap + 64) <= n);
			assert_true(ct_cxx_name(name, CT_CXX_TEMPLATE + 3, buf, cap + 64) <= n);
			ct_cxx_name(name, CT_CXX_SHORT, small, sizeof(small));
			assert_string_equal(small, "ns::X::f");
		}
	}
	free(name);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_longer),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_many),
		cmocka_unit_test(test_hostile_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
