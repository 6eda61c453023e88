#!/usr/bin/env bash
# Stops the local stack started by up.sh: services first (SIGTERM: they drain RPCs,
# commit offsets and flush their outbox relay), then Redis, the broker and PostgreSQL
# (when KPO_DB=postgres started it).
# --purge also deletes the state folder (databases, logs, secrets).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
state="${KPO_STATE_DIR:-$root/.state/local}"
[ -d "$state/pids" ] || { echo "nothing to stop"; exit 0; }
stop() {
  local f="$state/pids/$1.pid"
  [ -f "$f" ] || return 0
  local pid
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$1 did not stop in 15s; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    echo "stopped $1"
  fi
  rm -f "$f"
}
for c in people kaizen daily reporting redis broker postgres; do stop "$c"; done
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$state"
  echo "deleted $state"
fi
