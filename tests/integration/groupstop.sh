#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Group-stops: a traced program stopped with SIGSTOP stays stopped (no
# events) until SIGCONT, then goes on and finishes correctly; and a process
# already stopped when calltrap attaches is still stopped after the detach,
# then finishes correctly once continued (tests/targets/busy.c).
. "$(dirname "$0")/lib.sh"

state_of()
{
	sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/\1/p' "/proc/$1/status"
}

# stopped_within PID SECS: the process reaches state T/t
stopped_within()
{
	local i

	for i in $(seq 1 $(($2 * 10))); do
		case $(state_of "$1") in
		T | t) return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

events_of()
{
	grep -c '"type": \?"call"' "$1" 2>/dev/null || true
}

scenario()
{
	local t bpid ctpid n1 n2 task

	need_targets busy
	t=$(target busy)

	# 1. stopped and continued while traced
	"$CALLTRAP" trace -e step --format=jsonl -o "$D/ev1.jsonl" -- "$t" "$D/stop1" 30 \
		> "$D/busy1.out" 2> "$D/ct1.err" < /dev/null &
	ctpid=$!
	BG_PIDS="$BG_PIDS $ctpid"
	wait_line "$D/busy1.out" '^pid=' 10 || fail "busy did not start under calltrap"
	bpid=$(sed -n 's/^pid=//p' "$D/busy1.out")
	wait_line "$D/ev1.jsonl" '"type": \?"call"' 20 || fail "no call event"
	kill -STOP "$bpid"
	stopped_within "$bpid" 5 || fail "busy did not stop on SIGSTOP while traced"
	sleep 0.3
	n1=$(events_of "$D/ev1.jsonl")
	sleep 0.5
	n2=$(events_of "$D/ev1.jsonl")
	[ "$n1" = "$n2" ] || fail "events kept coming while the process was stopped ($n1 -> $n2)"
	stopped_within "$bpid" 1 || fail "busy did not stay stopped"
	kill -CONT "$bpid"
	sleep 0.3
	touch "$D/stop1"
	wait_pid "$ctpid" 30
	expect_status "calltrap trace (stop/cont)" "$WAIT_STATUS" 0
	checks_ok "$D/busy1.out"
	grep -q '"signame": \?"SIGSTOP"' "$D/ev1.jsonl" || fail "no signal event for SIGSTOP"

	# 2. attach to a stopped process: it is still stopped afterwards
	"$t" "$D/stop2" 30 > "$D/busy2.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/busy2.out" '^pid=' 10 || fail "busy did not start"
	kill -STOP "$bpid"
	stopped_within "$bpid" 5 || fail "busy did not stop"
	snapshot "$bpid" "$D/snap2"
	ct trace -p "$bpid" --duration=0.5 -e step --format=jsonl -o "$D/ev2.jsonl" \
		> "$D/ct2.out" 2> "$D/ct2.err" < /dev/null
	expect_status "calltrap trace -p (stopped process)" "$CT_STATUS" 0
	sleep 0.2
	for task in /proc/"$bpid"/task/*; do
		grep -q '^TracerPid:[[:space:]]*0$' "$task/status" ||
			fail "task ${task##*/} still traced after detach"
		grep -q '^State:[[:space:]]*T' "$task/status" ||
			fail "task ${task##*/} of a stopped process not left stopped: $(grep State "$task/status")"
	done
	snapshot "$bpid" "$D/snap2.after"
	diff -u "$D/snap2" "$D/snap2.after" || fail "memory map or code changed by attach/detach"
	kill -CONT "$bpid"
	sleep 0.2
	touch "$D/stop2"
	wait_pid "$bpid" 20
	expect_status "busy after attach to a stopped process" "$WAIT_STATUS" 0
	checks_ok "$D/busy2.out"
}

OPTS=O2 run_opts scenario
