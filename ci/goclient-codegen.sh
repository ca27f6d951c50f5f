#!/usr/bin/env bash
# Regenerates the genqlient Go client (examples/goclient) from the
# committed SDL and fails when the generator prints anything (a warning) or
# when the result differs from the committed generated.go. (`go test
# ./examples/goclient` checks the same in memory; this is the generator CLI
# a developer runs.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/examples/goclient"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp "$dir/generated.go" "$tmp/generated.go"
(cd "$dir" && go run github.com/Khan/genqlient) >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; echo "goclient-codegen: genqlient failed" >&2; exit 1; }
if [ -s "$tmp/out" ]; then
	cat "$tmp/out" >&2
	echo "goclient-codegen: genqlient printed warnings (above); the target is none" >&2
	exit 1
fi
if ! diff -u "$tmp/generated.go" "$dir/generated.go" >&2; then
	echo "goclient-codegen: examples/goclient/generated.go was stale: commit the regenerated file" >&2
	exit 1
fi
echo "goclient-codegen: ok (no warnings, no diff)"
