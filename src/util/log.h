/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics.  Lower layers report with ct_dbg() only; the layer that has
 * the context (cli/, repl/) prints the one error line users see. */
#ifndef CT_LOG_H
#define CT_LOG_H

enum ct_log_level {
	CT_LOG_ERROR,
	CT_LOG_WARN,
	CT_LOG_INFO,
	CT_LOG_DEBUG,
};

void ct_log_set_level(enum ct_log_level level);
enum ct_log_level ct_log_get_level(void);
void ct_log(enum ct_log_level level, const char *domain, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef CT_LOG_DOMAIN
#define CT_LOG_DOMAIN "calltrap"
#endif

/* "calltrap: <message>" on stderr */
#define ct_err(...) ct_log(CT_LOG_ERROR, NULL, __VA_ARGS__)
#define ct_warn(...) ct_log(CT_LOG_WARN, NULL, __VA_ARGS__)
#define ct_info(...) ct_log(CT_LOG_INFO, CT_LOG_DOMAIN, __VA_ARGS__)
#define ct_dbg(...)                                                        \
	do {                                                               \
		if (ct_log_get_level() >= CT_LOG_DEBUG)                    \
			ct_log(CT_LOG_DEBUG, CT_LOG_DOMAIN, __VA_ARGS__); \
	} while (0)

#endif
