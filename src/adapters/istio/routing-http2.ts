/**
 * HTTP/2 policies (`spec.protocol: http2`) on Istio's sidecar data plane: the VirtualService http[]
 * routes are those of an http policy, and the DestinationRule asks the caller's sidecar to speak
 * HTTP/2 to the backend with `connectionPool.http.h2UpgradePolicy: UPGRADE`.
 *
 * Why the DestinationRule and not the Service: Istio picks a port's protocol from the Service port
 * (appProtocol http2 or kubernetes.io/h2c, or a name http2 / http2-*; pkg/config/kube/conversion.go
 * ConvertProtocol, https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/),
 * and the Service is the user's, not anymesh's. The DestinationRule reaches less than the port:
 * `shouldH2Upgrade` (pilot/pkg/networking/core/cluster_traffic_policy.go) says yes to UPGRADE before
 * looking at the port's protocol, but `setH2Options` (cluster_builder.go) only fills protocol options
 * not yet set, and `setUpstreamProtocol` has already set use_downstream_protocol on an unnamed
 * (sniffed) port; and the upgrade is of outbound clusters only, so the server's sidecar speaks to
 * the pod in the protocol the Service port declares (HTTP/1.1 for http or http-*). Istio's own code
 * shows all three (test/behaviour/istio/protocols.test.ts, istio/istio eed52ebb66ad), and the
 * protocol.http2 cell says so (partial). A port's portLevelSettings entry
 * is what that port's clusters get (pilot/pkg/networking/util/util.go GetPortLevelTrafficPolicy),
 * so a policy with a port upgrades that port only, and a policy without one every port.
 */
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { TrafficPolicy } from '../../core/model/schema.js';

type Obj = Record<string, unknown>;

export const isHttp2 = (p: TrafficPolicy): boolean => p.spec.protocol === 'http2';

/** The connection-pool setting that makes the caller's sidecar send HTTP/2 (h2c) to the backend. */
export const H2_UPGRADE: Obj = { connectionPool: { http: { h2UpgradePolicy: 'UPGRADE' } } };

/**
 * The DestinationRule trafficPolicy of a service's HTTP/2 policies: top-level when one of them
 * covers every port, else one portLevelSettings entry per port (sorted), or undefined without any.
 */
export function http2TrafficPolicy(group: readonly PolicyDoc<TrafficPolicy>[]): Obj | undefined {
  const http2 = group.filter((p) => isHttp2(p.policy));
  if (!http2.length) return undefined;
  if (http2.some((p) => p.policy.spec.port === undefined)) return H2_UPGRADE;
  const ports = [...new Set(http2.map((p) => p.policy.spec.port!))].sort((a, b) => a - b);
  return { portLevelSettings: ports.map((number) => ({ port: { number }, ...H2_UPGRADE })) };
}

/** Whether a (port) trafficPolicy carries the HTTP/2 upgrade. */
export function upgradesToH2(tp: Obj): boolean {
  const pool = tp.connectionPool as { http?: { h2UpgradePolicy?: string } } | undefined;
  return pool?.http?.h2UpgradePolicy === 'UPGRADE';
}
