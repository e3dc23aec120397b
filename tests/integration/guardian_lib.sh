# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers of the guardian tests (guardian.sh, guardian_busy.sh), sourced
# after lib.sh.

# lines_after FILE N: the lines of FILE after the first N.
lines_after()
{
	tail -n +"$(($2 + 1))" "$1" 2>/dev/null
}

# wait_after FILE N REGEX SECS PID: wait until a line after the first N of
# FILE matches, while process PID lives.
wait_after()
{
	local end=$((SECONDS + $4))

	while [ "$SECONDS" -le "$end" ]; do
		lines_after "$1" "$2" | grep -q -- "$3" && return 0
		kill -0 "$5" 2> /dev/null || return 1
		sleep 0.01
	done
	return 1
}

# live_guardians WORD: pids of running guardians of a calltrap whose command
# line holds WORD (a guardian is a fork of calltrap: same command line).
live_guardians()
{
	local p comm cmd stat

	for p in /proc/[0-9]*; do
		comm=
		{ read -r comm < "$p/comm"; } 2> /dev/null
		[ "$comm" = calltrap-guard ] || continue
		cmd=$({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null)
		case $cmd in
		*"$1"*) ;;
		*) continue ;;
		esac
		stat=
		{ read -r stat < "$p/stat"; } 2> /dev/null
		stat=${stat##*) }
		case ${stat%% *} in
		'' | Z | X) ;;
		*) echo "${p#/proc/}" ;;
		esac
	done
}

# wait_no_guardian WORD SECS
wait_no_guardian()
{
	local end=$((SECONDS + $2))

	while [ -n "$(live_guardians "$1")" ]; do
		[ "$SECONDS" -le "$end" ] || return 1
		sleep 0.01
	done
	return 0
}

# kill_at_next_patched_call DIR PID: have the target (started with KILLFILE
# DIR/kill) send PID SIGKILL right after its next call made with the
# breakpoint in place.
kill_at_next_patched_call()
{
	echo "$2" > "$1/kill.tmp" && mv "$1/kill.tmp" "$1/kill"
}
