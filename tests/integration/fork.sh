#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fork: without -f only the parent is traced and the child runs clean (no
# breakpoint left in its copy of memory: it would die of SIGTRAP); with -f
# both are traced, each with its own counts (tests/targets/fork.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets fork
	t=$(target fork)
	ct trace -e work --format=jsonl -o "$D/ev.jsonl" -- "$t" clean > "$D/out" 2> "$D/ct.err" \
		< /dev/null
	expect_status "calltrap trace fork" "$CT_STATUS" 0
	checks_ok "$D/out"
	grep -q '^check child-text ok' "$D/out" || fail "the child's copy of work() was not checked"
	grep -q '^check child-status ok' "$D/out" || fail "the child did not exit 0"
	check check --events "$D/ev.jsonl" --truth "$D/out" --only-pid "$(main_pid "$D/out")"

	ct trace -f -e work --format=jsonl -o "$D/evf.jsonl" -- "$t" > "$D/outf" 2> "$D/ctf.err" \
		< /dev/null
	expect_status "calltrap trace -f fork" "$CT_STATUS" 0
	checks_ok "$D/outf"
	grep -q '^check child-status ok' "$D/outf" || fail "the child did not exit 0 (-f)"
	check check --events "$D/evf.jsonl" --truth "$D/outf" --follow
}

run_opts scenario
