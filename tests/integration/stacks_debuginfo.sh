#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where `calltrap stacks` (and the REPL's `bt`) finds DWARF, for file:line
# and names (tests/targets/debuginfo.c, which prints the function, file and
# line of its frames).  Copies of the target run with their debug info:
#  - in the binary itself;
#  - in a separate file found by build-id, DIR/.build-id/xx/yyyy.debug,
#    under --debug-dir=DIR or CALLTRAP_DEBUG_DIR (REPL `bt` too);
#  - in a separate file named by .gnu_debuglink, next to the binary, in its
#    .debug/ subdirectory, or under --debug-dir=DIR + the binary's directory;
#  - nowhere: names from .symtab (strip --strip-debug), or from .dynsym
#    alone (strip --strip-all), and no file:line.
# The copies are stripped with --strip-all, so their DWARF and the name of
# the static debuginfo_caller can only come from the separate file; each
# lookup is also run without the directory that holds the file (same
# process), which must find nothing.  The process runs on untraced after
# each run.  The separate files need objcopy, strip and readelf (binutils),
# which the aarch64 guest (tests/aarch64) has not: there only the first case
# runs.  Nothing is written outside the scratch directory.
. "$(dirname "$0")/lib.sh"

# hermetic: nothing from the user's setup, no debuginfod server asked
unset DEBUGINFOD_URLS CALLTRAP_DEBUG_DIR

# the target comes from tests/targets/debuginfo.mk, which Makefile.am must
# include; until it does, say so rather than fail every `make check`
if [ ! -e "$TARGETS/debuginfo-O0" ] && [ -f "$TOP_BUILDDIR/Makefile" ] &&
	! grep -q 'tests/targets/debuginfo-O0' "$TOP_BUILDDIR/Makefile"; then
	echo "SKIP: tests/targets/debuginfo.mk is not included from Makefile.am"
	exit 77
fi

LINK_NAME=debuginfo-syms.debug

# start_prog PROG: run PROG with a fifo on stdin (held open by fd 7) and its
# output in PROG.out; sets TPID once it is ready.
start_prog()
{
	local prog=$1

	rm -f "$prog.in" "$prog.out"
	mkfifo "$prog.in" || fail "mkfifo"
	exec 7<> "$prog.in"
	"$prog" < "$prog.in" > "$prog.out" 2>&1 &
	TPID=$!
	BG_PIDS="$BG_PIDS $TPID"
	wait_line "$prog.out" '^ready' 20 || fail "$prog did not get ready"
	[ "$(main_pid "$prog.out")" = "$TPID" ] || fail "$prog printed another pid"
}

# kill_prog: the target was left running, untraced; then it is killed.
kill_prog()
{
	local state tracer

	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$TPID/status" 2>/dev/null)
	tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$TPID/status" 2>/dev/null)
	[ "$state" = S ] || fail "the target is not left blocked in read (state '$state')"
	[ "$tracer" = 0 ] || fail "the target is still traced by $tracer"
	kill -KILL "$TPID"
	wait "$TPID" 2>/dev/null
	exec 7>&-
}

# stacks_json PROG NAME [ARGS...]: calltrap stacks --format=json ARGS on TPID
# into $D/NAME.json, and check its frames against PROG.out: MODE (the word
# after NAME's last '-') is dwarf (names, file and line), symtab (names, no
# file:line) or dynsym (debuginfo_read and main named, no file:line).
stacks_json()
{
	local prog=$1 name=$2

	shift 2
	ct stacks -p "$TPID" --format=json "$@" > "$D/$name.json" 2> "$D/$name.err"
	expect_status "calltrap stacks $* ($name)" "$CT_STATUS" 0
	python3 - "$D/$name.json" "$prog.out" "${name##*-}" "$(basename "$prog")" <<'EOF' ||
import json, re, sys

path, truth_path, mode, module = sys.argv[1:5]
truth = {}
for line in open(truth_path):
    m = re.match(r"truth func=(\w+) file=(\S+) line=(\d+)$", line)
    if m:
        truth[m.group(1)] = (m.group(2), int(m.group(3)))
snap = json.load(open(path))
frames = snap["threads"][0]["frames"]
ours = [f for f in frames if f["module"] == module]
got = [(f["func"], f["file"], f["line"]) for f in ours]
bad = []
if mode == "dwarf":
    want = ["debuginfo_read", "debuginfo_caller", "main"]
    if [f["func"] for f in ours][:3] != want:
        bad.append("functions %r, want %r first" % (got, want))
    for f in ours[:2]:
        file, line = truth.get(f["func"], (None, None))
        same = file and (f["file"] == file
                         or (f["file"] or "").endswith("/" + file.lstrip("./")))
        if not same:
            bad.append("%s: file %r, want %r" % (f["func"], f["file"], file))
        if f["line"] != line:
            bad.append("%s: line %r, want %r" % (f["func"], f["line"], line))
else:
    want = ["debuginfo_read", "debuginfo_caller" if mode == "symtab" else None, "main"]
    if mode == "dynsym":
        # the static function has no name left: no symbol, or not its own
        names = [f["func"] for f in ours][:3]
        if (len(names) != 3 or names[0] != want[0] or names[2] != want[2]
                or "debuginfo_caller" in names):
            bad.append("functions %r, want %r" % (got, want))
    elif [f["func"] for f in ours][:3] != want:
        bad.append("functions %r, want %r first" % (got, want))
    if any(f["file"] is not None or f["line"] is not None for f in ours):
        bad.append("file:line without DWARF: %r" % got)
sys_name = (snap["threads"][0]["syscall"] or {}).get("name")
if sys_name != "read":
    bad.append("in the system call %r, not read" % sys_name)
for b in bad:
    print("%s: %s" % (path, b))
sys.exit(1 if bad else 0)
EOF
		fail "$name: the frames are not as expected (see above)"
}

# put FILE DIR NAME: a copy of FILE at DIR/NAME
put()
{
	{ mkdir -p "$2" && cp "$1" "$2/$3"; } || fail "cannot copy $1 to $2/$3"
}

scenario_in_binary()
{
	need_targets debuginfo
	put "$(target debuginfo)" "$D/binary" debuginfo
	start_prog "$D/binary/debuginfo"
	stacks_json "$D/binary/debuginfo" binary-dwarf
	# a --debug-dir (here with nothing in it) does not hide what the binary has
	mkdir -p "$D/empty"
	stacks_json "$D/binary/debuginfo" binary-empty-dir-dwarf --debug-dir="$D/empty"
	kill_prog
}

scenario_separate()
{
	local t bid dir bin root

	need_targets debuginfo
	t=$(target debuginfo)
	# the copies: the debug info alone; the program with no symbols left
	# but .dynsym (and no .gnu_debuglink); the same with one naming
	# $LINK_NAME; the program with its .symtab but no DWARF
	objcopy --only-keep-debug "$t" "$D/$LINK_NAME" || fail "objcopy --only-keep-debug"
	strip --strip-all -o "$D/stripped" "$t" || fail "strip --strip-all"
	cp "$D/stripped" "$D/linked" || fail "cp"
	objcopy --add-gnu-debuglink="$D/$LINK_NAME" "$D/linked" ||
		fail "objcopy --add-gnu-debuglink"
	strip --strip-debug -o "$D/symtab" "$t" || fail "strip --strip-debug"
	# the premises: no DWARF or .symtab left in the stripped copies
	for bin in stripped linked; do
		! readelf -SW "$D/$bin" | grep -Eq ' \.(debug_info|debug_line|symtab) ' ||
			fail "$bin still has DWARF or .symtab"
	done
	readelf -SW "$D/linked" | grep -q ' \.gnu_debuglink ' || fail "linked has no .gnu_debuglink"
	readelf -SW "$D/symtab" | grep -q ' \.symtab ' || fail "strip --strip-debug removed .symtab"
	! readelf -SW "$D/symtab" | grep -q ' \.debug_info ' ||
		fail "strip --strip-debug kept DWARF"
	bid=$(LC_ALL=C readelf -n "$t" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
	[ ${#bid} -ge 16 ] || fail "no build-id in $t"
	mkdir -p "$D/empty"

	# (a) by build-id under --debug-dir (the debug file's name is no
	# binary's: only the build-id leads there)
	dir=$D/buildid
	put "$D/stripped" "$dir" debuginfo
	put "$D/$LINK_NAME" "$D/root-buildid/.build-id/${bid:0:2}" "${bid:2}.debug"
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" buildid-nodir-dynsym
	stacks_json "$dir/debuginfo" buildid-dwarf --debug-dir="$D/empty" \
		--debug-dir="$D/root-buildid"
	# a relative --debug-dir is taken from the current directory
	(cd "$D" && stacks_json "$dir/debuginfo" buildid-relative-dwarf --debug-dir=root-buildid) ||
		exit 1
	# CALLTRAP_DEBUG_DIR, which the REPL's bt honours too
	CALLTRAP_DEBUG_DIR="$D/root-buildid" stacks_json "$dir/debuginfo" buildid-env-dwarf
	printf '%s\n' 'set echo off' "attach $TPID" 'bt' 'detach' > "$D/bt.x"
	CALLTRAP_DEBUG_DIR="$D/root-buildid" ct repl -x "$D/bt.x" > "$D/bt.out" 2> "$D/bt.err" \
		< /dev/null
	expect_status "repl bt" "$CT_STATUS" 0
	local line
	line=$(sed -n 's/^truth func=debuginfo_read file=\S* line=\([0-9]*\)$/\1/p' \
		"$dir/debuginfo.out")
	grep -Eq " in debuginfo_read\+0x[0-9a-f]+ \(debuginfo\) at \S*debuginfo\.c:$line\$" \
		"$D/bt.out" ||
		fail "repl bt: no file:line for debuginfo_read: $(grep debuginfo_read "$D/bt.out")"
	grep -Eq " in debuginfo_caller\+0x[0-9a-f]+ \(debuginfo\) at \S*debuginfo\.c:[0-9]+\$" \
		"$D/bt.out" || fail "repl bt: no frame of debuginfo_caller"
	kill_prog

	# (b) by .gnu_debuglink, next to the binary; the same binary without
	# the file finds nothing (its name is not debuginfo.debug, which
	# libdwfl would try without a debuglink)
	dir=$D/link
	put "$D/linked" "$dir" debuginfo
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" link-nofile-dynsym
	put "$D/$LINK_NAME" "$dir" "$LINK_NAME"
	stacks_json "$dir/debuginfo" link-next-dwarf
	kill_prog

	# (b) in the binary's .debug/ subdirectory
	dir=$D/dotdebug
	put "$D/linked" "$dir" debuginfo
	put "$D/$LINK_NAME" "$dir/.debug" "$LINK_NAME"
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" link-dotdebug-dwarf
	kill_prog

	# (b) under a debug directory + the binary's directory, as
	# /usr/lib/debug/usr/bin/prog.debug is for /usr/bin/prog (the maps
	# name the binary by its real path)
	dir=$D/under
	put "$D/linked" "$dir" debuginfo
	root=$D/root-link
	put "$D/$LINK_NAME" "$root$(cd "$dir" && pwd -P)" "$LINK_NAME"
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" link-under-nodir-dynsym
	stacks_json "$dir/debuginfo" link-under-dwarf --debug-dir="$root"
	kill_prog

	# (c) no debug info anywhere: .symtab names, then .dynsym alone
	dir=$D/nodebug
	put "$D/symtab" "$dir" debuginfo
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" nodebug-symtab
	kill_prog
	dir=$D/nosyms
	put "$D/stripped" "$dir" debuginfo
	start_prog "$dir/debuginfo"
	stacks_json "$dir/debuginfo" nosyms-dynsym
	kill_prog
}

scenario_bad_dir()
{
	ct stacks -p $$ --debug-dir="$D/no-such-dir" > "$D/bad.out" 2> "$D/bad.err"
	expect_status "stacks --debug-dir=missing" "$CT_STATUS" 2
	grep -q "debug-dir $D/no-such-dir: No such file or directory" "$D/bad.err" ||
		fail "no reason given for a missing --debug-dir: $(cat "$D/bad.err")"
}

rc=0
run_opts scenario_in_binary || rc=1
if command -v objcopy > /dev/null && command -v strip > /dev/null &&
	command -v readelf > /dev/null; then
	run_opts scenario_separate || rc=1
else
	note "no objcopy/strip/readelf here: separate debug info not tested"
fi
OPTS=O0 run_opts scenario_bad_dir || rc=1
exit $rc
