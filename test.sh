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
mkdir -p "$results"
# The reliability scenarios append their summary lines here; removed with the rest of TestResults above, so it holds
# this run's lines only.
export EFJOBS_RELIABILITY_SUMMARY_DIR="$results"
summary="$results/reliability-summary.txt"
status=0
dotnet test EfJobs.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?

# Skipped tests are not in notExecuted (xUnit reports 0 there): they are the ones counted in total but not executed.
counter() { local value; value=$(sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$2"); echo "${value:-0}"; }
passed=0; failed=0; skipped=0; reliability_ran=false
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  t=$(counter total "$counters"); e=$(counter executed "$counters")
  p=$(counter passed "$counters"); f=$(counter failed "$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
  # A test of the reliability assembly ran (a trx that only says no test matched names the assembly as well).
  if grep -qiE 'storage="[^"]*efjobs\.reliabilitytests\.dll"' "$trx"; then reliability_ran=true; fi
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no test ran" >&2
  status=1
fi
if [ "$reliability_ran" = true ]; then
  echo "Reliability summary: $summary"
  if [ -s "$summary" ]; then
    cat "$summary"
  else
    echo "(no scenario wrote a summary line)"
  fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
