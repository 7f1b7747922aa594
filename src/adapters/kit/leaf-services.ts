/**
 * Versions as leaf Services, for meshes whose routes go to Services and not to pod subsets (Gateway
 * API HTTPRoutes have no subsets): version `v1` of `reviews` becomes a Service `reviews-v1` that
 * selects the service's pods (spec.selector, default `app: reviews`) narrowed by the version labels;
 * HTTPRoute backendRefs then point at it (the pattern of Linkerd's traffic-shifting docs,
 * https://linkerd.io/2/features/request-routing/, and of Istio's ambient traffic shifting with
 * Gateway API, https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/).
 *
 * A Service needs ports, and anymesh only knows the port clients call (spec.port); the leaf Service
 * forwards it to the same container port (targetPort = port), which the adapters' info says.
 *
 * A gRPC or HTTP/2 policy's leaf port says `appProtocol: kubernetes.io/h2c` (the Kubernetes name
 * for HTTP/2 over cleartext, which gRPC is and an http2 policy asks for): the leaf's port name (`port-<n>`) names no protocol, and both meshes
 * that route to leaves read appProtocol first. Istio: pkg/config/kube/conversion.go ConvertProtocol
 * maps kubernetes.io/h2c to HTTP2, and cluster_builder.go setUpstreamProtocol then makes the
 * cluster HTTP/2 instead of following the downstream protocol of an undeclared port. Linkerd: since
 * 2.18 (linkerd/linkerd2#13721) appProtocol http or kubernetes.io/h2c sets the port's protocol so
 * the proxy skips protocol detection; earlier versions ignore the value and detect HTTP/2 as before.
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { diag } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { TrafficPolicy } from '../../core/model/schema.js';

/** DNS-1035 label (Service names): at most 63 characters. */
export const SERVICE_NAME_LIMIT = 63;

/** Labels are merged in sorted key order, so output never depends on the order they were written in. */
export function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

interface Leaf {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Record<string, string>;
  /** Port -> appProtocol (undefined: none declared). */
  readonly ports: Map<number, string | undefined>;
  readonly sources: PolicyDoc[];
}

/** The appProtocol a leaf port of this policy declares: HTTP/2 cleartext for gRPC and HTTP/2. */
export function leafAppProtocol(spec: Pick<TrafficPolicy['spec'], 'protocol'>): string | undefined {
  return spec.protocol === 'grpc' || spec.protocol === 'http2' ? H2C : undefined;
}

/** Kubernetes' appProtocol for HTTP/2 over cleartext (KEP-3726, standard application protocols). */
export const H2C = 'kubernetes.io/h2c';

export function leafName(service: string, version: string): string {
  return `${service}-${version}`;
}

/** Collects the leaf Services of every policy, deduplicated by name, and emits them once. */
export class LeafServices {
  private readonly leaves = new Map<string, Leaf>();

  /** `nameTooLong` is the adapter's diagnostic for a leaf name over the Service name limit. */
  constructor(private readonly nameTooLong: (name: string, doc: PolicyDoc, version: string) => Diagnostic) {}

  /**
   * Registers the leaf Service of a version used by a policy. Returns a diagnostic when the leaf
   * cannot be made (name too long, or the same leaf selecting other pods for another policy).
   */
  add(
    doc: PolicyDoc<TrafficPolicy>,
    version: string,
    selector: Record<string, string>,
    port: number,
  ): Diagnostic | undefined {
    const spec = doc.policy.spec;
    const name = leafName(spec.service, version);
    if (name.length > SERVICE_NAME_LIMIT) {
      return this.nameTooLong(name, doc, version);
    }
    const labels = sortedLabels({ ...selector, ...spec.versions?.[version] });
    const key = `${doc.namespace}/${name}`;
    const prior = this.leaves.get(key);
    if (prior) {
      if (JSON.stringify(prior.selector) !== JSON.stringify(labels)) {
        return diag(
          'VersionLabelsConflict',
          {
            version,
            service: spec.service,
            labels: fmt(labels),
            otherLabels: fmt(prior.selector),
            other: prior.sources[0]!.ref,
          },
          doc.at(['spec', 'versions', version]),
        );
      }
      // A port serves one protocol, so the policies routing over it agree; a gRPC or HTTP/2 one declares it.
      prior.ports.set(port, prior.ports.get(port) ?? leafAppProtocol(spec));
      if (!prior.sources.includes(doc)) prior.sources.push(doc);
      return undefined;
    }
    this.leaves.set(key, {
      namespace: doc.namespace,
      name,
      selector: labels,
      ports: new Map([[port, leafAppProtocol(spec)]]),
      sources: [doc],
    });
    return undefined;
  }

  resources(): KubeObject[] {
    return [...this.leaves.values()].map((leaf) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: outputMetadata(leaf.name, leaf.namespace, leaf.sources),
      spec: {
        selector: leaf.selector,
        // Named ports: Kubernetes requires names once a Service has more than one.
        ports: [...leaf.ports]
          .sort(([a], [b]) => a - b)
          .map(([port, appProtocol]) => ({
            name: `port-${port}`,
            port,
            targetPort: port,
            protocol: 'TCP',
            ...(appProtocol ? { appProtocol } : {}),
          })),
      },
    }));
  }
}

export function fmt(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The arguments of a mesh's "versions become leaf Services" notice (Linkerd's and Istio ambient's
 * LeafServices messages say the same thing, each in its own code range).
 */
export function leafNoticeParams(
  spec: { readonly service: string; readonly port?: number; readonly selector?: Record<string, string> },
  versions: ReadonlySet<string>,
  selector: Record<string, string>,
): { service: string; leaves: string; selector: string; origin: string; port: string | number } {
  return {
    service: spec.service,
    leaves: [...versions]
      .sort()
      .map((v) => leafName(spec.service, v))
      .join(', '),
    selector: fmt(selector),
    origin: spec.selector ? 'spec.selector' : `the default app: ${spec.service}, see AM3005`,
    port: spec.port ?? '',
  };
}
