#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Nested calls, six arguments, negative and 64-bit values, recursion 6000
# deep: every call's arguments, every return value and every depth must be
# the target's truth (tests/targets/calls.c), and its stdout unchanged.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	run_untraced "$D/untraced.out" "$t"
	expect_status "untraced calls" "$UT_STATUS" 0

	ct trace -e add -e mul3 -e sum6 -e recurse --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace calls" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"

	# Globs, and an exclusion that wins over an inclusion.
	ct trace -e 'ad?' -e 'mul*' -e 's[u]m6' -e recurse -e '!recurse' --format=jsonl \
		-o "$D/ev2.jsonl" -- "$t" > "$D/out2" 2> "$D/ct2.err" < /dev/null
	expect_status "calltrap trace calls (globs)" "$CT_STATUS" 0
	check check --events "$D/ev2.jsonl" --truth "$D/out2" --funcs add,mul3,sum6
	! grep -Eq '"func": ?"recurse"' "$D/ev2.jsonl" || fail "-e '!recurse' did not exclude recurse"

	# The default: every function of the main executable (main and the
	# target's helpers too), so the depths are offset by the frames above.
	ct trace --format=jsonl -o "$D/ev3.jsonl" -- "$t" > "$D/out3" 2> "$D/ct3.err" < /dev/null
	expect_status "calltrap trace calls (default functions)" "$CT_STATUS" 0
	check check --events "$D/ev3.jsonl" --truth "$D/out3" --depth-offset auto
	grep -Eq '"func": ?"main"' "$D/ev3.jsonl" || fail "main is not traced by default"
}

# O2nopie: the same program linked as a non-PIE executable.
OPTS="${OPTS:-O0 O2} O2nopie" run_opts scenario
