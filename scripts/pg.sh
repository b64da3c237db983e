#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster:
#   scripts/pg.sh run CMD...   (starts the server, exports DATABASE_URL, runs CMD, stops)
# The cluster lives in a temporary folder and listens on a Unix socket only.
set -euo pipefail
[ "${1:-}" = "run" ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
shift
# GONGZHI_PG_DIR keeps the cluster between runs (benchmark iterations); otherwise it is thrown away.
# GONGZHI_PG_OPTIONS adds server options (the test suite turns autovacuum off, see the Makefile).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
KEEP=${GONGZHI_PG_DIR:-}
DIR=${KEEP:-$(mktemp -d /tmp/gongzhi-pg.XXXXXX)}
mkdir -p "$DIR"
chmod 755 "$DIR"
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"
  AS=(runuser -u postgres --)
fi
[ -d "$DIR/data" ] || "${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U gongzhi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-k $DIR -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300 -c shared_buffers=512MB -c random_page_cost=1.1 -c effective_cache_size=4GB ${GONGZHI_PG_OPTIONS:-}" start >/dev/null
stop() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null || true; [ -n "$KEEP" ] || rm -rf "$DIR"; }
trap stop EXIT
"$PGBIN/psql" -h "$DIR" -U gongzhi -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='gongzhi'" | grep -q 1 \
  || "$PGBIN/createdb" -h "$DIR" -U gongzhi gongzhi
export DATABASE_URL="postgres://gongzhi@/gongzhi?host=$DIR"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at $DIR"
"$@"
