#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# exec: the program execs itself; after the exec event the breakpoints of
# the new image report its calls, under the same pid (tests/targets/exec.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets exec
	t=$(target exec)
	ct trace -e work --format=jsonl -o "$D/ev.jsonl" -- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace exec" "$CT_STATUS" 0
	checks_ok "$D/out"
	grep -q '^check second-sum ok' "$D/out" || fail "the second image did not run"
	check check --events "$D/ev.jsonl" --truth "$D/out"
}

run_opts scenario
