/**
 * TCP policies as VirtualService `tcp[]` routes (networking.istio.io/v1, Istio 1.30.3 CRD: match
 * port, sourceLabels, sourceNamespace; route[].destination and weight; no name, no timeout), and
 * their idle timeout as the DestinationRule's top-level `connectionPool.tcp.idleTimeout` (the
 * only one istiod gives the tcp_proxy), since a TCP route has no timeout of its own.
 */
import type { CompileContext } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, Rule, SourceT, TrafficPolicy } from '../../core/model/schema.js';
import { istioDiag } from './messages.js';

type Obj = Record<string, unknown>;

export type Destination = (b: BackendT | undefined) => Obj;

export const isTcp = (p: TrafficPolicy) => p.spec.protocol === 'tcp';

function tcpMatch(source: SourceT | undefined, port: number | undefined): Obj {
  return {
    ...(port !== undefined ? { port } : {}),
    ...(source?.labels ? { sourceLabels: source.labels } : {}),
    ...(source?.namespace ? { sourceNamespace: source.namespace } : {}),
  };
}

/**
 * One tcp[] route per rule; a TCP rule has no matches, so only the first of a policy is reached.
 * `port` is the port the route matches: the service's (spec.port) for calls in the mesh, the
 * gateway listener's for a gateway policy.
 */
export function tcpRoute(
  p: TrafficPolicy,
  rule: Rule,
  destination: Destination,
  port: number | undefined = p.spec.port,
): Obj {
  const sources: (SourceT | undefined)[] = p.spec.sources?.length ? p.spec.sources : [undefined];
  const match = sources.map((s) => tcpMatch(s, port));
  const backends = rule.backends ?? [];
  const route = backends.length
    ? backends.map((b) => ({
        destination: destination(b),
        ...(backends.length > 1 ? { weight: b.weight } : {}),
      }))
    : [{ destination: destination(undefined) }];
  return { ...(match.some((m) => Object.keys(m).length) ? { match } : {}), route };
}

/**
 * The idle timeout of a service's TCP policies (the first rule of each, the only one reached), or
 * undefined without any. istiod reads a tcp_proxy's idle_timeout from the DestinationRule's
 * top-level `trafficPolicy.connectionPool.tcp.idleTimeout` only, never from portLevelSettings
 * (istio/istio pilot/pkg/networking/core/networkfilter.go buildOutboundNetworkFiltersWith*:
 * `destinationRule.GetTrafficPolicy().GetConnectionPool().GetTcp().GetIdleTimeout()`; the
 * behaviour tier saw a port-level one leave Envoy's 1 h default in place). So a service has one
 * idle timeout for all its ports and callers, and two TCP policies that give it different ones
 * cannot both hold.
 */
export function idleTimeout(
  group: readonly PolicyDoc<TrafficPolicy>[],
  _ctx: CompileContext,
  diagnostics: Diagnostic[],
): string | undefined {
  let out: { value: string; from: PolicyDoc<TrafficPolicy> } | undefined;
  for (const p of group) {
    if (!isTcp(p.policy)) continue;
    const timeout = p.policy.spec.rules[0]?.timeout;
    if (timeout === undefined) continue;
    const value = formatDuration(durationMs(timeout));
    if (out && out.value !== value) {
      diagnostics.push(
        istioDiag(
          'IdleTimeoutShared',
          { value: timeout, other: out.from.ref, otherValue: out.value },
          p.at(['spec', 'rules', 0, 'timeout']),
        ),
      );
      continue;
    }
    out ??= { value, from: p };
  }
  return out?.value;
}

/** The DestinationRule trafficPolicy that carries the idle timeout, or undefined without one. */
export function idleTrafficPolicy(idleTimeout: string | undefined): Obj | undefined {
  return idleTimeout === undefined ? undefined : { connectionPool: { tcp: { idleTimeout } } };
}
