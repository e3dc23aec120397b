#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the build dependencies, build calltrap in build/, and trace the demo
# program: every call and return of its own functions, with arguments,
# return values and durations, from two threads.
set -euo pipefail
. "$(dirname "$0")/../scripts/setup.sh"
ct_install_deps
ct_build
echo
echo "\$ calltrap trace -- demo/demo 3"
exec ./calltrap trace -- ./demo/demo 3
