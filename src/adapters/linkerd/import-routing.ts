/**
 * Outbound routes -> TrafficPolicies. HTTPRoutes and GRPCRoutes (gateway.networking.k8s.io and
 * policy.linkerd.io) with a Service parentRef are joined per parent, with the leaf Services their
 * backendRefs name (versions) and the parent Service's retry and timeout annotations:
 *
 * - a route in the parent's namespace (producer route) governs every caller; a route in another
 *   namespace (consumer route) only that namespace's callers (linkerd2 policy-controller
 *   outbound/index.rs), which is the neutral `spec.sources: [{namespace}]`;
 * - several routes of one parent become one policy, their rules merged most specific first
 *   (kit/import-route-order.ts); what anymesh produced is split back into its source policies by the
 *   `anymesh.dev/source-policies` annotation and its route names (`<policy>-<first rule>`);
 * - the route's annotations (timeout.linkerd.io/request, retry.linkerd.io/*) apply to every rule
 *   of it and win over rules[].timeouts.request (http.rs convert_gateway_rule); a route without
 *   them takes the parent Service's (grpc/src/outbound/http.rs: service timeouts and retries fill
 *   in for a rule without its own);
 * - a GRPCRoute is a policy with protocol grpc (its method matches are neutral gRPC matches,
 *   import-rule.ts), so HTTPRoutes and GRPCRoutes of one parent are never joined into one policy.
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { formatDuration } from '../../core/model/duration.js';
import { gatewayMs } from '../kit/gateway-api.js';
import { type ImportedMeta, neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import { leafPortAppProtocol, type ServiceIndex, withVersions } from '../kit/import-leaves.js';
import { checkOrder, mergeRules, type Ordered, ruleRank } from '../kit/import-route-order.js';
import { importedRouteName, versionAndSourceFields } from '../kit/import-route-policy.js';
import { type Parent, type RuleIR, readRule } from '../kit/import-route-rule.js';
import { H2C, leafAppProtocol } from '../kit/leaf-services.js';
import {
  httpConditionsValid,
  ROUTE_ANNOTATIONS,
  type RouteSettings,
  readRouteAnnotations,
} from './import-annotations.js';
import {
  GATEWAY,
  isKind,
  LINKERD_ROUTES,
  type LinkerdReader,
  linkerdMs,
  type Obj,
  POLICY,
} from './import-reader.js';
import { readsRuleTimeouts } from './versions.js';

/** A rule with its own request timeout (rules[].timeouts.request) in ms, when it has one. */
interface TimedRule extends RuleIR {
  readonly ownTimeout?: { ms: number; text: string; path: FieldPath; read: boolean };
}

interface RouteEntry {
  readonly route: NativeObject;
  readonly settings: RouteSettings;
  readonly rules: TimedRule[];
}

/**
 * A rule's own timeouts: Linkerd reads rules[].timeouts.request with its annotation parser (http.rs
 * convert_gateway_rule: one integer and a unit), so a compound Gateway API value such as 1m30s
 * sets no timeout unless an annotation does (`read` false); backendRequest it does not read.
 */
function ruleTimeout(route: NativeObject, index: number, r: LinkerdReader): Pick<TimedRule, 'ownTimeout'> {
  const tat: FieldPath = ['spec', 'rules', index, 'timeouts'];
  const timeouts = r.ledger.peek<Obj>(route, tat);
  if (!timeouts) return {};
  r.rest(route, tat, ['request', 'backendRequest'], 'timeouts');
  if (timeouts.backendRequest !== undefined)
    r.lost(
      route,
      [...tat, 'backendRequest'],
      'Linkerd does not read backendRequest (only timeouts.request), so it has no effect',
    );
  if (timeouts.request === undefined) return {};
  const ms = linkerdMs(timeouts.request);
  const gw = ms ?? gatewayMs(timeouts.request);
  if (gw === undefined) {
    r.lost(route, [...tat, 'request'], `${JSON.stringify(timeouts.request)} is not a duration`);
    return {};
  }
  return {
    ownTimeout: { ms: gw, text: String(timeouts.request), path: [...tat, 'request'], read: ms !== undefined },
  };
}

interface Group {
  readonly name: string;
  readonly namespace: string;
  readonly parent: Parent;
  /** anymesh produced it: names and forms come back as the policy was written. */
  readonly own: boolean;
  /** Its routes are GRPCRoutes: the policy has protocol grpc. */
  readonly grpc: boolean;
  readonly meta?: ImportedMeta;
  readonly entries: RouteEntry[];
  readonly sources: Set<string>;
  readonly from: Set<string>;
}

/** Whether a route is an outbound one (a Service parent) rather than an inbound one (a Server). */
export function isOutboundRoute(o: NativeObject): boolean {
  const routeKind =
    isKind(o, GATEWAY, 'HTTPRoute') ||
    isKind(o, GATEWAY, 'GRPCRoute') ||
    isKind(o, POLICY, 'HTTPRoute') ||
    isKind(o, POLICY, 'GRPCRoute');
  if (!routeKind) return false;
  const parents = ((o.object.spec as Obj | undefined)?.parentRefs as Obj[] | undefined) ?? [];
  return !parents.length || !parents.every((p) => p.kind === 'Server');
}

const isService = (p: Obj) =>
  (p.kind ?? 'Service') === 'Service' && (p.group === '' || p.group === 'core' || p.group === undefined);

export function importRouting(
  objects: readonly NativeObject[],
  services: ServiceIndex,
  r: LinkerdReader,
  /** `namespace/service` of the Services a ServiceProfile configures. */
  profiled: ReadonlySet<string> = new Set(),
): ImportedPolicy[] {
  const routes = objects.filter(isOutboundRoute);
  const groups = new Map<string, Group>();
  const serviceSettings = new Map<NativeObject, RouteSettings>();
  const settingsOfService = (o: NativeObject) => {
    let s = serviceSettings.get(o);
    if (!s) {
      s = readRouteAnnotations(o, r, 'service');
      serviceSettings.set(o, s);
    }
    return s;
  };
  const duplicates = ownDuplicates(routes, r);
  for (const route of routes) {
    if (duplicates.copies.has(route)) continue;
    const meta = carried(takeMetadata(r.ledger, route));
    const refused = refusal(route);
    if (refused) {
      r.lost(
        route,
        [],
        `Linkerd refuses this route ("Failed to convert route": ${refused}), so it governs nothing`,
      );
      continue;
    }
    const grpc = route.object.kind === 'GRPCRoute';
    const policyGroup = route.object.apiVersion.startsWith(POLICY);
    r.rest(route, ['spec'], ['parentRefs', 'rules', 'hostnames'], route.object.kind);
    const hostnames = r.ledger.peek<string[]>(route, ['spec', 'hostnames']);
    if (hostnames?.length)
      r.lost(
        route,
        ['spec', 'hostnames'],
        'host name matches have no neutral form (a neutral policy governs all calls to its service)',
      );
    else if (hostnames) r.ledger.take(route, ['spec', 'hostnames']);
    const parents = r.ledger.peek<Obj[]>(route, ['spec', 'parentRefs']) ?? [];
    let parent: Parent | undefined;
    parents.forEach((p, i) => {
      const at: FieldPath = ['spec', 'parentRefs', i];
      if (!isService(p)) {
        r.lost(
          route,
          at,
          `a ${p.kind} parent (ingress or another resource) is not a call to a service inside the mesh`,
        );
        return;
      }
      if (parent) {
        r.lost(
          route,
          at,
          `the route is imported for its first Service parent (${parent.service}); write one route per parent to import this one`,
        );
        return;
      }
      r.rest(route, at, ['group', 'kind', 'name', 'namespace', 'port'], 'parentRef');
      for (const k of ['group', 'kind', 'name', 'namespace', 'port']) r.ledger.take(route, [...at, k]);
      parent = {
        namespace: (p.namespace as string | undefined) ?? route.namespace,
        service: String(p.name),
        ...(p.port !== undefined ? { port: p.port as number } : {}),
      };
    });
    if (!parent) {
      r.lost(route, ['spec'], 'the route has no Service parent, so it governs no calls inside the mesh');
      continue;
    }
    if (profiled.has(`${parent.namespace}/${parent.service}`)) {
      r.lost(
        route,
        [],
        `a ServiceProfile for Service ${parent.service} is in the input, and Linkerd then uses the profile instead of the route (linkerd.io/2/reference/httproute/: the ServiceProfile takes precedence)`,
      );
      continue;
    }
    const settings = readRouteAnnotations(route, r, grpc ? 'grpc' : 'http');
    const own = meta.sources?.find((s) => s.kind === 'TrafficPolicy');
    const rules = (r.ledger.peek<Obj[]>(route, ['spec', 'rules']) ?? []).flatMap((_, i) => {
      const ir = readRule(route, i, parent!, r, {
        dialect: LINKERD_ROUTES,
        grpc,
        own: own !== undefined,
        policyGroup,
        extraFields: ['timeouts'],
      });
      return ir ? [{ ...ir, ...ruleTimeout(route, i, r) }] : [];
    });
    if (!rules.length) {
      if (!(r.ledger.peek<Obj[]>(route, ['spec', 'rules']) ?? []).length)
        r.lost(route, ['spec'], 'a route without rules matches nothing');
      continue;
    }
    const key = own
      ? `own/${own.namespace}/${own.name}`
      : `${parent.namespace}/${parent.service}/${parent.port ?? '*'}/${route.namespace}/${route.object.kind}`;
    const group: Group = groups.get(key) ?? {
      name: own?.name ?? '',
      namespace: own?.namespace ?? parent.namespace,
      parent,
      own: own !== undefined,
      grpc,
      ...(own ? {} : { meta }),
      entries: [],
      sources: new Set(),
      from: new Set(),
    };
    group.entries.push({ route, settings, rules });
    group.from.add(route.ref);
    if (route.namespace !== group.namespace) group.sources.add(route.namespace);
    for (const d of duplicates.of.get(route) ?? []) {
      group.from.add(d.ref);
      group.sources.add(d.namespace);
    }
    groups.set(key, group);
  }
  const policies: ImportedPolicy[] = [];
  const names = new Set<string>();
  const governed = new Set<string>();
  for (const g of groups.values()) {
    const p = buildPolicy(g, services, settingsOfService, names, r);
    if (p) {
      policies.push(p);
      governed.add(`${g.parent.namespace}/${g.parent.service}`);
    }
  }
  // Services with retry or timeout annotations and no route: their settings apply to every call.
  for (const svc of services.all()) {
    if (services.leaves.has(svc) || governed.has(`${svc.namespace}/${svc.object.metadata.name}`)) continue;
    const a = svc.object.metadata.annotations ?? {};
    if (!ROUTE_ANNOTATIONS.some((k) => a[k] !== undefined)) continue;
    const s = settingsOfService(svc);
    services.takeParent(svc, r);
    const rule: Obj = {};
    if (s.timeout) rule.timeout = s.timeout.text;
    if (s.retries) rule.retries = s.retries;
    if (!Object.keys(rule).length) continue;
    const name = svc.object.metadata.name;
    policies.push(
      neutralPolicy('TrafficPolicy', neutralMetadata(name, svc.namespace), { service: name, rules: [rule] }, [
        svc.ref,
      ]),
    );
  }
  return policies;
}

/**
 * Why Linkerd's policy controller refuses a whole route (outbound/index.rs: a route that fails
 * `convert_route` is dropped with "Failed to convert route"): an annotation its parsers reject
 * (parse_timeouts, parse_http_retry: a bad duration, limit or condition fails the route), or a
 * filter it does not support (http.rs convert_gateway_filter: RequestMirror, URLRewrite,
 * ExtensionRef).
 */
function refusal(route: NativeObject): string | undefined {
  const a = route.object.metadata.annotations ?? {};
  for (const key of [
    'timeout.linkerd.io/request',
    'timeout.linkerd.io/response',
    'timeout.linkerd.io/idle',
    'retry.linkerd.io/timeout',
  ])
    if (a[key] !== undefined && linkerdMs(a[key]) === undefined)
      return `${key} ${JSON.stringify(a[key])} is not a duration it reads`;
  const limit = a['retry.linkerd.io/limit'];
  if (limit !== undefined && !/^\d{1,5}$/.test(limit))
    return `retry.linkerd.io/limit ${JSON.stringify(limit)} is not a number`;
  const http = a['retry.linkerd.io/http'];
  if (http !== undefined && route.object.kind === 'HTTPRoute' && !httpConditionsValid(http))
    return `retry.linkerd.io/http ${JSON.stringify(http)} has a condition it does not read`;
  for (const rule of ((route.object.spec as Obj | undefined)?.rules as Obj[] | undefined) ?? [])
    for (const f of (rule.filters as Obj[] | undefined) ?? [])
      if (['RequestMirror', 'URLRewrite', 'ExtensionRef'].includes(f.type as string))
        return `the ${f.type} filter is not supported`;
  return undefined;
}

/** Labels and annotations carried to the neutral policy: not the ones the import reads. */
function carried(meta: ImportedMeta): ImportedMeta {
  if (!meta.annotations) return meta;
  const annotations = Object.fromEntries(
    Object.entries(meta.annotations).filter(([k]) => !ROUTE_ANNOTATIONS.includes(k)),
  );
  const { annotations: _, ...rest } = meta;
  return { ...rest, ...(Object.keys(annotations).length ? { annotations } : {}) };
}

/**
 * anymesh writes a policy with several caller namespaces as the same routes in each of them
 * (`<policy namespace>-<name>`); the copies beyond the first namespace are taken whole, joined to
 * the first one's routes (they add the namespace to spec.sources).
 */
function ownDuplicates(
  routes: readonly NativeObject[],
  r: LinkerdReader,
): { copies: Set<NativeObject>; of: Map<NativeObject, NativeObject[]> } {
  const copies = new Set<NativeObject>();
  const of = new Map<NativeObject, NativeObject[]>();
  const byPolicy = new Map<string, NativeObject[]>();
  for (const o of routes) {
    const src = o.object.metadata.annotations?.['anymesh.dev/source-policies'];
    if (!src || o.object.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'anymesh') continue;
    byPolicy.set(src, [...(byPolicy.get(src) ?? []), o]);
  }
  const shape = (o: NativeObject) =>
    JSON.stringify([o.object.metadata.name, o.object.metadata.annotations, o.object.spec]);
  for (const list of byPolicy.values()) {
    const namespaces = [...new Set(list.map((o) => o.namespace))].sort();
    if (namespaces.length < 2) continue;
    const firsts = new Map(list.filter((o) => o.namespace === namespaces[0]).map((o) => [shape(o), o]));
    for (const o of list) {
      const twin = o.namespace === namespaces[0] ? undefined : firsts.get(shape(o));
      if (!twin) continue;
      r.ledger.take(o, []);
      copies.add(o);
      of.set(twin, [...(of.get(twin) ?? []), o]);
    }
  }
  return { copies, of };
}

function buildPolicy(
  g: Group,
  services: ServiceIndex,
  settingsOf: (o: NativeObject) => RouteSettings,
  names: Set<string>,
  r: LinkerdReader,
): ImportedPolicy | undefined {
  const parentSvc = services.get(g.parent.namespace, g.parent.service);
  const serviceSettings = parentSvc ? settingsOf(parentSvc) : undefined;
  const many = g.entries.length > 1;
  const lists: Ordered<{ ir: TimedRule; entry: RouteEntry; name?: string }>[][] = g.entries.map((entry) => {
    const routeName = entry.route.object.metadata.name;
    // anymesh names the routes of a policy with several `<policy>-<first rule>` (in a caller's
    // namespace prefixed with the policy's namespace).
    const bare = entry.route.namespace !== g.namespace ? routeName.replace(`${g.namespace}-`, '') : routeName;
    const firstName =
      g.own && many && bare.startsWith(`${g.name}-`) ? bare.slice(g.name.length + 1) : undefined;
    return entry.rules.map((ir, k) => {
      const pinned = k === 0 && firstName !== undefined ? /^rule-(\d+)$/.exec(firstName) : null;
      const name = k === 0 && firstName !== undefined && !pinned ? firstName : undefined;
      const rank = ruleRank(ir.nativeMatches, LINKERD_ROUTES.regexAbovePrefix);
      return {
        item: { ir, entry, ...(name ? { name } : {}) },
        route: entry.route,
        rank,
        ...(pinned ? { pin: Number(pinned[1]) } : {}),
      };
    });
  });
  const ordered = mergeRules(lists);
  if (!g.own)
    checkOrder(
      ordered.map((o) => o.item.ir),
      r,
      LINKERD_ROUTES,
    );
  // Versions: backends naming leaf Services of the parent, when the leaves are in the input.
  const { split, leafNames } = services.splitOf(
    g.parent,
    ordered.map((o) => o.item.ir),
  );
  const rules = ordered.map(({ item }) => {
    const { ir, entry } = item;
    const rule = withVersions(
      { ...(item.name ? { name: item.name } : {}), ...structuredClone(ir.rule) },
      ir,
      g.parent,
      split,
    );
    // Timeout: the route's annotation, else the rule's own field, else the parent Service's.
    const annotation = entry.settings.timeout;
    if (ir.ownTimeout) {
      if (annotation && annotation.ms !== ir.ownTimeout.ms)
        r.lost(
          entry.route,
          ir.ownTimeout.path,
          `the route's timeout.linkerd.io/request (${annotation.text}) wins over the rule's ${ir.ownTimeout.text}`,
        );
      else if (!annotation && !ir.ownTimeout.read)
        r.lost(
          entry.route,
          ir.ownTimeout.path,
          `Linkerd reads rules[].timeouts.request with its annotation parser (one integer and a unit), so ${ir.ownTimeout.text} sets no timeout`,
        );
      else if (!annotation && r.ctx.meshVersion && !readsRuleTimeouts(r.ctx.meshVersion))
        r.changed(
          entry.route,
          ir.ownTimeout.path,
          `Linkerd ${r.ctx.meshVersion} does not read rules[].timeouts.request (2.20 and edge-25.12 do); the imported policy has the timeout`,
        );
      else r.ledger.take(entry.route, ir.ownTimeout.path);
    }
    const ownMs = ir.ownTimeout?.read && ir.ownTimeout.ms > 0 ? ir.ownTimeout.ms : undefined;
    const timeout =
      annotation?.text ??
      (ownMs !== undefined ? formatDuration(ownMs) : undefined) ??
      (!entry.settings.hasTimeouts && ir.ownTimeout === undefined
        ? serviceSettings?.timeout?.text
        : undefined);
    if (timeout !== undefined && timeout !== '0s') rule.timeout = timeout;
    const retries = entry.settings.hasRetries ? entry.settings.retries : serviceSettings?.retries;
    if (retries) rule.retries = retries;
    return rule;
  });
  // Leaves taken as versions are joined into the policy.
  const from = new Set(g.from);
  const leaves = split ? leafNames.map((n) => services.get(g.parent.namespace, n)!) : [];
  // An HTTPRoute whose leaves all declare HTTP/2 cleartext is an HTTP/2 policy's (what a compile
  // writes for protocol http2: kit/leaf-services.ts); a GRPCRoute's leaves declare it anyway.
  const protocol = g.grpc
    ? 'grpc'
    : leaves.length && leaves.every((o) => leafPortAppProtocol(o, g.parent.port!) === H2C)
      ? 'http2'
      : 'http';
  for (const leaf of leaves) {
    services.takeLeaf(leaf, g.parent.port!, r, leafAppProtocol({ protocol }));
    from.add(leaf.ref);
  }
  if (parentSvc) {
    services.takeParent(parentSvc, r);
    from.add(parentSvc.ref);
  }
  const spec: Obj = { service: g.parent.service };
  if (g.parent.port !== undefined) spec.port = g.parent.port;
  if (protocol !== 'http') spec.protocol = protocol;
  Object.assign(spec, versionAndSourceFields(g.parent.service, split, g.sources));
  spec.rules = rules;
  let name = g.name;
  if (!g.own) {
    // HTTPRoutes and GRPCRoutes of one parent are two policies (one protocol each).
    name = importedRouteName(
      g.entries.map((e) => e.route),
      { namespace: g.namespace, service: g.parent.service, taken: names },
      [g.grpc ? 'grpc' : undefined, g.parent.port !== undefined ? String(g.parent.port) : undefined],
      r,
      LINKERD_ROUTES,
    );
  }
  names.add(`${g.namespace}/${name}`);
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(name, g.namespace, g.own ? undefined : g.meta),
    spec,
    [...from],
  );
}
