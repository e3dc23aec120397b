#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fast path's detach, many times over, while a thread runs through the
# trampolines millions of times a second (tests/targets/busy.c: a stepper
# calling step() in a loop and checking every result, a reader blocked in
# read(), a signal kept pending): each detach leaves the memory map and the
# code exactly as before (the rings and trampolines unmapped, every jump
# restored, no thread left in our code), and at the end the target's own
# checks hold (no call skipped or run wrong, the read not interrupted, the
# pending signal still pending).  Before, a thread single-stepped out of a
# trampoline's pushf kept the trap flag and died of SIGTRAP after detach.
. "$(dirname "$0")/lib.sh"

# the fast path exists on x86_64 only
[ "$(uname -m)" = x86_64 ] || exit 77

ROUNDS=${FAST_DETACH_ROUNDS:-25}

scenario()
{
	local t bpid i fast=0

	need_targets busy
	t=$(target busy)
	"$t" "$D/stop" 60 > "$D/busy.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$bpid" "$D/snap"
	for i in $(seq 1 "$ROUNDS"); do
		ct trace --engine=fast --stats -p "$bpid" --duration=0.1 -e step \
			-o "$D/ev.$i" 2> "$D/ct.$i.err" < /dev/null
		expect_status "round $i: trace --engine=fast -p --duration" "$CT_STATUS" 0
		detached "$bpid" "$D/snap"
		# through the rings, not only breakpoints (the test must test
		# the fast path)
		grep -q '^calltrap: fast path: functions=1 .*ring_calls=[1-9]' "$D/ct.$i.err" &&
			fast=$((fast + 1))
	done
	note "$fast of $ROUNDS detaches with step() on the fast path"
	[ "$fast" -gt 0 ] || fail "step() never went through the fast path"
	touch "$D/stop"
	wait_pid "$bpid" 10
	expect_status "busy after $ROUNDS detaches" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
	grep -q '^check read ok' "$D/busy.out" || fail "the blocked read() did not complete"
	grep -q '^check sigpending ok' "$D/busy.out" || fail "the pending signal was lost"
}

run_opts scenario
