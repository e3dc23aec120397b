#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Functions from a separate debug file's symbol table, and signatures from
# prototypes (tests/targets/dbgsyms.c, which prints each call as its truth).
#  - dbgsyms-ON, with its symbols and DWARF: every dbg_* call typed, also
#    the assembly function (none: dbg_asm_answer()) and the IFUNC whose
#    implementation is assembly (the IFUNC's prototype: dbg_twice(21));
#  - dbgsyms-stripped-ON (ld -s: no .symtab, no DWARF, none of them in
#    .dynsym): -e 'dbg_*' finds nothing without its debug file, and every
#    call as above with it: by build-id under --debug-dir and
#    CALLTRAP_DEBUG_DIR (the unstripped program as the debug file), both
#    static dbg_same functions apart; a file of another build-id is not
#    taken;
#  - where binutils are (not in the aarch64 guest): a debug file made by
#    objcopy --only-keep-debug (NOBITS .text: only symbol values from it),
#    by build-id and by .gnu_debuglink (next to the binary, or under
#    --debug-dir followed by the binary's directory).
. "$(dirname "$0")/lib.sh"

# hermetic: nothing from the user's setup, no debuginfod server asked
unset DEBUGINFOD_URLS CALLTRAP_DEBUG_DIR

# elf_facts FILE: "BUILD-ID SYMTAB DEBUG_INFO" (hex, then yes/no twice)
elf_facts()
{
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"\x7fELF" and d[4] == 2 and d[5] == 1, "not a 64-bit LE ELF file"
phoff, shoff = struct.unpack_from("<QQ", d, 0x20)
phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", d, 0x36)
bid = "-"
for i in range(phnum):
    p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", d, phoff + i * phentsize)
    o = p_offset
    while p_type == 4 and o + 12 <= p_offset + p_filesz:
        namesz, descsz, typ = struct.unpack_from("<III", d, o)
        o += 12
        name = d[o:o + namesz]
        o += (namesz + 3) & ~3
        if typ == 3 and name[:3] == b"GNU":
            bid = d[o:o + descsz].hex()
        o += (descsz + 3) & ~3
names = []
if shoff:
    sh = lambda i: struct.unpack_from("<IIQQQQ", d, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        n = sh(i)[0]
        names.append(d[stroff + n:d.index(b"\0", stroff + n)].decode())
print(bid, "yes" if ".symtab" in names else "no", "yes" if ".debug_info" in names else "no")
PY
}

# trace_dbg NAME typed|none PROG [CALLTRAP-OPTIONS...]: the dbg_* calls of
# PROG in $D/NAME.jsonl, checked by expect_calls.  typed: PROG must run to
# its end with its checks ok.  none: only that no dbg_* call is traced
# (what calltrap does with a pattern that matches nothing is not this
# test's business).
trace_dbg()
{
	local name=$1 mode=$2 prog=$3

	shift 3
	ct trace --format=jsonl -e 'dbg_*' -o "$D/$name.jsonl" "$@" -- "$prog" \
		> "$D/$name.out" 2> "$D/$name.err" < /dev/null
	[ "$mode" = none ] || checks_ok "$D/$name.out"
	expect_calls "$name" "$mode"
}

# expect_calls NAME typed|none: the calls of NAME are those its truth
# lists (function, JSON arguments, return value), or there is no dbg_* call.
expect_calls()
{
	python3 - "$D/$1.jsonl" "$D/$1.out" "$2" <<'PY' || fail "$1: calls not as expected ($2; see above)"
import json, sys

events, truth, mode = sys.argv[1:4]
want = []
for line in open(truth):
    if line.startswith("truth call "):
        _, _, func, rest = line.rstrip("\n").split(" ", 3)
        args, ret = rest.rsplit(" ", 1)
        want.append((func, json.dumps(json.loads(args), sort_keys=True), ret))
got, stacks = [], {}
try:
    evs = [json.loads(l) for l in open(events)]
except (OSError, ValueError) as e:
    evs = []
for e in evs:
    st = stacks.setdefault(e.get("tid"), [])
    if e["type"] == "call":
        st.append(e)
    elif e["type"] == "return" and st:
        c = st.pop()
        got.append((c["func"], json.dumps(c.get("args"), sort_keys=True), str(e.get("retval"))))
bad = []
if mode == "none":
    bad = ["%s traced" % g[0] for g in got if g[0].startswith("dbg_")]
elif sorted(got) != sorted(want):
    bad = ["got  %r" % (g,) for g in sorted(got)] + ["want %r" % (w,) for w in sorted(want)]
for b in bad:
    print("%s: %s" % (events, b))
sys.exit(1 if bad else 0)
PY
}

# put FILE DIR NAME: a copy of FILE at DIR/NAME
put()
{
	{ mkdir -p "$2" && cp "$1" "$2/$3"; } || fail "cannot copy $1 to $2/$3"
}

scenario()
{
	local full stripped other bid facts dir

	need_targets dbgsyms dbgsyms-stripped
	full=$(target dbgsyms)
	stripped=$(target dbgsyms-stripped)
	other=$TARGETS/dbgsyms-$([ "$OPT" = O0 ] && echo O2 || echo O0)

	# the premises: one build-id; nothing of the functions in the stripped one
	facts=$(elf_facts "$stripped") || fail "cannot read $stripped"
	bid=${facts%% *}
	[ ${#bid} = 40 ] || fail "no build-id in $stripped: $facts"
	[ "$facts" = "$bid no no" ] || fail "$stripped has .symtab or DWARF: $facts"
	[ "$(elf_facts "$full")" = "$bid yes yes" ] ||
		fail "$full: $(elf_facts "$full"), want the build-id $bid, .symtab and DWARF"

	# the symbols and DWARF in the binary itself
	trace_dbg full typed "$full"

	# stripped: nothing without the debug file
	trace_dbg nodebug none "$stripped"

	# by build-id under --debug-dir, and CALLTRAP_DEBUG_DIR
	put "$full" "$D/root/.build-id/${bid:0:2}" "${bid:2}.debug"
	trace_dbg buildid typed "$stripped" --debug-dir="$D/root"
	CALLTRAP_DEBUG_DIR=$D/root trace_dbg buildid-env typed "$stripped"

	# a file of another build-id at that name is not this binary's
	if [ -e "$other" ]; then
		put "$other" "$D/wrong/.build-id/${bid:0:2}" "${bid:2}.debug"
		trace_dbg wrong-id none "$stripped" --debug-dir="$D/wrong"
	fi

	if ! command -v objcopy > /dev/null; then
		note "no objcopy here: debug files from objcopy not tested"
		return 0
	fi
	# objcopy --only-keep-debug: the .text of the debug file is NOBITS
	objcopy --only-keep-debug "$full" "$D/dbgsyms.debug" || fail "objcopy --only-keep-debug"
	put "$D/dbgsyms.debug" "$D/keep/.build-id/${bid:0:2}" "${bid:2}.debug"
	trace_dbg keepdebug typed "$stripped" --debug-dir="$D/keep"
	# .gnu_debuglink, the debug file next to the binary
	dir=$D/link
	mkdir -p "$dir" || fail "mkdir"
	objcopy --add-gnu-debuglink="$D/dbgsyms.debug" "$stripped" "$dir/prog" ||
		fail "objcopy --add-gnu-debuglink"
	trace_dbg link-nofile none "$dir/prog"
	put "$D/dbgsyms.debug" "$dir" dbgsyms.debug
	trace_dbg link typed "$dir/prog"
	# ... and under --debug-dir followed by the binary's directory
	rm -f "$dir/dbgsyms.debug"
	put "$D/dbgsyms.debug" "$D/under$(cd "$dir" && pwd -P)" dbgsyms.debug
	trace_dbg link-under typed "$dir/prog" --debug-dir="$D/under"
}

run_opts scenario
