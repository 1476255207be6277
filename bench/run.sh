#!/usr/bin/env bash
# The performance benchmark, in one run on one machine (docs/performance.md explains it and keeps its results):
#   1. publishes Release builds of the service (src/Runtype.Api) and of bench/{Baseline,Ceiling,Seed};
#   2. migrates fresh SQLite files with the service's own `migrate` verb, creates API keys with its `keys` verb and
#      seeds data directly in SQLite (bench/Seed);
#   3. drives each call with wrk at fixed connections and duration against the bare-Kestrel ceiling, the hand-written
#      baseline and the service (rate limiting off, request logging at its production level), each on its own copy of
#      the same database;
#   4. measures list/get latency for users with 1 thousand, 100 thousand and 1 million sessions, and the event calls
#      of a session with 100 thousand events (the service only);
#   5. prints the table, writes it with the machine's description into docs/performance.md (between the bench
#      markers) and draws docs/performance-latency.svg.
#
# usage: bench/run.sh [--quick]      --quick: shorter runs, smaller scale sizes (under 2 minutes once the Release builds
#                                    are up to date; a smoke run, not the reference figures)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

MODE=full
if [ "${1:-}" = "--quick" ]; then MODE=quick; fi

CONNECTIONS=32
THREADS=2
# Each app first drives every call for WARM_ALL seconds (discarded: tiered JIT and dynamic PGO reach their optimized
# code; perf showed the service's JIT still taking a quarter of the CPU 20 s into a write load, and the baseline, a
# fraction of the code, done far sooner: the targets are about steady state), then each call gets WARMUP seconds of
# warm-up and DURATION seconds of measurement (SCALE_DURATION for the ceiling and the scale runs). In the ratio benchmark a call is measured in ROUNDS rounds, each on the
# baseline and at once on the service, so that a minute of drift on this shared machine weighs on one round only.
if [ "$MODE" = quick ]; then
  DURATION=2; WARMUP=0; WARM_ALL=1; ROUNDS=1; SCALE_DURATION=2; SIZES=1000,10000; EVENTS=10000
else
  DURATION=5; WARMUP=2; WARM_ALL=15; ROUNDS=3; SCALE_DURATION=10; SIZES=1000,100000,1000000; EVENTS=100000
fi
BIG=${SIZES##*,}; SMALL=${SIZES%%,*}

OUT=$ROOT/bench/results
BIN=$OUT/bin
DATA=$OUT/data
RESULTS=$OUT/results.tsv
START=$(date +%s)
SERVICE_PORT=5180; BASELINE_PORT=5181; CEILING_PORT=5182
BASE_PATH=/v1/products/generation/sessions

log() { printf '== [%3d s] %s\n' $(( $(date +%s) - START )) "$*" >&2; }

# ---- tools -------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for tool in curl python3 sqlite3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    log "installing $tool"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

# ---- builds --------------------------------------------------------------------------------------------------------
log "publishing Release builds"
rm -rf "$DATA"; mkdir -p "$BIN" "$DATA"
dotnet publish src/Runtype.Api/Runtype.Api.csproj -c Release -o "$BIN/api" -nologo -v q &
publishes=($!)
for project in Baseline Ceiling Seed; do
  dotnet publish "bench/$project/$project.csproj" -c Release -o "$BIN/$(echo "$project" | tr 'A-Z' 'a-z')" -nologo -v q &
  publishes+=($!)
done
for pid in "${publishes[@]}"; do wait "$pid"; done

api_verb() { (cd "$DATA" && "$BIN/api/Runtype.Api" "$@" --ConnectionStrings:Runtype "Data Source=$DB_FOR_VERB"); }

new_database() { # $1: file; migrated by the service itself (WAL is switched on by its migrator)
  DB_FOR_VERB=$1 api_verb migrate >/dev/null
}

new_key() { # $1: file, $2: user, $3: org  → prints the key
  DB_FOR_VERB=$1 api_verb keys create --user "$2" --org "$3" --name bench 2>/dev/null | tail -n 1
}

# ---- data ----------------------------------------------------------------------------------------------------------
log "seeding the ratio benchmark's database"
new_database "$DATA/main.db"
MAIN_KEY=$(new_key "$DATA/main.db" bench_user bench_org)
"$BIN/seed/Seed" main "$DATA/main.db" "$DATA/main"

log "seeding the scale database (users with ${SIZES//,/, } sessions; a session with $EVENTS events)"
new_database "$DATA/scale.db"
declare -A SCALE_KEY
for size in ${SIZES//,/ }; do SCALE_KEY[$size]=$(new_key "$DATA/scale.db" "scale_$size" scale_org); done
EVENTS_KEY=$(new_key "$DATA/scale.db" scale_events scale_org)
"$BIN/seed/Seed" scale "$DATA/scale.db" "$DATA/scale" "$SIZES" "$EVENTS"

# ---- processes -----------------------------------------------------------------------------------------------------
PID=
start_app() { # $1: name, $2: port, then the command
  local name=$1 port=$2; shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then log "port $port is already taken by another process; stop it first"; exit 1; fi
  "$@" >"$OUT/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 || { [ "$name" = ceiling ] && curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; }; then
      return 0
    fi
    if ! kill -0 "$PID" 2>/dev/null; then log "$name exited; see $OUT/$name.log"; exit 1; fi
    sleep 0.1
  done
  log "$name did not become ready"; exit 1
}

stop_app() { # $1: name, $2: its pid (default: the last started); records its peak resident set (VmHWM), then stops it
  local pid=${2:-$PID} hwm
  hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  printf '%s\t%s\n' "$1" "$hwm" >>"$OUT/rss.tsv"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  if [ "$pid" = "$PID" ]; then PID=; fi
}
OTHER_PID=
trap 'for p in $PID $OTHER_PID; do kill "$p" 2>/dev/null; done; true' EXIT

start_service() { # $1: run name, $2: database file
  start_app "$1" "$SERVICE_PORT" env -C "$DATA" "$BIN/api/Runtype.Api" --urls "http://127.0.0.1:$SERVICE_PORT" \
    --ConnectionStrings:Runtype "Data Source=$2" --RateLimiting:PermitsPerMinute 0
}

start_baseline() { # $1: run name, $2: database file
  start_app "$1" "$BASELINE_PORT" "$BIN/baseline/Baseline" "$2" "$BASELINE_PORT"
}

# ---- load ----------------------------------------------------------------------------------------------------------
# run_wrk <app> <scenario label> <port> <call> <key> <ids file> <query> [connections] [duration]
run_wrk() {
  local app=$1 label=$2 port=$3 call=$4 key=$5 ids=$6 query=$7 conns=${8:-$CONNECTIONS} duration=${9:-$DURATION}
  local threads=$THREADS
  if [ "$conns" -lt "$threads" ]; then threads=$conns; fi
  local env=(BENCH_CALL="$call" BENCH_KEY="$key" BENCH_IDS="$ids" BENCH_QUERY="$query" BENCH_THREADS="$threads")
  # PATCH warms up on sessions of its own: the measured run starts with every one of its sessions in planning.
  local warm_ids=$ids
  if [ "$call" = patch ] && [ -f "${ids%.ids}-warm.ids" ]; then warm_ids=${ids%.ids}-warm.ids; fi
  if [ "$WARMUP" -gt 0 ]; then
    env "${env[@]}" BENCH_IDS="$warm_ids" wrk -t"$threads" -c"$conns" -d"${WARMUP}s" -s bench/wrk/calls.lua "http://127.0.0.1:$port" >/dev/null
  fi
  local output
  output=$(env "${env[@]}" wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s bench/wrk/calls.lua "http://127.0.0.1:$port")
  echo "$output" >>"$OUT/wrk-$app-$label.txt"
  echo "$output" | awk -v app="$app" -v label="$label" -v conns="$conns" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { errors = $0 }
    END { printf "%s\t%s\t%.1f\t%.3f\t%.3f\t%d\t%d\n", app, label, rps, p50, p99, bad + 0, conns }' >>"$RESULTS"
  local last; last=$(tail -n 1 "$RESULTS")
  if [ "$(echo "$last" | cut -f6)" != 0 ]; then log "non-2xx answers in $app/$label: see $OUT/wrk-$app-$label.txt"; exit 1; fi
  printf '   %-9s %-22s %10s req/s  p50 %8s ms  p99 %8s ms\n' "$app" "$label" "$(echo "$last" | cut -f3)" "$(echo "$last" | cut -f4)" "$(echo "$last" | cut -f5)" >&2
}

# The same answers from both implementations, before any load: the baseline does the service's work.
capture() { # $1: port, $2: folder
  mkdir -p "$2"
  local i=0
  for id in $(sed -n '1p;3p;5p;8p' "$DATA/main/get.ids"); do
    curl -fsS "http://127.0.0.1:$1$BASE_PATH/$id" -H "Authorization: Bearer $MAIN_KEY" >"$2/get-$i.json"; i=$((i + 1))
  done
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?limit=20" -H "Authorization: Bearer $MAIN_KEY" >"$2/list.json"
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?status=generating&limit=20" -H "Authorization: Bearer $MAIN_KEY" >"$2/filter.json"
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?status=expired" -H "Authorization: Bearer $MAIN_KEY" >"$2/expired.json"
}

# drive <port> <call> <key> <ids file> <query> <seconds>: load that is not measured
drive() {
  BENCH_CALL=$2 BENCH_KEY=$3 BENCH_IDS=$4 BENCH_QUERY=$5 BENCH_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${6}s" -s bench/wrk/calls.lua "http://127.0.0.1:$1" >/dev/null
}

# The six calls: label, wrk call, ids file (- for none), query
MAIN_CALLS=("get get $DATA/main/get.ids -" "list list - ?limit=20" "list-status filter - ?status=generating&limit=20"
  "patch patch $DATA/main/patch.ids -" "append append $DATA/main/append.ids -" "create create - -")

warm_calls() { # $1: port; every call for WARM_ALL seconds (PATCH on sessions of its own, see run_wrk)
  local spec label call ids query
  for spec in "${MAIN_CALLS[@]}"; do
    read -r label call ids query <<<"$spec"
    [ "$ids" = - ] && ids=""; [ "$query" = - ] && query=""
    if [ "$call" = patch ]; then ids=${ids%.ids}-warm.ids; fi
    drive "$1" "$call" "$MAIN_KEY" "$ids" "$query" "$WARM_ALL"
  done
}

: >"$RESULTS"; : >"$OUT/rss.tsv"
rm -f "$OUT"/wrk-*.txt
log "ratio benchmark: $CONNECTIONS connections, $THREADS wrk threads, $ROUNDS rounds of ${DURATION} s per call and app, each after ${WARMUP} s of warm-up"

# Both apps run side by side, each on its own copy of the database, and each call is measured on the baseline and
# then at once on the service: the machine's drift over the minutes of a run (large on a shared virtual machine) falls
# on both sides of a ratio alike. Only the app under load is busy.
cp "$DATA/main.db" "$DATA/baseline.db"
cp "$DATA/main.db" "$DATA/service.db"
start_baseline baseline "$DATA/baseline.db"
BASELINE_PID=$PID; OTHER_PID=$PID
start_service service "$DATA/service.db"
SERVICE_PID=$PID
capture "$BASELINE_PORT" "$OUT/answers/baseline"
capture "$SERVICE_PORT" "$OUT/answers/service"
if ! diff -r "$OUT/answers/baseline" "$OUT/answers/service" >"$OUT/answers.diff"; then
  log "the baseline and the service answer differently (see $OUT/answers.diff)"; exit 1
fi
# The ceiling answers with a real get-one body (a session with 2 events), byte for byte.
curl -fsS "http://127.0.0.1:$BASELINE_PORT$BASE_PATH/$(sed -n 3p "$DATA/main/get.ids")" -H "Authorization: Bearer $MAIN_KEY" >"$DATA/ceiling.json"
# The service first: the app measured first for each call (the baseline) should not share the machine with the tail of
# the other's JIT compilation.
warm_calls "$SERVICE_PORT"
warm_calls "$BASELINE_PORT"
for spec in "${MAIN_CALLS[@]}"; do
  read -r label call ids query <<<"$spec"
  [ "$ids" = - ] && ids=""; [ "$query" = - ] && query=""
  for _ in $(seq 1 "$ROUNDS"); do
    run_wrk baseline "$label" "$BASELINE_PORT" "$call" "$MAIN_KEY" "$ids" "$query"
    run_wrk service "$label" "$SERVICE_PORT" "$call" "$MAIN_KEY" "$ids" "$query"
  done
done
stop_app service "$SERVICE_PID"
stop_app baseline "$BASELINE_PID"
OTHER_PID=

start_app ceiling "$CEILING_PORT" "$BIN/ceiling/Ceiling" "$DATA/ceiling.json" "$CEILING_PORT"
run_wrk ceiling get "$CEILING_PORT" ceiling "" "" "" "$CONNECTIONS" "$SCALE_DURATION"
stop_app ceiling

# ---- scale (the service) -------------------------------------------------------------------------------------------
log "scale: the service on $(du -h "$DATA/scale.db" | cut -f1) of data"
start_service scale "$DATA/scale.db"
# Warmed like the ratio runs, so the first size is not measured on code the JIT has not optimized yet.
drive "$SERVICE_PORT" list "${SCALE_KEY[$SMALL]}" "" "?limit=20" "$WARM_ALL"
drive "$SERVICE_PORT" filter "${SCALE_KEY[$SMALL]}" "" "?status=generating&limit=20" "$WARM_ALL"
drive "$SERVICE_PORT" get "${SCALE_KEY[$SMALL]}" "$DATA/scale/get-$SMALL.ids" "" "$WARM_ALL"
for size in ${SIZES//,/ }; do
  run_wrk service "list@$size" "$SERVICE_PORT" list "${SCALE_KEY[$size]}" "" "?limit=20" "$CONNECTIONS" "$SCALE_DURATION"
  run_wrk service "list-status@$size" "$SERVICE_PORT" filter "${SCALE_KEY[$size]}" "" "?status=generating&limit=20" "$CONNECTIONS" "$SCALE_DURATION"
  run_wrk service "get@$size" "$SERVICE_PORT" get "${SCALE_KEY[$size]}" "$DATA/scale/get-$size.ids" "" "$CONNECTIONS" "$SCALE_DURATION"
done
MIDDLE=$(cat "$DATA/scale/events-middle.ids")
run_wrk service "events-first-page@$EVENTS" "$SERVICE_PORT" events "$EVENTS_KEY" "$DATA/scale/events.ids" "?limit=100" "$CONNECTIONS" "$SCALE_DURATION"
run_wrk service "events-middle-page@$EVENTS" "$SERVICE_PORT" events "$EVENTS_KEY" "$DATA/scale/events.ids" "?after=$MIDDLE&limit=100" "$CONNECTIONS" "$SCALE_DURATION"
run_wrk service "details@$EVENTS" "$SERVICE_PORT" get "$EVENTS_KEY" "$DATA/scale/events.ids" "" 2 "$SCALE_DURATION"
run_wrk service "append@$EVENTS" "$SERVICE_PORT" append "$EVENTS_KEY" "$DATA/scale/events.ids" "" "$CONNECTIONS" "$SCALE_DURATION"
stop_app scale

# ---- report --------------------------------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
SQLITE_VERSION=$(cat "$DATA/main/sqlite-version")
python3 bench/report.py --results "$RESULTS" --rss "$OUT/rss.tsv" --mode "$MODE" --elapsed "$ELAPSED" \
  --connections "$CONNECTIONS" --threads "$THREADS" --duration "$DURATION" --warmup "$WARMUP" --rounds "$ROUNDS" --scale-duration "$SCALE_DURATION" --sizes "$SIZES" --events "$EVENTS" \
  --machine "$(nproc) cores ($(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'), SQLite $SQLITE_VERSION (bundled with Microsoft.Data.Sqlite), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')" \
  --markdown docs/performance.md --svg docs/performance-latency.svg
