#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A tail call (A ends by jumping to B) nests B in A, marked "tail":true,
# and both return together with B's value; a frame abandoned by longjmp or
# a C++ exception and called again from the same call site at the same
# stack pointer, which looks the same at the call, stays an unwind, as
# does a frame its thread's exit abandons (pthread_exit); a
# frame that caught an exception and then tail-calls is not abandoned
# (tests/targets/tailcall.c, tailcall_cxx.cc).  At -O0 there are no tail
# calls: the same events, none marked.  A recorded trace replays the
# pair nested, and the report counts both.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t tx

	need_targets tailcall tailcall_cxx
	t=$(target tailcall)
	tx=$(target tailcall_cxx)
	run_untraced "$D/untraced.out" "$t"
	checks_ok "$D/untraced.out"
	expect_status "untraced tailcall" "$UT_STATUS" 0
	ct trace -e 'tc_*' -e 'lj_*' -e 'th_*' --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace tailcall" "$CT_STATUS" 0
	checks_ok "$D/out"
	same_output "$D/untraced.out" "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"

	run_untraced "$D/untraced_cxx.out" "$tx"
	checks_ok "$D/untraced_cxx.out"
	expect_status "untraced tailcall_cxx" "$UT_STATUS" 0
	ct trace -e 'ex_*' --format=jsonl -o "$D/evx.jsonl" -- "$tx" \
		> "$D/outx" 2> "$D/ctx.err" < /dev/null
	expect_status "calltrap trace tailcall_cxx" "$CT_STATUS" 0
	checks_ok "$D/outx"
	same_output "$D/untraced_cxx.out" "$D/outx"
	check check --events "$D/evx.jsonl" --truth "$D/outx"

	# the text form marks the call a jump made
	ct trace -e 'tc_*' -- "$t" 1 > /dev/null 2> "$D/text.err" < /dev/null
	expect_status "calltrap trace tailcall (text)" "$CT_STATUS" 0
	if [ "$OPT" = O2 ]; then
		grep -q '^[0-9.]* \[[0-9]*\]   tc_mid(x=0) { <tail call>$' "$D/text.err" ||
			fail "no tc_mid call marked <tail call> at depth 2: $(cat "$D/text.err")"
	elif grep -q '<tail call>' "$D/text.err"; then
		fail "a tail call at -O0: $(cat "$D/text.err")"
	fi
	grep -q '<unwind>' "$D/text.err" && fail "an unwind among tail calls: $(cat "$D/text.err")"

	# recorded: replay nests the pair, report counts every call
	ct record -e 'tc_*' -o "$D/tc.trace" -- "$t" 1 > /dev/null 2> "$D/rec.err" < /dev/null
	expect_status "calltrap record tailcall" "$CT_STATUS" 0
	ct replay "$D/tc.trace" > "$D/replay.out" 2> "$D/replay.err"
	expect_status "calltrap replay" "$CT_STATUS" 0
	# a leaf on one line, the pair nested, the chain closing in order
	grep -q '^.*|     tc_leaf(x=1) = 4;' "$D/replay.out" &&
		grep -q '^.*|   } = 4; /\* tc_mid \*/$' "$D/replay.out" &&
		grep -q '^.*| } = 4; /\* tc_chain \*/$' "$D/replay.out" ||
		fail "replay does not nest tc_chain, tc_mid, tc_leaf: $(cat "$D/replay.out")"
	if [ "$OPT" = O2 ]; then
		grep -q '|   tc_mid(x=0) { /\* tail call \*/$' "$D/replay.out" ||
			fail "replay does not mark tc_mid a tail call: $(cat "$D/replay.out")"
	fi
	grep -q 'unwind' "$D/replay.out" && fail "replay shows an unwind: $(cat "$D/replay.out")"
	ct dump "$D/tc.trace" --format=jsonl > "$D/dump.jsonl" 2> "$D/dump.err"
	expect_status "calltrap dump" "$CT_STATUS" 0
	if [ "$OPT" = O2 ]; then
		[ "$(grep -c '"tail":true' "$D/dump.jsonl")" = 3 ] ||
			fail "dump: not 3 tail calls: $(cat "$D/dump.jsonl")"
	fi
	ct report "$D/tc.trace" > "$D/report.out" 2> "$D/report.err"
	expect_status "calltrap report" "$CT_STATUS" 0
	grep -q 'tc_leaf' "$D/report.out" || fail "report: no tc_leaf: $(cat "$D/report.out")"
}

# A tail-dispatch loop (tp_ping and tp_pong jump to each other 3000 times)
# keeps at most CT_TAIL_RUN_MAX = 1024 tail calls open at one stack
# pointer (src/breakpoints/breakpoints.h): each call beyond them ends the
# frame it leaves as an unwind.  At -O0 they are real calls, 3001 deep.
scenario_dispatch()
{
	local t n=3000

	need_targets tailcall
	t=$(target tailcall)
	ct trace -e 'tp_*' --format=jsonl -o "$D/disp.jsonl" -- "$t" dispatch "$n" \
		> "$D/disp.out" 2> "$D/disp.err" < /dev/null
	expect_status "calltrap trace tailcall dispatch" "$CT_STATUS" 0
	checks_ok "$D/disp.out"
	python3 - "$D/disp.jsonl" "$n" "$OPT" <<'EOF' || fail "tail-dispatch events (see above)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
n, opt, cap = int(sys.argv[2]), sys.argv[3], 1024
calls = [e for e in ev if e["type"] == "call"]
rets = [e for e in ev if e["type"] == "return"]
unw = [e for e in ev if e["type"] == "unwind"]
deepest = max(e["depth"] for e in calls)
# open at once: every frame at -O0; at -O2 the first tp_ping and the run
want_open = n + 1 if opt == "O0" else cap + 1
bad = []
if len(calls) != n + 1:
    bad.append("%d calls, want %d" % (len(calls), n + 1))
if deepest != want_open:
    bad.append("deepest frame at depth %d, want %d" % (deepest, want_open))
if len(rets) != want_open or len(unw) != n + 1 - want_open:
    bad.append("%d returns and %d unwinds, want %d and %d"
               % (len(rets), len(unw), want_open, n + 1 - want_open))
if not rets or rets[-1]["depth"] != 1 or rets[-1]["retval"] != 42:
    bad.append("the outermost tp_ping does not return 42 last")
if any(e["retval"] != 42 for e in rets):
    bad.append("a return without the value 42")
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
EOF
}

rc=0
run_opts scenario || rc=1
run_opts scenario_dispatch || rc=1
exit $rc
