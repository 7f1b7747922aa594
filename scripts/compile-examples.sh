#!/usr/bin/env bash
# The main job on the examples: compile every example for every mesh into out/<mesh>/ (one file per
# resource, as a GitOps repository holds them), leaving out with a warning what a mesh cannot
# express, then print the portability report of the examples across all meshes.
set -euo pipefail
cd "$(dirname "$0")/.."
anymesh() { node bin/anymesh.js "$@"; }
rm -rf out
anymesh validate -f examples/
for mesh in istio linkerd consul appmesh; do
  echo "== $mesh" >&2
  anymesh compile -f examples/ --mesh "$mesh" --allow-degraded --out-dir "out/$mesh"
done
echo "== portability of examples/ (exit 1 means some mesh loses something; expected here)" >&2
anymesh check -f examples/ -o table || [ $? -eq 1 ]
