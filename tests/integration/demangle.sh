#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ names (tests/targets/demangle.cc): events name C++ functions as
# __cxa_demangle does, -e globs match the demangled names ("ns::*", one
# template instantiation, one overload, MODULE:ns::*) and the mangled ones
# ("_ZN*"); --no-demangle keeps the symbol names; record + dump and the REPL
# carry the demangled names.  Every selection is checked against the
# target's truth, and against a list of the only functions it may hold.
. "$(dirname "$0")/lib.sh"

# only_funcs EVENTS GLOB...: every call/return/unwind event names a function
# matching one of the globs (shell globs, as -e takes them).
only_funcs()
{
	python3 - "$@" <<'PY' || fail "$1: events of functions outside ${*:2}"
import fnmatch, json, sys
globs = sys.argv[2:]
bad = set()
n = 0
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev["type"] in ("call", "return", "unwind"):
        n += 1
        if not any(fnmatch.fnmatchcase(ev["func"], g) for g in globs):
            bad.add(ev["func"])
if bad or not n:
    sys.exit("%d frame events; unexpected functions: %s" % (n, sorted(bad)))
PY
}

# same_but_addresses UNTRACED TRACED: same_output, with the stack addresses
# the target prints (they move from run to run) left out.
same_but_addresses()
{
	sed -E 's/\b[0-9]{12,}\b/ADDR/g' "$1" > "$1.addr"
	sed -E 's/\b[0-9]{12,}\b/ADDR/g' "$2" > "$2.addr"
	same_output "$1.addr" "$2.addr"
}

# trace_ok NAME ARGS...: calltrap trace ARGS --format=jsonl -o $D/NAME.jsonl
# on the target; exit status 0 and the target's own checks passed.
trace_ok()
{
	local name=$1

	shift
	ct trace "$@" --format=jsonl -o "$D/$name.jsonl" -- "$T" > "$D/$name.out" \
		2> "$D/$name.err" < /dev/null
	expect_status "calltrap trace $*" "$CT_STATUS" 0
	checks_ok "$D/$name.out"
}

scenario()
{
	local mod

	need_targets demangle
	T=$(target demangle)
	mod=$(basename "$T")
	run_untraced "$D/untraced.out" "$T"
	expect_status "untraced demangle" "$UT_STATUS" 0
	checks_ok "$D/untraced.out"

	# the namespace: exactly its calls (not the function template, whose
	# demangled name starts with its return type), demangled
	trace_ok ns -e 'ns::*'
	same_but_addresses "$D/untraced.out" "$D/ns.out"
	check check --events "$D/ns.jsonl" --truth "$D/ns.out" --funcs 'ns::*'
	only_funcs "$D/ns.jsonl" 'ns::*'
	grep -q '"func":"ns::Box<int>::get(int) const"' "$D/ns.jsonl" ||
		fail "no event names ns::Box<int>::get(int) const"

	# one instantiation of the class template
	trace_ok boxint -e '*Box<int>::*'
	check check --events "$D/boxint.jsonl" --truth "$D/boxint.out" --funcs '*Box<int>::*'
	only_funcs "$D/boxint.jsonl" 'ns::Box<int>::*'

	# one overload, by its parameter list; MODULE:GLOB with "::" in the glob
	trace_ok over1 -e 'ns::over(long)'
	only_funcs "$D/over1.jsonl" 'ns::over(long)'
	check check --events "$D/over1.jsonl" --truth "$D/over1.out" --funcs 'ns::over(long)' \
		--depth-offset -1
	trace_ok overmod -e "$mod:ns::over*"
	only_funcs "$D/overmod.jsonl" 'ns::over(long)' 'ns::over(long, long)'
	check check --events "$D/overmod.jsonl" --truth "$D/overmod.out" --funcs 'ns::over(long)' \
		--depth-offset -1
	[ "$(grep -c '"type":"call","func":"ns::over(long, long)"' "$D/overmod.jsonl")" -eq 1 ] ||
		fail "$mod:ns::over* did not trace ns::over(long, long) once"

	# mangled globs still select (the events are demangled all the same);
	# the module keeps libraries out of "_ZN*"
	trace_ok mangled -e "$mod:_ZN*"
	check check --events "$D/mangled.jsonl" --truth "$D/mangled.out" --funcs '*ns::*'
	only_funcs "$D/mangled.jsonl" 'ns::*' 'long ns::twice<long>(long)'
	# a demangled include with a mangled exclusion (const members: _ZNK)
	trace_ok nok -e 'ns::*' -e '!_ZNK*'
	only_funcs "$D/nok.jsonl" 'ns::[opV]*' 'ns::(anon*' 'ns::Box<*>::set(*)'
	check check --events "$D/nok.jsonl" --truth "$D/nok.out" \
		--funcs 'ns::[opV]*,ns::(anon*,ns::Box<*>::set(*)'

	# --no-demangle: symbol names in the events, checked against the
	# target's "sym ev" truth; a demangled pattern then matches nothing
	trace_ok raw --no-demangle -e '_ZN2ns*' -e c_entry
	sed 's/^sym ev /truth ev /' "$D/raw.out" | grep -v '^truth ev .*func="' > "$D/raw.truth"
	check check --events "$D/raw.jsonl" --truth "$D/raw.truth" --funcs '_ZN2ns*,c_entry'
	only_funcs "$D/raw.jsonl" '_ZN2ns*' c_entry
	! grep -q '::' "$D/raw.jsonl" || fail "--no-demangle events hold a demangled name"
	ct trace --no-demangle -e 'ns::*' -o "$D/rawns.ev" -- "$T" > "$D/rawns.out" \
		2> "$D/rawns.err" < /dev/null
	[ "$CT_STATUS" -ne 0 ] || fail "--no-demangle -e 'ns::*' succeeded"
	grep -q "pattern 'ns::\*' matched no function" "$D/rawns.err" ||
		fail "--no-demangle -e 'ns::*': no 'matched no function' error"

	# the default set (every function of the program, main at depth 1)
	trace_ok all
	check check --events "$D/all.jsonl" --truth "$D/all.out" --depth-offset auto
	grep -q '"func":"main"' "$D/all.jsonl" || fail "main is not in the default set"

	# the checker does compare these names: a swapped one is caught
	sed 's/func="ns::Box<int>::get(int) const"/func="ns::Box<int>::set(int)"/' \
		"$D/boxint.out" > "$D/swapped.truth"
	python3 "$CHECKER" check --events "$D/boxint.jsonl" --truth "$D/swapped.truth" \
		> "$D/swapped.log" 2>&1 && fail "check_events.py accepted a swapped C++ name"

	# text with --demangle=full: the demangled name on the call and the
	# return line, with the DWARF-typed arguments (`this` included) and
	# return value (tests/integration/cxxnames.sh checks the default,
	# short names)
	ct trace --demangle=full -e '*Box<long>::get*' -- "$T" > "$D/text.out" 2> "$D/text.err" \
		< /dev/null
	expect_status "calltrap trace (text)" "$CT_STATUS" 0
	grep -Eq '^[^}]*ns::Box<long>::get\(long\) const\(this=0x[0-9a-f]+, a=2\) \{' "$D/text.err" ||
		fail "no text call line of ns::Box<long>::get(long) const"
	grep -Eq '\} ns::Box<long>::get\(long\) const = 40000000002 ' "$D/text.err" ||
		fail "no text return line of ns::Box<long>::get(long) const"
	# --raw-args: the registers, as without debug info
	ct trace --demangle=full --raw-args -e '*Box<long>::get*' -- "$T" > "$D/raw.out" \
		2> "$D/raw.err" < /dev/null
	expect_status "calltrap trace --raw-args (text)" "$CT_STATUS" 0
	grep -Eq '^[^}]*ns::Box<long>::get\(long\) const\(0x[0-9a-f]+, 0x2\b' "$D/raw.err" ||
		fail "no raw text call line of ns::Box<long>::get(long) const"
	grep -Eq '\} ns::Box<long>::get\(long\) const = 0x9502f9002\b' "$D/raw.err" ||
		fail "no raw text return line of ns::Box<long>::get(long) const"

	# record + dump: the trace file holds the demangled names
	ct record -e 'ns::*' -e 'outside*' -e c_entry -o "$D/rec.trace" -- "$T" \
		> "$D/rec.out" 2> "$D/rec.err" < /dev/null
	expect_status "calltrap record" "$CT_STATUS" 0
	ct dump --format=jsonl "$D/rec.trace" > "$D/rec.jsonl" 2> "$D/dump.err"
	expect_status "calltrap dump" "$CT_STATUS" 0
	check check --events "$D/rec.jsonl" --truth "$D/rec.out" --funcs 'ns::*,outside*,c_entry'
	only_funcs "$D/rec.jsonl" 'ns::*' 'outside(long)' c_entry

	# the REPL: listings and `trace` take demangled names, events carry them
	printf '%s\n' 'set echo off' "list functions 'ns::Box<int>*'" \
		"trace 'ns::over(long, long)'" 'info breakpoints' 'continue' \
		"save $D/repl.trace" > "$D/s1"
	ct repl -x "$D/s1" -e '*Box<int>::*' -- "$T" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "calltrap repl" "$CT_STATUS" 0
	[ ! -s "$D/repl.err" ] || fail "repl stderr: $(head -n 5 "$D/repl.err")"
	[ "$(grep -Ec "^ns::Box<int>::(get\(int\) const|set\(int\)) +$mod +0x[0-9a-f]+ +traced$" \
		"$D/repl.out")" -eq 2 ] || fail "list functions does not show the 2 Box<int> functions"
	grep -q '^2 functions$' "$D/repl.out" || fail "list functions 'ns::Box<int>*' is not 2"
	grep -Eq "^ns::over\(long, long\) +$mod " "$D/repl.out" ||
		fail "info breakpoints does not list ns::over(long, long)"
	ct dump --format=jsonl "$D/repl.trace" > "$D/repl.jsonl" 2> "$D/dump2.err"
	expect_status "dump of the repl's trace" "$CT_STATUS" 0
	only_funcs "$D/repl.jsonl" 'ns::Box<int>::*' 'ns::over(long, long)'
	check check --events "$D/repl.jsonl" --truth "$D/repl.out" --funcs '*Box<int>::*'

	# the REPL with --no-demangle lists symbol names
	printf '%s\n' 'set echo off' "list functions '_ZN*2ns3Box*'" 'kill' > "$D/s2"
	ct repl --no-demangle -x "$D/s2" -e c_entry -- "$T" > "$D/repl2.out" 2> "$D/repl2.err" \
		< /dev/null
	expect_status "calltrap repl --no-demangle" "$CT_STATUS" 0
	grep -Eq "^_ZNK2ns3BoxIiE3getEi +$mod " "$D/repl2.out" ||
		fail "repl --no-demangle does not list _ZNK2ns3BoxIiE3getEi"
	grep -q '^4 functions$' "$D/repl2.out" || fail "list functions '_ZN*2ns3Box*' is not 4"
}

run_opts scenario
