#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap repl FILE in batch mode: every event command on a recorded trace,
# with its output checked against the truth the target printed (event
# numbers are taken from the file's own jsonl dump, itself checked against
# that truth first): events, filter (func, depth, tid, clear), find, goto,
# next, prev, next call, finish, regs, replay, report, dump, save and load;
# and their errors.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	ct record --regs -e add -e mul3 -e sum6 -e recurse -o "$D/calls.trace" -- "$t" \
		> "$D/truth.out" 2> "$D/rec.err" < /dev/null
	expect_status "record calls" "$CT_STATUS" 0
	ct dump --format=jsonl "$D/calls.trace" > "$D/calls.jsonl" 2> "$D/dump.err"
	expect_status "dump calls.trace" "$CT_STATUS" 0
	check check --events "$D/calls.jsonl" --truth "$D/truth.out"

	cat > "$D/script" <<EOS
events 3
find mul3
finish
regs
prev
next call sum6
goto 0
filter func=mul3
replay
report
filter clear
filter depth<=1
events 2
filter clear
dump --format=jsonl -o $D/repl.jsonl
save $D/saved.trace
load $D/saved.trace
events 1
EOS
	ct repl -x "$D/script" "$D/calls.trace" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "repl over calls.trace" "$CT_STATUS" 0
	[ ! -s "$D/repl.err" ] || fail "stderr: $(head -n 5 "$D/repl.err")"
	python3 - "$D/calls.jsonl" "$D/repl.out" "$(uname -m)" <<'PY' || fail "repl output is wrong"
import json, re, sys

evs = [json.loads(l) for l in open(sys.argv[1])]
out = open(sys.argv[2]).read().split("\n")
arch = sys.argv[3]
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)

def seqline(ev):
    return "#%d " % ev["seq"]
def hexs(v):
    return v if isinstance(v, str) else hex(v & (2**64 - 1))
def shown_args(e):
    # DWARF-typed (an object: name=value, as C) or raw (hex registers)
    a = e["args"]
    if isinstance(a, dict):
        return ", ".join("%s=%s" % (k, v) for k, v in a.items())
    return ", ".join(a[:6])

# sections of the output: each command's lines, in order
lines = [l for l in out if l]
i = 0
def take(n):
    global i
    got = lines[i:i + n]
    i += n
    return got

# the load: file name, event count, arch
got = take(1)[0]
want(got.endswith("calls.trace: %d events, %s, process %d (%s)" % (len(evs), arch, evs[0]["pid"],
     got.split("(")[-1][:-1])), "load header %r" % got)

# events 3: the first three events, numbered by seq, in order
got = take(3)
for k in range(3):
    want(got[k].startswith(seqline(evs[k])) and evs[k]["func"] in got[k],
         "events 3 line %d: %r (want #%d %s)" % (k, got[k], evs[k]["seq"], evs[k]["func"]))

# find mul3: lists each call, says how many, goes to the first
mul3 = [e for e in evs if e["type"] == "call" and e["func"] == "mul3"]
got = take(len(mul3) + 1)
for k, e in enumerate(mul3):
    want(got[k].startswith(seqline(e)) and "mul3(" in got[k], "find mul3 line %r" % got[k])
n = len(mul3)
want(re.match(r"^%d calls? of 'mul3'.*at #%d" % (n, mul3[0]["seq"]), got[n]),
     "find mul3 summary %r" % got[n])
got = take(1)[0]
want(got.startswith(seqline(mul3[0])), "find: current event %r" % got)

# finish: the matching return, with the truth's return value
ret = next(e for e in evs if e["seq"] > mul3[0]["seq"] and e["type"] == "return"
           and e["func"] == "mul3" and e["depth"] == mul3[0]["depth"])
got = take(1)[0]
want(got.startswith(seqline(ret)) and "mul3 = %s" % ret["retval"] in got,
     "finish: %r (want #%d mul3 = %s)" % (got, ret["seq"], ret["retval"]))

# regs: the event, then its snapshot: the return register holds the value
got = take(1)[0]
want(got.startswith(seqline(ret)), "regs: event line %r" % got)
got = take(1)[0]
rv = {"x86_64": "rax", "aarch64": "x0"}[arch]
want(re.search(r"\b%s=%s\b" % (rv, hexs(ret["retval"])), got) is not None,
     "regs: %r lacks %s=%s" % (got, rv, hexs(ret["retval"])))
want(hexs(ret["regs"][rv]) == hexs(ret["retval"]), "jsonl regs disagree")

# prev: the event before the return (add's return inside mul3)
before = evs[evs.index(ret) - 1]
got = take(1)[0]
want(got.startswith(seqline(before)) and before["func"] in got, "prev: %r" % got)

# next call sum6: its arguments as recorded
s6 = next(e for e in evs if e["seq"] > before["seq"] and e["type"] == "call"
          and e["func"] == "sum6")
got = take(1)[0]
want(got.startswith(seqline(s6)) and "sum6(" + shown_args(s6) in got,
     "next call sum6: %r" % got)

# goto 0
got = take(1)[0]
want(got.startswith(seqline(evs[0])), "goto 0: %r" % got)

# filter func=mul3: the mul3 subtrees (calls and returns inside them)
inside, depth = [], 0
for e in evs:
    if e["type"] == "call" and e["func"] == "mul3" and depth == 0:
        depth = e["depth"]
    if depth:
        inside.append(e)
    if e["type"] in ("return", "unwind") and e["func"] == "mul3" and e["depth"] == depth:
        depth = 0
got = take(1)[0]
want(got == "filter func=mul3: %d of %d events" % (len(inside), len(evs)),
     "filter func=mul3: %r (want %d of %d)" % (got, len(inside), len(evs)))

# replay: a header, then one line per frame of the subtrees (leaves on one line)
frames = [e for e in inside if e["type"] == "call"]
leaves = sum(1 for k, e in enumerate(inside) if e["type"] == "call" and k + 1 < len(inside)
             and inside[k + 1]["type"] == "return")
nlines = 1 + len(inside) - leaves
got = take(nlines)
want(got[0].startswith("#"), "replay header %r" % got[0])
want(sum("mul3(" in l for l in got) == len(mul3), "replay mul3 frames: %r" % got)
want(not any("sum6" in l or "recurse" in l for l in got), "replay leaks other frames")

# report: two header lines and a row per function (mul3, add), calls per truth
funcs = sorted({e["func"] for e in frames})
got = take(2 + len(funcs))
want("Calls" in got[0] and "Function" in got[0], "report header %r" % got[0])
for f in funcs:
    row = [l for l in got if re.search(r"\b%s\b" % f, l)]
    calls = sum(1 for e in frames if e["func"] == f)
    want(row and re.search(r"\b%d\b" % calls, row[0]), "report row for %s: %r" % (f, row))

# filter clear, filter depth<=1, events 2 (depth-1 events only)
got = take(1)[0]
want(got == "no filter: %d events" % len(evs), "filter clear: %r" % got)
d1 = [e for e in evs if e.get("depth", 1) == 1]  # process events stay
got = take(1)[0]
want(got == "filter depth<=1: %d of %d events" % (len(d1), len(evs)), "depth<=1: %r" % got)
got = take(2)
want(all(g.startswith(seqline(e)) for g, e in zip(got, d1)), "events 2 with depth<=1: %r" % got)
take(1)  # filter clear

# dump -o is quiet; save says how many; load names the file; events 1
got = take(4)
want(got[0] == "saved %d events to %s" % (len(evs), got[0].split(" to ")[-1])
     and got[0].endswith("/saved.trace"), "save: %r" % got[0])
want(got[1].endswith("saved.trace: %d events, %s, process %d (%s)" % (len(evs), arch,
     evs[0]["pid"], got[1].split("(")[-1][:-1])), "load: %r" % got[1])
want(got[2].startswith(seqline(evs[0])), "events 1 after load: %r" % got[2])
want(len(got) == 3, "more output than expected: %r" % lines[i - 1:])
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
	check check --events "$D/repl.jsonl" --truth "$D/truth.out"
	ct dump --format=jsonl "$D/saved.trace" > "$D/saved.jsonl" 2> "$D/dump2.err"
	expect_status "dump of the saved trace" "$CT_STATUS" 0
	cmp -s "$D/calls.jsonl" "$D/saved.jsonl" || fail "save changed the events"

	# errors: one line each, the script stops there
	ct record -e add -o "$D/noregs.trace" -- "$t" > /dev/null 2>&1 < /dev/null
	printf '%s\n' 'goto 0' 'regs' > "$D/s2"
	ct repl -x "$D/s2" "$D/noregs.trace" > "$D/e2.out" 2> "$D/e2.err" < /dev/null
	expect_status "regs without a snapshot" "$CT_STATUS" 1
	[ "$(cat "$D/e2.err")" = "calltrap: $D/s2:2: no register snapshot in event #0 (record with --regs)" ] ||
		fail "regs error: $(cat "$D/e2.err")"
	for c in 'goto 999999' 'filter depth<=x' 'filter colour=red' 'load /nonexistent/x.trace' \
		'next call' 'dump --format=yaml'; do
		printf '%s\n' "$c" > "$D/s3"
		ct repl -x "$D/s3" "$D/calls.trace" > "$D/e3.out" 2> "$D/e3.err" < /dev/null
		expect_status "'$c'" "$CT_STATUS" 1
		[ "$(grep -c '' "$D/e3.err")" -eq 1 ] && grep -q "^calltrap: $D/s3:1: " "$D/e3.err" ||
			fail "'$c': want one error line, got: $(cat "$D/e3.err")"
	done
	ct repl "$D/no-such.trace" < /dev/null > "$D/e4.out" 2> "$D/e4.err"
	expect_status "repl of a missing file" "$CT_STATUS" 1
}

run_opts scenario
