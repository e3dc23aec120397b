#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Durations are the program's time, not calltrap's:
# - first: the first call of a function in a process, a thread and a forked
#   child lasts about as long as its other calls, though calltrap does its
#   one-time work then (reading the module's DWARF: tens of ms for libc's
#   malloc where libc has debug info, as here; a return breakpoint);
# - prompt: the time the program sits stopped at the REPL's prompt counts
#   neither in durations nor between event timestamps, and a frame still
#   open when `report` runs is no call of 0 ns but has run until the stop.
. "$(dirname "$0")/lib.sh"

# A first call is "about as long" as the median m of the others when it
# takes at most 5 m, or m + SLACK: a loaded 2-CPU host or an emulated guest
# delays a single call by some ms now and then (rarely 20 or 30: a run
# that fails is tried once more); calltrap's one-time work took 50 to 180
# ms here before it was left out.
SLACK_MS=20
# how long the REPL sits at its prompt with the program stopped
PROMPT_SECS=2

# first_calls RUN: trace the target (run number RUN), check its first calls
first_calls()
{
	ct trace -f --format=jsonl -o "$D/ev$1.jsonl" -e work -e 'libc.so.6:malloc' -- \
		"$(target durations)" > "$D/run$1.out" 2> "$D/run$1.err"
	expect_status "trace -f of durations" "$CT_STATUS" 0
	checks_ok "$D/run$1.out"
	python3 - "$D/ev$1.jsonl" "$D/run$1.out" "$SLACK_MS" <<'PY'
import json, re, sys

evs = [json.loads(l) for l in open(sys.argv[1])]
truth = open(sys.argv[2]).read()
slack = int(sys.argv[3]) * 1000000
callers = re.findall(r"^truth calls pid=(\d+) tid=(\d+) n=(\d+)$", truth, re.M)
if len(callers) != 3:
    sys.exit("want 3 'truth calls' lines (main, thread, child), got %d" % len(callers))
durs = {}
typed = False
for e in evs:
    if e["type"] == "call" and e["func"] == "malloc":
        typed = typed or isinstance(e["args"], dict)
    if e["type"] == "return":
        durs.setdefault((e["pid"], e["tid"], e["func"]), []).append(e["duration_ns"])
bad = []
for pid, tid, n in callers:
    for func in ("work", "malloc"):
        d = durs.get((int(pid), int(tid), func), [])
        if len(d) < int(n):
            sys.exit("%s of %s/%s: %d returns, want at least %s" % (func, pid, tid, len(d), n))
        rest = sorted(d[1:])
        # the median (the aarch64 guest's python has no statistics module)
        med = (rest[(len(rest) - 1) // 2] + rest[len(rest) // 2]) / 2
        bound = max(5 * med, med + slack)
        print("[durations] %s/%s %s: first %.1f us, median of the others %.1f us"
              % (pid, tid, func, d[0] / 1e3, med / 1e3))
        if d[0] > bound:
            bad.append("%s/%s %s: first call %.3f ms, median %.3f ms, bound %.3f ms"
                       % (pid, tid, func, d[0] / 1e6, med / 1e6, bound / 1e6))
if not typed:
    print("[durations] note: libc has no DWARF here: no one-time work to leave out")
if bad:
    sys.exit("\n".join(bad))
PY
}

scenario_first()
{
	need_targets durations
	first_calls 1 || first_calls 2 || fail "a first call is too long in two runs (see above)"
}

# repl_report OUT FUNC: the Calls, Min and Total (ns) of FUNC's row in the
# last `report --ns` table of OUT, as "calls min total".
repl_report()
{
	awk -v f="$2" '$NF == f && NF == 7 { r = $3 " " $5 " " $1 } END { print r }' "$1"
}

scenario_prompt()
{
	local t c rc row calls min total

	need_targets durations
	t=$(target durations)
	rm -f "$D/go"
	mkfifo "$D/fifo"
	timeout -k 5 "$CT_TIMEOUT" "$CALLTRAP" repl -e main -- "$t" stop "$D/go" \
		< "$D/fifo" > "$D/repl.out" 2> "$D/repl.err" &
	c=$!
	BG_PIDS="$BG_PIDS $c"
	exec 7> "$D/fifo"
	# main runs 300 ms (waiting for go), then sits stopped at the prompt
	printf '%s\n' 'set echo off' 'continue 300ms' >&7
	wait_line "$D/repl.out" '^stopped' 30 || fail "continue 300ms did not stop"
	sleep "$PROMPT_SECS"
	printf '%s\n' 'report --ns' >&7
	wait_line "$D/repl.out" ' main$' 30 || fail "report did not run"
	row=$(repl_report "$D/repl.out" main)
	read -r calls min total <<< "$row"
	# open: not a call, no min, its time so far (300 ms) in total
	[ "$calls" = 0 ] && [ "$min" = - ] ||
		fail "report with main still open: calls $calls, min $min, want 0 and -"
	[ "${total:-0}" -ge 100000000 ] && [ "$total" -lt $((PROMPT_SECS * 1000000000)) ] ||
		fail "report with main still open: total $total ns, want its 300 ms of running"
	touch "$D/go"
	printf '%s\n' 'continue' "save $D/run.trace" 'report --ns' >&7
	exec 7>&-
	rc=0
	wait "$c" || rc=$?
	expect_status "repl session" "$rc" 0
	checks_ok "$D/repl.out"
	read -r calls min total <<< "$(repl_report "$D/repl.out" main)"
	[ "$calls" = 1 ] && [ "${total:-0}" -lt $((PROMPT_SECS * 1000000000)) ] ||
		fail "report at the end: main calls $calls, total $total ns, want 1 and" \
			"less than the ${PROMPT_SECS}s at the prompt"
	ct dump --format=jsonl "$D/run.trace" > "$D/run.jsonl" 2> "$D/dump.err"
	expect_status "dump of the REPL's trace" "$CT_STATUS" 0
	python3 - "$D/run.jsonl" "$PROMPT_SECS" <<'PY' || fail "the prompt's time is in the events"
import json, sys

evs = [json.loads(l) for l in open(sys.argv[1])]
prompt = int(sys.argv[2]) * 1000000000
call = [e for e in evs if e["type"] == "call" and e["func"] == "main"]
ret = [e for e in evs if e["type"] == "return" and e["func"] == "main"]
if len(call) != 1 or len(ret) != 1:
    sys.exit("want one call and one return of main, got %d and %d" % (len(call), len(ret)))
span = ret[0]["ts_ns"] - call[0]["ts_ns"]
print("[durations] main: duration %.3f ms, between its timestamps %.3f ms"
      % (ret[0]["duration_ns"] / 1e6, span / 1e6))
if ret[0]["duration_ns"] >= prompt or span >= prompt:
    sys.exit("main lasted %d ns (timestamps %d ns apart): the %d s at the prompt count"
             % (ret[0]["duration_ns"], span, prompt // 1000000000))
PY
}

run_opts scenario_first && OPTS=O2 run_opts scenario_prompt
