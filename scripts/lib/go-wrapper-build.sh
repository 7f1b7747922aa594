# shellcheck shell=bash
# shellcheck disable=SC2154 # cache, log and die come from the sourcing script
# Sourced by scripts/test-assets.sh and scripts/test-tools.sh: builds a Go command of a published
# module through a generated wrapper module, and caches the binary. Needs `cache`, `log` and `die`
# from the sourcing script, and sets no options of its own.

# Checks that Go is there and serialises concurrent runs of the calling script (two terminals, or CI
# jobs sharing a cache): the second waits on the lock, then finds the binaries cached.
# go_build_prepare SCRIPT-NAME WHAT-IT-BUILDS
go_build_prepare() {
  command -v go >/dev/null || die "go is not installed; it is needed to build $2"
  mkdir -p "$cache/bin"
  exec 9>"$cache/.$1.lock"
  if command -v flock >/dev/null && ! flock -n 9; then
    log "another $1.sh is building; waiting for it"
    flock 9
  fi
}

# Prints one `M => M TAG` line for every local (`=> ./...` or `=> ../...`) replace directive of the
# upstream go.mod. Go ignores a dependency's replace directives, so the wrapper module repeats them,
# pointing at the published versions of the same modules instead of the source tree. The list changes
# between releases (Kubernetes has ~33 staging modules), hence generated, never copied by hand.
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

# go_wrapper_build NAME MODULE VERSION STAGING_TAG PACKAGE OUT [LDFLAGS]
# STAGING_TAG empty: the module has no local replaces (a plain wrapper).
go_wrapper_build() {
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
    printf 'module anymesh.test/build/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$name" "$module" "$version"
    if [[ -n "$tag" ]]; then
      printf '\nreplace (\n'
      replace_lines "$module@$version" "$tag"
      printf ')\n'
    fi
  } >"$work/go.mod"
  log "$name: $(grep -c '=>' "$work/go.mod" || true) replace directives; resolving dependencies (go get)"
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

# Kubernetes' version stamps and staging tag for KUBE_VERSION (v1.<minor>.<patch>): sets
# `kube_staging_tag` (v0.<minor>.<patch>, the tag of the published staging modules) and
# `kube_ldflags` (without them /version reports v0.0.0; client-go carries a copy of the variables).
kube_build_settings() {
  # shellcheck disable=SC2034 # read by the sourcing script
  kube_staging_tag="v0.${KUBE_VERSION#v1.}"
  local major_minor=${KUBE_VERSION#v}
  local kube_major=${major_minor%%.*}
  local kube_minor=${major_minor#*.}
  kube_minor=${kube_minor%%.*}
  kube_ldflags=""
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$kube_major -X $p.gitMinor=$kube_minor"
    kube_ldflags+=" -X $p.gitTreeState=clean"
  done
}
