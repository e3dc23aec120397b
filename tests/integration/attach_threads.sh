#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attach to a process that creates and ends threads all the time, three
# times: calltrap must seize every thread without racing the new ones,
# trace calls from many threads, and detach leaving no thread traced or
# stopped; the program's own checks must pass (tests/targets/spawner.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t bpid round tids task

	need_targets spawner
	t=$(target spawner)
	"$t" "$D/stop" 60 > "$D/out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/out" '^pid=' 10 || fail "spawner did not start"
	for round in 1 2 3; do
		# CT_ATTACH_SECS: longer on slow machines (the aarch64 guest under
		# emulation), where attaching alone takes a good part of a second
		ct trace -p "$bpid" --duration="${CT_ATTACH_SECS:-0.7}" -e piece --format=jsonl -o "$D/ev$round.jsonl" \
			> "$D/ct$round.out" 2> "$D/ct$round.err" < /dev/null
		expect_status "calltrap trace -p spawner (round $round)" "$CT_STATUS" 0
		[ -d "/proc/$bpid" ] || fail "spawner died during round $round"
		for task in /proc/"$bpid"/task/*; do
			grep -q '^TracerPid:[[:space:]]*0$' "$task/status" 2>/dev/null ||
				[ ! -e "$task" ] || fail "task ${task##*/} still traced after round $round"
		done
		tids=$(grep '"type": \?"call"' "$D/ev$round.jsonl" |
			sed 's/.*"tid": \?\([0-9]*\).*/\1/' | sort -u | wc -l)
		[ "$tids" -ge 4 ] || fail "round $round: calls from only $tids threads"
		grep -q '"type": \?"thread_start"' "$D/ev$round.jsonl" ||
			fail "round $round: no thread_start event"
		note "round $round: calls from $tids threads"
	done
	touch "$D/stop"
	wait_pid "$bpid" 20
	expect_status "spawner after three attaches" "$WAIT_STATUS" 0
	checks_ok "$D/out"
}

OPTS=O2 run_opts scenario
