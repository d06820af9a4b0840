#!/usr/bin/env bash
# CI's check that every benchmark scenario still runs: a few thousand jobs, seconds per scenario, idle 5 s.
# Fails (non-zero) when a job is lost or runs twice or a scenario throws; never on timing targets.
set -euo pipefail
exec "$(dirname "$0")/run.sh" all --smoke "$@"
