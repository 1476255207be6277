#!/usr/bin/env bash
# The streams benchmark (docs/performance.md#live-streams): live event streams (Server-Sent Events) held open by the
# Release build of the service, and the time from an append's commit to its arrival on a stream. bench/StreamLoad is
# the load client: it creates N sessions, opens one stream per session, waits until all are open, then measures.
#   1. One process on SQLite, 1,000 and 10,000 streams. Two runs per size, each on a fresh database:
#      - idle: the service with EF Core's command log on (every database command it runs is a log line); the client
#        counts the commands logged during the idle phase, all of them and the change feed's (its queries are tagged),
#        and reads the service's VmRSS at its end. The command log is on only here: at 500 appends/s it would be
#        thousands of lines a second and slow what the next run measures;
#      - load: the service as in production (request log on, command log off): an idle phase (VmRSS at its end), then
#        paced appends spread round robin over the watched sessions, a warm-up not counted, then the measured load:
#        append -> delivery latency p50/p99 and the service's peak resident set (VmHWM).
#   2. Two replicas over one database, streams on replica B, appends on replica A: over one SQLite file (without
#      Redis: B's change feed polls every Streams:PollInterval; with Redis) and over PostgreSQL (.ci/postgres.sh;
#      without Redis: LISTEN/NOTIFY; with Redis). Redis: .ci/redis.sh. A part that cannot run says why and is left out.
# Every run: rate limiting off (RateLimiting:PermitsPerMinute 0), Streams:MaxPerUser raised above N (one user holds
# all the streams), Streams:PollInterval 1 s (the default). The open-files limit is raised to the hard limit (each
# stream is a socket in the service and one in the client).
# It prints the table and, in a full run, writes it between the markers of docs/performance.md.
#
# usage: bench/streams.sh [--quick]      --quick: a few hundred streams, a few seconds each (a smoke run; its figures mean nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

MODE=full
if [ "${1:-}" = "--quick" ]; then
  MODE=quick; SIZES=(100 300); CROSS_STREAMS=100; IDLE=3; SECONDS_PER_RUN=3; WARMUP=1; RATE=100
else
  SIZES=(1000 10000); CROSS_STREAMS=1000; IDLE=30; SECONDS_PER_RUN=30; WARMUP=10; RATE=500
fi
POLL=00:00:01

OUT=$ROOT/bench/results/streams
BIN=$OUT/bin
START=$(date +%s)
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
log() { printf '== [%3d s] %s\n' $(( $(date +%s) - START )) "$*" >&2; }
rm -rf "$OUT"; mkdir -p "$BIN" "$OUT/data"

for tool in curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FILES=$(ulimit -n)
log "open files per process: $FILES"

log "publishing Release builds"
dotnet publish src/Runtype.Api/Runtype.Api.csproj -c Release -o "$BIN/api" -nologo -v q &
api_build=$!
dotnet publish bench/StreamLoad/StreamLoad.csproj -c Release -o "$BIN/load" -nologo -v q
wait "$api_build"

SERVICES=()
PG_DATA=
REDIS=
stop_services() {
  for pid in "${SERVICES[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  SERVICES=()
}
cleanup() {
  stop_services
  if [ -n "$PG_DATA" ]; then .ci/postgres.sh stop "$PG_DATA" 2>/dev/null || true; fi
  if [ -n "$REDIS" ]; then .ci/redis.sh stop "$REDIS" 2>/dev/null || true; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# prepare <provider> <connection string>: migrates the database and prints a new key of the user bench_streams.
prepare() {
  local settings=(--Database:Provider "$1" --ConnectionStrings:Runtype "$2")
  (cd "$OUT/data" && "$BIN/api/Runtype.Api" migrate "${settings[@]}" >>"$OUT/migrate.log" 2>&1)
  (cd "$OUT/data" && "$BIN/api/Runtype.Api" keys create --user bench_streams "${settings[@]}" 2>/dev/null | tail -n 1)
}

# start_service <log file> <settings…>: the Release service on a free loopback port; sets PORT and PID.
start_service() {
  local file=$1; shift
  PORT=$(free_port)
  (cd "$OUT/data" && exec "$BIN/api/Runtype.Api" --urls "http://127.0.0.1:$PORT" "$@" >"$file" 2>&1) &
  PID=$!
  SERVICES+=("$PID")
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "the service did not become ready (see $file)"
  return 1
}

# settings <provider> <connection string> <streams>: sets SETTINGS, what every run passes to the service.
settings() {
  SETTINGS=(--Database:Provider "$1" --ConnectionStrings:Runtype "$2" --RateLimiting:PermitsPerMinute 0
    --Streams:MaxPerUser $(($3 + 100)) --Streams:PollInterval "$POLL")
}

SINGLE=$OUT/single.tsv
CROSS=$OUT/cross.tsv
NOTES=$OUT/notes.txt
: >"$SINGLE"; : >"$CROSS"; : >"$NOTES"
note() { log "$*"; echo "$*" >>"$NOTES"; }
NONE=$(printf -- '-\t%.0s' $(seq 1 11))- # the client's twelve columns, for a run that printed none

# --- 1. One process on SQLite ---------------------------------------------------------------------------------------
for n in "${SIZES[@]}"; do
  if [ "$FILES" -lt $((n + 1000)) ]; then
    note "$n streams on one process: left out, the open-files limit ($FILES, ulimit -n) is below $((n + 1000))"
    continue
  fi

  cs="Data Source=$OUT/data/single-$n-idle.db"
  key=$(prepare Sqlite "$cs")
  log "one process, $n streams: idle ${IDLE} s with the command log on"
  settings Sqlite "$cs" "$n"
  start_service "$OUT/single-$n-idle.log" "${SETTINGS[@]}" \
    --Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore.Database.Command Information
  idle=$("$BIN/load/StreamLoad" --api "http://127.0.0.1:$PORT" --key "$key" --streams "$n" --idle "$IDLE" \
    --command-log "$OUT/single-$n-idle.log" --pid "$PID") || log "the idle run did not complete (see above)"
  stop_services

  cs="Data Source=$OUT/data/single-$n-load.db"
  key=$(prepare Sqlite "$cs")
  log "one process, $n streams: idle ${IDLE} s, then $RATE appends/s for $SECONDS_PER_RUN s after $WARMUP s of warm-up"
  settings Sqlite "$cs" "$n"
  start_service "$OUT/single-$n-load.log" "${SETTINGS[@]}"
  load=$("$BIN/load/StreamLoad" --api "http://127.0.0.1:$PORT" --key "$key" --streams "$n" --idle "$IDLE" \
    --rate "$RATE" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --pid "$PID") || log "the load run did not complete (see above)"
  hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status" 2>/dev/null || echo -)
  stop_services
  printf '%s\t%s\t%s\t%s\n' "$n" "${idle:-$NONE}" "${load:-$NONE}" "$hwm" >>"$SINGLE"
done

# --- 2. Two replicas over one database ------------------------------------------------------------------------------
if eval "$(.ci/redis.sh start 2>/dev/null)" && [ -n "${RUNTYPE_TEST_REDIS:-}" ]; then
  REDIS=$RUNTYPE_TEST_REDIS
else
  note "no Redis server could be started: the rows with Redis are left out"
fi

RUN=0
# cross <database label> <provider> <connection string> <path label> [redis address]
cross() {
  local label=$1 provider=$2 cs=$3 path=$4 redis=${5:-}
  local extra=()
  if [ -n "$redis" ]; then extra=(--Redis:Configuration "$redis"); fi
  local key; key=$(prepare "$provider" "$cs")
  log "two replicas on $label, $path: $CROSS_STREAMS streams on B, $RATE appends/s on A for $SECONDS_PER_RUN s"
  RUN=$((RUN + 1))
  settings "$provider" "$cs" "$CROSS_STREAMS"
  start_service "$OUT/cross-$RUN-a.log" "${SETTINGS[@]}" "${extra[@]}"
  local a=$PORT
  start_service "$OUT/cross-$RUN-b.log" "${SETTINGS[@]}" "${extra[@]}"
  local b=$PORT result
  result=$("$BIN/load/StreamLoad" --api "http://127.0.0.1:$b" --append-api "http://127.0.0.1:$a" --key "$key" \
    --streams "$CROSS_STREAMS" --rate "$RATE" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP") || log "the run did not complete (see above)"
  stop_services
  printf '%s\t%s\t%s\n' "$label" "$path" "${result:-$NONE}" >>"$CROSS"
}

cross "one SQLite file" Sqlite "Data Source=$OUT/data/cross-polling.db" "no Redis: polling every $POLL"
if [ -n "$REDIS" ]; then cross "one SQLite file" Sqlite "Data Source=$OUT/data/cross-redis.db" "Redis" "$REDIS"; fi

if eval "$(.ci/postgres.sh start 2>/dev/null)" && [ -n "${RUNTYPE_TEST_POSTGRES:-}" ]; then
  PG_DATA=$RUNTYPE_TEST_POSTGRES_DATA
  cross PostgreSQL PostgreSql "${RUNTYPE_TEST_POSTGRES/Database=postgres/Database=bench_streams_listen}" "no Redis: LISTEN/NOTIFY"
  if [ -n "$REDIS" ]; then
    cross PostgreSQL PostgreSql "${RUNTYPE_TEST_POSTGRES/Database=postgres/Database=bench_streams_redis}" "Redis" "$REDIS"
  fi
else
  note "no PostgreSQL server could be started: the PostgreSQL rows are left out"
fi

# --- The table ------------------------------------------------------------------------------------------------------
TABLE=$OUT/table.md
python3 - "$SINGLE" "$CROSS" "$NOTES" "$POLL" "$MODE" "$RATE" >"$TABLE" <<'PY'
import sys, pathlib
single, cross, notes, poll, mode, rate = sys.argv[1:]

def cols(text, n):
    parts = text.split("\t")
    return parts if len(parts) == n else ["-"] * n

def num(v):
    try:
        return float(v)
    except ValueError:
        return None

def verdict(value, limit):
    v = num(value)
    return "" if v is None else (" (met)" if v <= limit else " (**not met**)")

poll_seconds = sum(float(x) * m for x, m in zip(poll.split(":"), (3600, 60, 1)))
print("One process, SQLite. Idle: database commands per second over the idle phase, all of them and the change feed's "
      "(the rest is the webhook dispatcher's check for due deliveries, once a second, and the expiry sweeper's rounds), and the "
      "service's VmRSS at its end; load: append → delivery at the appends/s asked for, and the service's peak resident set (VmHWM) "
      "over the whole run. Targets: the change feed ≤ 1 command per poll interval, p99 ≤ 50 ms, 10,000 streams in ≤ 1 GB.")
print()
print("| streams | open (s) | RSS idle | commands/s idle: all / change feed | appends/s asked (got) | appended | delivered | missing | append → delivery p50 | p99 | peak RSS | load client CPU |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for line in pathlib.Path(single).read_text().splitlines():
    n, *rest = line.split("\t")
    idle, load, hwm = cols("\t".join(rest[:12]), 12), cols("\t".join(rest[12:24]), 12), rest[24] if len(rest) > 24 else "-"
    opened, seconds, rss = load[0], load[1], load[2]
    feed = idle[4]
    feed_note = "" if num(feed) is None else (" (met)" if num(feed) * poll_seconds <= 1.05 else " (**not met**)")
    peak = f"{hwm} MB" + (verdict(hwm, 1024) if int(n) >= 10000 else "")
    print(f"| {int(n):,} ({opened} open) | {seconds} | {rss} MB | {idle[3]} / {feed}{feed_note} | {rate} ({load[8]}) | {load[5]} | "
          f"{load[6]} | {load[7]} | {load[9]} ms | {load[10]} ms{verdict(load[10], 50)} | {peak} | {load[11]} % |")
print()
print(f"Two replicas over one database: streams on replica B, appends on replica A (Streams:PollInterval {poll}).")
print()
print("| database | how B learns of A's commits | streams on B | appends/s asked (got) | appended | delivered | missing | append → delivery p50 | p99 |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for line in pathlib.Path(cross).read_text().splitlines():
    label, path, *rest = line.split("\t")
    r = cols("\t".join(rest), 12)
    target = verdict(r[10], 100) if path == "Redis" else ""
    print(f"| {label} | {path} | {r[0]} | {rate} ({r[8]}) | {r[5]} | {r[6]} | {r[7]} | {r[9]} ms | {r[10]} ms{target} |")
left_out = pathlib.Path(notes).read_text().strip()
if left_out:
    print()
    print("Left out: " + "; ".join(left_out.splitlines()) + ".")
if mode == "quick":
    print()
    print("A `--quick` smoke run: its figures mean nothing.")
PY
cat "$TABLE"

if [ "$MODE" = full ]; then
  python3 - "$TABLE" "$ROOT/docs/performance.md" "$(( $(date +%s) - START ))" "$LOAD_START" "$(cut -d ' ' -f 1-3 /proc/loadavg)" <<'PY'
import sys, pathlib, platform, os, datetime
table, doc, took, load_start, load_end = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
text = doc.read_text()
begin, end = "<!-- streams-bench:begin -->", "<!-- streams-bench:end -->"
header = (f"Measured by `bench/streams.sh` on {datetime.date.today().isoformat()} in {took // 60} min {took % 60} s; "
          f"load average (1, 5, 15 min) {load_start} at the start, {load_end} at the end.\n\n")
block = f"{begin}\n{header}{table}\nMachine: {os.cpu_count()} cores, {platform.platform()}.\n{end}"
text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
doc.write_text(text)
PY
  log "written into docs/performance.md"
fi
log "done in $(( $(date +%s) - START )) s"
