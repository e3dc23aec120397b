/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print: the current event, or one argument of the call it is (gdb's p). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "repl/cmd_events.h"
#include "repl/store.h"

int ct_repl_cmd_print(struct ct_repl *r, int argc, char **argv)
{
	const struct ct_event *ev;
	struct ct_store *st;
	uint64_t cur;
	unsigned i;
	int rc;

	if (argc > 2)
		return ct_repl_error(r, "usage: print [ARG]");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (!ct_store_cursor(st, &cur))
		return ct_repl_error(r, "print: no current event: 'goto N', 'next' or 'find FUNC' "
					"first");
	rc = ct_store_event(st, cur, &ev);
	if (rc)
		return ct_repl_error(r, "print: event #%llu: %s", (unsigned long long)cur,
				     strerror(-rc));
	if (argc == 1)
		return ct_repl_print_event(r, ev, 0);
	if (ev->type != CT_EV_CALL)
		return ct_repl_error(r, "print: #%llu is no call: 'print ARG' shows an argument "
					"at a call",
				     (unsigned long long)cur);
	if (!(ev->flags & CT_EVF_TYPED))
		return ct_repl_error(r, "print: %s has no named arguments (no debug information "
					"for it): 'print' shows its raw ones",
				     ev->func);
	for (i = 0; i < ev->nr_named; i++)
		if (!strcmp(ev->named[i].name, argv[1])) {
			fprintf(ct_repl_out(r), "%s = %s\n", ev->named[i].name,
				ev->named[i].value);
			return 0;
		}
	return ct_repl_error(r, "print: %s has no argument '%s'", ev->func, argv[1]);
}
