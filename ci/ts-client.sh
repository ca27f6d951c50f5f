#!/usr/bin/env bash
# The TypeScript client (examples/ts-client), end to end:
#   1. npm ci (pinned by package-lock.json)
#   2. graphql-codegen from graph/schema.graphql: fails on any warning and on
#      any difference from the committed src/gql/
#   3. tsc --noEmit (strict)
#   4. tsc (build to dist/)
#   5. a sandbox gateway (`go build .`, run with PORT on a free port), wait
#      for /healthz
#   6. node dist/run.js against it: typed queries and a mutation, non-zero
#      exit on any GraphQL error or missing data
#   7. stop the sandbox
# Needs Go and Node 20 or later.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/examples/ts-client"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
step() { echo "ts-client: $*"; }

cd "$dir"
step "npm ci"
npm ci --no-audit --no-fund

step "codegen"
cp -r src/gql "$tmp/gql.committed"
if ! ./node_modules/.bin/graphql-codegen --config codegen.ts >"$tmp/codegen.log" 2>&1; then
	cat "$tmp/codegen.log" >&2
	echo "ts-client: codegen failed" >&2
	exit 1
fi
cat "$tmp/codegen.log"
if grep -Eiq 'warn|⚠|✖|deprecat' "$tmp/codegen.log"; then
	echo "ts-client: codegen printed warnings (above); the target is none" >&2
	exit 1
fi
if ! diff -ru "$tmp/gql.committed" src/gql >&2; then
	echo "ts-client: examples/ts-client/src/gql was stale: run npm run codegen and commit the result" >&2
	exit 1
fi

step "tsc --noEmit (strict)"
./node_modules/.bin/tsc --noEmit
step "tsc (build)"
rm -rf dist
./node_modules/.bin/tsc

step "sandbox"
(cd "$root" && go build -o "$tmp/switchyard" .)
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
PORT="$port" "$tmp/switchyard" >"$tmp/sandbox.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 150); do
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$tmp/sandbox.log" >&2
		echo "ts-client: the sandbox exited" >&2
		exit 1
	fi
	if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$port/healthz"; then
		ready=1
		break
	fi
	sleep 0.2
done
if [ -z "$ready" ]; then
	cat "$tmp/sandbox.log" >&2
	echo "ts-client: the sandbox was not healthy within 30 s" >&2
	exit 1
fi

step "node dist/run.js against http://127.0.0.1:$port/query"
GRAPHQL_URL="http://127.0.0.1:$port/query" node dist/run.js
step "ok"
