#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap dump --format=perfetto, read back with protobuf's own decoder
# (python3-protobuf, with docs/perfetto_subset.proto compiled by protoc) and
# compared with the jsonl dump of the same recording (check_perfetto.py):
# no field unknown to the .proto, interned names resolved through the
# sequence state, tracks described before use, and after trace_processor's
# sort every frame of every thread a slice with its name, module, start,
# duration, depth, arguments (raw and DWARF-typed) and return value or end,
# every process and thread event an instant with its fields; with filters,
# the frames the jsonl dump shows with the same filters.  A damaged or
# truncated recording exits 1 with one line on stderr, its intact part
# decodes and ends with a "trace damaged" mark; with -o nothing is written.
# `protoc --decode` (the other decoder) reads it too; the REPL's dump writes
# the same bytes; on a terminal, a usage error instead of binary.
#
# Host only (tests/integration/local.mk): the format is the same C on any
# CPU, and the aarch64 guest has no protoc or python3-protobuf.
. "$(dirname "$0")/lib.sh"

PROTO=$TOP_SRCDIR/docs/perfetto_subset.proto
CHECK=$TOP_SRCDIR/tests/integration/check_perfetto.py

# python3 with the protobuf module: the first python3 on PATH may be another
# installation than Debian's, which python3-protobuf extends
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" > /dev/null && "$p" -c 'import google.protobuf' 2> /dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] && command -v protoc > /dev/null ||
	fail "protoc and python3-protobuf are needed (apt-get install protobuf-compiler python3-protobuf; scripts/setup.sh installs them)"
protoc -I"$(dirname "$PROTO")" --python_out="$WORK" "$PROTO" ||
	fail "protoc cannot compile $PROTO"

record()
{
	local trace=$1

	shift
	ct record -o "$trace" "$@" > "$trace.out" 2> "$trace.err" < /dev/null
	expect_status "calltrap record $*" "$CT_STATUS" 0
}

# pcheck WHAT ARGS...: check_perfetto.py ARGS; its summary as a note
pcheck()
{
	local what=$1

	shift
	"$PY" "$CHECK" "$WORK" "$@" > "$D/pcheck.out" ||
		{ cat "$D/pcheck.out"; fail "$what: the perfetto dump disagrees"; }
	note "$what: $(cat "$D/pcheck.out")"
}

# dump_ok OUT ARGS...: calltrap dump ARGS > OUT, status 0, nothing on stderr
dump_ok()
{
	local out=$1

	shift
	ct dump "$@" > "$out" 2> "$out.err" < /dev/null
	expect_status "calltrap dump $*" "$CT_STATUS" 0
	[ ! -s "$out.err" ] || { cat "$out.err"; fail "calltrap dump $*: messages on stderr"; }
}

# same TRACE [CHECK-OPTIONS] [-- FILTERS]: perfetto and jsonl dumps of TRACE
# (with FILTERS) agree
same()
{
	local tr=$1 copts=() filt=()

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		copts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	filt=("$@")
	dump_ok "$D/cmp.jsonl" "${filt[@]}" "$tr"
	dump_ok "$D/cmp.pftrace" --format=perfetto "${filt[@]}" "$tr"
	if [ ${#filt[@]} -gt 0 ]; then
		# the filters leave some frames out, not all
		[ "$(grep -c '"call"' "$D/cmp.jsonl")" -gt 0 ] &&
			[ "$(grep -c '"call"' "$D/cmp.jsonl")" -lt "$(ct dump "$tr" | grep -c '"call"')" ] ||
			fail "$(basename "$tr") ${filt[*]}: shows no frame, or every one"
	fi
	pcheck "$(basename "$tr") ${filt[*]}" "$D/cmp.pftrace" "$D/cmp.jsonl" "${copts[@]}"
}

scenario_calls()
{
	local t tr=$D/calls.trace med

	need_targets calls
	t=$(target calls)
	record "$tr" --max-depth=64 -e add -e mul3 -e sum6 -e recurse -- "$t"
	grep -q '"args":{' < <(ct dump "$tr") || fail "no DWARF-typed arguments in the recording"
	same "$tr" --main "$(basename "$t")"
	# the frames the filters show, as jsonl shows them: frames shorter
	# than the median duration hidden (decided at the call: the lookahead);
	# a subtree
	ct dump "$tr" > "$D/all.jsonl"
	med=$(sed -n 's/.*"duration_ns":\([0-9]*\).*/\1/p' "$D/all.jsonl" | sort -n |
		sed -n "$((($(grep -c duration_ns "$D/all.jsonl") + 1) / 2))p")
	same "$tr" -- --min-duration="${med}ns"
	same "$tr" -- --func=recurse --max-depth=3
	# raw registers: pointer values
	record "$D/raw.trace" --raw-args --max-depth=8 -e add -e mul3 -e sum6 -e recurse -- "$t"
	grep -q '"args":\["0x' < <(ct dump "$D/raw.trace") || fail "no raw arguments"
	same "$D/raw.trace" --main "$(basename "$t")"
	# the other decoder: protoc's text of the first slice
	ct dump --format=perfetto -o "$D/raw.pftrace" "$D/raw.trace" 2> /dev/null
	protoc -I"$(dirname "$PROTO")" --decode=perfetto.protos.Trace "$PROTO" \
		< "$D/raw.pftrace" > "$D/raw.txt" || fail "protoc --decode failed"
	grep -q 'type: TYPE_SLICE_BEGIN' "$D/raw.txt" && grep -q 'pointer_value: ' "$D/raw.txt" &&
		grep -q 'name: "add"' "$D/raw.txt" || fail "protoc --decode: no slice of add"
	# the REPL's dump writes the same bytes
	printf 'dump --format=perfetto -o %s\n' "$D/repl.pftrace" > "$D/script"
	ct repl -x "$D/script" "$D/raw.trace" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "repl dump --format=perfetto" "$CT_STATUS" 0
	cmp -s "$D/repl.pftrace" "$D/raw.pftrace" || fail "the REPL's perfetto dump differs"
	# binary is not for a terminal: one line, status 2, no bytes of it
	"$PY" - "$CALLTRAP" "$D/raw.trace" > "$D/tty.out" <<'EOF2' || fail "dump on a terminal: python pty failed"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], 'dump', '--format=perfetto', sys.argv[2]])
out = b''
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
sys.stdout.write(out.decode('utf-8', 'replace'))
EOF2
	[ "$(sed -n 1p "$D/tty.out")" = 2 ] && [ "$(grep -c '' "$D/tty.out")" -eq 2 ] &&
		grep -q "^calltrap: --format=perfetto writes binary: give -o FILE" "$D/tty.out" ||
		{ cat "$D/tty.out"; fail "dump --format=perfetto on a terminal: want status 2 and one line"; }
}

scenario_threads()
{
	local t first last

	need_targets threads
	t=$(target threads)
	record "$D/th.trace" -e work -- "$t"
	same "$D/th.trace" --main "$(basename "$t")"
	# from the call a quarter of the way to the one three quarters of the
	# way: frames cut at both ends (however the calls bunch in time)
	ct dump "$D/th.trace" > "$D/all.jsonl"
	read -r first last < <(grep '"type":"call"' "$D/all.jsonl" |
		sed -n 's/.*"ts_ns":\([0-9]*\).*/\1/p' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int(NR / 4) + 1], v[int(NR * 3 / 4)] }')
	same "$D/th.trace" -- --since="$first"ns --until="$last"ns
	same "$D/th.trace" -- --tid="$(ct dump "$D/th.trace" |
		sed -n 's/.*"tid":\([0-9]*\),"type":"call".*/\1/p' | sed -n 1p)"
}

# unwinds (longjmp, exceptions), tail calls, signals, a second process
scenario_events()
{
	local t

	need_targets longjmp exceptions tailcall signals fork
	t=$(target longjmp)
	record "$D/lj.trace" -e outer -e middle -e inner -e catcher -e 'jump_*' -e after -- "$t"
	grep -q '"type":"unwind"' < <(ct dump "$D/lj.trace") || fail "longjmp: no unwind"
	same "$D/lj.trace"
	record "$D/ex.trace" -e level1 -e level2 -e thrower -e cleanup_hook -- "$(target exceptions)"
	same "$D/ex.trace"
	record "$D/tc.trace" -e 'tc_*' -e 'lj_*' -e 'th_*' -- "$(target tailcall)"
	grep -q '"tail":true' < <(ct dump "$D/tc.trace") || fail "tailcall: no tail call"
	same "$D/tc.trace"
	record "$D/sig.trace" -e handler_work -e raiser -- "$(target signals)"
	same "$D/sig.trace"
	record "$D/fork.trace" -f -e work -- "$(target fork)"
	grep -q '"type":"fork"' < <(ct dump "$D/fork.trace") || fail "fork: no fork event"
	same "$D/fork.trace" --main "$(basename "$(target fork)")"
}

# Recordings cut short or damaged: status 1, one line on stderr, the intact
# part decodes with a "trace damaged" mark at its end; -o writes nothing.
# The fixtures read whole (typed values up to 255 characters, lost events,
# the other architecture) decode without the mark.
scenario_damaged()
{
	local fix=$TOP_SRCDIR/tests/fixtures f

	for f in truncated badcrc; do
		ct dump "$fix/$f.trace" > "$D/$f.jsonl" 2> /dev/null
		ct dump --format=perfetto "$fix/$f.trace" > "$D/$f.pftrace" 2> "$D/$f.err" < /dev/null
		expect_status "dump --format=perfetto $f.trace" "$CT_STATUS" 1
		[ "$(grep -c '' "$D/$f.err")" -eq 1 ] && grep -q "^calltrap: $fix/$f.trace: ." "$D/$f.err" ||
			{ cat "$D/$f.err"; fail "$f.trace: want one line 'calltrap: FILE: ...'"; }
		[ -s "$D/$f.pftrace" ] || fail "$f.trace: nothing of the intact part"
		pcheck "$f" "$D/$f.pftrace" "$D/$f.jsonl" \
			--damaged "$(sed 's/^calltrap: [^:]*: //' "$D/$f.err")"
		ct dump --format=perfetto -o "$D/$f.o" "$fix/$f.trace" > /dev/null 2>&1 < /dev/null
		expect_status "dump --format=perfetto -o $f.trace" "$CT_STATUS" 1
		[ ! -e "$D/$f.o" ] || fail "$f.trace: -o wrote a file"
	done
	for f in typed good minor aarch64; do
		ct dump "$fix/$f.trace" > "$D/$f.jsonl" 2> /dev/null
		ct dump --format=perfetto -o "$D/$f.pftrace" "$fix/$f.trace" 2> /dev/null < /dev/null
		expect_status "dump --format=perfetto $f.trace" "$CT_STATUS" 0
		pcheck "$f" "$D/$f.pftrace" "$D/$f.jsonl"
	done
}

OPTS=O2
run_opts scenario_calls && run_opts scenario_threads && run_opts scenario_events &&
	run_opts scenario_damaged
