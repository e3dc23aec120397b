#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the aarch64 test VM (tests/aarch64/run.sh builds the initramfs).
# Runs every test named in /ct/tests.list the way automake's parallel test
# driver does: from the top build directory, with AM_TESTS_ENVIRONMENT's
# variables, scripts through bash, output into TEST.log, CT_PARALLEL tests at
# a time.  Prints a PASS/FAIL line per test as it ends; then, in the order of
# the list, the log of each failed test between markers; then a result line
# with the run's nonce (from /ct/run.conf); then powers off.

/bin/busybox mkdir -p /bb
/bin/busybox --install -s /bb
# the tests find the GNU tools in /usr/bin before busybox's applets (this
# script does not: busybox sh prefers its own applets)
export PATH=/usr/bin:/usr/sbin:/bb HOME=/root TERM=dumb LANG=C.UTF-8
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
ln -sf /proc/self/fd /dev/fd
# what udev would make; without them `-o /dev/stdout` creates a plain file
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr

# shellcheck source=/dev/null # written by run.sh
. /ct/run.conf

uptime() { cut -d' ' -f1 /proc/uptime; }

echo "ct-aarch64: $(uname -sr), $(nproc) cpus, $(sed -n 's/^MemTotal: *//p' /proc/meminfo)," \
	"ptrace_scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo none)," \
	"init at $(uptime)s"
echo "ct-aarch64: cpu features: $(sed -n 's/^Features[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"

export CALLTRAP=/ct/build/calltrap TARGETS=/ct/build/tests/targets
export TOP_SRCDIR=/ct/src TOP_BUILDDIR=/ct/build CT_TIMEOUT
# files tests leave for the host (tests/integration/regs.sh: a trace to
# compare with the host's), printed after the results
export CT_EXPORT_DIR=/ct/export
# attach_threads.sh: trace long enough for several batches of threads
export CT_ATTACH_SECS=3
mkdir -p "$CT_EXPORT_DIR"

# The image carries only the python modules run.sh found the checker to need.
if ! err=$(python3 "$TOP_SRCDIR/tests/integration/check_events.py" --help 2>&1 >/dev/null); then
	echo "ct-aarch64: WARNING: python3 cannot run check_events.py: $err"
fi

# run_test NAME: run one test; its exit status
run_test() {
	case $1 in
	ct-aarch64:pac-cpu)
		# the CPU model must really have pointer authentication
		grep -m 1 '^Features' /proc/cpuinfo
		grep -m 1 '^Features' /proc/cpuinfo | grep -qw paca &&
			grep -m 1 '^Features' /proc/cpuinfo | grep -qw pacg
		return
		;;
	ct-aarch64:bench)
		# the benchmark's report goes to the console, not only to its log
		BENCH_SKIP_LTRACE=1 BENCH_SKIP_BPFTRACE=1 BENCH_SKIP_UFTRACE=1 \
			BENCH_NO_GNU_TIME=1 BENCH_N=${CT_BENCH_N:-5000} \
			BENCH_RSS_CALLS=${CT_BENCH_RSS_CALLS:-100000} \
			bash "$TOP_SRCDIR/bench/run.sh" --prebuilt /ct/bench >/tmp/bench.out 2>&1
		rc=$?
		cat /tmp/bench.out
		sed 's/^/bench: /' /tmp/bench.out >/dev/console
		return $rc
		;;
	*.sh) set -- bash "$TOP_SRCDIR/$1" ;;
	*) set -- "$TOP_BUILDDIR/$1" ;;
	esac
	# GNU timeout (busybox sh would run its own applet for a bare `timeout`)
	# puts the test in its own process group: kill what it leaves
	/usr/bin/timeout -k 10 "$CT_TEST_TIMEOUT" "$@" </dev/null &
	pid=$!
	wait $pid
	rc=$?
	kill -KILL -$pid 2>/dev/null
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "ct-aarch64: killed after ${CT_TEST_TIMEOUT}s (status $rc)"
	fi
	return $rc
}

# run_one I TEST: run test number I; its verdict and status go to $RES/I.
run_one() {
	t=$2
	log=$TOP_BUILDDIR/${t%.sh}.log
	mkdir -p "$(dirname "$log")"
	start=$(uptime)
	(cd "$TOP_BUILDDIR" && run_test "$t") </dev/null >"$log" 2>&1
	rc=$?
	case " $CT_XFAIL " in
	*" $t "*) xfail=1 ;;
	*) xfail=0 ;;
	esac
	case $rc,$xfail in
	0,0) res=PASS ;;
	0,1) res=XPASS ;;
	77,*) res=SKIP ;;
	99,*) res=ERROR ;;
	*,1) res=XFAIL ;;
	*) res=FAIL ;;
	esac
	echo "$res $rc $(awk -v a="$start" -v b="$(uptime)" 'BEGIN { printf "%.1f", b - a }')" >"$RES/$1"
	# the seconds too: CI's time budget is spent in the guests
	echo "$res: $t ($(cut -d' ' -f3 "$RES/$1")s)"
}

# lane: run, in order, the tests no other lane has claimed (mkdir is atomic).
lane() {
	i=0
	while read -r t; do
		i=$((i + 1))
		[ -n "$t" ] || continue
		mkdir "$RES/claim.$i" 2>/dev/null || continue
		run_one "$i" "$t"
		if [ "$CT_PARALLEL" -le 1 ]; then
			# a test must not leave processes behind: they would slow down
			# (or disturb) the next ones
			left=$(ps -o pid,ppid,comm | awk '$1 != "PID" && $1 > 2 && $2 != 2 &&
				$3 != "ps" && $3 != "awk" && $3 != "init" { printf " %s(%s)", $3, $1 }')
			if [ -n "$left" ]; then
				echo "ct-aarch64: WARNING: $t left processes behind, killed:$left"
				kill -KILL -1
				sleep 0.2
			fi
		fi
	done </ct/tests.list
}

RES=/tmp/ct-results
mkdir -p "$RES"
cd "$TOP_BUILDDIR" || exit 1
CT_PARALLEL=${CT_PARALLEL:-1}
k=1
while [ "$k" -lt "$CT_PARALLEL" ]; do
	lane &
	k=$((k + 1))
done
lane
wait

# the verdict, in the order of TESTS, and the logs of the failed tests
passed=0
failed=0
skipped=0
total=0
: >/tmp/ct-times
i=0
while read -r t; do
	i=$((i + 1))
	[ -n "$t" ] || continue
	total=$((total + 1))
	read -r res rc secs <"$RES/$i" || { res=ERROR; rc=none; secs=0; }
	echo "$secs $t" >>/tmp/ct-times
	case $res in
	PASS | XFAIL) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*)
		failed=$((failed + 1))
		log=$TOP_BUILDDIR/${t%.sh}.log
		echo "ct-aarch64-log-begin nonce=$CT_NONCE $t (exit status $rc)"
		# the serial console is slow: the end of a long log
		n=$(wc -l <"$log")
		[ "$n" -le 400 ] || echo "[... first $((n - 400)) of $n lines left out; the whole log is $log in the guest]"
		tail -n 400 "$log"
		echo
		echo "ct-aarch64-log-end nonce=$CT_NONCE $t"
		;;
	esac
done </ct/tests.list

echo "ct-aarch64: slowest tests (s): $(sort -rn /tmp/ct-times | head -n 5 | tr '\n' ' ')"
echo "ct-aarch64: tests done at uptime $(uptime)s"
for f in "$CT_EXPORT_DIR"/*; do
	[ -f "$f" ] || continue
	echo "ct-aarch64-file-begin nonce=$CT_NONCE $(basename "$f")"
	base64 "$f"
	echo "ct-aarch64-file-end nonce=$CT_NONCE"
done
echo "ct-aarch64-result nonce=$CT_NONCE passed=$passed failed=$failed skipped=$skipped total=$total"
sync
poweroff -f
