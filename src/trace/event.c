/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of event types, as used by jsonl "type" and docs/events.md. */
#include "config.h"

#include "trace/event.h"

static const char *const ct_event_type_names[CT_EV_NR_TYPES] = {
	[CT_EV_CALL] = "call",
	[CT_EV_RETURN] = "return",
	[CT_EV_UNWIND] = "unwind",
	[CT_EV_THREAD_START] = "thread_start",
	[CT_EV_THREAD_EXIT] = "thread_exit",
	[CT_EV_FORK] = "fork",
	[CT_EV_EXEC] = "exec",
	[CT_EV_SIGNAL] = "signal",
	[CT_EV_EXIT] = "exit",
};

/* Never NULL: a type read from a damaged trace file must still print. */
const char *ct_event_type_name(enum ct_event_type t)
{
	if ((unsigned)t >= CT_EV_NR_TYPES || !ct_event_type_names[t])
		return "unknown";
	return ct_event_type_names[t];
}
