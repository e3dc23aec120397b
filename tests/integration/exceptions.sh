#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ exceptions thrown through traced frames: the program catches and
# prints exactly what it does untraced (the unwinder sees the real stack),
# and the abandoned frames are reported as unwind events
# (tests/targets/exceptions.cc).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets exceptions
	t=$(target exceptions)
	run_untraced "$D/untraced.out" "$t"
	expect_status "untraced exceptions" "$UT_STATUS" 0
	ct trace -e level1 -e level2 -e thrower -e cleanup_hook --format=jsonl -o "$D/ev.jsonl" \
		-- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace exceptions" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
}

run_opts scenario
