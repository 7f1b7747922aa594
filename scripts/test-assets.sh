#!/usr/bin/env bash
# Makes sure the integration tier has a real kube-apiserver and etcd, building them from the Go module
# proxy by module name when they are not cached yet, and writes ${cache}/assets.env:
#
#   TEST_ASSET_KUBE_APISERVER=/abs/path/kube-apiserver
#   TEST_ASSET_ETCD=/abs/path/etcd
#   ANYMESH_STORAGE_BACKEND=etcd
#
# The same lines go to stdout, so `eval "$(bash scripts/test-assets.sh)"` also works. Progress goes to
# stderr. Idempotent: a second run with the binaries cached only checks that they exist.
#
# envtest convention: if TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD (or KUBEBUILDER_ASSETS holding
# both binaries) point at existing executables, nothing is built and those are recorded.
#
# Storage backend: etcd 3.6 rather than kine/sqlite. etcd is what kube-apiserver is tested against
# upstream (and what envtest ships), it supports everything the API server asks of it (watch-list,
# progress notifications), it builds with CGO_ENABLED=0 in a few minutes, whereas kine's sqlite driver
# needs cgo and emulates the etcd API with known gaps.
#
# Variables: ANYMESH_CACHE (default ~/.cache/anymesh), ANYMESH_KUBE_VERSION, ANYMESH_ETCD_VERSION.
# Go's module and build caches stay in their default places so they are shared with everything else.
set -euo pipefail

# Newest releases whose go.mod asks for no more than the installed Go 1.26 (checked with
# `go list -m -versions k8s.io/kubernetes` and the module's `go` line).
KUBE_VERSION="${ANYMESH_KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${ANYMESH_ETCD_VERSION:-v3.6.16}"
cache="${ANYMESH_CACHE:-$HOME/.cache/anymesh}"

log() { printf '[test-assets] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

write_env() { # apiserver etcd
  local out
  out=$(printf 'TEST_ASSET_KUBE_APISERVER=%s\nTEST_ASSET_ETCD=%s\nANYMESH_STORAGE_BACKEND=etcd\n' "$1" "$2")
  mkdir -p "$cache"
  # Write then rename, so a reader never sees half a file.
  printf '%s\n' "$out" >"$cache/assets.env.tmp.$$"
  mv -f "$cache/assets.env.tmp.$$" "$cache/assets.env"
  printf '%s\n' "$out"
}

# 1. Binaries supplied from outside (envtest convention): build nothing.
if [[ -n "${TEST_ASSET_KUBE_APISERVER:-}" && -n "${TEST_ASSET_ETCD:-}" ]]; then
  [[ -x "$TEST_ASSET_KUBE_APISERVER" ]] || die "TEST_ASSET_KUBE_APISERVER=$TEST_ASSET_KUBE_APISERVER is not an executable file"
  [[ -x "$TEST_ASSET_ETCD" ]] || die "TEST_ASSET_ETCD=$TEST_ASSET_ETCD is not an executable file"
  log "using TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD from the environment"
  write_env "$(realpath "$TEST_ASSET_KUBE_APISERVER")" "$(realpath "$TEST_ASSET_ETCD")"
  exit 0
fi
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    dir=$(realpath "$KUBEBUILDER_ASSETS")
    write_env "$dir/kube-apiserver" "$dir/etcd"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; falling back to the cache"
fi

apiserver_bin="$cache/bin/kube-apiserver-$KUBE_VERSION/kube-apiserver"
etcd_bin="$cache/bin/etcd-$ETCD_VERSION/etcd"

# 2. Fast path: both cached. No Go invocation at all, so this takes milliseconds.
if [[ -x "$apiserver_bin" && -x "$etcd_bin" ]]; then
  log "cached: $apiserver_bin, $etcd_bin"
  write_env "$apiserver_bin" "$etcd_bin"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it is needed to build kube-apiserver and etcd (or set KUBEBUILDER_ASSETS)"

# Serialise concurrent runs (e.g. two terminals, or CI jobs sharing a cache): the second waits and then
# finds the binaries cached.
mkdir -p "$cache/bin"
exec 9>"$cache/.test-assets.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  log "another test-assets.sh is building; waiting for it"
  flock 9
fi

# Prints one `replace M => M vTAG` line for every local (`=> ./...` or `=> ../...`) replace directive
# of the upstream go.mod. Go ignores a dependency's replace directives, so the wrapper module has to
# repeat them, pointing at the published versions of the same modules instead of the source tree.
# The list changes between releases, hence generated, never copied by hand.
replace_lines() { # module@version staging-tag
  local gomod
  gomod=$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -f "$gomod" ]] || die "go mod download $1 gave no go.mod"
  # Handles both `replace M => ./x` and the lines inside a `replace ( ... )` block.
  awk -v tag="$2" '
    /^replace[[:space:]]*\(/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    {
      line = $0
      sub(/^replace[[:space:]]+/, "", line)
      if (!inblock && line == $0) next
      n = split(line, f, /[[:space:]]+/)
      # f: [""] M => PATH   (leading whitespace gives an empty first field inside a block)
      i = (f[1] == "") ? 2 : 1
      # etcd points modules it bans at ./FORBIDDEN_DEPENDENCY; those are not siblings, leave them out.
      if (f[i + 2] ~ /FORBIDDEN/) next
      if (f[i + 1] == "=>" && f[i + 2] ~ /^\.\.?\//) printf "\t%s => %s %s\n", f[i], f[i], tag
    }' "$gomod"
}

# build NAME MODULE VERSION STAGING_TAG PACKAGE OUT [LDFLAGS]
build() {
  local name=$1 module=$2 version=$3 tag=$4 pkg=$5 out=$6 ldflags=${7:-}
  if [[ -x "$out" ]]; then
    log "$name: cached at $out"
    return
  fi
  local start=$SECONDS
  local work="$cache/src/$name-$version"
  rm -rf "$work" && mkdir -p "$work"
  log "$name $version: generating the wrapper module in $work"
  {
    printf 'module anymesh.test/assets/%s\n\ngo 1.26.0\n\nrequire %s %s\n\nreplace (\n' "$name" "$module" "$version"
    replace_lines "$module@$version" "$tag"
    printf ')\n'
  } >"$work/go.mod"
  log "$name: $(grep -c '=>' "$work/go.mod") replace directives; resolving dependencies (go get)"
  # `go get PKG@VERSION` fills in the requirements and go.sum of the wrapper; the replaces above make
  # the staging modules resolve to their published versions.
  (cd "$work" && go get "$pkg@$version")
  log "$name: compiling $pkg (cold: minutes; progress is silent)"
  mkdir -p "$(dirname "$out")"
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg")
  mv -f "$out.tmp" "$out"
  local took=$((SECONDS - start))
  printf 'module=%s version=%s built=%s seconds=%s go=%s\n' "$module" "$version" "$(date -u +%FT%TZ)" \
    "$took" "$(go env GOVERSION)" >"$(dirname "$out")/build-info.txt"
  log "$name: built in ${took}s -> $out"
}

# etcd's server module replaces its sibling modules (api, client/pkg, client/v3, pkg) with ../ paths.
build etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$etcd_bin"

# kube-apiserver: staging modules are published as k8s.io/<m> v0.<minor>.<patch> for v1.<minor>.<patch>.
staging_tag="v0.${KUBE_VERSION#v1.}"
major_minor=${KUBE_VERSION#v}
kube_major=${major_minor%%.*}
kube_minor=${major_minor#*.}
kube_minor=${kube_minor%%.*}
kube_ldflags=""
# Without these /version reports v0.0.0. client-go carries a copy of the version variables too.
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$kube_major -X $p.gitMinor=$kube_minor"
  kube_ldflags+=" -X $p.gitTreeState=clean"
done
build kube-apiserver k8s.io/kubernetes "$KUBE_VERSION" "$staging_tag" k8s.io/kubernetes/cmd/kube-apiserver \
  "$apiserver_bin" "$kube_ldflags"

write_env "$apiserver_bin" "$etcd_bin"
