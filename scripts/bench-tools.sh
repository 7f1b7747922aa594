#!/usr/bin/env bash
# Makes sure the benchmark's baseline kubectl is there, building it from the Go module proxy by
# module name when it is not cached yet (the same wrapper-module build as scripts/test-tools.sh's
# kube-controller-manager, so it shares Go's module cache), and prints ANYMESH_KUBECTL=/abs/path.
# Only `npm run bench` calls this: tests never need kubectl.
#
# The kubectl of the machine is not used by default: it may be of another Kubernetes version than
# the API server the benchmark starts (or a cloud SDK's dispatcher), which would time a different
# client. Overrides: ANYMESH_KUBECTL (use that binary, build nothing), ANYMESH_KUBE_VERSION,
# ANYMESH_CACHE (default ~/.cache/anymesh).
set -euo pipefail

KUBE_VERSION="${ANYMESH_KUBE_VERSION:-v1.37.2}"
cache="${ANYMESH_CACHE:-$HOME/.cache/anymesh}"

log() { printf '[bench-tools] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

kubectl_bin="${ANYMESH_KUBECTL:-$cache/bin/kubectl-$KUBE_VERSION/kubectl}"
if [[ -x "$kubectl_bin" ]]; then
  printf 'ANYMESH_KUBECTL=%s\n' "$kubectl_bin"
  exit 0
fi

# shellcheck source=scripts/lib/go-wrapper-build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper-build.sh"
go_build_prepare bench-tools "kubectl"
kube_build_settings
# kubectl's main package lives in k8s.io/kubernetes (cmd/kubectl); its code in the k8s.io/kubectl
# staging module, which the wrapper's replace lines point at its published v0.<minor> tag.
go_wrapper_build kubectl k8s.io/kubernetes "$KUBE_VERSION" "$kube_staging_tag" \
  k8s.io/kubernetes/cmd/kubectl "$kubectl_bin" "$kube_ldflags"
printf 'ANYMESH_KUBECTL=%s\n' "$kubectl_bin"
