/**
 * BackendPolicy for the ambient data plane: the same DestinationRule `trafficPolicy` as the sidecar
 * output (backend.ts), which the service's waypoint applies, plus the waypoint binding (the caller
 * in ambient.ts adds the service to the waypointed ones) and one DestinationRule per leaf Service.
 *
 * Why this works, from Istio's source (istio.io/istio, pilot/pkg/networking/core):
 * - cluster_waypoint.go `buildWaypointInboundVIP`: for every service bound to the waypoint it reads
 *   the service's DestinationRule (`util.GetPortLevelTrafficPolicy`: port-level settings win) and
 *   `buildWaypointInboundVIPCluster` applies connectionPool (`applyConnectionPool`), outlierDetection
 *   (`applyOutlierDetection`) and loadBalancer (`applyLoadBalancer`) to the inbound-vip clusters.
 *   ztunnel, the L4 proxy, reads no DestinationRule: without a waypoint none of it applies, hence
 *   the binding.
 * - listener_waypoint.go `getWaypointDestinationCluster`: a route to a Service the waypoint is not
 *   bound to (a leaf Service <service>-<version>) goes to its outbound cluster, built like a
 *   sidecar's and configured by that host's own DestinationRule: so each leaf gets a copy.
 * - listener_waypoint.go `translateWaypointRoute` (LookupHash) puts a consistent hash on the routes
 *   built from the service's HTTPRoute; the default route of a service without one carries it only
 *   from Istio 1.31 (httproute.go `buildSidecarInboundHTTPRouteConfig`, istio/istio#61045, fixed by
 *   #61048), and there only from the top-level trafficPolicy: the cells say so.
 */
import type { CompileContext, KubeObject } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendPolicy, TrafficPolicy } from '../../core/model/schema.js';
import { leafName } from '../kit/leaf-services.js';
import { ambientHttp2DestinationRules } from './ambient-http2.js';
import { addBackendSettings, sortedByRef, trafficPolicy } from './backend.js';
import { istioDiag } from './messages.js';

/** The BackendPolicies that carry settings: each needs its service bound to a waypoint. */
export function backendsWithSettings(
  backend: readonly PolicyDoc<BackendPolicy>[],
): PolicyDoc<BackendPolicy>[] {
  return backend.filter((p) => Object.keys(trafficPolicy(p.policy.spec)).length > 0);
}

/** The leaf Services the ambient routing emitted for `service` in `namespace`, by name. */
function leavesOf(
  routing: readonly KubeObject[],
  traffic: readonly PolicyDoc<TrafficPolicy>[],
  namespace: string,
  service: string,
): string[] {
  const names = new Set(
    traffic
      .filter((t) => t.namespace === namespace && t.policy.spec.service === service)
      .flatMap((t) => Object.keys(t.policy.spec.versions ?? {}).map((v) => leafName(service, v))),
  );
  return routing
    .filter((r) => r.kind === 'Service' && r.spec !== undefined && r.metadata.namespace === namespace)
    .map((r) => r.metadata.name)
    .filter((name) => names.has(name))
    .sort();
}

/**
 * The DestinationRules of the BackendPolicies, for each service and each of its leaf Services
 * found in `routing` (the ambient routing output), merged into those of the HTTP/2 policies
 * (ambient-http2.ts): one DestinationRule per host.
 */
export function compileAmbientBackend(
  backend: readonly PolicyDoc<BackendPolicy>[],
  traffic: readonly PolicyDoc<TrafficPolicy>[],
  routing: readonly KubeObject[],
  ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = ambientHttp2DestinationRules(traffic, ctx);
  const diagnostics: Diagnostic[] = [];
  for (const p of sortedByRef(backendsWithSettings(backend))) {
    const { service } = p.policy.spec;
    addBackendSettings(resources, p, service, ctx);
    const leaves = leavesOf(routing, traffic, p.namespace, service);
    for (const leaf of leaves) addBackendSettings(resources, p, leaf, ctx);
    if (leaves.length)
      diagnostics.push(
        istioDiag('BackendLeafHosts', { service, leaves: leaves.join(', ') }, p.at(['spec', 'service'])),
      );
  }
  return { resources, diagnostics };
}
