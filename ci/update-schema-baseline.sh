#!/usr/bin/env bash
# Makes the current SDL the breaking-change baseline, after a release:
# copies graph/schema.graphql to ci/schema.baseline.graphql and empties the
# acknowledgements in ci/breaking-changes.txt (they were breaks against the
# old baseline). Commit both files together, saying which release it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp graph/schema.graphql ci/schema.baseline.graphql
sed -i '/^[[:space:]]*[^#[:space:]]/d' ci/breaking-changes.txt
echo "baseline updated: commit ci/schema.baseline.graphql and ci/breaking-changes.txt"
