#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signal handlers that interrupt a thread inside an out-of-line slot
# (tests/targets/sigslot.c):
#  - wait: attach, SIGUSR1 to the busy target, detach while its handler
#    still runs: the handler's frame must return into the program's code,
#    not into the scratch page calltrap unmapped (SIGSEGV before); three
#    rounds or more, until one of them is delivered in a slot (about one in
#    two is, in the emulated guest: three alone missed 1 run in 8);
#  - flood: 200 signals delivered while traced (nearly all in slots, each
#    into a handler that calls a traced function): every call reported
#    once, none twice.
. "$(dirname "$0")/lib.sh"

# the aarch64 suite runs under qemu (tests/aarch64), several times slower:
# there, -O2 only (signal delivery in a slot does not depend on how the target
# was compiled (its loop is a call and a few instructions either way))
[ "$(uname -m)" = x86_64 ] || OPTS=${OPTS_GUEST:-O2}

scenario_wait()
{
	local t tp cp round=0 in_slot=0

	need_targets sigslot
	t=$(target sigslot)
	while [ "$round" -lt 3 ] || { [ "$in_slot" -eq 0 ] && [ "$round" -lt 10 ] &&
		[ "${CALLTRAP_ENGINE:-breakpoint}" != fast ]; }; do
		round=$((round + 1))
		rm -f "$D/go"
		"$t" wait "$D/go" > "$D/out$round" 2>&1 < /dev/null &
		tp=$!
		BG_PIDS="$BG_PIDS $tp"
		wait_line "$D/out$round" '^ready' 10 || fail "sigslot did not start"
		env --default-signal=INT "$CALLTRAP" trace -p "$tp" -e work --format=jsonl \
			-o "$D/ev$round.jsonl" 2> "$D/ct$round.err" < /dev/null &
		cp=$!
		BG_PIDS="$BG_PIDS $cp"
		wait_line "$D/ev$round.jsonl" '"type": \?"call"' 20 ||
			fail "no call event within 20s of attaching (round $round)"
		kill -USR1 "$tp"
		wait_line "$D/out$round" '^handler started' 20 ||
			fail "the handler did not start (round $round)"
		kill -INT "$cp"
		wait_pid "$cp" 20
		case $WAIT_STATUS in
		0 | 130) ;;
		*) fail "calltrap exited with $WAIT_STATUS after SIGINT (round $round)" ;;
		esac
		# detached, the handler still sleeping: let it return
		touch "$D/go"
		wait_pid "$tp" 60
		expect_status "sigslot after the detach (round $round)" "$WAIT_STATUS" 0
		checks_ok "$D/out$round"
		grep -q "interrupted outside the program's text=1" "$D/out$round" &&
			in_slot=$((in_slot + 1))
	done
	note "rounds whose signal came in a slot: $in_slot of $round"
	# (on the fast path a function's entry has no slot, its exit may: a
	# signal comes in a slot or not; a thread leaves a trampoline before
	# one is delivered)
	[ "${CALLTRAP_ENGINE:-breakpoint}" = fast ] || [ "$in_slot" -gt 0 ] ||
		fail "no signal came in a slot: the test tested nothing"
}

scenario_flood()
{
	local t

	need_targets sigslot
	t=$(target sigslot)
	ct trace -e work -e in_handler --format=jsonl -o "$D/ev.jsonl" -- "$t" flood 200 \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace sigslot flood" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	note "$(grep '^note' "$D/out")"
}

rc=0
run_opts scenario_wait || rc=1
run_opts scenario_flood || rc=1
exit $rc
