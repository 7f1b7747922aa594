#!/usr/bin/env bash
# Makes sure the install/status integration tests have their real tools, building them from the Go
# module proxy by module name when they are not cached yet, and writes ${cache}/tools.env:
#
#   ANYMESH_HELM=/abs/path/helm
#   ANYMESH_KWOK=/abs/path/kwok
#   ANYMESH_KUBE_CONTROLLER_MANAGER=/abs/path/kube-controller-manager
#   ANYMESH_KUBE_SCHEDULER=/abs/path/kube-scheduler
#   ANYMESH_KWOK_STAGES=/abs/path/stages.yaml   (kwok -c: its own "fast" node and pod stages)
#
# The same lines go to stdout (`eval "$(bash scripts/test-tools.sh)"` works). Progress goes to stderr.
# Idempotent: with the binaries cached it only checks that they exist (milliseconds, no Go call).
#
#  - helm (helm.sh/helm/v3): plain `go build` of cmd/helm in a wrapper module (no replace directives
#    upstream). The version variable is stamped so `helm version` tells the truth.
#  - kwok (sigs.k8s.io/kwok): simulated nodes; pods scheduled to them become Running/Ready without a
#    kubelet. Plain module too. kwok v0.5+ does nothing without Stage configuration; the stages kwok
#    publishes in its module (kustomize/stage/node/{fast,heartbeat-with-lease}, pod/fast) are copied
#    next to the binary as stages.yaml.
#  - kube-controller-manager and kube-scheduler (k8s.io/kubernetes): the Deployment/ReplicaSet/
#    EndpointSlice controllers turn a Deployment into pods, report it Available and give Services
#    endpoints; the scheduler binds the pods to kwok's nodes (kwok does not schedule). Same
#    wrapper-module trick as scripts/test-assets.sh
#    (the upstream go.mod replaces its staging modules with local paths; the wrapper points them at
#    the published k8s.io/<m> v0.<minor>.<patch>). Shares Go's module cache with the kube-apiserver
#    build, so after test-assets.sh it mostly compiles.
#
# Environment overrides (use binaries from elsewhere, build nothing): ANYMESH_HELM, ANYMESH_KWOK,
# ANYMESH_KUBE_CONTROLLER_MANAGER, ANYMESH_KUBE_SCHEDULER. Versions: ANYMESH_HELM_VERSION, ANYMESH_KWOK_VERSION,
# ANYMESH_KUBE_VERSION. Cache: ANYMESH_CACHE (default ~/.cache/anymesh).
set -euo pipefail

HELM_VERSION="${ANYMESH_HELM_VERSION:-v3.22.0}"
KWOK_VERSION="${ANYMESH_KWOK_VERSION:-v0.8.0}"
KUBE_VERSION="${ANYMESH_KUBE_VERSION:-v1.37.2}"
cache="${ANYMESH_CACHE:-$HOME/.cache/anymesh}"

log() { printf '[test-tools] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

helm_bin="${ANYMESH_HELM:-$cache/bin/helm-$HELM_VERSION/helm}"
kwok_bin="${ANYMESH_KWOK:-$cache/bin/kwok-$KWOK_VERSION/kwok}"
kcm_bin="${ANYMESH_KUBE_CONTROLLER_MANAGER:-$cache/bin/kube-controller-manager-$KUBE_VERSION/kube-controller-manager}"
sched_bin="${ANYMESH_KUBE_SCHEDULER:-$cache/bin/kube-scheduler-$KUBE_VERSION/kube-scheduler}"
stages="${ANYMESH_KWOK_STAGES:-$cache/bin/kwok-$KWOK_VERSION/stages.yaml}"

write_env() {
  local out
  out=$(printf 'ANYMESH_HELM=%s\nANYMESH_KWOK=%s\nANYMESH_KWOK_STAGES=%s\nANYMESH_KUBE_CONTROLLER_MANAGER=%s\nANYMESH_KUBE_SCHEDULER=%s\n' \
    "$helm_bin" "$kwok_bin" "$stages" "$kcm_bin" "$sched_bin")
  mkdir -p "$cache"
  printf '%s\n' "$out" >"$cache/tools.env.tmp.$$"
  mv -f "$cache/tools.env.tmp.$$" "$cache/tools.env"
  printf '%s\n' "$out"
}

# Fast path: everything there.
if [[ -x "$helm_bin" && -x "$kwok_bin" && -f "$stages" && -x "$kcm_bin" && -x "$sched_bin" ]]; then
  log "cached: $helm_bin, $kwok_bin, $kcm_bin, $sched_bin"
  write_env
  exit 0
fi

# shellcheck source=scripts/lib/go-wrapper-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper-build.sh"
go_build_prepare test-tools "helm, kwok, kube-controller-manager and kube-scheduler"

helm_major=${HELM_VERSION%%.*}
go_wrapper_build helm "helm.sh/helm/$helm_major" "$HELM_VERSION" "" "helm.sh/helm/$helm_major/cmd/helm" "$helm_bin" \
  "-X helm.sh/helm/$helm_major/internal/version.version=$HELM_VERSION"

go_wrapper_build kwok sigs.k8s.io/kwok "$KWOK_VERSION" "" sigs.k8s.io/kwok/cmd/kwok "$kwok_bin" \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"

if [[ ! -f "$stages" ]]; then
  kwok_dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -d "$kwok_dir/kustomize/stage" ]] || die "kwok $KWOK_VERSION module has no kustomize/stage directory"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      printf -- '---\n'
      cat "$kwok_dir/kustomize/stage/$f"
    done
  } >"$stages.tmp"
  mv -f "$stages.tmp" "$stages"
  log "kwok stages: $stages"
fi

kube_build_settings
go_wrapper_build kube-controller-manager k8s.io/kubernetes "$KUBE_VERSION" "$kube_staging_tag" \
  k8s.io/kubernetes/cmd/kube-controller-manager "$kcm_bin" "$kube_ldflags"
go_wrapper_build kube-scheduler k8s.io/kubernetes "$KUBE_VERSION" "$kube_staging_tag" \
  k8s.io/kubernetes/cmd/kube-scheduler "$sched_bin" "$kube_ldflags"

write_env
