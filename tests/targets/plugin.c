/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared library tests/targets/libplugin.so, loaded at run time by the
 * dlopen and churn targets.  plugin_func(x) = plugin_helper(x) + 7 =
 * x * x + 7; plugin_jump(env) does longjmp(env, 1), so its frame is left
 * behind (churn: until after the library is unloaded).
 */
#include "config.h"

#include <setjmp.h>

#define TRACED __attribute__((noipa, used, visibility("default")))

TRACED long plugin_helper(long x);
TRACED long plugin_func(long x);
TRACED void plugin_jump(void *env);

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

void plugin_jump(void *env)
{
	longjmp(*(jmp_buf *)env, 1);
}
