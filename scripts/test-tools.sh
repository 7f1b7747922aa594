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

command -v go >/dev/null || die "go is not installed; it is needed to build helm, kwok, kube-controller-manager and kube-scheduler"
mkdir -p "$cache/bin"
exec 9>"$cache/.test-tools.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  log "another test-tools.sh is building; waiting for it"
  flock 9
fi

# Same as scripts/test-assets.sh: one `M => M TAG` line per local replace directive of the upstream go.mod.
replace_lines() { # module@version staging-tag
  local gomod
  gomod=$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -f "$gomod" ]] || die "go mod download $1 gave no go.mod"
  awk -v tag="$2" '
    /^replace[[:space:]]*\(/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    {
      line = $0
      sub(/^replace[[:space:]]+/, "", line)
      if (!inblock && line == $0) next
      n = split(line, f, /[[:space:]]+/)
      i = (f[1] == "") ? 2 : 1
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
    printf 'module anymesh.test/tools/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$name" "$module" "$version"
    if [[ -n "$tag" ]]; then
      printf '\nreplace (\n'
      replace_lines "$module@$version" "$tag"
      printf ')\n'
    fi
  } >"$work/go.mod"
  log "$name: resolving dependencies (go get $pkg@$version)"
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

helm_major=${HELM_VERSION%%.*}
build helm "helm.sh/helm/$helm_major" "$HELM_VERSION" "" "helm.sh/helm/$helm_major/cmd/helm" "$helm_bin" \
  "-X helm.sh/helm/$helm_major/internal/version.version=$HELM_VERSION"

build kwok sigs.k8s.io/kwok "$KWOK_VERSION" "" sigs.k8s.io/kwok/cmd/kwok "$kwok_bin" \
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

staging_tag="v0.${KUBE_VERSION#v1.}"
major_minor=${KUBE_VERSION#v}
kube_major=${major_minor%%.*}
kube_minor=${major_minor#*.}
kube_minor=${kube_minor%%.*}
kube_ldflags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$kube_major -X $p.gitMinor=$kube_minor"
  kube_ldflags+=" -X $p.gitTreeState=clean"
done
build kube-controller-manager k8s.io/kubernetes "$KUBE_VERSION" "$staging_tag" \
  k8s.io/kubernetes/cmd/kube-controller-manager "$kcm_bin" "$kube_ldflags"
build kube-scheduler k8s.io/kubernetes "$KUBE_VERSION" "$staging_tag" \
  k8s.io/kubernetes/cmd/kube-scheduler "$sched_bin" "$kube_ldflags"

write_env
