#!/usr/bin/env bash
# The longer fuzz run of RELIABILITY.md: every fuzz target for FUZZTIME
# (default 30s) in turn. Crashers, if any, land in each package's
# testdata/fuzz and make the script fail.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
failed=0
for pkg in ./vendors/ortto ./vendors/apptivo ./vendors/appdirect ./vendors/cordial ./internal/app/e2e; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1)
    status=$?
    summary=$(printf '%s\n' "$out" | grep -E '^fuzz: elapsed' | tail -1)
    printf '%-22s %-12s %s %s\n' "$pkg" "$target" "$([ $status -eq 0 ] && echo ok || echo FAIL)" "$summary"
    [ $status -eq 0 ] || { failed=1; printf '%s\n' "$out" | tail -20; }
  done
done
exit $failed
