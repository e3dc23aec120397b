#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every option that a --help lists (calltrap's own and each subcommand's) is
# documented in man/calltrap.1, in the part of the man page about that
# subcommand: an option added to a --help without its man page entry fails
# here.  (repl_live.sh checks the REPL's commands the same way.)
#
# An option line of a --help starts with "  -X, --long", "      --long" or
# "  -X"; the man page is read with its escapes undone (\- is -, fonts
# dropped) and an option is found as a word of its own (--max-depth, not
# inside --max-depth-foo).
. "$(dirname "$0")/lib.sh"

PY=$WORK/man_options.py
cat > "$PY" <<'EOF'
import re, sys

# The man page's parts for each --help: (start, end) pairs, the start a
# whole heading line, the end the start of the next heading's line (.SH or
# .SS), which is excluded.
PARTS = {
    'calltrap': [('.SH SYNOPSIS', '.SH PATTERNS')],
    'trace': [('.SH OPTIONS', '.SH PATTERNS')],
    # record takes trace's options (RECORDING says which it does not)
    'record': [('.SH OPTIONS', '.SH PATTERNS'), ('.SH RECORDING', '.SH ')],
    # the part common to the three (-o, the filters), then each one's own
    'replay': [('.SH REPLAY, REPORT AND DUMP', '.SS calltrap replay'),
               ('.SS calltrap replay', '.S')],
    'report': [('.SH REPLAY, REPORT AND DUMP', '.SS calltrap replay'),
               ('.SS calltrap report', '.S')],
    'dump': [('.SH REPLAY, REPORT AND DUMP', '.SS calltrap replay'),
             ('.SS calltrap dump', '.S')],
    'stacks': [('.SH STACKS', '.SH ')],
    'repl': [('.SH REPL', '.SS ')],
}

OPTLINE = re.compile(r'^(?:  (-[A-Za-z0-9])(?:, (--[a-z][-a-z0-9]*))?|      (--[a-z][-a-z0-9]*))(?![-a-z0-9])')


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def unescape(line):
    line = re.sub(r'\\f(?:\[[^]]*\]|\(..|.)', '', line)
    line = line.replace('\\-', '-').replace('\\(aq', "'").replace('\\(dq', '"')
    return line.replace('\\e', '\\').replace('\\&', '')


def part(lines, start, end):
    out, inside = [], False
    for line in lines:
        if inside and line.startswith(end):
            break
        if line == start:
            inside = True
            continue
        if inside:
            out.append(unescape(line))
    if not out:
        fail('man page: no part starting with %r' % start)
    return '\n'.join(out)


def options(path):
    opts = []
    with open(path) as f:
        for line in f:
            m = OPTLINE.match(line)
            if m:
                opts += [o for o in m.groups() if o]
    return opts


def main():
    man, helps = sys.argv[1], sys.argv[2:]
    with open(man) as f:
        lines = f.read().splitlines()
    missing = []
    for h in helps:
        cmd = h.rsplit('/', 1)[-1][:-len('.help')]
        opts = options(h)
        if len(opts) < 2:
            fail('%s: found no options in its --help (%s)' % (cmd, h))
        text = '\n'.join(part(lines, s, e) for s, e in PARTS[cmd])
        for o in opts:
            if not re.search(r'(?<![-\w])%s(?![-\w])' % re.escape(o), text):
                missing.append('%s %s' % (cmd, o))
    if missing:
        fail('options of --help missing from man/calltrap.1 (in the part about their '
             'command): ' + ', '.join(missing))


main()
EOF

scenario()
{
	local c helps=""

	for c in calltrap trace record replay report dump stacks repl; do
		if [ "$c" = calltrap ]; then
			ct --help > "$D/$c.help" 2> "$D/$c.err"
		else
			ct "$c" --help > "$D/$c.help" 2> "$D/$c.err"
		fi
		expect_status "calltrap $c --help" "$CT_STATUS" 0
		helps="$helps $D/$c.help"
	done
	# shellcheck disable=SC2086 # one word per file
	python3 "$PY" "$TOP_SRCDIR/man/calltrap.1" $helps || fail "see above"
}

# The help text does not depend on how the targets were compiled.
OPTS=O0 run_opts scenario
