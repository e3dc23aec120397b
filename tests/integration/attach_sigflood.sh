#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signals that arrive while calltrap attaches, runs injected system calls
# and detaches reach the program exactly once, in order, with their siginfo
# (tests/targets/sigflood.c):
#  - rt:  a flood of SIGRTMIN queued with sigqueue (si_value 0, 1, 2...);
#         calltrap attaches three times for --duration=0.1; each attach and
#         detach must stay quick although the queue is full (the flood is
#         not drained through ptrace stops), and the program must receive
#         every value once, in order, from the sender, with SI_QUEUE;
#  - std: the same with SIGUSR1, one at a time (a standard signal does not
#         queue);
#  - blocked: the program blocks SIGTRAP, SIGSEGV, SIGBUS and SIGRTMIN+1,
#         each pending with its own si_value: after attach and detach each
#         is still pending, once, with its siginfo (calltrap unblocks the
#         synchronous ones while its injected code runs, so it must put back
#         any it takes), and the program was not killed by its own SIGTRAP.
. "$(dirname "$0")/lib.sh"

# Seconds an attach + 0.1 s of tracing + detach may take under the flood: a
# bound against a tracer that loops on the signals it resumes (a round takes
# about 0.15 s here, with the kernel's queue full 0.11-0.13 s).
MAX_ROUND_SECS=${MAX_ROUND_SECS:-20}

# How long each attach traces: under qemu (the aarch64 guest) attach and
# detach take 0.4-0.8 s, and three windows of 0.1 s once saw no signal.
if [ "$(uname -m)" = x86_64 ]; then
	TRACE_SECS=0.1
else
	TRACE_SECS=0.5
fi

now_ms()
{
	date +%s%3N
}

# flood_rounds MODE: three attaches while MODE floods the target.
flood_rounds()
{
	local mode=$1 t pid r t0 ms

	t=$(target sigflood)
	"$t" "$mode" "$D/stop-$mode" 60 > "$D/$mode.out" 2>&1 < /dev/null &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	wait_line "$D/$mode.out" '^pid=' 20 || fail "sigflood $mode did not start"
	for r in 1 2 3; do
		t0=$(now_ms)
		ct trace -p "$pid" --duration=$TRACE_SECS --format=jsonl -o "$D/ev-$mode-$r.jsonl" -e got \
			> "$D/ct-$mode-$r.out" 2> "$D/ct-$mode-$r.err" < /dev/null
		ms=$(($(now_ms) - t0))
		expect_status "calltrap trace -p (sigflood $mode, round $r)" "$CT_STATUS" 0
		note "$mode round $r: attach, $TRACE_SECS s, detach took $ms ms"
		[ "$ms" -le $((MAX_ROUND_SECS * 1000)) ] ||
			fail "$mode round $r took $ms ms under a signal flood (limit ${MAX_ROUND_SECS}s)"
		kill -0 "$pid" 2> /dev/null || fail "sigflood $mode died while attached (round $r)"
	done
	# (any one round may see none on a loaded machine: $TRACE_SECS s is short)
	cat "$D"/ev-"$mode"-*.jsonl | grep -q '"type": \?"signal"' ||
		fail "$mode: no signal event while attached"
	touch "$D/stop-$mode"
	wait_pid "$pid" 40
	checks_ok "$D/$mode.out"
	expect_status "sigflood $mode" "$WAIT_STATUS" 0
}

scenario()
{
	local t pid

	need_targets sigflood
	flood_rounds rt
	flood_rounds std

	t=$(target sigflood)
	"$t" blocked "$D/stop-blocked" 60 > "$D/blocked.out" 2>&1 < /dev/null &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	wait_line "$D/blocked.out" '^pid=' 20 || fail "sigflood blocked did not start"
	snapshot "$pid" "$D/snap"
	ct trace -p "$pid" --duration=0.1 -e never_called > "$D/ct-blocked.out" \
		2> "$D/ct-blocked.err" < /dev/null
	expect_status "calltrap trace -p (sigflood blocked)" "$CT_STATUS" 0
	detached "$pid" "$D/snap"
	touch "$D/stop-blocked"
	wait_pid "$pid" 20
	checks_ok "$D/blocked.out"
	expect_status "sigflood blocked" "$WAIT_STATUS" 0
}

run_opts scenario
