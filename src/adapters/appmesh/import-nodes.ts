/**
 * VirtualNodes as the importer sees them: pods (podSelector), how App Mesh finds them (DNS name,
 * or Cloud Map, which is cloud-only), the one listener a neutral policy can govern, and the
 * fields no neutral policy has (access logs, backend defaults). The listener's TLS,
 * connection pool, outlier detection and timeout are read by the security, backend and routing
 * modules, which know what they mean for a service.
 *
 * Field meanings: appmesh.k8s.aws/v1beta2 VirtualNode CRD (controller v1.13.3) and the App Mesh
 * user guide, virtual_nodes.html. `awsName` defaults to `${name}_${namespace}`.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { NativeObject } from '../../core/import.js';
import { type ImportedMeta, takeMetadata } from '../kit/import-kit.js';
import { type AppMeshReader, isKind, type Obj } from './import-reader.js';
import { APPMESH_MESSAGES } from './messages.js';

export interface NodeInfo {
  readonly o: NativeObject;
  readonly name: string;
  readonly namespace: string;
  readonly meta: ImportedMeta;
  /** podSelector.matchLabels; undefined when the node selects no pods by labels. */
  readonly labels?: Record<string, string>;
  readonly hostname?: string;
  /** listeners[0].portMapping. */
  readonly port?: number;
  readonly protocol?: string;
  /** Set by routing when a VirtualService reaches this node. */
  owner?: string;
}

export const nodeKey = (namespace: string, name: string) => `${namespace}/${name}`;

export function readNodes(objects: readonly NativeObject[], r: AppMeshReader): Map<string, NodeInfo> {
  const out = new Map<string, NodeInfo>();
  for (const o of objects.filter((x) => isKind(x, 'VirtualNode'))) {
    const meta = takeMetadata(r.ledger, o);
    r.rest(
      o,
      ['spec'],
      [
        'awsName',
        'meshRef',
        'podSelector',
        'serviceDiscovery',
        'listeners',
        'backends',
        'backendDefaults',
        'backendGroups',
        'logging',
      ],
      'VirtualNode',
    );
    takeCommon(o, r, `${meta.name}_${o.namespace}`);
    const labels = r.ledger.peek<Record<string, string>>(o, ['spec', 'podSelector', 'matchLabels']);
    if (labels) r.ledger.take(o, ['spec', 'podSelector', 'matchLabels']);
    r.rest(o, ['spec', 'podSelector'], ['matchLabels'], 'podSelector');
    const hostname = readDiscovery(o, r);
    const listeners = r.ledger.peek<Obj[]>(o, ['spec', 'listeners']) ?? [];
    listeners
      .slice(1)
      .forEach((_, i) =>
        r.lost(
          o,
          ['spec', 'listeners', i + 1],
          'a second listener: a neutral policy governs one port of a service (spec.port), so only the first listener is imported',
        ),
      );
    const l0 = ['spec', 'listeners', 0];
    r.rest(
      o,
      l0,
      ['portMapping', 'timeout', 'tls', 'connectionPool', 'outlierDetection', 'healthCheck'],
      'listener',
    );
    const port = r.ledger.peek<number>(o, [...l0, 'portMapping', 'port']);
    const protocol = r.ledger.peek<string>(o, [...l0, 'portMapping', 'protocol']);
    r.rest(o, [...l0, 'portMapping'], ['port', 'protocol'], 'portMapping');
    r.lostIf(
      o,
      ['spec', 'logging'],
      "access logs are the proxy's configuration, not policy; configure the target mesh's access logging (Istio Telemetry, Linkerd proxy logs)",
    );
    r.lostIf(
      o,
      ['spec', 'backendGroups'],
      'backend groups are deprecated in the App Mesh controller and have no neutral form',
    );
    r.rest(o, ['spec', 'backendDefaults'], ['clientPolicy'], 'backendDefaults');
    r.rest(o, ['spec', 'backendDefaults', 'clientPolicy'], ['tls'], 'clientPolicy');
    clientTls(o, ['spec', 'backendDefaults', 'clientPolicy', 'tls'], r);
    readBackends(o, r, meta.name);
    out.set(nodeKey(o.namespace, meta.name), {
      o,
      name: meta.name,
      namespace: o.namespace,
      meta,
      ...(labels ? { labels } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(protocol !== undefined ? { protocol } : {}),
    });
  }
  return out;
}

/**
 * `meshRef` (filled by the controller's webhook from the namespace's mesh) says which mesh the
 * object is in, which the namespaces of the imported policies say in the target mesh; `awsName`
 * is taken when it is the controller's default and reported as cloud-only otherwise.
 */
export function takeCommon(o: NativeObject, r: AppMeshReader, defaultAwsName: string): void {
  r.ledger.take(o, ['spec', 'meshRef']);
  const aws = r.ledger.peek<string>(o, ['spec', 'awsName']);
  if (aws === undefined || aws === defaultAwsName) r.ledger.take(o, ['spec', 'awsName']);
  else
    r.cloud(
      o,
      ['spec', 'awsName'],
      `awsName ${aws}`,
      'the name of the object in the App Mesh API; the imported policy is named after the Kubernetes object',
    );
}

function readDiscovery(o: NativeObject, r: AppMeshReader): string | undefined {
  const sd = ['spec', 'serviceDiscovery'];
  r.rest(o, sd, ['dns', 'awsCloudMap'], 'serviceDiscovery');
  if (r.ledger.peek(o, [...sd, 'awsCloudMap']) !== undefined)
    r.cloud(
      o,
      [...sd, 'awsCloudMap'],
      'Cloud Map service discovery',
      'App Mesh finds the pods through AWS Cloud Map; the imported versions select the same pods by the podSelector labels, which Kubernetes Services do in every other mesh',
    );
  r.rest(o, [...sd, 'dns'], ['hostname', 'responseType'], 'dns');
  r.lostIf(
    o,
    [...sd, 'dns', 'responseType'],
    "the DNS response type (LOADBALANCER or ENDPOINTS) is how App Mesh's Envoy resolves the name; other meshes balance over the Service's endpoints themselves",
  );
  return r.ledger.peek<string>(o, [...sd, 'dns', 'hostname']);
}

function readBackends(o: NativeObject, r: AppMeshReader, name: string): void {
  const backends = r.ledger.peek<Obj[]>(o, ['spec', 'backends']);
  if (!backends?.length) {
    if (backends) r.ledger.take(o, ['spec', 'backends']);
    return;
  }
  const refs = backends.map((b) => {
    const vs = (b as { virtualService?: { virtualServiceRef?: { name?: string; namespace?: string } } })
      .virtualService;
    const ref = vs?.virtualServiceRef;
    return ref?.name
      ? ref.namespace && ref.namespace !== o.namespace
        ? `${ref.name}.${ref.namespace}`
        : ref.name
      : undefined;
  });
  const named = refs.filter((x): x is string => x !== undefined);
  const option =
    named.length === refs.length
      ? `; for App Mesh, --option appmesh.backends.${o.namespace}.${name}=${named.join(',')} reproduces it`
      : '';
  r.ledger.report(o, ['spec', 'backends'], (at) =>
    makeDiagnostic(
      APPMESH_MESSAGES.ImportBackendsNotAccess,
      { node: name, targets: named.join(', ') || 'virtual services by ARN', option },
      at,
    ),
  );
}

/**
 * Client TLS (the caller originating TLS to what it calls): in the neutral model the called
 * service's MTLSPolicy decides, and the target mesh's proxies originate mutual TLS themselves with
 * the mesh's certificates and check the server's identity. So client TLS that is enforced is what
 * those MTLSPolicies already mean (taken); TLS limited to some ports, or explicitly not enforced,
 * has no neutral form.
 */
export function clientTls(o: NativeObject, at: (string | number)[], r: AppMeshReader): void {
  const tls = r.ledger.peek<Obj>(o, at);
  if (!tls) return;
  r.rest(o, at, ['enforce', 'certificate', 'validation', 'ports'], 'client TLS');
  r.lostIf(
    o,
    [...at, 'ports'],
    'client TLS for some ports only; neutral mutual TLS covers every port of a service',
  );
  if (tls.enforce === false)
    r.lost(
      o,
      [...at, 'enforce'],
      "client TLS that is not enforced (plaintext allowed) has no neutral form; the called service's MTLSPolicy decides",
    );
  for (const k of ['enforce', 'certificate', 'validation']) r.ledger.take(o, [...at, k]);
}
