#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The reader of calltrap's events goes away (| head): calltrap must not die
# of SIGPIPE with breakpoints in the process, but detach cleanly, say why in
# one line and exit non-zero; the process finishes its own checks.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t bpid rc

	need_targets busy
	t=$(target busy)
	"$t" "$D/stop" 60 > "$D/busy.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$bpid" "$D/snap"
	timeout -k 5 "$CT_TIMEOUT" "$CALLTRAP" trace -p "$bpid" -e step --format=jsonl \
		-o /dev/stdout 2> "$D/ct.err" < /dev/null | head -n 3 > "$D/head.out"
	rc=${PIPESTATUS[0]}
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "calltrap did not stop when its reader went away"
	[ "$rc" -ne 0 ] || fail "calltrap exited 0 after losing its output"
	[ "$rc" -ne $((128 + $(kill -l PIPE))) ] || fail "calltrap was killed by SIGPIPE"
	[ "$(grep -c . "$D/head.out")" -eq 3 ] || fail "head did not get three events"
	grep -q '^calltrap: .*Broken pipe' "$D/ct.err" || fail "no error line: $(cat "$D/ct.err")"
	detached "$bpid" "$D/snap"
	touch "$D/stop"
	wait_pid "$bpid" 20
	expect_status "busy after losing calltrap's reader" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
}

OPTS=O2 run_opts scenario
