#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap killed while attached (SIGKILL, no chance to detach) must not
# kill the process: its guardian puts every patched byte back.
#
# One `guarded calm` process (tests/targets/guarded.c: tick() every 50 ms,
# and before each call it compares tick's first bytes with those it read
# at start-up) per build (-O0, -O2) gets GUARD_KILLS (10: 20 kills in all)
# rounds of:
#   calltrap trace -p PID -e tick; the target itself sends calltrap SIGKILL
#   right after its first call made with the breakpoint in place ("tick N
#   patched", "killed PID": the next call is 50 ms away however slowly the
#   shell runs); then
#   - the target reports a later call made with its original bytes
#     ("tick M orig") and is alive;
#   - the guardian said so on calltrap's stderr, and is gone.
# At the end the target exits 0: tick's results summed right, so no call
# was skipped or run wrong.  Without the guardian, the target dies of
# SIGTRAP at the first call after the first kill.
# Then a clean end (clean_detach below) leaves no guardian behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

# A call after calltrap's death: with its own bytes once the guardian put
# them back; on the fast path through the jump that stays (its injected
# code stops recording and the program runs on, DESIGN.md)
RAN_ON=' orig$'
[ "${CALLTRAP_ENGINE:-breakpoint}" = fast ] && RAN_ON=' patched$'

GUARD_KILLS=${GUARD_KILLS:-10}

# start_guarded: the target, its pid in $tpid
start_guarded()
{
	rm -f "$D/stop"
	"$t" calm "$D/stop" 60 "$D/kill" > "$D/target.out" 2>&1 < /dev/null &
	tpid=$!
	BG_PIDS="$BG_PIDS $tpid"
	wait_line "$D/target.out" '^pid=' 10 || fail "guarded did not start"
}

# stop_guarded WHAT: the target ends, its checks passed
stop_guarded()
{
	touch "$D/stop"
	wait_pid "$tpid" 10
	expect_status "guarded after $1" "$WAIT_STATUS" 0
	checks_ok "$D/target.out"
}

kills()
{
	local t tpid cpid i n0 rc

	need_targets guarded
	t=$(target guarded)
	start_guarded

	for i in $(seq 1 "$GUARD_KILLS"); do
		# the fast path's jumps outlive calltrap (the target would take
		# the next calltrap's start for a patched call): a new target
		if [ "$i" -gt 1 ] && [ "${CALLTRAP_ENGINE:-breakpoint}" = fast ]; then
			stop_guarded "kill $((i - 1))"
			start_guarded
		fi
		"$CALLTRAP" trace -p "$tpid" -e tick -o "$D/ev.$i" \
			> /dev/null 2> "$D/ct.$i.err" < /dev/null &
		cpid=$!
		BG_PIDS="$BG_PIDS $cpid"
		kill_at_next_patched_call "$D" "$cpid"
		wait_after "$D/target.out" 0 "^killed $cpid\$" 10 "$tpid" ||
			fail "round $i: no call with the breakpoint in place"
		n0=$(grep -n "^killed $cpid\$" "$D/target.out" | cut -d: -f1)
		rc=0
		{ wait "$cpid"; } 2> /dev/null || rc=$?
		[ "$rc" -eq 137 ] || fail "round $i: calltrap ended with $rc, not by the kill"
		if ! wait_after "$D/target.out" "$n0" "$RAN_ON" 10 "$tpid"; then
			kill -0 "$tpid" 2>/dev/null || { wait "$tpid"; rc=$?; }
			fail "round $i: the target made no call with its own code after calltrap's" \
				"death (exit status $rc)"
		fi
		kill -0 "$tpid" 2>/dev/null || fail "round $i: the target died"
		wait_line "$D/ct.$i.err" \
			"^calltrap: guardian: calltrap died; restored [0-9]* patched instructions\? of process $tpid in [0-9]* us$" 5 ||
			fail "round $i: the guardian did not say it restored process $tpid"
		wait_no_guardian "$D/ev.$i" 5 || fail "round $i: the guardian is still running"
	done
	note "$GUARD_KILLS kills, target alive; $(grep -h 'restored' "$D"/ct.*.err | head -n 1)"
	stop_guarded "$GUARD_KILLS kills"
}

# A clean end (--duration) stands the guardian down: it ran while calltrap
# was attached, it is gone (so it can write nothing) as soon as calltrap
# has exited, and the process is untraced with every byte as it was.
clean_detach()
{
	local t tpid cpid

	D=$D/detach
	mkdir -p "$D"
	need_targets guarded
	t=$(target guarded)
	"$t" calm "$D/stop" 60 > "$D/target.out" 2>&1 < /dev/null &
	tpid=$!
	BG_PIDS="$BG_PIDS $tpid"
	wait_line "$D/target.out" '^pid=' 10 || fail "guarded did not start"
	snapshot "$tpid" "$D/snap"

	# long enough to be seen attached where the machine is slow (the
	# emulated aarch64 guest: 1 s was sometimes over before the check)
	"$CALLTRAP" trace -p "$tpid" -e tick --duration="$CT_WAIT_SCALE" -o "$D/ev" \
		> /dev/null 2> "$D/ct.err" < /dev/null &
	cpid=$!
	BG_PIDS="$BG_PIDS $cpid"
	wait_after "$D/target.out" 0 ' patched$' 10 "$tpid" ||
		fail "no call with the breakpoint in place"
	[ "$(live_guardians "$D/ev" | wc -l)" -eq 1 ] ||
		fail "not one guardian while attached: $(live_guardians "$D/ev")"
	wait_pid "$cpid" 10
	expect_status "calltrap trace -p --duration" "$WAIT_STATUS" 0
	[ -z "$(live_guardians "$D/ev")" ] ||
		fail "a guardian outlived a clean detach: $(live_guardians "$D/ev")"
	! grep -q guardian "$D/ct.err" || fail "the guardian spoke after a clean detach"
	detached "$tpid" "$D/snap"
	touch "$D/stop"
	wait_pid "$tpid" 10
	expect_status "guarded after detach" "$WAIT_STATUS" 0
	checks_ok "$D/target.out"
}

rc=0
run_opts kills || rc=1
OPTS=O0 run_opts clean_detach || rc=1
exit $rc
