#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The checker itself: a hand-made correct event stream passes, and each
# single mistake a tracer could make is caught.  Needs no calltrap.
. "$(dirname "$0")/lib.sh"

# expect_check WHAT WANT_STATUS EVENTS: run `check` on EVENTS against truth.
expect_check()
{
	local rc=0

	python3 "$CHECKER" check --events "$3" --truth "$D/truth" > "$D/check.out" 2>&1 || rc=$?
	if [ "$rc" -ne "$2" ]; then
		cat "$D/check.out"
		fail "$1: checker exit status $rc, want $2"
	fi
}

scenario()
{
	cat > "$D/truth" <<-'TRUTH'
	truth pid=100 role=main
	truth ev pid=100 tid=100 type=call func=mul3 depth=1 args=2,3,4
	truth ev pid=100 tid=100 type=call func=add depth=2 args=6,4
	truth ev pid=100 tid=100 type=return func=add depth=2 ret=10
	truth ev pid=100 tid=100 type=unwind func=mul3 depth=1
	truth ev pid=100 tid=100 type=call func=add depth=1 args=-5,3
	truth ev pid=100 tid=100 type=return func=add depth=1 ret=-2
	truth count pid=100 func=add calls=2
	truth signal pid=100 signame=SIGUSR1 count=1
	truth exit pid=100 status=0
	TRUTH
	# One event per line; written over two lines here, joined below.
	paste -d '' - - > "$D/good" <<-'EOF'
	{"seq":1,"ts_ns":10,"pid":100,"tid":100,"type":"call","func":"mul3","module":"p",
	"addr":"0x1040","depth":1,"args":["0x2","0x3","0x4","0x0","0x0","0x0"]}
	{"seq":2,"ts_ns":20,"pid":100,"tid":100,"type":"call","func":"add","module":"p",
	"addr":"0x1000","depth":2,"args":["0x6","0x4","0x0","0x0","0x0","0x0"]}
	{"seq":3,"ts_ns":30,"pid":100,"tid":100,"type":"return","func":"add","module":"p",
	"addr":"0x1000","depth":2,"retval":"0xa","duration_ns":10}
	{"seq":4,"ts_ns":40,"pid":100,"tid":100,"type":"signal",
	"signo":10,"signame":"SIGUSR1"}
	{"seq":5,"ts_ns":50,"pid":100,"tid":100,"type":"unwind","func":"mul3","module":"p",
	"addr":"0x1040","depth":1,"duration_ns":40}
	{"seq":6,"ts_ns":60,"pid":100,"tid":100,"type":"call","func":"add","module":"p",
	"addr":"0x1000","depth":1,"args":["0xfffffffffffffffb","0x3","0x0","0x0","0x0","0x0"]}
	{"seq":7,"ts_ns":70,"pid":100,"tid":100,"type":"return","func":"add","module":"p",
	"addr":"0x1000","depth":1,"retval":"0xfffffffffffffffe","duration_ns":10}
	{"seq":8,"ts_ns":80,"pid":100,"tid":100,"type":"exit",
	"status":0}
	EOF
	expect_check "correct events" 0 "$D/good"

	mutate()
	{
		sed "$2" "$D/good" > "$D/bad"
		cmp -s "$D/good" "$D/bad" && fail "mutation '$1' changed nothing"
		expect_check "$1" 1 "$D/bad"
	}
	mutate "wrong return value" 's/"retval":"0xa"/"retval":"0xb"/'
	mutate "wrong argument" 's/"0x6","0x4"/"0x6","0x5"/'
	mutate "wrong depth" '2s/"depth":2/"depth":3/'
	mutate "lost return" '3d'
	mutate "lost unwind" '5d'
	mutate "unwind reported as return" \
		'5s/"type":"unwind"\(.*\)"duration_ns"/"type":"return"\1"retval":"0x0","duration_ns"/'
	mutate "lost signal" '4d'
	mutate "exit status" 's/"status":0/"status":1/'
	mutate "lost exit" '8d'
	mutate "another pid" '6,7s/"pid":100/"pid":101/'
	mutate "another thread" '6,7s/"tid":100/"tid":102/'
	mutate "upper-case hex" 's/0xfffffffffffffffe/0xFFFFFFFFFFFFFFFE/'
	mutate "missing field" '2s/"module":"p",//'
	mutate "seq out of order" '7s/"seq":7/"seq":5/'
	mutate "event twice" '7p'
	mutate "not JSON" '4s/}$//'

	# --stats: one stop per event, no single-steps.
	echo 'calltrap: stats: call=3 return=2 unwind=1 stops_entry=3 stops_return=2 stops_step=0' \
		'stops_spurious=0 stops_internal=5 stops_other=1' > "$D/stats"
	python3 "$CHECKER" stats --events "$D/good" --stderr "$D/stats" > "$D/check.out" ||
		fail "correct stats line rejected"
	sed 's/stops_step=0/stops_step=1/' "$D/stats" > "$D/stats.bad"
	! python3 "$CHECKER" stats --events "$D/good" --stderr "$D/stats.bad" > "$D/check.out" ||
		fail "stops_step=1 accepted"
	sed 's/stops_entry=3/stops_entry=4/' "$D/stats" > "$D/stats.bad"
	! python3 "$CHECKER" stats --events "$D/good" --stderr "$D/stats.bad" > "$D/check.out" ||
		fail "stops_entry != call accepted"

	# Text: add nested in mul3 must be indented deeper.
	cat > "$D/text" <<-'EOF'
	0.000001 [100] add(0x3, 0x4, 0x0, 0x0, 0x0, 0x0) {
	0.000002 [100] } add = 0x7 <1.000 us>
	0.000003 [100] mul3(0x2, 0x3, 0x4, 0x0, 0x0, 0x0) {
	0.000004 [100]   add(0x6, 0x4, 0x4, 0x0, 0x0, 0x0) {
	0.000005 [100]   } add = 0xa <1.000 us>
	0.000006 [100] } mul3 = 0x28 <3.000 us>
	EOF
	python3 "$CHECKER" text --stderr "$D/text" > "$D/check.out" || fail "correct text rejected"
	sed 's/]   /] /' "$D/text" > "$D/text.bad"
	! python3 "$CHECKER" text --stderr "$D/text.bad" > "$D/check.out" ||
		fail "text without nesting indentation accepted"
}

OPTS=any run_opts scenario
