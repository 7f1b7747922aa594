/**
 * HTTP/2 policies (`spec.protocol: http2`) on the ambient data plane: the DestinationRule of the
 * policy's own service carries `connectionPool.http.h2UpgradePolicy: UPGRADE`, as on the sidecar
 * data plane (routing-http2.ts), so that the waypoint speaks HTTP/2 (h2c) to the service's pods
 * when a rule's backend is the service itself. Versions reach their pods through leaf Services,
 * which declare appProtocol kubernetes.io/h2c (ambient-routing.ts).
 *
 * Why the waypoint honours it (istio/istio, pilot/pkg/networking/core/cluster_waypoint.go
 * `buildWaypointInboundVIPCluster`): the inbound-vip cluster of a service bound to the waypoint
 * takes the service's DestinationRule connection pool (`selectTrafficPolicyComponents`, port-level
 * settings first) and calls `applyH2Upgrade` with it, and `shouldH2Upgrade`
 * (cluster_traffic_policy.go) upgrades on a DestinationRule UPGRADE whatever the port declares.
 * An HTTP/2 policy has an HTTPRoute, so its service is bound to the waypoint (waypoint.ts).
 */
import { type CompileContext, type KubeObject, outputMetadata, serviceFqdn } from '../../core/adapter.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { TrafficPolicy } from '../../core/model/schema.js';
import { http2TrafficPolicy, isHttp2 } from './routing-http2.js';

/** One DestinationRule per service with an HTTP/2 policy, asking the waypoint to upgrade to h2c. */
export function ambientHttp2DestinationRules(
  traffic: readonly PolicyDoc<TrafficPolicy>[],
  ctx: CompileContext,
): KubeObject[] {
  const groups = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  for (const p of traffic) {
    if (!isHttp2(p.policy)) continue;
    const key = `${p.namespace}/${p.policy.spec.service}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .map((group) => [...group].sort((a, b) => a.ref.localeCompare(b.ref)))
    .sort((a, b) => a[0]!.ref.localeCompare(b[0]!.ref))
    .map((group) => {
      const { namespace } = group[0]!;
      const { service } = group[0]!.policy.spec;
      return {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: outputMetadata(service, namespace, group),
        spec: { host: serviceFqdn(service, namespace, ctx), trafficPolicy: http2TrafficPolicy(group) },
      };
    });
}
