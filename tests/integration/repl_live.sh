#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap repl in batch mode (-x SCRIPT and piped stdin) on live programs:
# a program started stopped at its entry point and run to its end records
# exactly the events its truth lists; trace/untrace before it runs change
# what is recorded; an attached process is traced for a while, inspected
# (threads, bt, info breakpoints) and detached unchanged; kill; and the
# batch rules: the first failing command ends the run with status 1 and a
# "SCRIPT:LINE:" error, unless `set continue-on-error on`.
. "$(dirname "$0")/lib.sh"

# How long `continue TIME` lets busy run: CT_ATTACH_SECS is longer on slow
# machines (the aarch64 guest sets it).
RUN_SECS=${CT_ATTACH_SECS:-0.5}s

# repl OUT SCRIPT ARGS...: calltrap repl -x SCRIPT ARGS, stdout to OUT.
repl()
{
	local out=$1 script=$2

	shift 2
	ct repl -x "$script" "$@" > "$out" 2> "${out%.out}.err" < /dev/null
}

# count_truth FILE TYPE FUNC: truth events of that type and function.
count_truth()
{
	grep -c "^truth ev .* type=$2 func=$3 " "$1"
}

scenario_spawn()
{
	local t pid

	need_targets calls
	t=$(target calls)
	printf '%s\n' 'set echo off' "list functions 'mul*'" 'continue' 'events 2' 'find mul3' \
		"save $D/calls.trace" > "$D/s1"
	repl "$D/run.out" "$D/s1" -e add -e mul3 -e sum6 -e recurse -- "$t"
	expect_status "repl: continue to the end" "$CT_STATUS" 0
	[ ! -s "$D/run.err" ] || fail "stderr not empty: $(head -n 5 "$D/run.err")"
	pid=$(main_pid "$D/run.out")
	grep -q "^process $pid started, stopped at its entry point$" "$D/run.out" ||
		fail "no 'started' line for process $pid"
	grep -q "^process $pid exited with status 0$" "$D/run.out" || fail "no exit line"
	grep -q '^recorded: [0-9]* events' "$D/run.out" || fail "no 'recorded' line"
	checks_ok "$D/run.out"
	ct dump --format=jsonl "$D/calls.trace" > "$D/calls.jsonl" 2> "$D/dump.err"
	expect_status "dump of the saved trace" "$CT_STATUS" 0
	check check --events "$D/calls.jsonl" --truth "$D/run.out"
	# list functions before it ran; events and find over the recording
	grep -Eq '^mul3 +calls-O[02] +0x[0-9a-f]+ +traced$' "$D/run.out" ||
		fail "list functions 'mul*' does not show mul3 as traced"
	[ "$(grep -Ec '^mul[^ ]* +calls-O' "$D/run.out")" -eq 1 ] ||
		fail "list functions 'mul*' shows other functions of calls"
	python3 - "$D/calls.jsonl" "$D/run.out" <<'PY' || fail "events/find on the live recording"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
out = [l for l in open(sys.argv[2]).read().split("\n") if l.startswith("#") or " of 'mul3'" in l]
mul3 = [e for e in evs if e["type"] == "call" and e["func"] == "mul3"]
want = ["#%d " % evs[0]["seq"], "#%d " % evs[1]["seq"]] + ["#%d " % e["seq"] for e in mul3]
bad = [(w, o) for w, o in zip(want, out) if not o.startswith(w)]
summary = [l for l in out if " of 'mul3'" in l]
if bad or len(out) < len(want) or not summary or not summary[0].startswith("%d call" % len(mul3)):
    sys.exit("want %r, got %r" % (want, out))
PY

	# before it runs: untrace add, trace mul3 -> only mul3's calls
	printf '%s\n' 'set echo off' 'untrace add' 'trace mul3' 'info breakpoints' \
		'continue' "save $D/mul3.trace" > "$D/s2"
	repl "$D/mul3.out" "$D/s2" -e add -- "$t"
	expect_status "repl: untrace/trace at the entry point" "$CT_STATUS" 0
	grep -Eq '^mul3 ' "$D/mul3.out" || fail "info breakpoints does not list mul3"
	grep -Eq '^add ' "$D/mul3.out" && fail "info breakpoints still lists add after untrace"
	ct dump --format=jsonl "$D/mul3.trace" > "$D/mul3.jsonl" 2> "$D/dump2.err"
	expect_status "dump of mul3.trace" "$CT_STATUS" 0
	python3 - "$D/mul3.jsonl" "$(count_truth "$D/mul3.out" call mul3)" <<'PY' ||
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
calls = [e for e in evs if e["type"] == "call"]
funcs = {e["func"] for e in calls}
want = int(sys.argv[2])
if funcs != {"mul3"} or len(calls) != want or want == 0:
    sys.exit("calls %d of %s, want %d of mul3" % (len(calls), sorted(funcs), want))
PY
		fail "untrace add / trace mul3 recorded the wrong calls"
}

scenario_attach()
{
	local p

	need_targets busy
	"$(target busy)" "$D/stop" 60 > "$D/busy.out" 2>&1 &
	p=$!
	BG_PIDS="$BG_PIDS $p"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$p" "$D/snap"
	printf '%s\n' 'set echo off' "attach $p" 'trace step' "continue $RUN_SECS" 'threads' 'bt' \
		'info breakpoints' 'events 3' 'detach' > "$D/s3"
	repl "$D/attach.out" "$D/s3"
	expect_status "repl -p: trace for 300ms and detach" "$CT_STATUS" 0
	grep -q "^attached to process $p; every thread is stopped$" "$D/attach.out" ||
		fail "no attach line"
	grep -q '^stopped (time is up): [1-9][0-9]* events' "$D/attach.out" ||
		fail "continue $RUN_SECS did not stop with events"
	# main, stepper and reader, each on a line of `threads`
	[ "$(grep -Ec "^[0-9]+ +$p +(stopped|group-stopped)" "$D/attach.out")" -ge 3 ] ||
		fail "threads does not list 3 stopped threads"
	grep -Eq '^step +busy-O[02] +0x[0-9a-f]+ +[1-9][0-9]*$' "$D/attach.out" ||
		fail "info breakpoints has no hits for step"
	grep -q "^detached from process $p; it runs on untraced$" "$D/attach.out" ||
		fail "no detach line"
	detached "$p" "$D/snap"
	touch "$D/stop"
	wait_pid "$p" 30
	expect_status "busy after repl attach/detach" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
}

# SIGTERM (or SIGHUP) ends calltrap repl as `quit` would: an attached
# process is detached unchanged, whether calltrap was running it or
# waiting for a command.
scenario_sigterm()
{
	local p c rc what

	need_targets busy
	"$(target busy)" "$D/stop-term" 60 > "$D/busy.out" 2>&1 &
	p=$!
	BG_PIDS="$BG_PIDS $p"
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$p" "$D/snap"
	for what in continue prompt; do
		rm -f "$D/fifo"
		mkfifo "$D/fifo"
		timeout -k 5 "$CT_TIMEOUT" "$CALLTRAP" repl -p "$p" < "$D/fifo" > "$D/t.out" 2> "$D/t.err" &
		c=$!
		exec 7> "$D/fifo"
		if [ "$what" = continue ]; then
			printf '%s\n' 'set echo off' 'trace step' 'continue 60s' >&7
		else
			printf '%s\n' 'set echo off' 'trace step' 'continue 200ms' >&7
			wait_line "$D/t.out" '^stopped' 20 || fail "continue 200ms did not end"
		fi
		wait_line "$D/t.out" '^attached' 20 || fail "$what: no attach"
		sleep 0.5
		kill -TERM "$c"
		rc=0
		wait "$c" || rc=$?
		exec 7>&-
		expect_status "calltrap repl -p after SIGTERM ($what)" "$rc" 143
		grep -q '^calltrap: ended by SIGTERM$' "$D/t.err" || fail "$what: $(cat "$D/t.err")"
		grep -q "^detached from process $p\$" "$D/t.out" || fail "$what: no detach line"
		detached "$p" "$D/snap"
	done
	touch "$D/stop-term"
	wait_pid "$p" 30
	expect_status "busy after two SIGTERMs" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
}

scenario_kill()
{
	local pid

	need_targets busy
	# long enough for busy to start its threads (the aarch64 guest is slow)
	printf '%s\n' 'set echo off' 'trace step' "continue $RUN_SECS" 'threads' 'bt' 'continue &' \
		'untrace step' 'stop' 'info breakpoints' 'kill' 'threads' > "$D/s4"
	repl "$D/kill.out" "$D/s4" -- "$(target busy)" "$D/stop-kill" 60
	# `threads` after the kill fails: no program
	expect_status "repl: kill then threads" "$CT_STATUS" 1
	pid=$(sed -n 's/^pid=//p' "$D/kill.out")
	grep -q "^process $pid killed by signal 9$" "$D/kill.out" || fail "no kill line"
	# untrace while it runs in the background
	grep -Eq '^stopped tracing [1-9][0-9]* functions?$' "$D/kill.out" ||
		fail "untrace step while running: $(grep -i trac "$D/kill.out")"
	sed -n '/^FUNCTION /,/breakpoints\?$/p' "$D/kill.out" > "$D/bps"
	grep -q '^main ' "$D/bps" || fail "info breakpoints lists no main"
	! grep -q '^step ' "$D/bps" || fail "step is still traced after untrace"
	grep -q ':11: the program has exited' "$D/kill.err" ||
		fail "threads after kill: $(cat "$D/kill.err")"
	[ ! -e "/proc/$pid" ] || fail "process $pid still exists after kill and quit"
	# the reader thread blocks in read() inside reader(): its innermost
	# traced frame, in `threads` and in `bt`; the stepper is in stepper()
	grep -Eq "^[0-9]+ +$pid +stopped +[1-9][0-9]* +reader$" "$D/kill.out" ||
		fail "threads: no thread stopped in reader"
	python3 - "$D/kill.out" "$pid" <<'PY' || fail "bt does not show what reader and stepper do"
import re, sys
blocks, cur = {}, None
for l in open(sys.argv[1]):
    m = re.match(r'^thread (\d+) "[^"]*" state ', l)
    if m:
        cur = blocks.setdefault(m.group(1), {"sys": None, "frames": []})
        continue
    if cur is None:
        continue
    m = re.match(r"^    in (\w+)\(", l)
    if m:
        cur["sys"] = m.group(1)
    m = re.match(r"^    #(\d+) +0x[0-9a-f]+ in ([\w.@]+)\+0x[0-9a-f]+ \(([^)]+)\)", l)
    if m:
        cur["frames"].append((m.group(2), m.group(3)))
# the reader thread: in read(), called from reader() of busy; the stepper
# in stepper() (every frame unwound, traced or not)
reader = [b for b in blocks.values() if ("reader", "busy-O0") in b["frames"]]
stepper = [b for b in blocks.values() if ("stepper", "busy-O0") in b["frames"]]
main = blocks.get(sys.argv[2])
if (len(blocks) != 3 or not reader or reader[0]["sys"] != "read" or not stepper or not main
        or ("main", "busy-O0") not in main["frames"]):
    sys.exit("bt blocks: %r" % blocks)
PY
	grep -Eq '^stopped: [0-9]+ events' "$D/kill.out" || fail "stop after continue & said nothing"

	# a script that ends with the program stopped: it is killed, status 0
	printf '%s\n' 'set echo off' "run '$(target busy)' '$D/stop-kill' 60" "continue $RUN_SECS" \
		> "$D/s4b"
	repl "$D/end.out" "$D/s4b"
	expect_status "repl: script ends with a program traced" "$CT_STATUS" 0
	pid=$(sed -n 's/^pid=//p' "$D/end.out")
	[ -n "$pid" ] || fail "busy did not start"
	[ ! -e "/proc/$pid" ] || fail "process $pid left behind at the end of the script"
}

# trace on a live program: a pattern that matches only functions traced
# already says so and goes on; one that matches nothing fails the script
scenario_trace_match()
{
	need_targets calls
	printf '%s\n' 'set echo off' 'trace add' 'trace no_such_function_xyz' 'help' > "$D/s7"
	repl "$D/tm.out" "$D/s7" -e add -- "$(target calls)"
	expect_status "repl: trace of nothing" "$CT_STATUS" 1
	grep -q "^'add': the 1 matching function is traced already$" "$D/tm.out" ||
		fail "trace add: $(cat "$D/tm.out")"
	[ "$(grep -c '' "$D/tm.err")" -eq 1 ] &&
		grep -q "^calltrap: $D/s7:3: trace no_such_function_xyz: 'no_such_function_xyz' matches no function" \
			"$D/tm.err" || fail "trace of nothing: $(cat "$D/tm.err")"
	! grep -q '^Type .help COMMAND' "$D/tm.out" || fail "commands after the failure ran"
}

scenario_batch()
{
	local c

	# piped stdin: help lists every command
	printf 'help\n' > "$D/help.in"
	ct repl < "$D/help.in" > "$D/help.out" 2> "$D/help.err"
	expect_status "repl help from a pipe" "$CT_STATUS" 0
	sed -n '/^\.SH REPL/,/^\.SH EXIT STATUS/p' "$TOP_SRCDIR/man/calltrap.1" > "$D/man-repl"
	for c in run attach detach continue wait stop kill trace untrace list info threads bt \
		events filter replay report goto next prev finish find print regs save load dump \
		help set quit; do
		grep -Eq "^  $c( |\$)" "$D/help.out" || fail "help does not list '$c'"
		grep -Eq "^\\.B[IR]? \"?$c\\b" "$D/man-repl" ||
			fail "man/calltrap.1 has no entry for the REPL command '$c'"
	done
	printf 'help filter\n' > "$D/hf.in"
	ct repl < "$D/hf.in" > "$D/hf.out" 2> "$D/hf.err"
	grep -q '^usage: filter' "$D/hf.out" || fail "help filter shows no usage"
	grep -q '^Examples:' "$D/hf.out" || fail "help filter shows no examples"

	# the first failing command ends the run
	printf '%s\n' 'set' 'bogus 1 2' 'help' > "$D/s5"
	repl "$D/err.out" "$D/s5"
	expect_status "a failing command" "$CT_STATUS" 1
	[ "$(cat "$D/err.err")" = "calltrap: $D/s5:2: unknown command 'bogus' (try 'help')" ] ||
		fail "error line: $(cat "$D/err.err")"
	grep -q '^Type .help COMMAND' "$D/err.out" && fail "commands after the failure ran"

	printf '%s\n' 'set continue-on-error on' 'bogus' 'help' > "$D/s6"
	repl "$D/coe.out" "$D/s6"
	expect_status "continue-on-error (still 1 at the end)" "$CT_STATUS" 1
	grep -q '^Type .help COMMAND' "$D/coe.out" || fail "continue-on-error did not go on"

	# no program, no events: errors, not crashes
	for c in continue threads 'events' 'goto 1' 'attach 0' 'filter depth<=x'; do
		printf '%s\n' "$c" > "$D/c.in"
		ct repl < "$D/c.in" > "$D/c.out" 2> "$D/c.err"
		expect_status "'$c' with nothing loaded" "$CT_STATUS" 1
		[ "$(grep -c '' "$D/c.err")" -eq 1 ] && grep -q '^calltrap: stdin:1: ' "$D/c.err" ||
			fail "'$c': want one error line, got: $(cat "$D/c.err")"
	done
	ct repl -x "$D/no-such-script" > "$D/c.out" 2> "$D/c.err"
	expect_status "missing script" "$CT_STATUS" 1
	ct repl a b > "$D/c.out" 2> "$D/c.err"
	expect_status "two files" "$CT_STATUS" 2
}

rc=0
run_opts scenario_spawn || rc=1
run_opts scenario_attach || rc=1
OPTS=O0 run_opts scenario_kill || rc=1
OPTS=O0 run_opts scenario_sigterm || rc=1
OPTS=O0 run_opts scenario_batch || rc=1
OPTS=O0 run_opts scenario_trace_match || rc=1
exit $rc
