#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap repl at a terminal (tmux): Tab completes a partly typed function
# name (module-qualified too: busy-O0:stepp), a module's name, a command and
# a file name; Ctrl-C stops a running `continue` and
# gives the prompt back; `continue &` keeps the prompt, whose event count
# grows, until `stop`; `quit` asks and then leaves the attached process
# running as it was; the history of one session is there (Up arrow) in the
# next; Ctrl-D asks and kills a program calltrap started.
. "$(dirname "$0")/lib.sh"

OPTS=${OPTS_TTY:-O0}
SOCK=calltrap-test-$$

tm()
{
	tmux -L "$SOCK" -f /dev/null "$@"
}

# new_session ARGS...: tmux new-session -d -s ct ARGS; a server that dies
# while starting (seen under heavy load: "server exited unexpectedly") is
# started again, twice at most.
new_session()
{
	local i

	for i in 1 2 3; do
		tm kill-session -t ct 2>/dev/null
		tm new-session -d -s ct -x 160 -y 50 "$@" && return 0
		sleep 1
	done
	fail "tmux new-session failed three times"
}

# wait_pane REGEX SECS: the visible pane matches REGEX (grep -E).
wait_pane()
{
	local i=0 n=$(($2 * 10))

	while [ "$i" -lt "$n" ]; do
		tm capture-pane -p -t ct > "$D/pane" 2>/dev/null
		grep -Eq -- "$1" "$D/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cp "$D/pane" "$D/pane.err"
	return 1
}

# The last non-empty line of the pane.
last_line()
{
	tm capture-pane -p -t ct | sed '/^[[:space:]]*$/d' | tail -n 1
}

start_repl()
{
	new_session "env HOME='$D/home' TERM=xterm '$CALLTRAP' repl -p $1; echo REPL-EXIT=\$?; sleep 60"
	wait_pane '^\(calltrap\) ?$' 20 || fail "no prompt: $(cat "$D/pane.err")"
}

scenario()
{
	local p p2 n1 n2 i

	need_targets busy
	command -v tmux > /dev/null || fail "tmux is not installed (scripts/setup.sh installs it)"
	mkdir -p "$D/home"
	"$(target busy)" "$D/stop" 120 > "$D/busy.out" 2>&1 &
	p=$!
	BG_PIDS="$BG_PIDS $p"
	trap 'tm kill-server 2>/dev/null; kill_bg' EXIT
	wait_line "$D/busy.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$p" "$D/snap"

	start_repl "$p"
	# completion of a partly typed name: "stepp" can only be stepper
	tm send-keys -t ct 'trace stepp' Tab
	wait_pane '^\(calltrap\) trace stepper ?$' 10 ||
		fail "Tab did not complete 'stepp': $(cat "$D/pane.err")"
	tm send-keys -t ct 'step' Enter
	wait_pane 'traced already' 10 || fail "trace stepper step: $(cat "$D/pane.err")"
	# a module's name, then a function of that module, as "stepp" does
	tm send-keys -t ct 'trace busy-O' Tab
	wait_pane '^\(calltrap\) trace busy-O0: ?$' 10 ||
		fail "Tab did not complete the module 'busy-O': $(cat "$D/pane.err")"
	tm send-keys -t ct 'stepp' Tab
	wait_pane '^\(calltrap\) trace busy-O0:stepper ?$' 10 ||
		fail "Tab did not complete 'busy-O0:stepp': $(cat "$D/pane.err")"
	tm send-keys -t ct Enter
	i=0
	while [ "$(tm capture-pane -p -t ct | grep -c 'traced already')" -lt 2 ]; do
		[ "$i" -lt 100 ] || fail "trace busy-O0:stepper: $(tm capture-pane -p -t ct)"
		sleep 0.1
		i=$((i + 1))
	done

	# Ctrl-C stops a running continue, and the prompt comes back
	tm send-keys -t ct 'set echo off' Enter 'continue' Enter
	wait_pane '^\(calltrap\) continue$' 10 || fail "continue not typed: $(cat "$D/pane.err")"
	sleep 1
	tm send-keys -t ct C-c
	wait_pane '^(\^C)?stopped: [1-9][0-9]* events' 10 ||
		fail "Ctrl-C did not stop continue: $(cat "$D/pane.err")"
	wait_pane '^\(calltrap\) ?$' 10 || fail "no prompt after Ctrl-C: $(cat "$D/pane.err")"
	grep -q '^State:[[:space:]]*[tT]' "/proc/$p/status" ||
		fail "the process is not stopped after Ctrl-C: $(grep State "/proc/$p/status")"

	# in the background the prompt stays and its event count keeps up
	tm send-keys -t ct 'continue &' Enter
	wait_pane '^running in the background' 10 || fail "continue &: $(cat "$D/pane.err")"
	wait_pane '^\(calltrap: running, [0-9]+ events\)' 10 ||
		fail "no running prompt: $(cat "$D/pane.err")"
	n1=$(last_line | sed -n 's/^(calltrap: running, \([0-9]*\) events).*/\1/p')
	sleep 1.5
	n2=$(last_line | sed -n 's/^(calltrap: running, \([0-9]*\) events).*/\1/p')
	[ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ] ||
		fail "the prompt's event count did not grow: '$n1' then '$n2'"
	tm send-keys -t ct 'stop' Enter
	wait_pane '^stopped: [1-9][0-9]* events' 10 || fail "stop: $(cat "$D/pane.err")"
	grep -q '^State:[[:space:]]*[tT]' "/proc/$p/status" ||
		fail "the process is not stopped after stop: $(grep State "/proc/$p/status")"

	tm send-keys -t ct 'info breakpoints' Enter
	wait_pane '^step +busy-O0 +0x[0-9a-f]+ +[1-9][0-9]*$' 10 ||
		fail "info breakpoints shows no hits of step: $(cat "$D/pane.err")"

	# thread ids: Tab adds what the three have in common, a second Tab
	# lists them
	tm send-keys -t ct 'bt ' Tab
	sleep 0.3
	tm send-keys -t ct Tab
	for t in /proc/"$p"/task/*; do
		wait_pane "(^| )${t##*/}( |\$)" 10 ||
			fail "Tab after 'bt ' does not list thread ${t##*/}: $(cat "$D/pane.err")"
	done
	tm send-keys -t ct C-u

	# quit asks, then detaches: the process runs on, unchanged
	tm send-keys -t ct 'quit' Enter
	wait_pane 'detach from it and quit\? \(y or n\)' 10 ||
		fail "quit did not ask: $(cat "$D/pane.err")"
	tm send-keys -t ct 'y' Enter
	wait_pane 'REPL-EXIT=0' 20 || fail "calltrap did not end with status 0: $(cat "$D/pane.err")"
	detached "$p" "$D/snap"

	# the history of the first session, in the second (libedit's file
	# format writes a space as \040)
	grep -qx 'info\\040breakpoints' "$D/home/.calltrap_history" ||
		fail "~/.calltrap_history lacks 'info breakpoints': $(cat "$D/home/.calltrap_history")"
	start_repl "$p"
	tm send-keys -t ct Up
	wait_pane '^\(calltrap\) quit$' 10 || fail "Up did not recall 'quit': $(cat "$D/pane.err")"
	tm send-keys -t ct Up
	wait_pane '^\(calltrap\) info breakpoints$' 10 ||
		fail "a second Up did not recall 'info breakpoints': $(cat "$D/pane.err")"
	tm send-keys -t ct C-e C-u 'quit' Enter
	wait_pane 'y or n' 10 || fail "quit did not ask: $(cat "$D/pane.err")"
	tm send-keys -t ct 'y' Enter
	wait_pane 'REPL-EXIT=0' 20 || fail "second session did not end: $(cat "$D/pane.err")"
	detached "$p" "$D/snap"

	# a program calltrap started: completion of a command and of a file
	# name, then Ctrl-D asks and kills it
	: > "$D/unique-name.trace"
	new_session -c "$D" \
		"env HOME='$D/home' TERM=xterm '$CALLTRAP' repl -- '$(target busy)' '$D/stop2' 60; echo REPL-EXIT=\$?; sleep 60"
	wait_pane '^\(calltrap\) ?$' 20 || fail "no prompt: $(cat "$D/pane.err")"
	p2=$(sed -n 's/^process \([0-9]*\) started.*/\1/p' "$D/pane")
	[ -n "$p2" ] || fail "no 'process N started' line: $(cat "$D/pane")"
	tm send-keys -t ct 'inf' Tab
	wait_pane '^\(calltrap\) info ?$' 10 || fail "Tab did not complete 'inf': $(cat "$D/pane.err")"
	tm send-keys -t ct C-u 'load uniq' Tab
	wait_pane '^\(calltrap\) load unique-name.trace ?$' 10 ||
		fail "Tab did not complete a file name: $(cat "$D/pane.err")"
	tm send-keys -t ct C-u C-d
	wait_pane 'kill it and quit\? \(y or n\)' 10 || fail "Ctrl-D did not ask: $(cat "$D/pane.err")"
	tm send-keys -t ct 'y' Enter
	wait_pane 'REPL-EXIT=0' 20 || fail "Ctrl-D did not end calltrap: $(cat "$D/pane.err")"
	[ ! -e "/proc/$p2" ] || fail "the program calltrap started is still there after Ctrl-D"

	touch "$D/stop"
	wait_pid "$p" 30
	expect_status "busy after two sessions" "$WAIT_STATUS" 0
	checks_ok "$D/busy.out"
}

run_opts scenario
