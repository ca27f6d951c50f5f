#!/usr/bin/env bash
# Breaking-change check of the published SDL: compares graph/schema.graphql
# with the last released SDL, ci/schema.baseline.graphql, using
# graphql-inspector (pinned in ci/package.json). It fails on any breaking
# change not acknowledged, with a reason, in ci/breaking-changes.txt.
#
#   bash ci/check-schema.sh                      # from anywhere in the repo
#   bash ci/check-schema.sh OLD.graphql NEW.graphql
#
# After a release, make the released SDL the new baseline and clear the
# acknowledgements in the same commit: bash ci/update-schema-baseline.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
old="${1:-ci/schema.baseline.graphql}"
new="${2:-graph/schema.graphql}"

command -v node >/dev/null || { echo "check-schema: node is required (Node 20 or later)" >&2; exit 2; }
if [ ! -x ci/node_modules/.bin/graphql-inspector ]; then
	npm ci --prefix ci --no-audit --no-fund >&2
fi

echo "check-schema: $old -> $new (acknowledged breaks: ci/breaking-changes.txt)"
if ! ci/node_modules/.bin/graphql-inspector diff "$old" "$new" --rule ci/acknowledge-breaking.cjs; then
	echo "check-schema: FAILED (see above): an SDL that does not load, a breaking change not acknowledged in ci/breaking-changes.txt, or a stale acknowledgement" >&2
	exit 1
fi
echo "check-schema: ok"
