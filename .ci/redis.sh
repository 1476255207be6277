#!/usr/bin/env bash
# A throwaway Redis for the test suite: `.ci/redis.sh start` installs Debian's redis-server when it is missing, starts
# it on a free loopback port (no persistence, daemonized, data in a temp folder) and prints the line that points the
# tests at it:
#   export RUNTYPE_TEST_REDIS='127.0.0.1:…'
# The tests may stop that server and start it again on the same port (the outage test), so never point
# RUNTYPE_TEST_REDIS at a Redis that holds anything. `.ci/redis.sh stop <address>` stops it. Used by .ci/run;
# developers can run it too:
#   eval "$(.ci/redis.sh start)"; dotnet test Runtype.sln; .ci/redis.sh stop "$RUNTYPE_TEST_REDIS"
set -euo pipefail

case "${1:-}" in
  start)
    if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
      echo "installing redis-server (Debian package)" >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } >&2 || true
    fi
    if ! command -v redis-server >/dev/null 2>&1; then echo "echo 'redis-server is not installed and could not be installed'"; exit 0; fi
    DATA=$(mktemp -d /tmp/runtype-redis.XXXXXX)
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$DATA" \
      --logfile "$DATA/redis.log" >&2
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    echo "export RUNTYPE_TEST_REDIS='127.0.0.1:$PORT'"
    ;;
  stop)
    ADDRESS=${2:?the address printed by start}
    redis-cli -h "${ADDRESS%:*}" -p "${ADDRESS##*:}" shutdown nosave >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start | stop <address>" >&2; exit 2 ;;
esac
