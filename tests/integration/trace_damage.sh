#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real recording damaged in each way a file loses bytes, or seems to:
# replay, report, dump (every format) and `repl FILE` show what was read up
# to the damage (resuming at the next intact chunk after a bad one), say so
# in one line on stderr naming the file, the chunk's offset and what is
# wrong, and exit 1 when bytes were lost (a torn last chunk, a bad
# checksum, a damaged chunk header); a file that ends between chunks
# without its end chunk, or that has bytes after it, exits 0 with one
# warning; a damaged file header is an error with nothing shown.
#
# The chunk layout is read here from docs/trace-format.md, not from
# calltrap: the events each case keeps follow from the chunk headers, and
# the outputs of a file damaged at chunk k equal those of the same file
# cut cleanly before chunk k (the same events; only the verdict differs).
. "$(dirname "$0")/lib.sh"

VIEWS=(replay report "dump --format=jsonl" "dump --format=chrome" "dump --format=folded"
	"dump --format=svg")

scenario()
{
	local t c i v

	need_targets calls
	t=$(target calls)
	ct record -e add -e mul3 -e sum6 -e recurse -o "$D/full.trace" -- "$t" \
		> "$D/out" 2> "$D/rec.err" < /dev/null
	expect_status "calltrap record calls" "$CT_STATUS" 0
	checks_ok "$D/out"

	# the damaged copies, the clean cuts they compare with, and what each
	# case must show: CASE STATUS KIND REF MESSAGE-REGEX per line
	python3 - "$D" > "$D/cases" <<'EOF' || fail "cannot damage the trace"
import struct, sys
d = sys.argv[1]
data = open(d + "/full.trace", "rb").read()
hlen = struct.unpack_from("<I", data, 12)[0]
chunks, off = [], hlen
while off < len(data):
    assert data[off:off + 4] == b"CTCK", "no chunk at %d" % off
    typ, hl, plen, count = struct.unpack_from("<HHII", data, off + 4)
    first = struct.unpack_from("<Q", data, off + 16)[0]
    chunks.append((off, typ, hl, plen, count, first))
    off += hl + plen
ev = [c for c in chunks if c[1] == 1]
end = chunks[-1]
assert end[1] == 3 and end[0] + end[2] == len(data), "no END chunk at the end"
assert len(ev) >= 3, "want 3 event chunks at least, got %d" % len(ev)
total = end[5]  # END: events in the file
def save(name, b):
    open("%s/%s.trace" % (d, name), "wb").write(bytes(b))
def flip(at):
    b = bytearray(data)
    b[at] ^= 0x01
    return b
def case(name, status, kind, ref, msg, keep):
    # keep: the seqs the damaged file still holds, as ranges [lo, hi)
    print(name, status, kind, ref, msg, ",".join("%d-%d" % r for r in keep))
save("full", data)
mid, last = ev[len(ev) // 2], ev[-1]
# torn: the file ends in the middle of a chunk's payload, then of its header
save("torn", data[:mid[0] + mid[2] + mid[3] // 2])
save("cut_mid", data[:mid[0]])
case("torn", 1, "error", "cut_mid",
     r"truncated chunk at offset %d: %d of its %d bytes present, %d events lost"
     % (mid[0], mid[2] + mid[3] // 2, mid[2] + mid[3], mid[4]), [(0, mid[5])])
save("tornhdr", data[:mid[0] + 20])
case("tornhdr", 1, "error", "cut_mid",
     r"truncated chunk at offset %d: the file ends 20 bytes into its header" % mid[0],
     [(0, mid[5])])
# a bad payload checksum in a middle chunk: skipped, the next ones read
b1 = ev[1]
save("midcrc", flip(b1[0] + b1[2] + b1[3] // 3))
save("cut_b1", data[:b1[0]])
case("midcrc", 1, "error", "cut_b1",
     r"corrupt chunk at offset %d: bad checksum, %d events lost" % (b1[0], b1[4]),
     [(0, b1[5]), (b1[5] + b1[4], total)])
# a damaged chunk header in the middle: found again by its magic
save("midhdr", flip(b1[0] + 20))
case("midhdr", 1, "error", "cut_b1",
     r"corrupt chunk header at offset %d: %d bytes skipped" % (b1[0], b1[2] + b1[3]),
     [(0, b1[5]), (b1[5] + b1[4], total)])
# a bad checksum in the last event chunk
save("lastcrc", flip(last[0] + last[2] + 1))
save("cut_last", data[:last[0]])
case("lastcrc", 1, "error", "cut_last",
     r"corrupt chunk at offset %d: bad checksum, %d events lost" % (last[0], last[4]),
     [(0, last[5])])
# no END chunk, cut between chunks: the recorder was killed between writes
save("noend", data[:end[0]])
case("noend", 0, "warning", "full",
     r"trace incomplete: the recorder did not finish it", [(0, total)])
# bytes after the END chunk
save("garbage", data + b"not a chunk\n" * 20)
case("garbage", 0, "warning", "full",
     r"240 bytes after the end chunk \(offset %d\) ignored" % len(data), [(0, total)])
# the file header's checksum: not a readable trace, nothing shown
save("hdr", flip(30))
case("hdr", 1, "error", "-", r"corrupt header: bad checksum", [])
EOF
	while read -r c _; do
		for i in "${!VIEWS[@]}"; do
			v=${VIEWS[$i]}
			# shellcheck disable=SC2086 # $v is a command and its option
			ct $v "$D/$c.trace" > "$D/$c.$i.out" 2> "$D/$c.$i.stderr" < /dev/null
			echo "$CT_STATUS" > "$D/$c.$i.rc"
		done
		# commands on stdin (not a pipe: ct must run in this shell)
		ct repl "$D/$c.trace" > "$D/$c.repl.out" 2> "$D/$c.repl.stderr" <<< "events 1"
		echo "$CT_STATUS" > "$D/$c.repl.rc"
	done < "$D/cases"
	for c in full cut_mid cut_last; do
		for i in "${!VIEWS[@]}"; do
			v=${VIEWS[$i]}
			# shellcheck disable=SC2086
			ct $v "$D/$c.trace" > "$D/$c.$i.out" 2> /dev/null < /dev/null
		done
	done
	# after a damaged middle chunk, only replay is compared (a prefix)
	ct replay "$D/cut_b1.trace" > "$D/cut_b1.0.out" 2> /dev/null < /dev/null

	python3 - "$D" "${#VIEWS[@]}" <<'EOF' || fail "damaged files are not read as they should be"
import json, re, sys, xml.parsers.expat
d, nviews = sys.argv[1], int(sys.argv[2])
VIEWS = ["replay", "report", "jsonl", "chrome", "folded", "svg"]
bad = []
def rd(p):
    return open(p, "rb").read()
def seqs_of(jsonl):
    return [json.loads(l)["seq"] for l in jsonl.decode().splitlines()]
def calls_by_func(jsonl):
    """The frames whose call and end (return or unwind) were both read, per
    function: report counts no frame still open where the events stop, nor
    an end whose call was in a lost chunk."""
    n, open_ = {}, {}
    for l in jsonl.decode().splitlines():
        e = json.loads(l)
        frames = open_.setdefault(e.get("tid"), {})
        if e["type"] == "call":
            frames[e["depth"]] = e["func"]
        elif e["type"] in ("return", "unwind"):
            if frames.pop(e["depth"], None) == e["func"]:
                n[e["func"]] = n.get(e["func"], 0) + 1
    return n
def report_calls(text):
    n = {}
    for l in text.decode().splitlines()[2:]:
        # fixed columns of 12: total, self, calls, ...; the name last
        n[l[72:].strip()] = int(l[24:36])
    return n
calls = {}
full_seqs = seqs_of(rd(d + "/full.2.out"))
full_lines = rd(d + "/full.2.out").decode().splitlines()
for line in open(d + "/cases"):
    head, keep = line.rstrip("\n").rsplit(" ", 1)
    name, status, kind, ref, msg = head.split(" ", 4)
    path = "%s/%s.trace" % (d, name)
    want_seqs = [s for s in full_seqs
                 if any(int(lo) <= s < int(hi) for lo, hi in
                        (r.split("-") for r in keep.split(",") if r))]
    pre = "calltrap: " + ("warning: " if kind == "warning" else "") + re.escape(path) + ": "
    for i, view in enumerate(VIEWS):
        what = "%s %s" % (view, name)
        out = rd("%s/%s.%d.out" % (d, name, i))
        err = rd("%s/%s.%d.stderr" % (d, name, i)).decode()
        rc = int(open("%s/%s.%d.rc" % (d, name, i)).read())
        if rc != int(status):
            bad.append("%s: exit status %d, want %s" % (what, rc, status))
        if err.count("\n") != 1 or not re.fullmatch(pre + msg + r"\n", err):
            bad.append("%s: stderr %r, want one line %r" % (what, err, pre + msg))
        if ref == "-":
            if out:
                bad.append("%s: output for a file that cannot be read" % what)
            continue
        # the same events as the clean cut before the damage: the same output
        if name in ("midcrc", "midhdr"):
            # ... followed by the chunks after the damaged one
            if view not in ("jsonl", "replay") and not out:
                bad.append("%s: empty" % what)
            refout = rd("%s/%s.0.out" % (d, ref))
            if view == "replay" and not (out.startswith(refout) and len(out) > len(refout)):
                bad.append("%s: does not start with the events before the damage, "
                           "or stops there" % what)
        elif out != rd("%s/%s.%d.out" % (d, ref, i)):
            bad.append("%s: differs from the output of %s.trace" % (what, ref))
        if view == "jsonl":
            got = seqs_of(out)
            if got != want_seqs:
                bad.append("%s: %d events (seq %s..%s), want %d" % (
                    what, len(got), got[:1], got[-1:], len(want_seqs)))
            elif name not in ("noend", "garbage") and len(got) >= len(full_seqs):
                bad.append("%s: nothing lost?" % what)
            kept = set(got)
            if [l for s, l in zip(full_seqs, full_lines) if s in kept] != \
               out.decode().splitlines():
                bad.append("%s: events differ from the undamaged file's" % what)
            calls = calls_by_func(out)
        if view == "chrome":
            try:
                json.loads(out)
            except ValueError as e:
                bad.append("%s: not JSON: %s" % (what, e))
        if view == "svg":
            try:
                xml.parsers.expat.ParserCreate().Parse(out, True)
            except Exception as e:
                bad.append("%s: not XML: %s" % (what, e))
    if ref != "-":
        # report counts the frames that ended in what was read
        got = report_calls(rd("%s/%s.1.out" % (d, name)))
        if got != calls:
            bad.append("report %s: calls %s, the dump has %s" % (name, got, calls))
    # repl FILE: loads what was read, says the same, runs the script, and
    # exits as the commands do
    out = rd("%s/%s.repl.out" % (d, name)).decode()
    err = rd("%s/%s.repl.stderr" % (d, name)).decode()
    rc = int(open("%s/%s.repl.rc" % (d, name)).read())
    what = "repl " + name
    if rc != int(status):
        bad.append("%s: exit status %d, want %s" % (what, rc, status))
    if ref == "-":
        if not re.fullmatch("calltrap: load: " + re.escape(path) + ": " + msg + r"\n", err):
            bad.append("%s: stderr %r" % (what, err))
        continue
    if not re.fullmatch(pre + msg + r"\n", err):
        bad.append("%s: stderr %r, want one line %r" % (what, err, pre + msg))
    first = out.splitlines()[0] if out else ""
    if not first.startswith("%s: %d events," % (path, len(want_seqs))):
        bad.append("%s: loaded %r, want %d events" % (what, first, len(want_seqs)))
    if not re.search(r"^#%d " % want_seqs[0], out, re.M):
        bad.append("%s: the script did not run on: %r" % (what, out[:300]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
	note "$(wc -l < "$D/cases") damaged files checked"

	# through a pipe: the same, but a corrupt chunk header cannot be searched
	# past, and nothing after the END chunk is read
	pipe_case torn 1 "" "truncated chunk at offset [0-9]+: [0-9]+ of its [0-9]+ bytes present, [0-9]+ events lost"
	pipe_case midcrc 1 "" "corrupt chunk at offset [0-9]+: bad checksum, [0-9]+ events lost"
	pipe_case midhdr 1 "" "corrupt chunk header at offset [0-9]+: rest of input skipped"
	pipe_case noend 0 "warning: " "trace incomplete: the recorder did not finish it"
	pipe_case garbage 0 "" ""
}

# pipe_case CASE STATUS PREFIX REGEX: replay of CASE's file read from a pipe
# shows events, exits STATUS, and says "calltrap: PREFIX/dev/fd/N: REGEX"
# (nothing when REGEX is empty)
pipe_case()
{
	ct replay <(cat "$D/$1.trace") > "$D/pipe.out" 2> "$D/pipe.stderr"
	expect_status "replay of $1.trace from a pipe" "$CT_STATUS" "$2"
	if [ -z "$4" ]; then
		[ ! -s "$D/pipe.stderr" ] || fail "pipe $1: $(cat "$D/pipe.stderr")"
	else
		if [ "$(grep -c '' "$D/pipe.stderr")" -ne 1 ] ||
			! grep -Eq "^calltrap: $3/dev/fd/[0-9]+: $4\$" "$D/pipe.stderr"; then
			fail "pipe $1: $(cat "$D/pipe.stderr")"
		fi
	fi
	[ -s "$D/pipe.out" ] || fail "pipe $1: nothing replayed"
}

OPTS=O2 run_opts scenario
