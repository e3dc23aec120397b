#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `calltrap stacks` shows inlined calls and names data, against the truth
# tests/targets/accounts.c prints:
#  - t1 and t2 block in transfer(), inlined into them at -O2: the frame list
#    has transfer at the line of its blocking call, marked [inlined] and
#    without an offset, then t1 (t2) at the line that calls transfer, at
#    the same pc, as gdb shows them; at -O0 transfer is a frame of its own,
#    at the same lines, and no frame of the program is [inlined];
#  - the mutexes they wait for, inside the array accounts (.data), print
#    as 0x...<accounts+N> in the system call, the wait and the deadlock
#    lines; the auditor's, inside audit (.bss, past the file's pages), as
#    <audit+N>; the JSON has "addr_symbol", "mutex_symbol", "inlined";
#  - C++: an inlined template with no linkage name, by its qualified name.
# And `stacks -p` of a kernel thread says it is one, in one line, exit 1.
. "$(dirname "$0")/lib.sh"

scenario()
{
	need_targets accounts
	rm -f "$D/in"
	mkfifo "$D/in" || fail "mkfifo"
	exec 7<> "$D/in"
	"$(target accounts)" < "$D/in" > "$D/truth" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$D/truth" '^ready' 20 || fail "accounts did not get ready: $(cat "$D/truth")"
	[ "$(main_pid "$D/truth")" = "$TPID" ] || fail "accounts printed another pid"

	ct stacks -p "$TPID" > "$D/stacks.txt" 2> "$D/stacks.err"
	expect_status "stacks -p accounts" "$CT_STATUS" 0
	ct stacks -p "$TPID" --format=json > "$D/stacks.json" 2> "$D/stacks-json.err"
	expect_status "stacks -p accounts --format=json" "$CT_STATUS" 0
	echo >&7
	wait_pid "$TPID" 20
	expect_status "accounts" "$WAIT_STATUS" 0

	python3 - "$D/truth" "$D/stacks.txt" "$D/stacks.json" <<'PY' ||
import json, os, re, sys

truth_f, text_f, json_f = sys.argv[1:4]
roles, syms, inlined = {}, {}, None
for line in open(truth_f):
    m = re.match(r"truth tid=(\d+) role=(\w+)(.*)$", line)
    if m:
        kv = dict(x.split("=", 1) for x in m.group(3).split())
        kv["tid"] = int(m.group(1))
        roles[m.group(2)] = kv
    m = re.match(r"truth symbol=(\w+) addr=(0x[0-9a-f]+) size=(\d+)$", line)
    if m:
        syms[m.group(1)] = (int(m.group(2), 16), int(m.group(3)))
    m = re.match(r"truth inlined=([01])$", line)
    if m:
        inlined = m.group(1) == "1"

bad = []
def expect(ok, what):
    if not ok:
        bad.append(what)

if set(roles) != {"t1", "t2", "auditor"} or set(syms) != {"accounts", "audit"} or inlined is None:
    print("incomplete truth: %r %r %r" % (roles, syms, inlined))
    sys.exit(1)

def name_of(addr):
    """<sym+off> as gdb writes it, from the target's own addresses"""
    for s, (base, size) in syms.items():
        if base <= addr < base + size:
            return "<%s>" % s if addr == base else "<%s+%d>" % (s, addr - base)
    return None

# ---- text ----
blocks, cur = {}, None
for l in open(text_f).read().split("\n"):
    m = re.match(r"thread (\d+) ", l)
    if m:
        cur = blocks.setdefault(int(m.group(1)), [])
    elif not l:
        cur = None
    elif cur is not None:
        cur.append(l)

FRAME = re.compile(r"    #(\d+) +0x([0-9a-f]+) in (\S+?)(\+0x[0-9a-f]+)?(?: \((\S+)\))?(?: at (\S+):(\d+))?"
                   r"( \[inlined\]| \[frame pointer\])?$")
for role in ("t1", "t2"):
    r = roles[role]
    lines = blocks.get(r["tid"], [])
    frames = []
    for l in lines:
        m = FRAME.match(l)
        if m:
            frames.append(dict(n=int(m.group(1)), pc=m.group(2), func=m.group(3),
                               off=m.group(4), module=m.group(5), file=m.group(6),
                               line=int(m.group(7)) if m.group(7) else None,
                               inlined=m.group(8) == " [inlined]"))
        elif l.startswith("    #"):
            bad.append("%s: a frame line not understood: %r" % (role, l))
    expect([f["n"] for f in frames] == list(range(len(frames))), "%s: frames not numbered 0.." % role)
    idx = [i for i, f in enumerate(frames) if f["func"] == "transfer"]
    if len(idx) != 1 or idx[0] + 1 >= len(frames):
        bad.append("%s: no single transfer frame followed by its caller: %r" % (role, frames))
        continue
    tr, caller = frames[idx[0]], frames[idx[0] + 1]
    expect(tr["file"] and os.path.basename(tr["file"]) == "accounts.c" and tr["line"] == int(r["line"]),
           "%s: transfer at %s:%s, want accounts.c:%s" % (role, tr["file"], tr["line"], r["line"]))
    expect(caller["func"] == r["caller"] and caller["off"] and not caller["inlined"],
           "%s: the frame after transfer is %r, want %s+0x..." % (role, caller, r["caller"]))
    expect(caller["file"] and os.path.basename(caller["file"]) == "accounts.c" and
           caller["line"] == int(r["call_line"]),
           "%s: %s at %s:%s, want accounts.c:%s (the call of transfer)" %
           (role, caller["func"], caller["file"], caller["line"], r["call_line"]))
    if inlined:
        expect(tr["inlined"] and not tr["off"], "%s: transfer not shown as inlined: %r" % (role, tr))
        expect(tr["pc"] == caller["pc"], "%s: inlined transfer's pc %s, its caller's %s" %
               (role, tr["pc"], caller["pc"]))
    else:
        expect(not tr["inlined"] and tr["off"], "%s: transfer is no frame of its own: %r" % (role, tr))
        expect(not any(f["inlined"] for f in frames if f["module"] == caller["module"]),
               "%s: an inlined frame of the program at -O0: %r" % (role, frames))

for role in ("t1", "t2", "auditor"):
    r = roles[role]
    m = int(r["mutex"], 16)
    want = "%#x%s" % (m, name_of(m))
    text = "\n".join(blocks.get(r["tid"], []))
    expect("    in futex(%s, FUTEX_WAIT" % want in text,
           "%s: the futex call does not show %s:\n%s" % (role, want, text))
    expect(re.search(r"^    waits for mutex %s held by thread \d+" % re.escape(want), text, re.M),
           "%s: the wait does not show mutex %s:\n%s" % (role, want, text))
    if role != "auditor":
        other = roles["t2" if role == "t1" else "t1"]["tid"]
        expect(re.search(r"^    thread %d waits in transfer for mutex %s held by thread %d$" %
                         (r["tid"], re.escape(want), other), open(text_f).read(), re.M),
               "%s: no deadlock line naming %s" % (role, want))
expect(name_of(int(roles["auditor"]["mutex"], 16)).startswith("<audit+"), "the auditor's mutex is not in audit")

# ---- JSON ----
doc = json.load(open(json_f))
threads = {t["tid"]: t for t in doc["threads"]}
for role in ("t1", "t2", "auditor"):
    r = roles[role]
    t = threads.get(r["tid"])
    if not t:
        bad.append("%s: not in the JSON" % role)
        continue
    m = int(r["mutex"], 16)
    expect(t["wait"] and t["wait"].get("addr_symbol") == name_of(m)[1:-1],
           "%s: JSON wait %r, want addr_symbol %s" % (role, t["wait"], name_of(m)[1:-1]))
    if role == "auditor":
        continue
    fr = [f for f in t["frames"] if f["func"] == "transfer"]
    expect(len(fr) == 1 and fr[0].get("inlined") == inlined and fr[0]["line"] == int(r["line"]) and
           (fr[0]["offset"] is None) == inlined,
           "%s: JSON transfer frame %r (inlined %s)" % (role, fr, inlined))
    expect(all(f.get("inlined") is False for f in t["frames"] if f["func"] == r["caller"]),
           "%s: JSON %s frame marked inlined" % (role, r["caller"]))
for d in doc["deadlocks"]:
    for w in d["waits"]:
        expect(w.get("mutex_symbol") == name_of(int(w["mutex"], 16))[1:-1],
               "JSON deadlock wait %r" % w)
expect(len(doc["deadlocks"]) == 1, "JSON deadlocks %r" % doc["deadlocks"])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
		fail "stacks output of accounts (see above; $D/stacks.txt)"
}

# C++ (tests/targets/stacks_cxx.cc): outer::relay, a template instantiated
# with a lambda's type, has no linkage name; inlined at -O2 it is named by
# its DWARF name with its namespace, as gdb does; at -O0 it is a frame of
# the symbol table, demangled.
scenario_cxx()
{
	local tid
	local -a want

	need_targets stacks_cxx
	rm -f "$D/cxx.in"
	mkfifo "$D/cxx.in" || fail "mkfifo"
	exec 8<> "$D/cxx.in"
	"$(target stacks_cxx)" < "$D/cxx.in" > "$D/cxx.out" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$D/cxx.out" '^ready' 20 || fail "stacks_cxx did not get ready: $(cat "$D/cxx.out")"
	tid=$(sed -n 's/^truth tid=\([0-9]*\) role=waiter .*/\1/p' "$D/cxx.out")
	ct stacks -p "$TPID" --tid="$tid" > "$D/cxx.txt" 2> "$D/cxx.err"
	expect_status "stacks -p stacks_cxx" "$CT_STATUS" 0
	echo >&8
	wait_pid "$TPID" 20
	if [ "$OPT" = O2 ]; then
		want=(' in outer::relay<.*> (stacks_cxx-O2) at [^ ]*stacks_cxx\.cc:[0-9]* \[inlined\]$'
		      ' in long outer::inner::Waiter<int>::wait_for<long>(long)+0x[0-9a-f]* (stacks_cxx-O2) at [^ ]*:[0-9]*$')
	else
		want=(' in void outer::relay<.*>(.*)+0x[0-9a-f]* (stacks_cxx-O0) at [^ ]*stacks_cxx\.cc:[0-9]*$')
	fi
	for w in "${want[@]}"; do
		grep -q -- "$w" "$D/cxx.txt" || fail "no frame matching '$w' in $D/cxx.txt"
	done
}

# A kernel thread (PF_KTHREAD in /proc/PID/stat's flags): kthreadd, a
# kworker.  None is visible in a pid namespace of its own: skipped then.
scenario_kthread()
{
	local pid="" p flags n

	for p in /proc/[0-9]*; do
		flags=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f7)
		if [ -n "$flags" ] && (( flags & 0x200000 )); then
			pid=${p#/proc/}
			break
		fi
	done
	if [ -z "$pid" ]; then
		note "no kernel thread visible here: not checked"
		return 0
	fi
	ct stacks -p "$pid" > "$D/k.out" 2> "$D/k.err"
	expect_status "stacks -p $pid (kernel thread $(cat "/proc/$pid/comm" 2>/dev/null))" "$CT_STATUS" 1
	n=$(grep -c '' "$D/k.err")
	[ "$n" -eq 1 ] && grep -q "^calltrap: stacks $pid: a kernel thread, which runs no program code" "$D/k.err" ||
		fail "kernel thread $pid: $(cat "$D/k.err")"
	[ ! -s "$D/k.out" ] || fail "kernel thread $pid: output on stdout"
	note "$(cat "$D/k.err")"
}

OPTS="O0 O2" run_opts scenario
OPTS="O0 O2" run_opts scenario_cxx
OPTS=O0 run_opts scenario_kthread
