#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `calltrap stacks` text output cannot be forged by the process it shows
# (tests/targets/names.c): a main thread renamed "\ndeadlock: 1->1", a
# thread whose name holds a quote, a backslash, a newline and an escape
# sequence, blocked reading a FIFO named "f\ndeadlock: 2->2".  Every such
# string is printed escaped (control bytes as \xNN, '\' as \\, '"' as \"
# inside quotes), so no line starts with "deadlock" and no control byte
# reaches the output; the JSON form has the names as they are.
. "$(dirname "$0")/lib.sh"

scenario()
{
	need_targets names
	rm -f "$D/names.in"
	mkfifo "$D/names.in" || fail "mkfifo"
	exec 7<> "$D/names.in"
	"$(target names)" "$D" < "$D/names.in" > "$D/names.out" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$D/names.out" '^ready' 20 || fail "names did not get ready: $(cat "$D/names.out")"
	[ "$(main_pid "$D/names.out")" = "$TPID" ] || fail "names printed another pid"

	ct stacks -p "$TPID" > "$D/stacks.txt" 2> "$D/stacks.err"
	expect_status "stacks -p names" "$CT_STATUS" 0
	ct stacks -p "$TPID" --format=json > "$D/stacks.json" 2> "$D/stacks-json.err"
	expect_status "stacks -p names --format=json" "$CT_STATUS" 0
	echo >&7
	wait_pid "$TPID" 20
	expect_status "names" "$WAIT_STATUS" 0

	python3 - "$D/names.out" "$D/stacks.txt" "$D/stacks.json" <<'PY' ||
import json, re, sys

truth, text, js = sys.argv[1:4]
names, fifo, pid = {}, None, None
for line in open(truth):
    m = re.match(r"truth tid=(\d+) name=([0-9a-f]*)$", line)
    if m:
        names[int(m.group(1))] = bytes.fromhex(m.group(2))
    m = re.match(r"truth fifo=([0-9a-f]*)$", line)
    if m:
        fifo = bytes.fromhex(m.group(1))
    m = re.match(r"truth pid=(\d+) role=main$", line)
    if m:
        pid = int(m.group(1))

def esc(b, quoted):
    """calltrap(1) STACKS: how a string from the process is printed."""
    out = ""
    for c in b:
        if c == 0x5c or (quoted and c == 0x22):
            out += "\\" + chr(c)
        elif c < 0x20 or c == 0x7f:
            out += "\\x%02x" % c
        else:
            out += chr(c)
    return '"' + out + '"' if quoted else out

bad = []
if len(names) != 2 or fifo is None or pid is None:
    bad.append("the target's truth is incomplete: %r %r %r" % (names, fifo, pid))
raw = open(text, "rb").read()
if re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", raw):
    bad.append("a control byte in the text output")
lines = raw.decode("utf-8", "replace").split("\n")
for l in lines:
    if l.startswith("deadlock"):
        bad.append("a forged line: %r" % l)
    if l.startswith("process ") and not l.startswith("process %d %s " % (pid, esc(names[pid], True))):
        bad.append("process line: %r" % l)
for tid, name in names.items():
    want = "thread %d %s state " % (tid, esc(name, True))
    if not any(l.startswith(want) for l in lines):
        bad.append("no line starting %r" % want)
if not any(("<%s>" % esc(fifo, False)) in l for l in lines):
    bad.append("the FIFO's path, escaped (%r), is not in a system call line" % esc(fifo, False))
doc = json.load(open(js))
got = {t["tid"]: t["name"].encode() for t in doc["threads"]}
if got != names:
    bad.append("JSON names %r, want %r" % (got, names))
if doc["name"].encode() != names[pid] or doc["deadlocks"]:
    bad.append("JSON process name %r, deadlocks %r" % (doc["name"], doc["deadlocks"]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
		fail "stacks output of the names target (see above; $D/stacks.txt)"
}

OPTS=O2 run_opts scenario
