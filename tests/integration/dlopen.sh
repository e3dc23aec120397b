#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A library loaded at run time, unloaded and loaded again: MODULE:GLOB
# patterns must take effect when the module appears, each time
# (tests/targets/dlopen.c, tests/targets/plugin.c).
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets dlopen
	need_file "$TARGETS/libplugin.so"
	t=$(target dlopen)
	ct trace -e 'libplugin.so:plugin_*' -e dl_before -e dl_after --format=jsonl \
		-o "$D/ev.jsonl" -- "$t" "$TARGETS/libplugin.so" > "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace dlopen" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	grep -Eq '"module": ?"libplugin.so"' "$D/ev.jsonl" ||
		fail "plugin events do not name the module libplugin.so"
}

run_opts scenario
