#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ names a person can read (tests/targets/cxxnames.cc).  By default text
# output, replay, report, folded stacks and the REPL name a C++ function by
# its scope and name (shop::alone), longer only where two traced functions
# would read the same (shop::pick(int) / shop::pick(double)); every label
# names one function and one function has one label.  --demangle=full gives
# the demangled names, --demangle=no (and --no-demangle) the symbols, which
# the trace file keeps beside the names for replay and report; jsonl keeps
# the full demangled names.  No parameter is shown
# with a value the function did not receive: ~OutOfStock() gets `this`
# only, __in_chrg is shown only by the variants that take it (0..3).
. "$(dirname "$0")/lib.sh"

# body FILE: the text-output lines of FILE without timestamp, tid and indent
body()
{
	sed -E 's/^[0-9]+\.[0-9]+ \[[0-9/]+\] +//' "$1"
}

# has FILE LINE-REGEX WHAT: some line of FILE (body) matches
has()
{
	body "$1" | grep -Eq "$2" || fail "$3 (no line matching '$2' in $1)"
}

# labels_ok TEXT JSONL: the text run (default names) and the jsonl run of
# the same deterministic program: the labels of the return lines, paired in
# order with the jsonl returns' full names, are one-to-one; a label longer
# than scope and name (with '<' or '(') shares its stem (the part before
# its first '<' or '(') with another label, i.e. it was told apart from a
# function that would otherwise read the same; labels without are short.
labels_ok()
{
	python3 - "$1" "$2" <<'PY' || fail "labels of $1 against the names of $2"
import json, re, sys
labels = []
for line in open(sys.argv[1]):
    m = re.match(r'^\S+ \[\S+\] +\} (.*?)(?: = .*?)? (?:<unwind> )?<[0-9.]+ [a-z]+>$', line.rstrip('\n'))
    if m:
        labels.append(m.group(1))
fulls = [e["func"] for e in map(json.loads, open(sys.argv[2]))
         if e["type"] in ("return", "unwind")]
if len(labels) != len(fulls) or len(labels) < 20:
    sys.exit("%d return lines, %d jsonl returns" % (len(labels), len(fulls)))
l2f, f2l = {}, {}
for l, f in zip(labels, fulls):
    l2f.setdefault(l, set()).add(f)
    f2l.setdefault(f, set()).add(l)
bad = [l for l, fs in l2f.items() if len(fs) != 1] + [f for f, ls in f2l.items() if len(ls) != 1]
if bad:
    sys.exit("not one-to-one: %s" % bad[:5])
def plain(l):
    # operator symbols and the anonymous namespace are part of a short name
    l = l.replace('(anonymous namespace)', '@anon')
    return re.sub(r'operator(\(\)|<<=|<=>|<<|<=|<|>>=|>>|>=|>|->\*|->|\[\])', 'operator@', l)
def longer(l):
    return re.search(r'[<(]', plain(l)) is not None
def stem(l):
    return re.split(r'[<(]', plain(l), 1)[0]
stems = {}
for l in l2f:
    stems.setdefault(stem(l), set()).add(l)
lonely = [l for l in l2f if longer(l) and len(stems[stem(l)]) < 2]
if lonely:
    sys.exit("longer than needed: %s" % lonely[:5])
short = sum(1 for l in l2f if not longer(l))
longest = max(len(l) for l in l2f)
print("%d functions, %d short labels, longest label %d, longest full name %d"
      % (len(l2f), short, longest, max(len(f) for f in f2l)))
PY
}

scenario()
{
	local mod

	need_targets cxxnames
	T=$(target cxxnames)
	mod=$(basename "$T")
	run_untraced "$D/untraced.out" "$T"
	expect_status "untraced cxxnames" "$UT_STATUS" 0
	checks_ok "$D/untraced.out"

	# default: short names, overloads told apart
	ct trace -e 'shop::*' -- "$T" > "$D/short.out" 2> "$D/short.err" < /dev/null
	expect_status "calltrap trace -e shop::*" "$CT_STATUS" 0
	checks_ok "$D/short.out"
	has "$D/short.err" '^shop::pick\(int\)\(x=4\) \{' "the int overload is not told apart"
	has "$D/short.err" '^\} shop::pick\(int\) = 5 <' "no return line of shop::pick(int)"
	has "$D/short.err" '^shop::pick\(double\)\(x=2\.5\) \{' \
		"the double overload is not told apart"
	has "$D/short.err" '^shop::alone\(x=7\) \{' "shop::alone(int) is not shown short"
	has "$D/short.err" '^\} shop::alone = 21 <' "no short return line of shop::alone"
	has "$D/short.err" '^\} shop::OutOfStock::~OutOfStock <' "no short destructor return line"
	! body "$D/short.err" | grep -q '<int>\|(int)(this\|alone(int)' ||
		fail "a template argument list or needless parameter list in the default output"

	# parameters the function received, and only those
	has "$D/short.err" '^shop::OutOfStock::~OutOfStock\(this=0x[0-9a-f]+\) \{' \
		"~OutOfStock() is not shown with this alone"
	has "$D/short.err" '^shop::Shelf::Shelf\(this=0x[0-9a-f]+, v=5\) \{' \
		"the complete-object constructor of Shelf is not shown with this and v alone"
	# where the compiler kept them out of line: Corner's destructor called
	# by main (the complete object: this alone), and Base's (no variant of
	# a class without virtual bases takes __in_chrg)
	if grep -Eq '^[0-9.]+ \[[0-9]+\] shop::Corner::~Corner\(' "$D/short.err"; then
		grep -Eq '^[0-9.]+ \[[0-9]+\] shop::Corner::~Corner\(this=0x[0-9a-f]+\) \{' \
			"$D/short.err" || fail "~Corner() called by main is not shown with this alone"
	fi
	if body "$D/short.err" | grep -E '^shop::Base::~Base\(' | grep -Ev '\(this=0x[0-9a-f]+\) \{'; then
		fail "~Base() is shown with more than this"
	fi
	# a value of __in_chrg is one the caller passed (0 to 3), never stack rubbish
	if body "$D/short.err" | grep -Eo '__in_chrg=[^,)]*' | grep -Ev '^__in_chrg=[0-3]$'; then
		fail "a __in_chrg shown with a value the function never received"
	fi

	# every function of the program: one label per function, longer
	# only where two would read the same; lines of hundreds, not
	# thousands, of characters
	ct trace -- "$T" > "$D/all.out" 2> "$D/all.err" < /dev/null
	expect_status "calltrap trace (all)" "$CT_STATUS" 0
	ct trace --format=jsonl -o "$D/all.jsonl" -- "$T" > "$D/alljs.out" 2> "$D/alljs.err" \
		< /dev/null
	expect_status "calltrap trace --format=jsonl (all)" "$CT_STATUS" 0
	labels_ok "$D/all.err" "$D/all.jsonl"
	! grep -q '"label"' "$D/all.jsonl" || fail "jsonl events carry a label"
	grep -q '"func":"shop::pick(int)"' "$D/all.jsonl" || fail "jsonl lacks the full shop::pick(int)"
	if [ "$OPT" = O0 ]; then
		# libstdc++'s red-black tree, out of line at -O0
		has "$D/all.err" '^std::_Rb_tree::_M_get_insert_hint_unique_pos\(' \
			"no short std::_Rb_tree::_M_get_insert_hint_unique_pos"
		grep -q '"func":"std::_Rb_tree<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, ' \
			"$D/all.jsonl" || fail "jsonl lacks the full std::_Rb_tree<...> names"
		[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$D/all.err")" \
			-lt 400 ] || fail "a line of 400 characters or more in the default output"
	fi

	# --demangle=full: as demangled
	ct trace --demangle=full -e 'shop::*' -e '*::_M_get_insert_hint_unique_pos*' -- "$T" \
		> "$D/full.out" 2> "$D/full.err" < /dev/null
	expect_status "calltrap trace --demangle=full" "$CT_STATUS" 0
	has "$D/full.err" '^shop::alone\(int\)\(x=7\) \{' "--demangle=full: no shop::alone(int)"
	has "$D/full.err" '^\} shop::alone\(int\) = 21 <' "--demangle=full: no return of shop::alone(int)"
	has "$D/full.err" '^shop::OutOfStock::~OutOfStock\(\)\(this=0x[0-9a-f]+\) \{' \
		"--demangle=full: no ~OutOfStock()"
	if [ "$OPT" = O0 ]; then
		has "$D/full.err" '^std::_Rb_tree<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, .*>::_M_get_insert_hint_unique_pos\(std::_Rb_tree_const_iterator<' \
			"--demangle=full: no full _Rb_tree name"
	fi

	# --demangle=no and --no-demangle: the symbols
	for opt in --demangle=no --no-demangle; do
		ct trace "$opt" -e '_ZN4shop*' -- "$T" > "$D/no.out" 2> "$D/no.err" < /dev/null
		expect_status "calltrap trace $opt" "$CT_STATUS" 0
		has "$D/no.err" '^_ZN4shop5aloneEi\(x=7\) \{' "$opt: no _ZN4shop5aloneEi"
		has "$D/no.err" '^_ZN4shop4pickEd\(x=2\.5\) \{' "$opt: no _ZN4shop4pickEd"
		! grep -q 'shop::' "$D/no.err" || fail "$opt: a demangled name"
	done

	# a bad value: one error line, usage status
	for cmd in trace replay repl stacks; do
		ct "$cmd" --demangle=maybe -- "$T" > "$D/bad.out" 2> "$D/bad.err" < /dev/null
		expect_status "calltrap $cmd --demangle=maybe" "$CT_STATUS" 2
		[ "$(wc -l < "$D/bad.err")" -eq 1 ] &&
			grep -q "invalid --demangle 'maybe'" "$D/bad.err" ||
			fail "$cmd --demangle=maybe: $(cat "$D/bad.err")"
	done

	# a recording: full names in the file, the views choose
	ct record -e 'shop::*' -o "$D/rec.trace" -- "$T" > "$D/rec.out" 2> "$D/rec.err" < /dev/null
	expect_status "calltrap record" "$CT_STATUS" 0
	ct replay "$D/rec.trace" > "$D/replay.out" 2> "$D/replay.err"
	expect_status "calltrap replay" "$CT_STATUS" 0
	grep -Eq '\| shop::alone\(x=7\) = 21;$' "$D/replay.out" || fail "replay: no short shop::alone"
	grep -Eq '\| shop::pick\(double\)\(x=2\.5\) = 25;$' "$D/replay.out" ||
		fail "replay: shop::pick(double) not told apart"
	ct replay --demangle=full "$D/rec.trace" > "$D/replayf.out" 2> "$D/replayf.err"
	expect_status "calltrap replay --demangle=full" "$CT_STATUS" 0
	grep -Eq '\| shop::alone\(int\)\(x=7\) = 21;$' "$D/replayf.out" ||
		fail "replay --demangle=full: no shop::alone(int)"
	# --func matches what is shown as well as the full name
	ct replay --func='shop::alone' "$D/rec.trace" > "$D/replayfn.out" 2> "$D/replayfn.err"
	expect_status "calltrap replay --func=shop::alone" "$CT_STATUS" 0
	[ "$(grep -c '| shop::' "$D/replayfn.out")" -eq 1 ] &&
		grep -Eq '\| shop::alone\(x=7\) = 21;$' "$D/replayfn.out" ||
		fail "replay --func=shop::alone: $(cat "$D/replayfn.out")"
	ct replay --func='shop::pick(double)' "$D/rec.trace" > "$D/replayfn.out" 2> "$D/replayfn.err"
	[ "$(grep -c '| shop::' "$D/replayfn.out")" -eq 1 ] &&
		grep -Eq '\| shop::pick\(double\)\(x=2\.5\) = 25;$' "$D/replayfn.out" ||
		fail "replay --func='shop::pick(double)': $(cat "$D/replayfn.out")"
	ct report "$D/rec.trace" > "$D/report.out" 2> "$D/report.err"
	expect_status "calltrap report" "$CT_STATUS" 0
	grep -Eq ' shop::alone$' "$D/report.out" || fail "report: no short shop::alone row"
	grep -Eq ' shop::pick\(int\)$' "$D/report.out" || fail "report: no shop::pick(int) row"
	# trace -c prints report's table live: the same rows, named the same
	ct trace -c -e 'shop::*' -o "$D/summary.out" -- "$T" > /dev/null 2> "$D/summary.err" < /dev/null
	expect_status "calltrap trace -c" "$CT_STATUS" 0
	awk 'NR > 2 { print $NF }' "$D/report.out" | sort > "$D/report.names"
	awk 'NR > 2 { print $NF }' "$D/summary.out" | sort > "$D/summary.names"
	grep -qx 'shop::alone' "$D/summary.names" && cmp -s "$D/report.names" "$D/summary.names" ||
		fail "trace -c names differ from report's: $(diff "$D/report.names" "$D/summary.names" | head -5)"
	ct report --demangle=full "$D/rec.trace" > "$D/reportf.out" 2> "$D/reportf.err"
	expect_status "calltrap report --demangle=full" "$CT_STATUS" 0
	grep -Eq ' shop::alone\(int\)$' "$D/reportf.out" || fail "report --demangle=full: no shop::alone(int)"
	# the file keeps each function's symbol too: --demangle=no shows it
	for opt in --demangle=no --no-demangle; do
		ct replay "$opt" "$D/rec.trace" > "$D/replayn.out" 2> "$D/replayn.err"
		expect_status "calltrap replay $opt" "$CT_STATUS" 0
		grep -Eq '\| _ZN4shop5aloneEi\(x=7\) = 21;$' "$D/replayn.out" ||
			fail "replay $opt: no _ZN4shop5aloneEi"
		! grep -q 'shop::' "$D/replayn.out" || fail "replay $opt: a demangled name"
	done
	ct report --demangle=no "$D/rec.trace" > "$D/reportn.out" 2> "$D/reportn.err"
	expect_status "calltrap report --demangle=no" "$CT_STATUS" 0
	grep -Eq ' _ZN4shop4pickEd$' "$D/reportn.out" || fail "report --demangle=no: no _ZN4shop4pickEd"
	ct dump --format=folded "$D/rec.trace" > "$D/folded.out" 2> "$D/folded.err"
	expect_status "calltrap dump --format=folded" "$CT_STATUS" 0
	grep -Eq '^shop::alone [0-9]+$' "$D/folded.out" || fail "folded: no short shop::alone"
	# perfetto interns the names chrome and folded show (protobuf strings are
	# raw bytes: a full name would be there as it is)
	ct dump --format=perfetto -o "$D/rec.pftrace" "$D/rec.trace" 2> "$D/pf.err"
	expect_status "calltrap dump --format=perfetto" "$CT_STATUS" 0
	grep -aq 'shop::alone' "$D/rec.pftrace" && ! grep -aq 'shop::alone(int)' "$D/rec.pftrace" ||
		fail "perfetto: shop::alone not short"
	ct dump --format=perfetto --demangle=full -o "$D/recf.pftrace" "$D/rec.trace" 2> "$D/pff.err"
	expect_status "calltrap dump --format=perfetto --demangle=full" "$CT_STATUS" 0
	grep -aq 'shop::alone(int)' "$D/recf.pftrace" || fail "perfetto --demangle=full: no shop::alone(int)"
	ct dump --format=jsonl "$D/rec.trace" > "$D/rec.jsonl" 2> "$D/recj.err"
	expect_status "calltrap dump --format=jsonl" "$CT_STATUS" 0
	grep -q '"func":"shop::alone(int)"' "$D/rec.jsonl" || fail "dump jsonl: no full shop::alone(int)"
	! grep -q '"label"' "$D/rec.jsonl" || fail "dump jsonl: a label"
	ct dump --format=svg "$D/rec.trace" > "$D/rec.svg" 2> "$D/recs.err"
	expect_status "calltrap dump --format=svg" "$CT_STATUS" 0
	grep -q '<title>shop::alone (' "$D/rec.svg" || fail "svg: no short shop::alone"

	# the REPL: live events and recorded ones, short
	printf '%s\n' 'set echo off' 'continue' 'events all' > "$D/s1"
	ct repl -x "$D/s1" -e 'shop::*' -- "$T" > "$D/repl.out" 2> "$D/repl.err" < /dev/null
	expect_status "calltrap repl" "$CT_STATUS" 0
	grep -Eq '^#[0-9]+ [0-9.]+ \[[0-9]+\] shop::alone\(x=7\) \{' "$D/repl.out" ||
		fail "repl events: no short shop::alone"
	grep -Eq '^#[0-9]+ [0-9.]+ \[[0-9]+\] shop::pick\(double\)\(x=2\.5\) \{' "$D/repl.out" ||
		fail "repl events: shop::pick(double) not told apart"
	printf '%s\n' 'set echo off' 'continue' 'events all' > "$D/s2"
	ct repl --demangle=full -x "$D/s2" -e 'shop::*' -- "$T" > "$D/replf.out" 2> "$D/replf.err" \
		< /dev/null
	expect_status "calltrap repl --demangle=full" "$CT_STATUS" 0
	grep -Eq '^#[0-9]+ [0-9.]+ \[[0-9]+\] shop::alone\(int\)\(x=7\) \{' "$D/replf.out" ||
		fail "repl --demangle=full: no shop::alone(int)"
	note "$(labels_ok "$D/all.err" "$D/all.jsonl")"
}

run_opts scenario
