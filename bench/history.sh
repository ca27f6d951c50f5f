#!/usr/bin/env bash
# The long form of the history checker of RELIABILITY.md
# (TestHistoriesAreLinearizable): histories of 3 s each, one after the
# other, for SWITCHYARD_HISTORY_DURATION (default 60s), each checked with porcupine.
# SWITCHYARD_HISTORY_SEED (default: the clock) picks the operations, the proxy's
# delays and the fault schedule of the first history; the next ones use
# the seeds after it. Needs redis-server. Prints how many histories and
# operations were checked and how many violations were found; fails if any,
# describing the first three (their record's operations, a visualization file).
set -uo pipefail
cd "$(dirname "$0")/.."
export SWITCHYARD_HISTORY_DURATION=${SWITCHYARD_HISTORY_DURATION:-60s}
if ! command -v redis-server >/dev/null; then
  echo "redis-server is not on PATH (Debian: apt-get install -y redis-server)" >&2
  exit 1
fi
out=$(go test ./internal/app/e2e -run '^TestHistoriesAreLinearizable$' -count=1 -timeout 0 -v 2>&1)
status=$?
printf '%s\n' "$out" | grep -E 'SWITCHYARD_HISTORY_SEED=|checked [0-9]+ histories|not linearizable|^ +client |^--- |^(ok|FAIL)' | sed 's/^ *history_test.go:[0-9]*: //'
exit $status
