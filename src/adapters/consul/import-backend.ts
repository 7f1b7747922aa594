/**
 * Consul -> BackendPolicy: the destination's ServiceResolver (`connectTimeout`, `loadBalancer`), its
 * ServiceDefaults `rateLimits.instanceLevel`, and the limits and passive health checks a caller's
 * ServiceDefaults sets for one upstream (`upstreamConfig.overrides[]`).
 *
 * Field meanings: the consul-k8s v2.0.3 CRDs (shared/crds/consul) and Consul's service-resolver and
 * service-defaults references (LoadBalancer.Policy round_robin, least_request, random, ring_hash,
 * maglev; HashPolicies tried in order; CookieConfig.Session a session cookie; UpstreamConfig
 * Limits and PassiveHealthCheck). Upstream settings are the caller's, while a BackendPolicy holds
 * for every caller: imported, and reported as such (AM4361).
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { neutralDuration, neutralMetadata, neutralPolicy } from '../kit/import-kit.js';
import { type ConsulReader, isKind, type Obj, sameNamespace } from './import-reader.js';

const POLICY: Record<string, string> = {
  round_robin: 'roundRobin',
  least_request: 'leastRequest',
  random: 'random',
  ring_hash: 'consistentHash',
  maglev: 'consistentHash',
};

interface Draft {
  name: string;
  namespace: string;
  service: string;
  spec: Obj;
  from: Set<string>;
  meta?: ReturnType<ConsulReader['meta']>;
}

export function importBackend(
  objects: readonly NativeObject[],
  r: ConsulReader,
  http: Set<string>,
): ImportedPolicy[] {
  const drafts = new Map<string, Draft>();
  const draft = (o: NativeObject, service: string, namespace: string, own: boolean): Draft => {
    const k = `${namespace}/${service}`;
    let d = drafts.get(k);
    const src = own ? r.sources(o, 'BackendPolicy')[0] : undefined;
    if (!d) {
      d = { name: src?.name ?? service, namespace, service, spec: { service }, from: new Set() };
      if (own && !src) d.meta = r.meta(o);
      drafts.set(k, d);
    } else if (src) d.name = src.name;
    d.from.add(o.ref);
    return d;
  };
  for (const o of objects.filter((x) => isKind(x, 'ServiceResolver'))) {
    const service = r.meta(o).name;
    const timeout = r.ledger.peek<string>(o, ['spec', 'connectTimeout']);
    const lb = r.ledger.peek<Obj>(o, ['spec', 'loadBalancer']);
    let limits: Obj | undefined;
    if (timeout !== undefined) {
      const t = neutralDuration(timeout);
      if (timeout === '' || t === '0s') r.ledger.take(o, ['spec', 'connectTimeout']);
      else if (t === undefined)
        r.lost(
          o,
          ['spec', 'connectTimeout'],
          `duration ${JSON.stringify(timeout)} is not whole milliseconds`,
        );
      else {
        r.ledger.take(o, ['spec', 'connectTimeout']);
        limits = { connectTimeout: t };
      }
    }
    const balancer = lb ? loadBalancer(o, r) : undefined;
    if (!limits && !balancer) continue;
    const d = draft(o, service, o.namespace, true);
    if (limits) d.spec.connectionLimits = { ...(d.spec.connectionLimits as Obj | undefined), ...limits };
    if (balancer) {
      d.spec.loadBalancer = balancer;
      const hash = balancer.consistentHash as Obj | undefined;
      if (hash?.header !== undefined || hash?.cookie) http.add(`${o.namespace}/${service}`);
    }
  }
  for (const o of objects.filter((x) => isKind(x, 'ServiceDefaults'))) {
    const service = r.meta(o).name;
    const rate = r.ledger.peek<Obj>(o, ['spec', 'rateLimits']);
    if (rate) {
      r.rest(o, ['spec', 'rateLimits'], ['instanceLevel'], 'rateLimits');
      const il = r.ledger.peek<Obj>(o, ['spec', 'rateLimits', 'instanceLevel']);
      if (il) {
        r.rest(
          o,
          ['spec', 'rateLimits', 'instanceLevel'],
          ['requestsPerSecond', 'requestsMaxBurst'],
          'instanceLevel',
        );
        const rps = r.ledger.take<number>(o, ['spec', 'rateLimits', 'instanceLevel', 'requestsPerSecond']);
        const burst = r.ledger.take<number>(o, ['spec', 'rateLimits', 'instanceLevel', 'requestsMaxBurst']);
        if (rps && rps >= 1) {
          const d = draft(o, service, o.namespace, true);
          d.spec.rateLimit = {
            requestsPerSecond: rps,
            ...(burst !== undefined && burst > 0 ? { burst } : {}),
          };
          http.add(`${o.namespace}/${service}`);
        }
      }
    }
    upstreams(o, r, draft);
  }
  return [...drafts.values()].map((d) =>
    neutralPolicy('BackendPolicy', neutralMetadata(d.name, d.namespace, d.meta), order(d.spec), [...d.from]),
  );
}

function order(spec: Obj): Obj {
  const out: Obj = {};
  for (const k of ['service', 'outlierDetection', 'connectionLimits', 'loadBalancer', 'rateLimit'])
    if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}

function loadBalancer(o: NativeObject, r: ConsulReader): Obj | undefined {
  const at: FieldPath = ['spec', 'loadBalancer'];
  r.rest(o, at, ['policy', 'hashPolicies', 'ringHashConfig', 'leastRequestConfig'], 'loadBalancer');
  for (const cfg of ['ringHashConfig', 'leastRequestConfig'])
    if (r.ledger.peek(o, [...at, cfg]) !== undefined)
      r.lost(o, [...at, cfg], `${cfg} tunes the balancer; the neutral load balancer has no such settings`);
  const policy = r.ledger.peek<string>(o, [...at, 'policy']);
  const neutral = policy ? POLICY[policy] : undefined;
  if (!neutral) {
    if (policy === undefined || policy === '') r.ledger.take(o, at);
    else r.lost(o, [...at, 'policy'], `load balancer policy ${policy} has no neutral form`);
    return undefined;
  }
  if (policy === 'maglev')
    r.changed(
      o,
      [...at, 'policy'],
      'maglev becomes consistentHash (a ring hash where the mesh has no maglev)',
    );
  else r.ledger.take(o, [...at, 'policy']);
  const hashes = r.ledger.peek<Obj[]>(o, [...at, 'hashPolicies']) ?? [];
  if (neutral !== 'consistentHash') {
    if (hashes.length) r.lost(o, [...at, 'hashPolicies'], `hash policies mean nothing to ${policy}`);
    return { policy: neutral };
  }
  if (!hashes.length) {
    r.lost(
      o,
      at,
      `${policy} without hash policies hashes nothing (Envoy picks at random); a neutral consistentHash names what it hashes`,
    );
    return undefined;
  }
  hashes
    .slice(1)
    .forEach((_, i) =>
      r.lost(
        o,
        [...at, 'hashPolicies', i + 1],
        'a neutral consistent hash has one input; further hash policies are left out',
      ),
    );
  const h: FieldPath = [...at, 'hashPolicies', 0];
  const hp = hashes[0]!;
  r.rest(o, h, ['field', 'fieldValue', 'cookieConfig', 'sourceIP', 'terminal'], 'hash policy');
  r.takeDefault(
    o,
    [...h, 'terminal'],
    (v) => v === false || hashes.length === 1,
    'terminal stops at the first hash that applies; the neutral hash has one input',
  );
  let hash: Obj | undefined;
  if (hp.sourceIP === true && !hp.field) {
    r.ledger.take(o, [...h, 'sourceIP']);
    hash = { sourceIP: true };
  } else if (hp.field === 'header' && typeof hp.fieldValue === 'string') {
    r.ledger.take(o, [...h, 'field']);
    r.ledger.take(o, [...h, 'fieldValue']);
    hash = { header: hp.fieldValue };
  } else if (hp.field === 'cookie' && typeof hp.fieldValue === 'string') {
    r.ledger.take(o, [...h, 'field']);
    r.ledger.take(o, [...h, 'fieldValue']);
    const c: FieldPath = [...h, 'cookieConfig'];
    const cfg = r.ledger.peek<Obj>(o, c) ?? {};
    r.rest(o, c, ['ttl', 'path', 'session'], 'cookieConfig');
    const cookie: Obj = { name: hp.fieldValue };
    const ttl =
      typeof cfg.ttl === 'string' && cfg.ttl !== '' && cfg.ttl !== '0s'
        ? neutralDuration(cfg.ttl)
        : undefined;
    if (cfg.session === true || ttl === undefined) {
      if (cfg.session === true) r.ledger.take(o, [...c, 'session']);
      else
        r.changed(
          o,
          ttl === undefined && cfg.ttl !== undefined ? [...c, 'ttl'] : h,
          'without session or a ttl the proxy hashes the cookie but never sets it; the neutral cookie is set (as a session cookie) when missing',
        );
      if (cfg.ttl !== undefined && cfg.session === true)
        r.lost(o, [...c, 'ttl'], 'a ttl beside session: true');
    } else {
      r.ledger.take(o, [...c, 'ttl']);
      cookie.ttl = ttl;
      if (cfg.session !== undefined) r.ledger.take(o, [...c, 'session']);
    }
    if (typeof cfg.path === 'string' && cfg.path !== '') {
      r.ledger.take(o, [...c, 'path']);
      cookie.path = cfg.path;
    } else if (cfg.path !== undefined) r.ledger.take(o, [...c, 'path']);
    if (!Object.keys(cfg).length && r.ledger.peek(o, c) !== undefined) r.ledger.take(o, c);
    hash = { cookie };
  } else {
    r.lost(
      o,
      h,
      'a hash policy on something other than a header, a cookie or the source IP (e.g. a query parameter)',
    );
    return undefined;
  }
  return { policy: 'consistentHash', consistentHash: hash };
}

/**
 * A caller's `upstreamConfig.overrides[]`: limits, passive health checks and connect timeout for
 * one destination, which a BackendPolicy of that destination says for every caller.
 */
function upstreams(
  o: NativeObject,
  r: ConsulReader,
  draft: (o: NativeObject, service: string, namespace: string, own: boolean) => Draft,
): void {
  const at: FieldPath = ['spec', 'upstreamConfig'];
  if (r.ledger.peek(o, at) === undefined) return;
  const caller = r.meta(o).name;
  r.rest(
    o,
    at,
    ['overrides'],
    'upstreamConfig (defaults for every upstream of one caller have no neutral form)',
  );
  (r.ledger.peek<Obj[]>(o, [...at, 'overrides']) ?? []).forEach((u, i) => {
    const ua: FieldPath = [...at, 'overrides', i];
    r.rest(
      o,
      ua,
      ['name', 'namespace', 'limits', 'passiveHealthCheck', 'connectTimeoutMs'],
      'upstream override',
    );
    const name = u.name as string | undefined;
    if (!name || !sameNamespace(r, o, u.namespace)) {
      r.lost(o, ua, 'an override without a destination of this namespace');
      return;
    }
    const spec: Obj = {};
    const limits: Obj = {};
    const l = (u.limits as Obj | undefined) ?? {};
    r.rest(o, [...ua, 'limits'], ['maxConnections', 'maxPendingRequests', 'maxConcurrentRequests'], 'limits');
    for (const [from, to] of [
      ['maxConnections', 'maxConnections'],
      ['maxPendingRequests', 'maxPendingRequests'],
      ['maxConcurrentRequests', 'maxRequests'],
    ] as const)
      if (typeof l[from] === 'number' && (l[from] as number) >= 1) limits[to] = l[from];
    if (typeof u.connectTimeoutMs === 'number' && u.connectTimeoutMs > 0)
      limits.connectTimeout = `${u.connectTimeoutMs}ms`;
    const p = (u.passiveHealthCheck as Obj | undefined) ?? {};
    const pa: FieldPath = [...ua, 'passiveHealthCheck'];
    r.rest(
      o,
      pa,
      ['interval', 'maxFailures', 'enforcingConsecutive5xx', 'maxEjectionPercent', 'baseEjectionTime'],
      'passiveHealthCheck',
    );
    const od: Obj = {};
    if (typeof p.maxFailures === 'number' && p.maxFailures >= 1) od.consecutiveErrors = p.maxFailures;
    const interval = neutralDuration(p.interval);
    if (interval) od.interval = interval;
    const base = neutralDuration(p.baseEjectionTime);
    if (base) od.baseEjectionTime = base;
    if (typeof p.maxEjectionPercent === 'number') od.maxEjectionPercent = p.maxEjectionPercent;
    if (p.enforcingConsecutive5xx !== undefined && p.enforcingConsecutive5xx !== 100)
      r.lost(
        o,
        [...pa, 'enforcingConsecutive5xx'],
        `ejecting only ${String(p.enforcingConsecutive5xx)}% of the time a limit is reached has no neutral form`,
      );
    else if (p.enforcingConsecutive5xx !== undefined) r.ledger.take(o, [...pa, 'enforcingConsecutive5xx']);
    if (Object.keys(od).length) spec.outlierDetection = od;
    if (Object.keys(limits).length) spec.connectionLimits = limits;
    if (!Object.keys(spec).length) {
      r.lost(o, ua, 'an override without a setting the neutral model has');
      return;
    }
    r.changed(
      o,
      ua,
      `caller ${caller}'s settings for ${name} become a BackendPolicy for ${name}, which holds for every caller`,
    );
    const d = draft(o, name, o.namespace, false);
    for (const [k, v] of Object.entries(spec))
      d.spec[k] = { ...(d.spec[k] as Obj | undefined), ...(v as Obj) };
  });
}
