#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# calltrap record, then dump:
#  - jsonl: the events `calltrap trace --format=jsonl` prints, checked against
#    the targets' truth (calls, threads, longjmp, exceptions) by the same
#    checker, register snapshots too (--regs);
#  - chrome: valid JSON, an X event per frame with pid/tid, microsecond ts
#    and dur equal to the events', properly nested per thread, thread names;
#  - folded: "a;b;c N" lines whose weights sum to the total self time;
#  - svg: well-formed XML, self-contained, interactive, with the function
#    names, whose frame widths are the folded totals of their call paths.
. "$(dirname "$0")/lib.sh"

PY=$WORK/dump_check.py
cat > "$PY" <<'EOF'
import json, re, sys
import xml.etree.ElementTree as ET


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f]


class Trie:
    """Call paths as numbers: node 0 is the root, (parent, name) -> node."""

    def __init__(self):
        self.ids = {}
        self.parent = [None]
        self.name = [None]

    def child(self, parent, name):
        k = (parent, name)
        if k not in self.ids:
            self.ids[k] = len(self.parent)
            self.parent.append(parent)
            self.name.append(name)
        return self.ids[k]

    def path(self, node):
        out = []
        while node:
            out.append(self.name[node])
            node = self.parent[node]
        return ';'.join(reversed(out))


def frames_of(events, trie):
    """(tid, func, depth, ts, dur, path node, pid) of every frame, in call order."""
    open_, out = {}, []
    for i, ev in enumerate(events):
        if ev['type'] == 'call':
            st = open_.setdefault(ev['tid'], [])
            st.append((ev, i, trie.child(st[-1][2] if st else 0, ev['func'])))
        elif ev['type'] in ('return', 'unwind'):
            call, ci, node = open_[ev['tid']].pop()
            out.append((ci, ev['tid'], call['func'], call['depth'], call['ts_ns'],
                        ev['duration_ns'], node, call['pid']))
    if any(open_.values()):
        fail('frames left open in the events')
    return [f[1:] for f in sorted(out)]


def folded_of(frames, trie):
    """The folded weights worked out from the frames: self time per path node."""
    w = {}
    for f in frames:
        w[f[5]] = w.get(f[5], 0) + f[4]
        up = trie.parent[f[5]]
        if up:
            w[up] = w.get(up, 0) - f[4]
    return {k: v for k, v in w.items() if v}


def parse_folded(path, trie):
    """Weight per path node."""
    w = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r'^(\S(?:.*\S)?) (\d+)$', line.rstrip('\n'))
            if not m or not line.endswith('\n'):
                fail('%s:%d: not a folded line: %r' % (path, n, line))
            node = 0
            for name in m.group(1).split(';'):
                node = trie.child(node, name)
            if node in w:
                fail('%s:%d: the path appears twice' % (path, n))
            w[node] = int(m.group(2))
    return w


def cmd_chrome(chrome, jsonl):
    with open(chrome) as f:
        doc = json.load(f)
    evs = doc['traceEvents']
    frames = frames_of(load_jsonl(jsonl), Trie())
    xs = [e for e in evs if e['ph'] == 'X']
    names = {(e['pid'], e['tid']) for e in evs if e['ph'] == 'M' and e['name'] == 'thread_name'}
    procs = {e['pid'] for e in evs if e['ph'] == 'M' and e['name'] == 'process_name'}
    if len(xs) != len(frames):
        fail('%d X events, %d frames in the events' % (len(xs), len(frames)))
    for e in evs:
        for k in ('ph', 'pid', 'tid'):
            if k not in e:
                fail('event without %s: %r' % (k, e))
        if e['ph'] in ('X', 'i', 'B', 'E') and not isinstance(e.get('ts'), (int, float)):
            fail('event without a numeric ts: %r' % e)
    # every frame, by (tid, ts, name): ts and dur in microseconds
    want = sorted((f[0], f[3], f[1], f[4]) for f in frames)
    got = sorted((e['tid'], round(e['ts'] * 1000), e['name'], round(e['dur'] * 1000)) for e in xs)
    if got != want:
        for a, b in zip(got, want):
            if a != b:
                fail('X event %s, want %s (tid, ts ns, name, dur ns)' % (a, b))
        fail('X events differ from the frames')
    for e in xs:
        if (e['pid'], e['tid']) not in names or e['pid'] not in procs:
            fail('thread %d of %d has no thread_name/process_name' % (e['tid'], e['pid']))
    # per thread, frames nest: each X inside the enclosing one (B/E pairing)
    by_tid = {}
    for e in xs:
        by_tid.setdefault(e['tid'], []).append(e)
    for tid, l in by_tid.items():
        l.sort(key=lambda e: (e['ts'], -e['dur']))
        st = []
        for e in l:
            b, end = round(e['ts'] * 1000), round((e['ts'] + e['dur']) * 1000)
            while st and st[-1] <= b:
                st.pop()
            if st and end > st[-1]:
                fail('tid %d: %s [%d, %d] overlaps its caller' % (tid, e['name'], b, end))
            st.append(end)
    print('chrome: %d X events, %d threads named, nested' % (len(xs), len(names)))


def cmd_folded(folded, jsonl, report):
    trie = Trie()
    w = parse_folded(folded, trie)
    frames = frames_of(load_jsonl(jsonl), trie)
    want = folded_of(frames, trie)
    if w != want:
        for k in sorted(set(w) | set(want)):
            if w.get(k) != want.get(k):
                fail('%s: %s, want %s' % (trie.path(k), w.get(k), want.get(k)))
    roots = sum(f[4] for f in frames if trie.parent[f[5]] == 0)
    if sum(w.values()) != roots:
        fail('weights sum to %d, the outermost frames last %d' % (sum(w.values()), roots))
    selfs = 0
    with open(report) as f:
        for line in f.read().splitlines()[2:]:
            selfs += int(line.split()[1])
    if sum(w.values()) != selfs:
        fail('weights sum to %d, report says %d of self time' % (sum(w.values()), selfs))
    print('folded: %d paths, %d ns = total self time' % (len(w), sum(w.values())))


def cmd_svg(svg, folded, names):
    with open(svg, 'rb') as f:
        data = f.read()
    root = ET.fromstring(data)
    ns = '{http://www.w3.org/2000/svg}'
    for el in root.iter():
        for k, v in el.attrib.items():
            if 'href' in k or k == 'src':
                fail('external reference: %s=%s' % (k, v))
    js = ''.join(el.text or '' for el in root.iter(ns + 'script'))
    for need in ('function zoom(', 'function search(', 'function unzoom(', 'addEventListener'):
        if need not in js:
            fail('no %s in the script' % need)
    if b'<script src' in data or b'xlink' in data:
        fail('external script or link')
    # frames: <g><title>NAME (TIME, PCT%)</title><rect .../>
    fr = []
    for g in root.iter(ns + 'g'):
        t, r = g.find(ns + 'title'), g.find(ns + 'rect')
        if t is None or r is None:
            continue
        m = re.match(r'^(.*) \(([\d.]+ +(?:ns|us|ms|s)), ([\d.]+)%\)$', t.text)
        if not m:
            fail('frame title %r' % t.text)
        fr.append([m.group(1), float(r.get('x')), float(r.get('width')), float(r.get('y')),
                   float(m.group(3)), None])
    if not fr or fr[0][0] != 'all':
        fail('no "all" frame first')
    trie = Trie()
    w = parse_folded(folded, trie)
    total = sum(w.values())
    totals = [0] * len(trie.parent)
    for node, v in w.items():
        while node:
            totals[node] += v
            node = trie.parent[node]
    # each function wide enough to be drawn (0.1 px: svg.c's MIN_W) is
    # there (on the fast path a quick leaf may take less)
    for n in names.split(','):
        widest = max([totals[node] for (parent, name), node in trie.ids.items() if name == n],
                     default=0)
        if widest * fr[0][2] >= 0.1 * total and not any(f[0] == n for f in fr):
            fail('no frame of %s' % n)
    # rebuild the paths from the geometry: a frame's caller is the frame
    # one level (16 px) below whose span holds it; frames come in preorder,
    # so the callers are drawn before their callees
    allw = fr[0][2]
    fr[0][5] = 0
    levels = {}
    levels.setdefault(round(fr[0][3]), []).append(fr[0])
    for f in fr[1:]:
        below = levels.get(round(f[3] + 16), [])
        parents = [p for p in below[-64:] if p[1] - 0.02 <= f[1] and
                   f[1] + f[2] <= p[1] + p[2] + 0.02]
        if len(parents) != 1:
            fail('frame %s at x=%.2f y=%.1f: %d callers' % (f[0], f[1], f[3], len(parents)))
        node = trie.ids.get((parents[0][5], f[0]))
        if node is None:
            fail('frame %s (under %s) is not in the folded stacks' % (f[0], parents[0][0]))
        f[5] = node
        levels.setdefault(round(f[3]), []).append(f)
        want = totals[node] / total * allw
        if abs(f[2] - want) > 0.011:
            fail('%s: width %.2f, the folded total %d of %d gives %.3f' %
                 (trie.path(node), f[2], totals[node], total, want))
        if abs(f[4] - 100.0 * totals[node] / total) > 0.006:
            fail('%s: %.2f%%, want %.3f' % (trie.path(node), f[4], 100.0 * totals[node] / total))
    print('svg: %d frames, widths = folded totals' % (len(fr) - 1))


def main():
    c = sys.argv[1]
    if c == 'chrome':
        cmd_chrome(*sys.argv[2:4])
    elif c == 'folded':
        cmd_folded(*sys.argv[2:5])
    elif c == 'svg':
        cmd_svg(*sys.argv[2:5])
    else:
        fail('usage')


main()
EOF

dcheck()
{
	python3 "$PY" "$@" || fail "dump check '$1' failed (see above)"
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

record()
{
	local trace=$1 out=$2

	shift 2
	ct record -o "$trace" "$@" > "$out" 2> "$trace.err" < /dev/null
	expect_status "calltrap record $*" "$CT_STATUS" 0
	checks_ok "$out"
}

# formats TRACE NAMES: chrome, folded and svg of TRACE checked against its events
formats()
{
	local tr=$1 names=$2

	dump_ok "$tr.jsonl" "$tr"
	dump_ok "$tr.chrome" --format=chrome "$tr"
	dcheck chrome "$tr.chrome" "$tr.jsonl"
	dump_ok "$tr.folded" --format=folded "$tr"
	ct report --ns -o "$tr.report" "$tr" 2> "$tr.report.err"
	expect_status "calltrap report" "$CT_STATUS" 0
	dcheck folded "$tr.folded" "$tr.jsonl" "$tr.report"
	dump_ok "$tr.svg" --format=svg -o "$tr.svg.o" "$tr"
	[ ! -s "$tr.svg" ] || fail "-o: output on stdout"
	dcheck svg "$tr.svg.o" "$tr.folded" "$names"
}

scenario_calls()
{
	local t tr=$D/calls.trace

	need_targets calls
	t=$(target calls)
	record "$tr" "$D/out" -e add -e mul3 -e sum6 -e recurse -- "$t"
	dump_ok "$D/ev.jsonl" --format=jsonl "$tr"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	# The formats on recurse's first 64 levels: its 6000 make a folded
	# file of 144 MB (each path names every level above it), which the
	# aarch64 guest spent minutes on, and teach nothing more.
	tr=$D/calls64.trace
	record "$tr" "$D/out64" --max-depth=64 -e add -e mul3 -e sum6 -e recurse -- "$t"
	formats "$tr" add,mul3,sum6,recurse
	# --per-thread folded: the same stacks under a thread frame
	dump_ok "$D/pt.folded" --format=folded --per-thread "$tr"
	sed 's/^\[tid [0-9]*\];//' "$D/pt.folded" | cmp -s - "$tr.folded" ||
		fail "--per-thread folded is not the folded stacks under [tid N]"

	# registers: the same checks as calltrap trace --regs
	record "$D/regs.trace" "$D/regs.out" --regs -e add -e mul3 -e sum6 -- "$t"
	dump_ok "$D/regs.jsonl" "$D/regs.trace"
	check regs --events "$D/regs.jsonl"
	check check --events "$D/regs.jsonl" --truth "$D/regs.out" --funcs add,mul3,sum6
	dump_ok "$D/noregs.jsonl" --no-regs "$D/regs.trace"
	! grep -q '"regs"' "$D/noregs.jsonl" || fail "--no-regs: registers in the output"
}

scenario_threads()
{
	local t tr=$D/threads.trace

	need_targets threads
	t=$(target threads)
	record "$tr" "$D/out" -e work -- "$t"
	dump_ok "$D/ev.jsonl" --format=jsonl "$tr"
	check check --events "$D/ev.jsonl" --truth "$D/out"
	formats "$tr" work
}

scenario_unwind()
{
	local t

	need_targets longjmp exceptions
	t=$(target longjmp)
	record "$D/lj.trace" "$D/lj.out" -e outer -e middle -e inner -e catcher -e 'jump_*' \
		-e after -- "$t"
	dump_ok "$D/lj.jsonl" "$D/lj.trace"
	check check --events "$D/lj.jsonl" --truth "$D/lj.out"
	formats "$D/lj.trace" outer,middle,inner,catcher,after

	t=$(target exceptions)
	record "$D/ex.trace" "$D/ex.out" -e level1 -e level2 -e thrower -e cleanup_hook -- "$t"
	dump_ok "$D/ex.jsonl" "$D/ex.trace"
	check check --events "$D/ex.jsonl" --truth "$D/ex.out"
	formats "$D/ex.trace" level1,level2,thrower,cleanup_hook
}

# The formats do not depend on how the targets were compiled (record's
# engine is tested at -O0 and -O2 elsewhere): -O2 only, which halves the
# time in the emulated aarch64 guest.  (lib.sh has set OPTS to "O0 O2"
# already: a default here would never apply.)
OPTS=O2
run_opts scenario_calls && run_opts scenario_threads && run_opts scenario_unwind
