#!/usr/bin/env bash
# The webhook benchmark (docs/performance.md#webhooks): deliveries per second to a local receiver, and the time from
# the creating commit to the first attempt (p50/p99) at that load, on SQLite and on PostgreSQL (a throwaway cluster,
# .ci/postgres.sh; skipped with the reason when none can be started). For each provider and scenario it:
#   1. migrates a fresh database with the service's `migrate` verb and creates a key with its `keys` verb;
#   2. starts the Release build of the service (test allowances on: the receiver is on loopback; rate limiting off);
#   3. runs bench/WebhookLoad: a Kestrel receiver answering 204, N endpoints of one user pointing at it, and a paced load
#      of POST /sessions (each a session.created message to every endpoint): a warm-up, drained and not counted, then
#      the measured run;
#   4. records the service's peak resident set (VmHWM) and stops it.
# It prints the table and writes it between the markers of docs/performance.md.
#
# usage: bench/webhooks.sh [--quick]      --quick: a few seconds per scenario (a smoke run; its figures mean nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "${1:-}" = "--quick" ]; then
  SECONDS_PER_RUN=3; WARMUP=1; SCENARIOS=("50 4")
else
  # "<sessions created per second> <endpoints>": 600 deliveries per second asked for in each, fanned out from a creation
  # rate the two cores serve beside the dispatcher, the receiver and the load client (600 sessions/s to one endpoint was
  # more than the service could create here: 482/s on SQLite, 174/s on PostgreSQL, so that run measured the creation,
  # not the dispatcher).
  SECONDS_PER_RUN=30; WARMUP=15; SCENARIOS=("150 4" "75 8")
fi

OUT=$ROOT/bench/results/webhooks
BIN=$OUT/bin
START=$(date +%s)
log() { printf '== [%3d s] %s\n' $(( $(date +%s) - START )) "$*" >&2; }
rm -rf "$OUT"; mkdir -p "$BIN" "$OUT/data"

for tool in curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

# The service's port: a free one on loopback.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

log "publishing Release builds"
dotnet publish src/Runtype.Api/Runtype.Api.csproj -c Release -o "$BIN/api" -nologo -v q &
api_build=$!
dotnet publish bench/WebhookLoad/WebhookLoad.csproj -c Release -o "$BIN/load" -nologo -v q
wait "$api_build"

PG_DATA=
SERVICE=
cleanup() {
  if [ -n "$SERVICE" ]; then kill "$SERVICE" 2>/dev/null || true; fi
  if [ -n "$PG_DATA" ]; then .ci/postgres.sh stop "$PG_DATA" 2>/dev/null || true; fi
}
trap cleanup EXIT

ROWS=$OUT/rows.tsv
: >"$ROWS"

run_provider() { # $1: provider name, $2: connection string maker (gets a run number)
  local provider=$1 make=$2 run=0
  for scenario in "${SCENARIOS[@]}"; do
    read -r rate endpoints <<<"$scenario"
    run=$((run + 1))
    local cs; cs=$($make "$run")
    local settings=(--Database:Provider "$provider" --ConnectionStrings:Runtype "$cs")
    (cd "$OUT/data" && "$BIN/api/Runtype.Api" migrate "${settings[@]}" >/dev/null)
    local key; key=$(cd "$OUT/data" && "$BIN/api/Runtype.Api" keys create --user bench_webhooks "${settings[@]}" 2>/dev/null | tail -n 1)
    log "$provider: $rate sessions/s to $endpoints endpoint(s) for $SECONDS_PER_RUN s"
    (cd "$OUT/data" && exec "$BIN/api/Runtype.Api" --urls "http://127.0.0.1:$PORT" "${settings[@]}" --RateLimiting:PermitsPerMinute 0 \
      --Webhooks:AllowInsecureUrls true --Webhooks:AllowPrivateNetworks true >"$OUT/$provider-$run.log" 2>&1) &
    SERVICE=$!
    for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    local result
    result=$("$BIN/load/WebhookLoad" --api "http://127.0.0.1:$PORT" --key "$key" --rate "$rate" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --endpoints "$endpoints" || true)
    local hwm; hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVICE/status")
    kill -TERM "$SERVICE"; wait "$SERVICE" 2>/dev/null || true; SERVICE=
    printf '%s\t%s\t%s\t%s\t%s\n' "$provider" "$rate" "$endpoints" "$result" "$hwm" >>"$ROWS"
  done
}

sqlite_cs() { echo "Data Source=$OUT/data/webhooks-$1.db"; }
run_provider Sqlite sqlite_cs

if eval "$(.ci/postgres.sh start 2>/dev/null)" && [ -n "${RUNTYPE_TEST_POSTGRES:-}" ]; then
  PG_DATA=$RUNTYPE_TEST_POSTGRES_DATA
  postgres_cs() { echo "${RUNTYPE_TEST_POSTGRES/Database=postgres/Database=bench_webhooks_$1}"; }
  run_provider PostgreSql postgres_cs
else
  log "no PostgreSQL server could be started: the PostgreSQL rows are left out"
fi

TABLE=$OUT/table.md
{
  echo "| database | sessions/s asked | endpoints | sessions created | deliveries | missing | deliveries/s | commit → first attempt p50 | p99 | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  while IFS=$'\t' read -r provider rate endpoints created delivered missing perSecond p50 p99 createRate hwm; do
    echo "| $provider | $rate (got $createRate) | $endpoints | $created | $delivered | $missing | $perSecond | $p50 ms | $p99 ms | $hwm MB |"
  done <"$ROWS"
} >"$TABLE"
cat "$TABLE"

if [ "${1:-}" != "--quick" ]; then
  python3 - "$TABLE" "$ROOT/docs/performance.md" <<'PY'
import sys, pathlib, platform, os
table, doc = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
text = doc.read_text()
begin, end = "<!-- webhooks-bench:begin -->", "<!-- webhooks-bench:end -->"
block = f"{begin}\n{table}\nMachine: {os.cpu_count()} cores, {platform.platform()}.\n{end}"
text = text[:text.index(begin)] + block + text[text.index(end) + len(end):] if begin in text else text.rstrip() + "\n\n## Webhooks\n\n" + block + "\n"
doc.write_text(text)
PY
  log "written into docs/performance.md"
fi
