#!/usr/bin/env bash
# Brings the whole KPO platform up on this machine: installs missing Debian packages,
# builds, starts the local Kafka broker, redis-server and the four services in the
# background, loads a demo organization through the public API and prints how to use
# it. Running it again while everything runs changes nothing. Stop with down.sh.
#
# Environment: KPO_STATE_DIR (default <repo>/.state/local), KPO_PRESET (default debug,
# shared with tools/test.sh; release for an optimised build), KPO_BASE_PORT (7100:
# services on 7101-7104, metrics on 9101-9104 unless KPO_METRICS_BASE_PORT), KPO_DB
# (sqlite, the default: a file per service; postgres: a PostgreSQL server started in
# the state folder, Unix socket only, one database per service).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"  # CMake presets are found from the source tree, whatever the caller's folder
state="${KPO_STATE_DIR:-$root/.state/local}"
preset="${KPO_PRESET:-debug}"
base_port="${KPO_BASE_PORT:-7100}"
metrics_base="${KPO_METRICS_BASE_PORT:-9100}"
services=(people kaizen daily reporting)
bin="$root/build/$preset"
db="${KPO_DB:-sqlite}"
case "$db" in
  sqlite | postgres) ;;
  *) echo "error: KPO_DB must be sqlite or postgres, not '$db'" >&2; exit 2 ;;
esac

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

"$root/tools/install-deps.sh"
say "building ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target kpo-kafka-broker kpo-people kpo-kaizen kpo-daily \
  kpo-reporting kpoctl >/dev/null

mkdir -p "$state"/{logs,pids,data,config}
chmod 700 "$state"

alive() { [ -f "$state/pids/$1.pid" ] && kill -0 "$(cat "$state/pids/$1.pid")" 2>/dev/null; }

all_alive=1
parts=(broker redis "${services[@]}")
[ "$db" = postgres ] && parts+=(postgres)
for c in "${parts[@]}"; do alive "$c" || all_alive=0; done
# A stack running on the other database is restarted on this one.
[ "$(cat "$state/db" 2>/dev/null || echo sqlite)" = "$db" ] || all_alive=0
if [ "$all_alive" = 0 ]; then
  # Partial stacks are restarted whole: services must point at the running broker.
  "$root/deploy/local/down.sh" >/dev/null 2>&1 || true

  # Refuse to start over another stack (or anything else) holding our ports: its
  # services would answer in place of ours.
  taken=()
  for i in 1 2 3 4; do
    for port in $((base_port + i)) $((metrics_base + i)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then taken+=("$port"); fi
    done
  done
  if [ ${#taken[@]} -gt 0 ]; then
    echo "error: port(s) ${taken[*]} on 127.0.0.1 are already taken (another KPO stack?)." >&2
    echo "Stop it (deploy/local/down.sh with its KPO_STATE_DIR) or choose other ports:" >&2
    echo "  KPO_BASE_PORT=7200 KPO_METRICS_BASE_PORT=9200 $0" >&2
    exit 1
  fi

  [ -s "$state/secret" ] || { head -c 48 /dev/urandom | base64 | tr -d '\n=+/' > "$state/secret"; }
  [ -s "$state/page_token_key" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/page_token_key"; }
  chmod 600 "$state/secret" "$state/page_token_key"

  say "starting the local Kafka broker"
  rm -f "$state/kafka.bootstrap"
  nohup "$bin/tools/kafka_broker/kpo-kafka-broker" --partitions 3 \
    --bootstrap-file "$state/kafka.bootstrap" >"$state/logs/broker.log" 2>&1 &
  echo $! >"$state/pids/broker.pid"
  for _ in $(seq 100); do [ -s "$state/kafka.bootstrap" ] && break; sleep 0.1; done
  [ -s "$state/kafka.bootstrap" ] || { echo "broker did not start; see $state/logs/broker.log" >&2; exit 1; }
  bootstrap="$(cat "$state/kafka.bootstrap")"

  say "starting redis-server (unix socket $state/redis.sock)"
  nohup redis-server --port 0 --unixsocket "$state/redis.sock" --unixsocketperm 700 \
    --save '' --appendonly no --dir "$state/data" >"$state/logs/redis.log" 2>&1 &
  echo $! >"$state/pids/redis.pid"

  if [ "$db" = postgres ]; then
    # PostgreSQL refuses to run as root: as root, its folder belongs to the postgres
    # account (Debian's package creates it), which may pass through the state folder.
    pg="$state/postgres"
    pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    as_pg=()
    mkdir -p "$pg"
    if [ "$(id -u)" = 0 ]; then
      chmod 711 "$state"
      chown postgres: "$pg"
      as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
    fi
    chmod 700 "$pg"
    if [ ! -s "$pg/data/PG_VERSION" ]; then
      say "creating a PostgreSQL cluster in $pg/data"
      "${as_pg[@]}" "$pgbin/initdb" -D "$pg/data" -U kpo -A trust -E UTF8 --locale=C.UTF-8 \
        >"$state/logs/initdb.log" 2>&1 || { echo "initdb failed; see $state/logs/initdb.log" >&2; exit 1; }
    fi
    say "starting PostgreSQL (unix socket in $pg)"
    nohup "${as_pg[@]}" "$pgbin/postgres" -D "$pg/data" -k "$pg" -c listen_addresses= -p 5432 \
      >>"$state/logs/postgres.log" 2>&1 &
    echo $! >"$state/pids/postgres.pid"
    for _ in $(seq 100); do "$pgbin/pg_isready" -q -h "$pg" -p 5432 && break; sleep 0.1; done
    "$pgbin/pg_isready" -q -h "$pg" -p 5432 || { echo "PostgreSQL did not start; see $state/logs/postgres.log" >&2; exit 1; }
    for svc in "${services[@]}"; do
      if [ -z "$(psql -h "$pg" -p 5432 -U kpo -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'kpo_$svc'")" ]; then
        "$pgbin/createdb" -h "$pg" -p 5432 -U kpo "kpo_$svc"
      fi
    done
  fi
  echo "$db" >"$state/db"

  i=0
  for svc in "${services[@]}"; do
    i=$((i + 1))
    cat >"$state/config/$svc.yaml" <<YAML
# Generated by deploy/local/up.sh; see the README's configuration reference.
grpc:
  listen: 127.0.0.1:$((base_port + i))
metrics:
  listen: 127.0.0.1:$((metrics_base + i))
database:
$(if [ "$db" = postgres ]; then
  echo "  url: postgresql://kpo@/kpo_$svc?host=$state/postgres&port=5432"
else
  echo "  path: $state/data/$svc.db"
fi)
kafka:
  bootstrap_servers: $bootstrap
consumer:
  # Local-only settings for the mock-cluster broker (see the README): it re-forms a
  # group only after the session timeout, and holds an empty fetch for the whole
  # fetch wait instead of answering when data arrives, as real Kafka does.
  session_timeout: 6s
  fetch_wait_max: 10ms
outbox:
  # Send each event at once; a real cluster may prefer a few ms of batching.
  linger: 0s
auth:
  hs256_secret_file: $state/secret
page_tokens:
  key: $(cat "$state/page_token_key")
runtime_file: $state/$svc.runtime.json
log:
  level: info
YAML
    if [ "$svc" = people ] || [ "$svc" = reporting ]; then
      printf 'redis:\n  address: unix:%s\n' "$state/redis.sock" >>"$state/config/$svc.yaml"
    fi
    say "starting kpo-$svc on 127.0.0.1:$((base_port + i))"
    rm -f "$state/$svc.runtime.json"
    nohup "$bin/services/$svc/kpo-$svc" --config "$state/config/$svc.yaml" \
      >>"$state/logs/$svc.log" 2>&1 &
    echo $! >"$state/pids/$svc.pid"
  done
fi

# The services answering must be the ones this script started: each writes its runtime
# file (address and pid) once it listens; one that exits instead (a port taken since
# the check above) is reported with the last lines of its log.
for svc in "${services[@]}"; do
  pid="$(cat "$state/pids/$svc.pid")"
  for _ in $(seq 150); do
    { [ -s "$state/$svc.runtime.json" ] && grep -q "\"pid\": *$pid\b" "$state/$svc.runtime.json"; } && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! { [ -s "$state/$svc.runtime.json" ] && grep -q "\"pid\": *$pid\b" "$state/$svc.runtime.json"; }; then
    echo "error: kpo-$svc (pid $pid) did not start; the end of $state/logs/$svc.log:" >&2
    tail -n 5 "$state/logs/$svc.log" >&2
    exit 1
  fi
done

export KPO_PEOPLE_ADDR="127.0.0.1:$((base_port + 1))" KPO_KAIZEN_ADDR="127.0.0.1:$((base_port + 2))"
export KPO_DAILY_ADDR="127.0.0.1:$((base_port + 3))" KPO_REPORTING_ADDR="127.0.0.1:$((base_port + 4))"
kpoctl="$bin/tools/kpoctl/kpoctl"
for _ in $(seq 150); do "$kpoctl" health >/dev/null 2>&1 && break; sleep 0.2; done
if ! "$kpoctl" health >/dev/null 2>&1; then
  "$kpoctl" health || true
  echo "a service did not become ready; see $state/logs/" >&2
  exit 1
fi

org=acme
admin_token="$("$kpoctl" token mint --org "$org" --roles org_admin,kpo_specialist --subject demo-admin \
  --ttl 720h --secret-file "$state/secret")"
export KPO_TOKEN="$admin_token"
if ! "$kpoctl" orgs get >/dev/null 2>&1; then
  say "loading the demo organization '$org'"
  "$root/deploy/local/demo.sh" "$kpoctl" "$state" >"$state/logs/demo-load.log" 2>&1 || {
    echo "loading the demo failed; see $state/logs/demo-load.log" >&2
    exit 1
  }
fi
cat >"$state/env" <<ENV
export KPO_PEOPLE_ADDR=$KPO_PEOPLE_ADDR KPO_KAIZEN_ADDR=$KPO_KAIZEN_ADDR
export KPO_DAILY_ADDR=$KPO_DAILY_ADDR KPO_REPORTING_ADDR=$KPO_REPORTING_ADDR
export KPO_TOKEN=$admin_token
export PATH="$bin/tools/kpoctl:\$PATH"
ENV

# Let the relays publish what the demo load wrote before showing the figures.
for _ in $(seq 50); do
  "$kpoctl" --output json ops status --service people 2>/dev/null | grep -q '"outbox_pending"' || break
  sleep 0.2
done
echo
"$kpoctl" health
echo
"$kpoctl" ops status || true
cat <<TXT

The KPO platform runs locally (state, data and logs in $state).
  Kafka (mock cluster): $(cat "$state/kafka.bootstrap")    e.g. kcat -b $(cat "$state/kafka.bootstrap") -C -t kpo.people.v1 -J -e
  Redis:                unix:$state/redis.sock
  Databases:            $(if [ "$db" = postgres ]; then echo "PostgreSQL, psql -h $state/postgres -U kpo kpo_<service>"; else echo "SQLite, $state/data/<service>.db"; fi)
  Metrics:              http://127.0.0.1:$((metrics_base + 1))/metrics (people) ... $((metrics_base + 4)) (reporting)
  Logs:                 $state/logs/<service>.log (JSON lines)

Use kpoctl as the demo organization's admin:
  source $state/env
  kpoctl sites list
  kpoctl people list --site lyon --role team_leader
  kpoctl coaching list
  kpoctl events list                 # kaizen events
  kpoctl ideas list --site lyon      # daily kaizen ideas
  kpoctl scorecard --period year     # the organization's figures, from every service's events
  kpoctl trend lyon --period month --figure daily_kaizen.ideas_submitted
  kpoctl ranking --period year --figure daily_kaizen.participation_rate
  kpoctl ops replica <person-id> --service reporting
  kpoctl --output json people get lyon-tl-1

Stop everything: deploy/local/down.sh   (add --purge to delete the data too)
TXT
