#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap repl keeps gdb's habits:
#  - `continue &` from a pipe runs the program in the background, as at a
#    terminal: busy keeps calling step() while the pipe is silent, and
#    calls runs to its end (its events as its truth lists them); in a -x
#    script, `wait [TIME]` lets it run so;
#  - gdb's short forms (c, n, s, p, b, i b, i r, info threads, fin) and
#    unique prefixes run the commands they name; an ambiguous prefix fails
#    with gdb's error listing the candidates; help lists the short forms;
#  - the "kill it and quit?" question goes to the terminal (a pty) when
#    stdout is redirected to a file, and a script gets it answered, saying
#    so, as gdb's batch mode does.
. "$(dirname "$0")/lib.sh"

OPTS=${OPTS_GDB:-O0}
# How long `wait` lets busy run: longer on slow machines (as repl_live.sh)
RUN_SECS=${CT_ATTACH_SECS:-0.5}s

# A pipe that says nothing until the program has run: feed FILE REGEX
# COMMANDS... -- COMMANDS...: print the commands before "--", wait for
# REGEX in FILE (the REPL's output; noted in $D/feed.timeout if it never
# comes), then print the rest.
feed()
{
	local file=$1 re=$2

	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '%s\n' "$1"
		shift
	done
	[ $# -gt 0 ] && shift
	wait_line "$file" "$re" 20 || echo "$re" >> "$D/feed.timeout"
	printf '%s\n' "$@"
}

scenario_background()
{
	local pid

	need_targets busy calls
	# echo on: each step() call is printed as it comes; the pipe waits
	# for one, then stops the program
	ct repl -- "$(target busy)" "$D/stop" 30 > "$D/busy.out" 2> "$D/busy.err" \
		< <(feed "$D/busy.out" '^[0-9.]* \[[0-9/]*\] *step(i=' 'trace step' 'continue &' \
			-- 'set echo off' 'stop' 'info breakpoints')
	expect_status "repl: continue & from a pipe" "$CT_STATUS" 0
	[ ! -e "$D/feed.timeout" ] || fail "no step() call came in 20s: $(tail -n 3 "$D/busy.out")"
	pid=$(sed -n 's/^pid=//p' "$D/busy.out")
	[ -n "$pid" ] || fail "busy never ran in the background: $(grep -v '^[0-9.]* \[' "$D/busy.out")"
	grep -Eq '^step +busy-O[02] +0x[0-9a-f]+ +[1-9][0-9]*$' "$D/busy.out" ||
		fail "no step() call traced in the background: $(grep -E '^(step|stopped)' "$D/busy.out")"
	grep -Eq '^stopped: [1-9][0-9]+ events' "$D/busy.out" || fail "stop: $(grep stopped "$D/busy.out")"
	# the input ended with the program traced: killed, as gdb's batch says
	grep -q "^Process $pid is traced: kill it and quit? (y or n) \[answered Y; input not from terminal\]$" \
		"$D/busy.out" || fail "no answered question at the end of the input"
	grep -q "^process $pid killed by signal 9$" "$D/busy.out" || fail "busy was not killed at the end"
	[ ! -e "/proc/$pid" ] || fail "process $pid left behind"

	# run to its end in the background while the pipe waits
	ct repl -e add -e mul3 -e sum6 -e recurse -- "$(target calls)" > "$D/calls.out" \
		2> "$D/calls.err" < <(feed "$D/calls.out" '^process [0-9]* exited with status 0$' \
			'set echo off' 'continue &' -- "save $D/calls.trace")
	expect_status "repl: continue & to the end" "$CT_STATUS" 0
	[ ! -e "$D/feed.timeout" ] || fail "calls did not end in 20s: $(tail -n 3 "$D/calls.out")"
	grep -q '^process [0-9]* exited with status 0$' "$D/calls.out" ||
		fail "calls did not run to its end in the background: $(cat "$D/calls.out" "$D/calls.err")"
	checks_ok "$D/calls.out"
	ct dump --format=jsonl "$D/calls.trace" > "$D/calls.jsonl" 2> "$D/dump.err"
	expect_status "dump of the background run" "$CT_STATUS" 0
	check check --events "$D/calls.jsonl" --truth "$D/calls.out"

	# a script reads its next line at once: `wait` lets the program run
	printf '%s\n' 'set echo off' 'trace step' 'continue &' "wait $RUN_SECS" 'stop' \
		'info breakpoints' > "$D/x1"
	ct repl -x "$D/x1" -- "$(target busy)" "$D/stop" 30 > "$D/x1.out" 2> "$D/x1.err"
	expect_status "repl -x: continue &, wait TIME" "$CT_STATUS" 0
	grep -Eq '^running: [1-9][0-9]* events$' "$D/x1.out" || fail "wait TIME: $(cat "$D/x1.out")"
	grep -Eq '^step +busy-O[02] +0x[0-9a-f]+ +[1-9][0-9]*$' "$D/x1.out" ||
		fail "no step() call traced during wait: $(grep -E '^(step|stopped)' "$D/x1.out")"
	printf '%s\n' 'set echo off' 'continue &' 'wait' "save $D/x2.trace" > "$D/x2"
	ct repl -x "$D/x2" -e add -e mul3 -e sum6 -e recurse -- "$(target calls)" > "$D/x2.out" \
		2> "$D/x2.err"
	expect_status "repl -x: continue &, wait" "$CT_STATUS" 0
	grep -q '^process [0-9]* exited with status 0$' "$D/x2.out" &&
		grep -q '^recorded: [1-9][0-9]* events' "$D/x2.out" || fail "wait: $(cat "$D/x2.out")"
	ct dump --format=jsonl "$D/x2.trace" > "$D/x2.jsonl" 2> "$D/dump2.err"
	check check --events "$D/x2.jsonl" --truth "$D/x2.out"
}

scenario_short_forms()
{
	local t

	need_targets calls
	t=$(target calls)
	# b = break = trace; i b = info breakpoints; info thr = threads; c =
	# continue; find moves to mul3's call; s and n move on (into add),
	# fin to add's return, p shows the event, p ARG an argument; i r =
	# regs; info f = list functions (after the exit: an error)
	printf '%s\n' 'set echo off' 'b mul3' 'i b' 'info thr' 'c' 'find mul3' 'p' 'p b' 's' \
		'fin' 'p' 'n' 'prev' 'i r' 'fi' > "$D/s1"
	ct repl -x "$D/s1" -e add -- "$t" > "$D/s1.out" 2> "$D/s1.err"
	expect_status "repl: short forms, then an ambiguous one" "$CT_STATUS" 1
	[ "$(cat "$D/s1.err")" = "calltrap: $D/s1:15: ambiguous command 'fi': filter, find, finish" ] ||
		fail "fi: $(cat "$D/s1.err")"
	grep -Eq '^tracing 1 function$' "$D/s1.out" || fail "b mul3: $(head -n 3 "$D/s1.out")"
	sed -n '/^FUNCTION /,/breakpoints$/p' "$D/s1.out" > "$D/bps"
	grep -Eq '^mul3 +calls-O[02] +0x[0-9a-f]+ +0$' "$D/bps" &&
		grep -Eq '^add +calls-O[02] +0x[0-9a-f]+ +0$' "$D/bps" &&
		grep -q '^2 breakpoints$' "$D/bps" || fail "i b: $(cat "$D/bps")"
	grep -Eq '^TID +PID +STATE +DEPTH +FUNCTION$' "$D/s1.out" || fail "info thr: no threads table"
	grep -q '^recorded: ' "$D/s1.out" || fail "c: nothing recorded"
	python3 - "$D/s1.out" <<'PY' || fail "find, p, s, fin, n, prev, i r do not show what they should"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.startswith("1 call of 'mul3'"))
ev = lambda l: re.match(r"^#(\d+) [0-9.]+ \[\d+\] +(.*)$", l)
got = lines[i + 1:]
if got[2] != "b = 3":
    sys.exit("p b: %r" % got[2])
seqs = {}
names = ["find", "p", None, "s", "fin", "p2", "n", "prev", "i r"]
for k, l in zip(names, got):
    if k:
        m = ev(l)
        if not m:
            sys.exit("%s: %r" % (k, l))
        seqs[k] = (int(m.group(1)), m.group(2))
f = seqs["find"][0]
checks = [
    seqs["p"] == seqs["find"],
    seqs["s"][0] == f + 1 and seqs["s"][1].startswith("add(a=6, b=4) {"),
    seqs["fin"][0] == f + 2 and seqs["fin"][1].startswith("} add = 10 "),
    seqs["p2"] == seqs["fin"],
    seqs["n"][0] == f + 3 and seqs["n"][1].startswith("} mul3 = 40 "),
    seqs["prev"] == seqs["fin"],
    seqs["i r"] == seqs["fin"] and re.search(r"^ +(rax|x0)=0x", got[9]),
]
if not all(checks):
    sys.exit("checks %r over %r" % (checks, got[:10]))
PY

	# help lists the short forms; help takes one too
	printf '%s\n' 'help' 'help c' 'h fin' > "$D/s2"
	ct repl -x "$D/s2" > "$D/s2.out" 2> "$D/s2.err"
	expect_status "repl: help" "$CT_STATUS" 0
	for l in '^  c  +continue$' '^  n, s, step  +next$' '^  p  +print$' '^  fin  +finish$' \
		'^  b, break  +trace$' '^  info threads  +threads$' '^  info registers  +regs$' \
		'^Short forms: c$' '^usage: finish$'; do
		grep -Eq -- "$l" "$D/s2.out" || fail "help: no line '$l'"
	done

	# an unknown subcommand, an ambiguous prefix: one error line each
	for c in 'info x' 'i' 're'; do
		printf '%s\n' "$c" > "$D/c.in"
		ct repl < "$D/c.in" > "$D/c.out" 2> "$D/c.err"
		expect_status "'$c'" "$CT_STATUS" 1
		[ "$(grep -c '' "$D/c.err")" -eq 1 ] || fail "'$c': $(cat "$D/c.err")"
	done
	grep -q "^calltrap: stdin:1: info: no subcommand 'x' (breakpoints, functions, registers, threads)$" \
		<(printf 'info x\n' | "$CALLTRAP" repl 2>&1) || fail "info x: wrong error"
}

# At a terminal with stdout redirected to a file, quit asks at the terminal.
scenario_query()
{
	local pid

	need_targets calls
	python3 - "$CALLTRAP" "$(target calls)" "$D/q.out" "$D/tty.log" <<'PY' ||
import os, pty, select, sys, time
calltrap, target, outfile, ttylog = sys.argv[1:]
pid, master = pty.fork()
if pid == 0:
    fd = os.open(outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.environ["HOME"] = os.path.dirname(outfile)
    os.environ["TERM"] = "dumb"
    os.execv(calltrap, [calltrap, "repl", "--", target])
seen = b""
def wait_for(what, secs):
    global seen
    end = time.time() + secs
    while what not in seen and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    return what in seen
def done():
    open(ttylog, "wb").write(seen)
# the prompt goes to stdout (the file): wait for the start there
def output():
    try:
        return open(outfile, "rb").read()
    except FileNotFoundError:
        return b""
end = time.time() + 20
while b"stopped at its entry point" not in output() and time.time() < end:
    time.sleep(0.05)
os.write(master, b"quit\n")
if not wait_for(b"kill it and quit? (y or n) ", 20):
    os.kill(pid, 9)
    done()
    sys.exit("the question did not come to the terminal")
os.write(master, b"y\n")
_, status = os.waitpid(pid, 0)
done()
sys.exit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else "status %r" % status)
PY
		fail "quit at a terminal: $(cat "$D/tty.log" 2>/dev/null)"
	pid=$(sed -n 's/^process \([0-9]*\) started, stopped at its entry point$/\1/p' "$D/q.out")
	[ -n "$pid" ] || fail "no start line in the output"
	grep -q "^process $pid killed by signal 9$" "$D/q.out" || fail "no kill line in the output"
	! grep -q 'kill it and quit' "$D/q.out" || fail "the question went to the redirected stdout"
	[ ! -e "/proc/$pid" ] || fail "process $pid left behind"

	# while the question waits for an answer, a program running in the
	# background is traced on: its events (echo on) keep coming into the
	# file; answered n, the session goes on
	need_targets busy
	python3 - "$CALLTRAP" "$(target busy)" "$D/stop" "$D/qb.out" "$D/qbtty.log" <<'PY' ||
import os, pty, select, sys, time
calltrap, target, stop, outfile, ttylog = sys.argv[1:]
pid, master = pty.fork()
if pid == 0:
    fd = os.open(outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.environ["HOME"] = os.path.dirname(outfile)
    os.environ["TERM"] = "dumb"
    os.execv(calltrap, [calltrap, "repl", "--", target, stop, "30"])
seen = b""
def wait_for(what, secs):
    global seen
    end = time.time() + secs
    while what not in seen and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    return what in seen
def output():
    try:
        return open(outfile, "rb").read()
    except FileNotFoundError:
        return b""
def wait_output(what, secs):
    end = time.time() + secs
    while what not in output() and time.time() < end:
        time.sleep(0.05)
    return what in output()
def fail(why):
    os.kill(pid, 9)
    open(ttylog, "wb").write(seen)
    sys.exit(why)
if not wait_output(b"stopped at its entry point", 20):
    fail("busy did not start")
os.write(master, b"trace step\ncontinue &\n")
if not wait_output(b"step(", 20):
    fail("no step() event before the question")
os.write(master, b"quit\n")
if not wait_for(b"kill it and quit? (y or n) ", 20):
    fail("the question did not come to the terminal")
# the events printed while nobody answers
before = output().count(b"step(")
end = time.time() + 20
while output().count(b"step(") < before + 3 and time.time() < end:
    time.sleep(0.05)
if output().count(b"step(") < before + 3:
    fail("no event while the question waited: the program was held")
os.write(master, b"n\nkill\nquit\n")
_, status = os.waitpid(pid, 0)
open(ttylog, "wb").write(seen)
sys.exit(0 if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else "status %r" % status)
PY
		fail "the question held the program: $(cat "$D/qbtty.log" 2>/dev/null)"
	# (busy's own pid= line may not be out yet when it is killed)
	pid=$(sed -n 's/^process \([0-9]*\) started, stopped at its entry point$/\1/p' "$D/qb.out")
	[ -n "$pid" ] || fail "no start line in the output: $(head -n 3 "$D/qb.out")"
	[ ! -e "/proc/$pid" ] || fail "busy ($pid) left behind"
}

# A script that cannot be read, or is interrupted, fails: one error line,
# exit status 1 (a closed stdin made the REPL spin; a Ctrl-C while the
# pipe was silent ended the run with 0).
scenario_input_errors()
{
	local pid

	timeout 20 "$CALLTRAP" repl <&- > "$D/closed.out" 2> "$D/closed.err"
	expect_status "repl with stdin closed" "$?" 1
	[ "$(cat "$D/closed.err")" = "calltrap: reading the commands: Bad file descriptor" ] ||
		fail "stdin closed: $(cat "$D/closed.err")"

	# a pipe that stays open, silent after its first line
	need_targets busy
	mkfifo "$D/int.fifo"
	"$CALLTRAP" repl -- "$(target busy)" "$D/stop" 30 < "$D/int.fifo" > "$D/int.out" \
		2> "$D/int.err" &
	pid=$!
	exec 7> "$D/int.fifo"
	printf 'info breakpoints\n' >&7
	wait_line "$D/int.out" 'breakpoint' 20 || fail "the first command never ran: $(cat "$D/int.out")"
	kill -INT "$pid"
	if ! wait_pid "$pid" 20; then
		kill -9 "$pid"
		exec 7>&-
		fail "Ctrl-C did not end the script"
	fi
	exec 7>&-
	wait "$pid"
	expect_status "repl interrupted" "$?" 1
	grep -qx 'calltrap: stdin:1: interrupted' "$D/int.err" || fail "interrupted: $(cat "$D/int.err")"
}

rc=0
run_opts scenario_background || rc=1
run_opts scenario_short_forms || rc=1
run_opts scenario_query || rc=1
run_opts scenario_input_errors || rc=1
exit $rc
