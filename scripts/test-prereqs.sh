#!/usr/bin/env bash
# Everything the integration and behaviour tiers run that is built from source, built (or found in
# the cache) before the tests start, so no test waits on a compiler: kube-apiserver and etcd
# (test-assets.sh), Consul 1.16.3 (build-consul.sh), helm, kwok and kube-controller-manager
# (test-tools.sh), the Istio behaviour driver (build-istio-driver.sh) and Istio's own Helm charts
# from the same module (istio-charts.sh, for the ambient install test). Each script is
# idempotent and answers in milliseconds when its cache is warm; a cold machine needs Go and about
# half an hour, once, plus the Istio driver (istiod's packages: 10-12 CPU minutes, see docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")"
bash test-assets.sh >/dev/null
bash build-consul.sh >/dev/null
bash test-tools.sh >/dev/null
bash build-istio-driver.sh >/dev/null
bash istio-charts.sh >/dev/null
