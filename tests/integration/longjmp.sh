#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Frames abandoned by longjmp are reported as unwind events, innermost first,
# and the calls after them pair and start again at depth 1; a traced
# function that setjmps returns normally (tests/targets/longjmp.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets longjmp
	t=$(target longjmp)
	run_untraced "$D/untraced.out" "$t"
	expect_status "untraced longjmp" "$UT_STATUS" 0
	ct trace -e outer -e middle -e inner -e catcher -e 'jump_*' -e after --format=jsonl \
		-o "$D/ev.jsonl" -- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace longjmp" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
}

run_opts scenario
