#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every module the process maps is found and traced:
#  - IFUNCs of libraries loaded by dlopen (tests/targets/ifunc.c): their
#    resolvers run only once the library is relocated, which glibc does
#    after telling the debugger about it (cos of libm.so.6 on x86_64, and
#    twice of libifunc.so, whose resolver faults before relocation);
#  - a library whose path holds a newline (written "\012" in the maps);
#  - a MODULE:GLOB whose module is a glob with a character class.
. "$(dirname "$0")/lib.sh"

# trace_truth NAME ARGS...: calltrap trace --format=jsonl ARGS; the target
# succeeds, calltrap says nothing, and the events are exactly its truth.
trace_truth()
{
	local name=$1

	shift
	ct trace --format=jsonl -o "$D/$name.jsonl" "$@" > "$D/$name.out" 2> "$D/$name.err" \
		< /dev/null
	expect_status "calltrap trace ($name)" "$CT_STATUS" 0
	checks_ok "$D/$name.out"
	# no warning ("cannot resolve IFUNC twice: ...")
	if grep '^calltrap' "$D/$name.err"; then
		fail "$name: calltrap complained"
	fi
	check check --events "$D/$name.jsonl" --truth "$D/$name.out"
}

scenario_ifunc()
{
	need_targets ifunc
	need_file "$TARGETS/libifunc.so"
	trace_truth ifunc -e 'libm.so.6:cos' -e 'libifunc.so:twice' -- \
		"$(target ifunc)" "$TARGETS/libifunc.so"
}

# A local IFUNC's resolver is its module's own business (glibc's
# __x86_cacheinfo runs the cache set-up): tracing every function of the
# library must not run it again; the target counts the runs.
scenario_local_ifunc()
{
	need_targets ifunc
	need_file "$TARGETS/libifunc.so"
	ct trace -e 'libifunc.so:*' -o "$D/local.ev" -- "$(target ifunc)" "$TARGETS/libifunc.so" \
		> "$D/local.out" 2> "$D/local.err" < /dev/null
	expect_status "calltrap trace -e 'libifunc.so:*'" "$CT_STATUS" 0
	checks_ok "$D/local.out"
	grep -q 'check local-ifunc-resolver-runs ok' "$D/local.out" ||
		fail "the target did not check its local IFUNC"
	# its implementation is traced by its own name
	grep -q 'plus_one_impl' "$D/local.ev" || fail "plus_one_impl was not traced"
}

scenario_newline()
{
	local dir=$D/new$'\n'line

	need_targets dlopen
	need_file "$TARGETS/libplugin.so"
	if ! mkdir -p "$dir" || ! cp "$TARGETS/libplugin.so" "$dir/"; then
		fail "cannot copy libplugin.so"
	fi
	trace_truth newline -e 'libplugin.so:plugin_*' -e dl_before -e dl_after -- \
		"$(target dlopen)" "$dir/libplugin.so"
	grep -Eq '"module": ?"libplugin.so"' "$D/newline.jsonl" ||
		fail "plugin events do not name the module libplugin.so"
}

# the ':' of the character class is the module glob's, not the separator
scenario_class()
{
	need_targets dlopen
	need_file "$TARGETS/libplugin.so"
	trace_truth class -e 'libplugin.so:plugin_*' -e '[[:lower:]]*-O[02]:dl_*' -- \
		"$(target dlopen)" "$TARGETS/libplugin.so"
}

rc=0
run_opts scenario_ifunc || rc=1
run_opts scenario_local_ifunc || rc=1
run_opts scenario_newline || rc=1
run_opts scenario_class || rc=1
exit $rc
