#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/aarch64/run.sh: the test suite on a real aarch64 kernel (make check-aarch64).
#
# From the build directory of an ordinary x86_64 configure, on Debian 12:
#   1. install what is missing (qemu-system-arm, the aarch64 cross compilers, the
#      arm64 -dev packages calltrap links against) and download, into a cache,
#      the guest's kernel, busybox, bash, python3 and a few GNU tools;
#   2. cross-configure and build calltrap, its unit tests and its test targets in
#      BUILDDIR/build-aarch64 (build-aarch64-pac with --pac);
#   3. pack them, their shared libraries and the integration scripts into an
#      initramfs whose /init (tests/aarch64/init.sh) runs every test of TESTS;
#   4. boot it with qemu-system-aarch64 (full-system TCG: qemu's user mode has no
#      ptrace) and read the verdict from the serial console.
# Exit status 0 only if the guest printed its result line with this run's nonce
# and every test passed; the last line printed is "N passed, N failed".
#
# Options (make check-aarch64 passes --srcdir and --builddir):
#   --srcdir DIR --builddir DIR   the source tree and the x86_64 build directory
#   --pac                 -cpu max,pauth-impdef=on and everything built with
#                         -mbranch-protection=standard (make check-aarch64-pac);
#                         without --tests, the unit tests and PAC_GUEST_TESTS
#   --cpu MODEL           qemu -cpu (default cortex-a72, or the above with --pac)
#   --smp N --mem MB      guest size (default 2, 2048)
#   --timeout SEC         host-side limit for the VM run (default 3600)
#   --test-timeout SEC    limit for one test inside the guest (default 1500)
#   --ct-timeout SEC      CT_TIMEOUT for lib.sh inside the guest (default 180;
#                         lib.sh's 60 is for native speed)
#   --tests 'T ...'       run only these entries of TESTS
#   --parallel N          run N tests at a time in the guest (default 2: a
#                         test keeps about one vCPU busy, tracer and tracee
#                         taking turns; two halve the suite's time)
#   --cache DIR           downloads and extracted packages
#                         (default ${XDG_CACHE_HOME:-$HOME/.cache}/calltrap-aarch64)
#   --jobs N              make -jN for the cross build (default 2)
#   --bench               run bench/run.sh in the guest instead of the tests
#                         (its programs cross-built here; no ltrace rows)
#   --no-install          never call apt-get; fail if something is missing
#   --no-boot             stop after building the initramfs
set -euo pipefail

PROG=check-aarch64
log() { echo "$PROG: $*" >&2; }
die() { echo "$PROG: error: $*" >&2; exit 2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

SRCDIR=
BUILDDIR=
PAC=0
CPU=
SMP=2
MEM=2048
TIMEOUT=3600
TEST_TIMEOUT=1500
CT_TIMEOUT=180
ONLY_TESTS=
CACHE=
JOBS=2
PARALLEL=2
INSTALL=1
BOOT=1
BENCH=0

while [ $# -gt 0 ]; do
	opt=$1
	val=
	case $opt in
	--*=*) val=${opt#*=}; opt=${opt%%=*} ;;
	--srcdir | --builddir | --cpu | --smp | --mem | --timeout | --test-timeout | \
	--ct-timeout | --tests | --cache | --jobs | --parallel)
		[ $# -ge 2 ] || die "$opt needs a value"
		val=$2
		shift
		;;
	esac
	case $opt in
	--srcdir) SRCDIR=$val ;;
	--builddir) BUILDDIR=$val ;;
	--pac) PAC=1 ;;
	--cpu) CPU=$val ;;
	--smp) SMP=$val ;;
	--mem) MEM=$val ;;
	--timeout) TIMEOUT=$val ;;
	--test-timeout) TEST_TIMEOUT=$val ;;
	--ct-timeout) CT_TIMEOUT=$val ;;
	--tests) ONLY_TESTS=$val ;;
	--cache) CACHE=$val ;;
	--jobs) JOBS=$val ;;
	--parallel) PARALLEL=$val ;;
	--no-install) INSTALL=0 ;;
	--no-boot) BOOT=0 ;;
	--bench) BENCH=1 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done

[ -n "$SRCDIR" ] || SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "$BUILDDIR" ] || BUILDDIR=$PWD
SRCDIR=$(cd "$SRCDIR" && pwd)
BUILDDIR=$(cd "$BUILDDIR" && pwd)
[ -x "$SRCDIR/configure" ] || die "$SRCDIR/configure is missing (run autoreconf -fi there)"
# configure refuses an out-of-tree build from a source tree configured in place
if [ -f "$SRCDIR/config.status" ]; then
	die "$SRCDIR is configured in-tree; the aarch64 cross build needs a clean source" \
		"tree: run 'make distclean' there and configure in a separate directory"
fi
for v in SMP MEM TIMEOUT TEST_TIMEOUT CT_TIMEOUT JOBS PARALLEL; do
	case ${!v} in '' | *[!0-9]*) die "--$(echo "$v" | tr 'A-Z_' 'a-z-') wants a number" ;; esac
done

SUFFIX=
CROSS_CC=aarch64-linux-gnu-gcc
CROSS_CXX=aarch64-linux-gnu-g++
if [ "$PAC" = 1 ]; then
	SUFFIX=-pac
	# whole build, so libc's callers and calltrap itself are signed too
	CROSS_CC="$CROSS_CC -mbranch-protection=standard"
	CROSS_CXX="$CROSS_CXX -mbranch-protection=standard"
	# the default QARMA5 pointer-auth emulation is ~3x slower
	[ -n "$CPU" ] || CPU=max,pauth-impdef=on
fi
[ -n "$CPU" ] || CPU=cortex-a72
XBUILD=$BUILDDIR/build-aarch64$SUFFIX
RUNDIR=$BUILDDIR/aarch64-run$SUFFIX
if [ -z "$CACHE" ]; then
	CACHE=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/calltrap-aarch64
	mkdir -p "$CACHE" 2>/dev/null || CACHE=$BUILDDIR/aarch64-cache
fi
mkdir -p "$CACHE/debs" "$RUNDIR"
CACHE=$(cd "$CACHE" && pwd)
SYSROOT=$CACHE/sysroot
MULTIARCH=aarch64-linux-gnu
T0=$(now)

# Debian's own python3 (not a pyenv or venv one): its stdlib layout is the one
# of the arm64 packages, and its version picks them.
HOST_PY=/usr/bin/python3

# ------------------------------------------------------------------ 1. provisioning

HOST_PKGS=(qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
	   cpio gzip pkg-config python3 util-linux)
# Multi-Arch: same packages install next to their amd64 twins (same version:
# installing them may upgrade the amd64 ones)
ARM64_PKGS=(libc6 libelf-dev libdw-dev libcapstone-dev libcmocka-dev libedit-dev)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	SUDO=(sudo -n)
fi
APT_ENV=(env DEBIAN_FRONTEND=noninteractive)
APT_UPDATED=0

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_update() {
	[ "$APT_UPDATED" = 0 ] || return 0
	log "apt-get update"
	"${SUDO[@]}" "${APT_ENV[@]}" apt-get update -q >"$RUNDIR/apt.log" 2>&1 ||
		{ cat "$RUNDIR/apt.log" >&2; die "apt-get update failed"; }
	APT_UPDATED=1
}

have_arm64_lists() { compgen -G '/var/lib/apt/lists/*binary-arm64_Packages*' >/dev/null; }

provision() {
	local missing=() p

	for p in "${HOST_PKGS[@]}"; do installed "$p" || missing+=("$p"); done
	for p in "${ARM64_PKGS[@]}"; do installed "$p:arm64" || missing+=("$p:arm64"); done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$INSTALL" = 1 ] || die "missing packages: ${missing[*]} (and --no-install was given)"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "dpkg --add-architecture arm64"
		"${SUDO[@]}" dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed (root or sudo needed)"
	fi
	apt_update
	log "apt-get install ${missing[*]}"
	"${SUDO[@]}" "${APT_ENV[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
		>"$RUNDIR/apt.log" 2>&1 || { cat "$RUNDIR/apt.log" >&2; die "apt-get install failed"; }
}

# cached_deb PKG: the newest cached PKG_*_arm64.deb (PKG may be a pattern), or nothing.
cached_deb() {
	local f best=

	# shellcheck disable=SC2231 # $1 is a pattern
	for f in "$CACHE/debs/"$1_*_arm64.deb; do
		if [ -e "$f" ] && { [ -z "$best" ] || [ "$f" -nt "$best" ]; }; then
			best=$f
		fi
	done
	echo "$best"
}

# fetch PKG...: download into the cache, at once, the arm64 .debs it lacks.
fetch() {
	local missing=() p opt=()

	for p in "$@"; do
		[ -n "$(cached_deb "$p")" ] || missing+=("$p:arm64")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$INSTALL" = 1 ] || die "not in $CACHE/debs: ${missing[*]} (and --no-install was given)"
	have_arm64_lists || apt_update
	# as root, apt drops to the _apt user, who may not write into the cache
	[ "$(id -u)" -ne 0 ] || opt=(-o APT::Sandbox::User=root)
	log "apt-get download ${missing[*]}"
	if ! (cd "$CACHE/debs" && apt-get -q "${opt[@]}" download "${missing[@]}") >"$RUNDIR/apt.log" 2>&1; then
		# stale lists: the archive has dropped a version
		apt_update
		(cd "$CACHE/debs" && apt-get -q "${opt[@]}" download "${missing[@]}") >"$RUNDIR/apt.log" 2>&1 ||
			{ cat "$RUNDIR/apt.log" >&2; die "apt-get download failed"; }
	fi
}

# extract DEB: unpack into the sysroot once.
extract() {
	local stamp

	stamp=$SYSROOT/.stamps/$(basename "$1")
	[ -f "$stamp" ] && return 0
	mkdir -p "$SYSROOT/.stamps"
	dpkg-deb -x "$1" "$SYSROOT" || die "dpkg-deb -x $1 failed"
	touch "$stamp"
}

# The kernel: linux-image-cloud-arm64 depends on the current ABI's package
# (linux-image-6.1.0-NN-cloud-arm64), whose name changes with every ABI bump.
kernel_package() {
	apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
		awk '/^ *Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }' || true
}

# kernel_image DEB: the kernel Image, extracted once.
kernel_image() {
	local deb=$1 kdir vmlinuz

	kdir=$CACHE/kernel/$(basename "$deb" .deb)
	if [ ! -f "$kdir/Image" ]; then
		rm -rf "$kdir"
		mkdir -p "$kdir"
		# only the image: the modules are not needed (virt's devices are built in)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards './boot/vmlinuz-*' ||
			die "no ./boot/vmlinuz-* in $deb"
		vmlinuz=("$kdir"/boot/vmlinuz-*)
		# bookworm ships a plain Image (EFI stub); other releases gzip it
		if [ "$(od -An -tx1 -N2 "${vmlinuz[0]}" | tr -d ' \n')" = 1f8b ]; then
			gzip -dc "${vmlinuz[0]}" >"$kdir/Image.tmp"
		else
			cp "${vmlinuz[0]}" "$kdir/Image.tmp"
		fi
		mv "$kdir/Image.tmp" "$kdir/Image"
		rm -rf "${kdir:?}/boot"
	fi
	echo "$kdir/Image"
}

T=$(now)
exec 8>"$CACHE/.lock"
flock 8 || die "cannot lock $CACHE"
provision
for c in qemu-system-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-readelf cpio gzip dpkg-deb "$HOST_PY"; do
	command -v "$c" >/dev/null || die "missing host tool $c"
done
PYVER=$("$HOST_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The guest's user space, taken from arm64 packages without installing them:
# bash and python3 for the integration scripts and their checker; the GNU
# tools the scripts are written against (lib.sh: `timeout -k`, which kills
# the whole process group, `env --default-signal`; `paste -d ''` ...), with
# busybox for the rest; setpriv (errors.sh); and the libraries these need
# that the -dev packages did not bring in.
GNU_PKGS=(coreutils grep sed diffutils findutils mawk)
GUEST_PKGS=(busybox-static bash "${GNU_PKGS[@]}" util-linux
	    "python$PYVER-minimal" "libpython$PYVER-minimal" "libpython$PYVER-stdlib"
	    libtinfo6 libcap-ng0 libexpat1 zlib1g libacl1 libattr1 libgmp10 libselinux1
	    libpcre2-8-0)
KPKG=$(kernel_package)
if [ -z "$KPKG" ] && [ "$INSTALL" = 1 ]; then
	apt_update
	KPKG=$(kernel_package)
fi
fetch "${GUEST_PKGS[@]}" ${KPKG:+"$KPKG"}
for p in "${GUEST_PKGS[@]}"; do
	extract "$(cached_deb "$p")"
done
if [ -n "$KPKG" ]; then
	KDEB=$(cached_deb "$KPKG")
else
	KDEB=$(cached_deb 'linux-image-*-cloud-arm64')
	[ -n "$KDEB" ] || die "cannot resolve linux-image-cloud-arm64:arm64 (arm64 not in apt's lists?)"
	log "warning: linux-image-cloud-arm64:arm64 unresolved, using the cached $(basename "$KDEB")"
fi
KERNEL=$(kernel_image "$KDEB")
flock -u 8
log "host ready: packages, kernel $(basename "$(dirname "$KERNEL")") ($(since "$T")s)"

# ------------------------------------------------------------------ 2. cross build

T=$(now)
CONF=("$SRCDIR/configure" "--host=$MULTIARCH" "CC=$CROSS_CC" "CXX=$CROSS_CXX"
      "PKG_CONFIG_LIBDIR=/usr/lib/$MULTIARCH/pkgconfig:/usr/share/pkgconfig")
mkdir -p "$XBUILD"
if [ ! -f "$XBUILD/Makefile" ] || [ "$(cat "$XBUILD/.ct-configure" 2>/dev/null)" != "${CONF[*]}" ]; then
	log "configuring $XBUILD"
	find "$XBUILD" -mindepth 1 -delete
	(cd "$XBUILD" && "${CONF[@]}") >"$XBUILD/configure.out" 2>&1 ||
		{ tail -n 40 "$XBUILD/configure.out" >&2; die "cross configure failed (log: $XBUILD/configure.out)"; }
	echo "${CONF[*]}" >"$XBUILD/.ct-configure"
fi
log "cross-building in $XBUILD"
# a build of its own: nothing from the make that runs this script (-j, TESTS=...)
xmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }
# TESTS= builds calltrap, the unit tests and the targets without running them
if ! (cd "$XBUILD" && xmake -j"$JOBS" && xmake -j"$JOBS" check TESTS=) >"$XBUILD/make.out" 2>&1; then
	grep -E -B2 -A8 'error|Error' "$XBUILD/make.out" | tail -n 60 >&2
	die "cross build failed (log: $XBUILD/make.out)"
fi
nwarn=$(grep -c 'warning:' "$XBUILD/make.out" || true)
if [ "$nwarn" -gt 0 ]; then
	log "the cross build printed $nwarn warnings:"
	grep 'warning:' "$XBUILD/make.out" | sort -u | head -n 20 >&2
fi
log "cross build done ($(since "$T")s)"

# What to run and copy: TESTS and check_PROGRAMS as the aarch64 Makefile sees them.
VARS=$(xmake -s -C "$XBUILD" check-aarch64-vars) ||
	die "make check-aarch64-vars failed in $XBUILD (does Makefile.am include tests/aarch64/local.mk?)"
var() { sed -n "s/^$1: *//p" <<<"$VARS"; }
read -r -a ALL_TESTS <<<"$(var tests)"
read -r -a XFAIL <<<"$(var xfail)"
read -r -a PROGRAMS <<<"$(var programs)"
read -r -a PAC_TESTS <<<"$(var pac)"
if [ -n "$ONLY_TESTS" ]; then
	TESTLIST=()
	for t in $ONLY_TESTS; do
		[[ " ${ALL_TESTS[*]} " == *" $t "* ]] || die "--tests: $t is not in TESTS"
		TESTLIST+=("$t")
	done
elif [ "$PAC" = 1 ]; then
	# what pointer authentication and BTI can change (PAC_GUEST_TESTS,
	# tests/integration/local.mk); the plain guest runs the whole suite
	TESTLIST=()
	for t in "${ALL_TESTS[@]}"; do
		[[ $t == tests/unit/* || " ${PAC_TESTS[*]} " == *" $t "* ]] && TESTLIST+=("$t")
	done
	log "--pac: ${#TESTLIST[@]} of ${#ALL_TESTS[@]} tests (the unit tests and PAC_GUEST_TESTS)"
else
	TESTLIST=("${ALL_TESTS[@]}")
fi
[ "$BENCH" = 0 ] || TESTLIST=(ct-aarch64:bench)
[ ${#TESTLIST[@]} -gt 0 ] || die "no tests to run"
# a first check that the CPU model really has pointer authentication
[ "$PAC" = 0 ] || TESTLIST=(ct-aarch64:pac-cpu "${TESTLIST[@]}")

if [ "$PAC" = 1 ]; then
	# the targets must really carry pointer authentication (paciasp = hint #25)
	n=$(aarch64-linux-gnu-objdump -d "$XBUILD/tests/targets/calls-O0" | grep -c -E 'paciasp|hint\s+#0x19|hint\s+#25' || true)
	[ "$n" -gt 0 ] || die "tests/targets/calls-O0 has no paciasp: -mbranch-protection=standard did not apply"
	log "pac: tests/targets/calls-O0 has $n paciasp instructions"
fi

# ------------------------------------------------------------------ 3. initramfs

T=$(now)
ROOT=$RUNDIR/root
rm -rf "$ROOT"
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib/$MULTIARCH,proc,sys,dev,tmp,root,etc,ct/src,ct/build}
# merged /usr, as on Debian 12
ln -s usr/bin "$ROOT/bin"
ln -s usr/sbin "$ROOT/sbin"
ln -s usr/lib "$ROOT/lib"
chmod 1777 "$ROOT/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
# init's first stdio; as non-root, /init reopens /dev/console from devtmpfs
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$ROOT/dev/console" c 5 1
fi

# Shared libraries: the installed arm64 packages first, then the extracted
# ones, then the cross toolchain's (libstdc++).
LIBDIRS=("/usr/lib/$MULTIARCH" "/lib/$MULTIARCH" "$SYSROOT/usr/lib/$MULTIARCH"
	 "$SYSROOT/lib/$MULTIARCH" "/usr/$MULTIARCH/lib")
declare -A HAVE=()

# add_elf FILE: copy the libraries FILE needs, recursively (DT_NEEDED).
add_elf() {
	local f=$1 info need src d

	info=$(LC_ALL=C aarch64-linux-gnu-readelf -hdlW "$f" 2>/dev/null) || return 0
	grep -q 'Machine:.*AArch64' <<<"$info" || return 0
	while read -r need; do
		[ -z "${HAVE[$need]:-}" ] || continue
		HAVE[$need]=1
		src=
		for d in "${LIBDIRS[@]}"; do
			if [ -e "$d/$need" ]; then
				src=$d/$need
				break
			fi
		done
		[ -n "$src" ] || die "library $need (needed by $f) not found in ${LIBDIRS[*]}"
		cp -L "$src" "$ROOT/usr/lib/$MULTIARCH/$need"
		add_elf "$src"
	done < <(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$info")
}

# add_file SRC DST: copy one file into the image (DST relative to its root).
add_file() {
	mkdir -p "$ROOT/$(dirname "$2")"
	cp -L "$1" "$ROOT/$2"
	add_elf "$ROOT/$2"
}

cp "$SYSROOT/bin/busybox" "$ROOT/usr/bin/busybox"
ln -s busybox "$ROOT/usr/bin/sh"
add_file "$SYSROOT/bin/bash" usr/bin/bash
for p in "${GNU_PKGS[@]}"; do
	# every executable the package ships in a bin directory
	while read -r f; do
		add_file "$SYSROOT/${f#./}" "usr/bin/$(basename "$f")"
	done < <(dpkg-deb -c "$(cached_deb "$p")" | awk '$1 ~ /^-..x/ && $6 ~ /^\.\/(usr\/)?s?bin\// { print $6 }')
done
ln -s mawk "$ROOT/usr/bin/awk"
add_file "$SYSROOT/usr/bin/setpriv" usr/bin/setpriv
add_file "$SYSROOT/usr/bin/python$PYVER" "usr/bin/python$PYVER"
ln -s "python$PYVER" "$ROOT/usr/bin/python3"

# The python modules the checker imports, found on the host's identical
# python (modulefinder follows imports inside functions too, so it is told to
# skip the big packages that stdlib modules only import for optional
# features, and _hashlib: hashlib falls back to its built-in sha256), plus those the interpreter loads at startup; copied from the
# arm64 packages and compiled.
PYLIB=usr/lib/python$PYVER
"$HOST_PY" - "$SRCDIR/tests/integration/check_events.py" "$SRCDIR/tests/fixtures/gen.py" \
	>"$RUNDIR/pymodules" <<-'EOF' ||
	import sys
	startup = {m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)}
	import modulefinder, os, sysconfig
	stdlib = sysconfig.get_paths()['stdlib']
	skip = ('asyncio concurrent ctypes distutils doctest email ftplib http importlib.metadata '
	        'importlib.resources lib2to3 mimetypes multiprocessing netrc pdb pydoc pydoc_data '
	        'readline socketserver ssl tarfile test tkinter unittest urllib webbrowser xml.dom '
	        'xml.sax xmlrpc zipfile _testcapi _testinternalcapi _hashlib _ssl').split()
	finder = modulefinder.ModuleFinder(excludes=skip)
	for script in sys.argv[1:]:
	    finder.run_script(script)
	# what the integration scripts' inline python imports besides
	for mod in ('pty', 'tty', 'select', 'xml.etree.ElementTree'):
	    finder.import_hook(mod)
	files = set(startup)
	files.update(m.__file__ for m in finder.modules.values() if m.__file__)
	for f in sorted(files):
	    f = os.path.realpath(f)
	    if f.startswith(stdlib + '/'):
	        print(os.path.relpath(f, stdlib))
	EOF
	die "cannot list the python modules check_events.py needs"
mkdir -p "$ROOT/$PYLIB"
cp -r "$SYSROOT/$PYLIB/encodings" "$ROOT/$PYLIB/"
npy=0
while read -r rel; do
	case $rel in
	encodings/* | site-packages/* | dist-packages/*) continue ;;
	esac
	rel=${rel//x86_64-linux-gnu/$MULTIARCH}
	if [ ! -e "$SYSROOT/$PYLIB/$rel" ]; then
		# e.g. sitecustomize, which only Debian's host configuration has
		log "note: python module $rel is not in the arm64 packages, left out"
		continue
	fi
	add_file "$SYSROOT/$PYLIB/$rel" "$PYLIB/$rel"
	npy=$((npy + 1))
done <"$RUNDIR/pymodules"
# sysconfig data, read by site and platform
for f in "$SYSROOT/$PYLIB"/_sysconfigdata_*"$MULTIARCH".py; do
	[ -e "$f" ] && cp "$f" "$ROOT/$PYLIB/"
done
find "$ROOT/$PYLIB" -name __pycache__ -prune -exec rm -rf {} +
# unchecked-hash: the guest never recompiles (a fresh rootfs every boot)
"$HOST_PY" -m compileall -q -j 0 --invalidation-mode unchecked-hash -s "$ROOT" -p / "$ROOT/$PYLIB" >/dev/null ||
	die "compileall failed"

# The tests: the build tree's programs and the source tree's scripts, at the
# same relative paths.
for p in "${PROGRAMS[@]}"; do
	[ -f "$XBUILD/$p" ] || die "$p was not built in $XBUILD"
	add_file "$XBUILD/$p" "ct/build/$p"
done
for d in tests/integration tests/fixtures tests/fuzz/corpus; do
	[ -d "$SRCDIR/$d" ] || continue
	mkdir -p "$ROOT/ct/src/$d"
	cp -r "$SRCDIR/$d/." "$ROOT/ct/src/$d/"
done
# the man page: tests check that it documents what the program offers
mkdir -p "$ROOT/ct/src/man"
cp "$SRCDIR/man/calltrap.1" "$ROOT/ct/src/man/"
# the targets' sources (not the build files): replay.sh --srcline finds
# each function's line in calls.c
mkdir -p "$ROOT/ct/src/tests/targets"
cp "$SRCDIR"/tests/targets/*.c "$SRCDIR"/tests/targets/*.cc "$ROOT/ct/src/tests/targets/"
find "$ROOT/ct/src" \( -name '*.mk' -o -name __pycache__ \) -prune -exec rm -rf {} +

# --bench: what bench/run.sh would compile, compiled here (the guest has no
# compiler), as run.sh does it
if [ "$BENCH" = 1 ]; then
	mkdir -p "$ROOT/ct/bench" "$ROOT/ct/src/bench"
	cp "$SRCDIR"/bench/*.sh "$ROOT/ct/src/bench/"
	bflags=(-std=gnu11 -O2 -g -Wall -Wextra)
	for b in bench_target:bench_target.c bench_target_int3:bench_target.c:-DBENCH_INT3 \
		bench_target_nopie:bench_target.c:-no-pie ptrace_floor:ptrace_floor.c \
		ptrace_costs:ptrace_costs.c maxrss:maxrss.c; do
		IFS=: read -r out src extra <<<"$b"
		# shellcheck disable=SC2086 # CROSS_CC and extra are word lists
		$CROSS_CC "${bflags[@]}" $extra "$SRCDIR/bench/$src" -o "$ROOT/ct/bench/$out" ||
			die "cross-compiling bench/$src failed"
		add_elf "$ROOT/ct/bench/$out"
	done
fi

# the dynamic loader, under the name PT_INTERP gives
for d in "${LIBDIRS[@]}"; do
	if [ -e "$d/ld-linux-aarch64.so.1" ]; then
		[ -e "$ROOT/usr/lib/$MULTIARCH/ld-linux-aarch64.so.1" ] ||
			cp -L "$d/ld-linux-aarch64.so.1" "$ROOT/usr/lib/$MULTIARCH/"
		break
	fi
done
[ -e "$ROOT/usr/lib/$MULTIARCH/ld-linux-aarch64.so.1" ] || die "ld-linux-aarch64.so.1 not found"
ln -s "$MULTIARCH/ld-linux-aarch64.so.1" "$ROOT/usr/lib/ld-linux-aarch64.so.1"

NONCE=$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')
cp "$SRCDIR/tests/aarch64/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"
printf '%s\n' "${TESTLIST[@]}" >"$ROOT/ct/tests.list"
{
	echo "CT_NONCE=$NONCE"
	echo "CT_TEST_TIMEOUT=$TEST_TIMEOUT"
	echo "CT_TIMEOUT=$CT_TIMEOUT"
	echo "CT_XFAIL=' ${XFAIL[*]} '"
	echo "CT_PAC=$PAC"
	echo "CT_PARALLEL=$PARALLEL"
} >"$ROOT/ct/run.conf"

INITRD=$RUNDIR/initramfs.cpio.gz
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$INITRD"
log "initramfs: ${#TESTLIST[@]} tests, $npy python modules, $(du -k "$INITRD" | cut -f1) KiB" \
	"($(du -sk "$ROOT" | cut -f1) KiB unpacked) ($(since "$T")s)"
[ "$BOOT" = 1 ] || { log "--no-boot: initramfs in $INITRD"; exit 0; }

# ------------------------------------------------------------------ 4. boot and verdict

CONSOLE=$RUNDIR/console.log
T=$(now)
log "booting qemu-system-aarch64 -M virt -cpu $CPU -smp $SMP -m $MEM (limit ${TIMEOUT}s; console: $CONSOLE)"
set +e
# quiet: only our lines and the kernel's warnings reach the console;
# panic=-1 with -no-reboot turns a panic into an exit instead of a hang.
timeout -k 10 "$TIMEOUT" qemu-system-aarch64 \
	-M virt -cpu "$CPU" -smp "$SMP" -m "$MEM" \
	-nographic -monitor none -serial stdio -nic none -no-reboot \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyAMA0 rdinit=/init panic=-1 oops=panic quiet" </dev/null 2>&1 |
	tee "$CONSOLE.raw" |
	awk -v b="ct-aarch64-log-begin nonce=$NONCE " -v e="ct-aarch64-log-end nonce=$NONCE " \
	    -v fb="ct-aarch64-file-begin nonce=$NONCE " -v fe="ct-aarch64-file-end nonce=$NONCE" '
		{ sub(/\r$/, "") }
		index($0, b) == 1 || index($0, fb) == 1 { skip = 1; next }
		index($0, e) == 1 || index($0, fe) == 1 { skip = 0; next }
		!skip { print; fflush() }'
QRC=${PIPESTATUS[0]}
set -e
tr -d '\r' <"$CONSOLE.raw" >"$CONSOLE"
rm -f "$CONSOLE.raw"
log "VM ran $(since "$T")s (qemu status $QRC); total $(since "$T0")s"

RESULT=$(grep -a -E "^ct-aarch64-result nonce=$NONCE " "$CONSOLE" | tail -n 1 || true)
num() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$RESULT"; }
if [ -z "$RESULT" ]; then
	if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
		log "FAILED: no result after ${TIMEOUT}s: the guest hung (raise --timeout/AARCH64_TIMEOUT if it was only slow)"
	else
		log "FAILED: the VM stopped (qemu status $QRC) without a result line: panic or crash, see $CONSOLE"
	fi
	passed=$(grep -a -c -E '^(PASS|XFAIL|SKIP): ' "$CONSOLE" || true)
	echo "$passed passed, $((${#TESTLIST[@]} - passed)) failed"
	exit 3
fi
passed=$(num passed)
failed=$(num failed)
skipped=$(num skipped)
total=$(num total)
if [ "$total" != "${#TESTLIST[@]}" ]; then
	log "FAILED: the guest ran $total tests, not ${#TESTLIST[@]}"
	failed=$((failed + ${#TESTLIST[@]} - total))
fi

# Files the guest's tests left for us (init.sh prints them in base64).
EXPORT=$RUNDIR/export
rm -rf "$EXPORT"
mkdir -p "$EXPORT"
awk -v fb="ct-aarch64-file-begin nonce=$NONCE " -v fe="ct-aarch64-file-end nonce=$NONCE" \
    -v dir="$EXPORT" '
	index($0, fb) == 1 { name = substr($0, length(fb) + 1); gsub(/[^A-Za-z0-9._-]/, "_", name)
		out = dir "/" name ".b64"; next }
	index($0, fe) == 1 { close(out); out = ""; next }
	out != "" { print > out }' "$CONSOLE"
for f in "$EXPORT"/*.b64; do
	[ -e "$f" ] || continue
	base64 -d "$f" >"${f%.b64}" || { log "FAILED: cannot decode $(basename "$f")"; failed=$((failed + 1)); }
	rm -f "$f"
done

# Portability of traces: the trace tests/integration/regs.sh made in the
# guest and the same one made here hold the same events, each with its own
# architecture's registers (check_events.py portable).
HOST_ARCH=$(uname -m)
if [ -f "$EXPORT/regs-aarch64.jsonl" ]; then
	if xmake -s -C "$BUILDDIR" calltrap tests/targets/calls-O2 >"$RUNDIR/host-build.out" 2>&1 &&
		"$BUILDDIR/calltrap" trace --regs -e add -e mul3 -e sum6 --format=jsonl \
			-o "$EXPORT/regs-$HOST_ARCH.jsonl" -- "$BUILDDIR/tests/targets/calls-O2" \
			>"$EXPORT/regs-$HOST_ARCH.out" 2>"$EXPORT/regs-$HOST_ARCH.err" </dev/null &&
		"$HOST_PY" "$SRCDIR/tests/integration/check_events.py" portable --funcs add,mul3,sum6 \
			--trace "aarch64:$EXPORT/regs-aarch64.jsonl:$EXPORT/regs-aarch64.out" \
			--trace "$HOST_ARCH:$EXPORT/regs-$HOST_ARCH.jsonl:$EXPORT/regs-$HOST_ARCH.out" \
			>"$EXPORT/portable.out" 2>&1; then
		log "portability: $(tail -n 1 "$EXPORT/portable.out")"
	else
		log "FAILED: the guest's trace and the host's differ (or the host run failed):"
		cat "$RUNDIR/host-build.out" "$EXPORT/regs-$HOST_ARCH.err" "$EXPORT/portable.out" 2>/dev/null |
			tail -n 40 >&2
		failed=$((failed + 1))
	fi
fi
# The trace file recorded in the guest, dumped here: aarch64 register names
# (from the file, not the host), the same events as the host's run.
if [ -f "$EXPORT/regs-aarch64.trace" ] && [ -f "$EXPORT/regs-$HOST_ARCH.jsonl" ]; then
	if "$BUILDDIR/calltrap" dump --format=jsonl "$EXPORT/regs-aarch64.trace" \
			>"$EXPORT/regs-aarch64.trace.jsonl" 2>"$EXPORT/dump.err" &&
		"$HOST_PY" "$SRCDIR/tests/integration/check_events.py" portable --funcs add,mul3,sum6 \
			--trace "aarch64:$EXPORT/regs-aarch64.trace.jsonl:$EXPORT/regs-aarch64.trace.out" \
			--trace "$HOST_ARCH:$EXPORT/regs-$HOST_ARCH.jsonl:$EXPORT/regs-$HOST_ARCH.out" \
			>"$EXPORT/portable-file.out" 2>&1 &&
		"$BUILDDIR/calltrap" replay "$EXPORT/regs-aarch64.trace" >"$EXPORT/replay.out" \
			2>>"$EXPORT/dump.err" &&
		grep -Eq 'add\((0x3, 0x4|a=3, b=4)' "$EXPORT/replay.out" &&
		"$BUILDDIR/calltrap" report "$EXPORT/regs-aarch64.trace" >"$EXPORT/report.out" \
			2>>"$EXPORT/dump.err" && grep -q 'sum6' "$EXPORT/report.out"; then
		log "portability of the trace file: $(tail -n 1 "$EXPORT/portable-file.out"); replay and report read it"
	else
		log "FAILED: the guest's trace file does not dump here as it was recorded:"
		cat "$EXPORT/dump.err" "$EXPORT/portable-file.out" 2>/dev/null | tail -n 40 >&2
		failed=$((failed + 1))
	fi
fi

# the failed tests' logs, from between their markers
if [ "$failed" -gt 0 ]; then
	awk -v b="ct-aarch64-log-begin nonce=$NONCE " -v e="ct-aarch64-log-end nonce=$NONCE " '
		index($0, b) == 1 { name = substr($0, length(b) + 1); on = 1
			print ""; print "----- failed: " name " (aarch64 guest) -----"; next }
		index($0, e) == 1 { on = 0; next }
		on { print }' "$CONSOLE"
	echo
	awk -v b="ct-aarch64-log-begin nonce=$NONCE " -v e="ct-aarch64-log-end nonce=$NONCE " '
		index($0, b) == 1 { on = 1 }
		index($0, e) == 1 { on = 0 }
		!on && /^(FAIL|XPASS|ERROR): / { print }' "$CONSOLE"
fi
[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
