#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `calltrap stacks` on bad input: exactly one "calltrap: ..." line on stderr,
# a non-zero exit, nothing on stdout, no hang: no such pid, a zombie, a pid
# we may not trace, one already traced, bad options, a tid of another
# process.  A process that exits while being looked at gives either a
# snapshot or that one line, and is not disturbed.  Threads that come and go
# during the snapshot (tests/targets/spawner.c) are all released.
. "$(dirname "$0")/lib.sh"

expect_error()
{
	local what=$1 n

	shift
	ct "$@" > "$D/e.out" 2> "$D/e.err" < /dev/null
	[ "$CT_STATUS" -ne 0 ] || fail "$what: calltrap $* exited 0"
	n=$(grep -c '' "$D/e.err")
	if [ "$n" -ne 1 ] || ! grep -q '^calltrap: .' "$D/e.err"; then
		cat "$D/e.err"
		fail "$what: $n stderr line(s), want exactly one 'calltrap: ...' line"
	fi
	[ ! -s "$D/e.out" ] || fail "$what: output on stdout: $(head -n 3 "$D/e.out")"
	note "$what: status $CT_STATUS: $(cat "$D/e.err")"
}

scenario_errors()
{
	local dead zpid tpid pub

	need_file "$TARGETS/traceme"
	sh -c 'echo $$ > "$1"' sh "$D/dead.pid"
	dead=$(cat "$D/dead.pid")
	[ ! -e "/proc/$dead" ] || fail "pid $dead was reused; cannot test a missing pid"
	expect_error "no such pid" stacks -p "$dead"
	grep -q 'no such process' "$D/e.err" || fail "no such pid: $(cat "$D/e.err")"
	expect_error "pid out of range" stacks -p 2147483647
	expect_error "not a pid" stacks -p 12abc
	expect_error "no pid" stacks
	expect_error "bad format" stacks -p $$ --format=yaml
	expect_error "unknown option" stacks -p $$ --no-such-option
	expect_error "bad max-frames" stacks -p $$ --max-frames=0
	expect_error "signed max-frames" stacks -p $$ --max-frames=+5
	expect_error "max-frames over the limit" stacks -p $$ --max-frames=100001
	expect_error "signed pid" stacks -p +$$

	# a zombie: a child that exits once its parent has become `sleep`,
	# which never reaps it (bash itself would, had it exited earlier)
	bash -c 'sleep 0.3 & echo $! > "$1"; exec sleep 30' sh "$D/zombie.pid" &
	BG_PIDS="$BG_PIDS $!"
	wait_line "$D/zombie.pid" '^[0-9]' 10 || fail "no zombie"
	zpid=$(cat "$D/zombie.pid")
	for _ in $(seq 1 50); do
		grep -q '^State:[[:space:]]*Z' "/proc/$zpid/status" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^State:[[:space:]]*Z' "/proc/$zpid/status" || fail "$zpid is not a zombie"
	expect_error "zombie" stacks -p "$zpid"
	grep -q 'zombie' "$D/e.err" || fail "zombie: $(cat "$D/e.err")"

	# a tid that is not in the process
	sleep 30 &
	tpid=$!
	BG_PIDS="$BG_PIDS $tpid"
	expect_error "tid of another process" stacks -p "$tpid" --tid=$$
	grep -q '^State:[[:space:]]*S' "/proc/$tpid/status" || fail "sleep not left sleeping"
	grep -q '^TracerPid:[[:space:]]*0$' "/proc/$tpid/status" || fail "sleep left traced"

	# already traced by its parent
	"$TARGETS/traceme" 20 > "$D/traceme.out" 2>&1 &
	tpid=$!
	BG_PIDS="$BG_PIDS $tpid"
	wait_line "$D/traceme.out" '^pid=' 10 || fail "traceme did not start"
	expect_error "already traced" stacks -p "$tpid"
	grep -q 'already traced by process' "$D/e.err" || fail "already traced: $(cat "$D/e.err")"
	kill -KILL "$tpid"
	wait "$tpid" 2>/dev/null

	# may not trace: as root, nobody against a root process; else pid 1
	if [ "$(id -u)" -eq 0 ]; then
		pub=$(mktemp -d /tmp/calltrap-pub.XXXXXX)
		chmod 755 "$pub"
		cp "$CALLTRAP" "$pub/calltrap"
		sleep 30 &
		tpid=$!
		BG_PIDS="$BG_PIDS $tpid"
		CT_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups" CALLTRAP="$pub/calltrap" \
			expect_error "may not trace" stacks -p "$tpid"
		rm -rf "$pub"
		grep -q '^State:[[:space:]]*S' "/proc/$tpid/status" || fail "sleep not left sleeping"
	else
		expect_error "may not trace" stacks -p 1
	fi
}

# A process that exits around the time we look at it: a snapshot or one
# error line, never a hang, and it ends normally.
scenario_vanish()
{
	local i p rc

	for i in $(seq 1 30); do
		sleep "0.0$((i % 8))" &
		p=$!
		ct stacks -p "$p" > "$D/v.out" 2> "$D/v.err" < /dev/null
		if [ "$CT_STATUS" -eq 0 ]; then
			grep -q "^process $p " "$D/v.out" || fail "run $i: status 0 without a snapshot"
		else
			[ "$(grep -c '' "$D/v.err")" -eq 1 ] && grep -q '^calltrap: stacks ' "$D/v.err" ||
				fail "run $i: $(cat "$D/v.err")"
		fi
		rc=0
		wait "$p" || rc=$?
		[ "$rc" -eq 0 ] || fail "run $i: sleep ended with status $rc after calltrap stacks"
	done
}

# Threads created and ending all the time: every snapshot must succeed and
# leave no thread traced or stopped (spawner checks its threads' results).
scenario_churn()
{
	local p i

	need_targets spawner
	"$(target spawner)" "$D/stop" 60 > "$D/spawner.out" 2>&1 &
	p=$!
	BG_PIDS="$BG_PIDS $p"
	wait_line "$D/spawner.out" '^pid=' 10 || fail "spawner did not start"
	for i in $(seq 1 10); do
		ct stacks -p "$p" --format=json > "$D/churn.json" 2> "$D/churn.err"
		expect_status "calltrap stacks (run $i, threads coming and going)" "$CT_STATUS" 0
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
bad = [t for t in d["threads"] if not (t["stopped"] or t["exited"])]
for t in bad:
    print("tid %d: %s" % (t["tid"], {k: v for k, v in t.items() if not isinstance(v, (list, dict))}))
sys.exit(0 if d["threads"] and not bad else 1)
' "$D/churn.json" > "$D/churn.bad" || fail "run $i: a thread was not stopped: $(cat "$D/churn.bad")"
	done
	touch "$D/stop"
	wait_pid "$p" 30
	expect_status "spawner after calltrap stacks" "$WAIT_STATUS" 0
	checks_ok "$D/spawner.out"
}

rc=0
OPTS=O0 run_opts scenario_errors || rc=1
OPTS=O0 run_opts scenario_vanish || rc=1
OPTS=O2 run_opts scenario_churn || rc=1
exit $rc
