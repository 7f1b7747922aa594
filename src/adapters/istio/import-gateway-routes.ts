/**
 * Istio's Gateway API routes -> TrafficPolicies: HTTPRoutes, GRPCRoutes and TCPRoutes with a
 * Service parent (ambient's waypoint routes, GAMMA routes for sidecars) or a Gateway parent (an
 * ingress gateway istiod programs), with the leaf Services their backendRefs name as versions.
 * The route reading itself is Gateway API's, shared with Linkerd (kit/import-route-*.ts); what is
 * Istio's is in ISTIO_ROUTES and here, from pilot/pkg/config/kube/gateway/conversion.go
 * (convertHTTPRoute, sortHTTPRoutes, buildHTTPDestination):
 *
 * - timeouts and retries as istiod converts them (import-gateway-retry.ts);
 * - the parent: a Service, or a Gateway at a listener port (import-gateway-parents.ts);
 * - the rules of all routes of one parent are tried most specific first (Exact, then PathPrefix,
 *   then RegularExpression, longer first; a rule with several matches is one route per match),
 *   so several routes of one parent join into one policy in that order (kit/import-route-order.ts);
 * - a route in another namespace than its parent Service (a consumer route) governs the calls of
 *   its own namespace only: the neutral spec.sources;
 * - a TCPRoute rule has only backendRefs; only the first rule of a route is reached.
 *
 * What anymesh produced comes back as its source policy (the `anymesh.dev/source-policies`
 * annotation): one route per policy, rule names `rule-<i>` for unnamed rules.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import { type ImportedMeta, neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import { leafPortAppProtocol, type ServiceIndex, withVersions } from '../kit/import-leaves.js';
import type { RouteDialect } from '../kit/import-route-dialect.js';
import { checkOrder, mergeRules, type Ordered, routeKey, ruleRank } from '../kit/import-route-order.js';
import { importedRouteName, versionAndSourceFields } from '../kit/import-route-policy.js';
import { type Parent, type RuleIR, readRule } from '../kit/import-route-rule.js';
import { H2C, leafAppProtocol } from '../kit/leaf-services.js';
import { needsHttpRoute } from './ambient-routing.js';
import { type Attachment, attachmentOf, gatewayService, ownService } from './import-gateway-parents.js';
import { timeoutsAndRetry } from './import-gateway-retry.js';
import { grpcRules } from './import-grpc.js';
import { GATEWAY_API, type IstioReader, type Obj } from './import-reader.js';
import { portProtocol } from './import-services.js';
import { type Subsets, takeH2Upgrade } from './import-subsets.js';
import { ISTIO_MESSAGES } from './messages.js';

const ROUTES = ['HTTPRoute', 'GRPCRoute', 'TCPRoute'];

/** How istiod converts Gateway API routes (conversion.go). */
export const ISTIO_ROUTES: RouteDialect = {
  mesh: 'Istio',
  // StringMatch regex -> Envoy safe_regex, which matches the whole value.
  wholeValueRegex: true,
  regexAbovePrefix: false,
  filters: new Set(['RequestMirror', 'URLRewrite', 'CORS']),
  refusedFilter: (type) =>
    `Istio does not convert ${type} filters ("unsupported filter type"), so the route's rule fails`,
  missingPort: (service) =>
    `Istio refuses a Service backendRef without a port ("port is required in backendRef"), so calls never reach ${service}`,
  withoutBackends:
    'a rule without backendRefs (or whose backends all weigh 0) is answered 500 by Istio (Gateway API), which a neutral rule cannot say',
};

/** Whether istiod reads this object as a route (HTTPRoute, GRPCRoute, TCPRoute of Gateway API). */
export function isGatewayRoute(o: NativeObject): boolean {
  return o.object.apiVersion.startsWith(GATEWAY_API) && ROUTES.includes(o.object.kind);
}

interface Entry {
  readonly route: NativeObject;
  readonly rules: (RuleIR & { readonly extra: Obj })[];
}

interface Group {
  readonly name: string;
  readonly namespace: string;
  readonly attachment: Attachment;
  /** The service governed: the Service parent, or the one a gateway route's backends name. */
  readonly parent: Parent;
  readonly own: boolean;
  readonly kind: string;
  readonly meta?: ImportedMeta;
  readonly entries: Entry[];
  readonly sources: Set<string>;
}

/** What the routes' import read besides the routes. */
interface Context {
  readonly services: ServiceIndex;
  readonly subsets: ReadonlyMap<string, Subsets>;
  /** `namespace/leaf` -> `namespace/service`, for the leaf Services taken as versions. */
  readonly leafOf: Map<string, string>;
}

/**
 * The TrafficPolicies of the input's Gateway API routes, and the DestinationRules that are copies
 * of a service's for its leaf Services (what anymesh writes for ambient, where the waypoint calls a
 * version through its leaf Service's own cluster: istio/ambient-backend.ts): those are taken whole,
 * and the BackendPolicy import reads only the service's.
 */
export function importGatewayRoutes(
  objects: readonly NativeObject[],
  services: ServiceIndex,
  r: IstioReader,
  waypoints: ReadonlySet<string>,
  subsets: ReadonlyMap<string, Subsets>,
): { policies: ImportedPolicy[]; leafCopies: Set<NativeObject> } {
  const ctx: Context = { services, subsets, leafOf: new Map() };
  const policies = routePolicies(objects, ctx, r, waypoints);
  return { policies, leafCopies: leafCopies(ctx, r) };
}

function routePolicies(
  objects: readonly NativeObject[],
  ctx: Context,
  r: IstioReader,
  waypoints: ReadonlySet<string>,
): ImportedPolicy[] {
  const { services } = ctx;
  const groups = new Map<string, Group>();
  const gateways = new Map(
    objects
      .filter((o) => o.object.apiVersion.startsWith(GATEWAY_API) && o.object.kind === 'Gateway')
      .map((o) => [`${o.namespace}/${o.object.metadata.name}`, o]),
  );
  for (const route of objects.filter(isGatewayRoute)) {
    const meta = takeMetadata(r.ledger, route);
    const own = meta.sources?.find((s) => s.kind === 'TrafficPolicy');
    const kind = route.object.kind;
    r.rest(route, ['spec'], ['parentRefs', 'rules', 'hostnames'], kind);
    const attachment = attachmentOf(route, r, gateways, waypoints);
    if (!attachment) {
      r.lost(
        route,
        ['spec'],
        'the route has no parent a neutral policy can name (above), so its rules are not imported',
      );
      continue;
    }
    if (kind === 'TCPRoute' && attachment.kind === 'gateway' && attachment.gateway.port === undefined) {
      r.lost(
        route,
        ['spec'],
        'a TCPRoute at a gateway takes the connections of every TCP listener of it, and a neutral TCP gateway policy names its listener port (spec.gateway.port)',
      );
      continue;
    }
    const hostnames = r.ledger.peek<string[]>(route, ['spec', 'hostnames']);
    if (attachment.kind === 'service') {
      if (hostnames?.length)
        r.lost(
          route,
          ['spec', 'hostnames'],
          'host name matches on a Service parent have no neutral form (a neutral policy governs all calls to its service)',
        );
      else if (hostnames) r.ledger.take(route, ['spec', 'hostnames']);
    } else if (hostnames?.length) {
      r.ledger.take(route, ['spec', 'hostnames']);
      attachment.gateway.hostnames = [...hostnames];
    }
    const nativeRules = r.ledger.peek<Obj[]>(route, ['spec', 'rules']) ?? [];
    if (!nativeRules.length) {
      r.lost(route, ['spec'], 'a route without rules matches nothing');
      continue;
    }
    const parent =
      attachment.kind === 'service'
        ? attachment.parent
        : (ownService(own, ctx.subsets) ??
          gatewayService(route, nativeRules, services, own && `${own.kind}/${own.namespace}/${own.name}`));
    if (!parent) {
      r.lost(
        route,
        ['spec', 'rules'],
        'no rule names a Service backend, so the route has no service to govern',
      );
      continue;
    }
    const rules = (kind === 'TCPRoute' ? nativeRules.slice(0, 1) : nativeRules).flatMap((_, i) => {
      const ir = readRule(route, i, parent, r, {
        dialect: ISTIO_ROUTES,
        grpc: kind === 'GRPCRoute',
        own: own !== undefined,
        policyGroup: false,
        extraFields: kind === 'HTTPRoute' ? ['timeouts', 'retry'] : [],
      });
      if (!ir) return [];
      const extra = kind === 'HTTPRoute' ? timeoutsAndRetry(route, i, r) : {};
      return [{ ...ir, extra }];
    });
    nativeRules.slice(1).forEach((_, i) => {
      if (kind === 'TCPRoute')
        r.lost(
          route,
          ['spec', 'rules', i + 1],
          'a TCPRoute rule after the first is never reached (it has no matches)',
        );
    });
    if (!rules.length) continue;
    const key = own
      ? `own/${own.namespace}/${own.name}`
      : `${attachmentKey(attachment, parent)}/${route.namespace}/${kind}`;
    const namespace = own?.namespace ?? (attachment.kind === 'service' ? parent.namespace : route.namespace);
    const group: Group = groups.get(key) ?? {
      name: own?.name ?? '',
      namespace,
      attachment,
      parent,
      own: own !== undefined,
      kind,
      ...(own ? {} : { meta }),
      entries: [],
      sources: new Set(),
    };
    group.entries.push({ route, rules });
    if (attachment.kind === 'service' && route.namespace !== group.namespace)
      group.sources.add(route.namespace);
    groups.set(key, group);
  }
  const names = new Set<string>();
  return reachedGroups([...groups.values()], r).flatMap((g) => {
    const p = buildPolicy(g, ctx, names, r);
    return p ? [p] : [];
  });
}

/** The listener (or Service port) a TCP group's connections arrive on. */
function listenerOf(g: Group): string {
  const a = g.attachment;
  return a.kind === 'gateway'
    ? `gw/${a.namespace}/${String(a.gateway.namespace ?? '')}/${String(a.gateway.name)}/${String(a.gateway.port)}`
    : `svc/${g.parent.namespace}/${g.parent.service}/${g.parent.port ?? '*'}`;
}

/**
 * The TCP groups whose connections reach them: a listener (or a Service port) takes one TCP
 * route's connections, the oldest route's (Gateway API conflict resolution), so a later TCPRoute
 * on the same listener is never reached and is reported whole.
 */
function reachedGroups(groups: readonly Group[], r: IstioReader): Group[] {
  const oldest = new Map<string, NativeObject>();
  for (const g of groups) {
    if (g.kind !== 'TCPRoute') continue;
    const route = g.entries[0]!.route;
    const seen = oldest.get(listenerOf(g));
    if (!seen || routeKey(route).localeCompare(routeKey(seen)) < 0) oldest.set(listenerOf(g), route);
  }
  return groups.filter((g) => {
    const first = g.kind === 'TCPRoute' ? oldest.get(listenerOf(g))! : undefined;
    if (!first || first === g.entries[0]!.route) return true;
    for (const e of g.entries)
      r.lost(
        e.route,
        ['spec'],
        `never reached: ${first.ref} takes the connections ${g.attachment.kind === 'gateway' ? `of listener port ${String(g.attachment.gateway.port)} of gateway ${String(g.attachment.gateway.name)}` : `to ${g.parent.service}`} already (the oldest TCPRoute wins, and a TCP rule has no matches)`,
      );
    return false;
  });
}

function attachmentKey(a: Attachment, parent: Parent): string {
  return a.kind === 'service'
    ? `svc/${parent.namespace}/${parent.service}/${parent.port ?? '*'}`
    : `gw/${a.namespace}/${String(a.gateway.name)}/${String(a.gateway.port ?? '*')}/${(a.gateway.hostnames as string[] | undefined)?.join(',') ?? ''}/${parent.service}`;
}

function buildPolicy(g: Group, ctx: Context, names: Set<string>, r: IstioReader): ImportedPolicy | undefined {
  const { services } = ctx;
  const first = g.entries[0]!.route;
  const lists: Ordered<{ ir: Entry['rules'][number] }>[][] = g.entries.map((entry) =>
    entry.rules.map((ir) => ({
      item: { ir },
      route: entry.route,
      rank: ruleRank(ir.nativeMatches, ISTIO_ROUTES.regexAbovePrefix),
    })),
  );
  const ordered = mergeRules(lists);
  if (!g.own)
    checkOrder(
      ordered.map((o) => o.item.ir),
      r,
      ISTIO_ROUTES,
    );
  const target = g.parent;
  const { split, leafNames } = services.splitOf(
    target,
    ordered.map((o) => o.item.ir),
  );
  const tcp = g.kind === 'TCPRoute';
  const rules = ordered.map(({ item }, i) => {
    const rule = withVersions(structuredClone(item.ir.rule), item.ir, target, split);
    // anymesh names unnamed rules rule-<i>: the neutral default name.
    if (g.own && rule.name === `rule-${i}`) delete rule.name;
    return { ...rule, ...item.ir.extra };
  });
  const leaves = split ? leafNames.map((n) => services.get(target.namespace, n)!) : [];
  // HTTP/2: the leaves declare h2c, or the service's DestinationRule upgrades (istio/ambient-http2.ts).
  const h2Leaves =
    leaves.length > 0 &&
    target.port !== undefined &&
    leaves.every((o) => leafPortAppProtocol(o, target.port!) === H2C);
  const h2Rule =
    g.kind === 'HTTPRoute' &&
    takeH2Upgrade(ctx.subsets.get(`${target.namespace}/${target.service}`), target.port, r);
  // A gRPC policy whose rules need an HTTPRoute (istio/ambient-routing.ts routeKind) matches its
  // calls by their paths (grpcAsHttpMatch), and its leaves declare h2c with no upgrade for the
  // service (an HTTP/2 policy has one); without leaves to say so, gRPC paths do (import-grpc.ts).
  const grpcByPaths =
    g.kind === 'HTTPRoute' && !h2Rule && needsHttpRoute(rules as never) && (h2Leaves || !leaves.length)
      ? grpcRules(rules, !h2Leaves)
      : undefined;
  if (grpcByPaths && !h2Leaves) {
    const shown = [
      ...new Set(
        rules.flatMap((x) =>
          ((x.matches as Obj[] | undefined) ?? []).flatMap((m) =>
            m.path ? Object.values(m.path as Obj) : [],
          ),
        ),
      ),
    ];
    r.ledger.note(
      makeDiagnostic(
        ISTIO_MESSAGES.ImportGrpcFromPaths,
        { service: target.service, paths: shown.slice(0, 3).join(', ') + (shown.length > 3 ? ', ...' : '') },
        r.ledger.at(first, ['spec', 'rules']),
      ),
    );
  }
  if (grpcByPaths) rules.splice(0, rules.length, ...grpcByPaths);
  const protocol =
    g.kind === 'GRPCRoute' || grpcByPaths ? 'grpc' : tcp ? 'tcp' : h2Rule || h2Leaves ? 'http2' : 'http';
  for (const leaf of leafNames)
    ctx.leafOf.set(`${target.namespace}/${leaf}`, `${target.namespace}/${target.service}`);
  for (const leaf of leaves)
    services.takeLeaf(leaf, target.port!, r, leafAppProtocol({ protocol }), leafPortName);
  const parentSvc = services.get(target.namespace, target.service);
  if (parentSvc && g.attachment.kind === 'service') services.takeParent(parentSvc, r);
  const spec: Obj = { service: target.service };
  if (target.port !== undefined) spec.port = target.port;
  if (protocol !== 'http') spec.protocol = protocol;
  if (g.attachment.kind === 'gateway') {
    spec.gateway = g.attachment.gateway;
  }
  Object.assign(spec, versionAndSourceFields(target.service, split, g.sources));
  spec.rules = rules;
  let name = g.name;
  if (!g.own) {
    name = importedRouteName(
      g.entries.map((e) => e.route),
      { namespace: g.namespace, service: target.service, taken: names },
      [
        g.kind === 'GRPCRoute' ? 'grpc' : g.kind === 'TCPRoute' ? 'tcp' : undefined,
        String(target.port ?? ''),
      ],
      r,
      ISTIO_ROUTES,
    );
  }
  names.add(`${g.namespace}/${name}`);
  const from = [
    ...g.entries.map((e) => e.route.ref),
    ...leaves.map((o) => o.ref),
    ...(parentSvc && g.attachment.kind === 'service' ? [parentSvc.ref] : []),
  ];
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(name, g.namespace, g.own ? undefined : g.meta),
    spec,
    from,
  );
}

/**
 * Istio takes a port's protocol from its name when it has no appProtocol (import-services.ts);
 * anymesh names a leaf's port `port-<n>`, which declares none, so Istio forwards the waypoint's
 * calls in the caller's protocol (its cluster's upstream protocol is the downstream one) where a
 * port named `http` is spoken HTTP/1.1 to whatever the caller spoke.
 */
function leafPortName(p: Obj): string | undefined {
  const declared = portProtocol(p);
  if (declared?.field !== 'name' || !ISTIO_PORT_PROTOCOLS.includes(declared.protocol)) return undefined;
  return `the port name ${String(p.name)} declares ${declared.protocol} to Istio, while a neutral version's leaf names its port port-${String(p.port)}, which declares nothing: Istio then speaks to the pods in the caller's protocol`;
}

/** The protocols Istio reads from a port name (pkg/config/protocol). */
const ISTIO_PORT_PROTOCOLS = [
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'mongo',
  'redis',
  'mysql',
  'udp',
];

/**
 * DestinationRules of leaf Services that say what the service's own says (its trafficPolicy,
 * no subsets): copies, taken whole. Any other DestinationRule of a leaf is imported as it is.
 */
function leafCopies(ctx: Context, r: IstioReader): Set<NativeObject> {
  const copies = new Set<NativeObject>();
  const rulesOf = (key: string) => ctx.subsets.get(key)?.rules;
  for (const [leaf, service] of ctx.leafOf) {
    const own = rulesOf(service);
    if (own?.length !== 1) continue;
    const policy = JSON.stringify((own[0]!.object.spec as Obj | undefined)?.trafficPolicy ?? null);
    for (const o of rulesOf(leaf) ?? []) {
      const spec = (o.object.spec as Obj | undefined) ?? {};
      if (spec.subsets !== undefined || JSON.stringify(spec.trafficPolicy ?? null) !== policy) continue;
      // Its HTTP/2 upgrade is the service's, read with the service's policy.
      for (const u of ctx.subsets.get(leaf)?.h2 ?? [])
        for (const path of [...(u.all ? [u.all] : []), ...u.ports.values()]) u.used.add(path);
      r.ledger.take(o, []);
      copies.add(o);
      r.joined(
        o,
        `DestinationRule ${o.object.metadata.name} (of leaf Service ${leaf.split('/')[1]})`,
        `the settings of ${own[0]!.ref}`,
        "the waypoint calls a version through its leaf Service's own cluster, so the service's traffic policy is repeated for it",
      );
    }
  }
  return copies;
}
