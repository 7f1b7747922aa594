/**
 * Which VirtualNodes are a service's pods and versions, and the node fields that follow from that:
 * the listener port and protocol, the DNS name (and the per-version Service it needs), listener
 * timeouts anymesh raises for long route timeouts, and nodes no VirtualService routes to.
 *
 * Versions are the nodes the routes send to: their podSelector labels less the labels all of them
 * share (the policy's selector), named after the node less `<service>-`. One node is the service
 * itself (no versions), unless anymesh made it as the one version of a policy.
 */
import { serviceFqdn } from '../../core/adapter.js';
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { NativeObject } from '../../core/import.js';
import { type ImportedMeta, isDnsLabel } from '../kit/import-kit.js';
import { type NodeInfo, nodeKey } from './import-nodes.js';
import { type AppMeshReader, neutral, type Obj, serviceOfMeshHost } from './import-reader.js';
import type { RouteIR } from './import-route.js';
import { APPMESH_MESSAGES } from './messages.js';
import { DEFAULT_VERSION_HOSTNAME, fill } from './options.js';
import { DEFAULT_PER_REQUEST_MS } from './plan.js';

/** What security and backend import need to know of a service the routing import found. */
export interface ServiceIR {
  readonly service: string;
  readonly namespace: string;
  readonly port?: number;
  /** The calls' protocol (spec.protocol; http when the policy leaves it out). */
  readonly protocol: NeutralProtocol;
  readonly nodes: NodeInfo[];
  /** Version name per own node (empty without versions). */
  readonly versions: Map<NodeInfo, string>;
  readonly selector: Record<string, string>;
  /** The TrafficPolicy's name and metadata, for naming the policies made from its nodes. */
  readonly policyRef: string;
  readonly meta: ImportedMeta;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The neutral protocols (spec.protocol), each an App Mesh listener protocol of the same name. */
export type NeutralProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

/**
 * A listener protocol (portMapping.protocol: http | http2 | grpc | tcp, VirtualRouter and
 * VirtualNode CRDs) against the policy's: taken when it is the one compiling the policy back
 * writes (App Mesh's listener is the policy's protocol, resources.ts), reported otherwise.
 */
export function protocolOf(
  o: NativeObject,
  at: (string | number)[],
  policy: NeutralProtocol,
  r: AppMeshReader,
): void {
  const p = r.ledger.peek<string>(o, at) ?? 'http';
  if (p === policy) r.ledger.take(o, at);
  else
    r.changed(
      o,
      at,
      `a ${p} listener while the imported policies treat the service's calls as ${policy} (its router's listener and routes, or http when no route reaches it): a neutral service has one protocol (the TrafficPolicy's spec.protocol), so compiled back this listener is ${policy}`,
    );
}

/**
 * The nodes of each policy anymesh named in their source annotation, by `Kind/namespace/name` of
 * the policy: built once, so finding a service's own nodes does not walk every node per service.
 */
export function nodesBySource(nodes: ReadonlyMap<string, NodeInfo>): Map<string, [string, NodeInfo][]> {
  const out = new Map<string, [string, NodeInfo][]>();
  for (const [key, n] of nodes)
    for (const s of n.meta.sources ?? []) {
      const ref = `${s.kind}/${s.namespace}/${s.name}`;
      const list = out.get(ref) ?? [];
      list.push([key, n]);
      out.set(ref, list);
    }
  return out;
}

export function ownNodes(
  routes: readonly RouteIR[],
  service: string,
  namespace: string,
  nodes: ReadonlyMap<string, NodeInfo>,
  bySource: ReadonlyMap<string, readonly [string, NodeInfo][]>,
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
  for (const [key, n] of bySource.get(policyRef) ?? [])
    if (n.namespace === namespace && !serviceHosts.has(key)) own.set(key, n);
  return [...own.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Versions and selector from the own nodes' pod labels. */
export function splitVersions(ir: Mutable<ServiceIR>, own: NodeInfo[], r: AppMeshReader): void {
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
  if (distinct && !Object.keys(common).length) {
    // Versions whose pods share no label (`app: price-read`, `app: price-write`): a neutral
    // selector is what every version's pods have, and an empty one selects nothing, so the
    // imported policies take the neutral default and say so (it is the pods they secure too).
    ir.selector = { app: ir.service };
    for (const n of labelled)
      r.changed(
        n.o,
        ['spec', 'podSelector'],
        `the versions of ${ir.service} share no pod label; the imported policies select its pods by the neutral default app: ${ir.service} (label every version's pods with it), each version by its own labels`,
      );
  } else if (distinct) ir.selector = common;
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
export function podLabels(n: NodeInfo, service: string, r: AppMeshReader): Record<string, string> {
  if (n.labels && Object.keys(n.labels).length) return { ...n.labels };
  r.changed(
    n.o,
    ['spec', 'podSelector'],
    `the node selects no pods by labels; the imported policy assumes the neutral default app: ${service}`,
  );
  return { app: service };
}

export function versionLabels(n: NodeInfo, selector: Record<string, string>): Record<string, string> {
  const rest = Object.fromEntries(Object.entries(n.labels ?? {}).filter(([k, v]) => selector[k] !== v));
  return Object.keys(rest).length ? rest : { ...(n.labels ?? {}) };
}

/** A node's own fields that routing decides: its port, protocol and DNS name. */
export function checkNode(n: NodeInfo, ir: ServiceIR, r: AppMeshReader): void {
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
  protocolOf(n.o, [...l0, 'portMapping', 'protocol'], ir.protocol, r);
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
 * pods. `services`: the input's core Services by `namespace/name` (nodeKey).
 */
export function leafServiceOf(
  n: NodeInfo,
  services: ReadonlyMap<string, NativeObject>,
  r: AppMeshReader,
): NativeObject | undefined {
  const suffix = `.${n.namespace}.svc.${r.ctx.clusterDomain}`;
  if (!n.hostname?.endsWith(suffix) || !n.labels) return undefined;
  const svc = services.get(nodeKey(n.namespace, n.hostname.slice(0, -suffix.length)));
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
export function listenerTimeouts(
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
    // No TrafficPolicy carries a protocol for a node no route reaches: the neutral default.
    protocol: 'http',
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
