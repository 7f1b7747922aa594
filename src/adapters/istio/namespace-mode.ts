/**
 * Whether Istio output fits the data plane of its target namespace, for apply and diff.
 *
 * A namespace's data plane is `namespaceMode`'s: sidecar-injected when labelled
 * `istio-injection=enabled` (even if also labelled ambient), ambient when labelled
 * `istio.io/dataplane-mode=ambient`, sidecar with a revision label `istio.io/rev` (not disabled). Sidecar output in an ambient namespace is at best Alpha (VirtualService on waypoints) and
 * its AuthorizationPolicies with HTTP attributes by selector are not enforced at all; ambient output
 * in a sidecar namespace has no waypoint in the path the sidecars take (they ignore
 * istio.io/use-waypoint), so both are refused unless `istio.anyNamespaceMode=true`.
 */
import type { CompileContext, NamespaceMarks } from '../../core/adapter.js';
import { optionValue } from '../../core/adapter-options.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { istioDiag } from './messages.js';
import { ANY_NAMESPACE_MODE, isAmbient } from './options.js';

/**
 * The data plane of a namespace: ambient, sidecar or none (what `status` reports). A pod with a
 * sidecar opts out of ztunnel (cni/pkg/util/enablement_selector.go: "Ztunnel and sidecar for a single
 * pod is currently not supported"), so istio-injection=enabled wins over the ambient label; a
 * revision label alone means injection unless the namespace is ambient (revisions also pick the
 * control plane of ambient namespaces).
 */
export function namespaceMode(ns: NamespaceMarks): 'ambient' | 'sidecar' | 'none' {
  const l = ns.labels;
  if (l['istio-injection'] === 'enabled') return 'sidecar';
  if (l['istio.io/dataplane-mode'] === 'ambient') return 'ambient';
  if (l['istio.io/rev'] !== undefined && l['istio-injection'] !== 'disabled') return 'sidecar';
  return 'none';
}

export function namespaceFit(
  ns: NamespaceMarks & { readonly name: string },
  ctx: CompileContext,
): Diagnostic | undefined {
  if (optionValue(ANY_NAMESPACE_MODE, ctx) === 'true') return undefined;
  const l = ns.labels;
  const mode = namespaceMode(ns);
  const ambientNs = mode === 'ambient';
  const sidecarNs = mode === 'sidecar';
  if (isAmbient(ctx) && sidecarNs) {
    return istioDiag('NamespaceMode', {
      namespace: ns.name,
      mode: 'sidecar',
      label:
        l['istio-injection'] === 'enabled' ? 'istio-injection=enabled' : `istio.io/rev=${l['istio.io/rev']}`,
      dataplane: 'ambient',
      why: 'sidecars do not send traffic through waypoints, so the HTTPRoutes and waypoint AuthorizationPolicies would not apply',
    });
  }
  if (!isAmbient(ctx) && ambientNs) {
    return istioDiag('NamespaceMode', {
      namespace: ns.name,
      mode: 'ambient',
      label: 'istio.io/dataplane-mode=ambient',
      dataplane: 'sidecar',
      why: 'VirtualServices are Alpha on waypoints and do nothing without one, and AuthorizationPolicies with methods or paths by selector are not enforced by ztunnel at all',
    });
  }
  return undefined;
}
