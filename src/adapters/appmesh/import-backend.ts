/**
 * Listener outlier detection, connection pools and health checks (import-health-check.ts) of a
 * service's VirtualNodes -> one BackendPolicy, the inverse of backend.ts.
 *
 * App Mesh (v1beta2 VirtualNode CRD; API reference OutlierDetection, VirtualNodeConnectionPool):
 * `outlierDetection {maxServerErrors, interval, baseEjectionDuration, maxEjectionPercent}` is
 * Envoy's consecutive-5xx ejection (neutral consecutiveErrors, interval, baseEjectionTime,
 * maxEjectionPercent); `connectionPool.http {maxConnections, maxPendingRequests}`, `.tcp
 * {maxConnections}`, `.http2 | .grpc {maxRequests}` are Envoy circuit-breaker thresholds (neutral
 * connectionLimits). App Mesh requires all four outlier fields, so all four are imported as
 * written (anymesh writes the neutral defaults, Envoy's, for the ones a policy leaves out).
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { neutralPolicy } from '../kit/import-kit.js';
import { nodeHealthCheck } from './import-health-check.js';
import type { NodeInfo } from './import-nodes.js';
import { type AppMeshReader, neutral, type Obj } from './import-reader.js';
import type { ServiceIR } from './import-routing.js';

const L0: FieldPath = ['spec', 'listeners', 0];
/** Neutral BackendPolicy setting -> the listener field it comes from. */
const SETTINGS = [
  ['outlierDetection', 'outlierDetection'],
  ['connectionLimits', 'connectionPool'],
  ['healthCheck', 'healthCheck'],
] as const;
/** Envoy's default max_connections (CircuitBreakers.Thresholds), which backend.ts writes when only pending requests are limited. */
const ENVOY_MAX_CONNECTIONS = 1024;

export function importBackend(services: readonly ServiceIR[], r: AppMeshReader): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const s of services) {
    const read = s.nodes.map((n) => ({ n, spec: nodeBackend(n, r) }));
    if (!read.some((x) => Object.keys(x.spec).length)) continue;
    // Each setting on its own: the first node's, when the other versions say the same.
    const spec: Obj = {};
    const from = new Set<NativeObject>();
    for (const [key, native] of SETTINGS) {
      const having = read.filter((x) => x.spec[key] !== undefined);
      const first = having[0];
      if (!first) continue;
      const same = having.filter((x) => JSON.stringify(x.spec[key]) === JSON.stringify(first.spec[key]));
      for (const x of having)
        if (!same.includes(x))
          r.lost(
            x.n.o,
            [...L0, native],
            `the versions of ${s.service} differ in ${native}; a neutral BackendPolicy applies to every version, so ${first.n.name}'s is imported`,
          );
      // A setting that another version lacks now holds for that one too.
      const bare = read.filter((x) => x.spec[key] === undefined).map((x) => x.n.name);
      if (bare.length)
        r.changed(
          first.n.o,
          [...L0, native],
          `imported into the BackendPolicy of ${s.service}, which applies to every version: compiled back, ${bare.join(', ')} ${bare.length > 1 ? 'get' : 'gets'} this ${native} too`,
        );
      spec[key] = first.spec[key];
      for (const x of same) from.add(x.n.o);
    }
    const names = [
      ...new Set(
        s.nodes.flatMap((n) =>
          (n.meta.sources ?? []).filter((x) => x.kind === 'BackendPolicy').map((x) => x.name),
        ),
      ),
    ];
    const selector =
      Object.keys(s.selector).length === 1 && s.selector.app === s.service ? {} : { selector: s.selector };
    out.push(
      neutralPolicy(
        'BackendPolicy',
        { name: names[0] ?? s.service, namespace: s.namespace },
        { service: s.service, ...selector, ...spec },
        [...from].map((o) => o.ref),
      ),
    );
  }
  return out;
}

function nodeBackend(n: NodeInfo, r: AppMeshReader): Obj {
  const spec: Obj = {};
  const od = [...L0, 'outlierDetection'];
  if (r.ledger.peek(n.o, od) !== undefined) {
    r.rest(
      n.o,
      od,
      ['maxServerErrors', 'interval', 'baseEjectionDuration', 'maxEjectionPercent'],
      'outlierDetection',
    );
    const out: Obj = {};
    const errors = r.ledger.take<number>(n.o, [...od, 'maxServerErrors']);
    if (errors !== undefined) out.consecutiveErrors = errors;
    for (const [native, key] of [
      ['interval', 'interval'],
      ['baseEjectionDuration', 'baseEjectionTime'],
    ] as const) {
      const ms = r.durationMs(n.o, [...od, native]);
      if (ms === undefined) continue;
      r.ledger.take(n.o, [...od, native]);
      out[key] = neutral(ms);
    }
    const pct = r.ledger.take<number>(n.o, [...od, 'maxEjectionPercent']);
    if (pct !== undefined) out.maxEjectionPercent = pct;
    spec.outlierDetection = out;
  }
  const pool = [...L0, 'connectionPool'];
  if (r.ledger.peek(n.o, pool) !== undefined) {
    r.rest(n.o, pool, ['http', 'tcp', 'http2', 'grpc'], 'connectionPool');
    const limits: Obj = {};
    const http = r.ledger.peek<Obj>(n.o, [...pool, 'http']);
    if (http) {
      r.rest(n.o, [...pool, 'http'], ['maxConnections', 'maxPendingRequests'], 'http pool');
      const max = r.ledger.take<number>(n.o, [...pool, 'http', 'maxConnections']);
      const pending = r.ledger.take<number>(n.o, [...pool, 'http', 'maxPendingRequests']);
      if (max !== undefined && !(max === ENVOY_MAX_CONNECTIONS && pending !== undefined))
        limits.maxConnections = max;
      if (pending !== undefined) limits.maxPendingRequests = pending;
    }
    const tcp = r.ledger.take<number>(n.o, [...pool, 'tcp', 'maxConnections']);
    r.rest(n.o, [...pool, 'tcp'], ['maxConnections'], 'tcp pool');
    if (tcp !== undefined) limits.maxConnections = tcp;
    for (const p of ['http2', 'grpc']) {
      r.rest(n.o, [...pool, p], ['maxRequests'], `${p} pool`);
      const max = r.ledger.take<number>(n.o, [...pool, p, 'maxRequests']);
      if (max !== undefined) limits.maxRequests = max;
    }
    if (Object.keys(limits).length) spec.connectionLimits = limits;
  }
  const health = nodeHealthCheck(n, [...L0, 'healthCheck'], r);
  if (health) spec.healthCheck = health;
  return spec;
}
