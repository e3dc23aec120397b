#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `calltrap stacks -p PID` against the truth the targets print:
#  - deadlock (tests/targets/deadlock.c): each thread's function, system call
#    (fd targets, the sleep's timespec), the mutex owners and the cycle
#    left -> right -> left; the same process before and after (task list,
#    state, wchan, system call, no tracer), and the blocked calls were not
#    disturbed (the target checks for EINTR and short sleeps); --tid; text
#    and JSON (checked with python3);
#  - the same process stopped with SIGSTOP: every thread still in state T
#    afterwards, and it goes on normally after SIGCONT;
#  - stacks_fp: frames of code without CFI, found by the frame-pointer
#    fallback;
#  - stacks_cxx: C++ frames demangled.
. "$(dirname "$0")/lib.sh"

# long enough for the checks made while the sleeper sleeps; the aarch64
# suite runs under qemu (tests/aarch64), several times slower
if [ "$(uname -m)" = x86_64 ]; then
	SLEEP_SECS=${SLEEP_SECS:-4}
else
	SLEEP_SECS=${SLEEP_SECS:-20}
fi

# start_target NAME ARGS...: run target NAME with a fifo on stdin (held open
# by fd 7 of this shell), stdout in $D/NAME.out; sets TPID once "ready".
start_target()
{
	local name=$1

	shift
	rm -f "$D/$name.in" "$D/$name.out"
	mkfifo "$D/$name.in" || fail "mkfifo"
	exec 7<> "$D/$name.in"
	"$(target "$name")" "$@" < "$D/$name.in" > "$D/$name.out" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$D/$name.out" '^ready' 20 || fail "$name did not get ready"
	[ "$(main_pid "$D/$name.out")" = "$TPID" ] || fail "$name printed another pid"
}

# proc_state PID: per task "tid state wchan syscall-nr tracer", sorted
proc_state()
{
	local t

	for t in /proc/"$1"/task/*; do
		echo "${t##*/} $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$t/status")" \
			"$(cat "$t/wchan" 2>/dev/null)" "$(cut -d' ' -f1 "$t/syscall")" \
			"$(sed -n 's/^TracerPid:[[:space:]]*//p' "$t/status")"
	done | sort -n
}

# The nanosleep thread is an exception: the kernel restarts an interrupted
# sleep as restart_syscall (a restart_block, with the time left), whoever
# stopped it (SIGSTOP/SIGCONT does the same); its wchan follows.
restart_nr()
{
	case $(uname -m) in
	x86_64) echo 219 ;;
	aarch64) echo 128 ;;
	*) echo unknown ;;
	esac
}

same_state()
{
	local before=$1 after=$2 sleeper=$3 f

	for f in "$before" "$after"; do
		awk -v s="$sleeper" -v r="$(restart_nr)" '$1 == s {
			$3 = "-"
			if ($4 == r || $4 == 35 || $4 == 230 || $4 == 101 || $4 == 115) $4 = "SLEEP"
		} { print }' "$f" > "$f.cmp"
	done
	diff -u "$before.cmp" "$after.cmp" || fail "the threads are not as they were before calltrap stacks"
}

# check_deadlock_json JSON TRUTH STOPPED: the JSON against the truth lines
check_deadlock_json()
{
	python3 - "$1" "$2" "$3" "$SLEEP_SECS" <<'EOF' || fail "stacks JSON does not match the truth (see above)"
import json, re, sys

path, truth_path, stopped, secs = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
snap = json.load(open(path))
truth = {}
mutex = {}
pid = None
for line in open(truth_path):
    m = re.match(r"truth tid=(\d+) role=(\w+) func=(\w+) syscall=(\w+)", line)
    if m:
        truth[m.group(2)] = (int(m.group(1)), m.group(3), m.group(4))
    m = re.match(r"truth mutex=(\w) addr=(0x[0-9a-f]+)", line)
    if m:
        mutex[m.group(1)] = int(m.group(2), 16)
    m = re.match(r"truth pid=(\d+) role=main", line)
    if m:
        pid = int(m.group(1))
bad = []
def expect(cond, what):
    if not cond:
        bad.append(what)

expect(snap["pid"] == pid, "pid %s, want %s" % (snap["pid"], pid))
threads = {t["tid"]: t for t in snap["threads"]}
expect(sorted(threads) == sorted(t[0] for t in truth.values()),
       "threads %s, want %s" % (sorted(threads), sorted(t[0] for t in truth.values())))
expect(snap["threads"][0]["tid"] == pid, "the leader is not first")
for role, (tid, func, sysname) in truth.items():
    t = threads.get(tid)
    if not t:
        continue
    funcs = [f["func"] for f in t["frames"]]
    expect(t["stopped"], "%s: not stopped" % role)
    expect(t["state"] == ("T" if stopped else "S"), "%s: state %s" % (role, t["state"]))
    expect(t["group_stopped"] == stopped, "%s: group_stopped %s" % (role, t["group_stopped"]))
    expect(t["pending_signal"] is None, "%s: pending signal %s" % (role, t["pending_signal"]))
    expect(func in funcs, "%s: %s not among the frames %s" % (role, func, funcs))
    expect(t["wait_func"] == func, "%s: waits in %s, want %s" % (role, t["wait_func"], func))
    expect(t["frames"][0]["unwound_by"] == "regs", "%s: frame 0 not from the registers" % role)
    expect(all(f["module"] for f in t["frames"][:3]), "%s: frames without a module" % role)
    s = t["syscall"]
    if not s:
        bad.append("%s: no system call" % role)
        continue
    names = ["nanosleep", "clock_nanosleep"] if sysname == "nanosleep" else [sysname]
    expect(s["name"] in names, "%s: in %s, want %s" % (role, s["name"], names))
    expect(s["state"] == "blocked", "%s: syscall state %s" % (role, s["state"]))
    expect(s["text"].startswith(s["name"] + "("), "%s: text %r" % (role, s["text"]))
    if role == "reader":
        expect((s["fd_target"] or "").startswith("pipe:["), "reader: fd %r" % s["fd_target"])
    if role == "main":
        expect(s["fd"] == 0 and (s["fd_target"] or "").endswith("deadlock.in"),
               "main: fd %r %r" % (s["fd"], s["fd_target"]))
    if role == "sleeper":
        expect("tv_sec=%d," % int(float(secs)) in s["text"], "sleeper: %r" % s["text"])
    if role == "condwait":
        expect(t["wait"] and t["wait"]["kind"] == "futex" and t["wait"]["owner"] is None,
               "condwait: wait %r" % t["wait"])
        expect("FUTEX_WAIT" in s["text"], "condwait: %r" % s["text"])
    if role in ("left", "right"):
        other = truth["right" if role == "left" else "left"][0]
        want = mutex["B" if role == "left" else "A"]
        w = t["wait"] or {}
        expect(w.get("kind") == "mutex", "%s: wait %r" % (role, w))
        expect(int(w.get("addr", "0"), 16) == want, "%s: mutex %r, want %#x" % (role, w.get("addr"), want))
        expect(w.get("owner") == other, "%s: owner %r, want %d" % (role, w.get("owner"), other))
        expect(int(s["args"][0], 16) == want, "%s: futex %r" % (role, s["args"][0]))
    elif role != "condwait":
        expect(t["wait"] is None, "%s: wait %r" % (role, t["wait"]))
dl = snap["deadlocks"]
pair = sorted([truth["left"][0], truth["right"][0]])
expect(len(dl) == 1 and sorted(dl[0]["cycle"]) == pair, "deadlocks %r, want the cycle %r" % (dl, pair))
if len(dl) == 1:
    for w in dl[0]["waits"]:
        role = "left" if w["tid"] == truth["left"][0] else "right"
        expect(w["func"] == truth[role][1], "deadlock: %s waits in %r" % (role, w["func"]))
for b in bad:
    print("stacks.json:", b)
sys.exit(1 if bad else 0)
EOF
}

check_deadlock_text()
{
	local out=$1 truth=$2 l r

	l=$(sed -n 's/^truth tid=\([0-9]*\) role=left .*/\1/p' "$truth")
	r=$(sed -n 's/^truth tid=\([0-9]*\) role=right .*/\1/p' "$truth")
	grep -Eq "^deadlock: ($l -> $r -> $l|$r -> $l -> $r)\$" "$out" ||
		fail "no 'deadlock: $l -> $r -> $l' line in the text output"
	# the mutexes by name: deadlock.c's static mutex_a and mutex_b
	grep -q "thread $l waits in left_takes_a_then_b for mutex 0x[0-9a-f]*<mutex_b> held by thread $r" "$out" ||
		fail "the text does not say where $l waits"
	grep -q "thread $r waits in right_takes_b_then_a for mutex 0x[0-9a-f]*<mutex_a> held by thread $l" "$out" ||
		fail "the text does not say where $r waits"
	for f in main_waits_for_input reader_waits_on_pipe sleeper_naps cond_waiter; do
		grep -q " in $f+0x" "$out" || fail "no frame of $f in the text output"
	done
	grep -q 'in read(4<pipe:\[[0-9]*\]>\|in read([0-9]*<pipe:\[' "$out" ||
		fail "the reader's read() on a pipe is not shown"
}

# release: main reads a line, wakes the reader; the sleeper finishes its
# sleep; then every check line must be ok
release_deadlock()
{
	echo go >&7
	wait_pid "$TPID" $((SLEEP_SECS + 20))
	exec 7>&-
	expect_status "deadlock target" "$WAIT_STATUS" 0
	checks_ok "$D/deadlock.out"
	grep -q '^check nanosleep ok' "$D/deadlock.out" || fail "the sleep was disturbed"
	grep -q '^check read ok' "$D/deadlock.out" || fail "the pipe read was disturbed"
}

scenario_running()
{
	local sleeper

	need_targets deadlock
	start_target deadlock "$SLEEP_SECS"
	sleeper=$(sed -n 's/^truth tid=\([0-9]*\) role=sleeper .*/\1/p' "$D/deadlock.out")
	proc_state "$TPID" > "$D/before"
	grep -q ' S ' "$D/before" || fail "the target's threads are not sleeping"

	ct stacks -p "$TPID" > "$D/stacks.txt" 2> "$D/stacks.err"
	expect_status "calltrap stacks" "$CT_STATUS" 0
	[ ! -s "$D/stacks.err" ] || fail "calltrap stacks wrote to stderr: $(head -n 3 "$D/stacks.err")"
	ct stacks -p "$TPID" --format=json -o "$D/stacks.json" 2> "$D/stacks-json.err"
	expect_status "calltrap stacks --format=json" "$CT_STATUS" 0
	proc_state "$TPID" > "$D/after"

	check_deadlock_text "$D/stacks.txt" "$D/deadlock.out"
	check_deadlock_json "$D/stacks.json" "$D/deadlock.out" 0
	same_state "$D/before" "$D/after" "$sleeper"

	# --tid: one thread (the world still stopped as a whole)
	local reader
	reader=$(sed -n 's/^truth tid=\([0-9]*\) role=reader .*/\1/p' "$D/deadlock.out")
	ct stacks -p "$TPID" --tid="$reader" --format=json > "$D/tid.json" 2> "$D/tid.err"
	expect_status "calltrap stacks --tid" "$CT_STATUS" 0
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = [t["tid"] for t in d["threads"]] == [int(sys.argv[2])] and d["deadlocks"] == []
ok = ok and "reader_waits_on_pipe" in [f["func"] for f in d["threads"][0]["frames"]]
sys.exit(0 if ok else 1)' "$D/tid.json" "$reader" || fail "--tid=$reader did not give that thread alone"

	release_deadlock
}

scenario_stopped()
{
	local t sleeper

	need_targets deadlock
	start_target deadlock "$SLEEP_SECS"
	sleeper=$(sed -n 's/^truth tid=\([0-9]*\) role=sleeper .*/\1/p' "$D/deadlock.out")
	kill -STOP "$TPID"
	for t in $(seq 1 50); do
		! grep -q '^State:[[:space:]]*[^T]' /proc/"$TPID"/task/*/status && break
		sleep 0.1
	done
	proc_state "$TPID" > "$D/before"
	awk '$2 != "T" { exit 1 }' "$D/before" || fail "SIGSTOP did not stop every thread"

	ct stacks -p "$TPID" --format=json > "$D/stacks.json" 2> "$D/stacks.err"
	expect_status "calltrap stacks (stopped process)" "$CT_STATUS" 0
	ct stacks -p "$TPID" > "$D/stacks.txt" 2> "$D/stacks-text.err"
	expect_status "calltrap stacks (stopped process, text)" "$CT_STATUS" 0
	sleep 0.3
	proc_state "$TPID" > "$D/after"
	awk '$2 != "T" { exit 1 }' "$D/after" ||
		fail "threads of the stopped process were not left stopped: $(cat "$D/after")"
	awk '$5 != 0 { exit 1 }' "$D/after" || fail "still traced after calltrap stacks"
	# stopped threads have no wchan/syscall to compare but their own
	same_state "$D/before" "$D/after" "$sleeper"
	check_deadlock_json "$D/stacks.json" "$D/deadlock.out" 1
	check_deadlock_text "$D/stacks.txt" "$D/deadlock.out"

	kill -CONT "$TPID"
	release_deadlock
}

scenario_fp()
{
	need_targets stacks_fp
	start_target stacks_fp
	ct stacks -p "$TPID" --format=json > "$D/fp.json" 2> "$D/fp.err"
	expect_status "calltrap stacks (no CFI)" "$CT_STATUS" 0
	python3 - "$D/fp.json" <<'EOF' || fail "frames of code without CFI were not found (see above)"
import json, sys
d = json.load(open(sys.argv[1]))
frames = d["threads"][0]["frames"]
funcs = [f["func"] for f in frames]
want = ["fp_inner", "fp_middle", "fp_outer", "main"]
i = funcs.index("fp_inner") if "fp_inner" in funcs else -1
ok = i >= 0 and funcs[i:i + 4] == want
# fp_middle and the frames above it can only come from the frame pointers
ok = ok and all(f["unwound_by"] == "fp" for f in frames[i + 1:i + 4])
if not ok:
    print("frames:", [(f["func"], f["unwound_by"]) for f in frames])
sys.exit(0 if ok else 1)
EOF
	kill "$TPID"
}

scenario_cxx()
{
	local tid

	need_targets stacks_cxx
	start_target stacks_cxx
	tid=$(sed -n 's/^truth tid=\([0-9]*\) role=waiter .*/\1/p' "$D/stacks_cxx.out")
	ct stacks --demangle=full -p "$TPID" --tid="$tid" > "$D/cxx.txt" 2> "$D/cxx.err"
	expect_status "calltrap stacks --demangle=full (C++)" "$CT_STATUS" 0
	grep -q ' in long outer::inner::Waiter<int>::wait_for<long>(long)+0x' "$D/cxx.txt" ||
		fail "the C++ frame is not demangled: $(grep '#1 ' "$D/cxx.txt")"
	# by default, its scope and name
	ct stacks -p "$TPID" --tid="$tid" > "$D/cxxs.txt" 2> "$D/cxxs.err"
	expect_status "calltrap stacks (C++)" "$CT_STATUS" 0
	grep -q ' in outer::inner::Waiter::wait_for+0x' "$D/cxxs.txt" ||
		fail "the C++ frame is not short: $(grep '#1 ' "$D/cxxs.txt")"
	ct stacks -p "$TPID" --tid="$tid" --no-demangle > "$D/cxx-raw.txt" 2> "$D/cxx-raw.err"
	grep -q ' in _ZN5outer5inner6WaiterIiE8wait_forIlEElT_+0x' "$D/cxx-raw.txt" ||
		fail "--no-demangle did not keep the mangled name"
	kill "$TPID"
}

rc=0
run_opts scenario_running || rc=1
OPTS=O2 run_opts scenario_stopped || rc=1
run_opts scenario_fp || rc=1
run_opts scenario_cxx || rc=1
exit $rc
