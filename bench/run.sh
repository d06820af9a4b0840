#!/usr/bin/env bash
# Runs the benchmark: bench/run.sh [scenario...|all] [--jobs N] [--concurrency C] [--smoke] [--out DIR] ...
# Uses EFJOBS_BENCH_CONNECTION when set; otherwise starts a throwaway PostgreSQL with scripts/pg.sh (default
# durability settings, fsync on, plus pg_stat_statements for the idle scenario) and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/pg.sh
cleanup() { pg_stop; if [ -n "${bench_data:-}" ]; then rm -rf "$bench_data" "$bench_data.initdb.log"; fi; }
if [ -z "${EFJOBS_BENCH_CONNECTION:-}" ]; then
  bench_data=$(mktemp -d /tmp/efjobs-bench-pg.XXXXXX)
  trap cleanup EXIT
  pg_start "$bench_data" shared_preload_libraries=pg_stat_statements
  export EFJOBS_BENCH_CONNECTION="$PG_CONNECTION"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') started on port $PG_PORT (data in $bench_data)" >&2
fi

dotnet build bench/EfJobs.Benchmarks -c Release -nologo -clp:ErrorsOnly >&2
dotnet bench/EfJobs.Benchmarks/bin/Release/net10.0/EfJobs.Benchmarks.dll "$@"
