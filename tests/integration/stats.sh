#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --stats: one ptrace stop per event (stops_entry == call, stops_return ==
# return) and no single-stepping, on the calls target
# (DESIGN.md "The breakpoint engine").
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	ct trace --stats -e add -e mul3 -e sum6 -e recurse --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace --stats" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	check stats --events "$D/ev.jsonl" --stderr "$D/ct.err"
}

run_opts scenario
