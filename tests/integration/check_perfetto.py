#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a `calltrap dump --format=perfetto` file against the jsonl dump of
the same recording (and the same filters).

usage: check_perfetto.py MODDIR TRACE.pftrace EVENTS.jsonl [--main NAME]
                         [--damaged TEXT]

MODDIR holds perfetto_subset_pb2.py (protoc --python_out of
docs/perfetto_subset.proto).  The file is decoded with those definitions
and read as trace_processor reads it:

 - no field the definitions do not know (the numbers calltrap writes are
   those of the .proto, whose numbers are Perfetto's);
 - every packet on sequence 1 with a timestamp; interned names resolved
   through the sequence's state (cleared by SEQ_INCREMENTAL_STATE_CLEARED;
   a packet that uses it says SEQ_NEEDS_INCREMENTAL_STATE; an iid never
   redefined without a clear);
 - every track used is described before, threads with pid, tid and a name,
   their processes with a name (the program's, with its command line, for
   --main NAME);
 - the track events sorted by timestamp, ties in file order (the sort of
   trace_processor), then per track SLICE_BEGIN/SLICE_END as a stack: each
   END closes the innermost open slice;
 - those slices are the frames of the jsonl events: thread, function,
   module, start, duration, depth, arguments, return value or how the
   frame ended; the instants are its process and thread events with their
   fields;
 - --damaged TEXT: the last packet is a "trace damaged" instant on the
   "calltrap" track whose "problem" is TEXT; without it, none.
"""
import json
import sys


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def no_unknown_fields(msg, where):
    if len(msg.UnknownFields()):
        fail('%s: fields unknown to perfetto_subset.proto: %s' %
             (where, [f.field_number for f in msg.UnknownFields()]))
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        if fd.label == fd.LABEL_REPEATED:
            for i, v in enumerate(value):
                no_unknown_fields(v, '%s.%s[%d]' % (where, fd.name, i))
        else:
            no_unknown_fields(value, '%s.%s' % (where, fd.name))


class Sequence:
    """The incremental state of one packet sequence (interned strings)."""

    KINDS = ('event_categories', 'event_names', 'debug_annotation_names')

    def __init__(self):
        self.valid = False
        self.tables = {k: {} for k in self.KINDS}

    def packet(self, pk, i):
        if pk.sequence_flags & 1:  # SEQ_INCREMENTAL_STATE_CLEARED
            self.valid = True
            self.tables = {k: {} for k in self.KINDS}
        if pk.HasField('interned_data'):
            if not self.valid:
                fail('packet %d: interned data before the state was cleared' % i)
            for k in self.KINDS:
                for e in getattr(pk.interned_data, k):
                    if e.iid == 0 or e.iid in self.tables[k]:
                        fail('packet %d: %s iid %d given again' % (i, k, e.iid))
                    self.tables[k][e.iid] = e.name

    def get(self, kind, iid, pk, i):
        if not pk.sequence_flags & 2:  # SEQ_NEEDS_INCREMENTAL_STATE
            fail('packet %d uses interned %s without SEQ_NEEDS_INCREMENTAL_STATE' % (i, kind))
        if iid not in self.tables[kind]:
            fail('packet %d: %s iid %d not interned' % (i, kind, iid))
        return self.tables[kind][iid]


def annotation_value(a, seq, pk, i):
    if a.dict_entries:
        return {annotation_name(e, seq, pk, i): annotation_value(e, seq, pk, i)
                for e in a.dict_entries}
    if a.array_values:
        return [annotation_value(e, seq, pk, i) for e in a.array_values]
    which = a.WhichOneof('value')
    if which is None:
        fail('packet %d: an annotation without a value' % i)
    v = getattr(a, which)
    if which == 'pointer_value':
        return '0x%x' % v
    return v


def annotation_name(a, seq, pk, i):
    if a.HasField('name_iid'):
        return seq.get('debug_annotation_names', a.name_iid, pk, i)
    if a.HasField('name'):
        return a.name
    fail('packet %d: an annotation without a name' % i)


def read_perfetto(mod, path):
    with open(path, 'rb') as f:
        data = f.read()
    trace = mod.Trace()
    trace.ParseFromString(data)
    no_unknown_fields(trace, 'Trace')
    seq = Sequence()
    tracks, events = {}, []
    for i, pk in enumerate(trace.packet):
        if pk.trusted_packet_sequence_id != 1:
            fail('packet %d: sequence %d' % (i, pk.trusted_packet_sequence_id))
        if not pk.HasField('timestamp'):
            fail('packet %d: no timestamp' % i)
        seq.packet(pk, i)
        if pk.HasField('track_descriptor'):
            td = pk.track_descriptor
            if not td.uuid or td.uuid in tracks:
                fail('packet %d: track uuid %d described twice (or 0)' % (i, td.uuid))
            tracks[td.uuid] = td
        elif pk.HasField('track_event'):
            te = pk.track_event
            if te.track_uuid not in tracks:
                fail('packet %d: track %d used before it is described' % (i, te.track_uuid))
            ev = {'i': i, 'ts': pk.timestamp, 'type': te.type, 'track': te.track_uuid}
            if te.HasField('name_iid'):
                ev['name'] = seq.get('event_names', te.name_iid, pk, i)
            if te.category_iids:
                ev['cat'] = [seq.get('event_categories', c, pk, i) for c in te.category_iids]
            ann = {}
            for a in te.debug_annotations:
                k = annotation_name(a, seq, pk, i)
                if k in ann:
                    fail('packet %d: annotation %s twice' % (i, k))
                ann[k] = annotation_value(a, seq, pk, i)
            ev['ann'] = ann
            events.append(ev)
        else:
            fail('packet %d: neither a track event nor a track descriptor' % i)
    return tracks, events, len(data), len(trace.packet)


def check_tracks(tracks, main):
    procs = {td.process.pid: td for td in tracks.values() if td.HasField('process')}
    for td in tracks.values():
        if td.HasField('thread'):
            t = td.thread
            if not t.pid or not t.tid or not t.thread_name:
                fail('thread track %d: pid %d tid %d name %r' % (td.uuid, t.pid, t.tid,
                                                                 t.thread_name))
            if t.pid not in procs or not procs[t.pid].process.process_name:
                fail('thread %d: its process %d is not described with a name' % (t.tid, t.pid))
    if main:
        named = [td.process for td in procs.values() if td.process.process_name == main]
        if len(named) != 1 or not named[0].cmdline or \
                not named[0].cmdline[0].endswith('/' + main):
            fail('no process named %s with its command line' % main)


def same(jv, pv):
    """A jsonl value and a perfetto annotation value agree."""
    if isinstance(jv, dict):
        return isinstance(pv, dict) and jv.keys() == pv.keys() and \
            all(same(jv[k], pv[k]) for k in jv)
    if isinstance(jv, list):
        return isinstance(pv, list) and len(jv) == len(pv) and \
            all(same(a, b) for a, b in zip(jv, pv))
    if isinstance(jv, bool) or isinstance(pv, bool):
        return jv is pv
    if isinstance(jv, (int, float)) and isinstance(pv, str):
        # a number perfetto keeps as text: beyond int64, or not an integer
        try:
            return float(pv) == jv
        except ValueError:
            return False
    return jv == pv


def frames_of_jsonl(path):
    """The frames as the view makes them, and the other events."""
    stacks, frames, others = {}, [], []
    last_ts = 0

    def cut(st, depth, ts):
        while st and st[-1]['rdepth'] >= depth:
            f = st.pop()
            f['end'], f['dur'] = 'not recorded', ts - f['ts']
            frames.append(f)

    with open(path) as fh:
        for line in fh:
            ev = json.loads(line)
            last_ts = max(last_ts, ev['ts_ns'])
            st = stacks.setdefault((ev['pid'], ev['tid']), [])
            if ev['type'] == 'call':
                cut(st, ev['depth'], ev['ts_ns'])
                args = ev['args']
                f = {'pid': ev['pid'], 'tid': ev['tid'], 'func': ev['func'],
                     'module': ev['module'], 'ts': ev['ts_ns'], 'depth': len(st),
                     'rdepth': ev['depth'],
                     'args': args if args else None, 'tail': ev.get('tail', False),
                     'addr': ev['addr']}
                st.append(f)
            elif ev['type'] in ('return', 'unwind'):
                cut(st, ev['depth'] + 1, ev['ts_ns'])
                if not st or st[-1]['rdepth'] != ev['depth']:
                    continue
                f = st.pop()
                if f['addr'] != ev['addr']:
                    f['end'], f['dur'] = 'not recorded', ev['ts_ns'] - f['ts']
                else:
                    f['end'], f['dur'] = ev['type'], ev['duration_ns']
                    f['retval'] = ev.get('retval')
                frames.append(f)
            else:
                if ev['type'] in ('thread_exit', 'exit'):
                    cut(st, 0, ev['ts_ns'])
                others.append(ev)
    for st in stacks.values():
        while st:
            f = st.pop()
            f['end'], f['dur'] = 'open at the end of the trace', None
            frames.append(f)
    return frames, others


def slices_of(tracks, events):
    """Sorted as trace_processor sorts (by timestamp, ties in file order),
    the begin/end pairs of each track, and the instants."""
    stacks, slices, instants = {}, [], []
    for ev in sorted(events, key=lambda e: e['ts']):
        td = tracks[ev['track']]
        st = stacks.setdefault(ev['track'], [])
        if ev['type'] == 1:  # TYPE_SLICE_BEGIN
            if 'name' not in ev:
                fail('packet %d: a slice without a name' % ev['i'])
            ev['depth'] = len(st)
            st.append(ev)
        elif ev['type'] == 2:  # TYPE_SLICE_END
            if not st:
                fail('packet %d: SLICE_END with no slice open on track %d' % (ev['i'],
                                                                           ev['track']))
            b = st.pop()
            slices.append((td, b, ev))
        elif ev['type'] == 3:  # TYPE_INSTANT
            instants.append((td, ev))
        else:
            fail('packet %d: track event of type %d' % (ev['i'], ev['type']))
    for st in stacks.values():
        if st:
            fail('packet %d: slice %s never ends' % (st[-1]['i'], st[-1]['name']))
    return slices, instants


def compare_frames(frames, slices):
    def key(pid, tid, ts, name):
        return (pid, tid, ts, name)

    by_key = {}
    for td, b, e in slices:
        if not td.HasField('thread'):
            fail('slice %s on a track that is not a thread\'s' % b['name'])
        k = key(td.thread.pid, td.thread.tid, b['ts'], b['name'])
        by_key.setdefault(k, []).append((b, e))
    if len(slices) != len(frames):
        fail('%d slices, %d frames in the events' % (len(slices), len(frames)))
    for f in frames:
        k = key(f['pid'], f['tid'], f['ts'], f['func'])
        if not by_key.get(k):
            fail('no slice for the frame %r' % (k,))
        b, e = by_key[k].pop(0)
        what = '%s at %d (tid %d)' % (f['func'], f['ts'], f['tid'])
        if b['cat'] != [f['module']]:
            fail('%s: category %s, want %s' % (what, b['cat'], f['module']))
        if b['depth'] != f['depth']:
            fail('%s: depth %d, want %d' % (what, b['depth'], f['depth']))
        if f['dur'] is not None and e['ts'] - b['ts'] != f['dur']:
            fail('%s: lasts %d ns, want %d' % (what, e['ts'] - b['ts'], f['dur']))
        want = {}
        if f['args'] is not None:
            want['args'] = f['args']
        if f['tail']:
            want['tail'] = True
        if not same(want, b['ann']):
            fail('%s: arguments %r, want %r' % (what, b['ann'], want))
        want = {}
        if f['end'] == 'return':
            if f['retval'] is not None:
                want['retval'] = f['retval']
        else:
            want['end'] = f['end']
        if not same(want, e['ann']):
            fail('%s: end %r, want %r' % (what, e['ann'], want))


def compare_others(others, instants):
    got = []
    for td, ev in instants:
        if ev['name'] in ('lost events', 'trace damaged'):
            continue
        if not td.HasField('thread'):
            fail('instant %s on a track that is not a thread\'s' % ev['name'])
        got.append((td.thread.pid, td.thread.tid, ev['ts'], ev['name'],
                    json.dumps(ev['ann'], sort_keys=True)))
    want = []
    for ev in others:
        fields = {k: v for k, v in ev.items()
                  if k not in ('seq', 'ts_ns', 'pid', 'tid', 'type', 'regs')}
        want.append((ev['pid'], ev['tid'], ev['ts_ns'], ev['type'],
                     json.dumps(fields, sort_keys=True)))
    if sorted(got) != sorted(want):
        for a, b in zip(sorted(got), sorted(want)):
            if a != b:
                fail('instant %s, want %s' % (a, b))
        fail('%d instants, %d process and thread events' % (len(got), len(want)))


def check_damage(tracks, events, damaged):
    marks = [e for e in events if e.get('name') == 'trace damaged']
    if not damaged:
        if marks:
            fail('a "trace damaged" mark in a trace read whole')
        return
    if len(marks) != 1 or marks[0] is not events[-1]:
        fail('no "trace damaged" instant as the last packet')
    m = marks[0]
    if tracks[m['track']].name != 'calltrap' or m['type'] != 3:
        fail('"trace damaged" is not an instant on the "calltrap" track')
    if m['ann'] != {'problem': damaged}:
        fail('"trace damaged": %r, want the problem %r' % (m['ann'], damaged))


def main():
    argv = sys.argv[1:]
    opts = {'--main': None, '--damaged': None}
    while len(argv) > 3:
        if argv[-2] not in opts:
            fail('usage')
        opts[argv[-2]] = argv[-1]
        argv = argv[:-2]
    moddir, pf, jsonl = argv
    sys.path.insert(0, moddir)
    import perfetto_subset_pb2 as mod

    tracks, events, size, npackets = read_perfetto(mod, pf)
    check_tracks(tracks, opts['--main'])
    check_damage(tracks, events, opts['--damaged'])
    frames, others = frames_of_jsonl(jsonl)
    slices, instants = slices_of(tracks, events)
    compare_frames(frames, slices)
    compare_others(others, instants)
    threads = sum(1 for td in tracks.values() if td.HasField('thread'))
    print('perfetto: %d packets, %d bytes, %d slices = frames, %d instants, %d threads'
          % (npackets, size, len(slices), len(instants), threads))


main()
