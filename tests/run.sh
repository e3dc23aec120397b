#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the build dependencies, build calltrap in build/, and run the unit
# and integration tests (make check).  Exits non-zero if any test fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/setup.sh"
ct_install_deps
ct_build
make -j"$(nproc)" check
