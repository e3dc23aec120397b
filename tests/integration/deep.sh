#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Text output stays linear in the number of events, however deep the calls
# (tests/targets/deep.c, a recursion 20,000 frames deep): `trace`, `replay`
# and the REPL's replay and events indent two spaces per level up to level
# 64, then keep that indentation and start the line with "[depth N] ".
# Every line is checked: the depth read back from its indentation or
# marker is the one the target's recursion gives it (calls 1..N+1, returns
# back), no line is longer than a fixed bound, and the output is a fixed
# number of bytes per event at most (uncapped, 20,000 levels would be
# about 800 MB).
. "$(dirname "$0")/lib.sh"

# the aarch64 suite runs under qemu (tests/aarch64), several times slower
if [ "$(uname -m)" = x86_64 ]; then
	DEEP=${DEEP:-20000}
else
	DEEP=${DEEP:-5000}
fi

# check_depths KIND FILE CALLS: every line of FILE (KIND trace or replay)
# at the depth the recursion gives it
check_depths()
{
	python3 - "$@" <<'PY' || fail "$1 output: wrong depths or lines too long (see above)"
import re, sys

kind, path, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
CAP = 64          # calltrap(1): indentation stops at level 64
MAXLINE = 400     # any line, whatever its depth
if kind == "trace":
    line_re = re.compile(r"^\d+\.\d{6} \[\d+\] ( *)(\[depth (\d+)\] )?(.*)$")
else:
    line_re = re.compile(r"^[ .0-9a-z]{10} \[ *\d+\] \| ( *)(\[depth (\d+)\] )?(.*)$")
bad, opens, closes, nev = [], [], [], 0
with open(path, "rb") as f:
    data = f.read()
lines = data.decode("utf-8", "replace").split("\n")[:-1]
for no, line in enumerate(lines, 1):
    if len(line) > MAXLINE:
        bad.append("line %d is %d bytes long" % (no, len(line)))
        continue
    m = line_re.match(line)
    if not m:
        continue
    spaces, marker, text = len(m.group(1)), m.group(3), m.group(4)
    if marker:
        depth = int(marker)
        if spaces != 2 * (CAP - 1) or depth <= CAP:
            bad.append("line %d: marker %d after %d spaces" % (no, depth, spaces))
    else:
        if spaces % 2 or spaces > 2 * (CAP - 1):
            bad.append("line %d: %d spaces" % (no, spaces))
        depth = spaces // 2 + 1
    nev += 1
    if kind == "trace":
        if text.startswith("dive("):
            opens.append(depth)
        elif text.startswith("} dive"):
            closes.append(depth)
    else:
        if text.startswith("dive(") and text.endswith("{"):
            opens.append(depth)
        elif text.startswith("dive("):  # the leaf: its call and return
            opens.append(depth)
            closes.append(depth)
        elif text.startswith("}"):
            closes.append(depth)
want_opens = list(range(1, calls + 1))
if opens != want_opens:
    bad.append("%d calls, at depths %s..., want 1..%d" % (len(opens), opens[:5], calls))
if closes != want_opens[::-1]:
    bad.append("%d returns, at depths %s..., want %d..1" % (len(closes), closes[:5], calls))
if nev < 2 * calls - 1 or len(data) > MAXLINE * len(lines):
    bad.append("%d bytes for %d lines" % (len(data), len(lines)))
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
PY
}

scenario()
{
	local t calls

	need_targets deep
	t=$(target deep)
	ct trace -e dive -o "$D/trace.txt" -- "$t" "$DEEP" > "$D/out" 2> "$D/trace.err" < /dev/null
	expect_status "trace of the deep recursion" "$CT_STATUS" 0
	checks_ok "$D/out"
	calls=$(sed -n 's/^truth deep calls=\([0-9]*\) .*/\1/p' "$D/out")
	[ "$calls" = $((DEEP + 1)) ] || fail "the target printed calls=$calls"
	check_depths trace "$D/trace.txt" "$calls"

	ct record -e dive -o "$D/deep.trace" -- "$t" "$DEEP" > "$D/out2" 2> "$D/rec.err" < /dev/null
	expect_status "record of the deep recursion" "$CT_STATUS" 0
	ct replay --no-args -o "$D/replay.txt" "$D/deep.trace" 2> "$D/replay.err"
	expect_status "replay of the deep recursion" "$CT_STATUS" 0
	check_depths replay "$D/replay.txt" "$calls"

	# the REPL's replay is the same tree; its events the same lines as trace
	printf '%s\n' 'replay --no-args' 'goto 99' 'events 1' > "$D/script"
	ct repl -x "$D/script" "$D/deep.trace" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "repl over the deep trace" "$CT_STATUS" 0
	sed -n "2,$(($(wc -l < "$D/replay.txt") + 1))p" "$D/repl.out" | cmp -s - "$D/replay.txt" ||
		fail "the REPL's replay differs from calltrap replay"
	# "] ", then 126 spaces (63 levels) and the marker
	[ "$(tail -n 1 "$D/repl.out" | grep -Ec '^#99 [0-9.]+ \[[0-9]+\] {127}\[depth 100\] dive\(n=')" = 1 ] ||
		fail "the REPL's event #99 (depth 100): $(tail -n 1 "$D/repl.out" | cut -c1-200)"
}

OPTS=O2 run_opts scenario
