#!/usr/bin/env bash
# Runs every test against a real PostgreSQL: a throwaway cluster on a free port, or EFJOBS_TEST_CONNECTION when set.
# Ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet) is not on PATH; install .NET 10 and run ./test.sh again." >&2
  exit 1
fi

source scripts/pg.sh
cleanup() { pg_stop; if [ -n "${PG_DATA:-}" ]; then rm -rf "$PG_DATA" "$PG_DATA.initdb.log"; fi; }
if [ -z "${EFJOBS_TEST_CONNECTION:-}" ]; then
  data=$(mktemp -d /tmp/efjobs-test-pg.XXXXXX)
  trap cleanup EXIT
  # Durability is not under test here; without fsync the suite spends its time on EfJobs, not on the disk.
  pg_start "$data" fsync=off synchronous_commit=off full_page_writes=off
  export EFJOBS_TEST_CONNECTION="$PG_CONNECTION"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') started on port $PG_PORT (data in $data)"
fi
export EFJOBS_PG_BIN="${PG_BIN:-$(pg_bindir || true)}"
export EFJOBS_PG_DATA="${PG_DATA:-}"

dotnet tool restore >/dev/null
dotnet build EfJobs.sln -c Release -nologo -clp:ErrorsOnly

results="$root/TestResults"
rm -rf "$results"
status=0
dotnet test EfJobs.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  n=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + n))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
