/**
 * Servers (`policy.linkerd.io/v1beta3`): the inbound side's unit of policy. A Server selects one
 * container port of some pods, and Linkerd refuses two Servers that select the same pod and port
 * (its admission webhook rejects overlapping Servers). AccessPolicies and strict MTLSPolicies both
 * need Servers, so they ask this registry, which emits one Server per service and port:
 * - AccessPolicy: accessPolicy deny (every caller no AuthorizationPolicy allows is refused).
 * - strict MTLSPolicy: accessPolicy all-authenticated (meshed, mTLS-authenticated callers only),
 *   unless an AccessPolicy already made a deny Server there, which refuses plaintext too.
 * - strict MTLSPolicy for a namespace: one Server per port with an empty podSelector (every pod);
 *   it cannot coexist with a service's Server on that port, so that case is refused.
 *
 * `spec.port` is the container port ("A port name or number. Must exist in a pod spec", server.yaml
 * CRD), not the Service port.
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/validate.js';
import { fmt } from './leaf-services.js';
import { linkerdDiag, sortedLabels } from './native.js';

interface ServerRequest {
  readonly doc: PolicyDoc;
  readonly namespace: string;
  readonly port: number;
  readonly purpose: 'access' | 'strict';
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
      const whole = list.filter((r) => r.service === undefined);
      const perService = list.filter((r) => r.service !== undefined);
      if (whole.length) {
        const first = whole[0]!;
        for (const other of whole.slice(1)) {
          if (other.doc !== first.doc) {
            diagnostics.push(
              diag(
                'PolicyConflict',
                {
                  reason: `${other.doc.ref} and ${first.doc.ref} both set strict mTLS for namespace ${first.namespace}; keep one`,
                },
                other.doc.at(['spec', 'mode']),
              ),
            );
          }
        }
        if (perService.length) {
          const svc = perService[0]!;
          diagnostics.push(
            linkerdDiag(
              'ServerOverlap',
              {
                server: serverName(first.doc.name, first.port),
                other: serverName(svc.service!, svc.port),
                port: first.port,
                hint: `a namespace-wide Server on port ${first.port} would select the pods of ${svc.service} too (from ${svc.doc.ref}); use MTLSPolicy scope service for each service instead, or leave port ${first.port} out of linkerd.serverPorts`,
              },
              first.doc.at(['spec', 'mode']),
            ),
          );
          continue;
        }
        resources.push(
          server(
            serverName(first.doc.name, first.port),
            first.namespace,
            first.port,
            undefined,
            'all-authenticated',
            [first.doc],
          ),
        );
        continue;
      }
      const services = [...new Set(perService.map((r) => r.service!))].sort();
      for (const service of services) {
        const reqs = perService.filter((r) => r.service === service);
        const first = reqs[0]!;
        const conflict = reqs.find(
          (r) => JSON.stringify(sortedLabels(r.selector!)) !== JSON.stringify(sortedLabels(first.selector!)),
        );
        if (conflict) {
          diagnostics.push(
            diag(
              'PolicyConflict',
              {
                reason: `${conflict.doc.ref} selects the pods of ${service} with ${fmt(conflict.selector!)} but ${first.doc.ref} with ${fmt(first.selector!)}; Linkerd allows one Server per pod port, so give both the same spec.selector`,
              },
              conflict.doc.at(['spec', 'service']),
            ),
          );
          continue;
        }
        const access = reqs.some((r) => r.purpose === 'access');
        const name = serverName(service, first.port);
        if (access) {
          for (const r of reqs.filter((x) => x.purpose === 'strict')) {
            diagnostics.push(
              linkerdDiag(
                'StrictImplied',
                { port: r.port, service, server: name },
                r.doc.at(['spec', 'mode']),
              ),
            );
          }
        }
        resources.push(
          server(
            name,
            first.namespace,
            first.port,
            first.selector,
            access ? 'deny' : 'all-authenticated',
            reqs.map((r) => r.doc),
          ),
        );
      }
    }
    return { resources, diagnostics };
  }
}

function server(
  name: string,
  namespace: string,
  port: number,
  selector: Record<string, string> | undefined,
  accessPolicy: 'deny' | 'all-authenticated',
  sources: readonly PolicyDoc[],
): KubeObject {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: outputMetadata(name, namespace, sources),
    spec: {
      // An empty podSelector selects every pod of the namespace.
      podSelector: selector ? { matchLabels: sortedLabels(selector) } : {},
      port,
      accessPolicy,
    },
  };
}
