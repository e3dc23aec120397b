/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to cmd_events.c and cmd_views.c: the event commands' shared parts. */
#ifndef CT_REPL_CMD_EVENTS_H
#define CT_REPL_CMD_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "repl/internal.h"
#include "trace/event.h"

/* "#SEQ " and the event as `calltrap trace` prints it (flags: CT_OUT_REGS
 * for the snapshot on a second line).  0 or -1 (error printed). */
int ct_repl_print_event(struct ct_repl *r, const struct ct_event *ev, unsigned flags);

/* A decimal number (a leading '#' allowed when hash): true and *v. */
bool ct_repl_parse_u64(const char *s, bool hash, uint64_t *v);

/* cmd_views.c */
int ct_repl_cmd_replay(struct ct_repl *r, int argc, char **argv);
int ct_repl_cmd_report(struct ct_repl *r, int argc, char **argv);
int ct_repl_cmd_dump(struct ct_repl *r, int argc, char **argv);
int ct_repl_cmd_save(struct ct_repl *r, int argc, char **argv);
int ct_repl_cmd_load(struct ct_repl *r, int argc, char **argv);
/* cmd_filter.c */
int ct_repl_cmd_filter(struct ct_repl *r, int argc, char **argv);
/* cmd_print.c */
int ct_repl_cmd_print(struct ct_repl *r, int argc, char **argv);

#endif
