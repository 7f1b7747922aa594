#!/usr/bin/env bash
# The main job on the examples: compile every example for every mesh into out/<mesh>/ (one file per
# resource, as a GitOps repository holds them), leaving out with a warning what a mesh cannot
# express, then print the portability report of the examples across all meshes.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's Node 24 (a devDependency), whatever node is first on the PATH.
NODE="node_modules/.bin/node"
[ -x "$NODE" ] || NODE=node
anymesh() { "$NODE" bin/anymesh.js "$@"; }
rm -rf out
anymesh validate -f examples/
# Facts a policy does not carry, that some meshes need: the container ports Linkerd's strict mTLS
# covers with Servers, and App Mesh's certificate source (SPIRE through SDS) for mTLS.
declare -A mesh_options=(
  [linkerd]="--option linkerd.serverPorts=9080"
  [appmesh]="--option appmesh.tls.certificate=sds --option appmesh.tls.sdsSecretName=spiffe://cluster.local/ns/{namespace}/sa/{service}"
)
# Every registered mesh, in registry order, as the CLI knows them.
read -r -a meshes <<<"$(anymesh capabilities -o json | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).meshes.map(m=>m.id).join(" ")))')"
for mesh in "${meshes[@]}"; do
  echo "== $mesh" >&2
  # shellcheck disable=SC2086 # the options are words on purpose
  anymesh compile -f examples/ --mesh "$mesh" --allow-degraded --out-dir "out/$mesh" ${mesh_options[$mesh]:-}
done
echo "== portability of examples/ (exit 1 means some mesh loses something; expected here)" >&2
# shellcheck disable=SC2086
anymesh check -f examples/ -o table ${mesh_options[*]} || [ $? -eq 1 ]
