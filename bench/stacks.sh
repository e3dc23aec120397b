#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `calltrap stacks` against `eu-stack -i -p` and `gdb -batch -ex 'thread
# apply all bt' -p` (all three show inlined calls as frames) on one process with 100 threads blocked in assorted calls
# (tests/targets/deadlock.c with 94 extra threads: futex waits on mutexes and
# a condition variable, read() on pipes, poll(), nanosleep()), all in this
# one run: the median wall time of REPS runs of each, and the ratios.
# calltrap must be no slower than eu-stack, while stopping every thread at
# once (eu-stack stops one thread at a time).  Also the median time the
# process stayed stopped under calltrap (its own "stopped_ns").
#
# usage: bash bench/stacks.sh [THREADS]     (default 100)
# Environment: CALLTRAP (default ./calltrap, then ./build/calltrap), CC (cc),
# BENCH_REPS (5).  Installs elfutils (eu-stack) and gdb with apt-get when they
# are missing and it can.  Exits 0 when everything ran, 1 when a measurement
# could not run.

set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$here/../tests/targets/deadlock.c
threads=${1:-100}
reps=${BENCH_REPS:-5}
CC=${CC:-cc}

CALLTRAP=${CALLTRAP:-}
for c in "$CALLTRAP" ./calltrap ./build/calltrap; do
	if [ -n "$c" ] && [ -x "$c" ]; then
		CALLTRAP=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")
		break
	fi
done
[ -x "$CALLTRAP" ] || { echo "bench/stacks.sh: no calltrap binary (set CALLTRAP)" >&2; exit 1; }

need()
{
	command -v "$1" > /dev/null && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
		apt-get install -y "$2" > /dev/null 2>&1
	fi
	command -v "$1" > /dev/null || { echo "bench/stacks.sh: $1 is missing (install $2)" >&2; exit 1; }
}
need eu-stack elfutils
need gdb gdb

work=$(mktemp -d "${TMPDIR:-/tmp}/calltrap-bench-stacks.XXXXXX")
target_pid=
cleanup()
{
	[ -n "$target_pid" ] && kill -KILL "$target_pid" 2> /dev/null
	exec 7>&- 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

$CC -O2 -g -pthread -o "$work/deadlock" "$src" || { echo "bench/stacks.sh: cannot build $src" >&2; exit 1; }
mkfifo "$work/in"
exec 7<> "$work/in"
# 6 threads of its own (main, a deadlocked pair, reader, sleeper, condwait)
"$work/deadlock" 100000 $((threads - 6)) < "$work/in" > "$work/out" 2>&1 &
target_pid=$!
for _ in $(seq 1 200); do
	grep -q '^ready' "$work/out" && break
	sleep 0.05
done
grep -q '^ready' "$work/out" || { echo "bench/stacks.sh: the target did not start" >&2; exit 1; }
n=$(ls "/proc/$target_pid/task" | wc -l)

now_ns() { date +%s%N; }

# run NAME CMD...: REPS timed runs into $work/NAME.times; fails loudly
run()
{
	local name=$1 i t0 t1

	shift
	: > "$work/$name.times"
	for i in $(seq 1 "$reps"); do
		t0=$(now_ns)
		if ! "$@" > "$work/$name.out" 2> "$work/$name.err"; then
			echo "bench/stacks.sh: $name failed:" >&2
			tail -n 5 "$work/$name.err" >&2
			exit 1
		fi
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000)) >> "$work/$name.times"
		# the process must be as it was: every thread still there, untraced
		[ "$(ls "/proc/$target_pid/task" | wc -l)" -eq "$n" ] ||
			{ echo "bench/stacks.sh: $name changed the thread count" >&2; exit 1; }
		grep -q '^TracerPid:[[:space:]]*0$' "/proc/$target_pid/status" ||
			{ echo "bench/stacks.sh: $name left the process traced" >&2; exit 1; }
	done
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run calltrap "$CALLTRAP" stacks -p "$target_pid"
run calltrap_json "$CALLTRAP" stacks -p "$target_pid" --format=json
run eu-stack eu-stack -i -p "$target_pid"
run gdb gdb -batch -nx -ex 'thread apply all bt' -p "$target_pid"

# how long calltrap kept the process stopped, from its JSON
: > "$work/stopped.times"
for _ in $(seq 1 "$reps"); do
	"$CALLTRAP" stacks -p "$target_pid" --format=json |
		sed -n 's/.*"stopped_ns":\([0-9]*\).*/\1/p' | awk '{ print int($1 / 1000) }' \
		>> "$work/stopped.times"
done

ct=$(median "$work/calltrap.times")
cj=$(median "$work/calltrap_json.times")
eu=$(median "$work/eu-stack.times")
gd=$(median "$work/gdb.times")
st=$(median "$work/stopped.times")
frames_ct=$(grep -c '^    #' "$work/calltrap.out")
frames_eu=$(grep -c '^#' "$work/eu-stack.out")

ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "calltrap stacks benchmark: one process, $n threads, median of $reps runs ($(uname -m))"
printf '  %-44s %10s\n' "command" "wall ms"
printf '  %-44s %10s\n' "calltrap stacks -p PID" "$(ms "$ct")"
printf '  %-44s %10s\n' "calltrap stacks -p PID --format=json" "$(ms "$cj")"
printf '  %-44s %10s\n' "eu-stack -i -p PID" "$(ms "$eu")"
printf '  %-44s %10s\n' "gdb -batch -ex 'thread apply all bt' -p PID" "$(ms "$gd")"
echo "  calltrap / eu-stack = $(ratio "$ct" "$eu")   calltrap / gdb = $(ratio "$ct" "$gd")"
echo "  process stopped under calltrap: $(awk -v v="$st" 'BEGIN { printf "%.2f", v / 1000 }') ms (all threads at once)"
echo "  frames printed: calltrap $frames_ct, eu-stack $frames_eu"
if [ "$ct" -le "$eu" ]; then
	echo "  target met: calltrap is no slower than eu-stack"
else
	echo "  target NOT met: calltrap is slower than eu-stack"
fi
exit 0
