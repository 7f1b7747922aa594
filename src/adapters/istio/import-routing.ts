/**
 * VirtualServices (+ DestinationRule subsets) -> TrafficPolicies: hosts resolved to Services,
 * gateway and exportTo bindings reported, routes grouped into policies (what anymesh produced
 * back into its source policies by route name and annotation; several VirtualServices for one
 * host reported), callers and port factored out of the match entries.
 */
import { SOURCE_ANNOTATION } from '../../core/adapter.js';
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import {
  type ImportedMeta,
  isDnsLabel,
  neutralMetadata,
  neutralPolicy,
  serviceOfHost,
  splitRouteName,
  takeMetadata,
} from '../kit/import-kit.js';
import { type GatewayBinding, gatewaySpec, readGatewayBinding } from './import-gateway.js';
import { grpcRoutes } from './import-grpc.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';
import { rewritePath } from './import-redirect.js';
import { type Entry, type RouteIR, readRoute, type Scope } from './import-route.js';
import type { ServicePorts } from './import-services.js';
import { loneUpgradePort, type Subsets, takeH2Upgrade } from './import-subsets.js';
import {
  finishIdleTimeouts,
  type IdleTimeout,
  readIdleTimeouts,
  readTcpRoutes,
  type TcpBucket,
} from './import-tcp.js';
import { ISTIO_MESSAGES } from './messages.js';

interface Group {
  name: string;
  namespace: string;
  service: string;
  meta: ImportedMeta;
  routes: RouteIR[];
  from: Set<string>;
  /** A TCP policy (VirtualService tcp[] routes, import-tcp.ts). */
  tcp?: boolean;
  /** A policy bound to an ingress gateway (import-gateway.ts). */
  gateway?: GatewayBinding;
}

/** The group of one TCP policy: a bucket of a VirtualService's tcp routes (import-tcp.ts). */
function tcpGroup(
  name: string,
  svc: { service: string; namespace: string },
  meta: ImportedMeta,
  vs: NativeObject,
  bucket: TcpBucket,
): Group {
  const { service, namespace } = svc;
  return { name, namespace, service, meta, routes: bucket.routes, from: new Set([vs.ref]), tcp: true };
}

/** What the routes of every policy read besides their VirtualService. */
interface Context {
  readonly ports: ServicePorts;
  readonly idle: ReadonlyMap<string, IdleTimeout>;
}

export function importRouting(
  objects: readonly NativeObject[],
  r: IstioReader,
  ports: ServicePorts,
  /**
   * The DestinationRules (readDestinationRules), read once for every importer of routes; the
   * caller reports the HTTP/2 upgrades no route took (reportUnusedH2Upgrades) when all have run.
   */
  subsets: ReadonlyMap<string, Subsets>,
): ImportedPolicy[] {
  const ctx: Context = { ports, idle: readIdleTimeouts(objects, r) };
  const groups = new Map<string, Group>();
  const hostOwners = new Map<string, NativeObject[]>();
  for (const vs of objects.filter((x) => isKind(x, 'VirtualService'))) {
    const meta = takeMetadata(r.ledger, vs);
    r.rest(vs, ['spec'], ['hosts', 'gateways', 'exportTo', 'http', 'tcp'], 'VirtualService');
    const exportTo = r.ledger.peek<string[]>(vs, ['spec', 'exportTo']);
    if (exportTo !== undefined) {
      if (exportTo.length === 1 && exportTo[0] === '*') r.ledger.take(vs, ['spec', 'exportTo']);
      else
        r.lost(
          vs,
          ['spec', 'exportTo'],
          `exportTo ${JSON.stringify(exportTo)} limits which namespaces see the routes; neutral policies apply to every caller (use sources to scope the rules)`,
        );
    }
    const gateways = r.ledger.peek<string[]>(vs, ['spec', 'gateways']);
    if (gateways !== undefined && !(gateways.length === 1 && gateways[0] === 'mesh')) {
      if (!gateways.includes('mesh')) {
        gatewayGroups(vs, meta, gateways, subsets, groups, r);
        continue;
      }
      // The routes hold at the gateways too: a policy bound to each, beside the mesh part below.
      gatewayGroups(vs, meta, gateways, subsets, groups, r);
    } else if (gateways) r.ledger.take(vs, ['spec', 'gateways']);
    const hosts = r.ledger.peek<string[]>(vs, ['spec', 'hosts']);
    if (!hosts?.length) {
      r.lost(
        vs,
        ['spec'],
        'a delegate VirtualService (no hosts) applies only where a root VirtualService delegates to it, and neutral policies have no delegation',
      );
      continue;
    }
    const services: { service: string; namespace: string }[] = [];
    hosts.forEach((h, i) => {
      const svc = serviceOfHost(h, vs.namespace, r.ctx);
      if (!svc || svc.namespace !== vs.namespace) {
        r.lost(
          vs,
          ['spec', 'hosts', i],
          svc
            ? `host ${h} is a Service of namespace ${svc.namespace}; a neutral policy governs a Service of its own namespace`
            : `host ${h} is not a Service of this cluster (external or wildcard hosts have no neutral form)`,
        );
        return;
      }
      r.ledger.take(vs, ['spec', 'hosts', i]);
      services.push(svc);
    });
    if (!services.length) {
      r.lost(vs, ['spec'], 'no host of this VirtualService is a Service of its namespace');
      continue;
    }
    const owned = new Set(
      (meta.sources ?? [])
        .filter((s) => s.kind === 'TrafficPolicy' && s.namespace === vs.namespace)
        .map((s) => s.name),
    );
    for (const svc of services) {
      const owners = hostOwners.get(`${svc.namespace}/${svc.service}`) ?? [];
      owners.push(vs);
      hostOwners.set(`${svc.namespace}/${svc.service}`, owners);
      const routes = (r.ledger.peek<Obj[]>(vs, ['spec', 'http']) ?? []).flatMap((_, i) => {
        const ir = readRoute(vs, i, svc, subsets.get(`${svc.namespace}/${svc.service}`), r);
        return ir ? [ir] : [];
      });
      const base = services.length > 1 ? `${meta.name}-${svc.service}` : meta.name;
      const claimed = new Set<string>();
      for (const route of routes) {
        const split = splitRouteName(route.name, [...owned]);
        const policyName = split?.policy ?? base;
        claimed.add(policyName);
        const key = `${svc.namespace}/${policyName}`;
        const group = groups.get(key) ?? {
          name: policyName,
          namespace: svc.namespace,
          service: svc.service,
          meta,
          routes: [],
          from: new Set<string>(),
        };
        group.routes.push(split ? { ...route, name: split.rule } : route);
        group.from.add(vs.ref);
        groups.set(key, group);
      }
      const buckets = readTcpRoutes(vs, svc, subsets.get(`${svc.namespace}/${svc.service}`), r);
      const names = tcpNames(
        buckets,
        [...owned].filter((n) => !claimed.has(n)),
        base,
        claimed,
      );
      buckets.forEach((b, i) => {
        groups.set(`${svc.namespace}/${names[i]}`, tcpGroup(names[i]!, svc, meta, vs, b));
      });
    }
  }
  for (const [host, owners] of hostOwners) {
    if (owners.length < 2) continue;
    for (const vs of owners.slice(1))
      r.ledger.report(vs, ['spec', 'hosts'], (at) =>
        makeDiagnostic(
          ISTIO_MESSAGES.ImportSharedHost,
          { names: owners.map((o) => o.object.metadata.name).join(', '), host: host.split('/')[1]! },
          at,
        ),
      );
  }
  const policies: ImportedPolicy[] = [];
  const versionsGiven = new Set<string>();
  uniqueNames(groups);
  // The subsets every group of a service routes to, gathered once per service (not per group).
  const usedSubsets = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    const key = `${g.namespace}/${g.service}`;
    const used = usedSubsets.get(key) ?? new Set<string>();
    for (const route of g.routes) for (const subset of route.subsets) used.add(subset);
    usedSubsets.set(key, used);
  }
  for (const g of groups.values()) {
    const key = `${g.namespace}/${g.service}`;
    const p = buildTrafficPolicy(g, subsets.get(key), versionsGiven, usedSubsets.get(key)!, ctx, r);
    if (p) policies.push(p);
  }
  // Subsets no VirtualService routes to: a policy with the versions and one rule to the service
  // itself, which is what the mesh does with them (default routing; the subsets stay defined).
  for (const [key, s] of subsets) {
    if (versionsGiven.has(key) || !s.versions.size) continue;
    const [namespace, service] = key.split('/') as [string, string];
    const dr = s.rules[0]!;
    const meta = takeMetadata(r.ledger, dr);
    const spec = {
      service,
      versions: Object.fromEntries([...s.versions.entries()].sort(([a], [b]) => a.localeCompare(b))),
      rules: [{ name: 'default' }],
    };
    policies.push(
      neutralPolicy(
        'TrafficPolicy',
        // The annotation may name the host's BackendPolicy too (backend.ts), and first: sorted by ref.
        neutralMetadata(
          meta.sources?.find((x) => x.kind === 'TrafficPolicy')?.name ?? meta.name,
          namespace,
          meta.sources ? undefined : meta,
        ),
        spec,
        s.rules.map((x) => x.ref),
      ),
    );
  }
  for (const g of groups.values()) {
    const idle = ctx.idle.get(`${g.namespace}/${g.service}`);
    if (idle && !g.tcp) idle.withHttp = true;
  }
  finishIdleTimeouts(ctx.idle, r);
  return policies;
}

/**
 * A gateway policy named like a mesh policy of its namespace (a VirtualService of another
 * namespace that moved to its service's, beside that namespace's own VirtualService of the same
 * name) takes `-gateway`, then a number: policy names are unique per namespace.
 */
function uniqueNames(groups: ReadonlyMap<string, Group>): void {
  const used = new Set([...groups.values()].filter((g) => !g.gateway).map((g) => `${g.namespace}/${g.name}`));
  for (const g of groups.values()) {
    if (!g.gateway) continue;
    const base = g.name;
    for (let i = 1; used.has(`${g.namespace}/${g.name}`); i++)
      g.name = i === 1 ? `${base}-gateway` : `${base}-gateway-${i}`;
    used.add(`${g.namespace}/${g.name}`);
  }
}

/**
 * The policies of a VirtualService bound to ingress gateways: one per gateway, named after the
 * policy its routes name (what anymesh produced) or the VirtualService, with the gateway's name
 * after it when there are several (`-gateway` beside the mesh part of a VirtualService bound to
 * `mesh` too); a name another policy of the namespace has gets `-gateway`.
 */
function gatewayGroups(
  vs: NativeObject,
  meta: ImportedMeta,
  gateways: readonly string[],
  subsets: ReadonlyMap<string, Subsets>,
  groups: Map<string, Group>,
  r: IstioReader,
): void {
  // What anymesh produced: the DestinationRule of the policy's service names the same policy.
  const refs = new Set((meta.sources ?? []).map((s) => `${s.kind}/${s.namespace}/${s.name}`));
  const preferred = new Set(
    [...subsets.entries()]
      .filter(([, s]) =>
        s.rules.some((d) =>
          (d.object.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',').some((x) => refs.has(x)),
        ),
      )
      .map(([key]) => key),
  );
  const binding = readGatewayBinding(vs, gateways, r, preferred);
  if (!binding) return;
  const svc = binding.service;
  const routes = (r.ledger.peek<Obj[]>(vs, ['spec', 'http']) ?? []).flatMap((_, i) => {
    const ir = readRoute(vs, i, svc, subsets.get(`${svc.namespace}/${svc.service}`), r);
    return ir ? [ir] : [];
  });
  const owned = (meta.sources ?? [])
    .filter((s) => s.kind === 'TrafficPolicy' && s.namespace === svc.namespace)
    .map((s) => s.name);
  const tcpBuckets = gatewayTcpBuckets(vs, svc, subsets, binding.gateways, gateways.includes('mesh'), r);
  for (const g of binding.gateways) {
    // Beside a mesh part (gateways with `mesh`), which keeps the VirtualService's name.
    const alone = !gateways.includes('mesh');
    const base =
      binding.gateways.length > 1 ? `${meta.name}-${g.name}` : alone ? meta.name : `${meta.name}-gateway`;
    for (const route of routes) {
      const split = splitRouteName(route.name, owned);
      // Keyed apart from the mesh policies, so that no mesh route joins them (names: uniqueNames).
      let name = split?.policy ?? base;
      let key = `gateway ${svc.namespace}/${name}`;
      const prior = groups.get(key);
      if (prior && (prior.gateway !== g || prior.service !== svc.service)) {
        name = `${name}-gateway`;
        key = `gateway ${svc.namespace}/${name}`;
      }
      const group = groups.get(key) ?? {
        name,
        namespace: svc.namespace,
        service: svc.service,
        meta,
        routes: [],
        from: new Set<string>(),
        gateway: g,
      };
      group.routes.push(split ? { ...route, name: split.rule } : route);
      group.from.add(vs.ref);
      groups.set(key, group);
    }
    const claimed = new Set(
      [...groups.values()].filter((x) => x.gateway === g && x.from.has(vs.ref)).map((x) => x.name),
    );
    const names = tcpNames(
      tcpBuckets,
      owned.filter((n) => !claimed.has(n)),
      base,
      claimed,
    );
    tcpBuckets.forEach((b, i) => {
      // One TCP route takes a listener's connections: an earlier VirtualService's has them (Istio
      // keeps the oldest; the input's order stands for it), so this one is never reached.
      const port = portOfRoutes(b.routes);
      const rival = [...groups.values()].find(
        (x) =>
          x.tcp &&
          x.gateway?.name === g.name &&
          x.gateway.namespace === g.namespace &&
          portOfRoutes(x.routes) === port,
      );
      if (rival) {
        for (const x of b.routes)
          r.lost(
            vs,
            ['spec', 'tcp', x.index],
            `never reached: ${[...rival.from].join(', ')} routes the connections on listener port ${port} of gateway ${g.namespace}/${g.name} already, and one TCP route takes a listener's connections`,
          );
        return;
      }
      // A name another VirtualService's routes took (one of the same name in another file) gets a number.
      let name = names[i]!;
      for (let n = 2; groups.has(`gateway ${svc.namespace}/${name}`); n++) name = `${names[i]}-${n}`;
      groups.set(`gateway ${svc.namespace}/${name}`, {
        ...tcpGroup(name, svc, meta, vs, b),
        // Without the host names: a TCP connection has none.
        gateway: { name: g.name, namespace: g.namespace },
      });
    });
  }
}

/**
 * The tcp routes of a VirtualService bound to gateways, as TCP gateway policies: a gateway takes
 * TCP connections on a listener port, which the route's match names (`port`, the gateway
 * server's port) and the policy's spec.gateway.port says; a route without one takes every TCP
 * listener's connections and has no neutral form. A connection has no host name, so the policies
 * name none (the VirtualService's hosts only bind it to the Gateway's servers).
 */
function gatewayTcpBuckets(
  vs: NativeObject,
  svc: { service: string; namespace: string },
  subsets: ReadonlyMap<string, Subsets>,
  gateways: readonly GatewayBinding[],
  alsoMesh: boolean,
  r: IstioReader,
): TcpBucket[] {
  const all = readTcpRoutes(vs, svc, subsets.get(`${svc.namespace}/${svc.service}`), r);
  const buckets = all.filter((b) => {
    if (portOfRoutes(b.routes) !== undefined) return true;
    const why =
      "a tcp route at a gateway without a port match takes the connections of every TCP listener; a gateway policy routes one listener's (spec.gateway.port: match the server's port)";
    // With `mesh` among the gateways the route is imported for the mesh (below): only the gateway part goes.
    for (const x of b.routes)
      if (alsoMesh) r.changed(vs, ['spec', 'tcp', x.index], `not at the gateways: ${why}`);
      else r.lost(vs, ['spec', 'tcp', x.index], why);
    return false;
  });
  const named = gateways.some((g) => g.hostnames);
  if (buckets.length && named)
    r.changed(
      vs,
      ['spec', 'hosts'],
      'the tcp routes match no host name (a TCP connection has none): the TCP policies take every connection on their listener port',
    );
  return buckets;
}

/**
 * The names of a VirtualService's TCP policies: the source policies its annotation names that no
 * HTTP route claims, when they can be told apart (the compile writes a service's policies by
 * specificity, then by name: with one specificity, the names in order); else the VirtualService's
 * name (`-tcp` when HTTP routes took it, numbered when there are several), in route order so they
 * compile back in that order.
 */
function tcpNames(
  buckets: readonly { specificity: number }[],
  free: readonly string[],
  base: string,
  claimed: ReadonlySet<string>,
): string[] {
  if (!buckets.length) return [];
  const oneTier = buckets.every((b) => b.specificity === buckets[0]!.specificity);
  if (free.length === buckets.length && oneTier) return [...free].sort((a, b) => a.localeCompare(b));
  if (buckets.length === 1) return [claimed.has(base) ? `${base}-tcp` : base];
  const width = String(buckets.length).length;
  return buckets.map((_, i) => `${base}-tcp-${String(i + 1).padStart(width, '0')}`);
}

/**
 * The one port every entry of the routes names (as `factor` finds it), or undefined (a route
 * without entries names none). At a gateway it is the listener port (spec.gateway.port).
 */
function portOfRoutes(routes: readonly RouteIR[]): number | undefined {
  const ports = new Set(
    routes.flatMap((x) => (x.entries ?? [{ scope: {} as Scope }]).map((e) => e.scope.port)),
  );
  return ports.size === 1 ? [...ports][0] : undefined;
}

// ---- routes -> one policy --------------------------------------------------------------------

const scopeKey = (s: Scope) => JSON.stringify([s.labels ?? null, s.namespace ?? null]);

/**
 * Factors the policy-wide parts back out of the match entries: anymesh writes every combination
 * of a rule's matches and the policy's sources (matches outer, sources inner) and puts spec.port
 * in every entry. Routes whose scopes do not factor keep their matches; the scope parts are
 * reported, since per-rule callers have no neutral form.
 */
function factor(
  routes: readonly RouteIR[],
  r: IstioReader,
  atGateway = false,
): { sources?: Obj[]; port?: number; listener?: number; matches: (Obj[] | undefined)[] } {
  const entriesOf = (x: RouteIR): Entry[] =>
    x.entries ?? [{ match: {}, scope: {}, path: ['spec', 'http', x.index] }];
  if (atGateway) return gatewayMatches(routes, r);
  const all = routes.flatMap(entriesOf);
  const ports = new Set(all.map((e) => e.scope.port));
  const port = ports.size === 1 ? [...ports][0] : undefined;
  // The number of sources n is a period of the first route's scopes such that, in every route,
  // the entries come in blocks of n with one match part each and the same n scopes. Without
  // scopes there are no sources (n = 1); otherwise the largest such period wins, so sources given
  // twice come back twice (the objects compile back byte for byte either way).
  const first = entriesOf(routes[0]!);
  const fits = (n: number) =>
    routes.every((x) => {
      const es = entriesOf(x);
      if (es.length % n !== 0) return false;
      return es.every((e, k) => {
        const block = es[k - (k % n)]!;
        return (
          scopeKey(e.scope) === scopeKey(first[k % n]!.scope) &&
          JSON.stringify(e.match) === JSON.stringify(block.match)
        );
      });
    });
  const scoped = all.some((e) => e.scope.labels || e.scope.namespace);
  const periods = scoped ? first.map((_, i) => first.length - i).filter((n) => first.length % n === 0) : [1];
  const n = periods.find(fits) ?? 1;
  const factors = fits(n);
  const firstScopes = first.slice(0, n).map((e) => e.scope);
  const take = (x: RouteIR, e: Entry, what: 'scope' | 'port') => {
    const fields = what === 'port' ? ['port'] : ['sourceLabels', 'sourceNamespace'];
    for (const f of fields)
      if (r.ledger.peek(x.vs, [...e.path, f]) !== undefined) r.ledger.take(x.vs, [...e.path, f]);
  };
  const lose = (x: RouteIR, e: Entry, what: 'scope' | 'port') => {
    const fields = what === 'port' ? ['port'] : ['sourceLabels', 'sourceNamespace'];
    for (const f of fields)
      if (r.ledger.peek(x.vs, [...e.path, f]) !== undefined)
        r.lost(
          x.vs,
          [...e.path, f],
          what === 'port'
            ? 'the routes of this VirtualService match different ports; a neutral policy governs one port (spec.port) or all'
            : 'these routes match different callers; a neutral policy scopes all its rules to the same callers (spec.sources)',
        );
  };
  for (const x of routes)
    for (const e of x.entries ?? []) {
      (port !== undefined || ports.size === 1 ? take : lose)(x, e, 'port');
      (factors ? take : lose)(x, e, 'scope');
    }
  const sources = factors
    ? firstScopes
        .filter((s) => s.labels || s.namespace)
        .map((s) => ({
          ...(s.namespace ? { namespace: s.namespace } : {}),
          ...(s.labels ? { labels: s.labels } : {}),
        }))
    : [];
  const matches = routes.map((x) => {
    if (!x.entries) return undefined;
    const picked = factors ? x.entries.filter((_, k) => k % n === 0) : x.entries;
    const ms = picked.map((e) => e.match);
    return ms.length === 1 && Object.keys(ms[0]!).length === 0 ? undefined : ms.length ? ms : undefined;
  });
  return { ...(sources.length ? { sources } : {}), ...(port !== undefined ? { port } : {}), matches };
}

/**
 * The matches of a gateway's routes: a port there is the gateway's listener port and the callers
 * are the gateway itself, so neither is a neutral condition (a gateway policy has no sources, and
 * its spec.port is where it sends).
 */
function gatewayMatches(
  routes: readonly RouteIR[],
  r: IstioReader,
): { listener?: number; matches: (Obj[] | undefined)[] } {
  const listener = portOfRoutes(routes);
  const matches = routes.map((x) => {
    if (!x.entries) return undefined;
    for (const e of x.entries) {
      const port = r.ledger.peek(x.vs, [...e.path, 'port']);
      if (port !== undefined && listener !== undefined) r.ledger.take(x.vs, [...e.path, 'port']);
      else if (port !== undefined)
        r.lost(
          x.vs,
          [...e.path, 'port'],
          "at a gateway, port is the gateway listener's port: a gateway policy applies at one listener port (spec.gateway.port) or all, and these routes match different ones",
        );
      for (const f of ['sourceLabels', 'sourceNamespace'])
        if (r.ledger.peek(x.vs, [...e.path, f]) !== undefined)
          r.lost(
            x.vs,
            [...e.path, f],
            'at a gateway the caller is the gateway itself: a gateway policy has no sources',
          );
    }
    const ms = x.entries.map((e) => e.match);
    return ms.length === 1 && Object.keys(ms[0]!).length === 0 ? undefined : ms;
  });
  return { ...(listener !== undefined ? { listener } : {}), matches };
}

/** At a gateway spec.port is where the routes send: the one port their destinations to the service give. */
function selfPort(routes: readonly RouteIR[]): number | undefined {
  const ports = new Set(routes.flatMap((x) => x.selfPorts.map((p) => p.port)));
  return ports.size === 1 ? [...ports][0] : undefined;
}

function buildTrafficPolicy(
  g: Group,
  subsets: Subsets | undefined,
  versionsGiven: Set<string>,
  usedByService: ReadonlySet<string>,
  ctx: Context,
  r: IstioReader,
): ImportedPolicy | undefined {
  if (!g.routes.length) return undefined;
  // An HTTP/2 upgrade makes an http2 policy; without one, gRPC calls make a grpc policy.
  // (At a gateway the upgrade is the same: the gateway's connections to the service.)
  const gatewayPort = g.gateway ? (selfPort(g.routes) ?? loneUpgradePort(subsets)) : undefined;
  const h2 = !g.tcp && takeH2Upgrade(subsets, g.gateway ? gatewayPort : portOfRoutes(g.routes), r);
  const grpc = g.tcp || h2 ? undefined : grpcRoutes(g.routes, g, ctx.ports, r);
  const factored = factor(grpc ?? g.routes, r, g.gateway !== undefined);
  const f = g.gateway ? { ...factored, port: gatewayPort } : factored;
  const rules = g.routes.map((x, i) => {
    const rule: Obj = {};
    const name = x.name;
    if (name !== undefined && name !== `rule-${i}`) {
      if (isDnsLabel(name)) rule.name = name;
      else
        r.ledger.report(x.vs, ['spec', 'http', x.index, 'name'], (at) =>
          makeDiagnostic(ISTIO_MESSAGES.ImportRuleRenamed, { name, rule: `rule-${i}` }, at),
        );
    }
    const m = f.matches[i];
    if (m) rule.matches = m;
    Object.assign(rule, x.rule);
    if (x.rewriteUri) {
      const path = rewritePath(x.vs, x.rewriteUri, m, r);
      if (path) rule.rewrite = { ...(rule.rewrite as Obj | undefined), path };
    }
    // A destination port to the service itself is spec.port; without one the policy governs all ports.
    for (const sp of x.selfPorts) {
      if (sp.port === f.port) r.ledger.take(x.vs, sp.path);
      else
        r.changed(
          x.vs,
          sp.path,
          f.port === undefined
            ? `the route sends to port ${sp.port}; the imported policy routes to the port the caller used (set spec.port to govern only that port)`
            : `the route sends to port ${sp.port} while the policy governs port ${f.port}`,
        );
    }
    return rule;
  });
  const spec: Obj = { service: g.service };
  if (f.port !== undefined) spec.port = f.port;
  // Sources-scoped policies share the port's protocol with the others (AM3020); the upgrade is one.
  if (h2) spec.protocol = 'http2';
  else if (grpc) spec.protocol = 'grpc';
  else if (g.tcp) {
    spec.protocol = 'tcp';
    // The service's one idle timeout is every TCP policy's (the compile writes it from rules[0]).
    const idle = ctx.idle.get(`${g.namespace}/${g.service}`);
    if (idle && rules[0]) {
      rules[0].timeout = idle.value;
      idle.used = true;
    }
  }
  const used = new Set(g.routes.flatMap((x) => x.subsets));
  const key = `${g.namespace}/${g.service}`;
  if (subsets?.versions.size) {
    // Each policy defines the subsets its rules name; the first policy of a service also carries
    // the subsets no rule of any policy names, so the DestinationRule compiles back whole.
    const first = !versionsGiven.has(key);
    const versions = [...subsets.versions.entries()]
      .filter(([v]) => used.has(v) || (first && !usedByService.has(v)))
      .sort(([a], [b]) => a.localeCompare(b));
    if (versions.length) {
      spec.versions = Object.fromEntries(versions);
      versionsGiven.add(key);
    }
  }
  if (f.sources) spec.sources = f.sources;
  if (g.gateway) spec.gateway = gatewaySpec(g.gateway, g.namespace, f.listener);
  spec.rules = rules;
  const idleFrom = g.tcp ? ctx.idle.get(`${g.namespace}/${g.service}`)?.o.ref : undefined;
  const from = [
    ...new Set([...g.from, ...(subsets?.rules.map((d) => d.ref) ?? []), ...(idleFrom ? [idleFrom] : [])]),
  ];
  return neutralPolicy(
    'TrafficPolicy',
    neutralMetadata(g.name, g.namespace, g.meta.sources ? undefined : g.meta),
    spec,
    from,
  );
}
