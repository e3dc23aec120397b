#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""calltrap killed while attached: how fast the guardian puts the bytes back,
and how many processes survive (issue 11, item 6).

usage: python3 bench/guardian.py [--rounds N] [--baseline CALLTRAP]

Builds bench/guard_target.c with ${CC:-cc} into a temporary directory and
uses $CALLTRAP (else ./calltrap, else ./build/calltrap).  Each round attaches
`calltrap trace -v -v -p PID` and kills it with SIGKILL after a call made
with the breakpoint in place: from the target itself right after the call
(it prints the CLOCK_MONOTONIC time taken just before kill(2)), or, where
the target must not call a traced libc, from this script 5 ms after the
target said so, or at once for the busy target.  With -v -v the guardian
logs when it noticed the death and when it had written the last byte (same
clock).

- window, -e tick (4 patches), `guard_target calm watch`: tick() every 50 ms,
  and a thread spinning on tick's first bytes that prints when they are back.
  From the kill: to the notice, to the last byte written (the window), and to
  the moment the process itself saw its bytes back (which adds that thread's
  own scheduling delay).
- the same with -e tick -e 'libc.so.6:*' (two thousand patches), without the
  spinning thread (it would run into libc breakpoints during the restore).
- survival: the calm rows above (one process through every round; a death
  is counted and a new process started), and busy (tick() in a tight loop,
  a new process each round): survived (a call made with its own code after
  the kill), died of SIGTRAP (ran into a breakpoint before the restore), or
  otherwise (resumed inside an instruction).  With --baseline, busy and calm
  again with another calltrap (e.g. one built before the guardian).

The figures depend on the load of the machine (printed first): the window is
mostly the time the scheduler takes to run the dying calltrap and then the
guardian.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = re.compile(r"restored (\d+) patched instructions? of process \d+ in (\d+) us")
TIMES = re.compile(r"noticed by (.*) at (\d+), restored at (\d+) \(CLOCK_MONOTONIC")
KILLED = re.compile(r"^killed (\d+) at (\d+)$")


def find_calltrap():
    for c in (os.environ.get("CALLTRAP"), "./calltrap", "./build/calltrap"):
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.exit("bench/guardian.py: no calltrap binary (set CALLTRAP)")


class Target:
    def __init__(self, exe, work, mode, watch, tag):
        self.path = os.path.join(work, "target.%s.out" % tag)
        self.killfile = os.path.join(work, "kill.%s" % tag)
        with open(self.path, "w") as out:
            args = [exe, mode, "watch" if watch else "-", self.killfile]
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        if not self.wait_line(0, lambda l: l.startswith("pid="), 10):
            sys.exit("bench/guardian.py: the target did not start")

    def lines(self):
        with open(self.path) as f:
            return f.read().splitlines()

    def wait_line(self, start, pred, secs):
        """The first line after the first `start` that pred accepts, or None
        when the target ended or secs passed."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            for line in self.lines()[start:]:
                if pred(line):
                    return line
            if self.proc.poll() is not None:
                return None
            time.sleep(0.001)
        return None

    def kill_at_next_patched_call(self, pid):
        with open(self.killfile + ".tmp", "w") as f:
            f.write("%d\n" % pid)
        os.rename(self.killfile + ".tmp", self.killfile)

    def end(self):
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait()


def attach(calltrap, target, patterns, err):
    args = [calltrap, "trace", "-v", "-v", "-p", str(target.proc.pid), "-o", "/dev/null"]
    for p in patterns:
        args += ["-e", p]
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(err, "w"))


def guardian_said(err, secs=3):
    """(patches, how it noticed, noticed ns, done ns), or None."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        with open(err) as f:
            text = f.read()
        m, t = REPORT.search(text), TIMES.search(text)
        if m and t:
            return int(m.group(1)), t.group(1), int(t.group(2)), int(t.group(3))
        time.sleep(0.005)
    return None


def outcome(target, start):
    """After the kill: 'survived', 'SIGTRAP' or 'other'."""
    line = target.wait_line(start, lambda l: l.endswith(" orig"), 2)
    if line and target.proc.poll() is None:
        return "survived"
    rc = target.end()
    return "SIGTRAP" if rc == -signal.SIGTRAP else "other"


def kill_round(calltrap, target, patterns, err, by_target):
    """Attach and kill calltrap after a call made with the breakpoint in
    place: by the target itself, right after it, or (when the target must
    not make a system call through a traced libc) from here, 5 ms after
    its line.  (kill ns, index of the first line after the kill)."""
    start = len(target.lines())
    ct = attach(calltrap, target, patterns, err)
    if by_target:
        target.kill_at_next_patched_call(ct.pid)
        ct.wait()
        line = target.wait_line(start, lambda l: KILLED.match(l), 5)
        if not line:
            return None, len(target.lines())
        return int(KILLED.match(line).group(2)), target.lines().index(line, start) + 1
    if not target.wait_line(start, lambda l: l.startswith("tick") and l.endswith("patched"), 20):
        ct.kill()
        ct.wait()
        return None, len(target.lines())
    time.sleep(0.005)
    after = len(target.lines())
    t = time.monotonic_ns()
    ct.kill()
    ct.wait()
    return t, after


def calm_rounds(calltrap, exe, work, rounds, patterns, watch, tag, by_target):
    r = {"notice": [], "window": [], "seen": [], "restore": [], "patches": set(), "how": set(),
         "survived": 0, "SIGTRAP": 0, "other": 0}
    target = Target(exe, work, "calm", watch, "%s.0" % tag)
    for i in range(rounds):
        err = os.path.join(work, "ct.%s.%d.err" % (tag, i))
        t_kill, after = kill_round(calltrap, target, patterns, err, by_target)
        said = guardian_said(err) if t_kill else None
        if said:
            r["patches"].add(said[0])
            r["how"].add(said[1])
            r["notice"].append((said[2] - t_kill) / 1000)
            r["restore"].append((said[3] - said[2]) / 1000)
            r["window"].append((said[3] - t_kill) / 1000)
        if watch and t_kill:
            line = target.wait_line(after - 1, lambda l: l.startswith("restored"), 2)
            if line:
                r["seen"].append((int(line.split()[1]) - t_kill) / 1000)
        o = outcome(target, after)
        r[o] += 1
        if o != "survived":
            target = Target(exe, work, "calm", watch, "%s.%d" % (tag, i + 1))
    target.end()
    return r


def busy_rounds(calltrap, exe, work, rounds, tag):
    r = {"survived": 0, "SIGTRAP": 0, "other": 0}
    for i in range(rounds):
        target = Target(exe, work, "busy", False, "%s.%d" % (tag, i))
        _, after = kill_round(calltrap, target, ["tick"],
                              os.path.join(work, "ct.%s.%d.err" % (tag, i)), False)
        r[outcome(target, after)] += 1
        target.end()
    return r


def stats(v):
    if not v:
        return "-"
    v = sorted(v)
    return "median %.0f us, p90 %.0f, max %.0f (n=%d)" % (
        statistics.median(v), v[int(0.9 * (len(v) - 1))], v[-1], len(v))


def survival(r, n):
    return "survived %d of %d kills (died of SIGTRAP %d, otherwise %d)" % (
        r["survived"], n, r["SIGTRAP"], r["other"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--baseline", help="another calltrap to compare survival with")
    a = ap.parse_args()
    calltrap = find_calltrap()
    work = tempfile.mkdtemp(prefix="calltrap-bench-guardian.")
    exe = os.path.join(work, "guard_target")
    subprocess.check_call([os.environ.get("CC", "cc"), "-O2", "-g", "-pthread", "-o", exe,
                           os.path.join(HERE, "guard_target.c")])
    print("calltrap: %s\nwork: %s\nCPUs: %d, load average %.2f %.2f %.2f\n" %
          ((calltrap, work, os.cpu_count()) + os.getloadavg()))

    for title, patterns, watch, n, tag in (
            ("-e tick", ["tick"], True, a.rounds, "tick"),
            ("-e tick -e 'libc.so.6:*'", ["tick", "libc.so.6:*"], False,
             max(3, a.rounds // 4), "libc")):
        r = calm_rounds(calltrap, exe, work, n, patterns, watch, tag, tag == "tick")
        print("%s: %s patches, noticed by %s" % (title, sorted(r["patches"]) or "?",
                                                  " and ".join(sorted(r["how"])) or "?"))
        print("  kill -> guardian noticed:            %s" % stats(r["notice"]))
        print("  noticed -> all written:              %s" % stats(r["restore"]))
        print("  kill -> all written (the window):    %s" % stats(r["window"]))
        if watch:
            print("  kill -> the process saw its bytes:   %s" % stats(r["seen"]))
        print("  calm target: %s" % survival(r, n))

    for name, bin_ in (("calltrap", calltrap), ("baseline", a.baseline)):
        if not bin_:
            continue
        r = busy_rounds(bin_, exe, work, a.rounds, "busy." + name)
        print("busy target, %s: %s" % (name, survival(r, a.rounds)))
        if name == "baseline":
            r = calm_rounds(bin_, exe, work, 5, ["tick"], False, "calm.baseline", True)
            print("calm target, baseline: %s" % survival(r, 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
