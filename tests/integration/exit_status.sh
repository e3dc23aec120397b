#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `calltrap trace -- PROGRAM` exits with PROGRAM's status (128+N when killed
# by signal N), leaves PROGRAM's stdout as it is untraced and passes stdin
# through (tests/targets/exitcode.c).
. "$(dirname "$0")/lib.sh"

# traced_like_untraced NAME WANT_STATUS ARGS...: same status and stdout.
traced_like_untraced()
{
	local name=$1 want=$2 t

	shift 2
	t=$(target exitcode)
	run_untraced "$D/$name.untraced" "$t" "$@"
	expect_status "untraced exitcode $*" "$UT_STATUS" "$want"
	ct trace -e work --format=jsonl -o "$D/$name.jsonl" -- "$t" "$@" \
		> "$D/$name.out" 2> "$D/$name.err" < /dev/null
	expect_status "calltrap trace -- exitcode $*" "$CT_STATUS" "$want"
	same_output "$D/$name.untraced" "$D/$name.out"
	grep -q "^mode $1 sum 6\$" "$D/$name.out" || fail "exitcode $* did not print its result"
	echo "truth count pid=$(main_pid "$D/$name.out") func=work calls=3" >> "$D/$name.out"
}

scenario()
{
	local pid t

	need_targets exitcode
	traced_like_untraced exit7 7 exit 7
	pid=$(main_pid "$D/exit7.out")
	echo "truth exit pid=$pid status=7" >> "$D/exit7.out"
	check check --events "$D/exit7.jsonl" --truth "$D/exit7.out"

	traced_like_untraced exit0 0 exit 0

	traced_like_untraced segv $((128 + $(kill -l SEGV))) segv
	pid=$(main_pid "$D/segv.out")
	echo "truth exit pid=$pid signame=SIGSEGV" >> "$D/segv.out"
	check check --events "$D/segv.jsonl" --truth "$D/segv.out"

	traced_like_untraced abort $((128 + $(kill -l ABRT))) abort
	pid=$(main_pid "$D/abort.out")
	echo "truth exit pid=$pid signame=SIGABRT" >> "$D/abort.out"
	check check --events "$D/abort.jsonl" --truth "$D/abort.out"

	# stdin (a pipe) reaches the program; the last line has no newline.
	t=$(target exitcode)
	ct trace -e line_work --format=jsonl -o "$D/echo.jsonl" -- "$t" echo \
		> "$D/echo.out" 2> "$D/echo.err" < <(printf 'alpha\nbeta gamma\n\nlast')
	expect_status "calltrap trace -- exitcode echo" "$CT_STATUS" 0
	printf '%s\n' 'mode echo sum 6' 'echo: alpha' 'echo: beta gamma' 'echo: ' 'echo: last' \
		'lines 4' > "$D/echo.want"
	grep -v '^truth' "$D/echo.out" | diff -u "$D/echo.want" - ||
		fail "stdin did not pass through calltrap unchanged"
	check check --events "$D/echo.jsonl" --truth "$D/echo.out"
}

run_opts scenario
