#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signal handlers (one on an alternate stack) calling a traced function, at
# depth 1 and inside a traced frame; a signal event per delivery; blocked
# signals still coalesce, ignored ones are still ignored
# (tests/targets/signals.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets signals
	t=$(target signals)
	run_untraced "$D/untraced.out" "$t"
	expect_status "untraced signals" "$UT_STATUS" 0
	ct trace -e handler_work -e raiser --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace signals" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
}

run_opts scenario
