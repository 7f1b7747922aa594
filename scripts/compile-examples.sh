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
# Every registered mesh, in registry order, with the options the examples compile with: facts a
# policy does not carry that some meshes need (each descriptor's exampleOptions: the container ports
# Linkerd's strict mTLS covers with Servers, App Mesh's certificate source).
declare -A mesh_options=()
meshes=()
while IFS=$'\t' read -r mesh options; do
  meshes+=("$mesh")
  mesh_options[$mesh]="$options"
done < <("$NODE" --input-type=module -e '
  const { MESHES } = await import("./dist/adapters/index.js");
  for (const m of MESHES)
    console.log(`${m.id}\t${Object.entries(m.exampleOptions ?? {}).map(([k, v]) => `--option ${k}=${v}`).join(" ")}`);
')
for mesh in "${meshes[@]}"; do
  echo "== $mesh" >&2
  # shellcheck disable=SC2086 # the options are words on purpose
  anymesh compile -f examples/ --mesh "$mesh" --allow-degraded --out-dir "out/$mesh" ${mesh_options[$mesh]}
done
echo "== portability of examples/ (exit 1 means some mesh loses something; expected here)" >&2
# shellcheck disable=SC2086
anymesh check -f examples/ -o table ${mesh_options[*]} || [ $? -eq 1 ]
