#!/usr/bin/env bash
# The performance benchmark, in one run on one machine (docs/performance.md explains it and keeps its results):
#   1. publishes Release builds of the service (src/Runtype.Api) and of bench/{Baseline,Ceiling,Seed};
#   2. SQLite: migrates fresh files with the service's own `migrate` verb, creates API keys with its `keys` verb and
#      seeds data directly in SQLite (bench/Seed);
#      PostgreSQL: starts a throwaway cluster on a free loopback port (.ci/postgres.sh), migrates a database with the
#      same verbs (Database:Provider=PostgreSql), seeds it (bench/Seed) and copies it for each app;
#   3. per provider, drives the six calls with wrk at fixed connections and duration against the hand-written baseline
#      (bench/Baseline on that provider) and the service (rate limiting off, request logging at its production level),
#      each on its own copy of the same data, after checking that both answer byte for byte alike; then the bare-Kestrel
#      ceiling;
#   4. measures list/get latency for users with 1 thousand, 100 thousand and 1 million sessions, and the event calls
#      of a session with 100 thousand events (the service on SQLite only);
#   5. prints the table, writes it with the machine's description into docs/performance.md (between the bench
#      markers) and draws docs/performance-latency.svg.
#
# usage: bench/run.sh [--quick] [--only sqlite|postgresql] [--calls get,list,...]
#   --quick   shorter runs, smaller scale sizes: a smoke run (about 3 minutes once the Release builds are up to date),
#             not the reference figures; written to bench/results/performance-quick.md only
#   --only    one provider's ratio benchmark, nothing else (no ceiling; the scale runs only with sqlite)
#   --calls   a subset of get,list,list-status,patch,append,create
# A run with --only or --calls is partial: its table goes to bench/results/performance-partial.md, never into docs/.
# Load on the machine matters (a shared VM): the load average is recorded when each phase begins and printed with the
# table; CPU time per request (the app's own, and the database server's on PostgreSQL) is recorded beside requests/s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

MODE=full; ONLY=; CALLS=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --only) ONLY=${2:?--only sqlite|postgresql}; shift ;;
    --calls) CALLS=${2:?--calls get,list,...}; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--only sqlite|postgresql] [--calls get,list,list-status,patch,append,create]" >&2; exit 2 ;;
  esac
  shift
done
case "$ONLY" in ""|sqlite|postgresql) ;; *) echo "--only takes sqlite or postgresql" >&2; exit 2 ;; esac
PARTIAL=no
if [ -n "$ONLY" ] || [ -n "$CALLS" ]; then PARTIAL=yes; fi
wanted() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

CONNECTIONS=32
THREADS=2
# Each app is first warmed up (discarded: tiered JIT and dynamic PGO reach their optimized code; the targets are about
# steady state): passes over every call, WARM_ALL seconds each, until the app's CPU time per request changes by less
# than WARM_SETTLED % from one pass to the next (at least WARM_MIN_PASSES, at most WARM_MAX_PASSES passes). A fixed
# warm-up is not enough on a busy machine: with a load average of 40 on 2 cores the service was still compiling
# (libclrjit 17 % of its samples, most methods in their instrumented tiers) after 60 s of one call, and its CPU per
# request fell by two thirds over the next four minutes. Then each call gets WARMUP seconds of warm-up and DURATION
# seconds of measurement (SCALE_DURATION for the ceiling and the scale runs). In the ratio benchmark a call is
# measured in ROUNDS rounds, each on the baseline and at once on the service, so that a minute of drift on this shared
# machine weighs on one round only.
if [ "$MODE" = quick ]; then
  DURATION=2; WARMUP=0; WARM_ALL=1; WARM_MIN_PASSES=1; WARM_MAX_PASSES=1; ROUNDS=1; SCALE_DURATION=2; SIZES=1000,10000; EVENTS=10000
else
  DURATION=5; WARMUP=2; WARM_ALL=10; WARM_MIN_PASSES=2; WARM_MAX_PASSES=5; ROUNDS=3; SCALE_DURATION=10; SIZES=1000,100000,1000000; EVENTS=100000
fi
WARM_SETTLED=5
BIG=${SIZES##*,}; SMALL=${SIZES%%,*}

OUT=$ROOT/bench/results
BIN=$OUT/bin
DATA=$OUT/data
RESULTS=$OUT/results.tsv
START=$(date +%s)
BASE_PATH=/v1/products/generation/sessions
CLK_TCK=$(getconf CLK_TCK)

log() { printf '== [%3d s] %s\n' $(( $(date +%s) - START )) "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
phase_load() { # $1: the phase's name in the report, $2: what to log
  printf '%s\t%s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.tsv"
  log "${2:-$1} (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

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
rm -rf "$DATA" "$OUT/answers"; mkdir -p "$BIN" "$DATA"
: >"$RESULTS"; : >"$OUT/rss.tsv"; : >"$OUT/load.tsv"; : >"$OUT/versions.tsv"; : >"$OUT/warmup.tsv"
rm -f "$OUT"/wrk-*.txt
phase_load "start"
dotnet publish src/Runtype.Api/Runtype.Api.csproj -c Release -o "$BIN/api" -nologo -v q &
publishes=($!)
for project in Baseline Ceiling Seed; do
  dotnet publish "bench/$project/$project.csproj" -c Release -o "$BIN/$(echo "$project" | tr 'A-Z' 'a-z')" -nologo -v q &
  publishes+=($!)
done
for pid in "${publishes[@]}"; do wait "$pid"; done

# ---- processes -----------------------------------------------------------------------------------------------------
PID=
PG_DATA=
declare -A APP_PID
start_app() { # $1: name, $2: port, then the command
  local name=$1 port=$2; shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then log "port $port is already taken by another process; stop it first"; exit 1; fi
  "$@" >"$OUT/$name.log" 2>&1 &
  PID=$!
  APP_PID[$name]=$PID
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 || { [ "$name" = ceiling ] && curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; }; then
      return 0
    fi
    if ! kill -0 "$PID" 2>/dev/null; then log "$name exited; see $OUT/$name.log"; exit 1; fi
    sleep 0.1
  done
  log "$name did not become ready"; exit 1
}

stop_app() { # $1: name; records its peak resident set (VmHWM), then stops it
  local pid=${APP_PID[$1]} hwm
  hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  printf '%s\t%s\n' "$1" "$hwm" >>"$OUT/rss.tsv"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  unset "APP_PID[$1]"
}
cleanup() {
  for p in "${APP_PID[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_postgres
}
stop_postgres() { # keeps the server's log in bench/results
  if [ -n "$PG_DATA" ]; then
    cp "$PG_DATA/server.log" "$OUT/postgresql-server.log" 2>/dev/null || true
    .ci/postgres.sh stop "$PG_DATA" 2>/dev/null || true
    PG_DATA=
  fi
}
trap cleanup EXIT

# CPU time (user + system, in clock ticks) of the given processes; the fields after the command name, which may hold spaces.
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
# CPU time of the database server (PostgreSQL; 0 for SQLite): the postmaster's own, that of the children it has reaped
# (cutime/cstime: a backend that exits during a round keeps its share) and that of its live children (the backends).
db_ticks() {
  if [ "$PROVIDER" != postgresql ]; then echo 0; return; fi
  local postmaster own; postmaster=$(head -n 1 "$PG_DATA/db/postmaster.pid")
  own=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$postmaster/stat" 2>/dev/null || echo 0)
  echo $((own + $(cpu_ticks $(pgrep -P "$postmaster" || true))))
}

# ---- load ----------------------------------------------------------------------------------------------------------
# run_wrk <app> <scenario label> <port> <call> <key> <ids file> <query> [connections] [duration]
# Appends: provider, app, label, requests/s, p50 ms, p99 ms, non-2xx, connections, app CPU µs per request, database
# server CPU µs per request (PostgreSQL; empty for SQLite).
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
  local output pid=${APP_PID[$app]} app_before db_before app_after db_after
  app_before=$(cpu_ticks "$pid"); db_before=$(db_ticks)
  output=$(env "${env[@]}" wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s bench/wrk/calls.lua "http://127.0.0.1:$port")
  app_after=$(cpu_ticks "$pid"); db_after=$(db_ticks)
  echo "$output" >>"$OUT/wrk-$app-$label.txt"
  echo "$output" | awk -v provider="$PROVIDER" -v app="$app" -v label="$label" -v conns="$conns" -v tck="$CLK_TCK" \
      -v appcpu=$((app_after - app_before)) -v dbcpu=$((db_after - db_before)) -v hasdb="$([ "$PROVIDER" = postgresql ] && echo yes)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    / requests in / { requests = $1 }
    /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF }
    END {
      per = requests > 0 ? 1e6 / tck / requests : 0
      printf "%s\t%s\t%s\t%.1f\t%.3f\t%.3f\t%d\t%d\t%.0f\t%s\n", provider, app, label, rps, p50, p99, bad + 0, conns, appcpu * per,
        hasdb == "yes" ? sprintf("%.0f", dbcpu * per) : ""
    }' >>"$RESULTS"
  local last; last=$(tail -n 1 "$RESULTS")
  if [ "$(echo "$last" | cut -f7)" != 0 ]; then log "non-2xx answers in $app/$label: see $OUT/wrk-$app-$label.txt"; exit 1; fi
  printf '   %-20s %-22s %10s req/s  p50 %8s ms  p99 %8s ms  CPU %6s µs/req%s\n' "$app" "$label" "$(echo "$last" | cut -f4)" \
    "$(echo "$last" | cut -f5)" "$(echo "$last" | cut -f6)" "$(echo "$last" | cut -f9)" \
    "$([ -n "$(echo "$last" | cut -f10)" ] && echo " (database $(echo "$last" | cut -f10))")" >&2
}

# drive <port> <call> <key> <ids file> <query> <seconds>: load that is not measured; prints the requests answered
drive() {
  BENCH_CALL=$2 BENCH_KEY=$3 BENCH_IDS=$4 BENCH_QUERY=$5 BENCH_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${6}s" -s bench/wrk/calls.lua "http://127.0.0.1:$1" | awk '/ requests in / { print $1 }'
}

# The same answers from both implementations, before any load: the baseline does the service's work.
capture() { # $1: port, $2: folder, $3: key, $4: ids folder
  mkdir -p "$2"
  local i=0
  for id in $(sed -n '1p;3p;5p;8p' "$4/get.ids"); do
    curl -fsS "http://127.0.0.1:$1$BASE_PATH/$id" -H "Authorization: Bearer $3" >"$2/get-$i.json"; i=$((i + 1))
  done
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?limit=20" -H "Authorization: Bearer $3" >"$2/list.json"
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?status=generating&limit=20" -H "Authorization: Bearer $3" >"$2/filter.json"
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?status=expired" -H "Authorization: Bearer $3" >"$2/expired.json"
  curl -fsS "http://127.0.0.1:$1$BASE_PATH?status=completed&limit=5&offset=3" -H "Authorization: Bearer $3" >"$2/completed.json"
}

# The six calls: label, wrk call, ids file (relative to the provider's ids folder; - for none), query
ALL_CALLS=("get get get.ids -" "list list - ?limit=20" "list-status filter - ?status=generating&limit=20"
  "patch patch patch.ids -" "append append append.ids -" "create create - -")
MAIN_CALLS=()
for spec in "${ALL_CALLS[@]}"; do
  if [ -z "$CALLS" ] || [[ ",$CALLS," == *",${spec%% *},"* ]]; then MAIN_CALLS+=("$spec"); fi
done
if [ ${#MAIN_CALLS[@]} -eq 0 ]; then echo "--calls names none of get,list,list-status,patch,append,create" >&2; exit 2; fi

# ratio_benchmark <provider> <ids folder> <key> <baseline command...> -- <service command...>
# Both apps run side by side, each on its own copy of the data, and each call is measured on the baseline and then at
# once on the service: the machine's drift over the minutes of a run (large on a shared virtual machine) falls on both
# sides of a ratio alike. Only the app under load is busy.
ratio_benchmark() {
  local ids_dir=$2 key=$3; shift 3
  local baseline_cmd=() service_cmd=()
  while [ "$1" != -- ]; do baseline_cmd+=("$1"); shift; done; shift
  service_cmd=("$@")
  local baseline_port service_port
  baseline_port=$(free_port); service_port=$baseline_port
  while [ "$service_port" = "$baseline_port" ]; do service_port=$(free_port); done
  phase_load "$PROVIDER ratio benchmark" "ratio benchmark on $PROVIDER: $CONNECTIONS connections, $THREADS wrk threads, $ROUNDS round(s) of ${DURATION} s per call and app, each after ${WARMUP} s of warm-up"
  start_app "$PROVIDER-baseline" "$baseline_port" "${baseline_cmd[@]}" "$baseline_port"
  start_app "$PROVIDER-service" "$service_port" "${service_cmd[@]}" --urls "http://127.0.0.1:$service_port"
  capture "$baseline_port" "$OUT/answers/$PROVIDER/baseline" "$key" "$ids_dir"
  capture "$service_port" "$OUT/answers/$PROVIDER/service" "$key" "$ids_dir"
  if ! diff -r "$OUT/answers/$PROVIDER/baseline" "$OUT/answers/$PROVIDER/service" >"$OUT/answers-$PROVIDER.diff"; then
    log "on $PROVIDER the baseline and the service answer differently (see $OUT/answers-$PROVIDER.diff)"; exit 1
  fi
  log "on $PROVIDER both apps answer byte for byte alike ($(ls "$OUT/answers/$PROVIDER/service" | wc -l) answers compared)"
  if [ "$PROVIDER" = sqlite ]; then
    # The ceiling answers with a real get-one body (a session with 2 events), byte for byte.
    curl -fsS "http://127.0.0.1:$baseline_port$BASE_PATH/$(sed -n 3p "$ids_dir/get.ids")" -H "Authorization: Bearer $key" >"$DATA/ceiling.json"
  fi
  # The service first: the app measured first for each call (the baseline) should not share the machine with the tail
  # of the other's JIT compilation.
  local spec label call ids query app port pass ticks requests answered per previous
  for app in service baseline; do
    port=$([ "$app" = service ] && echo "$service_port" || echo "$baseline_port")
    previous=
    for pass in $(seq 1 "$WARM_MAX_PASSES"); do
      ticks=$(cpu_ticks "${APP_PID[$PROVIDER-$app]}"); requests=0
      for spec in "${MAIN_CALLS[@]}"; do
        read -r label call ids query <<<"$spec"
        ids=$([ "$ids" = - ] && echo "" || echo "$ids_dir/$ids"); [ "$query" = - ] && query=""
        if [ "$call" = patch ]; then ids=${ids%.ids}-warm.ids; fi
        answered=$(drive "$port" "$call" "$key" "$ids" "$query" "$WARM_ALL")
        requests=$((requests + ${answered:-0}))
      done
      per=$(( ($(cpu_ticks "${APP_PID[$PROVIDER-$app]}") - ticks) * 1000000 / CLK_TCK / (requests > 0 ? requests : 1) ))
      log "warm-up of the $app on $PROVIDER, pass $pass: $requests requests, $per µs of CPU per request"
      printf '%s\t%s\t%s\t%s\n' "$PROVIDER-$app" "$pass" "$requests" "$per" >>"$OUT/warmup.tsv"
      if [ "$pass" -ge "$WARM_MIN_PASSES" ] && [ -n "$previous" ] \
        && [ $(( (per > previous ? per - previous : previous - per) * 100 )) -le $(( WARM_SETTLED * previous )) ]; then
        break
      fi
      previous=$per
    done
  done
  for spec in "${MAIN_CALLS[@]}"; do
    read -r label call ids query <<<"$spec"
    ids=$([ "$ids" = - ] && echo "" || echo "$ids_dir/$ids"); [ "$query" = - ] && query=""
    for _ in $(seq 1 "$ROUNDS"); do
      run_wrk "$PROVIDER-baseline" "$label" "$baseline_port" "$call" "$key" "$ids" "$query"
      run_wrk "$PROVIDER-service" "$label" "$service_port" "$call" "$key" "$ids" "$query"
    done
  done
  stop_app "$PROVIDER-service"
  stop_app "$PROVIDER-baseline"
}

# ---- SQLite ----------------------------------------------------------------------------------------------------------
api_sqlite() { (cd "$DATA" && "$BIN/api/Runtype.Api" "$@" --ConnectionStrings:Runtype "Data Source=$DB_FOR_VERB"); }
sqlite_database() { DB_FOR_VERB=$1 api_sqlite migrate >/dev/null; } # $1: file; WAL is switched on by the service's migrator
sqlite_key() { DB_FOR_VERB=$1 api_sqlite keys create --user "$2" --org "$3" --name bench 2>/dev/null | tail -n 1; } # $1: file, $2: user, $3: org

if wanted sqlite; then
  PROVIDER=sqlite
  log "SQLite: seeding the ratio benchmark's database"
  sqlite_database "$DATA/main.db"
  SQLITE_KEY=$(sqlite_key "$DATA/main.db" bench_user bench_org)
  "$BIN/seed/Seed" main sqlite "$DATA/main.db" "$DATA/sqlite"
  printf 'sqlite\tSQLite %s (bundled with Microsoft.Data.Sqlite)\n' "$(cat "$DATA/sqlite/database-version")" >>"$OUT/versions.tsv"
  cp "$DATA/main.db" "$DATA/baseline.db"
  cp "$DATA/main.db" "$DATA/service.db"
  ratio_benchmark sqlite "$DATA/sqlite" "$SQLITE_KEY" \
    "$BIN/baseline/Baseline" sqlite "$DATA/baseline.db" -- \
    env -C "$DATA" "$BIN/api/Runtype.Api" --ConnectionStrings:Runtype "Data Source=$DATA/service.db" --RateLimiting:PermitsPerMinute 0
fi

# ---- PostgreSQL ------------------------------------------------------------------------------------------------------
if wanted postgresql; then
  PROVIDER=postgresql
  log "PostgreSQL: starting a throwaway cluster (.ci/postgres.sh)"
  pg_env=$(.ci/postgres.sh start) || pg_env="its start failed"
  if [[ "$pg_env" != export* ]] || ! command -v psql >/dev/null 2>&1; then
    log "PostgreSQL is not available here ($pg_env): its ratio benchmark is skipped"
  else
    eval "$pg_env"
    PG_DATA=$RUNTYPE_TEST_POSTGRES_DATA
    PG_PORT=$(echo "$RUNTYPE_TEST_POSTGRES" | sed -n 's/.*Port=\([0-9]*\).*/\1/p')
    pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U runtype -d postgres "$@"; }
    # .ci/postgres.sh's cluster is made for tests (fsync off); here the server does a real server's disk work. A commit
    # is answered before its WAL reaches the disk (synchronous_commit=off, as the test cluster has it), the counterpart
    # of the service's SQLite setting (synchronous=NORMAL in WAL: no flush per commit).
    pg -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
    pg_cs() { echo "Host=127.0.0.1;Port=$PG_PORT;Username=runtype;Database=$1"; }
    api_pg() { (cd "$DATA" && "$BIN/api/Runtype.Api" "$@" --Database:Provider PostgreSql --ConnectionStrings:Runtype "$(pg_cs bench_main)"); }
    log "PostgreSQL: migrating and seeding the ratio benchmark's database"
    pg -c "CREATE DATABASE bench_main"
    api_pg migrate >/dev/null
    PG_KEY=$(api_pg keys create --user bench_user --org bench_org --name bench 2>/dev/null | tail -n 1)
    "$BIN/seed/Seed" main postgresql "$(pg_cs bench_main)" "$DATA/postgresql"
    printf 'postgresql\tPostgreSQL %s (Npgsql %s)\n' "$(cat "$DATA/postgresql/database-version")" \
      "$(sed -n 's/.*"Npgsql\/\([0-9.]*\)".*/\1/p' "$BIN/baseline/Baseline.deps.json" | head -n 1)" >>"$OUT/versions.tsv"
    # Each app on its own copy of the seeded database (statistics included).
    pg -c "CREATE DATABASE bench_baseline TEMPLATE bench_main" -c "CREATE DATABASE bench_service TEMPLATE bench_main"
    ratio_benchmark postgresql "$DATA/postgresql" "$PG_KEY" \
      "$BIN/baseline/Baseline" postgresql "$(pg_cs bench_baseline)" -- \
      env -C "$DATA" "$BIN/api/Runtype.Api" --Database:Provider PostgreSql --ConnectionStrings:Runtype "$(pg_cs bench_service)" --RateLimiting:PermitsPerMinute 0
    stop_postgres
  fi
fi

# ---- ceiling and scale (SQLite, the service) -------------------------------------------------------------------------
if [ -z "$ONLY" ]; then
  PROVIDER=none
  phase_load "ceiling" "ceiling: bare Kestrel"
  CEILING_PORT=$(free_port)
  start_app ceiling "$CEILING_PORT" "$BIN/ceiling/Ceiling" "$DATA/ceiling.json" "$CEILING_PORT"
  run_wrk ceiling get "$CEILING_PORT" ceiling "" "" "" "$CONNECTIONS" "$SCALE_DURATION"
  stop_app ceiling
fi

if [ -z "$ONLY" ] || [ "$ONLY" = sqlite ]; then
  PROVIDER=sqlite
  log "scale: seeding the scale database (users with ${SIZES//,/, } sessions; a session with $EVENTS events)"
  sqlite_database "$DATA/scale.db"
  declare -A SCALE_KEY
  for size in ${SIZES//,/ }; do SCALE_KEY[$size]=$(sqlite_key "$DATA/scale.db" "scale_$size" scale_org); done
  EVENTS_KEY=$(sqlite_key "$DATA/scale.db" scale_events scale_org)
  "$BIN/seed/Seed" scale sqlite "$DATA/scale.db" "$DATA/scale" "$SIZES" "$EVENTS"
  phase_load "scale runs" "scale: the service on SQLite, $(du -h "$DATA/scale.db" | cut -f1) of data"
  SCALE_PORT=$(free_port)
  start_app scale "$SCALE_PORT" env -C "$DATA" "$BIN/api/Runtype.Api" --urls "http://127.0.0.1:$SCALE_PORT" \
    --ConnectionStrings:Runtype "Data Source=$DATA/scale.db" --RateLimiting:PermitsPerMinute 0
  # Warmed like the ratio runs, so the first size is not measured on code the JIT has not optimized yet.
  for _ in 1 2; do
    drive "$SCALE_PORT" list "${SCALE_KEY[$SMALL]}" "" "?limit=20" "$WARM_ALL" >/dev/null
    drive "$SCALE_PORT" filter "${SCALE_KEY[$SMALL]}" "" "?status=generating&limit=20" "$WARM_ALL" >/dev/null
    drive "$SCALE_PORT" get "${SCALE_KEY[$SMALL]}" "$DATA/scale/get-$SMALL.ids" "" "$WARM_ALL" >/dev/null
  done
  for size in ${SIZES//,/ }; do
    run_wrk scale "list@$size" "$SCALE_PORT" list "${SCALE_KEY[$size]}" "" "?limit=20" "$CONNECTIONS" "$SCALE_DURATION"
    run_wrk scale "list-status@$size" "$SCALE_PORT" filter "${SCALE_KEY[$size]}" "" "?status=generating&limit=20" "$CONNECTIONS" "$SCALE_DURATION"
    run_wrk scale "get@$size" "$SCALE_PORT" get "${SCALE_KEY[$size]}" "$DATA/scale/get-$size.ids" "" "$CONNECTIONS" "$SCALE_DURATION"
  done
  MIDDLE=$(cat "$DATA/scale/events-middle.ids")
  run_wrk scale "events-first-page@$EVENTS" "$SCALE_PORT" events "$EVENTS_KEY" "$DATA/scale/events.ids" "?limit=100" "$CONNECTIONS" "$SCALE_DURATION"
  run_wrk scale "events-middle-page@$EVENTS" "$SCALE_PORT" events "$EVENTS_KEY" "$DATA/scale/events.ids" "?after=$MIDDLE&limit=100" "$CONNECTIONS" "$SCALE_DURATION"
  run_wrk scale "details@$EVENTS" "$SCALE_PORT" get "$EVENTS_KEY" "$DATA/scale/events.ids" "" 2 "$SCALE_DURATION"
  run_wrk scale "append@$EVENTS" "$SCALE_PORT" append "$EVENTS_KEY" "$DATA/scale/events.ids" "" "$CONNECTIONS" "$SCALE_DURATION"
  stop_app scale
fi
phase_load "end"

# ---- report --------------------------------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
python3 bench/report.py --results "$RESULTS" --rss "$OUT/rss.tsv" --load "$OUT/load.tsv" --versions "$OUT/versions.tsv" --warmup-log "$OUT/warmup.tsv" \
  --mode "$MODE" --partial "$PARTIAL" --elapsed "$ELAPSED" \
  --connections "$CONNECTIONS" --threads "$THREADS" --duration "$DURATION" --warmup "$WARMUP" --warm-all "$WARM_ALL" --warm-settled "$WARM_SETTLED" --warm-max-passes "$WARM_MAX_PASSES" --rounds "$ROUNDS" \
  --scale-duration "$SCALE_DURATION" --sizes "$SIZES" --events "$EVENTS" \
  --machine "$(nproc) cores ($(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }')), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')" \
  --markdown docs/performance.md --svg docs/performance-latency.svg
