#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# calltrap benchmark (issues 2 and 14): the per-call cost (entry + return) of
# calltrap tracing one small function, against the floor of a bare ptrace loop
# with two stops per call, ltrace, bpftrace's uprobes and uftrace on a -pg
# build, all measured in this one run, with the tracer and tracee pinned to
# CPU 0 and unpinned; then calltrap's peak RSS while it streams a 1M-event
# trace.  bench/README.md explains how to read it.
#
# usage: bash bench/run.sh [--quick] [--prebuilt DIR]
#
# Environment: CALLTRAP (default ./calltrap, then ./build/calltrap), CC (cc),
# BENCH_N, BENCH_LTRACE_N, BENCH_UFTRACE_N, BENCH_RSS_CALLS, BENCH_REPS,
# BENCH_TIMEOUT (seconds per run), BENCH_NO_GNU_TIME=1 (use bench/maxrss.c
# rather than /usr/bin/time), BENCH_SKIP_LTRACE=1, BENCH_SKIP_BPFTRACE=1,
# BENCH_SKIP_UFTRACE=1 (no rows for that tool, e.g. in the aarch64 guest).
#
# Exits 0 when everything ran, whether or not the targets were met; 1 when a
# measurement failed to run (the log says why); 2 on a usage error.

set -u -o pipefail

usage() {
	echo "usage: bash bench/run.sh [--quick] [--prebuilt DIR]"
	echo "  --quick         small counts, to check that the benchmark works"
	echo "  --prebuilt DIR  take the programs run.sh would build from DIR (a machine"
	echo "                  without a compiler: tests/aarch64/run.sh --bench)"
}

quick=0
prebuilt=
while (($#)); do
	case $1 in
	--quick) quick=1 ;;
	--prebuilt)
		[[ $# -ge 2 && -d $2 ]] || { usage >&2; exit 2; }
		prebuilt=$(cd "$2" && pwd)
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

if ((quick)); then
	def_n=500 def_nl=50 def_nu=20000 def_nrss=5000 def_timeout=120
else
	# ~2.5 s per run for the slowest floor (unpinned, blocking, ~130 us/call here).
	# uftrace costs ~0.2 us per call: 1M calls take ~0.2 s above the loop,
	# enough that a preemption or two does not swamp it (~32 MB of trace).
	def_n=20000 def_nl=5000 def_nu=1000000 def_nrss=500000 def_timeout=900
fi
N=${BENCH_N:-$def_n}
NL=${BENCH_LTRACE_N:-$def_nl}
NU=${BENCH_UFTRACE_N:-$def_nu}
NRSS=${BENCH_RSS_CALLS:-$def_nrss}
REPS=${BENCH_REPS:-3}
TIMEOUT=${BENCH_TIMEOUT:-$def_timeout}
CC=${CC:-cc}
for v in N NL NU NRSS REPS TIMEOUT; do
	if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
		echo "run.sh: $v must be a positive integer, not '${!v}'" >&2
		exit 2
	fi
done

# Targets from issue 2.
FLOOR_RATIO_MAX=1.5
LTRACE_RATIO_MIN=5
RSS_MAX_KIB=$((64 * 1024))
# Targets from issue 14 for the fast path, per call in microseconds.
FAST_RECORD_UNPINNED_MAX=0.5
FAST_JSONL_UNPINNED_MAX=1.5
FAST_RECORD_PINNED_MAX=2

benchdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
topdir=$(dirname "$benchdir")

failures=0
fail() {
	failures=$((failures + 1))
	echo "$*"
}

log=$(mktemp --tmpdir calltrap-bench.XXXXXX.log) || exit 1
work=$(mktemp -d --tmpdir calltrap-bench.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# --- locate the tools --------------------------------------------------------

calltrap=
for c in "${CALLTRAP:-}" ./calltrap ./build/calltrap "$topdir/calltrap" "$topdir/build/calltrap"; do
	if [[ -n $c && -x $c && -f $c ]]; then
		calltrap=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")
		break
	fi
done

# Install what is missing only if we can; a missing tool fails its rows, not the run.
apt_install() {
	[[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
	{ apt-get install -y "$1" || { apt-get update && apt-get install -y "$1"; }; } >>"$log" 2>&1
}
[[ -n ${BENCH_SKIP_LTRACE:-} ]] || command -v ltrace >/dev/null || apt_install ltrace
[[ -n ${BENCH_SKIP_UFTRACE:-} ]] || command -v uftrace >/dev/null || apt_install uftrace
# bpftrace is worth installing only where it can run: as root, with uprobes.
uprobes_pmu=/sys/bus/event_source/devices/uprobe
if [[ -z ${BENCH_SKIP_BPFTRACE:-} && $(id -u) == 0 && -d $uprobes_pmu ]]; then
	command -v bpftrace >/dev/null || apt_install bpftrace
fi
if [[ -z ${BENCH_NO_GNU_TIME:-} && ! -x /usr/bin/time ]]; then
	apt_install time
fi

# --- build ---------------------------------------------------------------------

cflags=(-std=gnu11 -O2 -g -Wall -Wextra)
build() {
	local out=$1
	shift
	if [[ -n $prebuilt ]]; then
		echo "== prebuilt $prebuilt/$out" >>"$log"
		cp "$prebuilt/$out" "$work/$out" >>"$log" 2>&1
		return
	fi
	echo "== $CC ${cflags[*]} $* -o $out" >>"$log"
	"$CC" "${cflags[@]}" "$@" -o "$work/$out" >>"$log" 2>&1
}
if ! build bench_target "$benchdir/bench_target.c" ||
	! build bench_target_int3 -DBENCH_INT3 "$benchdir/bench_target.c" ||
	! build ptrace_floor "$benchdir/ptrace_floor.c" ||
	! build ptrace_costs "$benchdir/ptrace_costs.c"; then
	echo "run.sh: build failed, see $log" >&2
	exit 1
fi

# A tool that cannot run here (not asked for, not installable, no root, no
# uprobes, nothing prebuilt) is "skipped: why": its rows say skipped and the
# run does not fail.  One that runs but fails its check is FAILED.
declare -A broken=() # tool -> why it is not measured ("skipped: ..." or a failure)

if [[ -n ${BENCH_SKIP_BPFTRACE:-} ]]; then
	broken[bpftrace]="skipped: BENCH_SKIP_BPFTRACE"
elif [[ $(id -u) != 0 ]]; then
	broken[bpftrace]="skipped: needs root"
elif [[ ! -d $uprobes_pmu ]]; then
	broken[bpftrace]="skipped: kernel without uprobes (no $uprobes_pmu)"
elif ! command -v bpftrace >/dev/null; then
	broken[bpftrace]="skipped: not installed (and apt-get could not install it)"
fi

# uftrace traces a second build of the same loop with -pg: its untraced
# baseline is that build too, as -pg alone adds an mcount call per call.
if [[ -n ${BENCH_SKIP_UFTRACE:-} ]]; then
	broken[uftrace]="skipped: BENCH_SKIP_UFTRACE"
elif ! command -v uftrace >/dev/null; then
	broken[uftrace]="skipped: not installed (and apt-get could not install it)"
elif [[ -n $prebuilt && ! -f $prebuilt/bench_target_pg ]]; then
	broken[uftrace]="skipped: no bench_target_pg in $prebuilt"
elif ! build bench_target_pg -pg "$benchdir/bench_target.c"; then
	broken[uftrace]="the -pg build failed"
fi
cd "$work" || exit 1

echo "calltrap benchmark$( ((quick)) && echo ' (--quick)')"
affinity=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //')
echo "  host: $(uname -m), $(nproc) CPUs, Linux $(uname -r); affinity of this shell: $affinity"
echo "  calls: N=$N (floor, calltrap, bpftrace), N=$NL (ltrace), N=$NU (uftrace); median of $REPS runs each"
read -r load1 load5 load15 _ </proc/loadavg
echo "  load average: $load1 $load5 $load15 (1, 5, 15 min)"
echo "  calltrap: ${calltrap:-not found (set CALLTRAP)}"
echo "  ltrace: $(command -v ltrace || echo 'not found') $(ltrace --version 2>/dev/null | head -n1)"
echo "  bpftrace: $(command -v bpftrace || echo 'not found') $(bpftrace --version 2>/dev/null | head -n1)"
echo "  uftrace: $(command -v uftrace || echo 'not found') $(uftrace --version 2>/dev/null | head -n1)"
echo "  log: $log"
echo

# --- running one measurement ---------------------------------------------------

# run_one LABEL CALLS TRAPS CMD...: run CMD under the timeout, check that the
# target made CALLS calls that returned the right values (the sum of 2i+1 over
# i < CALLS is CALLS^2) and, if TRAPS is not empty, that ptrace_floor saw TRAPS
# stops.  Sets run_ns to the loop time.  Returns nonzero, after logging why, if
# anything is off.
run_one() {
	local label=$1 calls=$2 traps=$3 rc line
	shift 3
	run_ns=
	echo "== $label: $*" >>"$log"
	timeout -k 5 "$TIMEOUT" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	{
		echo "exit $rc"
		head -c 4096 "$work/out"
		head -c 16384 "$work/err"
	} >>"$log"
	if ((rc != 0)); then
		((rc == 124)) && echo "!! timed out after ${TIMEOUT}s" >>"$log"
		return 1
	fi
	line=$(grep '^loop_ns=' "$work/out" | tail -n1)
	if ! [[ $line =~ ^loop_ns=([0-9]+)\ calls=([0-9]+)\ sum=([0-9]+)$ ]]; then
		echo "!! no loop_ns line from the target" >>"$log"
		return 1
	fi
	if ((BASH_REMATCH[2] != calls || BASH_REMATCH[3] != calls * calls)); then
		echo "!! wrong calls or sum: expected calls=$calls sum=$((calls * calls))" >>"$log"
		return 1
	fi
	run_ns=${BASH_REMATCH[1]}
	if [[ -n $traps ]] && ! grep -qx "ptrace_floor: traps=$traps" "$work/err"; then
		echo "!! expected $traps traps" >>"$log"
		return 1
	fi
	return 0
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# --- sanity: does each tool see exactly the calls that happen? ---------------

for mode in block spin; do
	if ! run_one "check floor $mode" 7 14 ./ptrace_floor "$mode" ./bench_target_int3 7; then
		broken[floor_$mode]="failed its check run"
	fi
done

if [[ -z $calltrap ]]; then
	broken[calltrap]="not found (set CALLTRAP)"
elif ! run_one "check calltrap" 7 "" \
	"$calltrap" trace -e small -o "$work/check.jsonl" --format=jsonl -- ./bench_target 7; then
	broken[calltrap]="failed its check run"
else
	cat "$work/check.jsonl" >>"$log"
	calls=$(grep -E '"type": *"call"' "$work/check.jsonl" | grep -cE '"func": *"small"')
	rets=$(grep -E '"type": *"return"' "$work/check.jsonl" | grep -cE '"func": *"small"')
	if ((calls != 7 || rets != 7)); then
		echo "!! calltrap reported $calls calls and $rets returns of small, expected 7 each" >>"$log"
		broken[calltrap]="wrong events in its check run"
	fi
fi

# ltrace: the PIE build first; if ltrace cannot trace it, a -no-pie build.
ltrace_target=
if [[ -n ${BENCH_SKIP_LTRACE:-} ]]; then
	broken[ltrace]="skipped: BENCH_SKIP_LTRACE"
elif ! command -v ltrace >/dev/null; then
	broken[ltrace]="not installed"
else
	for variant in pie no-pie; do
		bin=./bench_target
		if [[ $variant == no-pie ]]; then
			bin=./bench_target_nopie
			build bench_target_nopie -no-pie "$benchdir/bench_target.c" || continue
		fi
		if run_one "check ltrace ($variant)" 7 "" ltrace -x small -o "$work/check.ltrace" "$bin" 7; then
			cat "$work/check.ltrace" >>"$log"
			n=$(grep -c '^small(' "$work/check.ltrace")
			if ((n == 7)); then
				ltrace_target=$bin ltrace_variant=$variant
				break
			fi
			echo "!! ltrace reported $n calls of small, expected 7" >>"$log"
		fi
	done
	[[ -n $ltrace_target ]] || broken[ltrace]="failed its check run (PIE and -no-pie)"
fi

# bpftrace: count the entries and returns of small in the kernel (uprobe and
# uretprobe, a BPF map increment each, nothing sent to user space per call).
# bpftrace -c starts the target only once its probes are attached, and the
# target times its loop itself, so attaching (hundreds of ms) is not counted;
# the exact counts, checked on every run, show no call came before the attach.
# The wrapper exists because -c takes the command as one word.
cat >"$work/count.bt" <<EOF
uprobe:$work/bench_target:small { @c = count(); }
uretprobe:$work/bench_target:small { @r = count(); }
EOF
cat >"$work/run_bpftrace" <<EOF
#!/bin/sh
exec bpftrace -c "$work/bench_target \$1" "$work/count.bt"
EOF
chmod +x "$work/run_bpftrace"

# bpftrace_counts_ok CALLS: bpftrace's output (in $work/out) counted CALLS
# entries and CALLS returns.
bpftrace_counts_ok() {
	if grep -qx "@c: $1" "$work/out" && grep -qx "@r: $1" "$work/out"; then
		return 0
	fi
	echo "!! bpftrace did not count $1 entries (@c) and $1 returns (@r)" >>"$log"
	return 1
}
if [[ -z ${broken[bpftrace]:-} ]]; then
	if ! run_one "check bpftrace" 7 "" ./run_bpftrace 7; then
		broken[bpftrace]="failed its check run"
	elif ! bpftrace_counts_ok 7; then
		broken[bpftrace]="wrong counts in its check run"
	fi
fi

# uftrace: record 7 calls, then count them twice: the calls of small in
# `report`, and the lines `small();` in `replay` (one per call whose entry and
# return were both recorded).
if [[ -z ${broken[uftrace]:-} ]]; then
	if ! run_one "check uftrace" 7 "" uftrace record -d "$work/check.uftrace" ./bench_target_pg 7; then
		broken[uftrace]="failed its check run"
	else
		{
			uftrace report -d "$work/check.uftrace" -f call --no-pager >"$work/check.report"
			uftrace replay -d "$work/check.uftrace" --no-pager >"$work/check.replay"
		} 2>>"$log"
		cat "$work/check.report" "$work/check.replay" >>"$log"
		calls=$(awk '$2 == "small" { print $1 }' "$work/check.report")
		pairs=$(grep -c ' small();$' "$work/check.replay")
		if [[ $calls != 7 || $pairs != 7 ]]; then
			echo "!! uftrace reported ${calls:-no} calls of small and $pairs entry-return pairs, expected 7 each" >>"$log"
			broken[uftrace]="wrong events in its check run"
		fi
	fi
fi

# --- timed runs ----------------------------------------------------------------

# Interleaved (rep by rep, tool by tool) so slow drift in the VM's speed
# spreads over all tools instead of biasing one.
declare -A cmd=(
	[base]="./bench_target $N"
	[floor_block]="./ptrace_floor block ./bench_target_int3 $N"
	[floor_spin]="./ptrace_floor spin ./bench_target_int3 $N"
	# The breakpoint engine, and the fast path (issue 14) recording and
	# streaming jsonl.
	[calltrap]="$calltrap trace --engine=breakpoint -e small -o /dev/null --format=jsonl -- ./bench_target $N"
	[fast_record]="$calltrap record --engine=fast -e small -o $work/fast.trace -- ./bench_target $N"
	[fast_jsonl]="$calltrap trace --engine=fast -e small -o /dev/null --format=jsonl -- ./bench_target $N"
	[base_ltrace]="${ltrace_target:-./bench_target} $NL"
	[ltrace]="ltrace -x small -o /dev/null $ltrace_target $NL"
	[bpftrace]="./run_bpftrace $N"
	[base_pg]="./bench_target_pg $NU"
	[uftrace]="uftrace record -d $work/uftrace.data ./bench_target_pg $NU"
)
declare -A calls_of=([base]=$N [floor_block]=$N [floor_spin]=$N [calltrap]=$N
	[fast_record]=$N [fast_jsonl]=$N [base_ltrace]=$NL [ltrace]=$NL [bpftrace]=$N [base_pg]=$NU [uftrace]=$NU)
# The untraced loop each tool is measured against.
declare -A base_of=([floor_block]=base [floor_spin]=base [calltrap]=base
	[fast_record]=base [fast_jsonl]=base
	[ltrace]=base_ltrace [bpftrace]=base [uftrace]=base_pg)
# bench_target_pg exists only when uftrace is measured.
[[ -z ${broken[uftrace]:-} ]] || broken[base_pg]=${broken[uftrace]}
tools=(base floor_block floor_spin calltrap fast_record fast_jsonl base_ltrace ltrace bpftrace
	base_pg uftrace)
placements=(pinned unpinned)
declare -A samples=() result=() # tool,placement -> loop_ns values / median or FAILED

for place in "${placements[@]}"; do
	prefix=()
	[[ $place == pinned ]] && prefix=(taskset -c 0)
	for ((rep = 1; rep <= REPS; rep++)); do
		for tool in "${tools[@]}"; do
			key=$tool,$place
			[[ -n ${broken[$tool]:-} || ${result[$key]:-} == FAILED ]] && continue
			traps=
			[[ $tool == floor_* ]] && traps=$((2 * N))
			# Word splitting of cmd is intended: the paths have no spaces.
			# shellcheck disable=SC2086
			if run_one "$tool $place #$rep" "${calls_of[$tool]}" "$traps" \
				"${prefix[@]}" ${cmd[$tool]} &&
				{ [[ $tool != bpftrace ]] || bpftrace_counts_ok "${calls_of[$tool]}"; }; then
				samples[$key]+="$run_ns "
			else
				result[$key]=FAILED
			fi
		done
	done
	for tool in "${tools[@]}"; do
		key=$tool,$place
		if [[ -n ${broken[$tool]:-} ]]; then
			result[$key]=FAILED
		elif [[ ${result[$key]:-} != FAILED ]]; then
			# shellcheck disable=SC2086
			result[$key]=$(median ${samples[$key]})
		fi
		echo "-- $key: samples ${samples[$key]:-none} -> ${result[$key]}" >>"$log"
	done
done

# --- what the requests at each stop cost ------------------------------------------

# A tracer of calltrap's design must, per call, read the registers at both
# stops, write the pc at both (resuming out of line) and read the return
# address once; ptrace_costs times those requests so the report can show the
# least such a tracer can cost here: the floor plus them.
declare -A cost=() # place -> requests per call in ns, or FAILED
for place in "${placements[@]}"; do
	prefix=()
	[[ $place == pinned ]] && prefix=(taskset -c 0)
	vals=()
	for ((rep = 1; rep <= REPS; rep++)); do
		echo "== costs $place #$rep" >>"$log"
		line=$("${prefix[@]}" ./ptrace_costs 2>>"$log" | tee -a "$log")
		if [[ $line =~ ^getregs_ns=([0-9]+)\ pread_ns=([0-9]+)\ setpc_ns=([0-9]+)\ syscall_ns=[0-9]+$ ]]; then
			if [[ $(uname -m) == aarch64 ]]; then
				# the floor already reads and writes the registers at each
				# stop (brk does not move the pc), and the return address
				# is in x30: nothing to add
				vals+=(0)
			else
				vals+=($((2 * BASH_REMATCH[1] + BASH_REMATCH[2] + 2 * BASH_REMATCH[3])))
			fi
		fi
	done
	if ((${#vals[@]} == REPS)); then
		cost[$place]=$(median "${vals[@]}")
	else
		cost[$place]=FAILED
	fi
done

# --- peak RSS ------------------------------------------------------------------

rss=FAILED
stats=
if [[ -n ${broken[calltrap]:-} ]]; then
	:
else
	if [[ -z ${BENCH_NO_GNU_TIME:-} && -x /usr/bin/time ]]; then
		rss_tool=(/usr/bin/time -f %M -o "$work/rss")
		rss_how="GNU time %M"
	elif build maxrss "$benchdir/maxrss.c"; then
		rss_tool=(./maxrss "$work/rss")
		rss_how="bench/maxrss.c"
	fi
	if [[ -n ${rss_how:-} ]] && run_one "rss calltrap ($rss_how)" "$NRSS" "" "${rss_tool[@]}" \
		"$calltrap" trace --stats -e small -o /dev/null --format=jsonl -- ./bench_target "$NRSS"; then
		rss=$(tail -n1 "$work/rss")
		[[ $rss =~ ^[0-9]+$ ]] || rss=FAILED
		echo "-- rss: $rss KiB" >>"$log"
		stats=$(grep '^calltrap: stats: ' "$work/err" | tail -n1)
	fi
fi

# --- report --------------------------------------------------------------------

# per_call TOOL PLACE [DECIMALS]: microseconds per call above the untraced
# loop; "skipped" for a tool that cannot run here.
per_call() {
	if [[ ${broken[$1]:-} == skipped* ]]; then
		echo skipped
		return
	fi
	local t=${result[$1,$2]} b=${result[${base_of[$1]},$2]}
	if [[ $t == FAILED || $b == FAILED ]]; then
		echo FAILED
		return
	fi
	awk -v t="$t" -v b="$b" -v n="${calls_of[$1]}" -v d="${3:-2}" \
		'BEGIN { printf "%.*f", d, (t - b) / n / 1000 }'
}
# is_num VALUE: VALUE is a measured figure, not FAILED, skipped or -.
is_num() {
	[[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]
}
ratio() {
	if ! is_num "$1" || ! is_num "$2"; then
		echo -
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
min() {
	if [[ $1 == FAILED ]]; then echo "$2"; return; fi
	if [[ $2 == FAILED ]]; then echo "$1"; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'
}

declare -A row=()
for place in "${placements[@]}"; do
	b=${result[base,$place]}
	if [[ $b == FAILED ]]; then
		row[untraced,$place]=FAILED
	else
		row[untraced,$place]=$(awk -v b="$b" -v n="$N" 'BEGIN { printf "%.4f", b / n / 1000 }')
	fi
	for tool in floor_block floor_spin calltrap ltrace bpftrace; do
		row[$tool,$place]=$(per_call "$tool" "$place")
	done
	# uftrace is ~100x cheaper than the rest: three decimals.
	row[uftrace,$place]=$(per_call uftrace "$place" 3)
	if [[ ${broken[uftrace]:-} == skipped* ]]; then
		row[untraced_pg,$place]=skipped
	elif [[ ${result[base_pg,$place]} == FAILED ]]; then
		row[untraced_pg,$place]=FAILED
	else
		row[untraced_pg,$place]=$(awk -v b="${result[base_pg,$place]}" -v n="$NU" \
			'BEGIN { printf "%.4f", b / n / 1000 }')
	fi
	# the fast path costs a small fraction of the others: three decimals
	row[fast_record,$place]=$(per_call fast_record "$place" 3)
	row[fast_jsonl,$place]=$(per_call fast_jsonl "$place" 3)
	row[floor,$place]=$(min "${row[floor_block,$place]}" "${row[floor_spin,$place]}")
	row[ct_floor,$place]=$(ratio "${row[calltrap,$place]}" "${row[floor,$place]}")
	if [[ ${cost[$place]} == FAILED || ${row[floor,$place]} == FAILED ]]; then
		row[requests,$place]=FAILED row[least,$place]=FAILED
	else
		row[requests,$place]=$(awk -v c="${cost[$place]}" 'BEGIN { printf "%.2f", c / 1000 }')
		row[least,$place]=$(awk -v c="${cost[$place]}" -v f="${row[floor,$place]}" \
			'BEGIN { printf "%.2f", f + c / 1000 }')
	fi
	row[lt_least,$place]=$(ratio "${row[ltrace,$place]}" "${row[least,$place]}")
	row[lt_ct,$place]=$(ratio "${row[ltrace,$place]}" "${row[calltrap,$place]}")
	row[ct_bpf,$place]=$(ratio "${row[calltrap,$place]}" "${row[bpftrace,$place]}")
	row[ct_uf,$place]=$(ratio "${row[calltrap,$place]}" "${row[uftrace,$place]}")
done

echo "per-call cost (entry + return), microseconds; median of $REPS runs"
printf '  %-26s %14s %14s\n' "" "pinned (CPU 0)" "unpinned"
printrow() {
	printf '  %-26s %14s %14s\n' "$1" "${row[$2,pinned]}" "${row[$2,unpinned]}"
}
printrow "untraced loop" untraced
printrow "untraced loop, -pg build" untraced_pg
printrow "floor, blocking waitpid" floor_block
printrow "floor, spinning waitpid" floor_spin
printrow "floor = min" floor
printrow "requests at the stops" requests
printrow "floor + requests" least
printrow "calltrap (breakpoints)" calltrap
printrow "fast path, record" fast_record
printrow "fast path, trace jsonl" fast_jsonl
printrow "ltrace${ltrace_variant:+ ($ltrace_variant)}" ltrace
printrow "bpftrace uprobes (count)" bpftrace
printrow "uftrace record (-pg)" uftrace
printrow "calltrap / floor" ct_floor
printrow "ltrace / calltrap" lt_ct
printrow "ltrace / (floor + requests)" lt_least
printrow "calltrap / bpftrace" ct_bpf
printrow "calltrap / uftrace" ct_uf
echo

for tool in floor_block floor_spin calltrap ltrace bpftrace uftrace; do
	name=${tool/_/ }
	if [[ ${broken[$tool]:-} == skipped* ]]; then
		echo "$name: ${broken[$tool]}"
	elif [[ -n ${broken[$tool]:-} ]]; then
		fail "$name: FAILED (see log): ${broken[$tool]}"
	elif [[ ${result[$tool,pinned]} == FAILED || ${result[$tool,unpinned]} == FAILED ]]; then
		fail "$name: FAILED (see log)"
	fi
done
[[ -n ${broken[calltrap]:-} ]] || [[ $rss != FAILED ]] || fail "calltrap peak RSS: FAILED (see log)"
for tool in base base_ltrace base_pg; do
	[[ $tool == base_ltrace && ${broken[ltrace]:-} == skipped* ]] && continue
	[[ -n ${broken[$tool]:-} ]] && continue # base_pg: uftrace's failure says why
	for place in "${placements[@]}"; do
		[[ ${result[$tool,$place]} != FAILED ]] || fail "untraced $tool $place: FAILED (see log)"
	done
done

# verdict VALUE OP LIMIT: PASS, MISS, or MISS (not measured).
verdict() {
	if [[ $1 == - || $1 == FAILED ]]; then
		echo "MISS (not measured)"
		return
	fi
	awk -v v="$1" -v l="$3" -v op="$2" \
		'BEGIN { ok = (op == "<=") ? v <= l : v >= l; print ok ? "PASS" : "MISS" }'
}
# Stops per event from calltrap's --stats in the RSS run: every stop a
# call or return cost (entry, return, single-steps, spurious hits) over the
# call and return events.  Start-up stops (stops_internal, stops_other) are
# not per event.
if [[ $stats =~ call=([0-9]+)\ return=([0-9]+)\ .*stops_entry=([0-9]+)\ stops_return=([0-9]+)\ stops_step=([0-9]+)\ stops_spurious=([0-9]+) ]]; then
	ev=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
	st=$((BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5] + BASH_REMATCH[6]))
	printf 'stops per event: %s (%d stops for %d call and return events; %s)\n\n' \
		"$(awk -v a="$st" -v b="$ev" 'BEGIN { if (b) printf "%.3f", a / b; else print "-" }')" \
		"$st" "$ev" "${stats#calltrap: stats: }"
else
	fail "stops per event: not measured (no --stats line from calltrap, see log)"
fi

echo "targets (issue 2):"
for place in "${placements[@]}"; do
	printf '  %-9s %-26s %-20s (ratio %s)\n' "$place" \
		"calltrap <= $FLOOR_RATIO_MAX x floor:" \
		"$(verdict "${row[ct_floor,$place]}" '<=' "$FLOOR_RATIO_MAX")" "${row[ct_floor,$place]}"
	printf '  %-9s %-26s %-20s (ratio %s)\n' "$place" \
		"ltrace >= $LTRACE_RATIO_MIN x calltrap:" \
		"$(verdict "${row[lt_ct,$place]}" '>=' "$LTRACE_RATIO_MIN")" "${row[lt_ct,$place]}"
	if [[ ${row[lt_least,$place]} != - ]] &&
		awk -v v="${row[lt_least,$place]}" -v l="$LTRACE_RATIO_MIN" 'BEGIN { exit !(v < l) }'; then
		printf '  %-9s %s\n' "" "(out of reach here: ltrace is only ${row[lt_least,$place]} x floor + requests)"
	fi
done
if [[ $rss == FAILED ]]; then
	printf '  peak RSS, %d calls = %d events: %s\n' "$NRSS" $((2 * NRSS)) "MISS (not measured)"
else
	printf '  peak RSS, %d calls = %d events: %s (%d KiB = %.1f MiB, limit %d MiB)\n' \
		"$NRSS" $((2 * NRSS)) "$( ((rss < RSS_MAX_KIB)) && echo PASS || echo MISS)" \
		"$rss" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" $((RSS_MAX_KIB / 1024))
fi
echo

# The fast path's targets, each put beside the baselines measured above in
# the same placement: how many times the target bpftrace is, and how many
# times uftrace the target is.
# fast_target PLACE WHAT ROW LIMIT
fast_target() {
	local got=${row[$3,$1]} bpf=${row[bpftrace,$1]} uf=${row[uftrace,$1]} ref= verdict
	if is_num "$got"; then
		verdict=$(awk -v g="$got" -v l="$4" 'BEGIN { print (g <= l) ? "PASS" : "MISS" }')
		verdict="$verdict ($got us"
		is_num "$bpf" && verdict+=", bpftrace = $(ratio "$bpf" "$got") x this"
		is_num "$uf" && verdict+=", this = $(ratio "$got" "$uf") x uftrace"
		verdict+=")"
	else
		verdict="MISS (not measured: $got)"
	fi
	printf '  %-9s %-32s %s\n' "$1" "$2 <= $4 us:" "$verdict"
}
echo "targets (issue 14, the fast path):"
fast_target unpinned "record" fast_record "$FAST_RECORD_UNPINNED_MAX"
fast_target unpinned "trace --format=jsonl" fast_jsonl "$FAST_JSONL_UNPINNED_MAX"
fast_target pinned "record" fast_record "$FAST_RECORD_PINNED_MAX"
echo
echo "log: $log"
((failures == 0))
