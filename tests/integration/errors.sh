#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input gives exactly one line on stderr starting with "calltrap: ", a
# non-zero exit status, nothing on stdout, and no hang: no such program, no
# such pid, a pid already traced by someone else, a kernel thread, a pattern
# that matches nothing (after the program's end), and malformed command lines.
. "$(dirname "$0")/lib.sh"

# expect_error WHAT ARGS...: calltrap ARGS must fail with one error line.
expect_error()
{
	local what=$1 n

	shift
	ct "$@" > "$D/e.out" 2> "$D/e.err" < /dev/null
	[ "$CT_STATUS" -ne 0 ] || fail "$what: calltrap $* exited 0"
	n=$(grep -c '' "$D/e.err")
	if [ "$n" -ne 1 ] || ! grep -q '^calltrap: .' "$D/e.err"; then
		cat "$D/e.err"
		fail "$what: $n stderr line(s), want exactly one 'calltrap: ...' line"
	fi
	if [ -z "${ALLOW_STDOUT:-}" ] && [ -s "$D/e.out" ]; then
		head -n 5 "$D/e.out"
		fail "$what: output on stdout"
	fi
	note "$what: status $CT_STATUS: $(cat "$D/e.err")"
}

scenario()
{
	local t dead tpid

	need_targets calls
	t=$(target calls)
	need_file "$TARGETS/traceme"

	expect_error "no such program" trace -- "$D/no-such-program"
	expect_error "not executable" trace -- "$D"
	expect_error "no program" trace
	expect_error "unknown option" trace --no-such-option -- "$t"
	expect_error "bad format" trace --format=no-such-format -- "$t"

	sh -c 'echo $$ > "$1"' sh "$D/dead.pid"
	dead=$(cat "$D/dead.pid")
	[ ! -e "/proc/$dead" ] || fail "pid $dead was reused; cannot test a missing pid"
	expect_error "no such pid" trace -p "$dead" --duration=1
	expect_error "bad duration" trace -p "$dead" --duration=soon
	expect_error "pid out of range" trace -p 2147483647 --duration=1
	expect_error "not a pid" trace -p 12abc --duration=1

	# A process that its own parent traces (PTRACE_TRACEME) cannot be
	# attached to: the kernel says EPERM.
	"$TARGETS/traceme" 20 > "$D/traceme.out" 2>&1 &
	tpid=$!
	BG_PIDS="$BG_PIDS $tpid"
	wait_line "$D/traceme.out" '^pid=' 10 || fail "traceme did not start"
	grep -q "^TracerPid:[[:space:]]*[1-9]" "/proc/$tpid/status" || fail "traceme is not traced"
	expect_error "already traced" trace -p "$tpid" --duration=1
	kill -KILL "$tpid"
	wait "$tpid" 2>/dev/null

	# A process we may not trace: as root, drop to nobody (from a copy of
	# calltrap that nobody can run) against a root process; otherwise pid 1.
	if [ "$(id -u)" -eq 0 ]; then
		local pub
		pub=$(mktemp -d /tmp/calltrap-pub.XXXXXX)
		chmod 755 "$pub"
		cp "$CALLTRAP" "$pub/calltrap"
		sleep 30 &
		tpid=$!
		BG_PIDS="$BG_PIDS $tpid"
		CT_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups" CALLTRAP="$pub/calltrap" \
			expect_error "may not trace" trace -p "$tpid" --duration=1
		kill "$tpid"
		wait "$tpid" 2>/dev/null
		rm -rf "$pub"
	else
		expect_error "may not trace" trace -p 1 --duration=1
	fi

	# A pattern could still match a library loaded later: it stays pending,
	# the program runs to its end (its stdout is its own), and then the
	# pattern is named (the events go to a file, so the line is alone).
	ALLOW_STDOUT=1 expect_error "pattern matches nothing" \
		trace -e no_such_function_xyz -o "$D/e.ev" -- "$t"
	# the ':' of a character class is the glob's, not a module separator
	# (split there, this named a module "no_such_[[" and was silent)
	ALLOW_STDOUT=1 expect_error "class pattern matches nothing" \
		trace -e 'no_such_[[:lower:]]xyz' -o "$D/e.ev" -- "$t"
	# a kernel thread (kthreadd, pid 2 outside a pid namespace) runs no code
	# to trace: said so, not "No such process"
	if grep -q '^2 (kthreadd)' /proc/2/stat 2> /dev/null; then
		expect_error "kernel thread" trace -p 2 --duration=1
		grep -q "kernel thread" "$D/e.err" || fail "trace -p 2 does not say it is a kernel thread"
	fi
}

OPTS=O0 run_opts scenario
