#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A libc function selected by module (libc.so.6:rand), and a GNU IFUNC
# defined in the program (tests/targets/libc.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets libc
	t=$(target libc)
	ct trace -e 'libc.so.6:rand' --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace -e libc.so.6:rand" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out" --funcs rand
	grep -Eq '"module": ?"libc.so.6"' "$D/ev.jsonl" || fail "rand events do not name libc.so.6"

	ct trace -e my_ifunc --format=jsonl -o "$D/ev2.jsonl" -- "$t" \
		> "$D/out2" 2> "$D/ct2.err" < /dev/null
	expect_status "calltrap trace -e my_ifunc" "$CT_STATUS" 0
	checks_ok "$D/out2"
	check check --events "$D/ev2.jsonl" --truth "$D/out2" --funcs 'my_ifunc*'
}

run_opts scenario
