/**
 * TrafficPolicy -> the plan of one service: a VirtualNode per version (or one for the service), a
 * VirtualRouter whose routes carry the rules in order (`priority`), and the VirtualService that
 * clients call by the service's FQDN.
 *
 * - App Mesh has one router per virtual service and matches routes by ascending `priority`
 *   (0 first), so the model's "first matching rule wins" becomes priorities 0, 1, 2, ... in rule
 *   order; a rule with several match entries becomes one route per entry (a route has one match).
 * - A version needs a DNS name that resolves to its pods only: the Service `<service>` spans every
 *   version (and Envoy resolves it to one ClusterIP), so each version's VirtualNode uses a
 *   per-version name, `<service>-<version>.<namespace>.svc.<domain>` by default
 *   (aws/aws-app-mesh-examples use one Service per version the same way).
 * - Virtual nodes and routers listen on spec.port, so App Mesh needs it (AM4401).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/userguide/virtual_routers.html,
 * https://docs.aws.amazon.com/app-mesh/latest/userguide/routes.html
 */
import { type CompileContext, serviceFqdn } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, Rule, TrafficPolicy } from '../../core/model/schema.js';
import { routeMatch } from './matches.js';
import { APPMESH_MESSAGES } from './messages.js';
import { type AppMeshOptions, fill } from './options.js';
import {
  DEFAULT_PER_REQUEST_MS,
  meshDuration,
  type NodePlan,
  type Obj,
  type ServicePlan,
  serviceKey,
} from './plan.js';
import { retryPolicy } from './retries.js';
import { grpcMatch } from './routing-protocol.js';

/**
 * The route kind of each request protocol: an HTTP/2 policy's routes are http2Routes, of the shape
 * of an httpRoute (match, action, retryPolicy, timeout: the v1.13.3 VirtualRouter CRD in
 * shared/crds/appmesh gives both the same schema), the kind an http2 listener routes
 * (https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_RouteSpec.html).
 */
const ROUTE_KIND = { http: 'httpRoute', http2: 'http2Route', grpc: 'grpcRoute' } as const;

const MAX_TARGETS = 10;
/** Service names are DNS-1035 labels. */
const SERVICE_NAME_LIMIT = 63;

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The Service anymesh emits for a version hostname: only when asked (appmesh.versionServices) and
 * when the hostname is a Service of the policy's namespace (`<name>.<namespace>.svc.<domain>`).
 */
function leafServiceName(
  hostname: string,
  namespace: string,
  ctx: CompileContext,
  options: AppMeshOptions,
): string | undefined {
  if (!options.versionServices) return undefined;
  const suffix = `.${namespace}.svc.${ctx.clusterDomain}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const name = hostname.slice(0, -suffix.length);
  return /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) ? name : undefined;
}
const MAX_PRIORITY = 1000;

export function versionNodeName(service: string, version: string): string {
  return `${service}-${version}`;
}

/** A target that names another service, checked once every plan is known. */
interface OtherTarget {
  readonly doc: PolicyDoc;
  readonly path: (string | number)[];
  readonly service: string;
  readonly namespace: string;
}

/** A route timeout above the default, to raise on the listeners of its targets. */
interface RaisedTimeout {
  readonly ms: number;
  readonly nodes: { name: string; namespace: string }[];
}

export interface RoutingResult {
  readonly plans: Map<string, ServicePlan>;
  readonly diagnostics: Diagnostic[];
}

export function compileRouting(
  policies: readonly PolicyDoc<TrafficPolicy>[],
  ctx: CompileContext,
  options: AppMeshOptions,
): RoutingResult {
  const diagnostics: Diagnostic[] = [];
  const plans = new Map<string, ServicePlan>();
  const others: OtherTarget[] = [];
  const raised: RaisedTimeout[] = [];
  const byService = new Map<string, PolicyDoc<TrafficPolicy>>();
  for (const p of policies) {
    const { service } = p.policy.spec;
    const key = serviceKey(p.namespace, service);
    const prior = byService.get(key);
    if (prior) {
      // One VirtualService has one VirtualRouter: two policies would compete for its routes.
      const where = prior.at(['spec', 'service']).location;
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.OneRouterPerService,
          { policy: p.ref, other: prior.ref, where: `${where.file}:${where.line}:${where.col}`, service },
          p.at(['spec', 'service']),
        ),
      );
      continue;
    }
    byService.set(key, p);
    const plan = planService(p, ctx, options, diagnostics, others, raised);
    if (plan) plans.set(key, plan);
  }
  for (const o of others) {
    const target = plans.get(serviceKey(o.namespace, o.service));
    if (target?.hasVersions) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.OtherServiceHasVersions,
          { service: o.service, policy: target.policy.ref, node: o.service },
          o.doc.at(o.path),
        ),
      );
    } else if (!target) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.OtherServiceNode,
          { node: o.service, namespace: o.namespace, service: o.service },
          o.doc.at(o.path),
        ),
      );
    }
  }
  // AWS: a per-request timeout above 15 s must be raised on the target virtual node's listener too.
  const nodes = new Map(
    [...plans.values()].flatMap((s) => s.nodes.map((n) => [`${n.namespace}/${n.name}`, n] as const)),
  );
  for (const r of raised) {
    for (const ref of r.nodes) {
      const node = nodes.get(`${ref.namespace}/${ref.name}`);
      if (node) node.listenerTimeoutMs = Math.max(node.listenerTimeoutMs ?? 0, r.ms);
    }
  }
  return { plans, diagnostics };
}

function planService(
  p: PolicyDoc<TrafficPolicy>,
  ctx: CompileContext,
  options: AppMeshOptions,
  diagnostics: Diagnostic[],
  others: OtherTarget[],
  raised: RaisedTimeout[],
): ServicePlan | undefined {
  const spec = p.policy.spec;
  const { service } = spec;
  if (spec.port === undefined) {
    diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.PortRequired, { service }, p.at(['spec', 'service'])));
    return undefined;
  }
  const port = spec.port;
  const selector = resolveSelector(p, service);
  if (selector.diagnostic) diagnostics.push(selector.diagnostic);
  const backends = options.backends.get(serviceKey(p.namespace, service)) ?? [];
  const versions = Object.entries(spec.versions ?? {});
  // Each node object made once, with its leaf Service (a spread copy per version was ~60 MB of
  // a 100,000-policy compile's peak).
  const node = (
    name: string,
    podLabels: Record<string, string>,
    hostname: string,
    version?: string,
    leafService?: string,
  ): NodePlan => ({
    name,
    namespace: p.namespace,
    service,
    ...(version !== undefined ? { version } : {}),
    podLabels,
    hostname,
    port,
    protocol: spec.protocol ?? 'http',
    sources: [p],
    backends: backends.map((b) => ({ ...b })),
    ...(leafService ? { leafService } : {}),
  });
  const nodes: NodePlan[] = versions.length
    ? versions.map(([version, labels]) => {
        const hostname = fill(options.versionHostname, {
          service,
          version,
          namespace: p.namespace,
          clusterDomain: ctx.clusterDomain,
        });
        const leaf = leafServiceName(hostname, p.namespace, ctx, options);
        const all = { ...selector.labels, ...labels };
        const params = { version, hostname, service, port, labels: formatLabels(all) };
        const at = p.at(['spec', 'versions', version]);
        if (leaf !== undefined && leaf.length > SERVICE_NAME_LIMIT) {
          diagnostics.push(
            makeDiagnostic(
              APPMESH_MESSAGES.NameTooLong,
              { what: 'version Service', name: leaf, length: leaf.length, limit: SERVICE_NAME_LIMIT },
              at,
            ),
          );
        } else if (leaf !== undefined) {
          diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.VersionService, { ...params, name: leaf }, at));
        } else {
          diagnostics.push(
            makeDiagnostic(
              APPMESH_MESSAGES.VersionHostname,
              { ...params, name: hostname.split('.')[0] ?? hostname },
              at,
            ),
          );
        }
        return node(versionNodeName(service, version), all, hostname, version, leaf);
      })
    : [node(service, { ...selector.labels }, serviceFqdn(service, p.namespace, ctx))];
  diagnostics.push(
    makeDiagnostic(
      APPMESH_MESSAGES.ClientsNeedBackend,
      { host: serviceFqdn(service, p.namespace, ctx), service, namespace: p.namespace },
      p.at(['spec', 'service']),
    ),
  );
  if (!backends.length) {
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.NoBackendsDeclared,
        { service, namespace: p.namespace },
        p.at(['spec', 'service']),
      ),
    );
  }

  const routes: Obj[] = [];
  let priority = 0;
  const protocol = spec.protocol ?? 'http';
  // A TCP rule has no matches: only the first is ever reached (AM3012 warns about the others).
  const rules = protocol === 'tcp' ? spec.rules.slice(0, 1) : spec.rules;
  rules.forEach((rule, r) => {
    const at = ['spec', 'rules', r];
    const targets = weightedTargets(rule, r, p, versions.length > 0, diagnostics, others);
    if (!targets) return;
    const timeout = rule.timeout !== undefined ? durationMs(rule.timeout) : undefined;
    const base = rule.name ?? `rule-${r}`;
    if (protocol === 'tcp') {
      const tcpRoute: Obj = { action: { weightedTargets: targets } };
      if (timeout !== undefined) tcpRoute.timeout = { idle: meshDuration(timeout) };
      routes.push({ name: base, priority: priority++, tcpRoute });
      return;
    }
    if (timeout !== undefined && timeout > DEFAULT_PER_REQUEST_MS) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.TimeoutAboveDefault,
          { timeout: formatDuration(timeout) },
          p.at([...at, 'timeout']),
        ),
      );
      raised.push({
        ms: timeout,
        nodes: targets.map((t) => {
          const ref = t.virtualNodeRef as { name: string; namespace?: string };
          return { name: ref.name, namespace: ref.namespace ?? p.namespace };
        }),
      });
    }
    const retry = retryPolicy(rule, p, at, diagnostics, protocol === 'grpc');
    const entries = rule.matches?.length ? rule.matches : [undefined];
    entries.forEach((m, i) => {
      const where = [...at, 'matches', i];
      const route: Obj = {
        match:
          protocol === 'grpc'
            ? grpcMatch(m, p, where, diagnostics, port)
            : routeMatch(m, p, where, diagnostics),
        action: { weightedTargets: targets },
      };
      if (timeout !== undefined) route.timeout = { perRequest: meshDuration(timeout) };
      if (retry) route.retryPolicy = retry;
      routes.push({
        name: entries.length > 1 ? `${base}-${i}` : base,
        priority: priority++,
        [ROUTE_KIND[protocol]]: route,
      });
    });
  });
  if (priority - 1 > MAX_PRIORITY) {
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.TooManyRoutes,
        { service, count: priority - 1 },
        p.at(['spec', 'rules']),
      ),
    );
  }
  return {
    service,
    namespace: p.namespace,
    port,
    protocol,
    policy: p,
    hasVersions: versions.length > 0,
    nodes,
    routes,
  };
}

function weightedTargets(
  rule: Rule,
  r: number,
  p: PolicyDoc<TrafficPolicy>,
  hasVersions: boolean,
  diagnostics: Diagnostic[],
  others: OtherTarget[],
): Obj[] | undefined {
  const at = ['spec', 'rules', r];
  const backends = rule.backends ?? [];
  const { service } = p.policy.spec;
  if (!backends.length) {
    if (hasVersions) {
      const first = Object.keys(p.policy.spec.versions ?? {})[0] ?? 'v1';
      diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.VersionsNeedBackends, { first }, p.at(at)));
      return undefined;
    }
    return [{ virtualNodeRef: { name: service }, weight: 100 }];
  }
  if (backends.length > MAX_TARGETS) {
    diagnostics.push(
      makeDiagnostic(APPMESH_MESSAGES.TooManyTargets, { count: backends.length }, p.at([...at, 'backends'])),
    );
    return undefined;
  }
  return backends.map((b: BackendT, i) => {
    const weight = backends.length === 1 ? 100 : (b.weight ?? 0);
    if (b.version !== undefined)
      return { virtualNodeRef: { name: versionNodeName(service, b.version) }, weight };
    const namespace = b.namespace ?? p.namespace;
    others.push({ doc: p, path: [...at, 'backends', i, 'service'], service: b.service!, namespace });
    return {
      virtualNodeRef: { name: b.service!, ...(namespace !== p.namespace ? { namespace } : {}) },
      weight,
      ...(b.port !== undefined ? { port: b.port } : {}),
    };
  });
}
