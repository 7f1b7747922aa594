/**
 * One VirtualService HTTP route -> one neutral rule (destinations, timeout, retries, fault,
 * mirror, headers, CORS) and its match entries, whose policy-wide parts (callers, port) are
 * factored per policy by import-routing.ts. Fields with no neutral form are reported.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { GRPC_CODES, HTTP_METHODS, RETRY_ON } from '../../core/model/schema.js';
import { neutralDuration, serviceOfHost } from '../kit/import-kit.js';
import type { IstioReader, Obj } from './import-reader.js';
import { type PendingUri, readRedirect, readRewrite } from './import-redirect.js';
import type { Subsets } from './import-subsets.js';

/** Where a match entry applies: the policy-wide parts of an Istio match. */
export interface Scope {
  labels?: Record<string, string>;
  namespace?: string;
  port?: number;
}

export interface Entry {
  readonly match: Obj;
  readonly scope: Scope;
  readonly path: FieldPath;
}

export interface RouteIR {
  readonly vs: NativeObject;
  readonly index: number;
  readonly name?: string;
  /** undefined: the route has no match (every request). */
  readonly entries?: Entry[];
  readonly rule: Obj;
  /** Destinations to self, with the path of their port (checked against spec.port later). */
  readonly selfPorts: { port: number; path: FieldPath }[];
  readonly subsets: string[];
  /** A rewrite.uri, finished under the factored matches (import-redirect.ts rewritePath). */
  readonly rewriteUri?: PendingUri;
  /** Whether the route rewrites the path (such a policy stays HTTP: import-grpc.ts). */
  readonly rewritesPath?: boolean;
}

export function readRoute(
  vs: NativeObject,
  index: number,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
): RouteIR | undefined {
  const base: FieldPath = ['spec', 'http', index];
  const route = r.ledger.peek<Obj>(vs, base)!;
  for (const k of ['delegate', 'directResponse']) {
    if (route[k] !== undefined) {
      r.lost(vs, base, `a route with ${k} has no neutral form (neutral rules route to services)`);
      return undefined;
    }
  }
  r.rest(
    vs,
    base,
    [
      'name',
      'match',
      'route',
      'redirect',
      'rewrite',
      'timeout',
      'retries',
      'fault',
      'mirror',
      'mirrorPercentage',
      'mirrorPercent',
      'mirror_percent',
      'mirrors',
      'headers',
      'corsPolicy',
    ],
    'route',
  );
  const rule: Obj = {};
  const selfPorts: RouteIR['selfPorts'] = [];
  const used: string[] = [];
  let rewriteUri: PendingUri | undefined;
  if (route.redirect !== undefined) {
    // istiod answers with the redirect and forwards nothing (route.go ApplyRedirect): what is
    // about forwarding has no effect there.
    const redirect = readRedirect(vs, base, r);
    if (!redirect) {
      r.lost(vs, base, 'the redirect cannot be imported (see above), so the route is left out');
      return undefined;
    }
    rule.redirect = redirect;
    for (const k of ['route', 'rewrite', 'timeout', 'retries', 'mirror', 'mirrors', 'mirrorPercentage'])
      if (route[k] !== undefined)
        r.lost(vs, [...base, k], `${k} has no effect on a route that redirects (istiod forwards nothing)`);
  } else {
    const backends = readBackends(base, vs, [...base, 'route'], self, subsets, r, selfPorts, used);
    if (!backends) return undefined;
    if (backends.length) rule.backends = backends;
    const rewrite = readRewrite(vs, base, r);
    if (rewrite) {
      if (Object.keys(rewrite.rewrite).length) rule.rewrite = rewrite.rewrite;
      rewriteUri = rewrite.uri;
    }
  }
  if (!rule.redirect) {
    timeoutOf(vs, base, rule, r);
    retriesOf(vs, base, rule, r);
    mirrorOf(vs, base, rule, self, subsets, r, used, selfPorts);
  }
  faultOf(vs, base, rule, r);
  const headers = r.ledger.peek<Obj>(vs, [...base, 'headers']);
  if (headers) {
    r.rest(vs, [...base, 'headers'], ['request', 'response'], 'headers');
    for (const which of ['request', 'response'] as const) {
      const ops = r.ledger.peek<Obj>(vs, [...base, 'headers', which]);
      if (!ops) continue;
      r.rest(vs, [...base, 'headers', which], ['set', 'add', 'remove'], 'header operation');
      const out: Obj = {};
      for (const op of ['set', 'add', 'remove'])
        if (ops[op] !== undefined) out[op] = r.ledger.take(vs, [...base, 'headers', which, op]);
      if (Object.keys(out).length) rule[`${which}Headers`] = out;
    }
  }
  corsOf(vs, base, rule, r);
  // Matches last: their scope parts are factored per policy.
  const matches = r.ledger.peek<Obj[]>(vs, [...base, 'match']);
  // `match: []` matches every request, as no match does (istiod: a route without match
  // conditions is a catch-all): taken, and read as no entries at all.
  if (matches?.length === 0) r.ledger.take(vs, [...base, 'match']);
  const entries = matches?.length
    ? matches.map((_, j) => readMatch(vs, [...base, 'match', j], r))
    : undefined;
  const name = r.ledger.peek<string>(vs, [...base, 'name']);
  if (name !== undefined) r.ledger.take(vs, [...base, 'name']);
  return {
    vs,
    index,
    ...(name !== undefined ? { name } : {}),
    ...(entries ? { entries } : {}),
    rule,
    selfPorts,
    subsets: used,
    ...(rewriteUri ? { rewriteUri } : {}),
    rewritesPath: rewriteUri !== undefined || (rule.rewrite as Obj | undefined)?.path !== undefined,
  };
}

/**
 * A route's destinations (`route[]` of an http or tcp route) as neutral backends: [] for one
 * destination to the service itself (the neutral default; its port goes to `selfPorts`), or
 * undefined when one cannot be imported or the weights do not sum to 100 (reported, and the whole
 * route at `route` reported as left out).
 */
export function readBackends(
  route: FieldPath,
  ...args: Parameters<typeof readDestinations>
): Obj[] | undefined {
  const backends = readDestinations(...args);
  const [vs, , , , r] = args;
  if (!backends)
    r.lost(vs, route, 'a destination of this route cannot be imported (see above), so the route is left out');
  return backends;
}

function readDestinations(
  vs: NativeObject,
  at: FieldPath,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
  selfPorts: RouteIR['selfPorts'],
  used: string[],
): Obj[] | undefined {
  const given = r.ledger.peek<unknown>(vs, at);
  if (given !== undefined && !Array.isArray(given)) {
    r.lost(vs, at, 'route is not a list of destinations');
    return undefined;
  }
  const dests = (given as Obj[] | undefined) ?? [];
  const backends: Obj[] = [];
  let failed = false;
  dests.forEach((_d, i) => {
    const dat = [...at, i];
    r.rest(vs, dat, ['destination', 'weight'], 'route destination');
    const b = readDestination(vs, [...dat, 'destination'], self, subsets, r, selfPorts, used);
    if (!b) {
      failed = true;
      return;
    }
    if (dests.length > 1) {
      const w = r.ledger.take<number>(vs, [...dat, 'weight']);
      b.weight = w ?? 0;
    } else {
      const w = r.ledger.peek<number>(vs, [...dat, 'weight']);
      if (w === undefined || w === 100) r.ledger.take(vs, [...dat, 'weight']);
      else
        r.changed(
          vs,
          [...dat, 'weight'],
          `a single destination takes all traffic whatever its weight (${w})`,
        );
    }
    backends.push(b);
  });
  if (failed) return undefined;
  if (dests.length > 1) {
    const sum = backends.reduce((n, b) => n + (b.weight as number), 0);
    if (sum !== 100) {
      r.lost(vs, at, `the weights sum to ${sum}; neutral weights sum to 100`);
      return undefined;
    }
  }
  // One destination, the service itself: the neutral default (no backends), whose port is spec.port.
  const lone = backends.length === 1 ? backends[0]! : undefined;
  const onlySelf = lone?.service === self.service && lone.namespace === undefined;
  if (onlySelf && lone.port !== undefined)
    selfPorts.push({ port: lone.port as number, path: [...at, 0, 'destination', 'port', 'number'] });
  return onlySelf ? [] : backends;
}

export function readDestination(
  vs: NativeObject,
  at: FieldPath,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
  selfPorts: RouteIR['selfPorts'],
  used: string[],
): Obj | undefined {
  r.rest(vs, at, ['host', 'subset', 'port'], 'destination');
  const host = r.ledger.peek<string>(vs, [...at, 'host']);
  const svc = typeof host !== 'string' ? undefined : serviceOfHost(host, vs.namespace, r.ctx);
  if (!svc) {
    r.lost(vs, [...at, 'host'], `host ${host} is not a Service of this cluster`);
    return undefined;
  }
  r.ledger.take(vs, [...at, 'host']);
  const port = r.ledger.peek<number>(vs, [...at, 'port', 'number']);
  r.rest(vs, [...at, 'port'], ['number'], 'destination port');
  const subset = r.ledger.peek<string>(vs, [...at, 'subset']);
  if (svc.service === self.service && svc.namespace === self.namespace) {
    if (subset === undefined) {
      // The service itself without a subset: a service backend (its port is the backend's own).
      if (port !== undefined) r.ledger.take(vs, [...at, 'port', 'number']);
      return { service: self.service, ...(port !== undefined ? { port } : {}) };
    }
    if (port !== undefined) selfPorts.push({ port, path: [...at, 'port', 'number'] });
    if (!subsets?.versions.has(subset)) {
      r.lost(vs, [...at, 'subset'], `subset ${subset} is not defined by a DestinationRule for ${host}`);
      return undefined;
    }
    r.ledger.take(vs, [...at, 'subset']);
    used.push(subset);
    return { version: subset };
  }
  if (subset !== undefined) {
    r.lost(
      vs,
      [...at, 'subset'],
      `subset ${subset} of another service: a neutral backend names a whole service`,
    );
    return undefined;
  }
  if (port !== undefined) r.ledger.take(vs, [...at, 'port', 'number']);
  return {
    service: svc.service,
    ...(svc.namespace !== self.namespace ? { namespace: svc.namespace } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function durationField(vs: NativeObject, at: FieldPath, r: IstioReader): string | undefined {
  const v = r.ledger.peek<string>(vs, at);
  if (v === undefined) return undefined;
  const d = neutralDuration(v);
  if (d === undefined)
    r.lost(vs, at, `duration ${JSON.stringify(v)} is not one anymesh can express (whole milliseconds)`);
  else r.ledger.take(vs, at);
  return d;
}

function timeoutOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const t = durationField(vs, [...base, 'timeout'], r);
  if (t !== undefined) rule.timeout = t;
}

function retriesOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'retries'];
  const retries = r.ledger.peek<Obj>(vs, at);
  if (!retries) return;
  r.rest(vs, at, ['attempts', 'perTryTimeout', 'retryOn', 'backoff'], 'retries');
  const attempts = r.ledger.peek<number>(vs, [...at, 'attempts']);
  if (!attempts || attempts < 1) {
    r.lost(
      vs,
      at,
      'retries with attempts 0 turn retries off; a neutral policy without retries keeps the mesh default',
    );
    return;
  }
  r.ledger.take(vs, [...at, 'attempts']);
  const out: Obj = { attempts };
  const perTry = durationField(vs, [...at, 'perTryTimeout'], r);
  if (perTry !== undefined) out.perTryTimeout = perTry;
  const on = r.ledger.peek<string>(vs, [...at, 'retryOn']);
  if (on !== undefined) {
    const conditions = on
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const known = conditions.filter(
      (c) => (RETRY_ON as readonly string[]).includes(c) || /^[1-5]\d\d$/.test(c),
    );
    const unknown = conditions.filter((c) => !known.includes(c));
    if (unknown.length)
      r.changed(
        vs,
        [...at, 'retryOn'],
        `retry conditions ${unknown.join(', ')} have no neutral form and are left out`,
      );
    else r.ledger.take(vs, [...at, 'retryOn']);
    if (known.length) out.retryOn = known;
  }
  const backoff = durationField(vs, [...at, 'backoff'], r);
  if (backoff !== undefined) out.backoff = { base: backoff };
  rule.retries = out;
}

function percentageOf(vs: NativeObject, at: FieldPath, r: IstioReader): number | undefined {
  const value = r.ledger.peek<number>(vs, [...at, 'percentage', 'value']);
  if (value !== undefined) {
    r.rest(vs, [...at, 'percentage'], ['value'], 'percentage');
    r.ledger.take(vs, [...at, 'percentage', 'value']);
    return value;
  }
  const percent = r.ledger.peek<number>(vs, [...at, 'percent']);
  if (percent !== undefined) r.ledger.take(vs, [...at, 'percent']);
  return percent;
}

function faultOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'fault'];
  const fault = r.ledger.peek<Obj>(vs, at);
  if (!fault) return;
  r.rest(vs, at, ['delay', 'abort'], 'fault');
  const out: Obj = {};
  if (fault.delay) {
    const d = [...at, 'delay'];
    r.rest(vs, d, ['fixedDelay', 'percentage', 'percent'], 'fault delay');
    const duration = durationField(vs, [...d, 'fixedDelay'], r);
    const percentage = percentageOf(vs, d, r);
    if (duration !== undefined && percentage !== undefined) out.delay = { duration, percentage };
    else if (duration !== undefined) r.lost(vs, d, 'a delay without a percentage');
  }
  if (fault.abort) {
    const a = [...at, 'abort'];
    r.rest(vs, a, ['httpStatus', 'grpcStatus', 'percentage', 'percent'], 'fault abort');
    const status = r.ledger.take<number>(vs, [...a, 'httpStatus']);
    const grpc = r.ledger.peek<string>(vs, [...a, 'grpcStatus']);
    if (grpc !== undefined && !(GRPC_CODES as readonly string[]).includes(grpc))
      r.lost(vs, [...a, 'grpcStatus'], `gRPC status ${grpc} is not a gRPC code name`);
    else if (grpc !== undefined) r.ledger.take(vs, [...a, 'grpcStatus']);
    const percentage = percentageOf(vs, a, r);
    const ok =
      status !== undefined || (grpc !== undefined && (GRPC_CODES as readonly string[]).includes(grpc));
    if (ok && percentage !== undefined)
      out.abort = { ...(status !== undefined ? { status } : { grpcStatus: grpc }), percentage };
    else if (ok) r.lost(vs, a, 'an abort without a percentage');
  }
  if (Object.keys(out).length) rule.fault = out;
}

function mirrorOf(
  vs: NativeObject,
  base: FieldPath,
  rule: Obj,
  self: { service: string; namespace: string },
  subsets: Subsets | undefined,
  r: IstioReader,
  used: string[],
  selfPorts: RouteIR['selfPorts'],
): void {
  const mirrors = r.ledger.peek<Obj[]>(vs, [...base, 'mirrors']);
  if (mirrors?.length) {
    mirrors
      .slice(1)
      .forEach((_, i) =>
        r.lost(
          vs,
          [...base, 'mirrors', i + 1],
          'a neutral rule mirrors to one backend; further mirrors are left out',
        ),
      );
    const at = [...base, 'mirrors', 0];
    r.rest(vs, at, ['destination', 'percentage'], 'mirror');
    const backend = readDestination(vs, [...at, 'destination'], self, subsets, r, selfPorts, used);
    const percentage = percentageOf(vs, at, r);
    if (backend) rule.mirror = { backend, ...(percentage !== undefined ? { percentage } : {}) };
    return;
  }
  if (r.ledger.peek(vs, [...base, 'mirror'])) {
    const backend = readDestination(vs, [...base, 'mirror'], self, subsets, r, selfPorts, used);
    let percentage = r.ledger.take<number>(vs, [...base, 'mirrorPercentage', 'value']);
    r.rest(vs, [...base, 'mirrorPercentage'], ['value'], 'mirrorPercentage');
    for (const legacy of ['mirrorPercent', 'mirror_percent'])
      percentage ??= r.ledger.take<number>(vs, [...base, legacy]);
    if (backend) rule.mirror = { backend, ...(percentage !== undefined ? { percentage } : {}) };
  }
}

function corsOf(vs: NativeObject, base: FieldPath, rule: Obj, r: IstioReader): void {
  const at = [...base, 'corsPolicy'];
  const cors = r.ledger.peek<Obj>(vs, at);
  if (!cors) return;
  r.rest(
    vs,
    at,
    [
      'allowOrigins',
      'allowOrigin',
      'allowMethods',
      'allowHeaders',
      'exposeHeaders',
      'maxAge',
      'allowCredentials',
    ],
    'corsPolicy',
  );
  const origins: Obj[] = [];
  (r.ledger.peek<Obj[]>(vs, [...at, 'allowOrigins']) ?? []).forEach((_o, i) => {
    const m = stringMatch(vs, [...at, 'allowOrigins', i], r, ['exact', 'prefix', 'regex']);
    if (m) origins.push(m);
  });
  (r.ledger.peek<string[]>(vs, [...at, 'allowOrigin']) ?? []).forEach((o, i) => {
    r.ledger.take(vs, [...at, 'allowOrigin', i]);
    origins.push({ exact: o });
  });
  if (!origins.length) {
    r.lost(vs, at, 'a CORS policy without allowed origins');
    return;
  }
  const out: Obj = { allowOrigins: origins };
  for (const k of ['allowMethods', 'allowHeaders', 'exposeHeaders', 'allowCredentials']) {
    const v = r.ledger.take(vs, [...at, k]);
    if (v !== undefined) out[k] = v;
  }
  const maxAge = durationField(vs, [...at, 'maxAge'], r);
  if (maxAge !== undefined) out.maxAge = maxAge;
  rule.cors = out;
}

/** An Istio StringMatch in the kinds the neutral field allows, or undefined (reported). */
function stringMatch(
  vs: NativeObject,
  at: FieldPath,
  r: IstioReader,
  kinds: readonly string[],
): Obj | undefined {
  const m = r.ledger.peek<Obj>(vs, at) ?? {};
  const keys = Object.keys(m);
  if (keys.length !== 1 || !kinds.includes(keys[0]!)) {
    r.lost(
      vs,
      at,
      `a ${keys.join('/') || 'empty'} match; the neutral field takes one of ${kinds.join(', ')}`,
    );
    return undefined;
  }
  r.ledger.take(vs, at);
  return { [keys[0]!]: m[keys[0]!] };
}

function readMatch(vs: NativeObject, at: FieldPath, r: IstioReader): Entry {
  r.rest(
    vs,
    at,
    ['uri', 'method', 'headers', 'queryParams', 'port', 'sourceLabels', 'sourceNamespace', 'ignoreUriCase'],
    'match',
  );
  const m = r.ledger.peek<Obj>(vs, at)!;
  // An empty entry matches every request, as the neutral empty match does.
  if (!Object.keys(m).length) r.ledger.take(vs, at);
  const match: Obj = {};
  if (m.uri !== undefined) {
    const path = stringMatch(vs, [...at, 'uri'], r, ['exact', 'prefix', 'regex']);
    if (path) match.path = path;
  }
  if (m.ignoreUriCase === true)
    r.changed(
      vs,
      [...at, 'ignoreUriCase'],
      'neutral path matches are case-sensitive, so /API no longer matches /api',
    );
  else if (m.ignoreUriCase !== undefined) r.ledger.take(vs, [...at, 'ignoreUriCase']);
  if (m.method !== undefined) {
    const method = (m.method as Obj).exact;
    if (
      typeof method === 'string' &&
      (HTTP_METHODS as readonly string[]).includes(method) &&
      Object.keys(m.method as Obj).length === 1
    ) {
      r.ledger.take(vs, [...at, 'method']);
      match.method = method;
    } else r.lost(vs, [...at, 'method'], 'a method match other than an exact HTTP method');
  }
  const headers: Obj[] = [];
  for (const [name, v] of Object.entries((m.headers as Obj | undefined) ?? {})) {
    const hat = [...at, 'headers', name];
    if (v && typeof v === 'object' && Object.keys(v).length === 0) {
      r.ledger.take(vs, hat);
      headers.push({ name, present: true });
    } else {
      const sm = stringMatch(vs, hat, r, ['exact', 'prefix', 'regex']);
      if (sm) headers.push({ name, ...sm });
    }
  }
  if (headers.length) match.headers = headers;
  const params: Obj[] = [];
  for (const [name, v] of Object.entries((m.queryParams as Obj | undefined) ?? {})) {
    const qat = [...at, 'queryParams', name];
    if ((v as Obj)?.regex === '.*' && Object.keys(v as Obj).length === 1) {
      r.ledger.take(vs, qat);
      params.push({ name, present: true });
    } else {
      const sm = stringMatch(vs, qat, r, ['exact', 'regex']);
      if (sm) params.push({ name, ...sm });
    }
  }
  if (params.length) match.queryParams = params;
  const scope: Scope = {};
  if (m.sourceLabels !== undefined) scope.labels = m.sourceLabels as Record<string, string>;
  if (m.sourceNamespace !== undefined) scope.namespace = m.sourceNamespace as string;
  if (m.port !== undefined) scope.port = m.port as number;
  return { match, scope, path: at };
}
