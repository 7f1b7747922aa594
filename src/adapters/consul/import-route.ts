/**
 * One ServiceRouter route -> a neutral rule (destination, timeout, retries, header changes) and its
 * match entries. Field meanings are Consul's service-router reference
 * (developer.hashicorp.com/consul/docs/connect/config-entries/service-router): an empty
 * `destination.service` is the router's own service; `methods` are ORed and everything else in a
 * match is ANDed; `numRetries` without any condition retries nothing (Consul hands Envoy an empty
 * retry_on, agent/xds/routes.go in v1.16.3); conditions without `numRetries` keep Envoy's one retry.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { HTTP_METHODS, RETRY_ON } from '../../core/model/schema.js';
import { neutralDuration } from '../kit/import-kit.js';
import type { ConsulReader, Obj } from './import-reader.js';

/** Escapes RE2 metacharacters, for a suffix match written as a regex. */
export function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A route's match -> neutral match entries (one per method), undefined for a catch-all, or null when
 * a condition has no neutral form (reported): imported without it the route would take requests it
 * did not, ahead of the routes after it, so the caller leaves the route out.
 */
export function readMatch(
  o: NativeObject,
  base: FieldPath,
  r: ConsulReader,
  protocol: 'http' | 'http2' | 'grpc' = 'http',
): Obj[] | undefined | null {
  const at = [...base, 'match'];
  const match = r.ledger.peek<Obj>(o, at);
  if (match === undefined) return undefined;
  r.rest(o, at, ['http'], 'match');
  const http = r.ledger.peek<Obj>(o, [...at, 'http']);
  if (!http || !Object.keys(http).length) {
    r.ledger.take(o, at);
    return undefined;
  }
  const h = [...at, 'http'];
  r.rest(
    o,
    h,
    ['pathExact', 'pathPrefix', 'pathRegex', 'methods', 'header', 'queryParam', 'caseInsensitive'],
    'match.http',
  );
  const entry: Obj = {};
  let whole = true;
  for (const [field, kind] of [
    ['pathExact', 'exact'],
    ['pathPrefix', 'prefix'],
    ['pathRegex', 'regex'],
  ] as const) {
    const v = r.ledger.peek<string>(o, [...h, field]);
    if (v === undefined) continue;
    if (v === '') {
      r.ledger.take(o, [...h, field]);
      continue;
    }
    if (entry.path) {
      r.lost(o, [...h, field], 'a second path condition (Consul takes one of them)');
      whole = false;
    } else {
      r.ledger.take(o, [...h, field]);
      entry.path = { [kind]: v };
    }
  }
  if (protocol === 'grpc' && !grpcMatch(o, [...h], entry, r)) whole = false;
  const ci = r.ledger.peek<boolean>(o, [...h, 'caseInsensitive']);
  if (ci === true)
    r.changed(
      o,
      [...h, 'caseInsensitive'],
      'neutral path matches are case-sensitive, so /API no longer matches /api',
    );
  else if (ci !== undefined) r.ledger.take(o, [...h, 'caseInsensitive']);
  const headers: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, [...h, 'header']) ?? []).forEach((_, i) => {
    const m = stringMatch(o, [...h, 'header', i], r, true);
    if (m) headers.push(m);
    else whole = false;
  });
  if (headers.length) entry.headers = headers;
  const params: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, [...h, 'queryParam']) ?? []).forEach((_, i) => {
    const m = stringMatch(o, [...h, 'queryParam', i], r, false);
    if (m) params.push(m);
    else whole = false;
  });
  if (params.length) entry.queryParams = params;
  const methods = r.ledger.peek<string[]>(o, [...h, 'methods']) ?? [];
  if (protocol === 'grpc' && methods.length) {
    r.lost(
      o,
      [...h, 'methods'],
      'an HTTP method condition on a grpc service (every gRPC call is a POST): a neutral gRPC match names the gRPC service and method',
    );
    return null;
  }
  if (protocol === 'grpc' && params.length) {
    r.lost(
      o,
      [...h, 'queryParam'],
      'a query parameter condition on a grpc service: a neutral gRPC match names the gRPC service and method',
    );
    return null;
  }
  const known = methods.filter((m) => (HTTP_METHODS as readonly string[]).includes(m));
  methods.forEach((m, i) => {
    if (known.includes(m)) r.ledger.take(o, [...h, 'methods', i]);
    else {
      r.lost(o, [...h, 'methods', i], `method ${m} is not an HTTP method the neutral model names`);
      whole = false;
    }
  });
  if (methods.length === 0) r.ledger.take(o, [...h, 'methods']);
  if (!whole) return null;
  return known.length ? known.map((method) => ({ ...entry, method })) : [entry];
}

/** A gRPC name as GRPCRoute's method match takes it (gateway-api v1.6.1 grpcroutes CRD patterns). */
const GRPC_SERVICE = '\\.?[A-Za-z_][A-Za-z_0-9]*(?:\\.[A-Za-z_][A-Za-z_0-9]*)*';
const GRPC_METHOD = '[A-Za-z_][A-Za-z_0-9]*';
const GRPC_EXACT = new RegExp(`^/(${GRPC_SERVICE})/(${GRPC_METHOD})$`);
const GRPC_PREFIX = new RegExp(`^/(${GRPC_SERVICE})/$`);
const GRPC_ANY_SERVICE = new RegExp(`^/\\[\\^/\\]\\+/(${GRPC_METHOD})$`);

/**
 * On a grpc service the path is the call's /<service>/<method> (how the Consul compile writes a
 * gRPC match, kit/gateway-api.ts grpcAsHttpMatch): an exact /shop.Cart/AddItem is
 * {grpc: {service: shop.Cart, method: AddItem}}, a prefix /shop.Cart/ is {grpc: {service}}, the
 * regex /[^/]+/AddItem is {grpc: {method}}. Any other path condition says what a neutral gRPC
 * policy cannot (it matches no path): reported, false.
 */
function grpcMatch(o: NativeObject, h: FieldPath, entry: Obj, r: ConsulReader): boolean {
  const path = entry.path as Record<string, string> | undefined;
  if (!path) return true;
  delete entry.path;
  const [kind, value] = Object.entries(path)[0]!;
  const field = { exact: 'pathExact', prefix: 'pathPrefix', regex: 'pathRegex' }[kind]!;
  const m =
    kind === 'exact'
      ? GRPC_EXACT.exec(value)
      : kind === 'prefix'
        ? GRPC_PREFIX.exec(value)
        : GRPC_ANY_SERVICE.exec(value);
  if (m && kind === 'exact') entry.grpc = { service: m[1], method: m[2] };
  else if (m && kind === 'prefix') entry.grpc = { service: m[1] };
  else if (m) entry.grpc = { method: m[1] };
  else {
    r.lost(
      o,
      [...h, field],
      `path ${JSON.stringify(value)} on a grpc service is not a gRPC service or method (/<service>/<method>, /<service>/): a neutral gRPC policy matches gRPC names, not paths`,
    );
    return false;
  }
  return true;
}

/** A header or query parameter condition, or undefined (reported) when it has no neutral form. */
function stringMatch(o: NativeObject, at: FieldPath, r: ConsulReader, header: boolean): Obj | undefined {
  const m = r.ledger.peek<Obj>(o, at) ?? {};
  const kinds = header ? ['exact', 'prefix', 'suffix', 'regex', 'present'] : ['exact', 'regex', 'present'];
  r.rest(o, at, ['name', ...kinds, ...(header ? ['invert'] : [])], header ? 'header match' : 'query match');
  if (m.invert === true) {
    r.lost(o, at, 'an inverted match (invert: true) has no neutral form');
    return undefined;
  }
  if (m.invert !== undefined) r.ledger.take(o, [...at, 'invert']);
  const given = kinds.filter((k) => m[k] !== undefined && m[k] !== '' && m[k] !== false);
  for (const k of kinds) if (m[k] === '' || m[k] === false) r.ledger.take(o, [...at, k]);
  const name = m.name as string;
  if (given.length === 0) {
    // Consul's "no condition" on a header is presence (agent/xds/routes.go: present unless a value is given).
    r.ledger.take(o, [...at, 'name']);
    return { name, present: true };
  }
  if (given.length > 1) {
    r.lost(o, at, `a match with ${given.join(' and ')}: Consul takes one of them`);
    return undefined;
  }
  r.ledger.take(o, [...at, 'name']);
  const k = given[0]!;
  r.ledger.take(o, [...at, k]);
  if (k === 'present') return { name, present: true };
  // A suffix is a regex that ends with it: Envoy matches regexes against the whole value.
  if (k === 'suffix') return { name, regex: `.*${reEscape(String(m.suffix))}` };
  return { name, [k]: m[k] };
}

/** A header condition (route match or intention permission), or undefined (reported). */
export function readHeaderCondition(o: NativeObject, at: FieldPath, r: ConsulReader): Obj | undefined {
  return stringMatch(o, at, r, true);
}

/** Timeout, retries and header changes of a route destination, into `rule`. */
export function readDestinationSettings(o: NativeObject, at: FieldPath, rule: Obj, r: ConsulReader): void {
  const timeout = r.ledger.peek<string>(o, [...at, 'requestTimeout']);
  if (timeout !== undefined) {
    const d = neutralDuration(timeout);
    if (timeout === '' || d === '0s') r.ledger.take(o, [...at, 'requestTimeout']);
    else if (d === undefined)
      r.lost(o, [...at, 'requestTimeout'], `duration ${JSON.stringify(timeout)} is not whole milliseconds`);
    else {
      r.ledger.take(o, [...at, 'requestTimeout']);
      rule.timeout = d;
    }
  }
  const idle = r.ledger.peek<string>(o, [...at, 'idleTimeout']);
  if (idle !== undefined)
    r.takeDefault(
      o,
      [...at, 'idleTimeout'],
      (v) => v === '' || v === '0s',
      'an idle timeout per route has no neutral form (neutral timeouts bound the whole request)',
    );
  // The rule's match decides whether this is a neutral replacePrefixMatch (import-routing.ts).
  const prefix = r.ledger.take<string>(o, [...at, 'prefixRewrite']);
  if (prefix) rule.rewrite = { path: { replacePrefixMatch: prefix } };
  readRetries(o, at, rule, r);
  for (const which of ['requestHeaders', 'responseHeaders'] as const) {
    const ops = headerOps(o, [...at, which], r);
    if (ops) rule[which] = ops;
  }
}

/** Header add/set/remove, as the neutral header operations (same names, same meanings). */
export function headerOps(o: NativeObject, at: FieldPath, r: ConsulReader): Obj | undefined {
  const ops = r.ledger.peek<Obj>(o, at);
  if (!ops) return undefined;
  r.rest(o, at, ['add', 'set', 'remove'], 'header operation');
  const out: Obj = {};
  for (const op of ['set', 'add', 'remove']) {
    const v = r.ledger.peek(o, [...at, op]);
    if (v === undefined) continue;
    r.ledger.take(o, [...at, op]);
    const empty = Array.isArray(v) ? v.length === 0 : typeof v === 'object' && !Object.keys(v ?? {}).length;
    if (!empty) out[op] = v;
  }
  if (!Object.keys(out).length) r.ledger.take(o, at);
  return Object.keys(out).length ? out : undefined;
}

function readRetries(o: NativeObject, at: FieldPath, rule: Obj, r: ConsulReader): void {
  const n = r.ledger.peek<number>(o, [...at, 'numRetries']);
  const onConnect = r.ledger.peek<boolean>(o, [...at, 'retryOnConnectFailure']);
  const on = r.ledger.peek<string[]>(o, [...at, 'retryOn']) ?? [];
  const codes = r.ledger.peek<number[]>(o, [...at, 'retryOnStatusCodes']) ?? [];
  const conditions: string[] = [];
  if (onConnect === true) conditions.push('connect-failure');
  on.forEach((c, i) => {
    if ((RETRY_ON as readonly string[]).includes(c)) conditions.push(c);
    else
      r.lost(
        o,
        [...at, 'retryOn', i],
        `retry condition ${c} has no neutral form (neutral: ${RETRY_ON.join(', ')})`,
      );
  });
  conditions.push(...codes.map(String));
  const fields = ['numRetries', 'retryOnConnectFailure', 'retryOn', 'retryOnStatusCodes'];
  const take = () => {
    for (const f of fields) if (r.ledger.peek(o, [...at, f]) !== undefined) r.ledger.take(o, [...at, f]);
  };
  if (!conditions.length) {
    if (n !== undefined && n > 0)
      r.changed(
        o,
        [...at, 'numRetries'],
        `numRetries ${n} without retryOn, retryOnStatusCodes or retryOnConnectFailure retries nothing in Consul (Envoy gets an empty retry_on), so no retries are imported`,
      );
    take();
    return;
  }
  take();
  // The pair anymesh writes for retries without retryOn (consul routing.ts, AM4308) comes back as none.
  const anymeshDefault =
    r.meta(o).sources !== undefined &&
    conditions.length === 2 &&
    conditions[0] === 'connect-failure' &&
    conditions[1] === 'refused-stream';
  rule.retries = {
    attempts: n !== undefined && n > 0 ? n : 1,
    ...(anymeshDefault ? {} : { retryOn: conditions }),
  };
}
