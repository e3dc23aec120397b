#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfork and posix_spawn children share the parent's memory (breakpoints
# included) until they exec: a vfork child that calls a traced function must
# pass through it silently without -f, everything must keep running, and the
# parent's counts must be right; with -f the children are traced too
# (tests/targets/vfork.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets vfork
	t=$(target vfork)
	ct trace -e work -e in_vfork_child --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace vfork" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out" --only-pid "$(main_pid "$D/out")"

	ct trace -f -e work -e in_vfork_child --format=jsonl -o "$D/evf.jsonl" -- "$t" \
		> "$D/outf" 2> "$D/ctf.err" < /dev/null
	expect_status "calltrap trace -f vfork" "$CT_STATUS" 0
	checks_ok "$D/outf"
	check check --events "$D/evf.jsonl" --truth "$D/outf" --follow
}

run_opts scenario
