/**
 * BackendPolicy -> DestinationRule `trafficPolicy` (networking.istio.io/v1): outlierDetection,
 * connectionPool.{tcp,http} and loadBalancer, at the top level or, for a policy with a port, in
 * portLevelSettings[] of that port. Istio merges several DestinationRules for one host in no
 * defined order (and only in some cases), so the settings go into the DestinationRule routing
 * already emits for the host, and a new one is made only when there is none: one per host.
 * Field names from the DestinationRule CRD of Istio 1.30.3 (shared/crds/istio).
 */
import {
  type CompileContext,
  type KubeObject,
  outputMetadata,
  SOURCE_ANNOTATION,
  SOURCE_COUNT_ANNOTATION,
  serviceFqdn,
  sourceAnnotation,
  sourcesOf,
} from '../../core/adapter.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { type BackendPolicy, outlierDetection } from '../../core/model/schema.js';
import { H2_UPGRADE, upgradesToH2 } from './routing-http2.js';
import { mergeSettings, mergeSettingsUnder } from './traffic-policy-merge.js';

type Obj = Record<string, unknown>;

const dur = (text: string) => formatDuration(durationMs(text));

const SIMPLE = { roundRobin: 'ROUND_ROBIN', leastRequest: 'LEAST_REQUEST', random: 'RANDOM' } as const;

/** Drops undefined values, so that absent settings are absent from the output. */
function defined(o: Obj): Obj | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

/** The settings of one policy, as a TrafficPolicy (or PortTrafficPolicy without its port). */
export function trafficPolicy(spec: BackendPolicy['spec']): Obj {
  const out: Obj = {};
  const cl = spec.connectionLimits;
  if (cl) {
    out.connectionPool = defined({
      tcp: defined({
        maxConnections: cl.maxConnections,
        connectTimeout: cl.connectTimeout !== undefined ? dur(cl.connectTimeout) : undefined,
      }),
      http: defined({
        http1MaxPendingRequests: cl.maxPendingRequests,
        // Envoy's max_requests, which limits every HTTP version despite Istio's name for it.
        http2MaxRequests: cl.maxRequests,
        maxRequestsPerConnection: cl.maxRequestsPerConnection,
      }),
    });
  }
  const lb = spec.loadBalancer;
  if (lb) {
    const hash = lb.consistentHash;
    if (lb.policy !== 'consistentHash') out.loadBalancer = { simple: SIMPLE[lb.policy] };
    else if (hash?.header !== undefined)
      out.loadBalancer = { consistentHash: { httpHeaderName: hash.header } };
    else if (hash?.cookie) {
      const c = hash.cookie;
      // Istio generates the cookie only when a ttl is given; a zero ttl makes it a session cookie.
      out.loadBalancer = {
        consistentHash: {
          httpCookie: {
            name: c.name,
            ...(c.path !== undefined ? { path: c.path } : {}),
            ttl: c.ttl !== undefined ? dur(c.ttl) : '0s',
          },
        },
      };
    } else out.loadBalancer = { consistentHash: { useSourceIp: true } };
  }
  if (spec.outlierDetection) {
    const od = outlierDetection(spec.outlierDetection);
    out.outlierDetection = {
      consecutive5xxErrors: od.consecutiveErrors,
      ...(od.consecutiveGatewayErrors !== undefined
        ? { consecutiveGatewayErrors: od.consecutiveGatewayErrors }
        : {}),
      interval: dur(od.interval),
      baseEjectionTime: dur(od.baseEjectionTime),
      // Istio reads 0 as unset, which is Envoy's 10% (cluster_traffic_policy.go
      // applyOutlierDetection: `MaxEjectionPercent > 0`); Envoy ejects at least one instance
      // whatever the percentage, so 1 means what 0 means wherever a service has up to 100.
      maxEjectionPercent: Math.max(1, od.maxEjectionPercent),
    };
  }
  return out;
}

function addSource(obj: KubeObject, p: PolicyDoc): void {
  const {
    [SOURCE_ANNOTATION]: _,
    [SOURCE_COUNT_ANNOTATION]: count,
    ...rest
  } = obj.metadata.annotations ?? {};
  // Past the list's budget only the count is known; a policy is added to an object once.
  obj.metadata.annotations =
    count !== undefined
      ? { ...rest, [SOURCE_COUNT_ANNOTATION]: String(Number(count) + 1) }
      : { ...rest, ...sourceAnnotation([...new Set([...sourcesOf(obj), p.ref])].sort()) };
}

/**
 * Adds every BackendPolicy's settings to the DestinationRule of its host in `resources` (made
 * when missing). Two policies for one host and port never reach here (the overlap analysis,
 * AM3011), so settings never overwrite each other.
 */
export function applyBackendPolicies(
  resources: KubeObject[],
  policies: readonly PolicyDoc<BackendPolicy>[],
  ctx: CompileContext,
): void {
  for (const p of sortedByRef(policies)) addBackendSettings(resources, p, p.policy.spec.service, ctx);
}

export function sortedByRef<P extends PolicyDoc>(policies: readonly P[]): P[] {
  return [...policies].sort((a, b) => a.ref.localeCompare(b.ref));
}

/**
 * Adds one BackendPolicy's settings to the DestinationRule of `service` (in the policy's namespace)
 * in `resources`, made when missing. `service` is the policy's service, or (ambient) one of its leaf
 * Services, which are hosts of their own. Returns whether the policy had any settings to add.
 */
export function addBackendSettings(
  resources: KubeObject[],
  p: PolicyDoc<BackendPolicy>,
  service: string,
  ctx: CompileContext,
): boolean {
  const spec = p.policy.spec;
  const settings = trafficPolicy(spec);
  if (!Object.keys(settings).length) return false;
  const host = serviceFqdn(service, p.namespace, ctx);
  let dr = resources.find((r) => r.kind === 'DestinationRule' && (r.spec as Obj | undefined)?.host === host);
  if (!dr) {
    dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: outputMetadata(service, p.namespace, [p]),
      spec: { host },
    };
    resources.push(dr);
  } else addSource(dr, p);
  const { host: _host, trafficPolicy: prior, ...rest } = dr.spec as Obj;
  const tp: Obj = { ...((prior as Obj | undefined) ?? {}) };
  const ports = [...((tp.portLevelSettings as Obj[] | undefined) ?? [])];
  if (spec.port === undefined) {
    mergeSettings(tp, settings);
    // A port entry replaces the top level whole (traffic-policy-merge.ts): the entry an HTTP/2
    // policy's port has from routing keeps this policy's settings for every port.
    for (const e of ports) if (upgradesToH2(e)) mergeSettingsUnder(e, settings);
  } else {
    // Another BackendPolicy's or an HTTP/2 policy's entry for this port (never a TCP idle
    // timeout: routing keeps that top-level).
    const same = ports.find((e) => (e.port as { number: number }).number === spec.port);
    const entry = same ?? { port: { number: spec.port } };
    mergeSettings(entry, settings);
    // The HTTP/2 upgrade of a policy for every port, which this entry would otherwise drop.
    if (upgradesToH2(tp)) mergeSettingsUnder(entry, H2_UPGRADE);
    if (!same) ports.push(entry);
    ports.sort(
      (a, b) => ((a.port as { number: number }).number ?? 0) - ((b.port as { number: number }).number ?? 0),
    );
    tp.portLevelSettings = ports;
  }
  // Field order as in Istio's proto: host, trafficPolicy, subsets.
  dr.spec = { host, trafficPolicy: tp, ...rest };
  return true;
}
