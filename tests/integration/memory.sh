#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded memory: calltrap's peak RSS stays flat however many execs, forks,
# dlopen/dlclose cycles and threads the traced program goes through
# (tests/targets/churn.c, and a shell loop running /bin/true under -f).
# Each case runs twice, with N and 10 * N rounds: the larger run must peak
# below 1.5 times the smaller one, and below 64 MiB.  Modules used to be
# kept for the whole session, ~0.4 MB per exec (2,000 execs: ~800 MB).
# The events are counted too, so that sharing modules across processes
# cannot lose any.
. "$(dirname "$0")/lib.sh"

# the aarch64 suite runs under qemu (tests/aarch64), several times slower
if [ "$(uname -m)" = x86_64 ]; then
	SCALE=${SCALE:-1}
else
	SCALE=${SCALE:-4}
fi
LIMIT_KB=$((64 * 1024))
# calltrap's memory is under test, not the target's code: one -O level
case " $OPTS " in
*" O2 "*) OPTS=O2 ;;
esac

# With ASan (./configure --enable-sanitizers) freed memory waits in a
# quarantine and every block is bigger: no quarantine, and no absolute limit.
ASAN=0
if grep -q __asan_init "$CALLTRAP" 2>/dev/null; then
	ASAN=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
fi

# peak NAME ARGS...: run calltrap ARGS with its peak RSS in KiB in PEAK
# (tests/targets/peakrss.c: the largest of calltrap and the tracees it
# reaped, which are far smaller).
peak()
{
	local name=$1

	shift
	CT_WRAP="$TARGETS/peakrss $D/$name.rss" ct "$@" > "$D/$name.out" 2> "$D/$name.err" \
		< /dev/null
	expect_status "calltrap $name" "$CT_STATUS" 0
	PEAK=$(cat "$D/$name.rss")
	note "$name: peak RSS ${PEAK} KiB"
}

# flat WHAT SMALL_KB LARGE_KB
flat()
{
	if [ "$3" -ge $(($2 * 3 / 2)) ]; then
		fail "$1: peak RSS ${3} KiB, 10 times the rounds took it from ${2} KiB"
	fi
	if [ "$ASAN" = 0 ] && [ "$3" -ge "$LIMIT_KB" ]; then
		fail "$1: peak RSS ${3} KiB, over $LIMIT_KB"
	fi
}

# count FILE WHAT REGEX WANT: FILE (jsonl events) has WANT lines matching
count()
{
	local got

	got=$(grep -c -- "$3" "$1")
	[ "$got" -eq "$4" ] || fail "$2: $got events, want $4"
}

# churn_case MODE N ARGS...: the target's rounds under trace -e work
# (-f for fork), N and 10 * N of them; the events of the larger run match
# the truth the target printed
churn_case()
{
	local mode=$1 n=$2 t r small big f="" plug=""

	shift 2
	t=$(target churn)
	[ "$mode" = fork ] && f=-f
	# (only dlopen loads the plugin: elsewhere its pattern would match
	# nothing, which makes calltrap's exit status 1)
	[ "$mode" = dlopen ] && plug=libplugin.so:plugin_*
	for r in "$n" $((n * 10)); do
		peak "$mode$r" trace $f --format=jsonl -e work ${plug:+-e "$plug"} \
			-o "$D/$mode$r.jsonl" -- "$t" "$mode" "$r" "$@"
		checks_ok "$D/$mode$r.out"
		[ "$r" = "$n" ] && small=$PEAK || big=$PEAK
	done
	flat "churn $mode" "$small" "$big"
	r=$((n * 10))
	# shellcheck disable=SC2046 # the truth line's words: work=K plugin_func=P ...
	set -- $(sed -n "s/^truth churn mode=$mode //p" "$D/$mode$r.out")
	local work=${1#work=} plug=${2#plugin_func=} jump=${3#plugin_jump=} exec=${4#exec=}
	local fork=${5#fork=} thread=${6#thread=}
	[ -n "$thread" ] || fail "churn $mode: no truth line in $D/$mode$r.out"
	f=$D/$mode$r.jsonl
	count "$f" "calls of work" '"type":"call","func":"work"' "$work"
	count "$f" "returns of work" '"type":"return","func":"work"' "$work"
	count "$f" "calls of plugin_func" '"type":"call","func":"plugin_func"' "$plug"
	count "$f" "calls of plugin_helper" '"type":"call","func":"plugin_helper"' "$plug"
	count "$f" "calls of plugin_jump" '"type":"call","func":"plugin_jump"' "$jump"
	# longjmp'ed out of: its frame outlives its library until the next call
	count "$f" "unwinds of plugin_jump" '"type":"unwind","func":"plugin_jump"' "$jump"
	count "$f" "exec events" '"type":"exec"' "$exec"
	count "$f" "fork events" '"type":"fork"' "$fork"
	count "$f" "thread_start events" '"type":"thread_start"' "$thread"
}

scenario()
{
	local n small big lib

	need_targets churn
	lib=$TARGETS/libplugin.so
	need_file "$lib"
	need_file "$TARGETS/peakrss"
	churn_case exec $((200 / SCALE))
	churn_case fork $((100 / SCALE))
	churn_case dlopen $((100 / SCALE)) "$lib"
	churn_case threads $((100 / SCALE))

	# the shell loop of the report: fork, exec and exit, the modules of
	# each /bin/true freed with it
	for n in $((100 / SCALE)) $((1000 / SCALE)); do
		peak "sh$n" trace -f --format=jsonl -e 'libc.so.6:_exit' -o "$D/sh$n.jsonl" \
			-- sh -c "i=0; while [ \$i -lt $n ]; do /bin/true; i=\$((i + 1)); done"
		[ "$n" = $((100 / SCALE)) ] && small=$PEAK || big=$PEAK
	done
	flat "shell loop" "$small" "$big"
	count "$D/sh$n.jsonl" "exec events" '"type":"exec"' "$n"
	count "$D/sh$n.jsonl" "exit events" '"type":"exit"' $((n + 1))
	# each /bin/true exits through libc's _exit, once (the shell too where
	# it is linked with libc; the guest's busybox sh is static)
	python3 - "$D/sh$n.jsonl" "$n" <<'PY' || fail "calls of _exit do not match the processes"
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
calls = collections.Counter(e["pid"] for e in ev if e["type"] == "call" and e["func"] == "_exit")
execd = {e["pid"] for e in ev if e["type"] == "exec"}
bad = [p for p in execd if calls[p] != 1] + [p for p, c in calls.items() if c > 1]
print("_exit calls: %d from %d exec'd processes; wrong: %s" % (sum(calls.values()), len(execd), bad[:5]))
sys.exit(1 if bad or len(execd) != int(sys.argv[2]) else 0)
PY
}

run_opts scenario
