/**
 * VirtualService + VirtualRouter + VirtualNodes (+ the per-version Services their DNS names need)
 * -> one TrafficPolicy per VirtualService.
 *
 * - The service is the host clients call: `awsName`, by default `${name}.${namespace}` (CRD).
 * - The router's routes, by ascending `priority` (0 first, App Mesh routes.html), are the rules;
 *   the routes anymesh made from one rule's match entries (`<rule>-<i>`, same action) are joined
 *   back into that rule.
 * - The virtual nodes the routes send to are the service's versions: their podSelector labels less
 *   the labels all of them share (the policy's selector); a node named after another
 *   VirtualService's service is a call to that service. One node named after the service itself
 *   is the service without versions.
 * - A VirtualService whose provider is a virtual node (no router) sends everything to that node:
 *   a policy with one default rule.
 */
import { serviceFqdn } from '../../core/adapter.js';
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import {
  type ImportedMeta,
  isDnsLabel,
  neutralMetadata,
  neutralPolicy,
  splitRouteName,
  takeMetadata,
} from '../kit/import-kit.js';
import { type NodeInfo, nodeKey, takeCommon } from './import-nodes.js';
import { type AppMeshReader, isKind, neutral, type Obj, serviceOfMeshHost } from './import-reader.js';
import { type RouteIR, readRoute } from './import-route.js';
import { APPMESH_MESSAGES } from './messages.js';
import { DEFAULT_VERSION_HOSTNAME, fill } from './options.js';
import { DEFAULT_PER_REQUEST_MS } from './plan.js';

/** What security and backend import need to know of a service the routing import found. */
export interface ServiceIR {
  readonly service: string;
  readonly namespace: string;
  readonly port?: number;
  readonly nodes: NodeInfo[];
  /** Version name per own node (empty without versions). */
  readonly versions: Map<NodeInfo, string>;
  readonly selector: Record<string, string>;
  /** The TrafficPolicy's name and metadata, for naming the policies made from its nodes. */
  readonly policyRef: string;
  readonly meta: ImportedMeta;
}

export interface RoutingImport {
  readonly policies: ImportedPolicy[];
  readonly services: ServiceIR[];
}

export function importRouting(
  objects: readonly NativeObject[],
  nodes: ReadonlyMap<string, NodeInfo>,
  r: AppMeshReader,
): RoutingImport {
  const routers = new Map(
    objects
      .filter((o) => isKind(o, 'VirtualRouter'))
      .map((o) => [nodeKey(o.namespace, o.object.metadata.name), o]),
  );
  const virtualServices = objects.filter((o) => isKind(o, 'VirtualService'));
  // Every service some VirtualService names: a target node named like one is a call to it.
  const serviceHosts = new Set(
    virtualServices.flatMap((vs) => {
      const host =
        (vs.object.spec as Obj | undefined)?.awsName ?? `${vs.object.metadata.name}.${vs.namespace}`;
      const s = serviceOfMeshHost(String(host), vs.namespace, r.ctx);
      return s ? [nodeKey(s.namespace, s.service)] : [];
    }),
  );
  const policies: ImportedPolicy[] = [];
  const services: ServiceIR[] = [];
  const routeTimeouts: { ms: number; nodes: string[] }[] = [];
  const usedRouters = new Set<NativeObject>();
  for (const vs of virtualServices) {
    const meta = takeMetadata(r.ledger, vs);
    r.rest(vs, ['spec'], ['awsName', 'meshRef', 'provider'], 'VirtualService');
    r.ledger.take(vs, ['spec', 'meshRef']);
    const host = r.ledger.peek<string>(vs, ['spec', 'awsName']) ?? `${meta.name}.${vs.namespace}`;
    let svc = serviceOfMeshHost(host, vs.namespace, r.ctx);
    if (!svc && isDnsLabel(meta.name) && host.split('.')[0] === meta.name) {
      // A Cloud Map or private DNS name of the service (`colorapp.demo.pvt.aws.local` for
      // VirtualService colorapp): the routing is the service's, so it is imported for the
      // Kubernetes Service named as the VirtualService. Other hosts are external services.
      r.changed(
        vs,
        ['spec', 'awsName'],
        `clients call ${host}, which is no Kubernetes Service name; the routes are imported for Service ${meta.name} of ${vs.namespace}, which clients must call in the target mesh`,
      );
      svc = { service: meta.name, namespace: vs.namespace };
    }
    if (!svc || svc.namespace !== vs.namespace) {
      r.lost(
        vs,
        ['spec'],
        svc
          ? `host ${host} is a Service of namespace ${svc.namespace}; a neutral policy governs a Service of its own namespace`
          : `host ${host} is not a Service of this cluster (neutral policies govern Kubernetes Services; external names have no neutral form)`,
      );
      continue;
    }
    r.ledger.take(vs, ['spec', 'awsName']);
    const owned = (meta.sources ?? []).filter(
      (s) => s.kind === 'TrafficPolicy' && s.namespace === vs.namespace,
    );
    const policyName = owned[0]?.name ?? (isDnsLabel(meta.name) ? meta.name : svc.service);
    const policyRef = `TrafficPolicy/${vs.namespace}/${policyName}`;
    const provider = ['spec', 'provider'];
    r.rest(vs, provider, ['virtualRouter', 'virtualNode'], 'provider');
    const viaNode = r.ledger.peek<Obj>(vs, [...provider, 'virtualNode']);
    const viaRouter = r.ledger.peek<Obj>(vs, [...provider, 'virtualRouter']);
    const from = [vs.ref];
    const ir: Mutable<ServiceIR> = {
      service: svc.service,
      namespace: vs.namespace,
      nodes: [],
      versions: new Map(),
      selector: {},
      policyRef,
      meta,
    };
    let rules: Obj[];
    if (viaRouter) {
      const ref = refOf(vs, [...provider, 'virtualRouter'], 'virtualRouterRef', 'virtualRouterARN', r);
      const router = ref ? routers.get(nodeKey(ref.namespace, ref.name)) : undefined;
      if (!router) {
        if (ref)
          r.lost(
            vs,
            [...provider, 'virtualRouter'],
            `VirtualRouter ${ref.namespace}/${ref.name} is not in the input, so the routes of ${svc.service} are unknown`,
          );
        continue;
      }
      usedRouters.add(router);
      from.push(router.ref);
      const read = readRouter(router, r);
      if (!read.routes.length) {
        r.lost(
          router,
          ['spec'],
          `the router of ${svc.service} has no route that can be imported, so calls to it have nowhere to go`,
        );
        continue;
      }
      if (read.port !== undefined) ir.port = read.port;
      const own = ownNodes(read.routes, svc.service, vs.namespace, nodes, serviceHosts, policyRef);
      splitVersions(ir, own, r);
      rules = buildRules(read.routes, ir, router, nodes, owned.length > 0 ? [policyName] : [], r);
      for (const route of read.routes)
        if (route.timeoutMs !== undefined && route.timeoutMs > DEFAULT_PER_REQUEST_MS)
          routeTimeouts.push({
            ms: route.timeoutMs,
            nodes: route.targets.map((t) => nodeKey(t.namespace, t.node)),
          });
    } else if (viaNode) {
      const ref = refOf(vs, [...provider, 'virtualNode'], 'virtualNodeRef', 'virtualNodeARN', r);
      const node = ref ? nodes.get(nodeKey(ref.namespace, ref.name)) : undefined;
      if (!node) {
        if (ref)
          r.lost(
            vs,
            [...provider, 'virtualNode'],
            `VirtualNode ${ref.namespace}/${ref.name} is not in the input, so the pods of ${svc.service} are unknown`,
          );
        continue;
      }
      if (node.port !== undefined) ir.port = node.port;
      // One node behind the service: the service's pods, whatever the node is called.
      ir.nodes = [node];
      ir.selector = podLabels(node, ir.service, r);
      // Everything goes to the node: the neutral default rule (compiled back to App Mesh, a router
      // with one route to the service's node).
      rules = [{ name: 'default' }];
    } else {
      r.lost(vs, ['spec'], `a VirtualService without a provider sends ${svc.service}'s calls nowhere`);
      continue;
    }
    for (const n of ir.nodes) {
      n.owner = policyRef;
      from.push(n.o.ref);
      checkNode(n, ir, r);
      // A version's own Service; the service's own Service is the application's, not a leaf.
      const leaf = ir.versions.has(n) ? leafServiceOf(n, objects, r) : undefined;
      if (leaf) from.push(leaf.ref);
    }
    const spec: Obj = { service: svc.service };
    if (ir.port !== undefined) spec.port = ir.port;
    const defaultSelector = Object.keys(ir.selector).length === 1 && ir.selector.app === svc.service;
    if (!defaultSelector) spec.selector = ir.selector;
    if (ir.versions.size)
      spec.versions = Object.fromEntries(
        [...ir.versions.entries()].map(([n, v]) => [v, versionLabels(n, ir.selector)]),
      );
    spec.rules = rules;
    policies.push(
      neutralPolicy(
        'TrafficPolicy',
        neutralMetadata(policyName, vs.namespace, meta.sources ? undefined : meta),
        spec,
        from,
      ),
    );
    services.push(ir);
  }
  for (const router of routers.values())
    if (!usedRouters.has(router)) {
      takeMetadata(r.ledger, router);
      r.lost(
        router,
        ['spec'],
        'no VirtualService in the input uses this router, so no client reaches its routes',
      );
    }
  listenerTimeouts(services, routeTimeouts, r);
  return { policies, services };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function refOf(
  o: NativeObject,
  at: (string | number)[],
  refKey: string,
  arnKey: string,
  r: AppMeshReader,
): { name: string; namespace: string } | undefined {
  r.rest(o, at, [refKey, arnKey], 'provider');
  if (r.ledger.peek(o, [...at, arnKey]) !== undefined) {
    r.cloud(o, [...at, arnKey], `a ${arnKey}`, 'an App Mesh resource outside this cluster');
    return undefined;
  }
  const ref = r.ledger.peek<{ name?: string; namespace?: string }>(o, [...at, refKey]);
  if (!ref?.name) {
    r.lost(o, at, `no ${refKey}`);
    return undefined;
  }
  r.rest(o, [...at, refKey], ['name', 'namespace'], refKey);
  r.ledger.take(o, [...at, refKey]);
  return { name: ref.name, namespace: ref.namespace ?? o.namespace };
}

function readRouter(router: NativeObject, r: AppMeshReader): { routes: RouteIR[]; port?: number } {
  const managed = (takeMetadata(r.ledger, router).sources?.length ?? 0) > 0;
  r.rest(router, ['spec'], ['awsName', 'meshRef', 'listeners', 'routes'], 'VirtualRouter');
  takeCommon(router, r, `${router.object.metadata.name}_${router.namespace}`);
  const listeners = r.ledger.peek<Obj[]>(router, ['spec', 'listeners']) ?? [];
  listeners
    .slice(1)
    .forEach((_, i) =>
      r.lost(
        router,
        ['spec', 'listeners', i + 1],
        'a second listener: a neutral policy governs one port of a service (spec.port)',
      ),
    );
  const pm = ['spec', 'listeners', 0, 'portMapping'];
  r.rest(router, ['spec', 'listeners', 0], ['portMapping'], 'listener');
  r.rest(router, pm, ['port', 'protocol'], 'portMapping');
  const port = r.ledger.take<number>(router, [...pm, 'port']);
  protocolOf(router, [...pm, 'protocol'], r);
  const routes = (r.ledger.peek<Obj[]>(router, ['spec', 'routes']) ?? []).flatMap((_, i) => {
    const x = readRoute(router, i, r, managed);
    return x ? [x] : [];
  });
  // Ascending priority, 0 first; routes without one after them, in file order (the API leaves it open).
  const ordered = [...routes].sort(
    (a, b) => (a.priority ?? 1001) - (b.priority ?? 1001) || a.index - b.index,
  );
  const unordered = routes.filter((x) => x.priority === undefined);
  const priorities = routes.flatMap((x) => (x.priority === undefined ? [] : [x.priority]));
  if (routes.length > 1 && (unordered.length || new Set(priorities).size !== priorities.length))
    r.ledger.note(
      makeDiagnostic(
        APPMESH_MESSAGES.ImportRouteOrder,
        {
          how: unordered.length
            ? `${unordered.length} of ${routes.length} routes have no priority; they follow the prioritised ones in file order`
            : 'several routes share a priority; they are kept in file order',
        },
        // Positioned at the routes but naming no field: it is about their order, and each route's
        // own fields are imported.
        { location: router.locate(['spec', 'routes']), policy: router.ref },
      ),
    );
  return { routes: ordered, ...(port !== undefined ? { port } : {}) };
}

/** Listener protocols: http is what neutral rules are; the others change meaning. */
export function protocolOf(o: NativeObject, at: (string | number)[], r: AppMeshReader): void {
  const p = r.ledger.peek<string>(o, at);
  if (p === undefined || p === 'http') r.ledger.take(o, at);
  else
    r.changed(
      o,
      at,
      p === 'tcp'
        ? 'a TCP listener: neutral rules are HTTP rules, so the weighted split is kept but other meshes treat the port by its Service appProtocol (set it to tcp), and App Mesh compiled back gets an http listener'
        : `a ${p} listener: neutral policies carry no protocol, so routing is imported as HTTP routing (compiled back to App Mesh the listener is http; set the Service port's appProtocol to ${p === 'grpc' ? 'grpc' : 'http2'} for other meshes)`,
    );
}

function ownNodes(
  routes: readonly RouteIR[],
  service: string,
  namespace: string,
  nodes: ReadonlyMap<string, NodeInfo>,
  serviceHosts: ReadonlySet<string>,
  policyRef: string,
): NodeInfo[] {
  const own = new Map<string, NodeInfo>();
  for (const t of routes.flatMap((x) => x.targets)) {
    const key = nodeKey(t.namespace, t.node);
    const n = nodes.get(key);
    if (!n || (t.node !== service && serviceHosts.has(key)) || t.namespace !== namespace) continue;
    own.set(key, n);
  }
  // anymesh makes a node for every version, routed to or not; its annotation names the policy.
  for (const [key, n] of nodes)
    if (
      n.namespace === namespace &&
      !serviceHosts.has(key) &&
      (n.meta.sources ?? []).some((s) => `${s.kind}/${s.namespace}/${s.name}` === policyRef)
    )
      own.set(key, n);
  return [...own.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Versions and selector from the own nodes' pod labels. */
function splitVersions(ir: Mutable<ServiceIR>, own: NodeInfo[], r: AppMeshReader): void {
  ir.nodes = own;
  const labelled = own.filter((n) => n.labels && Object.keys(n.labels).length);
  // One node is the service's pods (no versions), unless anymesh made it as the one version of a
  // policy (`<service>-<version>`), which must come back as that version.
  const lone = own.length === 1 ? own[0]! : undefined;
  const managedVersion = lone?.meta.sources?.length && lone.name.startsWith(`${ir.service}-`);
  if (lone && !managedVersion) {
    ir.selector = podLabels(lone, ir.service, r);
    return;
  }
  const common: Record<string, string> = {};
  const first = labelled[0]?.labels ?? {};
  for (const [k, v] of Object.entries(first)) if (labelled.every((n) => n.labels![k] === v)) common[k] = v;
  const distinct =
    labelled.length > 1 && labelled.every((n) => Object.keys(n.labels!).some((k) => !(k in common)));
  if (distinct) ir.selector = common;
  else if (first.app !== undefined && Object.keys(first).length > 1) ir.selector = { app: first.app };
  else ir.selector = { ...first };
  for (const n of own) {
    if (!labelled.includes(n)) {
      r.lost(
        n.o,
        ['spec', 'podSelector'],
        'a version node that selects no pods by labels: a neutral version is a set of pod labels',
      );
      continue;
    }
    const v = n.name.startsWith(`${ir.service}-`) ? n.name.slice(ir.service.length + 1) : n.name;
    ir.versions.set(n, isDnsLabel(v) ? v : n.name);
  }
}

/** The pods of a service's only node; a node without pod labels gets the neutral default, said so. */
function podLabels(n: NodeInfo, service: string, r: AppMeshReader): Record<string, string> {
  if (n.labels && Object.keys(n.labels).length) return { ...n.labels };
  r.changed(
    n.o,
    ['spec', 'podSelector'],
    `the node selects no pods by labels; the imported policy assumes the neutral default app: ${service}`,
  );
  return { app: service };
}

function versionLabels(n: NodeInfo, selector: Record<string, string>): Record<string, string> {
  const rest = Object.fromEntries(Object.entries(n.labels ?? {}).filter(([k, v]) => selector[k] !== v));
  return Object.keys(rest).length ? rest : { ...(n.labels ?? {}) };
}

function buildRules(
  routes: readonly RouteIR[],
  ir: ServiceIR,
  router: NativeObject,
  nodes: ReadonlyMap<string, NodeInfo>,
  policies: readonly string[],
  r: AppMeshReader,
): Obj[] {
  const rules: Obj[] = [];
  for (let i = 0; i < routes.length; ) {
    const first = routes[i]!;
    // anymesh's `<rule>-0`, `<rule>-1`, ...: one rule's match entries.
    const base = first.name?.match(/^(.+)-0$/)?.[1];
    let n = 1;
    if (base !== undefined)
      while (routes[i + n]?.name === `${base}-${n}` && routes[i + n]!.signature === first.signature) n++;
    const group = n > 1 ? routes.slice(i, i + n) : [first];
    const rule: Obj = {};
    const name = n > 1 ? base! : first.name;
    const index = rules.length;
    if (name !== undefined && name !== `rule-${index}`) {
      const split = splitRouteName(name, policies);
      const plain = split?.rule ?? name;
      if (isDnsLabel(plain)) rule.name = plain;
      else
        r.ledger.report(router, ['spec', 'routes', first.index, 'name'], (at) =>
          makeDiagnostic(APPMESH_MESSAGES.ImportRuleRenamed, { name, rule: `rule-${index}` }, at),
        );
    }
    if (n > 1) rule.matches = group.map((x) => x.match ?? {});
    else if (first.match) rule.matches = [first.match];
    const backends = backendsOf(first, ir, router, nodes, r);
    if (backends) rule.backends = backends;
    // The other routes of the group have the same targets (their signature says so): one rule.
    for (const x of group.slice(1))
      for (const t of x.targets)
        for (const f of ['virtualNodeRef', 'weight', 'port']) r.ledger.take(router, [...t.path, f]);
    if (first.timeoutMs !== undefined) rule.timeout = neutral(first.timeoutMs);
    if (first.retries) rule.retries = first.retries;
    rules.push(rule);
    i += n;
  }
  return rules;
}

function backendsOf(
  route: RouteIR,
  ir: ServiceIR,
  router: NativeObject,
  nodes: ReadonlyMap<string, NodeInfo>,
  r: AppMeshReader,
): Obj[] | undefined {
  const out: Obj[] = [];
  const byKey = new Map(ir.nodes.map((n) => [nodeKey(n.namespace, n.name), n]));
  // A target of weight 0 beside others gets no request (a version parked for the next shift):
  // leaving it out changes nothing. anymesh's own output keeps it, as the policy said it.
  const parked = (t: RouteIR['targets'][number]) =>
    t.weight === 0 && !ir.meta.sources?.length && route.targets.some((x) => x.weight > 0);
  for (const t of route.targets.filter(parked))
    for (const f of ['virtualNodeRef', 'weight', 'port']) r.ledger.take(router, [...t.path, f]);
  const targets = route.targets.filter((t) => !parked(t));
  for (const t of targets) {
    const own = byKey.get(nodeKey(t.namespace, t.node));
    const b: Obj = {};
    if (own && ir.versions.size && !ir.versions.has(own)) {
      r.lost(router, t.path, `VirtualNode ${own.name} is no version of ${ir.service} (see its podSelector)`);
      continue;
    }
    if (own) {
      const version = ir.versions.get(own);
      if (version !== undefined) b.version = version;
      if (t.port !== undefined) {
        if (t.port === ir.port) r.ledger.take(router, [...t.path, 'port']);
        else
          r.lost(
            router,
            [...t.path, 'port'],
            `port ${t.port} of the service's own pods differs from the service port ${ir.port}`,
          );
      }
    } else {
      if (!nodes.has(nodeKey(t.namespace, t.node)) && !(ir.meta.sources ?? []).length)
        r.changed(
          router,
          [...t.path, 'virtualNodeRef'],
          `VirtualNode ${t.namespace}/${t.node} is not in the input; imported as a call to Service ${t.node}, the service anymesh names such a node after`,
        );
      b.service = t.node;
      if (t.namespace !== ir.namespace) b.namespace = t.namespace;
      if (t.port !== undefined) {
        r.ledger.take(router, [...t.path, 'port']);
        b.port = t.port;
      }
    }
    r.ledger.take(router, [...t.path, 'virtualNodeRef']);
    out.push(b);
  }
  const weights = targets.map((t) => t.weight);
  if (out.length === 1) {
    // A lone target takes every request whatever its weight (weights are relative).
    targets.forEach((t) => r.ledger.take(router, [...t.path, 'weight']));
    return out[0]!.version === undefined && out[0]!.service === undefined ? undefined : out;
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const scaled = sum === 100 ? weights : percentages(weights);
  // Relative weights that scale to whole percentages exactly (1:3 is 25:75) lose nothing.
  const exact = sum > 0 && weights.every((w) => Number.isInteger((w * 100) / sum));
  out.forEach((b, i) => {
    b.weight = scaled[i];
  });
  for (const t of targets) {
    if (exact) r.ledger.take(router, [...t.path, 'weight']);
    else
      r.changed(
        router,
        [...t.path, 'weight'],
        sum === 0
          ? 'every weight is 0, so App Mesh sends nothing; neutral weights sum to 100 and are split evenly'
          : `App Mesh weights are relative (these sum to ${sum}); neutral weights are percentages, so they are rescaled (rounded to whole percent)`,
      );
  }
  return out;
}

/** Relative weights as whole percentages summing to 100 (largest remainder). */
function percentages(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (sum ? (w * 100) / sum : 100 / weights.length));
  const out = raw.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}

/** A node's own fields that routing decides: its port, protocol and DNS name. */
function checkNode(n: NodeInfo, ir: ServiceIR, r: AppMeshReader): void {
  const l0 = ['spec', 'listeners', 0];
  if (n.port !== undefined) {
    if (ir.port === undefined || n.port === ir.port) r.ledger.take(n.o, [...l0, 'portMapping', 'port']);
    else
      r.changed(
        n.o,
        [...l0, 'portMapping', 'port'],
        `the pods listen on ${n.port} while clients call port ${ir.port}; neutral policies have one port (spec.port ${ir.port}), so compiled back the listener is ${ir.port}`,
      );
  }
  protocolOf(n.o, [...l0, 'portMapping', 'protocol'], r);
  if (n.hostname === undefined) return;
  const path = ['spec', 'serviceDiscovery', 'dns', 'hostname'];
  r.ledger.take(n.o, path);
  const version = ir.versions.get(n);
  const expected =
    version === undefined
      ? serviceFqdn(ir.service, ir.namespace, r.ctx)
      : fill(r.ctx.options['appmesh.versionHostname'] ?? DEFAULT_VERSION_HOSTNAME, {
          service: ir.service,
          version,
          namespace: ir.namespace,
          clusterDomain: r.ctx.clusterDomain,
        });
  const same =
    version === undefined &&
    serviceOfMeshHost(n.hostname, n.namespace, r.ctx)?.service === ir.service &&
    serviceOfMeshHost(n.hostname, n.namespace, r.ctx)?.namespace === ir.namespace;
  if (n.hostname !== expected && !same)
    r.option(
      n.o,
      path,
      `the DNS name ${n.hostname} of ${version === undefined ? `the pods of ${ir.service}` : `version ${version}`}`,
      'appmesh.versionHostname=<a template giving this name> (placeholders {service} {version} {namespace} {clusterDomain})',
    );
}

/**
 * The Service that makes a version's DNS name resolve to its pods (anymesh makes one per version,
 * `appmesh.versionServices`): joined, not imported on its own, when it selects exactly the node's
 * pods.
 */
function leafServiceOf(
  n: NodeInfo,
  objects: readonly NativeObject[],
  r: AppMeshReader,
): NativeObject | undefined {
  const suffix = `.${n.namespace}.svc.${r.ctx.clusterDomain}`;
  if (!n.hostname?.endsWith(suffix) || !n.labels) return undefined;
  const name = n.hostname.slice(0, -suffix.length);
  const svc = objects.find(
    (o) =>
      o.object.apiVersion === 'v1' &&
      o.object.kind === 'Service' &&
      o.namespace === n.namespace &&
      o.object.metadata.name === name,
  );
  const selector = (svc?.object.spec as { selector?: Record<string, string> } | undefined)?.selector;
  if (!svc || JSON.stringify(sorted(selector ?? {})) !== JSON.stringify(sorted(n.labels))) return undefined;
  r.ledger.take(svc, []);
  return svc;
}

const sorted = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * A node listener timeout is what anymesh writes for a route timeout above App Mesh's 15s default
 * (AWS: raise it on the target's listener too): taken when it is exactly the largest such route
 * timeout aimed at the node, reported otherwise (a listener timeout alone has no neutral form).
 */
function listenerTimeouts(
  services: readonly ServiceIR[],
  routeTimeouts: readonly { ms: number; nodes: string[] }[],
  r: AppMeshReader,
): void {
  for (const n of services.flatMap((s) => s.nodes)) {
    const key = nodeKey(n.namespace, n.name);
    const expected = Math.max(0, ...routeTimeouts.filter((t) => t.nodes.includes(key)).map((t) => t.ms));
    const at = ['spec', 'listeners', 0, 'timeout'];
    const t = r.ledger.peek<Obj>(n.o, at);
    if (!t) continue;
    for (const proto of Object.keys(t)) {
      const p = [...at, proto];
      r.rest(n.o, p, ['perRequest', 'idle'], 'listener timeout');
      r.lostIf(n.o, [...p, 'idle'], 'an idle timeout has no neutral form; neutral timeouts are per request');
      const ms = r.durationMs(n.o, [...p, 'perRequest']);
      if (ms === undefined) continue;
      if (ms === expected && expected > DEFAULT_PER_REQUEST_MS) r.ledger.take(n.o, [...p, 'perRequest']);
      else
        r.lost(
          n.o,
          [...p, 'perRequest'],
          `a listener timeout of ${neutral(ms)} on the called side; neutral timeouts are per route (rules[].timeout), and anymesh raises this one only for route timeouts above 15s`,
        );
    }
  }
}

/**
 * A node no VirtualService routes to, as the workload of the Service its DNS name names: what its
 * listener says of that Service (TLS, callers, backend settings) is imported; it has no routes.
 */
export function serviceOfNode(n: NodeInfo, r: AppMeshReader): ServiceIR | undefined {
  const svc = n.hostname === undefined ? undefined : serviceOfMeshHost(n.hostname, n.namespace, r.ctx);
  if (!svc || svc.namespace !== n.namespace || !n.labels) return undefined;
  const ir: ServiceIR = {
    service: svc.service,
    namespace: n.namespace,
    ...(n.port !== undefined ? { port: n.port } : {}),
    nodes: [n],
    versions: new Map(),
    selector: { ...n.labels },
    policyRef: `TrafficPolicy/${n.namespace}/${svc.service}`,
    meta: n.meta,
  };
  n.owner = ir.policyRef;
  checkNode(n, ir, r);
  r.lostIf(
    n.o,
    ['spec', 'listeners', 0, 'timeout'],
    'a listener timeout on a node no route reaches; neutral timeouts are per route (rules[].timeout)',
  );
  r.ledger.note(
    makeDiagnostic(
      APPMESH_MESSAGES.ImportNodeWithoutRoutes,
      { node: n.name, service: svc.service },
      { location: n.o.locate(['spec']), policy: n.o.ref },
    ),
  );
  return ir;
}
