/**
 * GatewayRoutes -> TrafficPolicies bound to their VirtualGateway (spec.gateway): the ingress of an
 * App Mesh application, which must move with it (App Mesh ended on 2026-09-30).
 *
 * What App Mesh does with them (API reference GatewayRouteSpec, HttpGatewayRoute*; the controller's
 * v1beta2 CRD in shared/crds/appmesh):
 * - a VirtualGateway takes the GatewayRoutes of its namespace selector and route selector; the
 *   controller records the one it chose in `virtualGatewayRef`. Without it, the input's lone
 *   VirtualGateway of the namespace is the gateway (said);
 * - routes are tried by `priority` (0 first), the ones without after them by App Mesh's own order
 *   (longest prefix first, aws/aws-app-mesh-roadmap#77); the first match wins. The routes of one
 *   gateway and host name are one policy, its rules in that order;
 * - the target is a VirtualService: the Kubernetes Service behind its DNS name (default
 *   `<name>.<namespace>`); its `port` is the policy's spec.port. Whatever that service's own
 *   VirtualRouter does (versions, retries) is its mesh policy, imported with it;
 * - a prefix match rewrites the matched prefix to `/` unless `rewrite.prefix.defaultPrefix` is
 *   DISABLED (the neutral replacePrefixMatch), or to `rewrite.prefix.value`; an exact path match
 *   rewrites the whole path with `rewrite.path.exact`;
 * - the Host header is rewritten to the target's name unless `rewrite.hostname.defaultTargetHostname`
 *   is DISABLED: the neutral rule then keeps the client's Host, which is said;
 * - `match.hostname` exact or a `.`-suffix is the policy's host names; `match.port` is the gateway
 *   listener's port (a VirtualGateway with several listeners), the policy's spec.gateway.port. A
 *   gRPC gateway route's `serviceName` is a gRPC service match (the gRPC routes of a gateway are a
 *   protocol grpc policy of their own).
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isGatewayHostname } from '../../core/model/semantic-gateway.js';
import { isDnsLabel, neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import { type AppMeshReader, isKind, type Obj, serviceOfMeshHost } from './import-reader.js';
import { grpcMatch, httpMatch } from './import-route.js';

interface GatewayRule {
  readonly o: NativeObject;
  readonly gateway: { name: string; namespace: string };
  readonly hostnames?: string[];
  /** match.port: the VirtualGateway listener the route applies at. */
  readonly listener?: number;
  readonly service: { service: string; namespace: string };
  readonly port?: number;
  readonly priority?: number;
  readonly prefixLength: number;
  readonly rule: Obj;
  /** The route's kind: httpRoute, http2Route (HTTP/2 to the target) or grpcRoute. */
  readonly protocol: 'http' | 'http2' | 'grpc';
}

/**
 * `named`: the `<namespace>/<name>` of the TrafficPolicies imported already (from VirtualServices),
 * which a gateway's policy must not take.
 */
export function importGatewayRoutes(
  objects: readonly NativeObject[],
  r: AppMeshReader,
  named: ReadonlySet<string> = new Set(),
): ImportedPolicy[] {
  const gateways = objects.filter((o) => isKind(o, 'VirtualGateway'));
  const namespaces = new Map(
    objects
      .filter((o) => o.object.apiVersion === 'v1' && o.object.kind === 'Namespace')
      .map((o) => [o.object.metadata.name, o.object.metadata.labels ?? {}] as const),
  );
  const rules = objects
    .filter((o) => isKind(o, 'GatewayRoute'))
    .flatMap((o) => readGatewayRoute(o, gateways, namespaces, r));
  // One policy per gateway, host names and listener port, in the service's namespace (a policy's
  // service is in its own namespace); rules in App Mesh's order.
  const groups = new Map<string, GatewayRule[]>();
  for (const g of rules) {
    // gRPC routes are a policy of their own: their matches mean nothing to an HTTP one (AM2040).
    const key = JSON.stringify([
      g.gateway,
      g.hostnames ?? null,
      g.listener ?? null,
      g.service.namespace,
      g.protocol === 'grpc',
    ]);
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  const taken = new Set(named);
  const policies: ImportedPolicy[] = [];
  for (const list of groups.values()) {
    list.sort(
      (a, b) =>
        (a.priority ?? Number.POSITIVE_INFINITY) - (b.priority ?? Number.POSITIVE_INFINITY) ||
        b.prefixLength - a.prefixLength,
    );
    const first = list[0]!;
    const namespace = first.service.namespace;
    // The service most routes go to is the policy's; the others are backends naming theirs.
    const counts = new Map<string, number>();
    for (const g of list) counts.set(g.service.service, (counts.get(g.service.service) ?? 0) + 1);
    const service = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const ports = new Set(list.filter((g) => g.service.service === service).map((g) => g.port));
    const port = ports.size === 1 ? [...ports][0] : undefined;
    // Named after the gateway; `-2`, `-3` for its other host names or a name another policy has.
    let name = first.gateway.name;
    for (let i = 2; taken.has(`${namespace}/${name}`); i++) name = `${first.gateway.name}-${i}`;
    taken.add(`${namespace}/${name}`);
    const spec: Obj = {
      service,
      ...(port !== undefined ? { port } : {}),
      ...(list.every((g) => g.protocol === 'grpc')
        ? { protocol: 'grpc' }
        : list.every((g) => g.protocol === 'http2')
          ? { protocol: 'http2' }
          : {}),
      gateway: {
        name: first.gateway.name,
        ...(first.gateway.namespace !== namespace ? { namespace: first.gateway.namespace } : {}),
        ...(first.hostnames ? { hostnames: first.hostnames } : {}),
        ...(first.listener !== undefined ? { port: first.listener } : {}),
      },
      rules: list.map((g) => {
        const self = g.service.service === service && g.port === port;
        const backend = { service: g.service.service, ...(g.port !== undefined ? { port: g.port } : {}) };
        return { ...g.rule, ...(self ? {} : { backends: [backend] }) };
      }),
    };
    policies.push(
      neutralPolicy(
        'TrafficPolicy',
        neutralMetadata(name, namespace),
        spec,
        list.map((g) => g.o.ref),
      ),
    );
  }
  return policies;
}

function readGatewayRoute(
  o: NativeObject,
  gateways: readonly NativeObject[],
  namespaces: ReadonlyMap<string, Record<string, string>>,
  r: AppMeshReader,
): GatewayRule[] {
  const meta = takeMetadata(r.ledger, o);
  r.rest(
    o,
    ['spec'],
    ['httpRoute', 'http2Route', 'grpcRoute', 'priority', 'virtualGatewayRef', 'meshRef', 'awsName'],
    'GatewayRoute',
  );
  r.ledger.take(o, ['spec', 'meshRef']);
  const aws = r.ledger.peek<string>(o, ['spec', 'awsName']);
  if (aws === undefined || aws.startsWith(`${meta.name}_`) || aws === meta.name)
    r.ledger.take(o, ['spec', 'awsName']);
  else r.cloud(o, ['spec', 'awsName'], `awsName ${aws}`, 'the name of the gateway route in the App Mesh API');
  // What orders or binds a route goes with it when the route is left out.
  const leftOut = (): GatewayRule[] => {
    for (const f of ['priority', 'virtualGatewayRef'])
      r.lostIf(o, ['spec', f], 'the route it belongs to is left out (see there)');
    return [];
  };
  const kind = (['httpRoute', 'http2Route', 'grpcRoute'] as const).find(
    (k) => r.ledger.peek(o, ['spec', k]) !== undefined,
  );
  if (!kind) {
    r.lostIf(o, ['spec'], 'a gateway route without httpRoute, http2Route or grpcRoute routes nothing');
    return leftOut();
  }
  const at: FieldPath = ['spec', kind];
  const gateway = gatewayOf(o, gateways, namespaces, r);
  if (!gateway) {
    r.lost(
      o,
      at,
      'no virtualGatewayRef, and not exactly one VirtualGateway in the input whose route and namespace selectors take this route, so its gateway is unknown',
    );
    return leftOut();
  }
  r.rest(o, at, ['match', 'action'], 'gateway route');
  const hostnames = hostnamesOf(o, [...at, 'match', 'hostname'], r);
  if (hostnames === null) return leftOut();
  const matchAt: FieldPath = [...at, 'match'];
  const listener = r.ledger.peek<unknown>(o, [...matchAt, 'port']);
  const isPort = Number.isInteger(listener) && (listener as number) >= 1 && (listener as number) <= 65535;
  if (listener !== undefined && isPort) r.ledger.take(o, [...matchAt, 'port']);
  else if (listener !== undefined)
    r.lost(o, [...matchAt, 'port'], `port ${JSON.stringify(listener)} is not a port number (1-65535)`);
  // A gRPC route matches the service by name (a neutral gRPC match: the policy is protocol grpc).
  const match =
    (kind === 'grpcRoute'
      ? grpcMatch(o, matchAt, r, true, true)
      : httpMatch(o, 'httpRoute', matchAt, r, true)) ?? {};
  const target = targetOf(o, [...at, 'action'], r);
  if (!target) {
    r.lost(o, at, 'its target cannot be imported (see above), so the route is left out');
    return leftOut();
  }
  const rule: Obj = {};
  if (isDnsLabel(meta.name)) rule.name = meta.name;
  if (Object.keys(match).length) rule.matches = [match];
  const rewrite = rewriteOf(o, [...at, 'action', 'rewrite'], match, r);
  if (rewrite) rule.rewrite = rewrite;
  const priority = r.ledger.take<number>(o, ['spec', 'priority']);
  const prefix = (match.path as { prefix?: string } | undefined)?.prefix ?? '/';
  return [
    {
      o,
      gateway,
      ...(hostnames ? { hostnames } : {}),
      ...(isPort ? { listener: listener as number } : {}),
      service: target.service,
      ...(target.port !== undefined ? { port: target.port } : {}),
      ...(priority !== undefined ? { priority } : {}),
      prefixLength: prefix.length,
      rule,
      protocol: kind === 'grpcRoute' ? 'grpc' : kind === 'http2Route' ? 'http2' : 'http',
    },
  ];
}

/**
 * The VirtualGateway of a route: its virtualGatewayRef, else the one VirtualGateway of the input
 * whose gatewayRouteSelector (matchLabels) the route's labels meet and whose namespaceSelector takes
 * the route's namespace (matchLabels against the Namespace in the input; without a selector, or
 * without the Namespace in the input, its own namespace), as the App Mesh controller selects them.
 */
function gatewayOf(
  o: NativeObject,
  gateways: readonly NativeObject[],
  namespaces: ReadonlyMap<string, Record<string, string>>,
  r: AppMeshReader,
): { name: string; namespace: string } | undefined {
  const ref = r.ledger.peek<{ name?: unknown; namespace?: unknown }>(o, ['spec', 'virtualGatewayRef']);
  if (ref && typeof ref.name === 'string') {
    r.ledger.take(o, ['spec', 'virtualGatewayRef']);
    return { name: ref.name, namespace: typeof ref.namespace === 'string' ? ref.namespace : o.namespace };
  }
  const labels = o.object.metadata.labels ?? {};
  const meets = (sel: unknown, have: Record<string, string>) =>
    Object.entries(
      ((sel as Obj | undefined)?.matchLabels as Record<string, unknown> | undefined) ?? {},
    ).every(([k, v]) => have[k] === v);
  const candidates = gateways.filter((g) => {
    const spec = (g.object.spec ?? {}) as Obj;
    if (!meets(spec.gatewayRouteSelector, labels)) return false;
    if (spec.namespaceSelector === undefined || spec.namespaceSelector === null)
      return g.namespace === o.namespace;
    const nsLabels = namespaces.get(o.namespace);
    // Without the Namespace in the input its labels are unknown: a gateway of the route's own
    // namespace (the walkthroughs' layout) is taken to select it.
    if (nsLabels === undefined) return g.namespace === o.namespace;
    return meets(spec.namespaceSelector, nsLabels);
  });
  if (candidates.length !== 1) return undefined;
  const g = candidates[0]!;
  return { name: g.object.metadata.name, namespace: g.namespace };
}

/** The host names of `match.hostname`: undefined for every host, null when it cannot be imported. */
function hostnamesOf(o: NativeObject, at: FieldPath, r: AppMeshReader): string[] | undefined | null {
  const h = r.ledger.peek<{ exact?: unknown; suffix?: unknown }>(o, at);
  if (h === undefined) return undefined;
  r.rest(o, at, ['exact', 'suffix'], 'hostname match');
  const exact = typeof h.exact === 'string' ? h.exact.toLowerCase() : undefined;
  const suffix = typeof h.suffix === 'string' ? h.suffix.toLowerCase() : undefined;
  if (exact !== undefined && !exact.startsWith('*') && isGatewayHostname(exact)) {
    r.ledger.take(o, [...at, 'exact']);
    return [exact];
  }
  if (suffix?.startsWith('.') && isGatewayHostname(`*${suffix}`)) {
    r.ledger.take(o, [...at, 'suffix']);
    return [`*${suffix}`];
  }
  r.lost(
    o,
    at,
    'a host name match other than an exact DNS name or a suffix starting with "." (a suffix "example.com" also matches "myexample.com", which a *.example.com host name does not); the route is left out',
  );
  return null;
}

function targetOf(
  o: NativeObject,
  at: FieldPath,
  r: AppMeshReader,
): { service: { service: string; namespace: string }; port?: number } | undefined {
  r.rest(o, at, ['target', 'rewrite'], 'action');
  r.rest(o, [...at, 'target'], ['virtualService', 'port'], 'target');
  const vsAt: FieldPath = [...at, 'target', 'virtualService'];
  r.rest(o, vsAt, ['virtualServiceRef', 'virtualServiceARN'], 'target virtualService');
  if (r.ledger.peek(o, [...vsAt, 'virtualServiceARN']) !== undefined) {
    r.cloud(
      o,
      [...vsAt, 'virtualServiceARN'],
      'a virtualServiceARN',
      'an App Mesh resource outside this cluster',
    );
    return undefined;
  }
  const ref = r.ledger.peek<{ name?: unknown; namespace?: unknown }>(o, [...vsAt, 'virtualServiceRef']);
  if (typeof ref?.name !== 'string') {
    r.lost(o, vsAt, 'no virtualServiceRef');
    return undefined;
  }
  const namespace = typeof ref.namespace === 'string' ? ref.namespace : o.namespace;
  const service = serviceOfMeshHost(`${ref.name}.${namespace}`, namespace, r.ctx);
  if (!service) {
    r.lost(
      o,
      [...vsAt, 'virtualServiceRef'],
      `VirtualService ${ref.name} is not named as a Kubernetes Service`,
    );
    return undefined;
  }
  r.ledger.take(o, [...vsAt, 'virtualServiceRef']);
  const port = r.ledger.take<number>(o, [...at, 'target', 'port']);
  return { service, ...(port !== undefined ? { port } : {}) };
}

/** App Mesh's rewrite of a gateway route, defaults included, as the neutral rewrite. */
function rewriteOf(o: NativeObject, at: FieldPath, match: Obj, r: AppMeshReader): Obj | undefined {
  r.rest(o, at, ['prefix', 'path', 'hostname'], 'rewrite');
  const out: Obj = {};
  const path = match.path as { prefix?: string; exact?: string } | undefined;
  const prefix = r.ledger.peek<{ defaultPrefix?: string; value?: string }>(o, [...at, 'prefix']);
  r.rest(o, [...at, 'prefix'], ['defaultPrefix', 'value'], 'prefix rewrite');
  if (prefix?.value !== undefined && path?.prefix !== undefined) {
    r.ledger.take(o, [...at, 'prefix']);
    out.path = { replacePrefixMatch: prefix.value };
  } else if (prefix?.defaultPrefix === 'DISABLED') r.ledger.take(o, [...at, 'prefix']);
  else {
    if (prefix !== undefined) r.ledger.take(o, [...at, 'prefix']);
    // App Mesh's default: the matched prefix becomes / (a prefix of / stays as it is).
    const matched = path?.prefix ?? (path ? undefined : '/');
    if (matched !== undefined && matched !== '/') out.path = { replacePrefixMatch: '/' };
  }
  const exact = r.ledger.peek<{ exact?: string }>(o, [...at, 'path']);
  r.rest(o, [...at, 'path'], ['exact'], 'path rewrite');
  if (exact?.exact !== undefined) {
    if (path?.exact !== undefined) {
      r.ledger.take(o, [...at, 'path']);
      out.path = { replaceFullPath: exact.exact };
    } else r.lost(o, [...at, 'path'], 'a whole-path rewrite applies only under an exact path match');
  }
  const host = r.ledger.peek<{ defaultTargetHostname?: string }>(o, [...at, 'hostname']);
  r.rest(o, [...at, 'hostname'], ['defaultTargetHostname'], 'hostname rewrite');
  if (host?.defaultTargetHostname === 'DISABLED') r.ledger.take(o, [...at, 'hostname']);
  else
    r.changed(
      o,
      host ? [...at, 'hostname'] : [...at.slice(0, -1), 'target', 'virtualService', 'virtualServiceRef'],
      "App Mesh rewrites the Host header to the target VirtualService's name (defaultTargetHostname ENABLED, its default); the imported rule forwards the client's Host (add rewrite.host if the service needs its own name)",
    );
  return Object.keys(out).length ? out : undefined;
}
