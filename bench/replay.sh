#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Trace-file views benchmark (issue 4): records a trace of at least 10M events
# of a small program with `calltrap record`, then measures in one run the
# throughput (events per second) and peak RSS of
#     calltrap replay > /dev/null
#     calltrap report > /dev/null
#     calltrap dump --format=chrome|perfetto|folded|svg|jsonl > /dev/null
# and of uftrace on a uftrace recording of the same program built with -pg:
#     uftrace replay, uftrace report, uftrace dump --chrome
# then the size per event of the jsonl, chrome and perfetto dumps, and
# prints the ratios (perfetto against chrome: size and speed) and checks the
# targets: report >= 10M events/s, replay >= 3M events/s, both faster than
# uftrace, peak RSS < 256 MiB.
#
# usage: bash bench/replay.sh [--quick]
#
# Environment: CALLTRAP (default ./calltrap, then ./build/calltrap), CC (cc),
# BENCH_EVENTS (default 10000000; --quick 1000000), BENCH_REPS (3: the median
# is reported), BENCH_TRACE (an existing trace of the program below to reuse,
# skipping the recording, which takes about 10 us per event).
#
# The program calls top() N times; top calls mid and leaf, mid calls leaf
# twice: 5 calls, 10 events per iteration, nested 3 deep.  calltrap records
# -e top -e mid -e leaf; uftrace records every function of the -pg build
# (the same ones, plus main and a few from start-up).
#
# Exits 0 when everything ran, whether or not the targets were met; 1 when a
# measurement failed to run; 2 on a usage error.

set -u -o pipefail

quick=0
case ${1:-} in
--quick) quick=1 ;;
-h | --help)
	echo "usage: bash bench/replay.sh [--quick]"
	exit 0
	;;
"") ;;
*)
	echo "usage: bash bench/replay.sh [--quick]" >&2
	exit 2
	;;
esac

EVENTS=${BENCH_EVENTS:-$((quick ? 1000000 : 10000000))}
REPS=${BENCH_REPS:-3}
CC=${CC:-cc}
for v in EVENTS REPS; do
	if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
		echo "replay.sh: $v must be a positive integer, not '${!v}'" >&2
		exit 2
	fi
done

calltrap=${CALLTRAP:-}
if [ -z "$calltrap" ]; then
	for c in ./calltrap ./build/calltrap; do
		[ -x "$c" ] && calltrap=$c && break
	done
fi
if [ -z "$calltrap" ] || [ ! -x "$calltrap" ]; then
	echo "replay.sh: no calltrap binary (set CALLTRAP)" >&2
	exit 1
fi
calltrap=$(cd "$(dirname "$calltrap")" && pwd)/$(basename "$calltrap")

need_pkg()
{
	command -v "$1" > /dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
		apt-get install -y "$2" > /dev/null 2>&1
	fi
	command -v "$1" > /dev/null 2>&1
}
need_pkg /usr/bin/time time || { echo "replay.sh: /usr/bin/time is needed" >&2; exit 1; }
have_uftrace=1
need_pkg uftrace uftrace || have_uftrace=0

work=$(mktemp -d "${TMPDIR:-/tmp}/calltrap-bench-replay.XXXXXX") || exit 1
log=$work/log
trap 'rm -rf "$work/ud" "$work/t.trace"' EXIT
echo "replay.sh: log in $log"

cat > "$work/t.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int leaf(int x)
{
	__asm__ volatile("");
	return x + 1;
}

__attribute__((noinline)) int mid(int x)
{
	return leaf(x) + leaf(x + 1);
}

__attribute__((noinline)) int top(int x)
{
	return mid(x) + leaf(x);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i, s = 0;

	for (i = 0; i < n; i++)
		s += top((int)i);
	printf("sum=%ld\n", s);
	return 0;
}
EOF
"$CC" -O2 -o "$work/t" "$work/t.c" >> "$log" 2>&1 &&
	"$CC" -O2 -pg -o "$work/tpg" "$work/t.c" >> "$log" 2>&1 ||
	{ echo "replay.sh: cannot build the target (see $log)" >&2; exit 1; }

iters=$(((EVENTS + 9) / 10))

# run_time OUT CMD...: run once; "seconds maxrss_kb" in $RT (fails on a bad status)
run_time()
{
	local out=$1 rc

	shift
	echo "+ $*" >> "$log"
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out" 2>> "$log"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "replay.sh: '$*' failed with status $rc (see $log)" >&2
		return 1
	fi
	RT=$(tail -n 1 "$work/time")
	echo "  $RT" >> "$log"
}

# median of the elapsed times and the largest RSS over REPS runs: "secs kb"
measure()
{
	local i times=() rss=0 t m

	for ((i = 0; i < REPS; i++)); do
		run_time /dev/null "$@" || return 1
		read -r t m <<< "$RT"
		times+=("$t")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	t=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((REPS + 1) / 2))p")
	echo "$t $rss"
}

cd "$work" || exit 1
if [ -n "${BENCH_TRACE:-}" ]; then
	trace=$BENCH_TRACE
else
	trace=$work/t.trace
	echo "recording $iters iterations ($((10 * iters)) events) with calltrap record..."
	run_time "$work/rec.out" "$calltrap" record -e top -e mid -e leaf -o "$trace" -- ./t "$iters" ||
		exit 1
	echo "  recorded in $(cut -d' ' -f1 <<< "$RT") s"
fi
# events in the file: calls and returns, from the report's call counts
"$calltrap" report --ns "$trace" > "$work/report" 2>> "$log" || exit 1
calls=$(awk 'NR > 2 { n += $3 } END { print n }' "$work/report")
events=$((2 * calls))
bytes=$(stat -c %s "$trace")

if ((have_uftrace)); then
	echo "recording the -pg build with uftrace record..."
	run_time "$work/ud.out" uftrace record -d "$work/ud" ./tpg "$iters" || exit 1
	uftrace report -d "$work/ud" > "$work/ureport" 2>> "$log" || exit 1
	ucalls=$(awk 'NR > 2 && $0 !~ /linux:/ { n += $(NF - 1) } END { print n }' "$work/ureport")
	urecords=$((2 * ucalls))
	ubytes=$(du -bc "$work"/ud/*.dat | tail -n 1 | cut -f1)
fi

declare -A SECS RSS
row()
{
	local name=$1 n=$2 secs rss

	shift 2
	read -r secs rss <<< "$(measure "$@")" || return 1
	[ -n "$secs" ] || return 1
	SECS[$name]=$secs
	RSS[$name]=$rss
	awk -v name="$name" -v n="$n" -v s="$secs" -v r="$rss" 'BEGIN {
		printf "  %-32s %10d %8.2f %10.2f %9.1f\n", name, n, s,
			(s > 0 ? n / s / 1e6 : 0), r / 1024 }'
}

echo
echo "events per second (median of $REPS runs), peak RSS"
printf '  %-32s %10s %8s %10s %9s\n' command events seconds "Mevents/s" "RSS MiB"
row "calltrap replay" $events "$calltrap" replay "$trace" || exit 1
row "calltrap report" $events "$calltrap" report "$trace" || exit 1
row "calltrap dump --format=chrome" $events "$calltrap" dump --format=chrome "$trace" || exit 1
row "calltrap dump --format=perfetto" $events "$calltrap" dump --format=perfetto "$trace" || exit 1
row "calltrap dump --format=folded" $events "$calltrap" dump --format=folded "$trace" || exit 1
row "calltrap dump --format=svg" $events "$calltrap" dump --format=svg "$trace" || exit 1
row "calltrap dump --format=jsonl" $events "$calltrap" dump --format=jsonl "$trace" || exit 1
if ((have_uftrace)); then
	row "uftrace replay" $urecords uftrace replay -d "$work/ud" || exit 1
	row "uftrace report" $urecords uftrace report -d "$work/ud" || exit 1
	row "uftrace dump --chrome" $urecords uftrace dump --chrome -d "$work/ud" || exit 1
fi

echo
awk -v e="$events" -v b="$bytes" 'BEGIN { printf "trace size: %d events, %.2f bytes per event (calltrap, with 6 arguments per call)\n", e, b / e }'
((have_uftrace)) && awk -v e="$urecords" -v b="$ubytes" 'BEGIN { printf "            %d records, %.2f bytes per record (uftrace, no arguments)\n", e, b / e }'

# dump_size FORMAT: bytes of the dump (counted through a pipe, not stored)
dump_size()
{
	echo "+ $calltrap dump --format=$1 $trace | wc -c" >> "$log"
	"$calltrap" dump --format="$1" "$trace" 2>> "$log" | wc -c
}
echo
echo "dump size per event"
declare -A DSIZE
for f in jsonl chrome perfetto; do
	DSIZE[$f]=$(dump_size $f) || exit 1
	awk -v f="$f" -v e="$events" -v b="${DSIZE[$f]}" 'BEGIN {
		printf "  %-10s %14d bytes %8.2f bytes per event\n", f, b, b / e }'
done
awk -v p="${DSIZE[perfetto]}" -v c="${DSIZE[chrome]}" -v ps="${SECS["calltrap dump --format=perfetto"]}" \
	-v cs="${SECS["calltrap dump --format=chrome"]}" 'BEGIN {
	printf "  perfetto / chrome: %.2fx the size, %.2fx the speed (events per second)\n",
		p / c, (ps > 0 ? cs / ps : 0) }'

# rate NAME EVENTS: events/s of a row
rate()
{
	awk -v n="$2" -v s="${SECS[$1]}" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 1e18) }'
}

verdict()
{
	if [ "$1" = 1 ]; then echo "ok"; else echo "MISS"; fi
}

echo
echo "targets"
r=$(rate "calltrap report" $events)
p=$(rate "calltrap replay" $events)
echo "  report >= 10M events/s: $(awk -v r="$r" 'BEGIN { printf "%.1fM", r / 1e6 }') $(verdict $((r >= 10000000)))"
echo "  replay >=  3M events/s: $(awk -v r="$p" 'BEGIN { printf "%.1fM", r / 1e6 }') $(verdict $((p >= 3000000)))"
if ((have_uftrace)); then
	ur=$(rate "uftrace report" $urecords)
	up=$(rate "uftrace replay" $urecords)
	uc=$(rate "uftrace dump --chrome" $urecords)
	c=$(rate "calltrap dump --format=chrome" $events)
	echo "  report vs uftrace report: $(awk -v a="$r" -v b="$ur" 'BEGIN { printf "%.2fx", a / b }') $(verdict $((r > ur)))"
	echo "  replay vs uftrace replay: $(awk -v a="$p" -v b="$up" 'BEGIN { printf "%.2fx", a / b }') $(verdict $((p > up)))"
	echo "  dump --format=chrome vs uftrace dump --chrome: $(awk -v a="$c" -v b="$uc" 'BEGIN { printf "%.2fx", a / b }')"
else
	echo "  (uftrace not available: no comparison)"
fi
maxrss=0
for k in "${!RSS[@]}"; do
	[[ $k == calltrap* ]] && [ "${RSS[$k]}" -gt $maxrss ] && maxrss=${RSS[$k]}
done
echo "  peak RSS < 256 MiB: $((maxrss / 1024)) MiB $(verdict $((maxrss < 256 * 1024)))"
