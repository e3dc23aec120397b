#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the trace reader fuzz target with clang (libFuzzer, ASan, UBSan) out
# of tree, straight from the sources it needs, and run it for SECONDS
# (default 60) over a copy of tests/fuzz/corpus, in two builds at once (with
# and without checksum checks).  Exits non-zero when either finds a crash, a
# leak, a hang or undefined behaviour; reproducers and logs stay in the
# build directory (printed).
#
# usage: tests/fuzz/run.sh [SECONDS]
#   FUZZ_BUILD=DIR   build directory (default: a new one under /tmp)
#   FUZZ_JOBS=N      parallel fuzzing processes (default 1)
set -eu

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD:-$(mktemp -d /tmp/calltrap-fuzz.XXXXXX)}
jobs=${FUZZ_JOBS:-1}
mkdir -p "$out"

if ! command -v clang >/dev/null 2>&1; then
	apt-get install -y clang || { apt-get update && apt-get install -y clang; }
fi

# The sources #include "config.h"; configure would only add _GNU_SOURCE here.
printf '#define _GNU_SOURCE 1\n' >"$out/config.h"

cd "$top"
srcs="$(echo src/trace/reader*.c) src/trace/crc32c.c src/trace/event.c
	src/util/cxxname.c src/util/labels.c src/util/strbuf.c
	src/arch/arch.c src/arch/codebuf.c $(echo src/arch/x86_64/*.c src/arch/aarch64/*.c)"
build() { # NAME EXTRA-CFLAGS
	# shellcheck disable=SC2086
	clang -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $2 \
		-I"$out" -I"$top/src" $(pkg-config --cflags capstone) \
		-o "$out/$1" "$here/fuzz_reader.c" $srcs $(pkg-config --libs capstone)
}
# Two targets: the reader as shipped, and one that ignores checksum
# mismatches so that mutations reach the record decoders (src/trace/reader*.c).
build fuzz_reader ""
build fuzz_reader_nocrc -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION

run() { # NAME: fuzz a copy of the seeds (new inputs never go into the committed ones)
	mkdir -p "$out/corpus-$1" "$out/$1-artifacts"
	cp "$here"/corpus/* "$out/corpus-$1/"
	par=
	[ "$jobs" -gt 1 ] && par="-fork=$jobs"
	# shellcheck disable=SC2086
	"$out/$1" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		$par -artifact_prefix="$out/$1-artifacts/" -print_final_stats=1 \
		"$out/corpus-$1" >"$out/$1.log" 2>&1
}

echo "fuzzing the trace reader for ${secs}s (two targets side by side) in $out"
run fuzz_reader &
p1=$!
run fuzz_reader_nocrc &
p2=$!
status=0
wait "$p1" || status=1
wait "$p2" || status=1
for t in fuzz_reader fuzz_reader_nocrc; do
	printf '%s: ' "$t"
	grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$out/$t.log" |
		tr '\n' ' '
	echo
done
if [ "$status" -ne 0 ]; then
	for t in fuzz_reader fuzz_reader_nocrc; do
		if ls "$out/$t-artifacts/"* >/dev/null 2>&1; then
			echo "$t failed; reproducers:" >&2
			ls "$out/$t-artifacts/"* >&2
			grep -E 'ERROR|runtime error|SUMMARY' "$out/$t.log" | head -5 >&2
		fi
	done
	echo "fuzzing failed; logs in $out" >&2
	exit 1
fi
echo "fuzz: no crash in ${secs}s"
