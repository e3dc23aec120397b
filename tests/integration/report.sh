#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap record, then report: each function's calls are the target's truth
# (calls, threads per thread, exceptions and longjmp with their unwound
# frames); total, self, average, min and max equal what the events of the
# same file (dump --format=jsonl) give when worked out independently here;
# the sort keys order the rows; filters keep the frames they should.
. "$(dirname "$0")/lib.sh"

PY=$WORK/report_check.py
cat > "$PY" <<'EOF'
import json, re, sys

UNITS = {'ns': 1, 'us': 1000, 'ms': 1000000, 's': 1000000000}


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def parse_report(path, ns=True):
    """Rows as dicts; times in ns (--ns) or as displayed (truncated)."""
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2 or not lines[0].lstrip().startswith('Total time') or \
       not set(lines[1].replace(' ', '')) <= {'='}:
        fail('%s: no table header' % path)
    per_thread = 'TID' in lines[0]
    rows = []
    for n, line in enumerate(lines[2:], 3):
        if ns:
            w = line.split()
            times = [int(x) for x in w[:2]] + [int(w[2])] + [int(x) for x in w[3:6]]
            rest = w[6:]
        else:
            m = re.match(r'^((?:\s+[\d.]+ +(?:ns|us|ms|s)){2})\s+(\d+)((?:\s+[\d.]+ +(?:ns|us|ms|s)){3})\s+(.*)$', line)
            if not m:
                fail('%s:%d: not a row: %r' % (path, n, line))
            def t(s):
                v, u = s.split()
                a, _, b = v.partition('.')
                return int(a) * UNITS[u] + (int(b) * UNITS[u] // 1000 if b else 0)
            ts = re.findall(r'[\d.]+ +(?:ns|us|ms|s)', m.group(1) + m.group(3))
            times = [t(ts[0]), t(ts[1]), int(m.group(2)), t(ts[2]), t(ts[3]), t(ts[4])]
            rest = m.group(4).split()
        row = dict(zip(('total', 'self', 'calls', 'avg', 'min', 'max'), times))
        if per_thread:
            row['tid'] = int(rest[0])
            rest = rest[1:]
        if len(rest) != 1:
            fail('%s:%d: bad function column %r' % (path, n, rest))
        row['func'] = rest[0].split('@')[0]
        row['line'] = n
        rows.append(row)
    return rows


def truth_calls(path, per_thread):
    calls = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) > 2 and w[:2] == ['truth', 'ev']:
                kv = dict(x.split('=', 1) for x in w[2:])
                if kv['type'] == 'call':
                    key = (int(kv['tid']), kv['func']) if per_thread else kv['func']
                    calls[key] = calls.get(key, 0) + 1
    if not calls:
        fail('%s: no truth calls' % path)
    return calls


def expected(jsonl, per_thread, max_depth=None):
    """Per function, from the events: every statistic worked out again."""
    stacks, st = {}, {}
    with open(jsonl) as f:
        events = [json.loads(l) for l in f]
    for ev in events:
        if ev['type'] == 'call':
            stacks.setdefault(ev['tid'], []).append([ev, 0])
        elif ev['type'] in ('return', 'unwind'):
            stack = stacks[ev['tid']]
            call, child = stack.pop()
            if max_depth and call['depth'] > max_depth:
                continue
            d = ev['duration_ns']
            if stack:
                stack[-1][1] += d if not max_depth or call['depth'] <= max_depth else 0
            key = (ev['tid'], call['func']) if per_thread else call['func']
            s = st.setdefault(key, dict(calls=0, total=0, self=0, sum=0, min=None, max=0))
            s['calls'] += 1
            s['sum'] += d
            s['self'] += d - child
            s['min'] = d if s['min'] is None else min(s['min'], d)
            s['max'] = max(s['max'], d)
            # recursion: the outermost frame of the function counts in total
            if not any(c['func'] == call['func'] for c, _ in stack):
                s['total'] += d
    return st


def main():
    cmd = sys.argv[1]
    if cmd == 'check':
        # check REPORT(--ns) JSONL TRUTH [per-thread] [max-depth N]
        report, jsonl, truth = sys.argv[2:5]
        opts = sys.argv[5:]
        per_thread = 'per-thread' in opts
        max_depth = int(opts[opts.index('max-depth') + 1]) if 'max-depth' in opts else None
        rows = parse_report(report)
        want = expected(jsonl, per_thread, max_depth)
        got = {((r['tid'], r['func']) if per_thread else r['func']): r for r in rows}
        if set(got) != set(want):
            fail('functions %s, want %s' % (sorted(got), sorted(want)))
        for k, w in want.items():
            g = got[k]
            for field in ('calls', 'total', 'self', 'min', 'max'):
                if g[field] != w[field]:
                    fail('%s: %s %d, want %d' % (k, field, g[field], w[field]))
            if g['avg'] != w['sum'] // w['calls']:
                fail('%s: avg %d, want %d' % (k, g['avg'], w['sum'] // w['calls']))
        if truth != '-':
            tc = truth_calls(truth, per_thread)
            for k, n in tc.items():
                if k not in got or got[k]['calls'] != n:
                    fail('%s: %s calls, the truth says %d' % (k, got.get(k, {}).get('calls'), n))
        print('%s: %d rows agree with the events%s' %
              (report, len(rows), '' if truth == '-' else ' and the truth'))
    elif cmd == 'sorted':
        # sorted REPORT KEY: rows ordered by KEY
        rows = parse_report(sys.argv[2], ns='--human' not in sys.argv)
        key = sys.argv[3]
        for a, b in zip(rows, rows[1:]):
            if key == 'name':
                ok = a['func'] <= b['func']
            else:
                ok = a[key] >= b[key] or (a[key] == b[key] and a['func'] <= b['func'])
            if not ok:
                fail('--sort=%s: line %d (%s) before line %d (%s)' %
                     (key, a['line'], a['func'], b['line'], b['func']))
        print('--sort=%s: %d rows in order' % (key, len(rows)))
    elif cmd == 'human':
        # human REPORT_HUMAN REPORT_NS: the same rows, the display truncated
        h = {r['func']: r for r in parse_report(sys.argv[2], ns=False)}
        n = {r['func']: r for r in parse_report(sys.argv[3])}
        if set(h) != set(n):
            fail('human and --ns tables list different functions')
        for f, r in n.items():
            for k in ('total', 'self', 'avg', 'min', 'max'):
                if not h[f][k] <= r[k] < h[f][k] + max(1, h[f][k] // 1000 + 1):
                    fail('%s %s: shown %d, is %d' % (f, k, h[f][k], r[k]))
            if h[f]['calls'] != r['calls']:
                fail('%s: calls differ' % f)
        print('human units agree with --ns')
    else:
        fail('usage')


main()
EOF

pcheck()
{
	python3 "$PY" "$@" || fail "report check '$1' failed (see above)"
}

# report_ok OUT ARGS...: calltrap report ARGS > OUT, status 0, nothing on stderr
report_ok()
{
	local out=$1

	shift
	ct report "$@" > "$out" 2> "$out.err" < /dev/null
	expect_status "calltrap report $*" "$CT_STATUS" 0
	[ ! -s "$out.err" ] || { cat "$out.err"; fail "calltrap report $*: messages on stderr"; }
}

record()
{
	local trace=$1 out=$2

	shift 2
	ct record -o "$trace" "$@" > "$out" 2> "$trace.err" < /dev/null
	expect_status "calltrap record $*" "$CT_STATUS" 0
	checks_ok "$out"
	ct dump --format=jsonl -o "$trace.jsonl" "$trace" 2> "$trace.jsonl.err"
	expect_status "calltrap dump $trace" "$CT_STATUS" 0
}

scenario_calls()
{
	local t tr=$D/calls.trace key

	need_targets calls
	t=$(target calls)
	record "$tr" "$D/out" -e add -e mul3 -e sum6 -e recurse -- "$t"
	report_ok "$D/ns" --ns "$tr"
	pcheck check "$D/ns" "$tr.jsonl" "$D/out"
	report_ok "$D/human" "$tr"
	pcheck human "$D/human" "$D/ns"
	for key in calls total self avg min max name; do
		report_ok "$D/s.$key" --ns --sort=$key -o "$D/s.$key.o" "$tr"
		pcheck sorted "$D/s.$key.o" $key
	done
	# recurse: 6000 calls, but its total is the outermost frame's alone
	grep -Eq '^ +[0-9]+ +[0-9]+ +6000 .* recurse$' "$D/ns" || fail "recurse: not 6000 calls"
	report_ok "$D/d1" --ns --max-depth=1 "$tr"
	pcheck check "$D/d1" "$tr.jsonl" - max-depth 1
	report_ok "$D/f" --ns --func=mul3 "$tr"
	[ "$(grep -c '' "$D/f")" -eq 4 ] || fail "--func=mul3: not 2 rows (mul3, add)"
	grep -Eq ' 1 +[0-9]+ +[0-9]+ +[0-9]+  add$' "$D/f" || fail "--func=mul3: add is not 1 call"
	ct report --sort=nope "$tr" > /dev/null 2> "$D/bad.err"
	expect_status "report --sort=nope" "$CT_STATUS" 2
}

scenario_threads()
{
	local t tr=$D/threads.trace

	need_targets threads
	t=$(target threads)
	record "$tr" "$D/out" -e work -- "$t"
	report_ok "$D/pt" --ns --per-thread "$tr"
	pcheck check "$D/pt" "$tr.jsonl" "$D/out" per-thread
	[ "$(grep -c ' work$' "$D/pt")" -eq 16 ] || fail "--per-thread: not 16 rows of work"
	report_ok "$D/all" --ns "$tr"
	pcheck check "$D/all" "$tr.jsonl" "$D/out"
}

scenario_unwind()
{
	local t

	need_targets longjmp exceptions
	t=$(target exceptions)
	record "$D/ex.trace" "$D/ex.out" -e level1 -e level2 -e thrower -e cleanup_hook -- "$t"
	report_ok "$D/ex" --ns "$D/ex.trace"
	pcheck check "$D/ex" "$D/ex.trace.jsonl" "$D/ex.out"
	t=$(target longjmp)
	record "$D/lj.trace" "$D/lj.out" -e outer -e middle -e inner -e catcher -e 'jump_*' \
		-e after -- "$t"
	report_ok "$D/lj" --ns "$D/lj.trace"
	pcheck check "$D/lj" "$D/lj.trace.jsonl" "$D/lj.out"
}

# The table does not depend on how the targets were compiled (the recording
# engine is tested at -O0 and -O2 elsewhere): -O2 only, as dump.sh.
OPTS=O2 run_opts scenario_calls && OPTS=O2 run_opts scenario_threads &&
	OPTS=O2 run_opts scenario_unwind
