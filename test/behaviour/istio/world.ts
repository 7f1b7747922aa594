/**
 * The Kubernetes world a golden case runs in (Namespaces, Services, Pods, all meshed), the calls
 * made in it, and readers that turn the driver's Envoy-level answers into the policy's terms
 * (backend and weight, subset, percent), so expectations read like the policies.
 */
import { dump } from 'js-yaml';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { compilePolicies } from '../../../src/core/compiler/compile.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { renderYaml } from '../../../src/core/render.js';
import { load } from '../../support/kit.js';
import type { Answer, Call, HeaderOp, Result, Workload } from './driver.js';

export interface ServiceDef {
  namespace: string;
  name: string;
  ip: string;
  /** Ports, named <protocol>-<port> (default http; Istio reads the protocol from the name). targetPort = port. */
  ports: { port: number; tcp?: boolean; protocol?: 'http' | 'http2' | 'grpc' | 'tcp'; unnamed?: boolean }[];
  /** Pod labels the Service selects. Default: {app: name}. */
  selector?: Record<string, string>;
}

export interface PodDef extends Workload {
  name: string;
  ip: string;
  labels: Record<string, string>;
}

/** A Service port's name: its protocol (Istio's protocol selection by port name), then the port. */
export const portName = (p: ServiceDef['ports'][number]) =>
  `${p.protocol ?? (p.tcp ? 'tcp' : 'http')}-${p.port}`;

/** A Service with one port (named for its protocol, default http), selecting {app: name}. */
export function service(
  namespace: string,
  name: string,
  ip: string,
  port: number,
  protocol?: ServiceDef['ports'][number]['protocol'],
): ServiceDef {
  return { namespace, name, ip, ports: [{ port, ...(protocol ? { protocol } : {}) }] };
}

let nextIp = 1;
/** A pod (with its sidecar) in `namespace`; serviceAccount defaults to `default`. */
export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  serviceAccount?: string,
): PodDef {
  const ip = `10.1.${Math.floor(nextIp / 250)}.${(nextIp % 250) + 1}`;
  nextIp++;
  return { namespace, name, labels, ip, ...(serviceAccount ? { serviceAccount } : {}) };
}

/** Namespaces, Services and Pods as Kubernetes YAML, every namespace enabled for injection. */
export function worldYaml(services: readonly ServiceDef[], pods: readonly PodDef[]): string {
  const namespaces = [
    ...new Set([...services.map((s) => s.namespace), ...pods.map((p) => p.namespace)]),
  ].sort();
  const docs: object[] = namespaces.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'istio-injection': 'enabled' } },
  }));
  for (const s of services) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: {
        clusterIP: s.ip,
        selector: s.selector ?? { app: s.name },
        ports: s.ports.map((p) => ({
          // An unnamed port: Istio sniffs its protocol (a Service with one port may leave it unnamed).
          ...(p.unnamed ? {} : { name: portName(p) }),
          port: p.port,
          targetPort: p.port,
          protocol: 'TCP',
        })),
      },
    });
  }
  for (const p of pods) {
    const sa = p.serviceAccount ?? 'default';
    docs.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: p.namespace },
    });
    docs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace: p.namespace,
        labels: p.labels,
        // What the injector leaves on a pod, so the injection analyzers see a meshed workload.
        annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' },
      },
      spec: {
        serviceAccountName: sa,
        containers: [
          { name: 'app', image: `example/${p.name}:1` },
          { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' },
        ],
      },
      status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
    });
  }
  // Several pods may share a service account: one ServiceAccount object each.
  const seen = new Set<string>();
  const unique = docs.filter((d) => {
    const o = d as { kind: string; metadata: { name: string; namespace?: string } };
    const key = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.map((d) => dump(d, { lineWidth: -1 })).join('---\n');
}

/** A golden case compiled for Istio, as `anymesh compile` prints it, and its diagnostics. */
export function compileCase(file: string): { yaml: string; diagnostics: string[]; ok: boolean } {
  const r = compileFiles([file], ADAPTERS.istio!);
  return { yaml: renderYaml(r.resources), diagnostics: r.diagnostics.map(formatDiagnostic), ok: r.ok };
}

/** Policy text (not a golden case) compiled for Istio. */
export function compileIstio(text: string): { yaml: string; codes: string[] } {
  const loaded = load(text);
  const r = compilePolicies(loaded.policies, ADAPTERS.istio!);
  return { yaml: renderYaml(r.resources), codes: r.diagnostics.map((d) => d.code) };
}

export const fqdn = (s: ServiceDef) => `${s.name}.${s.namespace}.svc.cluster.local`;

/** What a request carries, as the driver's Call spells it (one value per header). */
export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly tcp?: boolean;
  /** A gRPC call (HTTP/2, POST, content-type application/grpc); path is /package.Service/Method. */
  readonly grpc?: boolean;
  /** A caller that speaks HTTP/2 itself (prior-knowledge h2c) instead of HTTP/1.1. */
  readonly http2?: boolean;
}

/** The request part of a Call, for sidecar and ambient requests alike. */
export function requestFields(opts: RequestOptions): Partial<Call> {
  return {
    ...(opts.tcp ? { protocol: 'tcp' as const } : {}),
    ...(opts.grpc ? { protocol: 'grpc' as const } : {}),
    ...(opts.http2 ? { protocol: 'http2' as const } : {}),
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.path ? { path: opts.path } : {}),
    ...(opts.headers
      ? { headers: Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k, [v]])) }
      : {}),
  };
}

/** A request from `from`'s sidecar to Service `to` on `port`. */
export function request(
  id: string,
  from: Workload,
  to: ServiceDef,
  port: number,
  opts: RequestOptions = {},
): Call {
  return { id, mode: 'outbound', from, host: fqdn(to), address: to.ip, port, ...requestFields(opts) };
}

/** A connection arriving at `server`'s sidecar on container port `port` from `from`. */
export function arrival(
  id: string,
  from: Workload,
  server: PodDef,
  port: number,
  opts: RequestOptions & { plaintext?: boolean } = {},
): Call {
  return {
    id,
    mode: 'inbound',
    from,
    to: server,
    port,
    ...(opts.plaintext ? { plaintext: true } : {}),
    ...requestFields(opts),
  };
}

export function result(answer: Answer, id: string): Result {
  const r = answer.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for call ${id}`);
  return r;
}

/**
 * Where a routed request goes, in the policy's words: `service.namespace:port/subset` (subset
 * omitted when none) to weight. Envoy cluster names are `outbound|port|subset|fqdn`.
 */
export function backends(r: Result): Record<string, number> {
  if (!r.route) throw new Error(`call ${r.id} was not routed: ${r.error ?? JSON.stringify(r)}`);
  return Object.fromEntries(r.route.clusters.map((c) => [backendName(c.cluster), c.weight]));
}

export function backendName(cluster: string): string {
  const [dir, port, subset, host] = cluster.split('|');
  if (!host) return cluster;
  const short = host.replace(/\.svc\.cluster\.local$/, '');
  // A waypoint's cluster for a Service bound to it: `inbound-vip|port|http|fqdn` (the third part
  // is the protocol, not a subset).
  if (dir === 'inbound-vip') return `${short}:${port}`;
  if (dir !== 'outbound') return cluster;
  return `${short}:${port}${subset ? `/${subset}` : ''}`;
}

/** The header operations of a routed request as `set name=value`, `add name=value`, `remove name`. */
export function headerOps(ops: readonly HeaderOp[] | undefined): string[] {
  const verb: Record<string, string> = {
    OVERWRITE_IF_EXISTS_OR_ADD: 'set',
    APPEND_IF_EXISTS_OR_ADD: 'add',
    REMOVE: 'remove',
  };
  return (ops ?? [])
    .map((o) =>
      o.action === 'REMOVE' ? `remove ${o.name}` : `${verb[o.action] ?? o.action} ${o.name}=${o.value}`,
    )
    .sort();
}

/** Whether authorization let an inbound call through (undefined when it never got that far). */
export function allowed(r: Result): boolean {
  if (!r.authz) throw new Error(`call ${r.id} reached no authorization: ${r.error ?? JSON.stringify(r)}`);
  return r.authz.allowed;
}
