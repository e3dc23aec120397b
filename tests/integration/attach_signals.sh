#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attach without --duration and end calltrap with SIGINT, SIGTERM and SIGHUP
# in turn, against the same process: each time calltrap must detach cleanly
# (untraced, running, same map and code) and exit; the process must finish
# its own checks afterwards (tests/targets/busy.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t bpid ctpid sig num

	need_targets busy
	t=$(target busy)
	"$t" "$D/stop" 60 > "$D/busy.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$bpid" "$D/snap"

	for sig in INT TERM HUP; do
		num=$(kill -l "$sig")
		# Background jobs of a script start with SIGINT ignored; a user's
		# calltrap would not, so restore the default.
		env --default-signal=INT,QUIT "$CALLTRAP" trace -p "$bpid" --format=jsonl \
			-o "$D/ev-$sig.jsonl" -e step > "$D/ct-$sig.out" 2> "$D/ct-$sig.err" < /dev/null &
		ctpid=$!
		BG_PIDS="$BG_PIDS $ctpid"
		wait_line "$D/ev-$sig.jsonl" '"type": \?"call"' 20 ||
			fail "no call event within 20s of attaching (SIG$sig round)"
		kill -"$sig" "$ctpid"
		wait_pid "$ctpid" 20
		case $WAIT_STATUS in
		0 | $((128 + num))) ;;
		*) fail "calltrap exited with $WAIT_STATUS after SIG$sig, want 0 or $((128 + num))" ;;
		esac
		detached "$bpid" "$D/snap"
		check attach --events "$D/ev-$sig.jsonl" --pid "$bpid" --func step
		note "SIG$sig: detached"
	done

	touch "$D/stop"
	wait_pid "$bpid" 10
	expect_status "busy after three detaches" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
	grep -q '^check read ok' "$D/busy.out" || fail "the blocked read() did not complete"
	grep -q '^check sigpending ok' "$D/busy.out" || fail "the pending signal was lost"
}

run_opts scenario
