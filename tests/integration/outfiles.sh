#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Output files are written safely (util/outfile.h): a command that fails
# leaves an existing -o FILE byte for byte as it was (trace and record of a
# pid that does not exist or a program that cannot run, replay, report and
# dump of a missing, foreign or damaged trace, stacks of a missing pid); a
# symbolic link planted where a temporary could be (FILE.tmp) is never
# followed, by the REPL's save and dump nor by record; a command that
# succeeds replaces FILE (through a link to it, keeping its permissions),
# streams to a device, and leaves no temporary behind.
. "$(dirname "$0")/lib.sh"

FIX=$TOP_SRCDIR/tests/fixtures

# precious FILE: a file with content no calltrap command could write
precious()
{
	printf 'precious\001\002 content of %s\n' "$1" > "$1"
	cp "$1" "$1.orig"
}

# untouched WHAT FILE: FILE still holds what precious put there
untouched()
{
	cmp -s "$2" "$2.orig" || fail "$1 changed $2: $(head -c 80 "$2" | od -c | head -n 2)"
}

# fails_keeps WHAT FILE ARGS...: calltrap ARGS exits 1 and FILE is untouched
fails_keeps()
{
	local what=$1 f=$2

	shift 2
	precious "$f"
	ct "$@" > "$D/fk.out" 2> "$D/fk.err" < /dev/null
	expect_status "$what" "$CT_STATUS" 1
	[ "$(wc -l < "$D/fk.err")" -eq 1 ] || fail "$what: not one error line: $(cat "$D/fk.err")"
	untouched "$what" "$f"
}

# no_debris DIR: nothing but the files the scenario made (no temporary)
no_debris()
{
	local left

	left=$(find "$1" -maxdepth 1 -name '.calltrap-*')
	[ -z "$left" ] || fail "temporary files left behind: $left"
}

scenario()
{
	local t dead out

	need_targets calls
	t=$(target calls)
	sh -c 'echo $$ > "$1"' sh "$D/dead.pid"
	dead=$(cat "$D/dead.pid")
	[ ! -e "/proc/$dead" ] || fail "pid $dead was reused; cannot test a missing pid"

	out=$D/out
	fails_keeps "record -p DEAD" "$out" record -p "$dead" -o "$out"
	fails_keeps "trace -p DEAD" "$out" trace -p "$dead" -o "$out"
	fails_keeps "trace --format=jsonl -p DEAD" "$out" trace --format=jsonl -p "$dead" -o "$out"
	fails_keeps "record -- /nonexistent" "$out" record -o "$out" -- /nonexistent/prog
	fails_keeps "trace -- /nonexistent" "$out" trace -o "$out" -- /nonexistent/prog
	fails_keeps "stacks -p DEAD" "$out" stacks -p "$dead" -o "$out"
	for cmd in replay report "dump --format=jsonl" "dump --format=chrome" \
		"dump --format=folded" "dump --format=svg"; do
		# shellcheck disable=SC2086 # cmd is a command and its options
		fails_keeps "$cmd of a missing file" "$out" $cmd -o "$out" /nonexistent.trace
		# shellcheck disable=SC2086
		fails_keeps "$cmd of a foreign file" "$out" $cmd -o "$out" "$FIX/badmagic.trace"
		# damaged: the intact part goes to stdout only, never over FILE
		# shellcheck disable=SC2086
		fails_keeps "$cmd of a damaged file" "$out" $cmd -o "$out" "$FIX/garbage.trace"
		grep -q "($out not written)" "$D/fk.err" ||
			fail "$cmd of a damaged file does not say $out is not written: $(cat "$D/fk.err")"
		# shellcheck disable=SC2086
		fails_keeps "$cmd of a bad checksum" "$out" $cmd -o "$out" "$FIX/badcrc.trace"
	done
	no_debris "$D"

	# success replaces the file, through a link to it, keeping its mode
	precious "$D/real"
	chmod 0604 "$D/real"
	ln -s real "$D/link"
	ct dump --format=jsonl -o "$D/link" "$FIX/good.trace" 2> "$D/dump.err"
	expect_status "dump -o LINK" "$CT_STATUS" 0
	ct dump --format=jsonl "$FIX/good.trace" > "$D/good.jsonl" 2> "$D/dump2.err"
	cmp -s "$D/real" "$D/good.jsonl" || fail "dump -o LINK did not write the link's target"
	[ -L "$D/link" ] || fail "dump -o LINK replaced the link itself"
	[ "$(stat -c %a "$D/real")" = 604 ] || fail "mode of the replaced file: $(stat -c %a "$D/real")"

	# a device is written in place (not replaced by a file)
	ct trace -e add -o /dev/null -- "$t" > /dev/null 2> "$D/null.err" < /dev/null
	expect_status "trace -o /dev/null" "$CT_STATUS" 0
	[ -c /dev/null ] || fail "/dev/null is no longer a device"

	# record and trace take FILE only once the program runs, and keep it
	precious "$out"
	ct record -e add -o "$out" -- "$t" > /dev/null 2> "$D/rec.err" < /dev/null
	expect_status "record -o FILE over a file" "$CT_STATUS" 0
	ct dump --format=jsonl "$out" > "$D/rec.jsonl" 2> "$D/rec-dump.err"
	expect_status "dump of the recorded file" "$CT_STATUS" 0
	grep -q '"func":"add"' "$D/rec.jsonl" || fail "record -o FILE: no add events"

	# planted links at FILE.tmp: never followed, and save still works
	precious "$D/victim"
	ln -s victim "$D/saved.trace.tmp"
	ln -s victim "$D/saved.jsonl.tmp"
	ln -s victim "$D/rec.trace.tmp"
	printf '%s\n' "save $D/saved.trace" "dump --format=jsonl -o $D/saved.jsonl" > "$D/script"
	ct repl -x "$D/script" "$FIX/good.trace" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "repl save with a planted FILE.tmp" "$CT_STATUS" 0
	untouched "REPL save (FILE.tmp a link)" "$D/victim"
	grep -q "^saved [0-9]* events to $D/saved.trace\$" "$D/repl.out" ||
		fail "save did not report success: $(cat "$D/repl.out" "$D/repl.err")"
	ct dump --format=jsonl "$D/saved.trace" > "$D/saved2.jsonl" 2> "$D/saved.err"
	expect_status "dump of the saved file" "$CT_STATUS" 0
	cmp -s "$D/saved2.jsonl" "$D/good.jsonl" || fail "the saved trace differs from its source"
	cmp -s "$D/saved.jsonl" "$D/good.jsonl" || fail "the REPL's dump -o differs from dump"
	ct record -e add -o "$D/rec.trace" -- "$t" > /dev/null 2> "$D/rec2.err" < /dev/null
	expect_status "record with a planted FILE.tmp" "$CT_STATUS" 0
	untouched "record (FILE.tmp a link)" "$D/victim"

	no_debris "$D"
}

OPTS=O2 run_opts scenario
