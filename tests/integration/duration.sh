#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace -p --duration=D traces the program for D seconds from the moment
# the breakpoints are in, not from calltrap's start: reading symbols at
# attach (long for a large program, or in the emulated guest) is not taken
# from D.  Ground truth from the target (tests/targets/ticker.c): the first
# traced tick() carries the target's clock when it was called, and the
# target prints that same clock when its tracer left.
. "$(dirname "$0")/lib.sh"

OPTS=O2

scenario()
{
	local tp d_us slack_us
	need_targets ticker

	"$(target ticker)" 60 > "$D/out" 2>&1 < /dev/null &
	tp=$!
	BG_PIDS="$BG_PIDS $tp"
	wait_line "$D/out" '^ready' 10 || fail "ticker did not start"
	ct trace -p "$tp" -e tick --duration=0.5 --format=jsonl \
		-o "$D/ev.jsonl" 2> "$D/ct.err" < /dev/null
	expect_status "trace -p --duration=0.5" "$CT_STATUS" 0
	wait_pid "$tp" 10
	expect_status "ticker after the detach" "$WAIT_STATUS" 0
	# ticks come every 0.5 ms; a loaded machine may hold the first traced
	# one back a little, which only shortens what is measured.  The attach
	# takes 20 ms here (tests/targets/ticker.c), and much longer in the
	# emulated guest: counted from calltrap's start, the trace is shorter
	# than --duration by that much
	slack_us=$((10000 * CT_WAIT_SCALE))
	d_us=500000
	python3 - "$D/ev.jsonl" "$D/out" "$d_us" "$slack_us" <<'PY' ||
import json, re, sys
ev, out, d_us, slack = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
first = None
for e in map(json.loads, open(ev)):
    if e["type"] == "call" and e["func"] == "tick":
        a = e["args"]
        v = a["now_us"] if isinstance(a, dict) else a[0]
        first = v if isinstance(v, int) else int(v, 0)
        break
m = re.search(r"^truth detached_us=(\d+)", open(out).read(), re.M)
if first is None or not m:
    print("no traced tick (%s) or no detach time (%s)" % (first, m))
    sys.exit(1)
traced = int(m.group(1)) - first
print("traced for %.3f s after the first tick, --duration %.3f s" % (traced / 1e6, d_us / 1e6))
sys.exit(0 if traced >= d_us - slack else 1)
PY
	fail "the program was traced for less than --duration"
}

run_opts scenario
