#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 16 threads calling work() concurrently: per thread, every call and return
# in order, at depth 1, nothing lost or misattributed; thread_start and
# thread_exit for each (tests/targets/threads.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets threads
	t=$(target threads)
	ct trace -e work --format=jsonl -o "$D/ev.jsonl" -- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace threads" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
}

run_opts scenario
