#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap trace -c: the report table instead of the events, at the end.
# A target that prints how often it called each function (summary.c): the
# Calls column says the same, the rows are in the order of the sort key
# (total by default, --sort=calls), each row has min <= average <= max and
# self <= total, and nothing but the table is written (to stderr, or to -o
# FILE); the counts equal those of record + report of the same workload.
# Attached with -p, the table comes after --duration or SIGINT, once the
# process is detached and left as it was.  Options that contradict -c are
# one usage error line.  With -f, one table for every process followed.
. "$(dirname "$0")/lib.sh"

PY=$WORK/summary_check.py
cat > "$PY" <<'EOF'
import re, sys

UNITS = {'ns': 1, 'us': 1000, 'ms': 1000000, 's': 1000000000}
TIME = r'[\d.]+ +(?:ns|us|ms|s)'
ROW = re.compile(r'^\s+(%s)\s+(%s)\s+(\d+)\s+(%s)\s+(%s)\s+(%s)\s+(\S+)$' % ((TIME,) * 2 + (TIME,) * 3))


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def ns(s):
    """A displayed duration in ns (as displayed: truncated)."""
    v, u = s.split()
    a, _, b = v.partition('.')
    return int(a) * UNITS[u] + (int(b.ljust(3, '0')) * UNITS[u] // 1000 if b else 0)


def table(path):
    """The rows of a report table that is the whole of path, in order."""
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2 or lines[0].split() != ['Total', 'time', 'Self', 'time', 'Calls',
                                              'Average', 'Min', 'Max', 'Function'] or \
       set(lines[1].replace(' ', '')) != {'='}:
        fail('%s: does not start with the table header: %r' % (path, lines[:2]))
    rows = []
    for n, line in enumerate(lines[2:], 3):
        m = ROW.match(line)
        if not m:
            fail('%s:%d: not a row of the table: %r' % (path, n, line))
        total, self_, calls, avg, mn, mx, func = m.groups()
        r = dict(total=ns(total), self=ns(self_), calls=int(calls), avg=ns(avg), min=ns(mn),
                 max=ns(mx), func=func)
        if not r['min'] <= r['avg'] <= r['max']:
            fail('%s:%d: not min <= avg <= max: %r' % (path, n, line))
        if r['self'] > r['total']:
            fail('%s:%d: self > total: %r' % (path, n, line))
        rows.append(r)
    return rows


def truth(path):
    calls = {}
    with open(path) as f:
        for line in f:
            m = re.match(r'^truth calls func=(\S+) n=(\d+)$', line)
            if m:
                calls[m.group(1)] = int(m.group(2))
    if not calls:
        fail('%s: no truth lines' % path)
    return calls


def main():
    cmd, path = sys.argv[1:3]
    rows = table(path)
    got = {r['func']: r['calls'] for r in rows}
    if len(got) != len(rows):
        fail('%s: a function has two rows' % path)
    if cmd == 'truth':
        # truth TABLE TARGET_OUT KEY: the target's counts, rows by KEY
        want, key = truth(sys.argv[3]), sys.argv[4]
        if got != want:
            fail('%s: calls %s, want %s' % (path, sorted(got.items()), sorted(want.items())))
        keys = [r[key] for r in rows]
        if keys != sorted(keys, reverse=True):
            fail('%s: rows not by %s, largest first: %s' % (path, key, keys))
        # sm_work calls the others: its total is the largest
        if key == 'total' and rows[0]['func'] != 'sm_work':
            fail('%s: first row %s, want sm_work' % (path, rows[0]['func']))
    elif cmd == 'same':
        # same TABLE OTHER_TABLE: the same functions and calls
        other = {r['func']: r['calls'] for r in table(sys.argv[3])}
        if got != other:
            fail('%s: calls %s, %s has %s' % (path, sorted(got.items()), sys.argv[3],
                                              sorted(other.items())))
    elif cmd == 'calls':
        # calls TABLE FUNC MIN: the only row is FUNC, with at least MIN calls
        func, least = sys.argv[3], int(sys.argv[4])
        if list(got) != [func] or got[func] < least:
            fail('%s: calls %s, want %s with at least %d' % (path, got, func, least))
    else:
        fail('unknown command ' + cmd)


main()
EOF

summary()
{
	python3 "$PY" "$@" || fail "summary_check.py $* (see above)"
}

# usage_error WHAT ARGS...: calltrap ARGS is one usage error line, and
# the program does not run
usage_error()
{
	local what=$1

	shift
	ct "$@" > "$D/use.out" 2> "$D/use.err"
	expect_status "$what" "$CT_STATUS" 2
	[ "$(grep -c '' "$D/use.err")" -eq 1 ] && grep -q '^calltrap: .*--help' "$D/use.err" ||
		fail "$what: not one usage error line: $(cat "$D/use.err")"
	[ ! -s "$D/use.out" ] || fail "$what: the program ran"
}

scenario()
{
	local t

	need_targets summary
	t=$(target summary)
	run_untraced "$D/plain.out" "$t"
	expect_status "summary untraced" "$UT_STATUS" 0

	# the table, on stderr, and nothing else; the program's output untouched
	ct trace -c -e 'sm_*' -- "$t" > "$D/c.out" 2> "$D/c.err"
	expect_status "trace -c" "$CT_STATUS" 0
	same_output "$D/plain.out" "$D/c.out"
	checks_ok "$D/c.out"
	summary truth "$D/c.err" "$D/c.out" total

	ct trace --summary --sort=calls -e 'sm_*' -- "$t" > "$D/calls.out" 2> "$D/calls.err"
	expect_status "trace --summary --sort=calls" "$CT_STATUS" 0
	summary truth "$D/calls.err" "$D/calls.out" calls

	# -o FILE: the table there, nothing on stderr
	ct trace -c -o "$D/table" -e 'sm_*' -- "$t" > "$D/o.out" 2> "$D/o.err"
	expect_status "trace -c -o" "$CT_STATUS" 0
	[ ! -s "$D/o.err" ] || fail "trace -c -o wrote to stderr: $(cat "$D/o.err")"
	summary truth "$D/table" "$D/o.out" total

	# the counts of record + report of the same workload
	ct record -o "$D/t.trace" -e 'sm_*' -- "$t" > "$D/r.out" 2> "$D/r.err"
	expect_status "record" "$CT_STATUS" 0
	ct report "$D/t.trace" > "$D/report" 2> "$D/report.err"
	expect_status "report" "$CT_STATUS" 0
	summary same "$D/c.err" "$D/report"

	# -f: the calls of every process followed, in one table; the exit
	# status stays the program's
	ct trace -c -f -e 'sm_*' -- sh -c "'$t' > '$D/f.out'; exit 7" > /dev/null 2> "$D/f.err"
	expect_status "trace -c -f of a shell exiting with 7" "$CT_STATUS" 7
	summary truth "$D/f.err" "$D/f.out" total

	# contradictions
	usage_error "-c --format=jsonl" trace -c --format=jsonl -e 'sm_*' -- "$t"
	usage_error "-c --regs" trace -c --regs -e 'sm_*' -- "$t"
	usage_error "--sort without -c" trace --sort=calls -e 'sm_*' -- "$t"
	usage_error "-c --sort=bogus" trace -c --sort=bogus -e 'sm_*' -- "$t"
	usage_error "record -c" record -c -o "$D/no.trace" -e 'sm_*' -- "$t"
}

# attached: the table after the clean detach, at --duration or SIGINT
scenario_attach()
{
	local t pid ctpid n

	need_targets summary
	t=$(target summary)
	"$t" loop "$D/stop" 60 > "$D/loop.out" 2>&1 < /dev/null &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	wait_line "$D/loop.out" '^pid=' 10 || fail "the loop did not start"
	snapshot "$pid" "$D/snap"

	ct trace -c -p "$pid" --duration=1 -e sm_tick > "$D/d.out" 2> "$D/d.err" < /dev/null
	expect_status "trace -c -p --duration" "$CT_STATUS" 0
	[ ! -s "$D/d.out" ] || fail "trace -c -p wrote to stdout: $(cat "$D/d.out")"
	summary calls "$D/d.err" sm_tick 1
	detached "$pid" "$D/snap"

	env --default-signal=INT "$CALLTRAP" trace -c -p "$pid" -e sm_tick \
		> "$D/i.out" 2> "$D/i.err" < /dev/null &
	ctpid=$!
	BG_PIDS="$BG_PIDS $ctpid"
	wait_line "/proc/$pid/status" 'TracerPid:[[:space:]]*[1-9]' 10 || fail "no attach"
	# 20 ticks after the attach: the process stops while the breakpoints
	# go in, so at most a tick or two run untraced
	n=$(grep -c '^tick ' "$D/loop.out")
	wait_line "$D/loop.out" "^tick $((n + 20))\$" 20 || fail "the loop stalled while attached"
	kill -INT "$ctpid"
	wait_pid "$ctpid" 20
	expect_status "trace -c -p, then SIGINT" "$WAIT_STATUS" 0
	[ ! -s "$D/i.out" ] || fail "trace -c -p wrote to stdout: $(cat "$D/i.out")"
	summary calls "$D/i.err" sm_tick 10
	detached "$pid" "$D/snap"

	touch "$D/stop"
	wait_pid "$pid" 10
	expect_status "the loop after detach" "$WAIT_STATUS" 0
	checks_ok "$D/loop.out"
}

rc=0
run_opts scenario || rc=1
# attach and detach are tested at both levels elsewhere (attach.sh): here,
# the table they end with, at -O2 only
OPTS=O2 run_opts scenario_attach || rc=1
exit $rc
