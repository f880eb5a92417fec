#!/usr/bin/env bash
# Throwaway PostgreSQL for plugfair's quota suites (run as root; no systemd).
#
#   .ci/postgres.sh start   -> prints PLUGFAIR_TEST_PG_URL=<SQLAlchemy URL>
#   .ci/postgres.sh stop
#
# Binds 127.0.0.1:$PG_PORT only. Adapted from shared/recipes/postgres.sh.
set -euo pipefail
PG_DIR=${PG_DIR:-/tmp/plugfair-pg}; PG_PORT=${PG_PORT:-54329}; PG_DB=${PG_DB:-plugfair_test}
action=${1:-start}
export DEBIAN_FRONTEND=noninteractive
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ "$action" = stop ]; then
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$(pgbin)/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null
  fi
  exit 0
fi
command -v pg_ctlcluster >/dev/null || { apt-get update -qq; apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
PGBIN=$(pgbin)
if [ -f "$PG_DIR/data/postmaster.pid" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
fi
rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"; chown postgres:postgres "$PG_DIR"
runuser -u postgres -- "$PGBIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
echo "PLUGFAIR_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$PG_DB"
