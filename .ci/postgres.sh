#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: `.ci/postgres.sh start` installs Debian's postgresql when it is
# missing, starts a cluster on a free loopback port (as the `postgres` user when run as root, data in a temp folder),
# and prints the line that points the tests at it:
#   export RUNTYPE_TEST_POSTGRES='Host=127.0.0.1;Port=…;Username=runtype;…'
# `.ci/postgres.sh stop <data folder>` stops it and removes its data. Used by .ci/run; developers can run it too:
#   eval "$(.ci/postgres.sh start)"; dotnet test Runtype.sln; .ci/postgres.sh stop "$RUNTYPE_TEST_POSTGRES_DATA"
set -euo pipefail

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-}" in
  start)
    if [ -z "$(bin_dir)" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing postgresql (Debian package)" >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } >&2 || true
    fi
    BIN=$(bin_dir)
    if [ -z "$BIN" ]; then echo "echo 'PostgreSQL is not installed and could not be installed'"; exit 0; fi
    DATA=$(mktemp -d /tmp/runtype-pg.XXXXXX)
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$DATA"; su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    as_owner "'$BIN/initdb' -D '$DATA/db' -U runtype --auth=trust -E UTF8 --locale=C.UTF-8 >'$DATA/initdb.log' 2>&1"
    # fsync off: a throwaway cluster; the crash tests kill the API process, never the database server.
    as_owner "'$BIN/pg_ctl' -D '$DATA/db' -l '$DATA/server.log' -w -o \"-p $PORT -k '$DATA' -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >&2"
    echo "export RUNTYPE_TEST_POSTGRES='Host=127.0.0.1;Port=$PORT;Username=runtype;Database=postgres' RUNTYPE_TEST_POSTGRES_DATA='$DATA'"
    ;;
  stop)
    DATA=${2:?the data folder printed by start}
    BIN=$(bin_dir)
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "'$BIN/pg_ctl' -D '$DATA/db' -m fast -w stop" >&2 || true; else "$BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >&2 || true; fi
    rm -rf "$DATA"
    ;;
  *)
    echo "usage: $0 start | stop <data folder>" >&2; exit 2 ;;
esac
