#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --max-depth=2 on a recursion 6000 deep: exactly the events at depth 1 and
# 2, none deeper, and still correctly paired.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	ct trace --max-depth=2 -e add -e mul3 -e sum6 -e recurse --format=jsonl \
		-o "$D/ev.jsonl" -- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace --max-depth=2" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out" --max-depth 2
}

run_opts scenario
