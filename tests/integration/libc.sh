#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A libc function selected by module (libc.so.6:rand), and a GNU IFUNC
# defined in the program (tests/targets/libc.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t impl

	need_targets libc
	t=$(target libc)
	ct trace -e 'libc.so.6:rand' --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace -e libc.so.6:rand" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out" --funcs rand
	grep -Eq '"module": ?"libc.so.6"' "$D/ev.jsonl" || fail "rand events do not name libc.so.6"

	# A GNU IFUNC of libc: events at the implementation the process uses.
	ct trace -e 'libc.so.6:wcslen' --format=jsonl -o "$D/ev3.jsonl" -- "$t" \
		> "$D/out3" 2> "$D/ct3.err" < /dev/null
	expect_status "calltrap trace -e libc.so.6:wcslen" "$CT_STATUS" 0
	checks_ok "$D/out3"
	check check --events "$D/ev3.jsonl" --truth "$D/out3" --funcs wcslen
	impl=$(sed -n 's/^info ifunc func=wcslen impl=//p' "$D/out3")
	[ -n "$impl" ] || fail "the target did not print wcslen's implementation"
	grep -q '"type": \?"call"' "$D/ev3.jsonl" || fail "no wcslen call events"
	if grep '"type": \?"call"' "$D/ev3.jsonl" | grep -vq "\"addr\": \?\"$impl\""; then
		fail "wcslen events are not at the implementation $impl"
	fi

	ct trace -e my_ifunc --format=jsonl -o "$D/ev2.jsonl" -- "$t" \
		> "$D/out2" 2> "$D/ct2.err" < /dev/null
	expect_status "calltrap trace -e my_ifunc" "$CT_STATUS" 0
	checks_ok "$D/out2"
	check check --events "$D/ev2.jsonl" --truth "$D/out2" --funcs 'my_ifunc*'
}

run_opts scenario
