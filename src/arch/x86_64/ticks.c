/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 time stamp counter.  Without constant_tsc the TSC's rate follows
 * the CPU's frequency, and without nonstop_tsc it stops in deep C-states:
 * ticks then no longer measure time and a calibration is only an average.
 * The fast path still works (the heartbeat only decides how long a full
 * ring waits, and a spinning waiter keeps its own CPU's TSC running), but
 * its timestamps and durations are unreliable; --stats says so.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/ticks.h"

/* Is `word` one of the blank-separated words of [s, end)? */
static bool has_word(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);
	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		const char *w = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if ((size_t)(s - w) == n && memcmp(w, word, n) == 0)
			return true;
	}
	return false;
}

unsigned x86_64_tsc_flags(const char *cpuinfo)
{
	for (const char *line = cpuinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (strncmp(line, "flags", 5) == 0) {
			const char *colon = memchr(line, ':', (size_t)(end - line));
			unsigned flags = 0;
			if (colon && has_word(colon + 1, end, "constant_tsc"))
				flags |= CT_TICKS_CONSTANT;
			if (colon && has_word(colon + 1, end, "nonstop_tsc"))
				flags |= CT_TICKS_NONSTOP;
			return flags; /* the first processor speaks for all */
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

#ifdef __x86_64__
uint64_t ct_ticks_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

const char *ct_ticks_name(void)
{
	return "tsc";
}

unsigned ct_ticks_host_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0; /* unknown: said unstable, the safe answer */
	char *line = NULL;
	size_t cap = 0;
	unsigned flags = 0;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "flags", 5) == 0) {
			flags = x86_64_tsc_flags(line);
			break;
		}
	}
	free(line);
	fclose(f);
	return flags;
}
#endif
