#!/usr/bin/env bash
# Runs samples/WebApp with real jobs on http://127.0.0.1:5080.
# Uses EFJOBS_CONNECTION when set; otherwise starts a throwaway PostgreSQL kept in .pg/ (ignored by git; another folder
# with EFJOBS_SAMPLE_PGDATA), so a second run reuses its data. Ctrl+C stops the app and the database this script started.
set -euo pipefail
cd "$(dirname "$0")"

port="${EFJOBS_SAMPLE_PORT:-5080}"
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (dotnet) is not on PATH; install .NET 10 from https://dot.net and run ./run.sh again."
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "port $port is already in use; stop what listens there, or run EFJOBS_SAMPLE_PORT=5081 ./run.sh"
fi

if [ -z "${EFJOBS_CONNECTION:-}" ]; then
  source scripts/pg.sh
  data="${EFJOBS_SAMPLE_PGDATA:-$(pwd)/.pg/data}"
  # As root the cluster belongs to the postgres user, which must be able to reach the folder.
  if [ -z "${EFJOBS_SAMPLE_PGDATA:-}" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$(pwd)"; then
    data="${TMPDIR:-/tmp}/efjobs-sample-pg"
  fi
  mkdir -p "$(dirname "$data")"
  echo "Starting PostgreSQL (data in $data)..."
  pg_start "$data" || fail "could not start PostgreSQL (see above)."
  # Ctrl+C on `./run.sh | tee log` ends tee too, and a write to the closed pipe would end this trap (SIGPIPE) before
  # the cluster stops: stop it first, and ignore SIGPIPE.
  stop_postgres() {
    trap '' PIPE
    pg_stop
    { echo; echo "PostgreSQL stopped."; } 2>/dev/null || true
  }
  trap stop_postgres EXIT
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'efjobs_sample'" | grep -q 1 \
    || "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE efjobs_sample" >/dev/null
  export EFJOBS_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=efjobs_sample"
  echo "PostgreSQL is on port $PG_PORT."
fi

echo "Restoring tools and applying the sample's migrations..."
dotnet tool restore >/dev/null || fail "'dotnet tool restore' failed (is NuGet reachable?)."
dotnet build samples/WebApp -nologo -v q -clp:ErrorsOnly >/dev/null || { dotnet build samples/WebApp -nologo -v q -clp:ErrorsOnly; fail "the sample did not build."; }
dotnet ef database update --project samples/WebApp --no-build >/dev/null \
  || { dotnet ef database update --project samples/WebApp --no-build; fail "'dotnet ef database update' failed."; }

cat <<MSG

EfJobs sample on http://127.0.0.1:$port  (Ctrl+C to stop)
Try, from another terminal:
  curl -X POST http://127.0.0.1:$port/signup -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}'
  curl -X POST 'http://127.0.0.1:$port/demo?count=20&failFirstAttempts=1'
  curl http://127.0.0.1:$port/jobs

MSG
dotnet run --project samples/WebApp --no-build --no-launch-profile --urls "http://127.0.0.1:$port"
