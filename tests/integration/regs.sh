#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --regs: every call and return carries the general-purpose registers, and
# they agree with the event (pc = function address, first argument register
# = args[0], return register = retval), and they are this architecture's.
. "$(dirname "$0")/lib.sh"

scenario()
{
	local t

	need_targets calls
	t=$(target calls)
	ct trace --regs -e add -e mul3 -e sum6 --format=jsonl -o "$D/ev.jsonl" -- "$t" \
		> "$D/out" 2> "$D/ct.err" < /dev/null
	expect_status "calltrap trace --regs" "$CT_STATUS" 0
	checks_ok "$D/out"
	check check --events "$D/ev.jsonl" --truth "$D/out" --funcs add,mul3,sum6
	check regs --events "$D/ev.jsonl"
	check portable --funcs add,mul3,sum6 --trace "$(uname -m):$D/ev.jsonl:$D/out"
	# tests/aarch64/run.sh takes the guest's trace out of the VM and
	# compares it with one made on the host (portability of traces)
	if [ -n "${CT_EXPORT_DIR:-}" ] && [ "$OPT" = O2 ]; then
		cp "$D/ev.jsonl" "$CT_EXPORT_DIR/regs-$(uname -m).jsonl"
		cp "$D/out" "$CT_EXPORT_DIR/regs-$(uname -m).out"
		# and a trace file, which the host dumps with its own calltrap
		ct record --regs -e add -e mul3 -e sum6 -o "$D/regs.trace" -- "$t" \
			> "$D/rec.out" 2> "$D/rec.err" < /dev/null
		expect_status "calltrap record --regs" "$CT_STATUS" 0
		cp "$D/regs.trace" "$CT_EXPORT_DIR/regs-$(uname -m).trace"
		cp "$D/rec.out" "$CT_EXPORT_DIR/regs-$(uname -m).trace.out"
	fi
}

run_opts scenario
