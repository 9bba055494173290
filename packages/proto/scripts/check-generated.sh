#!/usr/bin/env bash
# Fails when the committed generated code (packages/proto/src/gen) differs from what the protos
# generate now, so CI catches a proto edit without `npm run generate`. Also lints the protos.
# Generates into a temporary directory, so the work tree is never touched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
gen_dir="packages/proto/src/gen"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npx --no-install buf lint
# --output prefixes every `out:` of buf.gen.yaml, so the plugin writes $tmp/$gen_dir.
npx --no-install buf generate --output "$tmp"

if ! diff -ru "$gen_dir" "$tmp/$gen_dir"; then
  echo "error: $gen_dir is stale; run 'npm run generate' and commit the result" >&2
  exit 1
fi
echo "generated code is up to date ($gen_dir)"
