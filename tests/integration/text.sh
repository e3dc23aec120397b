#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --format=text on stderr (no -o): nested calls are indented deeper, returns
# read "} add = 0x7"; the target's stdout carries no events and is unchanged.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	run_untraced "$D/untraced.out" "$t"
	ct trace --format=text -e add -e mul3 -- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace --format=text" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check text --stderr "$D/ct.err"
}

run_opts scenario
