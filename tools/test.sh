#!/usr/bin/env bash
# Runs the whole test suite: installs missing Debian packages, configures, builds and
# runs ctest. Usage: tools/test.sh [preset]   (debug by default; also asan, tsan, release)
# Extra ctest arguments can be passed in CTEST_ARGS, e.g. CTEST_ARGS="-L unit".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset="${1:-${KPO_TEST_PRESET:-debug}}"
tools/install-deps.sh
tools/buf/buf.sh install   # the pinned buf CLI from the npm registry (package-lock.json)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# Tests start their own servers on loopback; run two at a time on two cores.
ctest --preset "$preset" -j "${CTEST_PARALLEL:-2}" ${CTEST_ARGS:-}
