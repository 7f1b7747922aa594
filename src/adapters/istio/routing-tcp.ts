/**
 * TCP policies as VirtualService `tcp[]` routes (networking.istio.io/v1, Istio 1.30.3 CRD: match
 * port, sourceLabels, sourceNamespace; route[].destination and weight; no name, no timeout), and
 * their idle timeouts as the DestinationRule's `connectionPool.tcp.idleTimeout` (per port with
 * spec.port), since a TCP route has no timeout of its own.
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

/** One tcp[] route per rule; a TCP rule has no matches, so only the first of a policy is reached. */
export function tcpRoute(p: TrafficPolicy, rule: Rule, destination: Destination): Obj {
  const sources: (SourceT | undefined)[] = p.spec.sources?.length ? p.spec.sources : [undefined];
  const match = sources.map((s) => tcpMatch(s, p.spec.port));
  const backends = rule.backends ?? [];
  const route = backends.length
    ? backends.map((b) => ({
        destination: destination(b),
        ...(backends.length > 1 ? { weight: b.weight } : {}),
      }))
    : [{ destination: destination(undefined) }];
  return { ...(match.some((m) => Object.keys(m).length) ? { match } : {}), route };
}

/** The idle timeout of a service's TCP policies: one per port (or for every port), as Istio keeps it. */
export interface IdleTimeouts {
  /** The timeout for every port, if a policy without a port sets one. */
  all?: string;
  /** Port -> timeout. */
  readonly ports: Map<number, string>;
}

/**
 * Collects the idle timeouts of TCP policies (the first rule of each, the only one reached). Two
 * policies that give one port different idle timeouts cannot both hold: the DestinationRule has
 * one per port, for every caller.
 */
export function idleTimeouts(
  group: readonly PolicyDoc<TrafficPolicy>[],
  _ctx: CompileContext,
  diagnostics: Diagnostic[],
): IdleTimeouts {
  const out: IdleTimeouts = { ports: new Map() };
  const from = new Map<string, PolicyDoc<TrafficPolicy>>();
  for (const p of group) {
    if (!isTcp(p.policy)) continue;
    const timeout = p.policy.spec.rules[0]?.timeout;
    if (timeout === undefined) continue;
    const value = formatDuration(durationMs(timeout));
    const port = p.policy.spec.port;
    const key = port === undefined ? '*' : String(port);
    const prior = port === undefined ? out.all : out.ports.get(port);
    const at = p.at(['spec', 'rules', 0, 'timeout']);
    if (prior !== undefined && prior !== value) {
      diagnostics.push(
        istioDiag(
          'IdleTimeoutShared',
          {
            value: timeout,
            other: from.get(key)?.ref ?? '',
            otherValue: prior,
            port: port === undefined ? 'every port' : `port ${port}`,
          },
          at,
        ),
      );
      continue;
    }
    from.set(key, p);
    if (port === undefined) out.all = value;
    else out.ports.set(port, value);
  }
  return out;
}

/** The DestinationRule trafficPolicy that carries the idle timeouts, or undefined without any. */
export function idleTrafficPolicy(t: IdleTimeouts): Obj | undefined {
  const pool = (idleTimeout: string) => ({ connectionPool: { tcp: { idleTimeout } } });
  const ports = [...t.ports.entries()].sort(([a], [b]) => a - b);
  if (t.all === undefined && !ports.length) return undefined;
  return {
    ...(t.all !== undefined ? pool(t.all) : {}),
    ...(ports.length
      ? { portLevelSettings: ports.map(([number, v]) => ({ port: { number }, ...pool(v) })) }
      : {}),
  };
}
