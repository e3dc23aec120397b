#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap record: the trace file holds exactly the events `trace` prints
# (checked against the target's own truth through `dump --format=jsonl`),
# registers included with --regs; the target's stdout and exit status are
# its own; and a recorder killed with SIGKILL leaves a file whose complete
# chunks still dump, as a well-formed prefix of the run.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t b rc size

	need_targets calls threads busy
	t=$(target calls)
	run_untraced "$D/untraced.out" "$t"
	ct record -e add -e mul3 -e sum6 -e recurse -o "$D/calls.trace" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap record calls" "$CT_STATUS" 0
	[ ! -s "$D/ct.err" ] || fail "record printed on stderr: $(head -n 5 "$D/ct.err")"
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	ct dump --format=jsonl "$D/calls.trace" > "$D/calls.jsonl" 2> "$D/dump.err"
	expect_status "calltrap dump calls.trace" "$CT_STATUS" 0
	check check --events "$D/calls.jsonl" --truth "$D/out"

	# --regs: the snapshots survive the file, under this machine's names
	ct record --regs -e add -e mul3 -e sum6 -o "$D/regs.trace" -- "$t" > "$D/out2" 2>&1
	expect_status "calltrap record --regs" "$CT_STATUS" 0
	ct dump --format=jsonl "$D/regs.trace" > "$D/regs.jsonl" 2> "$D/dump2.err"
	expect_status "calltrap dump regs.trace" "$CT_STATUS" 0
	check regs --events "$D/regs.jsonl"
	check portable --funcs add,mul3,sum6 --trace "$(uname -m):$D/regs.jsonl:$D/out2"

	# 16 threads: per-thread counts exact, nothing lost or mis-paired
	b=$(target threads)
	ct record -e work -o "$D/threads.trace" -- "$b" > "$D/out3" 2> "$D/ct3.err"
	expect_status "calltrap record threads" "$CT_STATUS" 0
	checks_ok "$D/out3"
	ct dump --format=jsonl "$D/threads.trace" > "$D/threads.jsonl" 2> "$D/dump3.err"
	expect_status "calltrap dump threads.trace" "$CT_STATUS" 0
	check check --events "$D/threads.jsonl" --truth "$D/out3"

	# SIGKILL mid-run: chunks already written stay readable
	b=$(target busy)
	"$CALLTRAP" record -e step -o "$D/killed.trace" -- "$b" "$D/stop" 60 \
		> "$D/out4" 2> "$D/ct4.err" < /dev/null &
	rc=$!
	BG_PIDS="$BG_PIDS $rc"
	# a few chunks (64 KiB of payload each) first
	for _ in $(seq 1 600); do
		size=$(stat -c %s "$D/killed.trace" 2>/dev/null || echo 0)
		[ "$size" -lt 300000 ] || break
		sleep 0.1
	done
	[ "$size" -ge 300000 ] || fail "the recorder wrote only $size bytes in a minute"
	kill -KILL "$rc"
	wait "$rc" 2>/dev/null || true
	ct dump --format=jsonl "$D/killed.trace" > "$D/killed.jsonl" 2> "$D/dump4.err"
	# killed between chunks (the usual case): complete chunks, a warning;
	# killed in the middle of writing one: its bytes are lost, an error
	case $CT_STATUS in
	0) grep -q ': trace incomplete: ' "$D/dump4.err" ;;
	1) grep -q ': truncated chunk at offset ' "$D/dump4.err" ;;
	*) false ;;
	esac || fail "dump of a killed recorder's file: status $CT_STATUS, $(cat "$D/dump4.err")"
	[ "$(grep -c '"type":"call"' "$D/killed.jsonl")" -gt 1000 ] ||
		fail "too few events dumped from the killed recorder's file"
	# every return matches its call; frames open at the kill are allowed
	echo "truth pid=$(sed -n 's/^pid=//p' "$D/out4" | head -n 1) role=main" > "$D/killed.truth"
	check check --events "$D/killed.jsonl" --truth "$D/killed.truth" --allow-open
}

OPTS=O2 run_opts scenario
