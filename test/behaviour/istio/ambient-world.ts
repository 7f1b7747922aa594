/**
 * The Kubernetes world an ambient golden case runs in, and what a cluster does to anymesh's ambient
 * output when it is applied, so Istio's code sees what it would see in a cluster:
 *
 * - namespaces labelled `istio.io/dataplane-mode: ambient`; pods as istio-cni leaves captured pods
 *   (annotation `ambient.istio.io/redirection: enabled`, no sidecar container);
 * - the binding Services anymesh emits (a Service holding only the `istio.io/use-waypoint` label,
 *   applied server-side) are merged into the existing Service, as server-side apply merges them;
 *   the leaf Services (`<service>-<version>`) get a ClusterIP, as the API server allocates one;
 * - each waypoint Gateway gets what Istio's gateway deployment controller makes for it (a Deployment
 *   whose pod runs as ServiceAccount <gateway name>, a Service <gateway name> with the HBONE port
 *   15008) and the status address it writes once the pod is ready (the ambient index ignores a
 *   waypoint without one, pilot/pkg/serviceregistry/ambient/waypoints.go); the GatewayClass
 *   `istio-waypoint` is the one istiod creates;
 * - each Service with a selector has the EndpointSlice Kubernetes keeps for it (its ready pods);
 * - Gateway API objects carry the defaults the API server writes from their CRDs (crd-defaults.ts).
 *
 * Only anymesh's own documents come from the compile; the rest is this world.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { compilePolicies } from '../../../src/core/compiler/compile.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { renderYaml } from '../../../src/core/render.js';
import { testColumns } from '../../support/columns.js';
import { load } from '../../support/kit.js';
import { withCrdDefaults } from './crd-defaults.js';
import { type Answer, askIstio, type Call, type Workload } from './driver.js';
import { fqdn, type PodDef, portName, type RequestOptions, requestFields, type ServiceDef } from './world.js';

/** The options of Istio's ambient column, read from the descriptor (never typed here). */
export function ambientOptions(): Record<string, string> {
  const col = testColumns().find((c) => c.adapter === ADAPTERS.istio && Object.keys(c.options).length > 0);
  if (!col) throw new Error('Istio has no second (ambient) column');
  return { ...col.options };
}

/** A golden case compiled for Istio's ambient column, as the CLI prints it. */
export function compileAmbient(file: string): { yaml: string; diagnostics: string[]; ok: boolean } {
  const r = compileFiles([file], ADAPTERS.istio!, { context: { options: ambientOptions() } });
  return { yaml: renderYaml(r.resources), diagnostics: r.diagnostics.map(formatDiagnostic), ok: r.ok };
}

/** Policy text (not a golden case) compiled for Istio's ambient column. */
export function compileAmbientText(text: string): { yaml: string; codes: string[] } {
  const r = compilePolicies(load(text).policies, ADAPTERS.istio!, { context: { options: ambientOptions() } });
  return { yaml: renderYaml(r.resources), codes: r.diagnostics.map((d) => d.code) };
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const WAYPOINT_CLASS = 'istio-waypoint';

/** The whole cluster: anymesh's output as applied, plus the world. */
export function ambientClusterYaml(
  output: string,
  services: readonly ServiceDef[],
  pods: readonly PodDef[],
): string {
  // Stored as the API server stores them: with the CRDs' defaults.
  const docs = (loadAll(output) as (Obj | null)[]).filter((d): d is Obj => d !== null).map(withCrdDefaults);
  const world: Obj[] = [];
  const namespaces = new Set<string>([...services.map((s) => s.namespace), ...pods.map((p) => p.namespace)]);
  const svcObjects = new Map<string, Obj>();
  for (const s of services) {
    const o: Obj = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: {
        clusterIP: s.ip,
        selector: s.selector ?? { app: s.name },
        ports: s.ports.map((p) => ({
          name: portName(p),
          port: p.port,
          targetPort: p.port,
          protocol: 'TCP',
        })),
      },
    };
    svcObjects.set(`${s.namespace}/${s.name}`, o);
    world.push(o);
  }
  let nextVip = 1;
  let nextPodIp = 1;
  const applied: Obj[] = [];
  for (const d of docs) {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    if (d.apiVersion === 'v1' && d.kind === 'Service' && d.spec === undefined) {
      // A label-only binding: server-side apply merges its labels into the live Service.
      const live = svcObjects.get(key);
      if (!live) throw new Error(`binding Service ${key}: no such Service in the world (apply would fail)`);
      live.metadata.labels = { ...live.metadata.labels, ...d.metadata.labels };
      continue;
    }
    if (d.apiVersion === 'v1' && d.kind === 'Service' && d.spec && d.spec.clusterIP === undefined) {
      applied.push({ ...d, spec: { ...d.spec, clusterIP: `10.96.200.${nextVip++}` } });
      continue;
    }
    if (d.kind === 'Gateway' && d.spec?.gatewayClassName === WAYPOINT_CLASS) {
      const ns = d.metadata.namespace!;
      const name = d.metadata.name;
      const host = `${name}.${ns}.svc.cluster.local`;
      applied.push({ ...d, status: { addresses: [{ type: 'Hostname', value: host }] } });
      const selector = { 'gateway.networking.k8s.io/gateway-name': name };
      world.push(
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name,
            namespace: ns,
            labels: { ...selector, 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
          },
          spec: {
            clusterIP: `10.96.210.${nextVip++}`,
            selector,
            ports: [{ name: 'mesh', port: 15008, appProtocol: 'hbone', protocol: 'TCP' }],
          },
        },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${name}-0`,
            namespace: ns,
            labels: { ...selector, 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
          },
          spec: {
            serviceAccountName: name,
            containers: [{ name: 'istio-proxy', image: 'istio/proxyv2:1.30.3' }],
          },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True' }],
            podIP: `10.2.0.${nextPodIp}`,
            podIPs: [{ ip: `10.2.0.${nextPodIp++}` }],
          },
        } as Obj,
      );
      namespaces.add(ns);
      continue;
    }
    applied.push(d);
  }
  if (applied.some((d) => d.kind === 'Gateway')) {
    world.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: WAYPOINT_CLASS },
      spec: { controllerName: 'istio.io/mesh-controller' },
    });
  }
  const nsDocs: Obj[] = [...namespaces].sort().map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'istio.io/dataplane-mode': 'ambient' } },
  }));
  const accounts = new Map<string, Obj>();
  const podDocs: Obj[] = [];
  for (const p of pods) {
    const sa = p.serviceAccount ?? 'default';
    accounts.set(`${p.namespace}/${sa}`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: p.namespace },
    });
    podDocs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace: p.namespace,
        labels: p.labels,
        // What istio-cni writes on a pod whose traffic it redirected to ztunnel.
        annotations: { 'ambient.istio.io/redirection': 'enabled' },
      } as Obj['metadata'],
      spec: { serviceAccountName: sa, containers: [{ name: 'app', image: `example/${p.name}:1` }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        podIP: p.ip,
        podIPs: [{ ip: p.ip }],
      },
    });
  }
  const all = [...applied, ...nsDocs, ...world, ...accounts.values(), ...podDocs];
  return [...all, ...endpointSlices(all)].map((d) => dump(d, { lineWidth: -1, noRefs: true })).join('---\n');
}

/**
 * The EndpointSlices Kubernetes' endpointslice controller keeps for each Service with a selector:
 * the ready pods of its namespace whose labels include the selector, with the Service's target
 * ports. Istio reads endpoints from these, not from the pods.
 */
function endpointSlices(objects: readonly Obj[]): Obj[] {
  const pods = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Pod');
  const out: Obj[] = [];
  for (const svc of objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service')) {
    const selector = svc.spec?.selector as Record<string, string> | undefined;
    if (!selector) continue;
    const ports = (svc.spec?.ports ?? []) as {
      name?: string;
      port: number;
      targetPort?: number;
      appProtocol?: string;
    }[];
    const selected = pods.filter(
      (p) =>
        p.metadata.namespace === svc.metadata.namespace &&
        Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
    );
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${svc.metadata.name}-slice`,
        namespace: svc.metadata.namespace,
        labels: { 'kubernetes.io/service-name': svc.metadata.name },
      },
      addressType: 'IPv4',
      endpoints: selected.map((p) => ({
        addresses: [(p.status as { podIP: string }).podIP],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', name: p.metadata.name, namespace: p.metadata.namespace },
      })),
      ports: ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.targetPort ?? p.port,
        protocol: 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    } as unknown as Obj);
  }
  return out;
}

export interface AmbientRun {
  answer: Answer;
  output: string;
  diagnostics: string[];
}

/** One ambient golden case, applied to its world, with the calls made through Istio's code once. */
export async function runAmbientCase(
  file: string,
  world: { services: ServiceDef[]; pods: PodDef[] },
  calls: Call[],
  mutate: (output: string) => string = (o) => o,
): Promise<AmbientRun> {
  const compiled = compileAmbient(file);
  if (!compiled.ok)
    throw new Error(`${file} does not compile for ambient:\n${compiled.diagnostics.join('\n')}`);
  const output = mutate(compiled.yaml);
  const answer = await askIstio(ambientClusterYaml(output, world.services, world.pods), calls, true, true);
  // For reading what Istio answered while writing a case's expectations.
  if (process.env.ANYMESH_DUMP_ANSWERS)
    writeFileSync(
      join(process.env.ANYMESH_DUMP_ANSWERS, `${basename(file)}.json`),
      JSON.stringify(answer, null, 2),
    );
  return { answer, output, diagnostics: compiled.diagnostics };
}
/**
 * A request from `from` to Service `to` on `port` as ambient carries it: through the Service's
 * waypoint (if Istio's ambient index says it has one), then to pod `server` (when given), whose
 * ztunnel authorizes the connection.
 */
export function ambientRequest(
  id: string,
  from: Workload,
  to: ServiceDef,
  port: number,
  opts: RequestOptions & { server?: PodDef; plaintext?: boolean } = {},
): Call {
  return {
    id,
    mode: 'ambient',
    from,
    host: fqdn(to),
    address: to.ip,
    port,
    ...(opts.server ? { to: opts.server } : {}),
    ...(opts.plaintext ? { plaintext: true } : {}),
    ...requestFields(opts),
  };
}

/** A connection straight to pod `server` on `port`, around any waypoint. */
export function direct(
  id: string,
  from: Workload,
  server: PodDef,
  port: number,
  opts: { plaintext?: boolean } = {},
): Call {
  return {
    id,
    mode: 'ztunnel',
    from,
    to: server,
    port,
    protocol: 'tcp',
    ...(opts.plaintext ? { plaintext: true } : {}),
  };
}
