# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the integration tests, sourced by every tests/integration/*.sh.
#
# `make check` sets CALLTRAP, TARGETS, TOP_SRCDIR and TOP_BUILDDIR (Makefile.am
# AM_TESTS_ENVIRONMENT); run by hand from the build directory, the defaults
# below find the same files:  bash /path/to/src/tests/integration/calls.sh
#
# A script defines one function per scenario and ends with
#     run_opts scenario_function
# which runs it once per optimisation level (OPT=O0, OPT=O2) in a subshell
# with its own scratch directory $D; `fail` ends that subshell.  Every
# calltrap run goes through `ct` (a timeout, so a hang is a failure, never a
# stuck `make check`).  The scratch directory is removed at the end unless a
# scenario failed or KEEP_WORK=1.

# make runs the tests with $(SHELL), which configure may have set to a plain
# POSIX sh; everything below needs bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

set -u

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$PWD}
CALLTRAP=${CALLTRAP:-$TOP_BUILDDIR/calltrap}
TARGETS=${TARGETS:-$TOP_BUILDDIR/tests/targets}
CHECKER=$TOP_SRCDIR/tests/integration/check_events.py
OPTS=${OPTS:-O0 O2}
CT_TIMEOUT=${CT_TIMEOUT:-60}
# wait_line and wait_pid wait this many times longer where calltrap may run
# longer (the emulated aarch64 guest's CT_TIMEOUT is 180: 3 times); a wait
# that ends early costs nothing, and a loaded machine no longer fails it
CT_WAIT_SCALE=$((CT_TIMEOUT >= 120 ? CT_TIMEOUT / 60 : 1))

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/calltrap-$TEST_NAME.XXXXXX") || exit 99
OPT=
D=$WORK
BG_PIDS=""
FAILED=

# Killed targets must not leave core files behind.
ulimit -c 0

# The test's own log, for messages from functions whose output is redirected
# (fail inside `ct ... > file`).
exec 9>&1

kill_bg()
{
	local p

	for p in $BG_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	BG_PIDS=""
}

lib_cleanup()
{
	kill_bg
	if [ "${KEEP_WORK:-0}" = 1 ] || [ -n "$FAILED" ]; then
		echo "[$TEST_NAME] scratch files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap lib_cleanup EXIT
trap 'exit 1' INT TERM HUP

note()
{
	echo "[$TEST_NAME${OPT:+ $OPT}] $*" >&9
}

# Print the reason (and the end of calltrap's stderr, if any) and fail.
fail()
{
	local f

	{
		echo "FAIL [$TEST_NAME${OPT:+ $OPT}]: $*"
		for f in "$D"/*.err; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f:"
			tail -n 15 "$f"
		done
	} >&9
	exit 1
}

need_file()
{
	[ -x "$1" ] || fail "$1 is missing or not executable (run 'make check', which builds it)"
}

# The path of test target NAME at the current optimisation level.
target()
{
	echo "$TARGETS/$1-$OPT"
}

# need_targets NAME...: the targets (at this level) and calltrap are built.
need_targets()
{
	local t

	need_file "$CALLTRAP"
	for t in "$@"; do
		need_file "$(target "$t")"
	done
}

# ct ARGS...: run calltrap; its exit status goes to CT_STATUS.  Redirect
# around the call as usual.  A run that outlives CT_TIMEOUT seconds is killed
# (with its tracee: timeout signals its whole process group) and fails.
ct()
{
	local rc=0

	need_file "$CALLTRAP"
	# CT_WRAP: a command prefix, e.g. setpriv to run calltrap as another user
	# shellcheck disable=SC2086
	timeout -k 5 "$CT_TIMEOUT" ${CT_WRAP:-} "$CALLTRAP" "$@" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "calltrap $* did not finish within ${CT_TIMEOUT}s (status $rc)"
	fi
	# shellcheck disable=SC2034 # read by the scripts
	CT_STATUS=$rc
}

# expect_status WHAT GOT WANT
expect_status()
{
	[ "$2" -eq "$3" ] || fail "$1: exit status $2, want $3"
}

# check SUBCOMMAND ARGS...: run the event checker; fail if it finds anything.
check()
{
	python3 "$CHECKER" "$@" || fail "check_events.py $1 found problems (see above)"
}

# Replace pids and tids, which differ between runs, by N.
normalize()
{
	sed -E 's/\b(pid|tid|parent|child)=[0-9]+/\1=N/g' "$1"
}

# same_output UNTRACED TRACED: a target's stdout does not change under calltrap.
same_output()
{
	normalize "$1" > "$1.norm"
	normalize "$2" > "$2.norm"
	diff -u "$1.norm" "$2.norm" || fail "stdout under calltrap differs from the untraced run"
}

# checks_ok FILE: the target's own "check NAME ok|FAIL" lines all passed.
checks_ok()
{
	if grep -q '^check .*FAIL' "$1"; then
		grep '^check .*FAIL' "$1" | head -n 10
		fail "the target reported failed checks in $1"
	fi
	grep -q '^check .* ok' "$1" || fail "no check lines in $1: did the target run to the end?"
}

# main_pid FILE: the pid the target printed as "truth pid=P role=main".
main_pid()
{
	sed -n 's/^truth pid=\([0-9]*\) role=main$/\1/p' "$1" | head -n 1
}

# run_untraced OUT TARGET ARGS...: the target on its own, exit status in UT_STATUS.
run_untraced()
{
	local out=$1 rc=0

	shift
	timeout -k 5 "$CT_TIMEOUT" "$@" > "$out" || rc=$?
	# shellcheck disable=SC2034 # read by the scripts
	UT_STATUS=$rc
}

# wait_line FILE REGEX SECS: wait until a line of FILE matches.
wait_line()
{
	local i=0 n=$(($3 * 20 * CT_WAIT_SCALE))

	while [ "$i" -lt "$n" ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait_pid PID SECS: wait for a background child; its status in WAIT_STATUS.
# A child still running after SECS seconds is killed and the test fails.
wait_pid()
{
	local pid=$1 n=$(($2 * 20 * CT_WAIT_SCALE)) i=0 rc=0 state

	while [ "$i" -lt "$n" ]; do
		state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
		if [ -z "$state" ] || [ "$state" = Z ]; then
			break
		fi
		sleep 0.05
		i=$((i + 1))
	done
	if [ "$i" -ge "$n" ]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "process $pid did not end within $(($2 * CT_WAIT_SCALE))s"
	fi
	wait "$pid" || rc=$?
	# shellcheck disable=SC2034 # read by the scripts
	WAIT_STATUS=$rc
}

# snapshot PID FILE: the memory map of PID and a hash of every executable
# mapping's bytes, to prove that a detach left no breakpoint or page behind.
snapshot()
{
	python3 "$CHECKER" snapshot --pid "$1" > "$2" || fail "cannot snapshot process $1"
}

# detached PID SNAPSHOT: PID is untraced, running, and unchanged.
detached()
{
	local t tracer state rc=0

	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	if [ -z "$state" ] || [ "$state" = Z ]; then
		wait "$1" 2>/dev/null || rc=$?
		[ "$rc" -le 128 ] || rc="$rc (SIG$(kill -l $((rc - 128))))"
		fail "process $1 died while attached or at detach: exit status $rc"
	fi
	for t in /proc/"$1"/task/*; do
		tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "$t/status")
		state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$t/status")
		[ "$tracer" = 0 ] || fail "task ${t##*/} still has TracerPid $tracer after detach"
		case $state in
		t | T) fail "task ${t##*/} is left stopped (State $state) after detach" ;;
		esac
	done
	snapshot "$1" "$2.after"
	diff -u "$2" "$2.after" ||
		fail "memory map or code of $1 changed by attach/detach"
}

# run_opts FUNCTION: run a scenario at every optimisation level.
run_opts()
{
	local failed=0

	for OPT in $OPTS; do
		D=$WORK/$OPT
		mkdir -p "$D"
		note "start"
		if (
			trap kill_bg EXIT
			trap 'exit 1' INT TERM HUP
			"$1"
		); then
			note "ok"
		else
			failed=1
			FAILED=1
		fi
	done
	OPT=
	D=$WORK
	return $failed
}
