#!/usr/bin/env bash
# Builds the `consul` binary used by test/integration/consul-agent.test.ts from the Go module proxy and
# caches it under ${ANYMESH_CACHE:-~/.cache/anymesh}/bin/consul-<version>/consul. Prints the absolute
# path of the binary on stdout (progress goes to stderr), so `CONSUL_BIN=$(bash scripts/build-consul.sh)`
# works. Idempotent: with the binary cached it only checks that it exists.
#
# LICENSING, read before changing the version: Consul changed its licence from MPL-2.0 to BUSL-1.1 in
# August 2023, and the change was applied to later 1.16.x patch releases too. Checked on the module zips
# from the proxy (LICENSE file at the module root):
#   v1.16.0 .. v1.16.3  Mozilla Public License 2.0
#   v1.16.4 .. v1.16.5  not served by the module proxy ("This module version is not available")
#   v1.16.6             Business Source License 1.1   <- MUST NOT be used
# v1.16.3 is therefore the newest Consul we may build. The script refuses to build anything whose
# LICENSE is not MPL-2.0, so a version bump cannot silently pull in BUSL code.
#
# Consul's go.mod replaces its sibling modules (api, sdk, envoyextensions, proto-public, troubleshoot)
# with ./ paths and excludes two go-msgpack versions. Go ignores a dependency's replace and exclude
# directives, so a wrapper module repeats them: each sibling is pinned to the version the upstream
# go.mod requires, and the excludes are copied verbatim.
#
# Variables: ANYMESH_CACHE (default ~/.cache/anymesh), ANYMESH_CONSUL_VERSION (default v1.16.3),
# CONSUL_BIN (an existing executable: nothing is built, its path is printed).
set -euo pipefail

CONSUL_VERSION="${ANYMESH_CONSUL_VERSION:-v1.16.3}"
cache="${ANYMESH_CACHE:-$HOME/.cache/anymesh}"
module=github.com/hashicorp/consul
out="$cache/bin/consul-$CONSUL_VERSION/consul"

log() { printf '[build-consul] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if [[ -n "${CONSUL_BIN:-}" ]]; then
  [[ -x "$CONSUL_BIN" ]] || die "CONSUL_BIN=$CONSUL_BIN is not an executable file"
  realpath "$CONSUL_BIN"
  exit 0
fi
if [[ -x "$out" ]]; then
  log "cached: $out"
  printf '%s\n' "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it is needed to build consul (or set CONSUL_BIN)"
mkdir -p "$cache/bin"
exec 9>"$cache/.build-consul.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  log "another build-consul.sh is building; waiting for it"
  flock 9
  if [[ -x "$out" ]]; then
    printf '%s\n' "$out"
    exit 0
  fi
fi

start=$SECONDS
info=$(go mod download -json "$module@$CONSUL_VERSION")
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
[[ -d "$src" && -f "$gomod" ]] || die "go mod download $module@$CONSUL_VERSION failed: $info"
grep -q 'Mozilla Public License, version 2.0' "$src/LICENSE" ||
  die "$module@$CONSUL_VERSION is not MPL-2.0 licensed (see $src/LICENSE); refusing to build it"

work="$cache/src/consul-$CONSUL_VERSION"
rm -rf "$work" && mkdir -p "$work"
{
  printf 'module anymesh.test/assets/consul\n\ngo 1.26.0\n\nrequire %s %s\n\nreplace (\n' "$module" "$CONSUL_VERSION"
  # For every `M => ./dir` replace of the upstream go.mod, pin M to the version its require block names.
  awk '
    /^replace[[:space:]]*\(/ { inrep = 1; next }
    inrep && /^\)/ { inrep = 0; next }
    inrep && $2 == "=>" && $3 ~ /^\.\.?\// { local[$1] = 1; next }
    /^require[[:space:]]*\(/ { inreq = 1; next }
    inreq && /^\)/ { inreq = 0; next }
    inreq && ($1 in local) { printf "\t%s => %s %s\n", $1, $1, $2 }
  ' "$gomod"
  printf ')\n\n'
  # Exclude blocks are copied as they are (upstream excludes go-msgpack versions with breaking changes).
  awk '/^exclude[[:space:]]*\(/ { on = 1 } on { print } on && /^\)/ { on = 0 }' "$gomod"
} >"$work/go.mod"
log "consul $CONSUL_VERSION: wrapper module in $work ($(grep -c '=>' "$work/go.mod") replaces); resolving dependencies"
# Seed go.sum with the checksums Consul itself and its sibling modules ship. The checksum database
# reachable from here answers 404 for a few modules (seen: hcp-sdk-go v0.55.0, consul/envoyextensions
# v0.4.1), which makes `go get` fail with "verifying module". Every go.sum used here comes out of a
# module zip that Go has verified, so the chain of trust is kept (GOSUMDB is NOT turned off).
cp "$src/go.sum" "$work/go.sum"
while read -r sibling version; do
  dir=$(cd "$work" && go mod download -json "$sibling@$version" 2>/dev/null |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p') || true
  if [[ -n "$dir" && -f "$dir/go.sum" ]]; then cat "$dir/go.sum" >>"$work/go.sum"; fi
done < <(awk '$2 == "=>" { print $3, $4 }' "$work/go.mod")
sort -u -o "$work/go.sum" "$work/go.sum"
(cd "$work" && go get "$module@$CONSUL_VERSION")
log "consul: compiling (cold: several minutes; progress is silent)"
mkdir -p "$(dirname "$out")"
(cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp" "$module")
mv -f "$out.tmp" "$out"
took=$((SECONDS - start))
printf 'module=%s version=%s license=MPL-2.0 built=%s seconds=%s go=%s\n' "$module" "$CONSUL_VERSION" \
  "$(date -u +%FT%TZ)" "$took" "$(go env GOVERSION)" >"$(dirname "$out")/build-info.txt"
log "consul: built in ${took}s -> $out"
printf '%s\n' "$out"
