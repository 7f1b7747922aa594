/**
 * A Server's `proxyProtocol` (https://linkerd.io/2/reference/authorization-policy/#server: unknown,
 * HTTP/1, HTTP/2, gRPC, opaque, TLS; unknown, the default, lets the proxy detect it) as the neutral
 * `protocol` of the service's calls on that port:
 * - gRPC is `protocol: grpc`, opaque (no detection: the bytes are forwarded as a TCP stream) is
 *   `protocol: tcp`, HTTP/1 is `protocol: http` (HTTP requests; the neutral http takes HTTP/1.1);
 * - when a route of the same service and port was imported (a GRPCRoute is a grpc policy, an
 *   HTTPRoute an http one), the Server's protocol is that policy's, and a Server whose protocol
 *   differs from it is reported (the routes say what the calls are);
 * - otherwise the import adds a TrafficPolicy of that protocol whose one rule sends every call to
 *   the service itself, the neutral way to say a service's protocol with no routing (as the Consul
 *   import does for a ServiceDefaults protocol);
 * - HTTP/2 (the neutral model has no HTTP/2-only protocol) and TLS (no neutral form) stay reported,
 *   as does a Server whose service or port the import does not know.
 */
import type { ImportedPolicy } from '../../core/import.js';
import { neutralMetadata, neutralPolicy } from '../kit/import-kit.js';
import type { LinkerdReader } from './import-reader.js';
import type { ServerIR } from './import-servers.js';

const NEUTRAL: Record<string, string> = { gRPC: 'grpc', opaque: 'tcp', 'HTTP/1': 'http' };

export function importServerProtocols(
  servers: ReadonlyMap<string, ServerIR>,
  policies: readonly ImportedPolicy[],
  r: LinkerdReader,
): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  const traffic = () => [...policies, ...out].filter((p) => p.policy.kind === 'TrafficPolicy');
  for (const s of servers.values()) {
    const native = s.proxyProtocol;
    if (native === undefined || native === 'unknown') continue;
    const at = ['spec', 'proxyProtocol'];
    const protocol = NEUTRAL[native];
    if (protocol === undefined) {
      r.lost(
        s.o,
        at,
        native === 'HTTP/2'
          ? 'proxyProtocol HTTP/2 says the port speaks HTTP/2 only, which no neutral protocol says (neutral http is HTTP/1.1 or HTTP/2, detected)'
          : `proxyProtocol ${native} has no neutral protocol (neutral: http, grpc or tcp)`,
      );
      continue;
    }
    if (s.wholeNamespace || s.port === undefined) {
      r.lost(
        s.o,
        at,
        `proxyProtocol ${native}: ${s.wholeNamespace ? 'the Server selects every pod of its namespace, not one service' : 'the port is unknown (above)'}, so the neutral protocol has no service and port to describe`,
      );
      continue;
    }
    const ns = s.o.namespace;
    const same = traffic().filter(
      (p) =>
        p.policy.metadata.namespace === ns &&
        p.policy.spec.service === s.service &&
        (p.policy.spec.port === undefined || p.policy.spec.port === s.port),
    );
    if (same.length) {
      const theirs = same.map((p) => (p.policy.spec.protocol as string | undefined) ?? 'http');
      if (theirs.every((x) => x === protocol)) r.ledger.take(s.o, at);
      else
        r.lost(
          s.o,
          at,
          `proxyProtocol ${native} (neutral ${protocol}) while the routes imported for ${s.service} port ${s.port} are ${[...new Set(theirs)].join(', ')} calls: a neutral policy has one protocol, which its routes say`,
        );
      continue;
    }
    r.ledger.take(s.o, at);
    const name = s.o.object.metadata.name;
    const taken = traffic().some(
      (p) => p.policy.metadata.name === name && p.policy.metadata.namespace === ns,
    );
    out.push(
      neutralPolicy(
        'TrafficPolicy',
        neutralMetadata(taken ? `${name}-protocol` : name, ns),
        { service: s.service, port: s.port, protocol, rules: [{}] },
        [s.o.ref],
      ),
    );
  }
  return out;
}
