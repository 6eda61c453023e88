#!/usr/bin/env bash
# Runs the whole test suite: installs missing Debian packages and the pinned npm tools,
# configures, builds and runs ctest.
#   tools/test.sh            the debug suite (unit, integration, lint), then every fuzz
#                            target for a bounded number of runs (preset fuzz)
#   tools/test.sh <preset>   one preset only: debug, asan, tsan, release or fuzz
# Extra ctest arguments can be passed in CTEST_ARGS, e.g. CTEST_ARGS="-L unit".
# KPO_SKIP_FUZZ=1 leaves the fuzz targets out of the default run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/install-deps.sh
tools/buf/buf.sh install   # the pinned buf CLI from the npm registry (package-lock.json)

run() {
  local preset="$1"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  # Tests start their own servers on loopback; run two at a time on two cores.
  ctest --preset "$preset" -j "${CTEST_PARALLEL:-2}" ${CTEST_ARGS:-}
}

if [ $# -gt 0 ]; then
  run "$1"
elif [ -n "${KPO_TEST_PRESET:-}" ]; then
  run "$KPO_TEST_PRESET"
else
  run debug
  if [ "${KPO_SKIP_FUZZ:-0}" != 1 ]; then run fuzz; fi
fi
