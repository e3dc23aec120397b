#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cold parts gcc splits off functions at -O2 (cx_catcher.cold, a catch;
# cx_checked.cold, an unlikely branch; "Box::get(long) [clone .cold]") are
# jumped into, never called: a pattern that matches them, even by their
# own name, traces no frame for them, and the function running through its
# cold part is one frame, returning normally (tests/targets/coldparts.cc).
# A backtrace names a pc in a cold part by its function: "cx_checked [cold]".
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t cold=

	need_targets coldparts
	t=$(target coldparts)
	if [ "$OPT" = O2 ]; then
		# the target means something only if gcc split these
		nm "$t" > "$D/nm" 2>/dev/null && for p in cx_catcher.cold cx_checked.cold \
			_ZN3Box3getEl.cold; do
			grep -q " $p\$" "$D/nm" || fail "$t has no $p: $(grep cold "$D/nm")"
		done
		# named on its own (at -O0 no such symbol: a pattern matching nothing)
		cold="-e cx_catcher.cold"
	fi
	run_untraced "$D/untraced.out" "$t"
	expect_status "untraced coldparts" "$UT_STATUS" 0
	# shellcheck disable=SC2086 # $cold: words
	ct trace -e 'cx_*' -e 'Box::*' $cold --format=jsonl -o "$D/ev.jsonl" \
		-- "$t" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace coldparts" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	grep -q '\.cold\|clone' "$D/ev.jsonl" &&
		fail "a cold part traced: $(grep '\.cold\|clone' "$D/ev.jsonl" | head -3)"

	# a backtrace through a cold part
	rm -f "$D/in"
	mkfifo "$D/in" || fail "mkfifo"
	exec 7<> "$D/in"
	"$t" wait < "$D/in" > "$D/wait.out" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$D/wait.out" '^ready' 20 || fail "coldparts did not get ready: $(cat "$D/wait.out")"
	ct stacks -p "$TPID" > "$D/stacks.txt" 2> "$D/stacks.err"
	expect_status "stacks -p coldparts" "$CT_STATUS" 0
	echo >&7
	wait_pid "$TPID" 20
	expect_status "coldparts wait" "$WAIT_STATUS" 0
	exec 7>&-
	grep -q 'cx_report+0x' "$D/stacks.txt" || fail "no cx_report frame: $(cat "$D/stacks.txt")"
	if [ "$OPT" = O2 ]; then
		grep -q 'cx_checked \[cold\]+0x' "$D/stacks.txt" ||
			fail "no cx_checked [cold] frame: $(cat "$D/stacks.txt")"
	fi
	grep -q '\.cold' "$D/stacks.txt" && fail "a .cold name in the backtrace: $(cat "$D/stacks.txt")"
	true
}

run_opts scenario
