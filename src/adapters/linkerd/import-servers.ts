/**
 * Servers (policy.linkerd.io v1beta1 ... v1beta3) as the importer sees them: the service and port
 * they stand for, and their default access policy (https://linkerd.io/2/reference/authorization-policy/:
 * `accessPolicy` defaults to deny; all-authenticated admits meshed callers only, which is strict
 * mTLS; all-unauthenticated admits everyone, the neutral default; the cluster-* and audit values
 * have no neutral form).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { takeMetadata } from '../kit/import-kit.js';
import { isKind, type LinkerdReader, type Obj, POLICY } from './import-reader.js';

export interface ServerIR {
  readonly o: NativeObject;
  readonly service: string;
  /** The pod labels when they are not `app: <service>`. */
  readonly selector?: Record<string, string>;
  /** Every pod of the namespace (a namespace-wide Server, anymesh's strict namespace form). */
  readonly wholeNamespace: boolean;
  readonly port?: number;
  readonly accessPolicy: string;
  /** `spec.proxyProtocol` as written (import-protocols.ts reads it). */
  readonly proxyProtocol?: string;
  /** The neutral policies anymesh compiled it from. */
  readonly sources: readonly { kind: string; namespace: string; name: string }[];
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];

/** A mapping, or undefined for anything else. */
function mapping(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The mappings of a list (none when it is no list). */
function mappings(v: unknown): Obj[] {
  return Array.isArray(v)
    ? v.flatMap((x): Obj[] => {
        const m = mapping(x);
        return m ? [m] : [];
      })
    : [];
}

/**
 * A named container port of the workloads a Server selects (`spec.port: http`), when the input has
 * a workload whose pod labels the Server's matchLabels select and whose containers name that port
 * once, with one number.
 */
function namedPort(
  workloads: ReadonlyMap<string, readonly NativeObject[]>,
  server: NativeObject,
  name: string,
): { port: number; ref: string } | undefined {
  const labels = mapping(mapping(mapping(server.object.spec)?.podSelector)?.matchLabels) ?? {};
  if (!Object.keys(labels).length) return undefined;
  const found = new Map<number, string>();
  // Workloads are context, not imported: their CRD-less shapes are read defensively.
  for (const w of workloads.get(server.namespace) ?? []) {
    const pod = w.object.kind === 'Pod' ? (w.object as Obj) : mapping(mapping(w.object.spec)?.template);
    const podLabels = mapping(mapping(pod?.metadata)?.labels) ?? {};
    if (!Object.entries(labels).every(([k, v]) => podLabels[k] === v)) continue;
    const podSpec = mapping(pod?.spec);
    const containers = [...mappings(podSpec?.containers), ...mappings(podSpec?.initContainers)];
    for (const c of containers)
      for (const p of mappings(c.ports))
        if (p.name === name && typeof p.containerPort === 'number') found.set(p.containerPort, w.ref);
  }
  return found.size === 1 ? { port: [...found.keys()][0]!, ref: [...found.values()][0]! } : undefined;
}

/**
 * The ports Linkerd's proxy injector names on every meshed pod (linkerd2
 * charts/partials/templates/_proxy.tpl: `linkerd-proxy` is proxy.ports.inbound, `linkerd-admin`
 * proxy.ports.admin; defaults in charts/linkerd-control-plane/values.yaml). No manifest names them,
 * since the container is added at admission: Linkerd's own Servers (viz, multicluster) use them.
 */
const INJECTED_PORTS: Readonly<Record<string, { port: number; value: string }>> = {
  'linkerd-proxy': { port: 4143, value: 'proxy.ports.inbound' },
  'linkerd-admin': { port: 4191, value: 'proxy.ports.admin' },
};

export function readServers(objects: readonly NativeObject[], r: LinkerdReader): Map<string, ServerIR> {
  const out = new Map<string, ServerIR>();
  // The workloads of each namespace, gathered once: a cluster read with -A holds every one.
  const workloads = new Map<string, NativeObject[]>();
  for (const w of objects) {
    if (!WORKLOADS.includes(w.object.kind)) continue;
    const list = workloads.get(w.namespace) ?? [];
    list.push(w);
    workloads.set(w.namespace, list);
  }
  for (const o of objects.filter((x) => isKind(x, POLICY, 'Server'))) {
    const meta = takeMetadata(r.ledger, o);
    r.rest(o, ['spec'], ['podSelector', 'port', 'accessPolicy', 'proxyProtocol'], 'Server');
    const spec = (o.object.spec as Obj | undefined) ?? {};
    // Any other protocol is read with the imported routes (import-protocols.ts).
    const proto = spec.proxyProtocol as string | undefined;
    if (proto === undefined || proto === 'unknown') r.ledger.take(o, ['spec', 'proxyProtocol']);
    const port = spec.port;
    let portNumber: number | undefined;
    const named = typeof port === 'string' ? namedPort(workloads, o, port) : undefined;
    if (typeof port === 'number') {
      r.ledger.take(o, ['spec', 'port']);
      portNumber = port;
    } else if (named) {
      r.ledger.take(o, ['spec', 'port']);
      portNumber = named.port;
      r.joined(
        o,
        `Server ${o.object.metadata.name} and ${named.ref}`,
        `port ${named.port}`,
        `the Server's port name ${port} is container port ${named.port} of the workload it selects`,
      );
    } else if (typeof port === 'string' && Object.hasOwn(INJECTED_PORTS, port)) {
      const injected = INJECTED_PORTS[port]!;
      r.ledger.take(o, ['spec', 'port']);
      portNumber = injected.port;
      r.joined(
        o,
        `Server ${o.object.metadata.name} and the Linkerd proxy of the pods it selects`,
        `port ${injected.port}`,
        `the port name ${port} is the proxy container port the proxy injector adds to every meshed pod, ${injected.port} unless the install sets ${injected.value}`,
      );
    } else
      r.lost(
        o,
        ['spec', 'port'],
        `named container port ${port}, and no workload in the input that the Server selects names it: neutral policies name ports by number`,
      );
    const accessPolicy = (spec.accessPolicy as string | undefined) ?? 'deny';
    const name = o.object.metadata.name;
    const sel = (spec.podSelector as Obj | undefined) ?? {};
    const labels = sel.matchLabels as Record<string, string> | undefined;
    const exprs = sel.matchExpressions as Obj[] | undefined;
    // anymesh's namespace-wide strict Server leaves out services with Servers of their own (NotIn).
    const own = meta.sources !== undefined;
    const wholeNamespace =
      (!labels || !Object.keys(labels).length) &&
      (!exprs?.length || (own && exprs.every((e) => e.operator === 'NotIn')));
    let service: string;
    let selector: Record<string, string> | undefined;
    if (wholeNamespace) {
      r.ledger.take(o, ['spec', 'podSelector']);
      service =
        portNumber !== undefined && name.endsWith(`-${portNumber}`)
          ? name.slice(0, -`-${portNumber}`.length)
          : name;
    } else {
      // A label expression `In` with one value is that label (Kubernetes LabelSelector); others
      // have no neutral form (a neutral selector is labels).
      const asLabels: Record<string, string> = { ...labels };
      (exprs ?? []).forEach((e, i) => {
        const at: FieldPath = ['spec', 'podSelector', 'matchExpressions', i];
        const values = e?.values;
        const value = Array.isArray(values) && values.length === 1 ? values[0] : undefined;
        const key = e?.key;
        if (
          e?.operator === 'In' &&
          typeof key === 'string' &&
          typeof value === 'string' &&
          (asLabels[key] ?? value) === value
        ) {
          r.ledger.take(o, at);
          asLabels[key] = value;
        } else
          r.lost(
            o,
            at,
            'a label expression other than In with one value has no neutral form (a neutral selector is labels)',
          );
      });
      r.rest(o, ['spec', 'podSelector'], ['matchLabels', 'matchExpressions'], 'podSelector');
      r.ledger.take(o, ['spec', 'podSelector', 'matchLabels']);
      const selected = Object.keys(asLabels).length ? asLabels : undefined;
      const fromName =
        portNumber !== undefined && name.endsWith(`-${portNumber}`)
          ? name.slice(0, -`-${portNumber}`.length)
          : undefined;
      // anymesh names Servers <service>-<port>; a hand-written one names its service by `app`.
      service =
        (own ? fromName : undefined) ??
        selected?.app ??
        selected?.['app.kubernetes.io/name'] ??
        fromName ??
        name;
      const l = selected ?? {};
      selector = Object.keys(l).length === 1 && l.app === service ? undefined : l;
    }
    out.set(`${o.namespace}/${name}`, {
      o,
      service,
      ...(selector ? { selector } : {}),
      wholeNamespace,
      ...(portNumber !== undefined ? { port: portNumber } : {}),
      accessPolicy,
      ...(proto !== undefined ? { proxyProtocol: proto } : {}),
      sources: meta.sources ?? [],
    });
  }
  return out;
}
