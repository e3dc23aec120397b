#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attach to a running multithreaded process for --duration=1 and detach:
# step() calls seen while attached (consecutive, right return values), then
# the process is untraced, running, with the same memory map and code bytes,
# and it finishes its own checks: its blocked read() was not interrupted
# (no EINTR), its pending blocked signal is still pending, its step() results
# are all right (tests/targets/busy.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t bpid

	need_targets busy
	t=$(target busy)
	"$t" "$D/stop" 30 > "$D/busy.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$bpid" "$D/snap"

	ct trace -p "$bpid" --duration=1 --format=jsonl -o "$D/ev.jsonl" -e step \
		> "$D/ct.out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace -p --duration=1" "$CT_STATUS" 0
	[ ! -s "$D/ct.out" ] || fail "calltrap wrote to stdout with -o"
	detached "$bpid" "$D/snap"
	check attach --events "$D/ev.jsonl" --pid "$bpid" --func step

	touch "$D/stop"
	wait_pid "$bpid" 10
	expect_status "busy after detach" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
	grep -q '^check read ok' "$D/busy.out" || fail "the blocked read() did not complete"
	grep -q '^check sigpending ok' "$D/busy.out" || fail "the pending signal was lost"
}

run_opts scenario
