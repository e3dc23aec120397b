/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target: C++ names.  A namespace with overloaded functions, a class
 * template instantiated twice, an operator, a function in an anonymous
 * namespace and a function template, beside a C++ function outside the
 * namespace and an extern "C" one.
 *
 * It prints every call and return of those functions as "truth ev" lines
 * with func= the name __cxa_demangle gives (quoted: such names hold spaces),
 * in the format of tests/targets/calls.c, and each again as a "sym ev" line
 * with func= the symbol's mangled name, worked out here by hand from the
 * Itanium C++ ABI (S_ is the first substitution, S0_ the second...): a
 * trace with --no-demangle is checked against those (sed 's/^sym /truth /').
 * Traced functions are noipa so that -O2 keeps real calls with these
 * arguments; the only nested calls are ns::plain's, so the depths hold for
 * any set of traced functions that takes ns::plain with its callees.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

namespace ns {

TRACED long over(long x);
TRACED long over(long x, long y);
TRACED long plain(long x);
template <typename T> TRACED T twice(T x);

namespace {
TRACED long secret(long x);
}

template <typename T> struct Box {
	T v;
	TRACED T get(T a) const;
	TRACED void set(T x);
};

struct Vec {
	long x, y;
	TRACED Vec &operator+=(const Vec &o);
};

long over(long x)
{
	asm volatile("");
	return x * 2;
}

long over(long x, long y)
{
	asm volatile("");
	return x * 10 + y;
}

namespace {
long secret(long x)
{
	asm volatile("");
	return x + 100;
}
} /* namespace */

long plain(long x)
{
	long a = over(x), b;

	asm volatile("" : "+r"(a));
	b = secret(x);
	asm volatile("" : "+r"(b));
	return a + b;
}

template <typename T> T twice(T x)
{
	asm volatile("");
	return x + x;
}
template long twice<long>(long x);

template <typename T> T Box<T>::get(T a) const
{
	asm volatile("");
	return v + a;
}

template <typename T> void Box<T>::set(T x)
{
	asm volatile("");
	v = x;
}

template struct Box<int>;
template struct Box<long>;

Vec &Vec::operator+=(const Vec &o)
{
	asm volatile("");
	x += o.x;
	y += o.y;
	return *this;
}

} /* namespace ns */

TRACED long outside(long x);
extern "C" TRACED long c_entry(long x);

long outside(long x)
{
	asm volatile("");
	return x - 1;
}

long c_entry(long x)
{
	asm volatile("");
	return x * 3;
}

static int failures;

/* One event twice: by its demangled name (truth) and its symbol (sym).
 * extra is "" or " args=..." or " ret=...". */
static void ev(const char *type, const char *func, const char *sym, int depth, const char *extra)
{
	printf("truth ev pid=%d tid=%d type=%s func=\"%s\" depth=%d%s\n", getpid(), gettid(), type,
	       func, depth, extra);
	printf("sym ev pid=%d tid=%d type=%s func=%s depth=%d%s\n", getpid(), gettid(), type, sym,
	       depth, extra);
}

static void call(const char *func, const char *sym, int depth, const char *args)
{
	char buf[128];

	snprintf(buf, sizeof(buf), " args=%s", args);
	ev("call", func, sym, depth, buf);
}

static void ret(const char *func, const char *sym, int depth, long r)
{
	char buf[64];

	snprintf(buf, sizeof(buf), " ret=%ld", r);
	ev("return", func, sym, depth, buf);
}

static void check(const char *what, long got, long want)
{
	if (got == want) {
		printf("check %s ok\n", what);
	} else {
		printf("check %s FAIL got=%ld want=%ld\n", what, got, want);
		failures++;
	}
}

int main()
{
	ns::Box<int> bi = { 1 };
	ns::Box<long> bl = { 2 };
	ns::Vec a = { 1, 2 }, b = { 30, 40 };
	char args[128];
	long r;

	printf("truth pid=%d role=main\n", getpid());

	/* plain(5) = over(5) + secret(5) = 10 + 105 */
	r = ns::plain(5);
	check("plain", r, 115);
	call("ns::plain(long)", "_ZN2ns5plainEl", 1, "5");
	call("ns::over(long)", "_ZN2ns4overEl", 2, "5");
	ret("ns::over(long)", "_ZN2ns4overEl", 2, 10);
	/* _GLOBAL__N_1 is GCC's name for the anonymous namespace */
	call("ns::(anonymous namespace)::secret(long)", "_ZN2ns12_GLOBAL__N_16secretEl", 2, "5");
	ret("ns::(anonymous namespace)::secret(long)", "_ZN2ns12_GLOBAL__N_16secretEl", 2, 105);
	ret("ns::plain(long)", "_ZN2ns5plainEl", 1, 115);

	/* the other overload: 3 * 10 + 4 */
	r = ns::over(3, 4);
	check("over2", r, 34);
	call("ns::over(long, long)", "_ZN2ns4overEll", 1, "3,4");
	ret("ns::over(long, long)", "_ZN2ns4overEll", 1, 34);

	/* Box<int>: set(20), get(3) = 23; const member functions are NK...E */
	bi.set(20);
	snprintf(args, sizeof(args), "%lu,20", (unsigned long)&bi);
	call("ns::Box<int>::set(int)", "_ZN2ns3BoxIiE3setEi", 1, args);
	ev("return", "ns::Box<int>::set(int)", "_ZN2ns3BoxIiE3setEi", 1, "");
	r = bi.get(3);
	check("box-int", r, 23);
	snprintf(args, sizeof(args), "%lu,3", (unsigned long)&bi);
	call("ns::Box<int>::get(int) const", "_ZNK2ns3BoxIiE3getEi", 1, args);
	ret("ns::Box<int>::get(int) const", "_ZNK2ns3BoxIiE3getEi", 1, 23);

	/* Box<long>: set(40000000000), get(2) */
	bl.set(40000000000L);
	snprintf(args, sizeof(args), "%lu,40000000000", (unsigned long)&bl);
	call("ns::Box<long>::set(long)", "_ZN2ns3BoxIlE3setEl", 1, args);
	ev("return", "ns::Box<long>::set(long)", "_ZN2ns3BoxIlE3setEl", 1, "");
	r = bl.get(2);
	check("box-long", r, 40000000002L);
	snprintf(args, sizeof(args), "%lu,2", (unsigned long)&bl);
	call("ns::Box<long>::get(long) const", "_ZNK2ns3BoxIlE3getEl", 1, args);
	ret("ns::Box<long>::get(long) const", "_ZNK2ns3BoxIlE3getEl", 1, 40000000002L);

	/* operator+= (pL) returns *this; its parameter type ns::Vec is S0_ */
	a += b;
	check("vec", a.x * 1000 + a.y, 31042);
	snprintf(args, sizeof(args), "%lu,%lu", (unsigned long)&a, (unsigned long)&b);
	call("ns::Vec::operator+=(ns::Vec const&)", "_ZN2ns3VecpLERKS0_", 1, args);
	ret("ns::Vec::operator+=(ns::Vec const&)", "_ZN2ns3VecpLERKS0_", 1, (long)&a);

	/* a function template: its name carries the return type, so it does
	 * not start with "ns::"; T_ (long) is substitution S1_ */
	r = ns::twice<long>(21);
	check("twice", r, 42);
	call("long ns::twice<long>(long)", "_ZN2ns5twiceIlEET_S1_", 1, "21");
	ret("long ns::twice<long>(long)", "_ZN2ns5twiceIlEET_S1_", 1, 42);

	/* outside the namespace: a C++ name, and a C one (the same both ways) */
	r = outside(9);
	check("outside", r, 8);
	call("outside(long)", "_Z7outsidel", 1, "9");
	ret("outside(long)", "_Z7outsidel", 1, 8);
	r = c_entry(6);
	check("c_entry", r, 18);
	call("c_entry", "c_entry", 1, "6");
	ret("c_entry", "c_entry", 1, 18);

	printf("truth exit pid=%d status=%d\n", getpid(), failures ? 1 : 0);
	return failures ? 1 : 0;
}
