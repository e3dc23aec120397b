#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replay, report and dump (every format) on the fixtures of tests/fixtures/
# and on files that are not traces: exactly one line on stderr, of the form
# "calltrap: FILE: ..." (errors, exit 1: bytes lost, not a trace) or
# "calltrap: warning: FILE: ..." (events lost by the recorder, exit 0),
# never a crash or a hang; a damaged or truncated file still shows its
# intact part, and a chrome dump of it is valid JSON.
. "$(dirname "$0")/lib.sh"

FIX=$TOP_SRCDIR/tests/fixtures

# run_all FILE STATUS KIND: every view of FILE exits STATUS with one stderr
# line of KIND (error | warning | none); stdout only if OUT=1 expected.
run_all()
{
	local file=$1 want=$2 kind=$3 v n name

	name=$(basename "$file")
	for v in replay report "dump --format=jsonl" "dump --format=chrome" \
		"dump --format=perfetto" "dump --format=folded" "dump --format=svg"; do
		# shellcheck disable=SC2086 # $v is a command and its option
		ct $v "$file" > "$D/o" 2> "$D/e" < /dev/null
		[ "$CT_STATUS" -lt 128 ] || fail "$v $name: killed by a signal (status $CT_STATUS)"
		expect_status "$v $name" "$CT_STATUS" "$want"
		n=$(grep -c '' "$D/e")
		case $kind in
		none)
			[ "$n" -eq 0 ] || { cat "$D/e"; fail "$v $name: messages on stderr"; }
			;;
		error)
			[ "$n" -eq 1 ] && grep -q "^calltrap: $file: ." "$D/e" ||
				{ cat "$D/e"; fail "$v $name: want one line 'calltrap: $file: ...'"; }
			;;
		warning)
			[ "$n" -eq 1 ] && grep -q "^calltrap: warning: $file: ." "$D/e" ||
				{ cat "$D/e"; fail "$v $name: want one line 'calltrap: warning: $file: ...'"; }
			;;
		esac
		if [ "${NO_OUT:-0}" = 1 ] && [ -s "$D/o" ]; then
			fail "$v $name: output on stdout for a file that is not a trace"
		fi
		if [ "$v" = "dump --format=chrome" ] && [ -s "$D/o" ]; then
			python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$D/o" ||
				fail "$v $name: not valid JSON"
		fi
	done
	note "$name: status $want, $kind: $(cat "$D/e")"
}

scenario()
{
	local f

	for f in good minor aarch64 truncated badcrc badhdr badmagic empty garbage newer random; do
		[ -f "$FIX/$f.trace" ] || fail "fixture $FIX/$f.trace is missing"
	done
	run_all "$FIX/minor.trace" 0 none
	run_all "$FIX/aarch64.trace" 0 none
	run_all "$FIX/good.trace" 0 warning
	grep -q 'events lost by the recorder' "$D/e" || fail "good.trace: lost events not reported"
	run_all "$FIX/truncated.trace" 1 error
	grep -q 'truncated chunk at offset [0-9]*: [0-9]* of its [0-9]* bytes present, 6 events lost; 3 events lost by the recorder$' "$D/e" ||
		fail "truncated.trace: not reported as truncated: $(cat "$D/e")"
	# the intact part: main's call and the two threads' events before the cut
	ct replay "$FIX/truncated.trace" > "$D/t.out" 2> /dev/null
	grep -q 'main(0x1,' "$D/t.out" && grep -q 'malloc(0x20,' "$D/t.out" ||
		fail "truncated.trace: the intact part is not replayed"
	run_all "$FIX/badcrc.trace" 1 error
	grep -q 'bad checksum' "$D/e" || fail "badcrc.trace: $(cat "$D/e")"
	ct replay "$FIX/badcrc.trace" > "$D/b.out" 2> /dev/null
	grep -q 'main(0x1,' "$D/b.out" || fail "badcrc.trace: the intact chunks are not replayed"
	run_all "$FIX/garbage.trace" 1 error
	NO_OUT=1 run_all "$FIX/badhdr.trace" 1 error
	NO_OUT=1 run_all "$FIX/badmagic.trace" 1 error
	grep -q 'not a calltrap trace' "$D/e" || fail "badmagic.trace: $(cat "$D/e")"
	NO_OUT=1 run_all "$FIX/empty.trace" 1 error
	grep -q 'empty file' "$D/e" || fail "empty.trace: $(cat "$D/e")"
	NO_OUT=1 run_all "$FIX/newer.trace" 1 error
	grep -q 'version' "$D/e" || fail "newer.trace: $(cat "$D/e")"
	NO_OUT=1 run_all "$FIX/random.trace" 1 error

	# not traces at all
	NO_OUT=1 run_all "$D/no-such.trace" 1 error
	mkdir -p "$D/dir.trace"
	NO_OUT=1 run_all "$D/dir.trace" 1 error
	head -c 100000 /dev/urandom > "$D/urandom.trace"
	NO_OUT=1 run_all "$D/urandom.trace" 1 error
	# the good file cut at every 7th byte: never a crash, never a hang
	python3 - "$FIX/good.trace" "$D" <<'EOF' || fail "cannot write the cut files"
import sys
data = open(sys.argv[1], 'rb').read()
for n in range(0, len(data), 7):
    open('%s/cut%04d.trace' % (sys.argv[2], n), 'wb').write(data[:n])
EOF
	for f in "$D"/cut*.trace; do
		ct replay "$f" > /dev/null 2> "$D/e"
		[ "$CT_STATUS" -le 1 ] || fail "replay $f: status $CT_STATUS"
		[ "$(grep -c '' "$D/e")" -le 1 ] || fail "replay $f: more than one line on stderr"
		ct report "$f" > /dev/null 2> "$D/e"
		[ "$CT_STATUS" -le 1 ] || fail "report $f: status $CT_STATUS"
	done

	# usage errors: exit 2, one line
	for v in "replay --max-depth=0" "report --sort=x" "dump --format=pdf" "replay a b" \
		"dump --until=1" "report --since=2ms --until=1ms" "replay --bogus"; do
		# shellcheck disable=SC2086
		ct $v > "$D/o" 2> "$D/e" < /dev/null
		expect_status "$v" "$CT_STATUS" 2
		[ "$(grep -c '' "$D/e")" -eq 1 ] || fail "$v: not one line on stderr"
	done
}

OPTS=O0 run_opts scenario
