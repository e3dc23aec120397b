#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check calltrap's typed arguments and return values against tests/targets/args.c.

The target prints, for each call of an args_* function, in call order:

  truth call FUNC<TAB>NAME=VALUE<TAB>...   the parameters (an empty NAME: unnamed)
  truth ret FUNC VALUE                     the return value rendered as C source
  truth ret FUNC                           a void function's return

Subcommands (every one prints what failed; exit status 1 if anything did,
2 for bad usage or unreadable input):

  typed --events F --truth F   jsonl: each call's "args" is an object with the
        parameters in order (unnamed: "argN"), each return's "retval" the value
        (absent when void); a value that is a JSON number literal is written
        bare, true/false as JSON booleans, anything else as a JSON string
  text  --events F --truth F   text: "FUNC(a=1, 2, s="x") {" and "} FUNC = V ..."
                               ("} FUNC ..." when void)
  raw   --events F --truth F   --raw-args: "args" a list of hex strings, one per
        integer argument register, "retval" a hex string, even with DWARF; the
        64-bit integer parameters and returns hold their values
Only modules that tests/integration/check_events.py imports are used (the
aarch64 guest carries just those).
"""

import argparse
import json
import platform
import re
import sys

from check_events import Checker  # same directory

MASK = (1 << 64) - 1
NUM_RE = re.compile(r'-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?')
HEX_RE = re.compile(r'0x[0-9a-f]+')
FRAME_TYPES = ('call', 'return', 'unwind')
# integer argument registers
NREGS = {'x86_64': 6, 'aarch64': 8}
# functions whose parameters are all 64-bit integers (no undefined upper bits)
# and those returning one: their raw registers must hold the values
RAW_ARG_FUNCS = ('args_llong', 'args_long10')
RAW_RET_FUNCS = ('args_llong', 'args_long10', 'args_nest')


class Num(str):
    """A JSON number as written: its literal text."""


def die(msg):
    print('check_args: ' + msg, file=sys.stderr)
    sys.exit(2)


def read_lines(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read().splitlines()
    except OSError as e:
        die('cannot read %s: %s' % (path, e.strerror))


def read_truth(path):
    """[(kind, func, [(name, value)...] | value | None)] in order."""
    truth = []
    for line in read_lines(path):
        if line.startswith('truth call '):
            fields = line[len('truth call '):].split('\t')
            params = []
            for f in fields[1:]:
                if '=' not in f:
                    die('%s: bad parameter field %r in %r' % (path, f, line))
                params.append(tuple(f.split('=', 1)))
            truth.append(('call', fields[0], params))
        elif line.startswith('truth ret '):
            parts = line[len('truth ret '):].split(' ', 1)
            truth.append(('return', parts[0], parts[1] if len(parts) > 1 else None))
    if not truth:
        die('%s: no truth call/ret lines (did the target run?)' % path)
    return truth


def bad_constant(name):
    raise ValueError('%s is not JSON' % name)


def read_events(path, ck):
    """The call/return/unwind events of the jsonl file, in order."""
    events = []
    for n, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line, parse_int=Num, parse_float=Num, parse_constant=bad_constant)
        except ValueError as e:
            ck.fail('%s:%d: not a JSON object (%s): %s' % (path, n, e, line[:200]))
            continue
        if not isinstance(ev, dict):
            ck.fail('%s:%d: not a JSON object: %s' % (path, n, line[:200]))
            continue
        if ev.get('type') in FRAME_TYPES:
            ev['_line'] = n
            events.append(ev)
    return events


def dump(v):
    """V as JSON, numbers as written."""
    if isinstance(v, Num):
        return str(v)
    if isinstance(v, dict):
        return '{' + ', '.join('%s: %s' % (json.dumps(k), dump(x)) for k, x in v.items()) + '}'
    if isinstance(v, list):
        return '[' + ', '.join(dump(x) for x in v) + ']'
    return json.dumps(v)


def show(v):
    """A JSON value as written, with its kind."""
    if isinstance(v, Num):
        return '%s (number)' % v
    if isinstance(v, bool):
        return '%s (boolean)' % ('true' if v else 'false')
    if isinstance(v, str):
        return '%s (string)' % json.dumps(v)
    if v is None:
        return 'null'
    return '%s (%s)' % (dump(v), 'object' if isinstance(v, dict) else 'array')


def want_json(text):
    """How the rendering TEXT must appear in jsonl, for messages."""
    if NUM_RE.fullmatch(text):
        return '%s (number)' % text
    if text in ('true', 'false'):
        return '%s (boolean)' % text
    return '%s (string)' % json.dumps(text)


def json_matches(text, v):
    if NUM_RE.fullmatch(text):
        return isinstance(v, Num) and str(v) == text
    if text in ('true', 'false'):
        return isinstance(v, bool) and v == (text == 'true')
    return isinstance(v, str) and not isinstance(v, Num) and v == text


def where(ev, i):
    return 'event %d (line %d, seq %s) %s %s' % (i + 1, ev['_line'], ev.get('seq'),
                                                 ev.get('type'), ev.get('func'))


def match_sequence(ck, events, truth):
    """Pairs of (event, truth entry); fails and stops at the first misalignment."""
    pairs = []
    for i, t in enumerate(truth):
        if i >= len(events):
            ck.fail('%d events, the truth has %d: missing from %s %s on' %
                    (len(events), len(truth), t[0], t[1]))
            return pairs
        ev = events[i]
        if ev.get('type') != t[0] or ev.get('func') != t[1]:
            ck.fail('%s: want %s %s (events out of step from here on)' % (where(ev, i), t[0], t[1]))
            return pairs
        pairs.append((i, ev, t))
    for i in range(len(truth), len(events)):
        ck.fail('%s: not in the truth' % where(events[i], i))
    return pairs


def cmd_typed(a):
    ck = Checker()
    truth = read_truth(a.truth)
    events = read_events(a.events, ck)
    for i, ev, (kind, func, want) in match_sequence(ck, events, truth):
        w = where(ev, i)
        if not (isinstance(ev.get('depth'), Num) and ev['depth'] == '1'):
            ck.fail('%s: depth %s, want 1' % (w, show(ev.get('depth'))))
        if kind == 'call':
            args = ev.get('args')
            if not isinstance(args, dict):
                ck.fail('%s: "args" is %s, want an object (typed)' % (w, show(args)))
                continue
            keys = [n if n else 'arg%d' % k for k, (n, _) in enumerate(want)]
            if list(args) != keys:
                ck.fail('%s: parameters %s, want %s' % (w, list(args), keys))
            for key, (_, val) in zip(keys, want):
                if key in args and not json_matches(val, args[key]):
                    ck.fail('%s: %s is %s, want %s' % (w, key, show(args[key]), want_json(val)))
        else:
            if want is None:
                if 'retval' in ev:
                    ck.fail('%s: void function has "retval" %s' % (w, show(ev['retval'])))
            elif 'retval' not in ev:
                ck.fail('%s: no "retval", want %s' % (w, want_json(want)))
            elif not json_matches(want, ev['retval']):
                ck.fail('%s: retval %s, want %s' % (w, show(ev['retval']), want_json(want)))
    return ck.done('typed check of %d events' % len(events))


TEXT_RE = re.compile(r'^\S+ \[\d+\] ( *)(.*)$')


def cmd_text(a):
    ck = Checker()
    truth = read_truth(a.truth)
    lines = []
    for n, line in enumerate(read_lines(a.events), 1):
        m = TEXT_RE.match(line)
        if not m:
            continue
        rest = m.group(2)
        if (rest.startswith('args_') and rest.endswith(' {')) or rest.startswith('} args_'):
            lines.append((n, m.group(1), rest))
    for i, (kind, func, want) in enumerate(truth):
        if i >= len(lines):
            ck.fail('%d call/return lines, the truth has %d: missing from %s %s on' %
                    (len(lines), len(truth), kind, func))
            break
        n, indent, rest = lines[i]
        if indent:
            ck.fail('line %d: indented %d, want 0 (no nesting): %s' % (n, len(indent), rest))
        if kind == 'call':
            exp = '%s(%s) {' % (func, ', '.join('%s=%s' % (k, v) if k else v for k, v in want))
            if rest != exp:
                ck.fail('line %d:\n  got  %s\n  want %s' % (n, rest, exp))
                if not rest.startswith(func + '('):
                    break
            continue
        exp = '} %s' % func if want is None else '} %s = %s' % (func, want)
        tail = rest[len(exp):]
        # after the value: nothing, or " " and the duration
        if not rest.startswith(exp) or (tail and (not tail.startswith(' ') or
                                                   tail.startswith(' = '))):
            ck.fail('line %d:\n  got  %s\n  want %s <duration>' % (n, rest, exp))
            if not rest.startswith('} %s' % func):
                break
    for n, _, rest in lines[len(truth):]:
        ck.fail('line %d: not in the truth: %s' % (n, rest))
    return ck.done('text check of %d lines' % len(lines))


def cmd_raw(a):
    ck = Checker()
    truth = read_truth(a.truth)
    events = read_events(a.events, ck)
    machine = platform.machine()
    if machine in ('arm64', 'aarch64'):
        machine = 'aarch64'
    if machine not in NREGS:
        die('unknown machine %s' % machine)
    nregs = NREGS[machine]
    for i, ev, (kind, func, want) in match_sequence(ck, events, truth):
        w = where(ev, i)
        if kind == 'call':
            args = ev.get('args')
            if (not isinstance(args, list) or len(args) != nregs or
                    not all(isinstance(x, str) and HEX_RE.fullmatch(x) for x in args)):
                ck.fail('%s: "args" is %s, want an array of %d hex strings' %
                        (w, show(args), nregs))
                continue
            if func in RAW_ARG_FUNCS:
                for k, (name, val) in enumerate(want[:nregs]):
                    exp = '0x%x' % (int(val) & MASK)
                    if args[k] != exp:
                        ck.fail('%s: register argument %d (%s=%s) is %s, want %s' %
                                (w, k, name, val, args[k], exp))
        else:
            rv = ev.get('retval')
            if not isinstance(rv, str) or isinstance(rv, Num) or not HEX_RE.fullmatch(rv):
                ck.fail('%s: "retval" is %s, want a hex string' % (w, show(rv)))
            elif func in RAW_RET_FUNCS and rv != '0x%x' % (int(want) & MASK):
                ck.fail('%s: retval %s, want 0x%x (%s)' % (w, rv, int(want) & MASK, want))
    return ck.done('raw check of %d events' % len(events))


def main():
    p = argparse.ArgumentParser(description='check typed arguments against args.c truth')
    sub = p.add_subparsers(dest='cmd', required=True)
    for name in ('typed', 'text', 'raw'):
        s = sub.add_parser(name)
        s.add_argument('--events', required=True)
        s.add_argument('--truth', required=True)
    a = p.parse_args()
    return {'typed': cmd_typed, 'text': cmd_text, 'raw': cmd_raw}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
