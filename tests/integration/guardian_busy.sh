#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap killed while attached to a process that calls its traced
# function in a tight loop (`guarded busy`): the guardian cannot win every
# race there (a thread that reaches a breakpoint between calltrap's death
# and the restore takes a SIGTRAP nobody handles, and one caught inside a
# breakpoint stop resumes wherever calltrap left its pc), so the outcome
# of each kill is counted, not asserted:
#   survived  the target made a call with its own code after the kill
#             (and whether its final sum was still right)
#   SIGTRAP   it ran into a breakpoint before the restore
#   other     it died otherwise (e.g. resumed inside an instruction)
# calltrap is killed from the test's shell once the target reported a call
# with the breakpoint in place, so at whatever point of its loop the target
# then is.  What is asserted: every round attached, calltrap died of the
# kill, no guardian outlives its restore, and a survivor is untraced and
# runs on.  GUARD_BUSY_KILLS (5) rounds per build; the rates go to the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

# A call after calltrap's death: with its own bytes once the guardian put
# them back; on the fast path through the jump that stays (its injected
# code stops recording and the program runs on, DESIGN.md)
RAN_ON=' orig$'
[ "${CALLTRAP_ENGINE:-breakpoint}" = fast ] && RAN_ON=' patched$'

GUARD_BUSY_KILLS=${GUARD_BUSY_KILLS:-5}

# untraced PID: no task of PID is traced or stopped.
untraced()
{
	local t tracer state

	for t in /proc/"$1"/task/*; do
		tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "$t/status" 2> /dev/null)
		state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$t/status" 2> /dev/null)
		[ "${tracer:-0}" = 0 ] || return 1
		case $state in
		t | T) return 1 ;;
		esac
	done
	return 0
}

scenario()
{
	local t tpid cpid i n0 rc st survived=0 wrong=0 trapped=0 other=0 end

	need_targets guarded
	t=$(target guarded)
	for i in $(seq 1 "$GUARD_BUSY_KILLS"); do
		rm -f "$D/stop"
		"$t" busy "$D/stop" 60 > "$D/target.$i.out" 2>&1 < /dev/null &
		tpid=$!
		BG_PIDS="$BG_PIDS $tpid"
		wait_line "$D/target.$i.out" '^pid=' 10 || fail "round $i: guarded did not start"
		"$CALLTRAP" trace -p "$tpid" -e tick -o "$D/ev.$i" \
			> /dev/null 2> "$D/ct.$i.err" < /dev/null &
		cpid=$!
		BG_PIDS="$BG_PIDS $cpid"
		# killed from here, at whatever point of the loop the target is
		wait_after "$D/target.$i.out" 1 ' patched$' 10 "$tpid" ||
			fail "round $i: no call with the breakpoint in place"
		n0=$(wc -l < "$D/target.$i.out")
		kill -KILL "$cpid"
		wait_pid "$cpid" 10 2> /dev/null
		[ "$WAIT_STATUS" -eq 137 ] ||
			fail "round $i: calltrap ended with $WAIT_STATUS, not by the kill"
		# an "orig" line, or the end of the target
		end=$((SECONDS + 10))
		while ! lines_after "$D/target.$i.out" "$n0" | grep -q "$RAN_ON" &&
			kill -0 "$tpid" 2> /dev/null && [ "$SECONDS" -le "$end" ]; do
			sleep 0.005
		done
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$tpid/status" 2> /dev/null)
		if [ -n "$st" ] && [ "$st" != Z ]; then
			lines_after "$D/target.$i.out" "$n0" | grep -q "$RAN_ON" ||
				fail "round $i: the target neither died nor ran on"
			survived=$((survived + 1))
			untraced "$tpid" || fail "round $i: the survivor is still traced or stopped"
			touch "$D/stop"
			wait_pid "$tpid" 10
			# its sum may be wrong: a thread caught in a breakpoint stop
			# resumes inside the instruction (x86_64), which is counted
			[ "$WAIT_STATUS" -eq 0 ] || wrong=$((wrong + 1))
		else
			rc=0
			{ wait "$tpid"; } 2> /dev/null || rc=$?
			if [ "$rc" -eq $((128 + 5)) ]; then
				trapped=$((trapped + 1))
			else
				other=$((other + 1))
				note "round $i: the target ended with status $rc"
			fi
		fi
		wait_no_guardian "$D/ev.$i" 5 || fail "round $i: the guardian is still running"
	done
	note "busy: $GUARD_BUSY_KILLS kills: survived $survived (of which computed wrong:" \
		"$wrong), died of SIGTRAP $trapped, otherwise $other"
}

run_opts scenario
