#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap injects no system call that the process's seccomp filter forbids
# (tests/targets/seccomp.c):
#  - a filter that kills on mmap, fails mmap with EPERM, or kills on an
#    anonymous executable mmap only (calltrap's scratch pages; the
#    program's own read-write mmap passes): trace -p refuses with one line
#    naming seccomp, exits 1, and the process runs on untouched, untraced,
#    and finishes its own checks;
#  - a filter that only logs mmap: traced as usual;
#  - a filter installed while calltrap traces the process (kill on munmap):
#    the detach does not unmap the scratch pages but says so, and the
#    process lives, attached with -p or started by the REPL;
#  - calltrap itself under a filter (which bars it from reading others'):
#    it refuses to attach to a process with a filter, but traces a program
#    it starts, whose filters are its own;
#  - a traced program that execs under a forbidding filter: its new image
#    runs untraced, with one warning, and ends well.
. "$(dirname "$0")/lib.sh"

start_target()
{
	local mode=$1

	"$(target seccomp)" "$mode" "$D/stop-$mode" 60 > "$D/$mode.out" 2>&1 < /dev/null &
	PID=$!
	BG_PIDS="$BG_PIDS $PID"
	wait_line "$D/$mode.out" '^pid=' 10 || fail "seccomp $mode did not start"
}

# beats_on MODE: the target still beats (two more lines).
beats_on()
{
	local n

	n=$(grep -c '^beat' "$D/$1.out")
	wait_line "$D/$1.out" "^beat $((n + 2))\$" 10 || fail "seccomp $1 stopped beating"
}

# finish MODE: the target ends well.
finish()
{
	touch "$D/stop-$1"
	wait_pid "$PID" 10
	checks_ok "$D/$1.out"
	expect_status "seccomp $1" "$WAIT_STATUS" 0
}

# untraced PID: alive, no tracer, no thread stopped.
# The line calltrap must refuse an attach to PID with, and the warning
# about scratch pages left mapped in PID.
refusal()
{
	printf 'calltrap: cannot attach to %s: %s mmap, which calltrap needs to inject %s\n' \
		"$1" "$2" "(calltrap stacks -p $1 injects nothing)"
}

left_mapped()
{
	printf "calltrap: warning: process %s: %s munmap: calltrap's scratch pages stay mapped\n" \
		"$1" "its seccomp filter forbids"
}

untraced()
{
	local state tracer

	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2> /dev/null)
	case $state in
	'' | Z) fail "process $1 died" ;;
	t | T) fail "process $1 is left stopped" ;;
	esac
	tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status")
	[ "$tracer" = 0 ] || fail "process $1 still has TracerPid $tracer"
}

refused()
{
	local mode=$1

	start_target "$mode"
	snapshot "$PID" "$D/snap-$mode"
	ct trace -p "$PID" -e beat --duration=1 > "$D/ct-$mode.out" 2> "$D/ct-$mode.err" < /dev/null
	expect_status "trace -p under seccomp $mode" "$CT_STATUS" 1
	refusal "$PID" "its seccomp filter forbids" | diff -u - "$D/ct-$mode.err" ||
		fail "seccomp $mode: not the one line naming seccomp"
	detached "$PID" "$D/snap-$mode"
	beats_on "$mode"
	finish "$mode"
}

scenario()
{
	local ctpid n why

	need_targets seccomp
	refused kill-mmap
	refused errno-mmap
	refused exec-mmap

	start_target log
	snapshot "$PID" "$D/snap-log"
	ct trace -p "$PID" -e beat --duration=0.3 --format=jsonl -o "$D/ev-log.jsonl" \
		> "$D/ct-log.out" 2> "$D/ct-log.err" < /dev/null
	expect_status "trace -p under a logging filter" "$CT_STATUS" 0
	detached "$PID" "$D/snap-log"
	check attach --events "$D/ev-log.jsonl" --pid "$PID" --func beat
	finish log

	# attached, then the filter comes
	start_target late
	env --default-signal=INT,QUIT "$CALLTRAP" trace -p "$PID" -e beat --format=jsonl \
		-o "$D/ev-late.jsonl" > "$D/ct-late.out" 2> "$D/ct-late.err" < /dev/null &
	ctpid=$!
	BG_PIDS="$BG_PIDS $ctpid"
	wait_line "$D/ev-late.jsonl" '"type": \?"call"' 20 || fail "late: no call event"
	kill -USR1 "$PID"
	wait_line "$D/late.out" '^filter installed' 10 || fail "late: no filter"
	kill -INT "$ctpid"
	wait_pid "$ctpid" 20
	case $WAIT_STATUS in
	0 | 130) ;;
	*) fail "late: calltrap exited with $WAIT_STATUS after SIGINT" ;;
	esac
	grep -qxF "$(left_mapped "$PID")" "$D/ct-late.err" ||
		fail "late: no line about the scratch pages left mapped"
	untraced "$PID"
	beats_on late
	finish late

	# started by the REPL, then the filter comes
	mkfifo "$D/repl.in"
	env --default-signal=INT,QUIT "$CALLTRAP" repl -e beat -- "$(target seccomp)" late \
		"$D/stop-repl" 60 < "$D/repl.in" > "$D/repl.out" 2> "$D/repl.err" &
	ctpid=$!
	BG_PIDS="$BG_PIDS $ctpid"
	exec 8> "$D/repl.in"
	echo "continue 60s" >&8
	wait_line "$D/repl.out" '^pid=' 10 || fail "repl: the program did not start"
	PID=$(sed -n 's/^pid=//p' "$D/repl.out")
	kill -USR1 "$PID"
	wait_line "$D/repl.out" '^filter installed' 10 || fail "repl: no filter"
	kill -INT "$ctpid"
	echo detach >&8
	exec 8>&-
	wait_pid "$ctpid" 20
	expect_status "repl" "$WAIT_STATUS" 0
	grep -qxF "$(left_mapped "$PID")" "$D/repl.err" ||
		fail "repl: no line about the scratch pages left mapped"
	untraced "$PID"
	n=$(grep -c '^beat' "$D/repl.out")
	wait_line "$D/repl.out" "^beat $((n + 2))\$" 10 || fail "repl: the program stopped beating"
	touch "$D/stop-repl"
	wait_line "$D/repl.out" '^check beats ok' 10 || fail "repl: the program did not finish well"

	# calltrap under seccomp: filters it cannot read
	rm -f "$D/stop-log"
	start_target log
	snapshot "$PID" "$D/snap-confined"
	CT_WRAP="$(target seccomp) confine allow" ct trace -p "$PID" -e beat --duration=1 \
		> "$D/ct-confined.out" 2> "$D/ct-confined.err" < /dev/null
	expect_status "trace -p from under seccomp" "$CT_STATUS" 1
	why="calltrap cannot read its seccomp filters (that needs CAP_SYS_ADMIN and"
	why="$why no seccomp filter on calltrap itself) to check"
	refusal "$PID" "$why" | diff -u - "$D/ct-confined.err" ||
		fail "confined: not the one line naming seccomp"
	detached "$PID" "$D/snap-confined"
	finish log
	touch "$D/stop-spawned"
	CT_WRAP="$(target seccomp) confine allow" ct trace -e beat --format=jsonl \
		-o "$D/ev-spawned.jsonl" -- "$(target seccomp)" log "$D/stop-spawned" \
		> "$D/spawned.out" 2> "$D/ct-spawned.err" < /dev/null
	expect_status "trace -- PROGRAM from under seccomp" "$CT_STATUS" 0
	[ "$(grep -c '"type": \?"call"' "$D/ev-spawned.jsonl")" -ge 20 ] ||
		fail "confined: fewer than 20 calls of the program it started"

	# a traced program execs under a filter: the new image runs untraced
	touch "$D/stop-exec"
	ct trace -e beat --format=jsonl -o "$D/ev-exec.jsonl" -- "$(target seccomp)" confine \
		exec-mmap "$(target seccomp)" log "$D/stop-exec" > "$D/exec.out" \
		2> "$D/ct-exec.err" < /dev/null
	expect_status "trace -- PROGRAM that execs under a filter" "$CT_STATUS" 0
	printf 'calltrap: warning: after exec of %s: %s mmap, %s\n' "$(target seccomp)" \
		"its seccomp filter forbids" \
		"which calltrap needs to inject: its functions are not traced" |
		diff -u - "$D/ct-exec.err" || fail "exec: not the one warning naming seccomp"
	grep -q '"type": \?"exec"' "$D/ev-exec.jsonl" || fail "exec: no exec event"
	! grep -q '"type": \?"call"' "$D/ev-exec.jsonl" || fail "exec: calls traced after all"
	checks_ok "$D/exec.out"
}

run_opts scenario
