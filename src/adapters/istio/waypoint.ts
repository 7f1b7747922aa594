/**
 * Waypoints for the ambient data plane: which services need one, the waypoint Gateway per
 * namespace, and the binding of each service to it.
 *
 * A service needs a waypoint when anything L7 is asked of it: a TrafficPolicy (HTTPRoutes are
 * enforced by waypoints only), an AccessPolicy with methods, paths or headers (ztunnel cannot see them) or a
 * BackendPolicy with settings (only a waypoint applies a DestinationRule, ambient-backend.ts).
 * Its namespace then gets the waypoint Gateway (`gatewayClassName: istio-waypoint`, listener `mesh`
 * on 15008 HBONE, `istio.io/waypoint-for: service`: what `istioctl waypoint generate` writes), unless
 * `istio.waypoint` names an existing one. Istio runs it under a service account named after the
 * Gateway (pilot/pkg/config/kube/gatewaycommon/classinfo.go: DisableNameSuffix for istio-waypoint;
 * deploymentcontroller.go: ServiceAccount defaults to that name), which the access guard names.
 *
 * The binding: the Service is labelled `istio.io/use-waypoint: <waypoint>`. anymesh does not own the
 * Service, so the output is a `v1 Service` holding only name, namespace and that label, with no
 * managed-by label and no source annotation. Server-side apply of that partial object makes field
 * manager anymesh own exactly `metadata.labels[istio.io/use-waypoint]`: the user's spec and other
 * labels stay theirs, a conflicting value of the label is reported as a conflict, an absent Service is
 * not created (a Service needs ports, so the dry run fails and says so), and because the object has no
 * managed-by label it never joins the ApplySet (src/cluster/plan.ts), so prune never sees it and
 * delete skips it as foreign: neither removes the user's Service. The label is set per Service
 * rather than per Namespace so that services anymesh compiles nothing L7 for keep going straight
 * through ztunnel.
 */
import { type CompileContext, type KubeObject, outputMetadata } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, BackendPolicy, TrafficPolicy } from '../../core/model/schema.js';
import { istioDiag } from './messages.js';
import { waypointOf } from './options.js';

export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
export const WAYPOINT_CLASS = 'istio-waypoint';
/** The HBONE port every waypoint listens on. */
export const HBONE_PORT = 15008;

/** Whether an AccessPolicy asks for HTTP attributes, which only a waypoint can enforce. */
export function isL7Access(p: AccessPolicy): boolean {
  return (p.spec.to ?? []).some(
    (t) => t.methods !== undefined || t.paths !== undefined || t.headers !== undefined,
  );
}

/** `namespace/service` keys of every service that needs a waypoint, with the policies asking for it. */
export function waypointServices(
  traffic: readonly PolicyDoc<TrafficPolicy>[],
  access: readonly PolicyDoc<AccessPolicy>[],
  backend: readonly PolicyDoc<BackendPolicy>[] = [],
): Map<string, PolicyDoc[]> {
  const out = new Map<string, PolicyDoc[]>();
  const add = (p: PolicyDoc, service: string) => {
    const key = `${p.namespace}/${service}`;
    out.set(key, [...(out.get(key) ?? []), p]);
  };
  // A policy bound to an ingress gateway is applied by the gateway, not by the service's waypoint.
  for (const p of traffic) if (!p.policy.spec.gateway) add(p, p.policy.spec.service);
  for (const p of access) if (isL7Access(p.policy)) add(p, p.policy.spec.service);
  for (const p of backend) add(p, p.policy.spec.service);
  return out;
}

/** The waypoint identity as an AuthorizationPolicy principal. */
export function waypointPrincipal(namespace: string, ctx: CompileContext): string {
  return `${ctx.trustDomain}/ns/${namespace}/sa/${waypointOf(ctx).name}`;
}

/** The waypoint Gateways and the Service bindings for the services that need a waypoint. */
export function compileWaypoints(
  services: ReadonlyMap<string, readonly PolicyDoc[]>,
  ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const waypoint = waypointOf(ctx);
  const byNamespace = new Map<string, { service: string; from: readonly PolicyDoc[] }[]>();
  for (const [key, from] of [...services.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [namespace, service] = key.split('/') as [string, string];
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), { service, from }]);
  }
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [namespace, list] of byNamespace) {
    const sources = list.flatMap((s) => s.from);
    if (waypoint.emitted) {
      resources.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: outputMetadata(waypoint.name, namespace, sources, {
          labels: { 'istio.io/waypoint-for': 'service' },
        }),
        spec: {
          gatewayClassName: WAYPOINT_CLASS,
          listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
        },
      });
    }
    for (const { service } of list) {
      resources.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: service, namespace, labels: { [USE_WAYPOINT_LABEL]: waypoint.name } },
      });
    }
    diagnostics.push(
      istioDiag(
        'WaypointBinding',
        {
          services: list.map((s) => s.service).join(', '),
          namespace,
          waypoint: waypoint.name,
          emitted: waypoint.emitted
            ? ' (a waypoint Gateway anymesh emits)'
            : ' (an existing waypoint, named by istio.waypoint)',
        },
        sources[0]!.at(['spec', 'service']),
      ),
    );
  }
  return { resources, diagnostics };
}
