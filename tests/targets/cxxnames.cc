/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test target of tests/integration/cxxnames.sh: C++ names as a person reads
 * them.  It has
 *  - a std::map<std::string, std::vector<int>> workload, whose libstdc++
 *    instantiations (std::_Rb_tree<...>::...) demangle to names of
 *    hundreds of characters, some over 1,000;
 *  - an overloaded pair pick(int) / pick(double), both traced, which must
 *    be told apart, and a function alone(int) that must not be;
 *  - a class with a virtual base, whose constructor and destructor have
 *    the artificial parameters __in_chrg and __vtt_parm in DWARF (the
 *    base-object variants C2/D2 receive __vtt_parm, the complete-object
 *    C1/D1 receive neither);
 *  - an exception class OutOfStock, thrown and caught: its destructor
 *    ~OutOfStock() is called with `this` only.
 * It prints its own ground truth: "truth NAME=VALUE" lines with the values
 * the traced functions receive, and "check ... ok" lines.
 */
#include "config.h"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#define TRACED __attribute__((noipa, used))

namespace shop {

TRACED int pick(int x);
TRACED int pick(double x);
TRACED int alone(int x);

int pick(int x)
{
	asm volatile("");
	return x + 1;
}

int pick(double x)
{
	asm volatile("");
	return (int)(x * 10);
}

int alone(int x)
{
	asm volatile("");
	return x * 3;
}

struct OutOfStock : std::runtime_error {
	int item;
	TRACED explicit OutOfStock(int i) : std::runtime_error("out of stock"), item(i) {}
	TRACED ~OutOfStock() override;
};

OutOfStock::~OutOfStock()
{
	asm volatile("");
}

TRACED void sell(int item);
void sell(int item)
{
	asm volatile("");
	if (item > 2)
		throw OutOfStock(item);
}

/* A virtual base: Shelf's constructor and destructor come as C1/D1
 * (complete object) and C2/D2 (base object, given a VTT). */
struct Base {
	int b;
	TRACED explicit Base(int v) : b(v) {}
	virtual ~Base() {}
};

struct Shelf : virtual Base {
	int s;
	TRACED explicit Shelf(int v);
	TRACED ~Shelf() override;
};

Shelf::Shelf(int v) : Base(v), s(v * 2)
{
	asm volatile("");
}

Shelf::~Shelf()
{
	asm volatile("");
}

struct Corner : Shelf {
	TRACED explicit Corner(int v) : Base(v + 1), Shelf(v) {}
};

} /* namespace shop */

static int failures;

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
	std::map<std::string, std::vector<int>> stock;
	long sum = 0;
	int caught = 0;

	/* item0 twice, item1..item6 once: 7 keys */
	for (int i = 0; i < 8; i++)
		stock["item" + std::to_string(i % 7)].push_back(i);
	for (const auto &kv : stock)
		for (int v : kv.second)
			sum += v;
	check("map", sum, 28);
	check("map-size", (long)stock.size(), 7);

	check("pick-int", shop::pick(4), 5);
	check("pick-double", shop::pick(2.5), 25);
	check("alone", shop::alone(7), 21);

	for (int i = 1; i <= 3; i++) {
		try {
			shop::sell(i);
		} catch (const shop::OutOfStock &e) {
			caught = e.item;
		}
	}
	check("out-of-stock", caught, 3);

	{
		shop::Shelf shelf(5);
		check("shelf", shelf.b * 100 + shelf.s, 510);
	}
	{
		shop::Corner corner(7);
		check("corner", corner.b * 100 + corner.s, 814);
	}
	printf("truth exit status=%d\n", failures ? 1 : 0);
	return failures ? 1 : 0;
}
