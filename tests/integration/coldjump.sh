#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A return breakpoint goes only right after a call in executable code: a
# part entered by a jump (hot_part) finds a pointer to data where a return
# address would be, and calltrap must not write there (tests/targets/
# coldjump.c checks its data); the frame ends as an unwind event, and
# --stats counts it in returns_unseen (on breakpoints).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t n=5

	need_targets coldjump
	t=$(target coldjump)
	run_untraced "$D/untraced.out" "$t" "$n"
	expect_status "untraced coldjump" "$UT_STATUS" 0
	checks_ok "$D/untraced.out"
	ct trace -e 'hot*' --format=jsonl --stats -o "$D/ev.jsonl" -- "$t" "$n" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace coldjump" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	# (the fast path places no return breakpoint: nothing to count)
	[ "${CALLTRAP_ENGINE:-breakpoint}" = fast ] || grep -q "returns_unseen=$n\$" "$D/ct.err" ||
		fail "--stats does not count $n returns unseen: $(grep stats: "$D/ct.err")"
	# the text form, as a user runs it
	ct trace -e 'hot*' -- "$t" "$n" > "$D/out2" 2> "$D/text.err" < /dev/null
	expect_status "calltrap trace coldjump (text)" "$CT_STATUS" 0
	checks_ok "$D/out2"
}

run_opts scenario
