#!/usr/bin/env bash
# The API contract, checked by machine: `buf lint` of proto/, and `buf breaking`
# against a git revision (default: the previous commit, or HEAD when proto/ has
# uncommitted changes): APIs must stay source-compatible (FILE), event messages
# wire- and JSON-compatible (WIRE_JSON), because their consumers roll out
# independently. Installs the pinned buf from the npm registry (package-lock.json)
# on first use.
#
# Usage: tools/buf/buf.sh [lint|breaking|all|install]      (all by default)
# Environment: KPO_BUF_AGAINST=<git ref> to compare against another revision
# (e.g. the last release tag).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "error: no pinned buf binary for $(uname -m)" >&2; exit 1 ;;
esac
buf="$here/node_modules/@bufbuild/buf-linux-$arch/bin/buf"
if [ ! -x "$buf" ] || ! "$buf" --version >/dev/null 2>&1; then
  command -v npm >/dev/null || { echo "error: npm (Node 20) is needed for buf" >&2; exit 1; }
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
what="${1:-all}"
[ "$what" = install ] && exit 0

if [ "$what" = lint ] || [ "$what" = all ]; then
  "$buf" lint
  echo "buf lint: ok"
fi

if [ "$what" = breaking ] || [ "$what" = all ]; then
  against="${KPO_BUF_AGAINST:-}"
  if [ -z "$against" ]; then
    if ! git -C "$root" rev-parse --verify -q HEAD >/dev/null; then
      echo "buf breaking: skipped (not a git checkout)"
      exit 0
    fi
    if [ -n "$(git -C "$root" status --porcelain -- proto buf.yaml)" ]; then
      against=HEAD
    elif git -C "$root" rev-parse --verify -q HEAD~1 >/dev/null; then
      against=HEAD~1
    else
      echo "buf breaking: skipped (no previous commit to compare with)"
      exit 0
    fi
  fi
  # The protos of `against` under today's buf.yaml (module layout).
  previous="$(mktemp -d)"
  trap 'rm -rf "$previous"' EXIT
  git -C "$root" archive "$against" proto | tar -x -C "$previous"
  cp "$root/buf.yaml" "$previous/"
  input="$previous"
  # Two checks, each a copy of buf.yaml's module with its own breaking rules: the APIs
  # (every file but events.proto) FILE, the events WIRE_JSON. The copies of standard
  # protos (proto/google, proto/grpc) are upstream's to keep compatible.
  module='"modules":[{"path":"proto"}]'
  standard='"proto/google","proto/grpc"'
  mapfile -t all_files < <(cd "$root" && find proto/kpo -name '*.proto' | sort)
  events=() apis=()
  for f in "${all_files[@]}"; do
    case "$f" in */events.proto) events+=("\"$f\"") ;; *) apis+=("\"$f\"") ;; esac
  done
  join() { local IFS=,; echo "$*"; }
  api_config="{\"version\":\"v2\",$module,\"breaking\":{\"use\":[\"FILE\"],\"ignore\":[$standard,$(join "${events[@]}")]}}"
  event_config="{\"version\":\"v2\",$module,\"breaking\":{\"use\":[\"WIRE_JSON\"],\"ignore\":[$standard,$(join "${apis[@]}")]}}"
  "$buf" breaking --against "$input" --config "$api_config" --against-config "$api_config"
  "$buf" breaking --against "$input" --config "$event_config" --against-config "$event_config"
  echo "buf breaking against $against: ok (APIs FILE, events WIRE_JSON)"
fi
