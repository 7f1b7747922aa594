/**
 * AccessPolicy -> AuthorizationPolicy for the ambient data plane, placed where it is enforced.
 *
 * - A service without a waypoint: the policy goes to ztunnel, by `selector`, with L4 attributes
 *   only (principals, namespaces, ports), which is all ztunnel can enforce.
 * - A service with a waypoint (it has a TrafficPolicy, or some AccessPolicy of it has methods,
 *   paths or headers): every AccessPolicy of it goes to the waypoint, by `targetRefs` to the Service, L4 and L7
 *   alike, because traffic through the waypoint reaches ztunnel with the waypoint's identity (a
 *   caller-identity rule at ztunnel would then match nobody). One guard per such service, by
 *   `selector`, ALLOWs only the waypoint's identity at ztunnel, so no caller reaches the pods
 *   without passing the waypoint's rules (istio/istio.io#17520; the same policy Istio synthesises
 *   when PILOT_AUTO_ALLOW_WAYPOINT_POLICY is on, pilot/pkg/serviceregistry/ambient/policies.go
 *   `implicitWaypointPolicy`, off by default).
 *
 * The invariant the property test checks: no AuthorizationPolicy with `selector` carries methods,
 * paths or header conditions. Such a policy is not enforced by ztunnel at all while its status says it is accepted
 * (istio/istio#61126).
 */
import type { CompileContext, KubeObject } from '../../core/adapter.js';
import { outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, TrafficPolicy } from '../../core/model/schema.js';
import { istioDiag } from './messages.js';
import { waypointOf } from './options.js';
import { accessRules, denyOperationPorts, knownPorts, sourceOf } from './security.js';
import { isL7Access, waypointPrincipal } from './waypoint.js';

type Obj = Record<string, unknown>;

/** The L4 rules ztunnel enforces: callers and ports (the policy has no HTTP attributes). */
function ztunnelRules(p: PolicyDoc<AccessPolicy>, ctx: CompileContext): Obj[] {
  const s = p.policy.spec;
  const from = s.from.map((f) => ({ source: sourceOf(f, p.namespace, ctx) }));
  const to = s.to?.map((t) => ({ operation: t.ports ? { ports: t.ports.map(String) } : {} }));
  return [{ from, ...(to ? { to } : {}) }];
}

/** The name of the ztunnel guard of a service enforced by its waypoint. */
export function guardName(service: string): string {
  return `${service}-waypoint-only`;
}

export function compileAmbientAccess(
  policies: readonly PolicyDoc<AccessPolicy>[],
  waypointed: ReadonlyMap<string, readonly PolicyDoc[]>,
  ctx: CompileContext,
  traffic: readonly PolicyDoc<TrafficPolicy>[] = [],
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const servicePorts = knownPorts(traffic);
  const guarded = new Map<
    string,
    { doc: PolicyDoc<AccessPolicy>; labels: Record<string, string>; sources: PolicyDoc<AccessPolicy>[] }
  >();
  for (const p of policies) {
    const s = p.policy.spec;
    const key = `${p.namespace}/${s.service}`;
    const sel = resolveSelector(p, s.service);
    if (sel.diagnostic) diagnostics.push(sel.diagnostic);
    const action = s.action === 'allow' ? 'ALLOW' : 'DENY';
    if (!waypointed.has(key)) {
      // ztunnel: L4 only. A policy with HTTP attributes always has a waypoint (waypoint.ts); were
      // one to get here, dropping its HTTP attributes would widen it, so that is an internal error.
      if (isL7Access(p.policy)) throw new Error(`${p.ref} has HTTP attributes but no waypoint`);
      resources.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: outputMetadata(p.name, p.namespace, [p]),
        spec: { selector: { matchLabels: sel.labels }, action, rules: ztunnelRules(p, ctx) },
      });
      continue;
    }
    // The waypoint builds a TCP filter chain for a Service's TCP ports too, with the same RBAC
    // minus the HTTP attributes, so a DENY of methods or paths only would refuse every TCP
    // connection of those callers there, as on a sidecar (the behaviour tier saw it): the same
    // ports, or the same warning (AM4114, AM4113).
    const rules = accessRules(p, ctx, denyOperationPorts(p, servicePorts, diagnostics), diagnostics);
    if (!rules) continue;
    resources.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: outputMetadata(p.name, p.namespace, [p]),
      spec: { targetRefs: [{ group: '', kind: 'Service', name: s.service }], action, rules },
    });
    const g = guarded.get(key);
    if (g) g.sources.push(p);
    else guarded.set(key, { doc: p, labels: sel.labels, sources: [p] });
  }
  for (const [key, { doc, labels, sources }] of [...guarded.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const service = doc.policy.spec.service;
    const name = guardName(service);
    const who = waypointPrincipal(doc.namespace, ctx);
    resources.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: outputMetadata(name, doc.namespace, sources),
      spec: {
        selector: { matchLabels: labels },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: [who] } }] }],
      },
    });
    const l7 = sources.some((p) => isL7Access(p.policy));
    diagnostics.push(
      istioDiag(
        'WaypointGuard',
        {
          service,
          waypoint: waypointOf(ctx).name,
          why: l7
            ? 'an AccessPolicy of it restricts methods, paths or headers, which ztunnel cannot see'
            : `its routing (TrafficPolicy) makes traffic reach ztunnel as the waypoint, so caller identities are checked at the waypoint (${waypointed.get(key)![0]!.ref})`,
          guard: name,
          principal: who,
        },
        doc.at(['spec', 'service']),
      ),
    );
  }
  return { resources, diagnostics };
}
