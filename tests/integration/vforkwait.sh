#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A process inside vfork() cannot stop until its child execs or exits
# (tests/targets/vforkwait.c): attaching to it, detaching from it and
# ending calltrap with SIGTERM must neither hang nor harm parent or child,
# whatever the child does meanwhile (sleeps 300 ms, sleeps 3 s, stops
# itself with SIGSTOP).  Before, the detach waited forever for the parent.
. "$(dirname "$0")/lib.sh"

# the aarch64 suite runs under qemu (tests/aarch64), several times slower:
# there, -O2 only (vfork and the child's states do not depend on how the target was
# compiled)
[ "$(uname -m)" = x86_64 ] || OPTS=${OPTS_GUEST:-O2}


# start_target ARGS...: the target in the background, $TP its pid
start_target()
{
	"$(target vforkwait)" "$@" > "$D/out" 2>&1 < /dev/null &
	TP=$!
	BG_PIDS="$BG_PIDS $TP"
	wait_line "$D/out" '^ready' 10 || fail "vforkwait did not start"
	# let it get into its first vfork
	sleep 0.2
}

finish_target()
{
	wait_pid "$TP" 30
	expect_status "vforkwait after the detach ($1)" "$WAIT_STATUS" 0
	checks_ok "$D/out"
}

scenario()
{
	local cp pids c

	need_targets vforkwait
	# children of 300 ms: attached during one, detached during another
	# (more of them where the attach is slower: the 0.5 s count from it)
	start_target 300 $((8 * CT_WAIT_SCALE))
	ct trace -p "$TP" -e work --duration=0.5 --format=jsonl -o "$D/ev1.jsonl" \
		2> "$D/ct1.err" < /dev/null
	expect_status "trace -p --duration during vfork (300 ms)" "$CT_STATUS" 0
	# work(0..49) per round: consecutive calls, none lost while in vfork
	python3 - "$D/ev1.jsonl" <<'PY' || fail "calls of work were lost or malformed"
import json, sys
calls = [e for e in map(json.loads, open(sys.argv[1])) if e["type"] == "call"]
vals = [e["args"]["x"] if isinstance(e["args"], dict) else e["args"][0] for e in calls]
args = [v if isinstance(v, int) else int(v, 0) for v in vals]
bad = [i for i in range(1, len(args)) if args[i] != (args[i - 1] + 1) % 50]
print("calls seen: %d, out of order: %s" % (len(args), bad[:5]))
sys.exit(1 if not args or bad else 0)
PY
	finish_target "300 ms"

	# a child of 3 s: the parent never leaves vfork while traced
	start_target 3000 2
	ct trace -p "$TP" -e work --duration=0.3 -o "$D/ev2" 2> "$D/ct2.err" < /dev/null
	expect_status "trace -p --duration during vfork (3 s)" "$CT_STATUS" 0
	finish_target "3 s"

	# SIGTERM while the parent waits for a 3 s child
	start_target 3000 2
	"$CALLTRAP" trace -p "$TP" -e work -o "$D/ev3" 2> "$D/ct3.err" < /dev/null &
	cp=$!
	BG_PIDS="$BG_PIDS $cp"
	sleep 0.5
	kill -TERM "$cp"
	wait_pid "$cp" 10
	case $WAIT_STATUS in
	0 | 143) ;;
	*) fail "calltrap exited with $WAIT_STATUS after SIGTERM, want 0 or 143" ;;
	esac
	finish_target "SIGTERM"

	# a child that stops itself: held in group-stop across attach and detach
	start_target stop 2
	ct trace -p "$TP" -e work --duration=0.3 -o "$D/ev4" 2> "$D/ct4.err" < /dev/null
	expect_status "trace -p --duration during vfork (stopped child)" "$CT_STATUS" 0
	for round in 1 2; do
		pids=$(cat /proc/"$TP"/task/*/children 2>/dev/null)
		for c in $pids; do
			kill -CONT "$c"
		done
		sleep 0.3
	done
	finish_target "stopped child"
}

run_opts scenario
