#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Patterns never harm the program: one that matches nothing stays pending
# (like a gdb breakpoint) for every module loaded later, the program runs to
# its own end, and only then does calltrap name each pattern that never
# matched, once, and exit 1 (with -p, after a clean detach).  Before, such a
# pattern failed the session at the first process's start-up, killing the
# program at a moment that depended on timing (a vfork child: before the
# shell could print "end").  Also: MODULE names a module by its file name,
# its soname or either without version (tests/targets/modules.mk builds
# libfoo.so.1.2.3 with the soname libfoo.so.1); the default pattern leaves
# out what the toolchain adds; nothing to trace is said.
. "$(dirname "$0")/lib.sh"

# the aarch64 suite runs under qemu, several times slower: there, -O0 only
# (what is tested here does not depend on how the targets were compiled)
[ "$(uname -m)" = x86_64 ] || OPTS=${OPTS_GUEST:-O0}

# lines_naming FILE WORD: how many lines of FILE name pattern WORD.
lines_naming()
{
	grep -c "^calltrap: pattern '$2'" "$1"
}

# one_unmatched WHAT FILE SPEC: FILE (calltrap's stderr) names SPEC once.
one_unmatched()
{
	local n

	n=$(lines_naming "$2" "$3")
	[ "$n" -eq 1 ] || fail "$1: $n lines name pattern '$3', want 1"
}

# plugin_only EVENTS OUT WHAT: the events are exactly the plugin's calls in
# the dlopen target's truth (plugin_func 30 times, each calling
# plugin_helper), nothing else.
plugin_only()
{
	local n

	n=$(grep -c '"type": *"call"' "$1")
	[ "$n" -eq 60 ] || fail "$3: $n call events, want 60 (30 plugin_func + 30 plugin_helper)"
	n=$(grep '"type": *"call"' "$1" | grep -Ec '"func": *"plugin_(func|helper)"')
	[ "$n" -eq 60 ] || fail "$3: calls of other functions than the plugin's"
}

scenario()
{
	local t tv n bpid

	need_targets dlopen threads vfork busy
	need_file "$TARGETS/libplugin.so"
	need_file "$TARGETS/libfoo.so.1.2.3"
	t=$(target dlopen)

	# pending: plugin_* exists only in the library dlopen'ed later
	ct trace -e 'plugin_*' --format=jsonl -o "$D/pend.jsonl" -- "$t" "$TARGETS/libplugin.so" \
		> "$D/pend.out" 2> "$D/pend.err" < /dev/null
	expect_status "trace -e 'plugin_*' (pending until dlopen)" "$CT_STATUS" 0
	checks_ok "$D/pend.out"
	[ ! -s "$D/pend.err" ] || fail "calltrap said something for a pattern that matched"
	check check --events "$D/pend.jsonl" --truth "$D/pend.out" --funcs 'plugin_*'
	plugin_only "$D/pend.jsonl" "$D/pend.out" "pending plugin_*"

	# a worker pool, a matching and a non-matching pattern: every call of
	# the one, the program's own end, one line for the other, status 1
	tv=$(target threads)
	ct trace -e work -e nosuch_xyz --format=jsonl -o "$D/pool.jsonl" -- "$tv" \
		> "$D/pool.out" 2> "$D/pool.err" < /dev/null
	expect_status "trace -e work -e nosuch_xyz (threads)" "$CT_STATUS" 1
	check check --events "$D/pool.jsonl" --truth "$D/pool.out"
	one_unmatched "threads" "$D/pool.err" nosuch_xyz
	[ "$(lines_naming "$D/pool.err" work)" -eq 0 ] || fail "the matching pattern was named"

	# vfork children that exec (and a posix_spawn'ed image of the target),
	# followed: the same, in every process
	tv=$(target vfork)
	ct trace -f -e work -e in_vfork_child -e nosuch_xyz --format=jsonl -o "$D/vf.jsonl" \
		-- "$tv" > "$D/vf.out" 2> "$D/vf.err" < /dev/null
	expect_status "trace -f ... -e nosuch_xyz (vfork)" "$CT_STATUS" 1
	checks_ok "$D/vf.out"
	check check --events "$D/vf.jsonl" --truth "$D/vf.out" --follow
	one_unmatched "vfork" "$D/vf.err" nosuch_xyz

	# the shell of the issue, with a vfork child: it runs to its end with
	# its own output and status
	ct trace -e nosuch --format=jsonl -o "$D/sh.jsonl" -- sh -c 'echo start; /bin/true; echo end; exit 5' \
		> "$D/sh.out" 2> "$D/sh.err" < /dev/null
	expect_status "trace -e nosuch -- sh -c ..." "$CT_STATUS" 1
	[ "$(printf 'start\nend\n')" = "$(cat "$D/sh.out")" ] || fail "sh -c did not run to its end"
	grep -q '"type": *"exit", *"status": *5' "$D/sh.jsonl" || fail "sh did not exit with its own status 5"
	one_unmatched "sh -c" "$D/sh.err" nosuch

	# -p: the same once the clean detach is done (tests/targets/busy.c)
	tv=$(target busy)
	"$tv" "$D/stop" 30 > "$D/att.out" 2>&1 < /dev/null &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	wait_line "$D/att.out" '^pid=' 10 || fail "busy did not start"
	snapshot "$bpid" "$D/snap"
	ct trace -p "$bpid" -e step -e nosuch_xyz --duration=0.3 --format=jsonl \
		-o "$D/att.jsonl" 2> "$D/att.err" < /dev/null
	expect_status "trace -p -e step -e nosuch_xyz" "$CT_STATUS" 1
	one_unmatched "-p" "$D/att.err" nosuch_xyz
	[ "$(grep -c '' "$D/att.err")" -eq 1 ] || fail "-p: more than the one line"
	detached "$bpid" "$D/snap"
	# traced for the whole --duration, not given up at the attach
	check attach --events "$D/att.jsonl" --pid "$bpid" --func step
	touch "$D/stop"
	wait_pid "$bpid" 10
	expect_status "busy after the detach" "$WAIT_STATUS" 0
	checks_ok "$D/att.out"

	# the rest depends on no target's -O level (the libraries are -O2)
	[ "$OPT" = O0 ] || return 0

	# module names: file name, soname, without version, without ".so"
	ln -s "$TARGETS/libfoo.so.1.2.3" "$D/libfoo.so.1"
	for m in libfoo.so.1.2.3 libfoo.so.1 libfoo.so libfoo 'libfoo.so.*'; do
		ct trace -e "$m:plugin_*" --format=jsonl -o "$D/m.jsonl" -- "$t" "$D/libfoo.so.1" \
			> "$D/m.out" 2> "$D/m.err" < /dev/null
		expect_status "trace -e '$m:plugin_*'" "$CT_STATUS" 0
		plugin_only "$D/m.jsonl" "$D/m.out" "$m:plugin_*"
		grep -Eq '"module": ?"libfoo.so.1.2.3"' "$D/m.jsonl" ||
			fail "$m: events do not name the module by its file, libfoo.so.1.2.3"
	done
	for m in libfoo.so.2 libfo libfoo.so.1.2; do
		ct trace -e "$m:plugin_*" --format=jsonl -o "$D/m.jsonl" -- "$t" "$D/libfoo.so.1" \
			> "$D/m.out" 2> "$D/m.err" < /dev/null
		expect_status "trace -e '$m:plugin_*' (no such module)" "$CT_STATUS" 1
		checks_ok "$D/m.out"
		! grep -q '"type": *"call"' "$D/m.jsonl" || fail "$m: names libfoo.so.1.2.3"
		grep -q "^calltrap: pattern '$m:plugin_\*' matched nothing: no module named" "$D/m.err" ||
			fail "$m: the module part is not said to match no module"
	done
	# libc by its soname and by its stem: the same calls (the target's
	# truth lines each call getpid)
	ct trace -e 'libc:getpid' --format=jsonl -o "$D/c1.jsonl" -- "$t" "$TARGETS/libplugin.so" \
		> /dev/null 2> "$D/c1.err" < /dev/null
	expect_status "trace -e libc:getpid" "$CT_STATUS" 0
	ct trace -e 'libc.so.6:getpid' --format=jsonl -o "$D/c2.jsonl" -- "$t" "$TARGETS/libplugin.so" \
		> /dev/null 2> "$D/c2.err" < /dev/null
	expect_status "trace -e libc.so.6:getpid" "$CT_STATUS" 0
	n=$(grep -c '"type": *"call".*"func": *"getpid"' "$D/c1.jsonl")
	[ "$n" -ge 30 ] || fail "libc:getpid: $n calls, want at least 30"
	[ "$n" -eq "$(grep -c '"type": *"call".*"func": *"getpid"' "$D/c2.jsonl")" ] ||
		fail "libc:getpid and libc.so.6:getpid differ"

	# the default pattern leaves out the toolchain's functions; -e reaches them
	ct trace --format=jsonl -o "$D/def.jsonl" -- "$t" "$TARGETS/libplugin.so" > /dev/null \
		2> "$D/def.err" < /dev/null
	expect_status "trace (default pattern)" "$CT_STATUS" 0
	grep -q '"func": *"main"' "$D/def.jsonl" || fail "main is not in the default set"
	! grep -Eq '"func": *"(_start|_init|_fini|frame_dummy|register_tm_clones|deregister_tm_clones|__do_global_dtors_aux|__libc_csu_[a-z]*)"' \
		"$D/def.jsonl" || fail "the default set has a toolchain function"
	ct trace -e _start --format=jsonl -o "$D/start.jsonl" -- "$t" "$TARGETS/libplugin.so" \
		> /dev/null 2> "$D/start.err" < /dev/null
	expect_status "trace -e _start" "$CT_STATUS" 0
	n=$(grep -c '"type": *"call".*"func": *"_start"' "$D/start.jsonl")
	[ "$n" -eq 1 ] || fail "-e _start: $n calls of _start, want 1"

	# nothing to trace is said: a stripped executable, a script it runs
	if command -v strip > /dev/null; then
		strip -o "$D/stripped" "$t"
		ct trace -o "$D/str.ev" -- "$D/stripped" "$TARGETS/libplugin.so" > /dev/null \
			2> "$D/str.err" < /dev/null
		expect_status "trace a stripped executable" "$CT_STATUS" 0
		grep -q "^calltrap: nothing traced: .*/stripped has no symbol table (stripped): try -e 'libc.so.6:\*'" \
			"$D/str.err" || fail "a stripped executable: no hint"
		[ "$(grep -c '' "$D/str.err")" -eq 1 ] || fail "a stripped executable: more than one line"
		printf '#!%s %s\n' "$D/stripped" "$TARGETS/libplugin.so" > "$D/script"
		chmod +x "$D/script"
		ct trace -o "$D/scr.ev" -- "$D/script" > /dev/null 2> "$D/scr.err" < /dev/null
		expect_status "trace a script" "$CT_STATUS" 0
		grep -q "^calltrap: nothing traced: .*/script is a script, run by .*/stripped, which has no symbol table" \
			"$D/scr.err" || fail "a script: no hint"
	fi
}

run_opts scenario
