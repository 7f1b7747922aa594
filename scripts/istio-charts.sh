#!/usr/bin/env bash
# Istio's own Helm charts (base, istiod, cni, ztunnel), as the module istio.io/istio carries them in
# manifests/charts: the version the behaviour driver pins (test/behaviour/istio/driver/go.mod, the one
# place it is written; see build-istio-driver.sh for why it is a master commit, not 1.30.3), fetched
# with `go mod download` into the Go module cache (milliseconds when it is there already). Prints the
# charts directory on stdout, so `ANYMESH_ISTIO_CHARTS=$(bash scripts/istio-charts.sh)` works; the
# ambient install test (test/integration/install-ambient.test.ts) packages these real charts.
#
# Variables: ANYMESH_ISTIO_CHARTS (an existing directory: nothing is fetched, its path is printed).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
gomod="$here/../test/behaviour/istio/driver/go.mod"

die() {
  printf '[istio-charts] error: %s\n' "$*" >&2
  exit 1
}

if [[ -n "${ANYMESH_ISTIO_CHARTS:-}" ]]; then
  [[ -d "$ANYMESH_ISTIO_CHARTS/ztunnel" ]] || die "ANYMESH_ISTIO_CHARTS=$ANYMESH_ISTIO_CHARTS has no ztunnel chart"
  realpath "$ANYMESH_ISTIO_CHARTS"
  exit 0
fi
command -v go >/dev/null || die "go is not installed (needed once to fetch istio.io/istio)"
version=$(awk '$1 == "istio.io/istio" { print $2; exit } $1 == "require" && $2 == "istio.io/istio" { print $3; exit }' "$gomod")
[[ -n "$version" ]] || die "$gomod does not require istio.io/istio"
# Outside any module, so the driver's go.mod is not touched; -json names the extracted directory.
dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "istio.io/istio@$version" |
  awk -F'"' '$2 == "Dir" { print $4; exit }')
[[ -n "$dir" && -d "$dir/manifests/charts" ]] || die "go mod download istio.io/istio@$version gave no charts"
for c in base istio-control/istio-discovery istio-cni ztunnel; do
  [[ -f "$dir/manifests/charts/$c/Chart.yaml" ]] || die "$dir/manifests/charts/$c/Chart.yaml is missing"
done
printf '%s\n' "$dir/manifests/charts"
