#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# REPL event store benchmark (issue 5): writes a synthetic trace of 10M
# events (bench/gen_trace.c: 4 threads, nesting about 4 deep, 64 functions,
# six arguments per call), then times the store the REPL's event commands
# use (src/repl/store.h, driven by bench/repl_bench.c):
#     opening and indexing the file
#     goto to the middle and to the end (cold: a chunk decoded each)
#     1000 next and 1000 prev from the middle, then 100000 prev (per step)
#     filter func=fn_07 (subtree semantics, through the view), tid, dur>=, clear
#     next/prev through the filter, a scan of the visible calls (find)
#     the function names (tab completion)
# and the peak RSS of it all, then checks the targets: the func filter
# under 2 s, peak RSS under 1 GiB.  When `calltrap repl` exists it also runs
# the same trace through it (piped commands) for its wall time and RSS.
#
# usage: bash bench/repl.sh [--quick]
#
# Environment: BUILD (the build directory holding libcalltrap.a and
# config.h; default: that of $CALLTRAP, else ./build, else .), CALLTRAP,
# CC (cc), BENCH_EVENTS (default 10000000; --quick 1000000), BENCH_FUNC
# (fn_07), BENCH_TRACE (an existing trace to use instead of generating one).
#
# Exits 0 when everything ran, whether or not the targets were met; 1 when a
# measurement failed to run; 2 on a usage error.

set -u -o pipefail

quick=0
case ${1:-} in
--quick) quick=1 ;;
-h | --help)
	echo "usage: bash bench/repl.sh [--quick]"
	exit 0
	;;
"") ;;
*)
	echo "usage: bash bench/repl.sh [--quick]" >&2
	exit 2
	;;
esac

EVENTS=${BENCH_EVENTS:-$((quick ? 1000000 : 10000000))}
FUNC=${BENCH_FUNC:-fn_07}
CC=${CC:-cc}
if ! [[ $EVENTS =~ ^[1-9][0-9]*$ ]] || ((EVENTS < 100)); then
	echo "repl.sh: BENCH_EVENTS must be an integer >= 100, not '$EVENTS'" >&2
	exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-}
if [ -z "$build" ]; then
	for d in "$(dirname "${CALLTRAP:-/nonexistent/x}")" ./build .; do
		[ -f "$d/libcalltrap.a" ] && [ -f "$d/config.h" ] && build=$d && break
	done
fi
if [ -z "$build" ] || [ ! -f "$build/libcalltrap.a" ]; then
	echo "repl.sh: no build directory with libcalltrap.a (set BUILD)" >&2
	exit 1
fi
build=$(cd "$build" && pwd)
calltrap=${CALLTRAP:-$build/calltrap}

work=$(mktemp -d "${TMPDIR:-/tmp}/calltrap-bench-repl.XXXXXX") || exit 1
log=$work/log
trap 'rm -f "$work/t.trace"' EXIT
echo "repl.sh: log in $log"

# the helpers, linked with the build's objects (and its sanitizers, if any)
san=$(sed -n 's/^SAN_LDFLAGS = //p' "$build/Makefile" 2> /dev/null)
libs=$(pkg-config --libs libdw libelf capstone 2>> "$log") || libs="-ldw -lelf -lcapstone"
for prog in gen_trace repl_bench; do
	# shellcheck disable=SC2086
	"$CC" -std=gnu11 -O2 -DHAVE_CONFIG_H -I"$build" -I"$top/src" -o "$work/$prog" \
		"$top/bench/$prog.c" "$build/libcalltrap.a" $san $libs >> "$log" 2>&1 ||
		{ echo "repl.sh: cannot build $prog (see $log)" >&2; exit 1; }
done

if [ -n "${BENCH_TRACE:-}" ]; then
	trace=$BENCH_TRACE
else
	trace=$work/t.trace
	echo "writing a $EVENTS-event trace..."
	t0=$(date +%s.%N)
	"$work/gen_trace" "$trace" "$EVENTS" >> "$log" 2>&1 ||
		{ echo "repl.sh: gen_trace failed (see $log)" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v n="$EVENTS" 'BEGIN { printf "  written in %.2f s\n", b - a }'
fi
bytes=$(stat -c %s "$trace")

echo "+ repl_bench $trace $FUNC" >> "$log"
if command -v /usr/bin/time > /dev/null; then
	/usr/bin/time -f "%e %M" -o "$work/time" "$work/repl_bench" "$trace" "$FUNC" \
		> "$work/out" 2>> "$log" ||
		{ echo "repl.sh: repl_bench failed (see $log)" >&2; exit 1; }
	read -r wall maxrss < <(tail -n 1 "$work/time")
else
	"$work/repl_bench" "$trace" "$FUNC" > "$work/out" 2>> "$log" ||
		{ echo "repl.sh: repl_bench failed (see $log)" >&2; exit 1; }
	wall=0
	maxrss=0
fi
cat "$work/out" >> "$log"

# value NAME [FIELD]: the FIELD-th word (default 2) of the line NAME
value()
{
	awk -v k="$1" -v f="${2:-2}" '$1 == k { print $f; exit }' "$work/out"
}

echo
awk -v e="$(value events)" -v b="$bytes" 'BEGIN {
	printf "trace: %d events, %.1f MB (%.1f bytes per event)\n", e, b / 1e6, b / e }'
echo
printf '  %-28s %12s  %s\n' operation time note
awk -v func_="$FUNC" '
	function row(name, val, unit, note) {
		printf "  %-28s %9s %-3s  %s\n", name, val, unit, note
	}
	$1 == "open+index" { row("open + index", $2, $3, "") }
	$1 == "goto_middle" { row("goto middle (cold)", $2, $3, "") }
	$1 == "goto_end" { row("goto end (cold)", $2, $3, "") }
	$1 == "goto_middle+1" { row("goto middle + 1 (cached)", $2, $3, "") }
	$1 == "next" { row("next x1000", $2, $3, "per step") }
	$1 == "prev" { row("prev x1000", $2, $3, "per step") }
	$1 == "prev_far" { row("prev x100000", $2, $3, "per step, across ~20 chunks") }
	$1 ~ /^filter_func=/ { row("filter func=" func_, $2, $3, $4 " visible") }
	$1 == "next_filtered" { row("next x1000 (filtered)", $2, $3, "per step") }
	$1 == "prev_filtered" { row("prev x1000 (filtered)", $2, $3, "per step") }
	$1 == "find_scan" { row("find (scan visible calls)", $2, $3, $4 " calls") }
	$1 == "filter_tid" { row("filter tid=1002", $2, $3, $4 " visible") }
	$1 == "filter_dur" { row("filter dur>=50us", $2, $3, $4 " visible") }
	$1 == "filter_clear" && !c++ { row("filter clear", $2, $3, $4 " visible") }
	$1 == "names" { row("names (completion)", $2, $3, $4 " names") }
' "$work/out"
rss_self=$(value peak_rss)
printf '  %-28s %9s %-3s  %s\n' "peak RSS (getrusage)" "$rss_self" MiB ""
if [ "$maxrss" -gt 0 ]; then
	printf '  %-28s %9.1f %-3s  %s\n' "peak RSS (/usr/bin/time)" \
		"$(awk -v k="$maxrss" 'BEGIN { print k / 1024 }')" MiB "whole run: $wall s"
fi

# end to end through the REPL, when it exists
if [ -x "$calltrap" ] && "$calltrap" repl --help > /dev/null 2>&1 &&
	command -v /usr/bin/time > /dev/null; then
	mid=$(($(value events) / 2))
	printf 'goto %s\nnext 1000\nprev 1000\nfilter func=%s\nevents 20\nfilter clear\n' \
		"$mid" "$FUNC" > "$work/script"
	printf 'goto last\nquit\n' >> "$work/script"
	echo "+ calltrap repl $trace < script" >> "$log"
	if /usr/bin/time -f "%e %M" -o "$work/time2" "$calltrap" repl "$trace" < "$work/script" \
		>> "$log" 2>&1; then
		read -r wall2 rss2 < <(tail -n 1 "$work/time2")
		printf '  %-28s %9s %-3s  %s\n' "calltrap repl (script)" "$wall2" s \
			"goto, next/prev 1000, filter, events; RSS $((rss2 / 1024)) MiB"
	else
		echo "  calltrap repl: the script failed (see $log)"
		rss2=0
	fi
else
	rss2=0
fi

echo
echo "targets"
ff=$(awk '$1 ~ /^filter_func=/ { print $2; exit }' "$work/out")
verdict()
{
	if [ "$1" = 1 ]; then echo "ok"; else echo "MISS"; fi
}
echo "  filter func=$FUNC < 2 s: $ff s $(verdict "$(awk -v t="$ff" 'BEGIN { print (t < 2) }')")"
peak=$(awk -v a="$maxrss" -v b="$rss_self" -v c="$rss2" 'BEGIN {
	m = b * 1024; if (a > m) m = a; if (c > m) m = c; printf "%d", m }')
echo "  peak RSS < 1 GiB: $((peak / 1024)) MiB $(verdict $((peak < 1024 * 1024)))"
exit 0
