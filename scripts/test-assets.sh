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

# shellcheck source=scripts/lib/go-wrapper-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper-build.sh"
go_build_prepare test-assets "kube-apiserver and etcd (or set KUBEBUILDER_ASSETS)"

# etcd's server module replaces its sibling modules (api, client/pkg, client/v3, pkg) with ../ paths.
go_wrapper_build etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$etcd_bin"

kube_build_settings
go_wrapper_build kube-apiserver k8s.io/kubernetes "$KUBE_VERSION" "$kube_staging_tag" k8s.io/kubernetes/cmd/kube-apiserver \
  "$apiserver_bin" "$kube_ldflags"

write_env "$apiserver_bin" "$etcd_bin"
