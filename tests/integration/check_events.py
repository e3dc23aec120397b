#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check calltrap's output against the ground truth printed by a test target.

The targets in tests/targets print what calltrap must report, as lines of
"key=value" words (see tests/targets/calls.c):

  truth pid=P role=R                      a process of the run (informational)
  truth ev pid=P tid=T type=call func=F depth=D [args=A,B,...] [tail=0|1]
  truth ev pid=P tid=T type=return func=F depth=D [ret=R]
  truth ev pid=P tid=T type=unwind func=F depth=D
      the exact sequence of call/return/unwind events of the functions named
      in such lines, on thread T (numbers in decimal, compared modulo 2^64);
      tail=1: the call is marked "tail":true, tail=0: it is not
  truth count pid=P [tid=T] func=GLOB calls=N [returns=M] [segment=S]
      N call events (and M, default N, return events) of matching functions;
      with segment=S only those after exactly S exec events of P
  truth thread pid=P tid=T parent=M       thread_start (and thread_exit) of T
  truth fork pid=P child=C vfork=0|1      a fork event of P for child C
  truth exec pid=P count=N                N exec events of P
  truth signal pid=P signame=S count=N    N signal events of P for S
  truth exit pid=P status=N | signame=S   P's exit event
A value may be double-quoted (func="ns::Box<int>::get(int) const", a C++
name with spaces); the quotes are not part of it.
Other lines are ignored.  Events of a pid that no truth line names fail;
--only-pid P (a run without -f) ignores the truth of every other pid.  Every
check prints what failed; the exit status is 1 if anything failed, 2 for bad
usage or unreadable input.

Subcommands:
  check  --events F --truth F [--only-pid P] [--follow] [--funcs G,..]
         [--max-depth N] [--depth-offset N|auto] [--allow-open]
         event schema, per-thread call/return/unwind structure, all truth lines
  regs   --events F            --regs snapshots agree with addr/args/retval
  stats  --events F --stderr F the --stats line agrees with the events
  text   --stderr F            text format: nesting indentation and return lines
  attach --events F --pid P --func F   a window of calls seen while attached
  snapshot --pid P             maps and code hashes of a process (for diff)
Only the standard library is used.
"""

import argparse
import fnmatch
import hashlib
import json
import platform
import re
import sys

MASK = (1 << 64) - 1
HEX_RE = re.compile(r'^0x[0-9a-f]+$')
TYPES = ('call', 'return', 'unwind', 'thread_start', 'thread_exit', 'fork', 'exec',
         'signal', 'exit')
FRAME_TYPES = ('call', 'return', 'unwind')
MAX_REPORTS = 20


class Checker:
    """Collects failures; prints at most MAX_REPORTS of them."""

    def __init__(self):
        self.failures = 0

    def fail(self, msg):
        self.failures += 1
        if self.failures <= MAX_REPORTS:
            print('FAIL: ' + msg)
        elif self.failures == MAX_REPORTS + 1:
            print('FAIL: (more failures not shown)')

    def done(self, what):
        if self.failures:
            print('%s: %d failure(s)' % (what, self.failures))
            return 1
        print('%s: ok' % what)
        return 0


def die(msg):
    print('check_events: ' + msg, file=sys.stderr)
    sys.exit(2)


def hexval(v):
    """A jsonl number: "0x.." string (lowercase) or a JSON integer."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v & MASK
    if isinstance(v, str) and HEX_RE.match(v):
        return int(v, 16)
    return None


def arg_values(ev):
    """The argument values of a call event, in order, as integers (or None)."""
    args = ev.get('args')
    if isinstance(args, dict):
        args = list(args.values())
    if not isinstance(args, list):
        return None
    return [hexval(a) for a in args]


def load_events(path, ck):
    """Parse a jsonl file, checking the schema of every line."""
    events = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.read().split('\n')
    except OSError as e:
        die('cannot read %s: %s' % (path, e))
    if lines and lines[-1] == '':
        lines.pop()
    else:
        ck.fail('%s: last line is not terminated by a newline' % path)
    for n, line in enumerate(lines, 1):
        where = '%s:%d' % (path, n)
        try:
            ev = json.loads(line)
        except ValueError as e:
            ck.fail('%s: not JSON (%s): %.200s' % (where, e, line))
            continue
        if not isinstance(ev, dict):
            ck.fail('%s: not a JSON object' % where)
            continue
        if check_schema(ev, where, ck):
            ev['_line'] = n
            events.append(ev)
    return events


def need(ev, where, ck, key, kind):
    v = ev.get(key)
    ok = True
    if kind == 'int':
        ok = isinstance(v, int) and not isinstance(v, bool)
    elif kind == 'uint':
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= 0
    elif kind == 'hex':
        ok = isinstance(v, str) and bool(HEX_RE.match(v))
    elif kind == 'num':
        ok = hexval(v) is not None
    elif kind == 'str':
        ok = isinstance(v, str) and v != ''
    elif kind == 'bool':
        ok = isinstance(v, bool)
    if not ok:
        ck.fail('%s: %s event: bad or missing "%s" (%r), want %s' %
                (where, ev.get('type'), key, v, kind))
    return ok


def check_schema(ev, where, ck):
    """Fields every event has, then the fields of its type (DESIGN.md)."""
    ok = all([need(ev, where, ck, 'seq', 'uint'), need(ev, where, ck, 'ts_ns', 'uint'),
              need(ev, where, ck, 'pid', 'int'), need(ev, where, ck, 'tid', 'int')])
    t = ev.get('type')
    if t not in TYPES:
        ck.fail('%s: unknown type %r' % (where, t))
        return False
    if t in FRAME_TYPES:
        ok &= need(ev, where, ck, 'func', 'str')
        ok &= need(ev, where, ck, 'module', 'str')
        ok &= need(ev, where, ck, 'addr', 'hex')
        ok &= need(ev, where, ck, 'depth', 'int') and ev['depth'] >= 1
    if t == 'call':
        vals = arg_values(ev)
        if vals is None or (isinstance(ev.get('args'), list) and
                            (len(vals) not in (6, 8) or None in vals)):
            ck.fail('%s: call args must be 6 (x86_64) or 8 (aarch64) hex strings: %r' %
                    (where, ev.get('args')))
            ok = False
        if 'tail' in ev and ev['tail'] is not True:
            ck.fail('%s: call event: "tail" is true or absent (%r)' % (where, ev['tail']))
            ok = False
    elif t == 'return':
        # raw: a hex string; DWARF-typed: a number, a boolean or a string
        # of the C rendering, absent for a void function
        if 'retval' in ev and not (isinstance(ev['retval'], (str, int, float)) and
                                   ev['retval'] != ''):
            ck.fail('%s: return event: bad "retval" (%r)' % (where, ev['retval']))
            ok = False
        ok &= need(ev, where, ck, 'duration_ns', 'uint')
    elif t == 'unwind':
        ok &= need(ev, where, ck, 'duration_ns', 'uint')
    elif t == 'thread_start':
        ok &= need(ev, where, ck, 'parent', 'int')
    elif t == 'thread_exit':
        ok &= need(ev, where, ck, 'status', 'int')
    elif t == 'fork':
        ok &= need(ev, where, ck, 'child', 'int')
        ok &= need(ev, where, ck, 'vfork', 'bool')
        ok &= need(ev, where, ck, 'followed', 'bool')
    elif t == 'exec':
        ok &= need(ev, where, ck, 'path', 'str')
    elif t == 'signal':
        ok &= need(ev, where, ck, 'signo', 'int')
        ok &= need(ev, where, ck, 'signame', 'str')
    elif t == 'exit':
        if 'signo' in ev:
            ok &= need(ev, where, ck, 'signo', 'int')
            ok &= need(ev, where, ck, 'signame', 'str')
            ok &= need(ev, where, ck, 'core', 'bool')
        else:
            ok &= need(ev, where, ck, 'status', 'int')
    return ok


def describe(ev):
    s = 'line %d: %s pid=%s tid=%s' % (ev.get('_line', 0), ev.get('type'), ev.get('pid'),
                                        ev.get('tid'))
    if ev.get('type') in FRAME_TYPES:
        s += ' %s depth=%s' % (ev.get('func'), ev.get('depth'))
        if ev['type'] == 'call':
            s += ' args=%s' % ','.join(hex(v) if v is not None else '?'
                                       for v in (arg_values(ev) or []))
        if ev['type'] == 'return':
            s += ' retval=%s' % ev.get('retval')
    return s


def check_structure(events, ck, allow_open):
    """seq order, per-thread time order, and a per-thread frame stack.

    Every call pushes a frame at depth = stack size + 1; every return or
    unwind must match the innermost open frame (same function, address and
    depth).  After an exec the old image's frames may still be unwound.
    Open frames at the end are failures unless allow_open (attach: frames
    entered before we attached, or still running when we detached).
    """
    last_seq = None
    last_ts = {}
    stacks = {}
    dead = {}
    for ev in events:
        if last_seq is not None and ev['seq'] <= last_seq:
            ck.fail('%s: seq %d not above previous %d' % (describe(ev), ev['seq'], last_seq))
        last_seq = ev['seq']
        tid = ev['tid']
        if tid in last_ts and ev['ts_ns'] < last_ts[tid]:
            ck.fail('%s: ts_ns goes backwards on its thread' % describe(ev))
        last_ts[tid] = ev['ts_ns']
        t = ev['type']
        if t == 'exec':
            # The old image's frames are gone; the new image starts at depth 1.
            for key in [k for k in stacks if k[0] == ev['pid']]:
                dead.setdefault(key, []).extend(stacks.pop(key))
            continue
        if t not in FRAME_TYPES:
            continue
        key = (ev['pid'], tid)
        stack = stacks.setdefault(key, [])
        if t == 'call':
            if ev['depth'] != len(stack) + 1:
                ck.fail('%s: depth %d, but %d traced frame(s) are open on the thread' %
                        (describe(ev), ev['depth'], len(stack)))
            stack.append(ev)
            continue
        if not stack and t == 'unwind' and dead.get(key):
            stack = dead[key]
        if not stack:
            ck.fail('%s: %s with no open frame on the thread' % (describe(ev), t))
            continue
        top = stack[-1]
        if (top['func'], top['addr'], top['depth']) != (ev['func'], ev['addr'], ev['depth']):
            ck.fail('%s: does not match the innermost open frame (%s)' %
                    (describe(ev), describe(top)))
            continue
        stack.pop()
    if not allow_open:
        for key, stack in sorted(stacks.items()):
            for fr in stack:
                ck.fail('%s: never returned nor unwound' % describe(fr))


# A word of a truth line: runs of non-blanks and "quoted strings" (which may
# hold blanks), so key="a b" is one word.
TRUTH_WORD_RE = re.compile(r'(?:[^\s"]+|"[^"]*")+')


def truth_words(line):
    """The words of a truth line, each key="value" unquoted to key=value."""
    if '"' not in line:
        return line.split()
    words = []
    for w in TRUTH_WORD_RE.findall(line):
        k, eq, v = w.partition('=')
        if eq and len(v) >= 2 and v[0] == '"' and v[-1] == '"':
            w = k + '=' + v[1:-1]
        words.append(w)
    return words


def parse_truth(path):
    truth = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                words = truth_words(line)
                if len(words) < 2 or words[0] != 'truth':
                    continue
                kind, rest = words[1], words[2:]
                if '=' in kind:
                    # "truth pid=P role=R"
                    kind, rest = 'pid', words[1:]
                kv = {'_kind': kind, '_line': n}
                for w in rest:
                    if '=' in w:
                        k, v = w.split('=', 1)
                        kv[k] = v
                if kind not in ('ev', 'count', 'thread', 'fork', 'exec', 'signal',
                                    'exit', 'pid'):
                    die('%s:%d: unknown truth line: %s' % (path, n, line.strip()))
                truth.append(kv)
    except OSError as e:
        die('cannot read %s: %s' % (path, e))
    return truth


def num(s):
    return int(s, 0) & MASK


def truth_ev_matches(tr, ev, offset):
    """None if the event is what the truth line says, else why not."""
    if ev['type'] != tr['type'] or ev['func'] != tr['func']:
        return 'type/function differ'
    if ev['depth'] != int(tr['depth']) + offset:
        return 'depth %d, want %d' % (ev['depth'], int(tr['depth']) + offset)
    if tr['type'] == 'call' and tr.get('args'):
        want = [num(a) for a in tr['args'].split(',')]
        got = arg_values(ev) or []
        if got[:len(want)] != want:
            return 'args %s, want %s' % (','.join(hex(v) if v is not None else '?'
                                                  for v in got[:len(want)]),
                                         ','.join(hex(v) for v in want))
    if tr['type'] == 'call' and 'tail' in tr:
        if bool(ev.get('tail')) != (tr['tail'] == '1'):
            return 'tail %s, want %s' % (bool(ev.get('tail')), tr['tail'] == '1')
    if tr['type'] == 'return' and 'ret' in tr:
        if hexval(ev.get('retval')) != num(tr['ret']):
            return 'retval %s, want %s' % (ev.get('retval'), hex(num(tr['ret'])))
    return None


def check_sequences(events, evtruth, ck, offset_arg):
    """Per thread, the events of the functions in the truth are exactly it."""
    groups = {}
    for tr in evtruth:
        groups.setdefault((int(tr['pid']), int(tr['tid'])), []).append(tr)
    for (pid, tid), trs in sorted(groups.items()):
        funcs = {tr['func'] for tr in trs}
        got = [ev for ev in events if ev['pid'] == pid and ev['tid'] == tid and
               ev['type'] in FRAME_TYPES and ev['func'] in funcs]
        offset = 0
        if offset_arg == 'auto':
            if got:
                offset = got[0]['depth'] - int(trs[0]['depth'])
        else:
            offset = int(offset_arg)
        bad = 0
        for i, tr in enumerate(trs):
            if i >= len(got):
                ck.fail('tid %d: only %d of %d events of %s; the first missing is truth line '
                        '%d (%s %s depth=%s)' % (tid, len(got), len(trs), ','.join(sorted(funcs)),
                                                 tr['_line'], tr['type'], tr['func'], tr['depth']))
                bad += 1
                break
            why = truth_ev_matches(tr, got[i], offset)
            if why:
                ck.fail('tid %d event #%d: %s: %s; want truth line %d: %s %s depth=%s%s' %
                        (tid, i + 1, describe(got[i]), why, tr['_line'], tr['type'], tr['func'],
                         tr['depth'], (' args=' + tr['args']) if tr.get('args') else
                         (' ret=' + tr['ret']) if tr.get('ret') else ''))
                bad += 1
                if bad >= 5:
                    break
        if len(got) > len(trs):
            ck.fail('tid %d: %d events of %s, want %d; the first extra: %s' %
                    (tid, len(got), ','.join(sorted(funcs)), len(trs), describe(got[len(trs)])))


def segments(events):
    """By id(event), how many exec events of its pid came before it."""
    seen = {}
    out = {}
    for ev in events:
        out[id(ev)] = seen.get(ev['pid'], 0)
        if ev['type'] == 'exec':
            seen[ev['pid']] = seen.get(ev['pid'], 0) + 1
    return out


def cmd_check(a):
    ck = Checker()
    events = load_events(a.events, ck)
    truth = parse_truth(a.truth)
    funcs = a.funcs.split(',') if a.funcs else None
    only = int(a.only_pid) if a.only_pid else None

    def wanted(tr):
        if only is not None and int(tr['pid']) != only:
            return False
        if funcs and 'func' in tr and not any(fnmatch.fnmatchcase(tr['func'], g)
                                              for g in funcs):
            return False
        if a.max_depth is not None and 'depth' in tr and int(tr['depth']) > a.max_depth:
            return False
        return True

    truth = [tr for tr in truth if wanted(tr)]
    if not any(tr['_kind'] == 'pid' for tr in truth):
        ck.fail('%s: no "truth pid=" line: did the target run?' % a.truth)

    # Events may only come from processes the truth knows about.
    known = {int(tr['pid']) for tr in truth}
    for ev in events:
        if ev['pid'] not in known:
            ck.fail('%s: event of pid %d, want only pid(s) %s' %
                    (describe(ev), ev['pid'], ','.join(map(str, sorted(known)))))
            break
    if a.max_depth is not None:
        for ev in events:
            if ev['type'] in FRAME_TYPES and ev['depth'] > a.max_depth:
                ck.fail('%s: depth above --max-depth=%d' % (describe(ev), a.max_depth))
                break

    check_structure(events, ck, a.allow_open)
    check_sequences(events, [tr for tr in truth if tr['_kind'] == 'ev'], ck, a.depth_offset)

    segs = segments(events)
    by_pid = {}
    for ev in events:
        by_pid.setdefault(ev['pid'], []).append(ev)
    for tr in truth:
        kind = tr['_kind']
        if kind in ('ev', 'pid'):
            continue
        pid = int(tr['pid'])
        mine = by_pid.get(pid, [])
        where = 'truth line %d (%s)' % (tr['_line'], kind)
        if kind == 'count':
            calls = rets = 0
            for ev in mine:
                if (ev['type'] not in ('call', 'return') or
                        not fnmatch.fnmatchcase(ev['func'], tr['func']) or
                        ('tid' in tr and ev['tid'] != int(tr['tid'])) or
                        ('segment' in tr and segs[id(ev)] != int(tr['segment']))):
                    continue
                if ev['type'] == 'call':
                    calls += 1
                else:
                    rets += 1
            want_rets = int(tr.get('returns', tr['calls']))
            desc = 'pid %d%s func %s%s' % (pid, (' tid ' + tr['tid']) if 'tid' in tr else '',
                                           tr['func'], (' segment ' + tr['segment'])
                                           if 'segment' in tr else '')
            if calls != int(tr['calls']):
                ck.fail('%s: %s: %d call events, want %s' % (where, desc, calls, tr['calls']))
            if rets != want_rets:
                ck.fail('%s: %s: %d return events, want %d' % (where, desc, rets, want_rets))
        elif kind == 'thread':
            tid = int(tr['tid'])
            starts = [ev for ev in mine if ev['type'] == 'thread_start' and ev['tid'] == tid]
            if len(starts) != 1:
                ck.fail('%s: %d thread_start events for tid %d, want 1' % (where, len(starts), tid))
            elif 'parent' in tr and starts[0]['parent'] != int(tr['parent']):
                ck.fail('%s: thread_start of %d has parent %d, want %s' %
                        (where, tid, starts[0]['parent'], tr['parent']))
            exits = [ev for ev in mine if ev['type'] == 'thread_exit' and ev['tid'] == tid]
            if len(exits) != 1:
                ck.fail('%s: %d thread_exit events for tid %d, want 1' % (where, len(exits), tid))
            first = [ev for ev in mine if ev['tid'] == tid]
            if starts and first and first[0] is not starts[0]:
                ck.fail('%s: %s comes before the thread_start' % (where, describe(first[0])))
        elif kind == 'fork':
            child = int(tr['child'])
            forks = [ev for ev in mine if ev['type'] == 'fork' and ev['child'] == child]
            if len(forks) != 1:
                ck.fail('%s: %d fork events of pid %d for child %d, want 1' %
                        (where, len(forks), pid, child))
                continue
            if forks[0]['vfork'] != (tr['vfork'] == '1'):
                ck.fail('%s: fork event for %d has vfork=%s' % (where, child, forks[0]['vfork']))
            if forks[0]['followed'] != a.follow:
                ck.fail('%s: fork event for %d has followed=%s, want %s' %
                        (where, child, forks[0]['followed'], a.follow))
        elif kind == 'exec':
            n = sum(1 for ev in mine if ev['type'] == 'exec')
            if n != int(tr['count']):
                ck.fail('%s: %d exec events of pid %d, want %s' % (where, n, pid, tr['count']))
        elif kind == 'signal':
            n = sum(1 for ev in mine if ev['type'] == 'signal' and
                    ev['signame'] == tr['signame'])
            if n != int(tr['count']):
                ck.fail('%s: %d signal events %s of pid %d, want %s' %
                        (where, n, tr['signame'], pid, tr['count']))
        elif kind == 'exit':
            exits = [ev for ev in mine if ev['type'] == 'exit']
            if len(exits) != 1:
                ck.fail('%s: %d exit events of pid %d, want 1' % (where, len(exits), pid))
                continue
            ex = exits[0]
            if 'status' in tr and (ex.get('status') != int(tr['status']) or 'signo' in ex):
                ck.fail('%s: %s, want exit status %s' % (where, json.dumps(
                    {k: ex.get(k) for k in ('status', 'signo', 'signame')}), tr['status']))
            if 'signame' in tr and ex.get('signame') != tr['signame']:
                ck.fail('%s: exit signame %s, want %s' % (where, ex.get('signame'),
                                                          tr['signame']))
            later = [ev for ev in mine if ev['seq'] > ex['seq']]
            if later:
                ck.fail('%s: %s after the exit event of its process' % (where, describe(later[0])))
    return ck.done('check %s' % a.events)


REGS = {
    'x86_64': {'pc': 'rip', 'sp': 'rsp', 'arg0': 'rdi', 'ret': 'rax',
               'all': ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9',
                       'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip']},
    'aarch64': {'pc': 'pc', 'sp': 'sp', 'arg0': 'x0', 'ret': 'x0',
                'all': ['x%d' % i for i in range(31)] + ['sp', 'pc']},
}


def cmd_regs(a):
    ck = Checker()
    events = load_events(a.events, ck)
    check_regs(events, a.arch or platform.machine(), a.events, ck)
    return ck.done('regs %s' % a.events)


def reg_holds(reg, val, typed):
    """Whether register text reg holds val: exactly for a raw value; for a
    DWARF-typed one (an int of 32 bits or less may leave the upper half of
    the register undefined) its low 32 bits are enough."""
    r = int(reg, 16)
    if val is None:
        return False
    return r == val or (typed and (r & 0xffffffff) == (val & 0xffffffff))


def check_regs(events, arch_name, path, ck):
    """Every call and return has arch_name's registers, none of another
    architecture's, and they agree with the event."""
    arch = REGS.get(arch_name)
    if not arch:
        die('unknown architecture %s' % arch_name)
    foreign = set()
    for name, other in REGS.items():
        if name != arch_name:
            foreign |= set(other['all']) - set(arch['all'])
    n = 0
    for ev in events:
        if ev['type'] not in ('call', 'return'):
            continue
        n += 1
        regs = ev.get('regs')
        if not isinstance(regs, dict):
            ck.fail('%s: no "regs" object' % describe(ev))
            continue
        missing = [r for r in arch['all'] if not (isinstance(regs.get(r), str) and
                                                  HEX_RE.match(regs[r]))]
        if missing:
            ck.fail('%s: regs lack (or have non-hex) %s' % (describe(ev), ','.join(missing)))
            continue
        alien = sorted(foreign & set(regs))
        if alien:
            ck.fail('%s: regs of another architecture: %s' % (describe(ev), ','.join(alien)))
            continue
        if ev['type'] == 'call':
            if int(regs[arch['pc']], 16) != int(ev['addr'], 16):
                ck.fail('%s: regs.%s %s != addr %s' % (describe(ev), arch['pc'], regs[arch['pc']],
                                                      ev['addr']))
            vals = arg_values(ev) or [None]
            if not reg_holds(regs[arch['arg0']], vals[0], isinstance(ev.get('args'), dict)):
                ck.fail('%s: regs.%s %s != args[0]' % (describe(ev), arch['arg0'],
                                                      regs[arch['arg0']]))
        elif 'retval' in ev:
            typed = not isinstance(ev['retval'], str)
            if not reg_holds(regs[arch['ret']], hexval(ev['retval']), typed):
                ck.fail('%s: regs.%s %s != retval %s' % (describe(ev), arch['ret'],
                                                        regs[arch['ret']], ev['retval']))
    if n == 0:
        ck.fail('%s: no call or return events' % path)


def canonical_events(events, argc):
    """Call, return and unwind events without what differs between runs and
    machines (pid, tid, times, addresses, registers): type, function, depth,
    the first argc[func] arguments of a call, the value of a return."""
    out = []
    for ev in events:
        t = ev['type']
        if t == 'call':
            out.append((t, ev['func'], ev['depth'],
                        tuple((arg_values(ev) or [])[:argc.get(ev['func'], 0)])))
        elif t == 'return':
            out.append((t, ev['func'], ev['depth'], hexval(ev.get('retval'))))
        elif t == 'unwind':
            out.append((t, ev['func'], ev['depth'], None))
    return out


def canonical_truth(truth):
    out = []
    for tr in truth:
        if tr['_kind'] != 'ev' or tr['type'] not in ('call', 'return', 'unwind'):
            continue
        if tr['type'] == 'call':
            extra = tuple(num(x) for x in tr['args'].split(',')) if tr.get('args') else ()
        elif tr['type'] == 'return':
            extra = num(tr['ret']) if 'ret' in tr else None
        else:
            extra = None
        out.append((tr['type'], tr['func'], int(tr['depth']), extra))
    return out


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return 'event %d: %s vs %s' % (i, x, y)
    return 'lengths %d vs %d' % (len(a), len(b))


def cmd_portable(a):
    """The same program traced on two architectures: each trace has its own
    architecture's register names and matches its run's truth, and the two
    traces hold the same events."""
    ck = Checker()
    seqs = []
    for spec in a.trace:
        parts = spec.split(':', 2)
        if len(parts) != 3:
            die('--trace wants ARCH:EVENTS:TRUTH, not %s' % spec)
        arch, evpath, trpath = parts
        events = load_events(evpath, ck)
        check_regs(events, arch, evpath, ck)
        want = canonical_truth(parse_truth(trpath))
        if a.funcs:
            keep = a.funcs.split(',')
            want = [tr for tr in want if any(fnmatch.fnmatchcase(tr[1], g) for g in keep)]
        argc = {}
        for tr in want:
            if tr[0] == 'call':
                argc.setdefault(tr[1], len(tr[3]))
        got = canonical_events(events, argc)
        if not want:
            ck.fail('%s: no truth events' % trpath)
        elif got != want:
            ck.fail('%s (%s): events differ from its truth: %s' % (evpath, arch,
                                                                   first_difference(got, want)))
        seqs.append((arch, evpath, got))
    for arch, evpath, got in seqs[1:]:
        if got != seqs[0][2]:
            ck.fail('%s (%s) and %s (%s) differ: %s' % (seqs[0][1], seqs[0][0], evpath, arch,
                                                       first_difference(seqs[0][2], got)))
    return ck.done('portable: %d traces of %d events each' % (len(seqs),
                                                               len(seqs[0][2]) if seqs else 0))


STATS_RE = re.compile(r'^calltrap: stats: (.*)$')
FAST_RE = re.compile(r'^calltrap: fast path: (functions=.*)$')
STATS_KEYS = ('call', 'return', 'unwind', 'stops_entry', 'stops_return', 'stops_step',
              'stops_spurious', 'stops_internal', 'stops_other')


def cmd_stats(a):
    ck = Checker()
    events = load_events(a.events, ck)
    try:
        with open(a.stderr, encoding='utf-8', errors='replace') as f:
            text = f.read()
        lines = [m.group(1) for m in map(STATS_RE.match, text.splitlines()) if m]
    except OSError as e:
        die('cannot read %s: %s' % (a.stderr, e))
    if len(lines) != 1:
        ck.fail('%s: %d "calltrap: stats:" lines, want 1' % (a.stderr, len(lines)))
        return ck.done('stats')
    stats = {}
    for w in lines[0].split():
        k, _, v = w.partition('=')
        if not v.isdigit():
            ck.fail('stats: bad word %r' % w)
            continue
        stats[k] = int(v)
    missing = [k for k in STATS_KEYS if k not in stats]
    if missing:
        ck.fail('stats: missing %s' % ','.join(missing))
        return ck.done('stats')
    count = {t: sum(1 for ev in events if ev['type'] == t) for t in FRAME_TYPES}
    for t in FRAME_TYPES:
        if stats[t] != count[t]:
            ck.fail('stats: %s=%d but the output has %d %s events' % (t, stats[t], count[t], t))
    if count['call'] == 0:
        ck.fail('stats: no call events at all')
    # One ptrace stop per event (DESIGN.md "The breakpoint engine"), or one
    # ring record (the fast path: its own line of counters)
    for k in ('ring_calls', 'ring_returns'):
        stats[k] = 0
    for m in map(FAST_RE.match, text.splitlines()):
        for w in (m.group(1).split() if m else []):
            k, _, v = w.partition('=')
            if k in ('ring_calls', 'ring_returns') and v.isdigit():
                stats[k] = int(v)
    if stats['stops_entry'] + stats['ring_calls'] != stats['call']:
        ck.fail('stats: stops_entry=%d + ring_calls=%d != call=%d' %
                (stats['stops_entry'], stats['ring_calls'], stats['call']))
    if stats['stops_return'] + stats['ring_returns'] != stats['return']:
        ck.fail('stats: stops_return=%d + ring_returns=%d != return=%d' %
                (stats['stops_return'], stats['ring_returns'], stats['return']))
    if stats['stops_step'] != 0:
        ck.fail('stats: stops_step=%d, want 0 (no single-stepping)' % stats['stops_step'])
    return ck.done('stats')


def indent_before(line, name):
    """Spaces right before the first "name(" or "} name" in a text line."""
    m = re.search(r'(\s*)\b%s\(' % re.escape(name), line)
    if not m:
        return None
    return len(m.group(1).expandtabs(8))


def cmd_text(a):
    """calls target with -e add -e mul3: mul3(2, 3, 4) calls add(6, 4) = 10."""
    ck = Checker()
    try:
        with open(a.stderr, encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
    except OSError as e:
        die('cannot read %s: %s' % (a.stderr, e))

    def ret_re(func, val):
        # "} add = 0x7"; a DWARF-typed value may be printed in decimal
        return re.compile(r'(\s*)\}\s*%s\s*=\s*(%s|%d)\b' % (func, hex(val), val))

    def find(pattern, start=0):
        return next((i for i in range(start, len(lines)) if pattern.search(lines[i])), None)

    if find(ret_re('add', 7)) is None:
        ck.fail('no "} add = 0x7" return line for add(3, 4) in %d lines' % len(lines))
    call_mul3 = find(re.compile(r'^[^}]*\bmul3\('))
    if call_mul3 is None:
        ck.fail('no call line "mul3(" in %d lines' % len(lines))
        return ck.done('text')
    call_add = find(re.compile(r'^[^}]*\badd\('), call_mul3 + 1)
    ret_add = find(ret_re('add', 10), call_mul3 + 1)
    ret_mul3 = find(ret_re('mul3', 40), call_mul3 + 1)
    if call_add is None or ret_add is None or ret_mul3 is None:
        ck.fail('after line %d: no nested "add(" call, "} add = 0xa" or "} mul3 = 0x28"'
                % (call_mul3 + 1))
        return ck.done('text')
    if not call_mul3 < call_add < ret_add < ret_mul3:
        ck.fail('lines out of order: mul3( %d, add( %d, } add %d, } mul3 %d' %
                (call_mul3 + 1, call_add + 1, ret_add + 1, ret_mul3 + 1))
    outer = indent_before(lines[call_mul3], 'mul3')
    inner = indent_before(lines[call_add], 'add')
    if outer is None or inner is None or not inner > outer:
        ck.fail('nested add( (line %d, indent %s) is not indented more than mul3( '
                '(line %d, indent %s)' % (call_add + 1, inner, call_mul3 + 1, outer))
    r_in = len(ret_re('add', 10).search(lines[ret_add]).group(1).expandtabs(8))
    r_out = len(ret_re('mul3', 40).search(lines[ret_mul3]).group(1).expandtabs(8))
    if not r_in > r_out:
        ck.fail('"} add" (line %d, indent %d) is not indented more than "} mul3" (line %d, '
                'indent %d)' % (ret_add + 1, r_in, ret_mul3 + 1, r_out))
    if not ck.failures:
        print('text: mul3( indent %d, nested add( indent %d' % (outer, inner))
    return ck.done('text')


def cmd_attach(a):
    """Calls of FUNC(i) seen while attached: i consecutive, returns 2i+1."""
    ck = Checker()
    events = load_events(a.events, ck)
    pid = int(a.pid)
    check_structure(events, ck, True)
    for ev in events:
        if ev['pid'] != pid:
            ck.fail('%s: not the attached pid %d' % (describe(ev), pid))
            break
    calls = [ev for ev in events if ev['type'] == 'call' and ev['func'] == a.func]
    rets = [ev for ev in events if ev['type'] == 'return' and ev['func'] == a.func]
    if not calls:
        ck.fail('no call events of %s' % a.func)
        return ck.done('attach')
    if len({ev['tid'] for ev in calls}) != 1:
        ck.fail('%s called on several threads' % a.func)
    prev = None
    for ev in calls:
        x = (arg_values(ev) or [None])[0]
        if ev['depth'] != 1:
            ck.fail('%s: depth %d, want 1' % (describe(ev), ev['depth']))
            break
        if prev is not None and x != prev + 1:
            ck.fail('%s: argument %s follows %s: calls were lost' % (describe(ev), x, prev))
            break
        prev = x
    pairs = 0
    open_call = None
    for ev in events:
        if ev.get('func') != a.func:
            continue
        if ev['type'] == 'call':
            open_call = ev
        elif ev['type'] == 'return' and open_call is not None:
            x = (arg_values(open_call) or [None])[0]
            if hexval(ev['retval']) != (2 * x + 1) & MASK:
                ck.fail('%s: retval for %s(%d), want %d' % (describe(ev), a.func, x, 2 * x + 1))
                break
            pairs += 1
            open_call = None
    if abs(len(calls) - len(rets)) > 1 or pairs < len(calls) - 1:
        ck.fail('%d calls but %d returns (%d paired)' % (len(calls), len(rets), pairs))
    if not ck.failures:
        print('attach: %d calls of %s, arguments %d..%d' % (len(calls), a.func,
                                                          arg_values(calls[0])[0], prev))
    return ck.done('attach')


def cmd_snapshot(a):
    """The maps of a process, with a hash of each executable mapping's bytes."""
    try:
        with open('/proc/%s/maps' % a.pid) as f:
            maps = f.read().splitlines()
    except OSError as e:
        die('cannot read the maps of %s: %s' % (a.pid, e))
    try:
        mem = open('/proc/%s/mem' % a.pid, 'rb', buffering=0)
    except OSError as e:
        die('cannot open the memory of %s: %s' % (a.pid, e))
    with mem:
        for line in maps:
            fields = line.split()
            digest = ''
            if len(fields) > 1 and 'x' in fields[1]:
                lo, hi = (int(x, 16) for x in fields[0].split('-'))
                try:
                    mem.seek(lo)
                    digest = hashlib.sha256(mem.read(hi - lo)).hexdigest()[:16]
                except (OSError, ValueError, OverflowError):
                    digest = 'unreadable'
            print(line, digest)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('check')
    c.add_argument('--events', required=True)
    c.add_argument('--truth', required=True)
    c.add_argument('--only-pid')
    c.add_argument('--follow', action='store_true', help='fork events must say followed')
    c.add_argument('--funcs', help='check only truth lines of these globs (comma-separated)')
    c.add_argument('--max-depth', type=int)
    c.add_argument('--depth-offset', default='0', help='N or auto: event depth - truth depth')
    c.add_argument('--allow-open', action='store_true')
    r = sub.add_parser('regs')
    r.add_argument('--events', required=True)
    r.add_argument('--arch')
    pt = sub.add_parser('portable', help=cmd_portable.__doc__.split('\n')[0])
    pt.add_argument('--trace', action='append', required=True, metavar='ARCH:EVENTS:TRUTH')
    pt.add_argument('--funcs', help='compare only truth lines of these globs (comma-separated)')
    s = sub.add_parser('stats')
    s.add_argument('--events', required=True)
    s.add_argument('--stderr', required=True)
    t = sub.add_parser('text')
    t.add_argument('--stderr', required=True)
    at = sub.add_parser('attach')
    at.add_argument('--events', required=True)
    at.add_argument('--pid', required=True)
    at.add_argument('--func', required=True)
    sn = sub.add_parser('snapshot')
    sn.add_argument('--pid', required=True)
    a = p.parse_args()
    return {'check': cmd_check, 'regs': cmd_regs, 'stats': cmd_stats, 'text': cmd_text,
            'attach': cmd_attach, 'snapshot': cmd_snapshot, 'portable': cmd_portable}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
