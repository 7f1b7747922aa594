/**
 * VirtualService + VirtualRouter + VirtualNodes (+ the per-version Services their DNS names need)
 * -> one TrafficPolicy per VirtualService.
 *
 * - The service is the host clients call: `awsName`, by default `${name}.${namespace}` (CRD).
 * - The router's routes, by ascending `priority` (0 first, App Mesh routes.html), are the rules;
 *   the routes anymesh made from one rule's match entries (`<rule>-<i>`, same action) are joined
 *   back into that rule.
 * - The virtual nodes the routes send to are the service's versions (import-versions.ts); a node
 *   named after another VirtualService's service is a call to that service (import-rules.ts).
 * - A VirtualService whose provider is a virtual node (no router) sends everything to that node:
 *   a policy with one default rule.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import { isDnsLabel, neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import { type NodeInfo, nodeKey, takeCommon } from './import-nodes.js';
import { type AppMeshReader, isKind, type Obj, serviceOfMeshHost } from './import-reader.js';
import { type RouteIR, type RouteKind, readRoute } from './import-route.js';
import { buildRules } from './import-rules.js';
import {
  checkNode,
  leafServiceOf,
  listenerTimeouts,
  type Mutable,
  type NeutralProtocol,
  nodesBySource,
  ownNodes,
  podLabels,
  protocolOf,
  type ServiceIR,
  splitVersions,
  versionLabels,
} from './import-versions.js';
import { APPMESH_MESSAGES } from './messages.js';
import { DEFAULT_PER_REQUEST_MS } from './plan.js';

export type { ServiceIR } from './import-versions.js';
export { serviceOfNode } from './import-versions.js';

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
  // Indexes built once: per service, the nodes and Services it joins are looked up, not searched.
  const bySource = nodesBySource(nodes);
  const coreServices = new Map<string, NativeObject>();
  for (const o of objects)
    if (o.object.apiVersion === 'v1' && o.object.kind === 'Service') {
      const key = nodeKey(o.namespace, o.object.metadata.name);
      if (!coreServices.has(key)) coreServices.set(key, o);
    }
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
      protocol: 'http',
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
      ir.protocol = read.protocol;
      const own = ownNodes(read.routes, svc.service, vs.namespace, nodes, bySource, serviceHosts, policyRef);
      splitVersions(ir, own, r);
      rules = buildRules(read.routes, ir, router, nodes, owned.length > 0 ? [policyName] : [], r);
      // A TCP route's timeout is its idle timeout, which raises no listener timeout.
      for (const route of read.routes)
        if (
          route.kind !== 'tcpRoute' &&
          route.timeoutMs !== undefined &&
          route.timeoutMs > DEFAULT_PER_REQUEST_MS
        )
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
      ir.protocol = nodeProtocol(node);
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
      const leaf = ir.versions.has(n) ? leafServiceOf(n, coreServices, r) : undefined;
      if (leaf) from.push(leaf.ref);
    }
    const spec: Obj = { service: svc.service };
    if (ir.port !== undefined) spec.port = ir.port;
    if (ir.protocol !== 'http') spec.protocol = ir.protocol;
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

function readRouter(
  router: NativeObject,
  r: AppMeshReader,
): { routes: RouteIR[]; protocol: NeutralProtocol; port?: number } {
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
  const protocol = routerProtocol(router, r);
  protocolOf(router, [...pm, 'protocol'], protocol, r);
  noteRouteKinds(router, protocol, r);
  const routes = (r.ledger.peek<Obj[]>(router, ['spec', 'routes']) ?? []).flatMap((_, i) => {
    const x = readRoute(router, i, r, protocol, managed);
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
  return { routes: ordered, protocol, ...(port !== undefined ? { port } : {}) };
}

/** The route kind each neutral protocol compiles to (routing.ts). */
const ROUTE_OF: Record<NeutralProtocol, RouteKind> = {
  http: 'httpRoute',
  http2: 'http2Route',
  grpc: 'grpcRoute',
  tcp: 'tcpRoute',
};

/**
 * The protocol of the service's calls: the router listener's (App Mesh routes HTTP/2, gRPC and TCP
 * by it, and its routes must be of that kind: http2Route under http2, grpcRoute under grpc,
 * tcpRoute under tcp; user guide virtual_routers.html), when every route is of the kind that
 * protocol compiles to. Routes of another kind are http, reported where the listener is read.
 */
function routerProtocol(router: NativeObject, r: AppMeshReader): NeutralProtocol {
  const p = r.ledger.peek<string>(router, ['spec', 'listeners', 0, 'portMapping', 'protocol']);
  if (p !== 'http2' && p !== 'grpc' && p !== 'tcp') return 'http';
  const routes = r.ledger.peek<Obj[]>(router, ['spec', 'routes']) ?? [];
  return routes.every((x) => x?.[ROUTE_OF[p]] !== undefined) ? p : 'http';
}

/**
 * An httpRoute or http2Route whose kind is not the one the policy's protocol compiles to: its
 * match and settings are imported (both kinds have one shape), and the kind is not kept.
 */
function noteRouteKinds(router: NativeObject, protocol: NeutralProtocol, r: AppMeshReader): void {
  if (protocol !== 'http') return;
  (r.ledger.peek<Obj[]>(router, ['spec', 'routes']) ?? []).forEach((route, i) => {
    if (route?.http2Route === undefined) return;
    r.ledger.note(
      makeDiagnostic(
        APPMESH_MESSAGES.ImportMeaningChanges,
        {
          how: "an http2Route on a router whose listener or other routes are not all http2: a neutral service has one protocol, so its match and settings are imported as protocol http's, and compiled back it is an httpRoute (Envoy then speaks the caller's HTTP version, not HTTP/2, to the pods)",
        },
        r.ledger.at(router, ['spec', 'routes', i, 'http2Route']),
      ),
    );
  });
}

/** A node's listener protocol, for a service whose VirtualService names the node (no router). */
function nodeProtocol(n: NodeInfo): NeutralProtocol {
  return n.protocol === 'http2' || n.protocol === 'grpc' || n.protocol === 'tcp' ? n.protocol : 'http';
}
