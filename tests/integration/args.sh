#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DWARF-typed arguments and return values: every call of tests/targets/args.c's
# args_* functions (integers, bool, enums, chars, strings cut at
# --string-limit, NULL and unreadable pointers, floats and doubles, structs by
# value, arguments on the stack, void and no-parameter functions, an unnamed
# parameter) shows the parameters by name and the values the target prints as
# its truth, in jsonl (bare numbers and booleans, strings otherwise) and in
# text; --raw-args gives back the raw registers.  The target's stdout and exit
# status do not change under calltrap.
. "$(dirname "$0")/lib.sh"

ARGS_CHECK=$TOP_SRCDIR/tests/integration/check_args.py

# check_args SUBCOMMAND EVENTS TRUTH
check_args()
{
	python3 "$ARGS_CHECK" "$1" --events "$2" --truth "$3" ||
		fail "check_args.py $1 found problems in $2 (see above)"
}

# traced_run NAME LIMIT CALLTRAP-OPTIONS...: the target under calltrap, with
# the string limit LIMIT given to both; events in $D/NAME.ev, stdout in
# $D/NAME.out, which must be the untraced run's.
traced_run()
{
	local name=$1 limit=$2 t

	shift 2
	t=$(target args)
	[ -e "$D/untraced-$limit.out" ] || {
		run_untraced "$D/untraced-$limit.out" "$t" "$limit"
		expect_status "untraced args $limit" "$UT_STATUS" 0
		checks_ok "$D/untraced-$limit.out"
	}
	ct trace --string-limit="$limit" -e 'args_*' -o "$D/$name.ev" "$@" -- "$t" "$limit" \
		> "$D/$name.out" 2> "$D/$name.err" < /dev/null
	expect_status "calltrap trace $* (args $limit)" "$CT_STATUS" 0
	checks_ok "$D/$name.out"
	same_output "$D/untraced-$limit.out" "$D/$name.out"
}

scenario()
{
	local t

	need_targets args

	# jsonl: the long string (62 bytes) and the long return are cut at 20
	traced_run typed 20 --format=jsonl
	check_args typed "$D/typed.ev" "$D/typed.out"

	# text, with a limit that cuts the escaped string after its backslash:
	# quoted="say \"hi\"\nC:\\"...
	traced_run text 12 --format=text
	check_args text "$D/text.ev" "$D/text.out"
	grep -Fq 'args_unnamed(a=1, 2, c=3) {' "$D/text.ev" ||
		fail "no args_unnamed(a=1, 2, c=3) line: the unnamed parameter is not just its value"
	grep -Fq 'quoted="say \"hi\"\nC:\\"...' "$D/text.ev" ||
		fail "the string of args_str is not cut at 12 bytes as quoted=\"say \\\"hi\\\"\\nC:\\\\\"..."

	# a bad --string-limit: one line, usage status, nothing run
	for bad in 0 -1 +3 ' 3' 65537 x; do
		ct trace --string-limit="$bad" -e 'args_*' -- "$(target args)" 20 \
			> "$D/bad.out" 2> "$D/bad.err" < /dev/null
		expect_status "calltrap trace --string-limit=$bad" "$CT_STATUS" 2
		[ "$(wc -l < "$D/bad.err")" = 1 ] && grep -q "invalid --string-limit '$bad'" "$D/bad.err" ||
			fail "--string-limit=$bad: $(cat "$D/bad.err")"
		[ -s "$D/bad.out" ] && fail "--string-limit=$bad ran the program"
	done

	# --raw-args: no DWARF decoding, the integer argument registers as before
	traced_run raw 20 --format=jsonl --raw-args
	check_args raw "$D/raw.ev" "$D/raw.out"

	# record: the trace file keeps the typed values; its jsonl dump is
	# checked against the truth like the live events
	t=$(target args)
	ct record --string-limit=20 -e 'args_*' -o "$D/typed.trace" -- "$t" 20 \
		> "$D/rec.out" 2> "$D/rec.err" < /dev/null
	expect_status "calltrap record (args 20)" "$CT_STATUS" 0
	same_output "$D/untraced-20.out" "$D/rec.out"
	ct dump --format=jsonl -o "$D/dumped.ev" "$D/typed.trace" > "$D/dump.err" 2>&1
	expect_status "calltrap dump --format=jsonl" "$CT_STATUS" 0
	check_args typed "$D/dumped.ev" "$D/rec.out"
	# and replay shows them as C: args_mixed's string and the struct return
	ct replay "$D/typed.trace" > "$D/replay.txt" 2> "$D/replay.err"
	expect_status "calltrap replay" "$CT_STATUS" 0
	grep -Fq 'args_point(p={x=' "$D/replay.txt" ||
		fail "replay does not show args_point's struct argument: $(grep -m1 args_point "$D/replay.txt")"
}

run_opts scenario
