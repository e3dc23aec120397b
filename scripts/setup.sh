#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by demo/run.sh and tests/run.sh: install what calltrap needs on
# Debian 12 (only what is missing, so a second run is quick), then build it
# out of tree in build/ (or $CALLTRAP_BUILD).  Sourced, not run.
set -euo pipefail

CT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CT_BUILD=${CALLTRAP_BUILD:-$CT_ROOT/build}
CT_DEPS=(build-essential g++ autoconf automake libtool pkg-config libelf-dev libdw-dev
	 libcapstone-dev libcmocka-dev libedit-dev python3 groff-base tmux
	 protobuf-compiler python3-protobuf)

ct_install_deps() {
	local missing=() p
	for p in "${CT_DEPS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo="sudo -E"
	echo "calltrap: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

ct_build() {
	(cd "$CT_ROOT" && { [ -x configure ] || autoreconf -fi; })
	mkdir -p "$CT_BUILD"
	cd "$CT_BUILD"
	[ -f Makefile ] || "$CT_ROOT/configure" "$@"
	make -j"$(nproc)"
}
