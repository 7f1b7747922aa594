#!/usr/bin/env bash
# Builds the Istio behaviour driver (test/behaviour/istio/driver, our own Go code) against the module
# istio.io/istio and caches the test binary under
# ${ANYMESH_CACHE:-~/.cache/anymesh}/bin/istio-driver-<istio version>/istio-driver-<source hash>.
# Prints the absolute path of the binary on stdout (progress goes to stderr), so
# `ANYMESH_ISTIO_DRIVER=$(bash scripts/build-istio-driver.sh)` works. Idempotent: with the binary
# cached it hashes the driver's sources and checks that the file exists (milliseconds, no Go call).
#
# The driver is a Go test binary (`go test -c`): Istio's request simulation (pilot/pkg/simulation)
# takes a *testing.T. Its go.mod pins istio.io/istio to a pseudo-version; istio.io/istio's go.mod has
# no replace directives, so the driver module needs none either, and its go.sum (checked in) pins
# every dependency. The Istio version is read from that go.mod, the one place it is written.
#
# Which Istio: the output targets Istio 1.30.3, but Istio's tags (1.30.3, not v1.30.3) are not semantic
# versions, and the module proxy reachable here answers "not available" for the 1.30.3 commit
# (56df41f63e51, pseudo-version v0.0.0-20260713165634-56df41f63e51) and for 1.30.0-1.30.2. It serves
# only its `latest`, v0.0.0-20260827124520-eed52ebb66ad (master of 2026-08-27, after 1.31.0-rc.0), which
# the driver pins. To move to a release commit: `go get istio.io/istio@<pseudo-version>` in the driver
# directory, `go mod tidy`, commit go.mod and go.sum.
#
# Variables: ANYMESH_CACHE (default ~/.cache/anymesh), ANYMESH_ISTIO_DRIVER (an existing executable:
# nothing is built, its path is printed).
set -euo pipefail

cache="${ANYMESH_CACHE:-$HOME/.cache/anymesh}"
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../test/behaviour/istio/driver"

log() { printf '[build-istio-driver] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
# shellcheck source=scripts/lib/go-wrapper-build.sh
source "$here/lib/go-wrapper-build.sh"

if [[ -n "${ANYMESH_ISTIO_DRIVER:-}" ]]; then
  [[ -x "$ANYMESH_ISTIO_DRIVER" ]] || die "ANYMESH_ISTIO_DRIVER=$ANYMESH_ISTIO_DRIVER is not an executable file"
  realpath "$ANYMESH_ISTIO_DRIVER"
  exit 0
fi

version=$(awk '$1 == "istio.io/istio" { print $2; exit } $1 == "require" && $2 == "istio.io/istio" { print $3; exit }' "$src/go.mod")
[[ -n "$version" ]] || die "$src/go.mod does not require istio.io/istio"
# The key covers every file that goes into the build, so an edited driver is rebuilt.
hash=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
out="$cache/bin/istio-driver-$version/istio-driver-$hash"
if [[ -x "$out" ]]; then
  log "cached: $out"
  printf '%s\n' "$out"
  exit 0
fi

go_build_prepare build-istio-driver "the Istio behaviour driver"
if [[ -x "$out" ]]; then # built by the run we waited for
  printf '%s\n' "$out"
  exit 0
fi
start=$SECONDS
work="$cache/src/istio-driver-$hash"
rm -rf "$work" && mkdir -p "$work"
cp "$src"/go.mod "$src"/go.sum "$src"/*.go "$work/"
log "istio.io/istio $version: compiling the driver in $work (cold: many minutes, silent)"
mkdir -p "$(dirname "$out")"
# -mod=mod lets Go add a go.sum line a newer toolchain wants without failing; versions stay pinned.
# -vet=off: `go test` vets by default, which costs minutes here and checks our code, not Istio's.
(cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod go test -c -vet=off -trimpath -ldflags "-s -w" -o "$out.tmp" .)
mv -f "$out.tmp" "$out"
# Binaries of earlier driver sources are of no further use.
find "$(dirname "$out")" -mindepth 1 -maxdepth 1 -name 'istio-driver-*' ! -name "$(basename "$out")*" -delete
took=$((SECONDS - start))
printf 'module=istio.io/istio version=%s driver=%s built=%s seconds=%s go=%s\n' "$version" "$hash" \
  "$(date -u +%FT%TZ)" "$took" "$(go env GOVERSION)" >"$out.build-info.txt"
log "built in ${took}s -> $out"
printf '%s\n' "$out"
