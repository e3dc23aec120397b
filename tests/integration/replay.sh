#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap record, then replay: the tree's nesting, arguments and return
# values are the targets' truth (calls: nesting and recursion 6000 deep;
# threads: 16 threads; longjmp, exceptions: unwound frames), with and
# without --per-thread; the filters (--func, --tid, --max-depth,
# --min-duration, --since/--until) keep exactly the frames the unfiltered
# events say they should; colors only on a terminal or when asked; a
# truncated file replays its intact part, then one error line.  Arguments and
# return values are read raw (0x..) or typed (DWARF: name=value, decimal);
# --srcline ends every call line of a -g target's function with the file and
# the line that grep finds the function's definition on, and report
# --srcline shows the same in its Source column.
. "$(dirname "$0")/lib.sh"

# The replay parser and the checks, in one Python file.
PY=$WORK/replay_check.py
cat > "$PY" <<'EOF'
import json, re, sys

MASK = (1 << 64) - 1
LINE = re.compile(r'^(?P<dur>.{10})(?: \[ *(?P<tid>\d+)\])? \| (?P<ind> *)'
                  r'(?:\[depth (?P<deep>\d+)\] )?(?P<body>.*)$')
# calltrap(1): indentation stops at level 64; deeper lines say their depth
INDENT_MAX_LEVEL = 64
DUR = re.compile(r'^ *(\d+(?:\.\d{3})?) (ns|us|ms| s)$')
UNITS = {'ns': 1, 'us': 1000, 'ms': 1000000, ' s': 1000000000}
FORMS = [
    ('comment', re.compile(r'^/\* .* \*/$')),
    ('ret', re.compile(r'^\}(?: = (?P<ret>[^;]+);)? /\* (?P<f>[^ ]+) \*/$')),
    ('unw', re.compile(r'^\} /\* (?P<f>[^ ]+): unwound \*/$')),
    ('cut', re.compile(r'^\} /\* (?P<f>[^ ]+): return not recorded \*/$')),
    ('open', re.compile(r'^(?P<f>[^( ]+)\((?P<args>[^)]*)\) \{$')),
    ('leaf', re.compile(r'^(?P<f>[^( ]+)\((?P<args>[^)]*)\)(?: = (?P<ret>[^;]+))?;$')),
    ('leafunw', re.compile(r'^(?P<f>[^( ]+)\((?P<args>[^)]*)\); /\* unwound \*/$')),
]
# --srcline: a call line (not a return line) ends with /* FILE[:LINE] */
SRC = re.compile(r'^(?P<rest>[^}].*(?:\{|;|unwound \*/)) /\* (?P<src>[^ ]+) \*/$')


def val(s):
    """A value of the tree: raw '0x2a', or typed (DWARF) 'n=42' or '-1';
    integers as u64, anything else as its text."""
    s = re.sub(r'^[A-Za-z_][A-Za-z_0-9]*=', '', s)
    if re.fullmatch(r'0x[0-9a-f]+', s):
        return int(s, 16)
    if re.fullmatch(r'-?[0-9]+', s):
        return int(s) & MASK
    return s


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def dur_ns(s):
    """The duration column: '  5.433 us' -> 5433 (truncated, so a lower bound)."""
    m = DUR.match(s)
    if not m:
        return None
    num, unit = m.groups()
    if '.' in num:
        a, b = num.split('.')
        return int(a) * UNITS[unit] + int(b) * UNITS[unit] // 1000
    return int(num) * UNITS[unit]


def parse_replay(path, srcs=None):
    """Events (tid, type, func, depth, args, ret, dur) in line order; groups
    of --per-thread output give the tid.  With srcs (a dict), the output is
    of --srcline: srcs[line number] = the FILE[:LINE] of each call line."""
    evs = []
    group = None
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    if lines[-1] != '':
        fail('%s: no newline at the end' % path)
    for n, line in enumerate(lines[:-1], 1):
        if '\033' in line:
            fail('%s:%d: color codes in a file' % (path, n))
        m = re.match(r'^# thread (\d+) \(pid \d+\)$', line)
        if m:
            group = int(m.group(1))
            continue
        if line == '' or line.startswith('# DURATION'):
            continue
        m = LINE.match(line)
        if not m:
            fail('%s:%d: not a replay line: %r' % (path, n, line))
        tid = int(m.group('tid')) if m.group('tid') else group
        if tid is None:
            fail('%s:%d: no thread' % (path, n))
        if len(m.group('ind')) % 2:
            fail('%s:%d: odd indentation' % (path, n))
        depth = len(m.group('ind')) // 2 + 1
        if depth > INDENT_MAX_LEVEL:
            fail('%s:%d: indented beyond level %d' % (path, n, INDENT_MAX_LEVEL))
        if m.group('deep'):
            if depth != INDENT_MAX_LEVEL or int(m.group('deep')) <= INDENT_MAX_LEVEL:
                fail('%s:%d: depth marker at level %d' % (path, n, depth))
            depth = int(m.group('deep'))
        body = m.group('body')
        if srcs is not None:
            s = SRC.match(body)
            if s and s.group('src') != 'unwound' and not FORMS[0][1].match(body):
                body = s.group('rest')
                srcs[n] = s.group('src')
        for kind, rx in FORMS:
            b = rx.match(body)
            if b:
                break
        else:
            fail('%s:%d: unknown form: %r' % (path, n, body))
        d = dur_ns(m.group('dur'))
        has_dur = m.group('dur').strip() != ''
        if has_dur and d is None:
            fail('%s:%d: bad duration %r' % (path, n, m.group('dur')))
        if kind in ('open', 'comment') and has_dur:
            fail('%s:%d: a duration on an opening line' % (path, n))
        if kind in ('ret', 'unw', 'cut', 'leaf', 'leafunw') and not has_dur:
            fail('%s:%d: no duration' % (path, n))
        if kind == 'comment':
            continue
        args = None
        if b.groupdict().get('args'):
            args = [val(a) for a in b.group('args').split(', ')]
        ret = val(b.group('ret')) if b.groupdict().get('ret') else None
        f_ = b.group('f')
        if kind in ('open', 'leaf', 'leafunw'):
            evs.append((tid, 'call', f_, depth, args, None, None, n))
        if kind in ('leaf', 'ret'):
            evs.append((tid, 'return', f_, depth, None, ret, d, n))
        if kind in ('leafunw', 'unw'):
            evs.append((tid, 'unwind', f_, depth, None, None, d, n))
        if kind == 'cut':
            fail('%s:%d: a frame whose return was not recorded' % (path, n))
    return evs


def parse_truth(path):
    out = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) < 2 or w[0] != 'truth' or w[1] != 'ev':
                continue
            kv = dict(x.split('=', 1) for x in w[2:])
            args = [int(a) & MASK for a in kv['args'].split(',')] if kv.get('args') else None
            ret = int(kv['ret']) & MASK if 'ret' in kv else None
            out.append((int(kv['tid']), kv['type'], kv['func'], int(kv['depth']), args, ret))
    if not out:
        fail('%s: no truth ev lines' % path)
    return out


def compare(got, want, what, check_values=True):
    """Per tid, got's (type, func, depth[, args prefix, ret]) equal want's."""
    tids = sorted({e[0] for e in want} | {e[0] for e in got})
    for tid in tids:
        g = [e for e in got if e[0] == tid]
        w = [e for e in want if e[0] == tid]
        if len(g) != len(w):
            fail('%s: tid %d: %d events, want %d' % (what, tid, len(g), len(w)))
        for i, (a, b) in enumerate(zip(g, w)):
            if a[1:4] != b[1:4]:
                fail('%s: tid %d event %d (line %d): %s %s depth %d, want %s %s depth %d' %
                     (what, tid, i, a[7], a[1], a[2], a[3], b[1], b[2], b[3]))
            if not check_values:
                continue
            if b[4] is not None and (a[4] is None or a[4][:len(b[4])] != b[4]):
                fail('%s: tid %d event %d (line %d): args %s, want %s' %
                     (what, tid, i, a[7], a[4], b[4]))
            if b[5] is not None and a[5] != b[5]:
                fail('%s: tid %d event %d (line %d): ret %s, want %s' %
                     (what, tid, i, a[7], a[5], b[5]))
    print('%s: %d events ok' % (what, len(got)))


def subtree(evs, func):
    """The events of func's frames and their callees, depths from func's."""
    out, base = [], {}
    for e in evs:
        tid = e[0]
        if tid not in base and e[1] == 'call' and e[2] == func:
            base[tid] = e[3]
        if tid in base:
            out.append(e[:3] + (e[3] - base[tid] + 1,) + e[4:])
            if e[1] != 'call' and e[3] == base[tid]:
                del base[tid]
    return out


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f]


def frames_of(events):
    """(tid, func, depth, call ts, duration, call index) of every frame."""
    open_, out = {}, []
    for i, ev in enumerate(events):
        if ev['type'] == 'call':
            open_.setdefault(ev['tid'], []).append((ev, i))
        elif ev['type'] in ('return', 'unwind'):
            call, ci = open_[ev['tid']].pop()
            out.append((ev['tid'], call['func'], call['depth'], call['ts_ns'],
                        ev['duration_ns'], ci))
    return sorted(out, key=lambda f: f[5])


def main():
    cmd = sys.argv[1]
    if cmd == 'truth':
        # replay REPLAY TRUTH [--func F] [--max-depth N] [--novalues]
        got = parse_replay(sys.argv[2])
        want = parse_truth(sys.argv[3])
        opts = sys.argv[4:]
        funcs = {e[2] for e in want}
        got = [e for e in got if e[2] in funcs]
        if '--func' in opts:
            want = subtree(want, opts[opts.index('--func') + 1])
        if '--max-depth' in opts:
            n = int(opts[opts.index('--max-depth') + 1])
            want = [e for e in want if e[3] <= n]
        compare(got, want, sys.argv[2], '--novalues' not in opts)
    elif cmd == 'srcline':
        # srcline REPLAY TRUTH FILE FUNC=LINE...: the tree is the truth, and
        # every call line of FUNC ends with /* .../FILE:LINE */
        srcs = {}
        got = parse_replay(sys.argv[2], srcs)
        truth = parse_truth(sys.argv[3])
        funcs = {e[2] for e in truth}
        compare([e for e in got if e[2] in funcs], truth, sys.argv[2])
        base = sys.argv[4]
        want = dict(a.split('=') for a in sys.argv[5:])
        seen = set()
        for e in got:
            if e[1] != 'call' or e[2] not in want:
                continue
            src = srcs.get(e[7])
            if src is None:
                fail('line %d: %s: no source location' % (e[7], e[2]))
            path, _, line = src.rpartition(':')
            if (path != base and not path.endswith('/' + base)) or line != want[e[2]]:
                fail('line %d: %s at %s, want %s:%s' % (e[7], e[2], src, base, want[e[2]]))
            seen.add(e[2])
        if seen != set(want):
            fail('no call of %s' % ', '.join(sorted(set(want) - seen)))
        print('srcline: %d call lines of %s at their definitions' %
              (sum(1 for e in got if e[1] == 'call' and e[2] in want), ', '.join(sorted(seen))))
    elif cmd == 'srcreport':
        # srcreport REPORT FILE FUNC=LINE...: the Source column (before
        # Function) of each FUNC's row is .../FILE:LINE
        base = sys.argv[3]
        want = dict(a.split('=') for a in sys.argv[4:])
        with open(sys.argv[2]) as f:
            lines = f.read().splitlines()
        if not re.search(r'  Source +  Function$', lines[0]):
            fail('report --srcline: no Source column: %r' % lines[0])
        seen = set()
        for line in lines[2:]:
            w = line.split()
            func, src = w[-1], w[-2]
            if func in want:
                path, _, ln = src.rpartition(':')
                if (path != base and not path.endswith('/' + base)) or ln != want[func]:
                    fail('report: %s at %s, want %s:%s' % (func, src, base, want[func]))
                seen.add(func)
        if seen != set(want):
            fail('report: no row for %s' % ', '.join(sorted(set(want) - seen)))
        print('report --srcline: %s at their definitions' % ', '.join(sorted(seen)))
    elif cmd == 'mindur':
        # mindur REPLAY JSONL NS: the frames shown are those of at least NS
        got = parse_replay(sys.argv[2])
        frames = frames_of(load_jsonl(sys.argv[3]))
        t = int(sys.argv[4])
        want = [(f[0], f[1], f[2]) for f in frames if f[4] >= t]
        calls = [(e[0], e[2], e[3]) for e in got if e[1] == 'call']
        if calls != want:
            fail('--min-duration=%dns: %d frames shown, want %d' % (t, len(calls), len(want)))
        for e in got:
            if e[6] is not None and e[6] + 1000000 < t:
                fail('line %d: duration %d below %d' % (e[7], e[6], t))
        print('min-duration %d ns: %d of %d frames' % (t, len(calls), len(frames)))
    elif cmd == 'pick':
        # pick JSONL: a threshold (between two durations) and a window
        events = load_jsonl(sys.argv[2])
        durs = sorted({f[4] for f in frames_of(events)})
        t = durs[len(durs) * 9 // 10]
        calls = [ev for ev in events if ev['type'] == 'call']
        print(t, calls[len(calls) // 3]['ts_ns'], events[len(events) * 3 // 4]['ts_ns'])
    elif cmd == 'window':
        # window REPLAY JSONL SINCE UNTIL: calls and returns inside it
        got = parse_replay(sys.argv[2])
        since, until = int(sys.argv[4]), int(sys.argv[5])
        want, stacks = [], {}
        for ev in load_jsonl(sys.argv[3]):
            if not since <= ev['ts_ns'] <= until or ev['type'] not in ('call', 'return',
                                                                         'unwind'):
                continue
            st = stacks.setdefault(ev['tid'], [])
            if ev['type'] == 'call':
                st.append(ev['func'])
                want.append((ev['tid'], 'call', ev['func'], len(st)))
            elif st:
                want.append((ev['tid'], ev['type'], st[-1], len(st)))
                st.pop()
        got = [e[:4] for e in got]
        if got != want:
            for i, (a, b) in enumerate(zip(got, want)):
                if a != b:
                    fail('window: event %d: %s, want %s' % (i, a, b))
            fail('window: %d events, want %d' % (len(got), len(want)))
        print('window [%d, %d]: %d events' % (since, until, len(got)))
    else:
        fail('usage')


main()
EOF

rcheck()
{
	python3 "$PY" "$@" || fail "replay check '$1' failed (see above)"
}

# replay_ok OUT ARGS...: calltrap replay ARGS > OUT, status 0, nothing on stderr
replay_ok()
{
	local out=$1

	shift
	ct replay "$@" > "$out" 2> "$out.err" < /dev/null
	expect_status "calltrap replay $*" "$CT_STATUS" 0
	[ ! -s "$out.err" ] || { cat "$out.err"; fail "calltrap replay $*: messages on stderr"; }
}

record()
{
	local trace=$1 out=$2

	shift 2
	ct record -o "$trace" "$@" > "$out" 2> "$trace.err" < /dev/null
	expect_status "calltrap record $*" "$CT_STATUS" 0
	checks_ok "$out"
}

scenario_calls()
{
	local t tr=$D/calls.trace th since until

	need_targets calls
	t=$(target calls)
	record "$tr" "$D/out" -e add -e mul3 -e sum6 -e recurse -- "$t"

	replay_ok "$D/r1" "$tr"
	rcheck truth "$D/r1" "$D/out"
	# the default file name
	(cd "$D" && cp calls.trace calltrap.trace && "$CALLTRAP" replay > r0 2> r0.err) ||
		fail "calltrap replay (calltrap.trace) failed"
	cmp -s "$D/r0" "$D/r1" || fail "replay of ./calltrap.trace differs from replay FILE"
	replay_ok "$D/r2" --per-thread "$tr"
	grep -q '^# thread [0-9]* (pid [0-9]*)$' "$D/r2" || fail "--per-thread: no thread heading"
	rcheck truth "$D/r2" "$D/out"
	replay_ok "$D/r3" --no-args -o "$D/r3.o" "$tr"
	[ ! -s "$D/r3" ] || fail "-o FILE: output on stdout"
	grep -q 'add();' "$D/r3.o" || fail "--no-args: no 'add();' line"
	rcheck truth "$D/r3.o" "$D/out" --novalues

	replay_ok "$D/r4" --func=mul3 "$tr"
	rcheck truth "$D/r4" "$D/out" --func mul3
	replay_ok "$D/r5" --func='s?m6' --max-depth=1 "$tr"
	rcheck truth "$D/r5" "$D/out" --func sum6 --max-depth 1
	replay_ok "$D/r6" --max-depth=2 "$tr"
	rcheck truth "$D/r6" "$D/out" --max-depth 2

	ct dump --format=jsonl -o "$D/ev.jsonl" "$tr" 2> "$D/dump.err"
	expect_status "calltrap dump" "$CT_STATUS" 0
	read -r th since until <<< "$(python3 "$PY" pick "$D/ev.jsonl")"
	replay_ok "$D/r7" --min-duration="${th}ns" "$tr"
	rcheck mindur "$D/r7" "$D/ev.jsonl" "$th"
	replay_ok "$D/r8" --since="${since}ns" --until="${until}ns" "$tr"
	rcheck window "$D/r8" "$D/ev.jsonl" "$since" "$until"
}

scenario_threads()
{
	local t tr=$D/threads.trace tid

	need_targets threads
	t=$(target threads)
	record "$tr" "$D/out" -e work -- "$t"
	replay_ok "$D/r1" "$tr"
	rcheck truth "$D/r1" "$D/out"
	[ "$(grep -c 'started by' "$D/r1")" -eq 16 ] || fail "not 16 thread_start lines"
	replay_ok "$D/r2" --per-thread "$tr"
	rcheck truth "$D/r2" "$D/out"
	# one heading per thread (the main thread too: its exit)
	[ "$(grep -c '^# thread ' "$D/r2")" -eq 17 ] || fail "--per-thread: not 17 thread headings"

	tid=$(sed -n 's/^truth thread pid=[0-9]* tid=\([0-9]*\) .*/\1/p' "$D/out" | sed -n 5p)
	replay_ok "$D/r3" --tid="$tid" "$tr"
	grep -v '^#' "$D/r3" | grep -qv "\[ *$tid\]" && fail "--tid=$tid: lines of other threads"
	grep "tid=$tid " "$D/out" > "$D/out.tid"
	echo "truth pid=0 role=main" >> "$D/out.tid"
	rcheck truth "$D/r3" "$D/out.tid"
}

scenario_unwind()
{
	local t

	need_targets longjmp exceptions
	t=$(target longjmp)
	record "$D/lj.trace" "$D/lj.out" -e outer -e middle -e inner -e catcher -e 'jump_*' \
		-e after -- "$t"
	replay_ok "$D/lj.r" "$D/lj.trace"
	grep -q ': unwound \*/\|; /\* unwound \*/' "$D/lj.r" || fail "longjmp: no unwound frame"
	rcheck truth "$D/lj.r" "$D/lj.out"

	t=$(target exceptions)
	record "$D/ex.trace" "$D/ex.out" -e level1 -e level2 -e thrower -e cleanup_hook -- "$t"
	replay_ok "$D/ex.r" "$D/ex.trace"
	grep -q '} /\* level1: unwound \*/' "$D/ex.r" || fail "exceptions: level1 not unwound"
	rcheck truth "$D/ex.r" "$D/ex.out"
}

scenario_color()
{
	local t tr=$D/c.trace

	need_targets calls
	t=$(target calls)
	record "$tr" "$D/out" -e add -e mul3 -- "$t"
	replay_ok "$D/plain" "$tr"
	! grep -q $'\033' "$D/plain" || fail "colors in a file"
	replay_ok "$D/always" --color=always "$tr"
	grep -q $'\033\\[1madd\033\\[0m' "$D/always" || fail "--color=always: no bold names"
	# on a terminal: colors unless --color=never
	python3 - "$CALLTRAP" "$tr" "$D" <<'EOF' || fail "replay on a terminal"
import os, pty, sys
def on_tty(args):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop('NO_COLOR', None)
        os.environ['TERM'] = 'xterm'
        os.execv(args[0], args)
    out = b''
    while True:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        out += b
    os.waitpid(pid, 0)
    return out
ct, tr, d = sys.argv[1:]
a = on_tty([ct, 'replay', tr])
b = on_tty([ct, 'replay', '--color=never', tr])
if b'\033[' not in a:
    sys.exit('no colors on a terminal')
if b'\033[' in b or b'add(' not in b:
    sys.exit('--color=never: colors, or no output')
print('terminal: colored; --color=never: plain')
EOF
	ct replay --color=sometimes "$tr" > /dev/null 2> "$D/bad.err"
	expect_status "replay --color=sometimes" "$CT_STATUS" 2
	ct replay --since=5 "$tr" > /dev/null 2> "$D/bad.err"
	expect_status "replay --since=5 (no unit)" "$CT_STATUS" 2
	[ "$(grep -c '' "$D/bad.err")" -eq 1 ] || fail "a usage error is not one line"
}

scenario_truncated()
{
	local t tr=$D/t.trace n

	need_targets calls
	t=$(target calls)
	record "$tr" "$D/out" -e add -e mul3 -e sum6 -e recurse -- "$t"
	replay_ok "$D/full" "$tr"
	python3 -c 'import os, sys; p = sys.argv[1]; os.truncate(p, os.path.getsize(p) * 6 // 10)' "$tr"
	ct replay "$tr" > "$D/part" 2> "$D/part.err"
	# bytes lost: the intact part, then an error (tests/integration/trace_damage.sh)
	expect_status "replay of a truncated trace" "$CT_STATUS" 1
	[ "$(grep -c '' "$D/part.err")" -eq 1 ] || fail "truncated: not one line on stderr"
	grep -Eq "^calltrap: .*t\\.trace: truncated chunk at offset [0-9]+: " \
		"$D/part.err" || fail "truncated: unexpected message: $(cat "$D/part.err")"
	n=$(grep -c '' "$D/part")
	[ "$n" -gt 100 ] || fail "truncated: only $n lines"
	# the intact part is what the whole file shows (but for the frames the
	# lookahead at the cut saw differently)
	head -n $((n - 20)) "$D/part" > "$D/part.head"
	head -n $((n - 20)) "$D/full" | cmp -s - "$D/part.head" ||
		fail "truncated: the intact part differs from the full replay"
}

# --srcline: the target is built with -g; where each function is defined is
# found in its source by grep, not by calltrap.
scenario_srcline()
{
	local t tr=$D/s.trace src=$TOP_SRCDIR/tests/targets/calls.c f n want=()

	need_targets calls
	t=$(target calls)
	for f in add mul3 sum6 recurse; do
		n=$(grep -n "^long $f(" "$src" | cut -d: -f1)
		[ -n "$n" ] || fail "no definition of $f in $src"
		want+=("$f=$n")
	done
	record "$tr" "$D/out" -e add -e mul3 -e sum6 -e recurse -- "$t"
	replay_ok "$D/s1" --srcline "$tr"
	rcheck srcline "$D/s1" "$D/out" calls.c "${want[@]}"
	replay_ok "$D/s2" "$tr"
	grep -q 'calls\.c' "$D/s2" && fail "replay without --srcline shows source lines"
	ct report --srcline --ns "$tr" > "$D/rep" 2> "$D/rep.err"
	expect_status "calltrap report --srcline" "$CT_STATUS" 0
	rcheck srcreport "$D/rep" calls.c "${want[@]}"
}

# The tree does not depend on how the targets were compiled (the recording
# engine is tested at -O0 and -O2 elsewhere): -O2 only, as dump.sh, but for
# source lines, which do.
OPTS=O2 run_opts scenario_calls && OPTS=O2 run_opts scenario_threads &&
	OPTS=O2 run_opts scenario_unwind && run_opts scenario_srcline &&
	OPTS=O0 run_opts scenario_color && OPTS=O0 run_opts scenario_truncated
