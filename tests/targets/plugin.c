/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared library tests/targets/libplugin.so, loaded at run time by the
 * dlopen target.  plugin_func(x) = plugin_helper(x) + 7 = x * x + 7.
 */
#include "config.h"

#define TRACED __attribute__((noipa, used, visibility("default")))

TRACED long plugin_helper(long x);
TRACED long plugin_func(long x);

long plugin_helper(long x)
{
	asm volatile("");
	return x * x;
}

long plugin_func(long x)
{
	long r = plugin_helper(x);

	asm volatile("" : "+r"(r));
	return r + 7;
}
