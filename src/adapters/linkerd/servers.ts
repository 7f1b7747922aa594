/**
 * Servers (`policy.linkerd.io/v1beta3`): the inbound side's unit of policy. A Server selects one
 * container port of some pods, and Linkerd refuses two Servers that select the same pod and port
 * (its admission webhook rejects overlapping Servers). AccessPolicies and strict MTLSPolicies both
 * need Servers, so they ask this registry, which emits one Server per service and port:
 * - AccessPolicy: accessPolicy deny (every caller no AuthorizationPolicy allows is refused).
 * - strict MTLSPolicy: accessPolicy all-authenticated (meshed, mTLS-authenticated callers only),
 *   unless an AccessPolicy already made a deny Server there, which refuses plaintext too.
 * - strict MTLSPolicy for a namespace: one Server per port selecting every pod of the namespace
 *   except those of services that have their own Server on that port.
 * - BackendPolicy rate limit (an HTTPLocalRateLimitPolicy targets a Server): accessPolicy
 *   all-unauthenticated, Linkerd's default cluster policy, unless access or strict mTLS ask more.
 *
 * `spec.port` is the container port ("A port name or number. Must exist in a pod spec", server.yaml
 * CRD), not the Service port.
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { fmt } from './leaf-services.js';
import { linkerdDiag, sortedLabels } from './native.js';

interface ServerRequest {
  readonly doc: PolicyDoc;
  readonly namespace: string;
  readonly port: number;
  readonly purpose: 'access' | 'strict' | 'rateLimit';
  /** The service whose pods are selected; undefined: every pod of the namespace. */
  readonly service?: string;
  readonly selector?: Record<string, string>;
}

export function serverName(service: string, port: number): string {
  return `${service}-${port}`;
}

export class ServerRegistry {
  private readonly requests: ServerRequest[] = [];

  request(r: ServerRequest): void {
    this.requests.push(r);
  }

  resolve(): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
    const resources: KubeObject[] = [];
    const diagnostics: Diagnostic[] = [];
    const byPort = new Map<string, ServerRequest[]>();
    for (const r of this.requests) {
      const key = `${r.namespace}/${String(r.port).padStart(5, '0')}`;
      byPort.set(key, [...(byPort.get(key) ?? []), r]);
    }
    for (const key of [...byPort.keys()].sort()) {
      const list = byPort.get(key)!;
      const perService = list.filter((r) => r.service !== undefined);
      const whole = list.filter((r) => r.service === undefined);
      const services = this.serviceServers(perService, whole.length > 0, resources, diagnostics);
      if (whole.length) this.namespaceServer(whole, services, resources, diagnostics);
    }
    return { resources, diagnostics };
  }

  /** One Server per service on this port; returns the requests that made one, per service. */
  private serviceServers(
    perService: ServerRequest[],
    /** A namespace-wide strict Server leaves these pods out, so their own Server must be strict. */
    namespaceStrict: boolean,
    resources: KubeObject[],
    diagnostics: Diagnostic[],
  ): ServerRequest[] {
    const made: ServerRequest[] = [];
    for (const service of [...new Set(perService.map((r) => r.service!))].sort()) {
      const reqs = perService.filter((r) => r.service === service);
      const first = reqs[0]!;
      const labels = (r: ServerRequest) => JSON.stringify(sortedLabels(r.selector!));
      const conflict = reqs.find((r) => labels(r) !== labels(first));
      if (conflict) {
        diagnostics.push(
          linkerdDiag(
            'ServerSelectorConflict',
            {
              policy: conflict.doc.ref,
              service,
              selector: fmt(conflict.selector!),
              other: first.doc.ref,
              otherSelector: fmt(first.selector!),
            },
            conflict.doc.at(['spec', 'service']),
          ),
        );
        continue;
      }
      const access = reqs.some((r) => r.purpose === 'access');
      const strict = namespaceStrict || reqs.some((r) => r.purpose === 'strict');
      const name = serverName(service, first.port);
      if (access) {
        for (const r of reqs.filter((x) => x.purpose === 'strict')) {
          diagnostics.push(
            linkerdDiag('StrictImplied', { port: r.port, service, server: name }, r.doc.at(['spec', 'mode'])),
          );
        }
      }
      resources.push(
        server(
          name,
          first.namespace,
          first.port,
          { matchLabels: sortedLabels(first.selector!) },
          access ? 'deny' : strict ? 'all-authenticated' : 'all-unauthenticated',
          reqs.map((r) => r.doc),
        ),
      );
      made.push(first);
    }
    return made;
  }

  /**
   * The namespace-wide strict Server of a port. Pods of services with their own Server on the port
   * are left out of it (Linkerd refuses two Servers on one pod port); a label selector can leave out
   * "app in (a, b)" but not "app=a and tier=x", so this works for one-label service selectors only.
   */
  private namespaceServer(
    whole: ServerRequest[],
    services: ServerRequest[],
    resources: KubeObject[],
    diagnostics: Diagnostic[],
  ): void {
    const first = whole[0]!;
    for (const other of whole.slice(1)) {
      if (other.doc === first.doc) continue;
      diagnostics.push(
        diag(
          'MtlsScopeConflict',
          { policy: other.doc.ref, scope: `namespace ${first.namespace}`, other: first.doc.ref },
          other.doc.at(['spec', 'mode']),
        ),
      );
    }
    const name = serverName(first.doc.name, first.port);
    const multi = services.find((r) => Object.keys(r.selector!).length !== 1);
    if (multi) {
      diagnostics.push(
        linkerdDiag(
          'ServerOverlap',
          {
            server: name,
            other: serverName(multi.service!, multi.port),
            port: first.port,
            hint: `the namespace-wide Server must leave out the pods of ${multi.service} (from ${multi.doc.ref}), which a label selector can do only for a one-label spec.selector (${multi.service} has ${fmt(multi.selector!)}); give ${multi.service} a one-label selector, use MTLSPolicy scope service per service, or leave port ${first.port} out of linkerd.serverPorts`,
          },
          first.doc.at(['spec', 'mode']),
        ),
      );
      return;
    }
    const exclusions = new Map<string, Set<string>>();
    for (const r of services) {
      const [k, v] = Object.entries(r.selector!)[0]!;
      exclusions.set(k, (exclusions.get(k) ?? new Set()).add(v));
    }
    // An empty podSelector selects every pod of the namespace.
    const podSelector = exclusions.size
      ? {
          matchExpressions: [...exclusions.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, values]) => ({ key, operator: 'NotIn', values: [...values].sort() })),
        }
      : {};
    resources.push(server(name, first.namespace, first.port, podSelector, 'all-authenticated', [first.doc]));
  }
}

function server(
  name: string,
  namespace: string,
  port: number,
  podSelector: Record<string, unknown>,
  accessPolicy: 'deny' | 'all-authenticated' | 'all-unauthenticated',
  sources: readonly PolicyDoc[],
): KubeObject {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: outputMetadata(name, namespace, sources),
    spec: {
      podSelector,
      port,
      accessPolicy,
    },
  };
}
