/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

/* The one process-wide setting: how chatty calltrap is (-v). */
static enum ct_log_level log_level = CT_LOG_WARN;

void ct_log_set_level(enum ct_log_level level)
{
	log_level = level;
}

enum ct_log_level ct_log_get_level(void)
{
	return log_level;
}

void ct_log(enum ct_log_level level, const char *domain, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	if (domain)
		fprintf(stderr, "calltrap: %s: ", domain);
	else if (level == CT_LOG_WARN)
		fputs("calltrap: warning: ", stderr);
	else
		fputs("calltrap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
