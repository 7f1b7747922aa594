/**
 * DestinationRule `trafficPolicy` -> BackendPolicy: outlierDetection, the connection pool's limits
 * and the load balancer, service-wide (top level) or per port (portLevelSettings[]), the inverse of
 * backend.ts. What the settings mean when a field is absent or zero is Istio's code
 * (pilot/pkg/networking/core/cluster_traffic_policy.go, istio.io/istio at the driver's pin):
 * - applyOutlierDetection: an absent consecutive5xxErrors leaves Envoy's default (5, enforced),
 *   0 disables 5xx ejection; an absent or 0 consecutiveGatewayErrors leaves gateway ejection off;
 *   maxEjectionPercent 0 is unset (Envoy's 10); interval and baseEjectionTime default to Envoy's
 *   10s and 30s; the deprecated consecutiveErrors is not read at all. Those are the neutral
 *   defaults, so absent maps to absent.
 * - applyLoadBalancer: LEAST_CONN is LEAST_REQUEST; UNSPECIFIED is the mesh default.
 * - connection pool limits of 0 are unset (the mesh default); maxRequestsPerConnection 0 is
 *   unlimited, the neutral default.
 * A port's entry replaces the top level whole (traffic-policy-merge.ts), while neutral
 * BackendPolicies of one service are either for every port or per port (the overlap analysis):
 * port entries beside service-wide settings are reported. What the HTTP/2 upgrade
 * (import-subsets.ts) and a TCP idle timeout (routing) mean is read where the policy routing those
 * calls is built, so it is left alone here.
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import {
  isEmptyMapping,
  neutralDuration,
  neutralMetadata,
  neutralPolicy,
  serviceOfHost,
  takeMetadata,
} from '../kit/import-kit.js';
import { type IstioReader, isKind, type Obj } from './import-reader.js';
import { isIstioMutual } from './import-subsets.js';

const SIMPLE: Record<string, string | undefined> = {
  ROUND_ROBIN: 'roundRobin',
  LEAST_REQUEST: 'leastRequest',
  LEAST_CONN: 'leastRequest',
  RANDOM: 'random',
};

/**
 * Whether the value at `at` is absent or a mapping; anything else (null, a string, a list: what a
 * hand-edited file may hold, and the CRD refuses) is reported, and nothing under it is read.
 */
function mappingAt(o: NativeObject, at: FieldPath, r: IstioReader): boolean {
  const v = r.ledger.peek<unknown>(o, at);
  if (v === undefined || (v !== null && typeof v === 'object' && !Array.isArray(v))) return true;
  r.lost(o, at, `${JSON.stringify(v)} is not a mapping of settings, so nothing in it is imported`);
  return false;
}

/** Keys of a traffic policy read elsewhere: the routing policy's (HTTP/2 upgrade, idle timeout), mTLS. */
const READ_ELSEWHERE = {
  http: ['h2UpgradePolicy'],
  tcp: ['idleTimeout'],
} as const;

/** The neutral settings of one traffic policy (top level or a port's entry); undefined: none. */
function readSettings(o: NativeObject, at: FieldPath, r: IstioReader): Obj | undefined {
  const tp = r.ledger.peek<Obj>(o, at);
  if (!mappingAt(o, at, r) || !tp) return undefined;
  const known = ['port', 'portLevelSettings', 'connectionPool', 'outlierDetection', 'loadBalancer', 'tls'];
  r.rest(o, at, known, 'trafficPolicy');
  takeIstioMutual(o, [...at, 'tls'], r);
  const spec: Obj = {};
  const limits = readPool(o, [...at, 'connectionPool'], r);
  if (limits) spec.connectionLimits = limits;
  const od = readOutlier(o, [...at, 'outlierDetection'], r);
  if (od) spec.outlierDetection = od;
  const lb = readBalancer(o, [...at, 'loadBalancer'], r);
  if (lb) spec.loadBalancer = lb;
  return Object.keys(spec).length ? spec : undefined;
}

/** `tls: {mode: ISTIO_MUTUAL}` is what auto mTLS does anyway; other TLS settings are reported. */
function takeIstioMutual(o: NativeObject, at: FieldPath, r: IstioReader): void {
  const tls = r.ledger.peek<Obj>(o, at);
  if (tls === undefined || !mappingAt(o, at, r)) return;
  if (isIstioMutual(tls)) r.ledger.take(o, at);
  else
    r.lost(
      o,
      at,
      'client TLS settings other than ISTIO_MUTUAL (the mesh certificates) have no neutral form; mTLS between workloads is MTLSPolicy',
    );
}

/** A count the neutral model holds (at least 1); 0 is Istio's "unset" and taken as absent. */
function count(
  o: NativeObject,
  at: FieldPath,
  r: IstioReader,
  zero: 'unset' | 'lost',
  why = '',
): number | undefined {
  const v = r.ledger.peek<unknown>(o, at);
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
    r.ledger.take(o, at);
    return v;
  }
  if (v === 0 && zero === 'unset') r.ledger.take(o, at);
  else r.lost(o, at, `${JSON.stringify(v)} is not a count of at least 1${why}`);
  return undefined;
}

function duration(o: NativeObject, at: FieldPath, r: IstioReader): string | undefined {
  const v = r.ledger.peek<unknown>(o, at);
  if (v === undefined) return undefined;
  const d = neutralDuration(v);
  if (d === undefined || d === '0s') {
    r.lost(o, at, `${JSON.stringify(v)} is not a positive duration in whole milliseconds`);
    return undefined;
  }
  r.ledger.take(o, at);
  return d;
}

function readPool(o: NativeObject, at: FieldPath, r: IstioReader): Obj | undefined {
  if (r.ledger.peek(o, at) === undefined || !mappingAt(o, at, r)) return undefined;
  r.rest(o, at, ['tcp', 'http'], 'connectionPool');
  const tcp = [...at, 'tcp'];
  const http = [...at, 'http'];
  // A part that is no mapping is reported; the other part is still read.
  mappingAt(o, tcp, r);
  mappingAt(o, http, r);
  r.rest(o, tcp, ['maxConnections', 'connectTimeout', ...READ_ELSEWHERE.tcp], 'connectionPool.tcp');
  r.rest(
    o,
    http,
    ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', ...READ_ELSEWHERE.http],
    'connectionPool.http',
  );
  const limits: Obj = {
    maxConnections: count(o, [...tcp, 'maxConnections'], r, 'unset'),
    maxPendingRequests: count(o, [...http, 'http1MaxPendingRequests'], r, 'unset'),
    // Envoy's max_requests, for every HTTP version despite the name (backend.ts).
    maxRequests: count(o, [...http, 'http2MaxRequests'], r, 'unset'),
    maxRequestsPerConnection: count(o, [...http, 'maxRequestsPerConnection'], r, 'unset'),
    connectTimeout: duration(o, [...tcp, 'connectTimeout'], r),
  };
  const out = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
  // An empty part says nothing (`tcp: {}`).
  for (const part of [at, tcp, http]) {
    const v = r.ledger.peek<Obj>(o, part);
    if (v && typeof v === 'object' && Object.keys(v).length === 0) r.ledger.take(o, part);
  }
  return Object.keys(out).length ? out : undefined;
}

function readOutlier(o: NativeObject, at: FieldPath, r: IstioReader): Obj | undefined {
  const v = r.ledger.peek<Obj>(o, at);
  if (v === undefined || !mappingAt(o, at, r)) return undefined;
  const unread = [
    ['consecutiveErrors', 'deprecated, and Istio no longer reads it (use consecutive5xxErrors)'],
    [
      'minHealthPercent',
      'the neutral outlier detection has no panic threshold (Istio disables it by default)',
    ],
    [
      'splitExternalLocalOriginErrors',
      'local-origin failures counted apart from 5xx answers have no neutral form',
    ],
    [
      'consecutiveLocalOriginFailures',
      'local-origin failures counted apart from 5xx answers have no neutral form',
    ],
  ] as const;
  r.rest(
    o,
    at,
    [
      'consecutive5xxErrors',
      'consecutiveGatewayErrors',
      'interval',
      'baseEjectionTime',
      'maxEjectionPercent',
      ...unread.map(([k]) => k),
    ],
    'outlierDetection',
  );
  for (const [k, why] of unread) if (v[k] !== undefined) r.lost(o, [...at, k], why);
  const od: Obj = {
    consecutiveErrors: count(
      o,
      [...at, 'consecutive5xxErrors'],
      r,
      'lost',
      ' (0 turns 5xx ejection off, which a neutral outlierDetection cannot say)',
    ),
    consecutiveGatewayErrors: count(o, [...at, 'consecutiveGatewayErrors'], r, 'unset'),
    interval: duration(o, [...at, 'interval'], r),
    baseEjectionTime: duration(o, [...at, 'baseEjectionTime'], r),
  };
  const max = r.ledger.peek<unknown>(o, [...at, 'maxEjectionPercent']);
  if (max !== undefined) {
    if (typeof max === 'number' && Number.isInteger(max) && max >= 1 && max <= 100) {
      r.ledger.take(o, [...at, 'maxEjectionPercent']);
      od.maxEjectionPercent = max;
    } else if (max === 0) r.ledger.take(o, [...at, 'maxEjectionPercent']);
    else r.lost(o, [...at, 'maxEjectionPercent'], `${JSON.stringify(max)} is not a percentage from 0 to 100`);
  }
  // `outlierDetection: {}` turns ejection on with every default: so does an empty neutral one.
  if (Object.keys(v).length === 0) r.ledger.take(o, at);
  return Object.fromEntries(Object.entries(od).filter(([, x]) => x !== undefined));
}

function readBalancer(o: NativeObject, at: FieldPath, r: IstioReader): Obj | undefined {
  const lb = r.ledger.peek<Obj>(o, at);
  if (lb === undefined || !mappingAt(o, at, r)) return undefined;
  const unread = ['localityLbSetting', 'warmup', 'warmupDurationSecs'];
  r.rest(o, at, ['simple', 'consistentHash', ...unread], 'loadBalancer');
  for (const k of unread)
    if (lb[k] !== undefined)
      r.lost(o, [...at, k], `${k} (locality-aware balancing or slow start) has no neutral form`);
  if (lb.simple !== undefined) {
    const policy = SIMPLE[String(lb.simple)];
    if (policy) {
      r.ledger.take(o, [...at, 'simple']);
      return { policy };
    }
    if (lb.simple === 'UNSPECIFIED') r.ledger.take(o, [...at, 'simple']);
    else
      r.lost(
        o,
        [...at, 'simple'],
        `${JSON.stringify(lb.simple)} has no neutral form (roundRobin, leastRequest, random or consistentHash)`,
      );
    return undefined;
  }
  // `loadBalancer: {}` names no policy: Istio's default balancing, as with no loadBalancer.
  if (Object.keys(lb).length === 0) r.ledger.take(o, at);
  const hash = lb.consistentHash as Obj | undefined;
  const h = [...at, 'consistentHash'];
  if (hash === undefined || !mappingAt(o, h, r)) return undefined;
  const tuning = ['ringHash', 'maglev', 'minimumRingSize'];
  r.rest(o, h, ['httpHeaderName', 'httpCookie', 'useSourceIp', ...tuning], 'consistentHash');
  for (const k of tuning)
    if (hash[k] !== undefined)
      r.lost(o, [...h, k], `${k} tunes the hash ring, which the neutral consistentHash leaves to the mesh`);
  const keys = ['httpHeaderName', 'httpCookie', 'useSourceIp'].filter((k) => hash[k] !== undefined);
  if (keys.length !== 1) {
    r.lost(
      o,
      h,
      keys.length
        ? `several hash keys (${keys.join(', ')}): Istio takes one, and the CRD refuses more`
        : 'a consistent hash on no key (header, cookie or source IP) names nothing to hash on',
    );
    return undefined;
  }
  const key = keys[0]!;
  if (key === 'httpHeaderName' && typeof hash.httpHeaderName === 'string') {
    r.ledger.take(o, [...h, key]);
    return { policy: 'consistentHash', consistentHash: { header: hash.httpHeaderName } };
  }
  if (key === 'useSourceIp') {
    if (hash.useSourceIp !== true) {
      r.lost(o, [...h, key], 'useSourceIp false names no hash key');
      return undefined;
    }
    r.ledger.take(o, [...h, key]);
    return { policy: 'consistentHash', consistentHash: { sourceIP: true } };
  }
  return readCookie(o, [...h, 'httpCookie'], r);
}

/**
 * httpCookie: Envoy generates the cookie only when a ttl is given, 0s making it a session cookie
 * (backend.ts); without a ttl it only hashes a cookie the client sent, which the neutral cookie
 * (set by the proxy when missing) does not say.
 */
function readCookie(o: NativeObject, at: FieldPath, r: IstioReader): Obj | undefined {
  if (!mappingAt(o, at, r)) return undefined;
  const c = r.ledger.peek<Obj>(o, at) ?? {};
  r.rest(o, at, ['name', 'path', 'ttl'], 'httpCookie');
  if (typeof c.name !== 'string' || !c.name) {
    r.lost(o, at, 'a cookie without a name names no hash key');
    return undefined;
  }
  r.ledger.take(o, [...at, 'name']);
  const cookie: Obj = { name: c.name };
  if (typeof c.path === 'string') {
    r.ledger.take(o, [...at, 'path']);
    cookie.path = c.path;
  }
  if (c.ttl === undefined)
    r.changed(
      o,
      [...at, 'name'],
      'without a ttl Istio only hashes a cookie the client sends; the neutral cookie is also set by the proxy (a session cookie) when missing',
    );
  else {
    const ttl = neutralDuration(c.ttl);
    if (ttl === undefined)
      r.lost(o, [...at, 'ttl'], `${JSON.stringify(c.ttl)} is not a duration in whole milliseconds`);
    else {
      r.ledger.take(o, [...at, 'ttl']);
      if (ttl !== '0s') cookie.ttl = ttl;
    }
  }
  return { policy: 'consistentHash', consistentHash: { cookie } };
}

/** Every DestinationRule's traffic policies -> BackendPolicies (service-wide or one per port). */
export function importBackendPolicies(objects: readonly NativeObject[], r: IstioReader): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const o of objects.filter((x) => isKind(x, 'DestinationRule'))) {
    const tpAt = ['spec', 'trafficPolicy'];
    const tp = r.ledger.peek(o, tpAt);
    if (tp === undefined) continue;
    // An empty traffic policy (`{}`, or what a dropped null leaves) sets nothing: nothing is lost.
    if (isEmptyMapping(tp)) {
      r.ledger.take(o, tpAt);
      continue;
    }
    const host = r.ledger.peek<string>(o, ['spec', 'host']);
    const svc = typeof host !== 'string' ? undefined : serviceOfHost(host, o.namespace, r.ctx);
    // Hosts that are no Service are reported whole by readDestinationRules.
    if (!svc) continue;
    if (svc.namespace !== o.namespace) {
      // Istio applies it to callers in the rule's namespace (and where it is exported); a neutral
      // BackendPolicy lives in the service's namespace and holds for every caller.
      r.lost(
        o,
        tpAt,
        `a DestinationRule of namespace ${o.namespace} for Service ${svc.service} of namespace ${svc.namespace}: its traffic policy holds for callers in ${o.namespace}, while a neutral BackendPolicy lives in the service's namespace and holds for every caller`,
      );
      reportUnusedHost(o, r);
      continue;
    }
    const meta = takeMetadata(r.ledger, o);
    const top = readSettings(o, tpAt, r);
    const drafts: { port?: number; spec: Obj }[] = top ? [{ spec: top }] : [];
    const ports = r.ledger.peek<unknown>(o, [...tpAt, 'portLevelSettings']);
    if (Array.isArray(ports))
      ports.forEach((entry, i) => {
        const at = [...tpAt, 'portLevelSettings', i];
        const number = (entry as { port?: { number?: unknown } } | null)?.port?.number;
        if (typeof number !== 'number') {
          r.lost(o, at, 'a port entry without port.number names no port of the service');
          return;
        }
        const spec = readSettings(o, at, r);
        if (!spec) {
          // An entry of an HTTP/2 upgrade or a TCP idle timeout is read with the routing policy
          // (import-subsets.ts, the tcp routes), which takes or reports it whole; one whose
          // settings were all reported has nothing left its port could apply to.
          const elsewhere = Object.entries(READ_ELSEWHERE).some(([part, keys]) =>
            keys.some((k) => r.ledger.peek(o, [...at, 'connectionPool', part, k]) !== undefined),
          );
          if (!elsewhere)
            r.lost(
              o,
              [...at, 'port'],
              `no setting of the entry for port ${number} is imported (its fields say why)`,
            );
          return;
        }
        // The copy of the service-wide settings an HTTP/2 port entry carries (backend.ts) is the same.
        if (top && JSON.stringify(spec) === JSON.stringify(top)) {
          r.ledger.take(o, [...at, 'port']);
          return;
        }
        if (top) {
          r.lost(
            o,
            at,
            `settings for port ${number} replace the service-wide ones whole in Istio; neutral BackendPolicies of one service are either for every port or one per port`,
          );
          return;
        }
        r.ledger.take(o, [...at, 'port']);
        drafts.push({ port: number, spec });
      });
    else if (ports !== undefined)
      r.lost(o, [...tpAt, 'portLevelSettings'], 'portLevelSettings is not a list');
    if (!drafts.length) {
      reportUnusedHost(o, r);
      continue;
    }
    r.ledger.take(o, ['spec', 'host']);
    const own = (meta.sources ?? []).filter((s) => s.kind === 'BackendPolicy');
    for (const d of drafts) {
      // What anymesh made names its policy; several for one host are told apart by port.
      const src = own.length === 1 && drafts.length === 1 ? own[0] : undefined;
      const base = src?.name ?? meta.name;
      const name = src || d.port === undefined || drafts.length === 1 ? base : `${base}-${d.port}`;
      const spec: Obj = {
        service: svc.service,
        ...(d.port !== undefined ? { port: d.port } : {}),
        ...d.spec,
      };
      out.push(
        neutralPolicy(
          'BackendPolicy',
          neutralMetadata(name, o.namespace, meta.sources ? undefined : meta),
          spec,
          [o.ref],
        ),
      );
    }
  }
  return out;
}

/**
 * The host of a DestinationRule nothing was imported from. The readers that run before this one
 * take it where they import something (subsets and HTTP/2 upgrades in import-subsets.ts, a TCP
 * idle timeout in import-tcp.ts); untaken, it names a host no neutral policy comes from.
 */
function reportUnusedHost(o: NativeObject, r: IstioReader): void {
  if (r.ledger.marked(o, ['spec', 'host'])) return;
  r.lost(o, ['spec', 'host'], 'nothing of this DestinationRule is imported (its fields say why)');
}
