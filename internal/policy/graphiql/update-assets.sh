#!/usr/bin/env bash
# Re-fetches the third-party files GraphiQL's page loads from the npm
# registry (npm pack: no install scripts run) and copies them, byte for byte,
# into assets/, with their licences in assets/LICENSES.txt and their
# checksums in assets/SHA256SUMS.
#
#   bash internal/policy/graphiql/update-assets.sh          # fetch and write
#   bash internal/policy/graphiql/update-assets.sh --check  # fetch and compare only
#
# To move to other versions, change the pins below, run the script, then
# `go test ./internal/policy/graphiql/` (the browser test needs chromium).
# GraphiQL 3.x is the last line that ships a UMD build (graphiql.min.js);
# 4.x and 5.x are ES modules only. React 18 is the last with umd/.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1

here=$(cd "$(dirname "$0")" && pwd)
assets=$here/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" >/dev/null
for tgz in "graphiql-$GRAPHIQL_VERSION" "react-$REACT_VERSION" "react-dom-$REACT_VERSION"; do
	pkg=${tgz%-*}
	mkdir "$pkg"
	tar -xzf "$tgz.tgz" -C "$pkg" --strip-components=1
done

out=$work/out
mkdir "$out"
cp graphiql/graphiql.min.js graphiql/graphiql.min.css "$out/"
cp react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js "$out/"

{
	cat <<NOTE
Third-party files served by Switchyard's GraphiQL page (internal/policy/graphiql),
copied unchanged from the npm packages named below by update-assets.sh.

graphiql.min.js, graphiql.min.css  graphiql@$GRAPHIQL_VERSION   MIT  (GraphQL Contributors)
react.production.min.js            react@$REACT_VERSION       MIT  (Facebook, Inc. and its affiliates)
react-dom.production.min.js        react-dom@$REACT_VERSION   MIT  (Facebook, Inc. and its affiliates)

graphiql.min.js bundles its own dependencies (@graphiql/react, @graphiql/toolkit,
parts of graphql-js, CodeMirror 5, codemirror-graphql, Radix UI, markdown-it and others,
all under MIT or compatible licences, several with their notices kept inline).

NOTE
	printf '==== graphiql@%s LICENSE ====\n\n' "$GRAPHIQL_VERSION"
	cat graphiql/LICENSE
	printf '\n==== react@%s and react-dom@%s LICENSE ====\n\n' "$REACT_VERSION" "$REACT_VERSION"
	cat react/LICENSE
} >"$out/LICENSES.txt"

(cd "$out" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js LICENSES.txt >SHA256SUMS)

if [[ ${1:-} == --check ]]; then
	for f in "$out"/*; do
		cmp -s "$f" "$assets/$(basename "$f")" || { echo "assets/$(basename "$f") differs from the npm packages" >&2; exit 1; }
	done
	echo "assets match graphiql@$GRAPHIQL_VERSION and react/react-dom@$REACT_VERSION"
	exit 0
fi

cp "$out"/* "$assets/"
echo "assets updated to graphiql@$GRAPHIQL_VERSION and react/react-dom@$REACT_VERSION"
