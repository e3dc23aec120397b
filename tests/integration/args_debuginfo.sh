#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where `calltrap trace` finds the DWARF that names and types arguments
# (tests/targets/args.c, which prints each call's values as its truth).
# Copies of the target, stripped of their debug info (strip --strip-debug:
# the symbols stay, so -e finds the functions), with the debug info in:
#  - a separate file found by build-id, DIR/.build-id/xx/yyyy.debug, under
#    --debug-dir=DIR or CALLTRAP_DEBUG_DIR;
#  - a separate file named by .gnu_debuglink, next to the binary or in its
#    .debug/ subdirectory;
#  - nowhere: the raw registers.
# Each lookup is also run without the place that holds the file, which must
# give the raw form.  Needs objcopy, strip and readelf (binutils), which the
# aarch64 guest has not (the test is host-only there).
. "$(dirname "$0")/lib.sh"

# hermetic: nothing from the user's setup, no debuginfod server asked
unset DEBUGINFOD_URLS CALLTRAP_DEBUG_DIR

# trace_int NAME PROG [CALLTRAP-OPTIONS...]: the calls of args_int in
# $D/NAME.jsonl; PROG must exit 0 with its checks ok.
trace_int()
{
	local name=$1 prog=$2

	shift 2
	ct trace --format=jsonl -e args_int -o "$D/$name.jsonl" "$@" -- "$prog" 32 \
		> "$D/$name.out" 2> "$D/$name.err" < /dev/null
	expect_status "calltrap trace $* ($name)" "$CT_STATUS" 0
	checks_ok "$D/$name.out"
}

# expect_form NAME typed|raw: every args_int call of NAME is typed with the
# target's own truth (names and values), or raw (6 or 8 hex registers).
expect_form()
{
	python3 - "$D/$1.jsonl" "$D/$1.out" "$2" <<'PY' || fail "$1: arguments not $2 (see above)"
import json, sys

events, truth, form = sys.argv[1:4]
want = None
for line in open(truth):
    if line.startswith("truth call args_int\t"):
        want = dict(kv.split("=", 1) for kv in line.rstrip("\n").split("\t")[1:])
calls = [e for e in map(json.loads, open(events)) if e["type"] == "call"]
bad = [] if calls and want else ["no args_int call or truth"]
for e in calls:
    args = e["args"]
    if form == "typed":
        got = {k: str(v) for k, v in args.items()} if isinstance(args, dict) else None
        if got != want:
            bad.append("args %r, want %r" % (args, want))
    elif not (isinstance(args, list) and len(args) in (6, 8) and
              all(a.startswith("0x") for a in args)):
        bad.append("args %r, want 6 or 8 raw registers" % (args,))
for b in bad:
    print("%s: %s" % (events, b))
sys.exit(1 if bad else 0)
PY
}

scenario()
{
	local t id dir

	need_targets args
	t=$(target args)
	# in the binary itself
	trace_int inbinary "$t"
	expect_form inbinary typed

	dir=$D/sep
	rm -rf "$dir" && mkdir -p "$dir/bin/.debug" "$dir/root" || fail "mkdir"
	cp "$t" "$dir/bin/args" || fail "cp"
	objcopy --only-keep-debug "$dir/bin/args" "$dir/args.debug" || fail "objcopy"
	strip --strip-debug "$dir/bin/args" || fail "strip"
	readelf -S "$dir/bin/args" | grep -q debug_info && fail "strip left .debug_info"
	trace_int stripped "$dir/bin/args"
	expect_form stripped raw

	# by build-id under --debug-dir and CALLTRAP_DEBUG_DIR
	id=$(readelf -n "$dir/bin/args" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
	[ -n "$id" ] || fail "no build-id in the target"
	mkdir -p "$dir/root/.build-id/${id:0:2}" || fail "mkdir"
	cp "$dir/args.debug" "$dir/root/.build-id/${id:0:2}/${id:2}.debug" || fail "cp"
	trace_int buildid "$dir/bin/args" --debug-dir="$dir/root"
	expect_form buildid typed
	CALLTRAP_DEBUG_DIR=$dir/root trace_int buildid-env "$dir/bin/args"
	expect_form buildid-env typed
	trace_int buildid-elsewhere "$dir/bin/args" --debug-dir="$dir/bin"
	expect_form buildid-elsewhere raw

	# by .gnu_debuglink, next to the binary, then in its .debug/
	objcopy --add-gnu-debuglink="$dir/args.debug" "$dir/bin/args" || fail "objcopy debuglink"
	cp "$dir/args.debug" "$dir/bin/args.debug" || fail "cp"
	trace_int link "$dir/bin/args"
	expect_form link typed
	mv "$dir/bin/args.debug" "$dir/bin/.debug/args.debug" || fail "mv"
	trace_int link-dotdebug "$dir/bin/args"
	expect_form link-dotdebug typed
	rm -f "$dir/bin/.debug/args.debug"
	trace_int link-gone "$dir/bin/args"
	expect_form link-gone raw
}

if command -v objcopy > /dev/null && command -v strip > /dev/null &&
	command -v readelf > /dev/null; then
	run_opts scenario
else
	echo "SKIP: no objcopy/strip/readelf here"
	exit 77
fi
