/**
 * One VirtualRouter route -> the parts of one neutral rule: its match entry, weighted targets
 * (resolved to versions or services by import-routing.ts), timeout and retries.
 *
 * Field meanings (appmesh.k8s.aws/v1beta2 VirtualRouter CRD; App Mesh API reference HttpRoute,
 * HttpRouteMatch, HttpRouteHeader, HttpRetryPolicy, GrpcRoute, TcpRoute): `prefix: /` matches every
 * request; a header with no `match` matches when the header is present; retry events are classes
 * (server-error, gateway-error, client-error = 409, stream-error = refused stream; tcp
 * connection-error; gRPC cancelled, deadline-exceeded, internal, resource-exhausted, unavailable).
 * gRPC routes match on the gRPC service and method, which are the HTTP/2 path `/<service>/<method>`
 * (gRPC over HTTP/2 spec, "Path"), and on metadata, which are HTTP/2 headers.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { HTTP_METHODS } from '../../core/model/schema.js';
import { type AppMeshReader, neutral, type Obj } from './import-reader.js';
import type { NeutralProtocol } from './import-versions.js';
import { DEFAULT_PER_REQUEST_MS } from './plan.js';

export const ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export interface TargetIR {
  readonly node: string;
  readonly namespace: string;
  readonly weight: number;
  readonly port?: number;
  readonly path: FieldPath;
}

export interface RouteIR {
  readonly index: number;
  readonly name?: string;
  readonly priority?: number;
  readonly kind: RouteKind;
  /** undefined: every request. */
  readonly match?: Obj;
  readonly targets: TargetIR[];
  readonly timeoutMs?: number;
  readonly retries?: Obj;
  /** Everything but the match, to join the routes anymesh made from one rule's match entries. */
  readonly signature: string;
}

const HTTP_EVENTS: Record<string, string> = {
  'server-error': '5xx',
  'gateway-error': 'gateway-error',
  'client-error': 'retriable-4xx',
  'stream-error': 'refused-stream',
};
const GRPC_EVENTS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

/**
 * `protocol`: the policy's (import-routing.ts); a grpcRoute of a grpc policy keeps its service and
 * method as a gRPC match, a tcpRoute of a tcp policy its idle timeout as the rule's timeout.
 * `managed`: the router is anymesh's output, so the values it fills in for a policy's defaults are
 * recognised.
 */
export function readRoute(
  vr: NativeObject,
  index: number,
  r: AppMeshReader,
  protocol: NeutralProtocol = 'http',
  managed = false,
): RouteIR | undefined {
  const base: FieldPath = ['spec', 'routes', index];
  const route = r.ledger.peek<Obj>(vr, base) ?? {};
  r.rest(vr, base, ['name', 'priority', ...ROUTE_KINDS], 'route');
  const kinds = ROUTE_KINDS.filter((k) => route[k] !== undefined);
  if (kinds.length !== 1) {
    r.lost(vr, base, `a route with ${kinds.length ? kinds.join(' and ') : 'no route kind'}`);
    return undefined;
  }
  const kind = kinds[0]!;
  const at: FieldPath = [...base, kind];
  r.rest(vr, at, ['match', 'action', 'timeout', ...(kind === 'tcpRoute' ? [] : ['retryPolicy'])], kind);
  const targets = readTargets(vr, [...at, 'action'], r);
  if (!targets) return undefined;
  const match =
    kind === 'grpcRoute'
      ? grpcMatch(vr, [...at, 'match'], r, protocol === 'grpc')
      : httpMatch(vr, kind, [...at, 'match'], r);
  const timeoutMs = readTimeout(vr, [...at, 'timeout'], kind, protocol === 'tcp', r);
  const retries =
    kind === 'tcpRoute' ? undefined : readRetries(vr, [...at, 'retryPolicy'], timeoutMs, r, managed);
  const name = r.ledger.take<string>(vr, [...base, 'name']);
  const priority = r.ledger.take<number>(vr, [...base, 'priority']);
  return {
    index,
    ...(name !== undefined ? { name } : {}),
    ...(priority !== undefined ? { priority } : {}),
    kind,
    ...(match && Object.keys(match).length ? { match } : {}),
    targets,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries ? { retries } : {}),
    signature: JSON.stringify([
      kind,
      targets.map((t) => [t.node, t.namespace, t.weight, t.port]),
      timeoutMs,
      retries,
    ]),
  };
}

function readTargets(o: NativeObject, at: FieldPath, r: AppMeshReader): TargetIR[] | undefined {
  r.rest(o, at, ['weightedTargets'], 'action');
  const list = r.ledger.peek<Obj[]>(o, [...at, 'weightedTargets']) ?? [];
  const out: TargetIR[] = [];
  list.forEach((t, i) => {
    const p = [...at, 'weightedTargets', i];
    r.rest(o, p, ['virtualNodeRef', 'virtualNodeARN', 'weight', 'port'], 'weighted target');
    const ref = t.virtualNodeRef as { name?: string; namespace?: string } | undefined;
    if (!ref?.name) {
      if (t.virtualNodeARN !== undefined)
        r.cloud(
          o,
          [...p, 'virtualNodeARN'],
          'a virtual node ARN',
          'a node outside this cluster (another account or mesh)',
        );
      else r.lost(o, p, 'a weighted target without a virtual node');
      return;
    }
    r.rest(o, [...p, 'virtualNodeRef'], ['name', 'namespace'], 'virtualNodeRef');
    const port = r.ledger.peek<number>(o, [...p, 'port']);
    out.push({
      node: ref.name,
      namespace: ref.namespace ?? o.namespace,
      weight: typeof t.weight === 'number' ? t.weight : 0,
      ...(port !== undefined ? { port } : {}),
      path: p,
    });
  });
  if (!out.length) {
    r.lost(o, at, 'a route without a virtual node to send to has no neutral form, so the route is left out');
    return undefined;
  }
  return out;
}

function stringMatch(
  o: NativeObject,
  at: FieldPath,
  r: AppMeshReader,
  what: string,
): { exact?: string; prefix?: string; regex?: string; present?: true } | undefined {
  const m = r.ledger.peek<Obj>(o, at);
  if (m === undefined) {
    // `match` is optional (API reference HttpRouteHeader, HttpQueryParameter: "Required: No") and
    // AWS does not say what its absence does; Envoy treats a matcher that names no value as a
    // presence match, so it is imported as one and said so.
    r.changed(
      o,
      at.slice(0, -1),
      `a ${what} condition without match: AWS does not document it; imported as "present", Envoy's meaning for a matcher with no value`,
    );
    return { present: true };
  }
  const keys = Object.keys(m);
  if (keys.length !== 1 || !['exact', 'prefix', 'regex'].includes(keys[0]!)) {
    r.lost(
      o,
      at,
      `a ${keys.join('/') || 'empty'} ${what} match; neutral matches are exact, prefix, regex or presence`,
    );
    return undefined;
  }
  r.ledger.take(o, at);
  const k = keys[0] as 'exact' | 'prefix' | 'regex';
  const v = String(m[k]);
  // What anymesh writes for presence and for an empty exact value (the CRD wants non-empty values).
  if (k === 'regex' && v === '.*') return { present: true };
  if (k === 'regex' && v === '^$') return { exact: '' };
  return { [k]: v };
}

function headerList(o: NativeObject, at: FieldPath, r: AppMeshReader, what: string): Obj[] {
  const out: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, at) ?? []).forEach((h, i) => {
    const p = [...at, i];
    r.rest(o, p, ['name', 'match', 'invert'], what);
    if (h.invert === true) {
      r.lost(
        o,
        p,
        `an inverted ${what} match (matches when the value does not match); neutral matches are positive only`,
      );
      return;
    }
    const m = stringMatch(o, [...p, 'match'], r, what);
    if (!m) {
      // The condition is gone, so is the entry: its name alone would be a different match.
      r.lost(o, p, `the ${what} condition on ${String(h.name)} cannot be imported (see its match)`);
      return;
    }
    if (h.invert !== undefined) r.ledger.take(o, [...p, 'invert']);
    r.ledger.take(o, [...p, 'name']);
    out.push({ name: h.name, ...m });
  });
  return out;
}

/**
 * A route's match as a neutral match entry. `atGateway`: a GatewayRoute's, whose hostname and
 * listener port its reader (import-gateway.ts) has read already.
 */
export function httpMatch(
  o: NativeObject,
  kind: RouteKind,
  at: FieldPath,
  r: AppMeshReader,
  atGateway = false,
): Obj | undefined {
  const m = r.ledger.peek<Obj>(o, at);
  if (!m) return undefined;
  const known = ['prefix', 'path', 'method', 'headers', 'queryParameters', 'port', 'scheme'];
  r.rest(o, at, atGateway ? [...known, 'hostname'] : known, 'match');
  // The listener port is the policy's spec.port; a route that names it matches what spec.port does.
  if (!atGateway) r.ledger.take(o, [...at, 'port']);
  if (kind === 'tcpRoute') return undefined;
  const out: Obj = {};
  const prefix = r.ledger.take<string>(o, [...at, 'prefix']);
  if (prefix !== undefined && prefix !== '/') out.path = { prefix };
  const path = r.ledger.peek<Obj>(o, [...at, 'path']);
  if (path) {
    const keys = Object.keys(path);
    if (keys.length === 1 && (keys[0] === 'exact' || keys[0] === 'regex')) {
      r.ledger.take(o, [...at, 'path']);
      out.path = { [keys[0]]: path[keys[0]] };
    } else r.lost(o, [...at, 'path'], 'a path match other than one exact or regex');
  }
  const method = r.ledger.peek<string>(o, [...at, 'method']);
  if (method !== undefined) {
    if ((HTTP_METHODS as readonly string[]).includes(method)) {
      r.ledger.take(o, [...at, 'method']);
      out.method = method;
    } else r.lost(o, [...at, 'method'], `method ${method} is not one the neutral model has`);
  }
  r.lostIf(o, [...at, 'scheme'], 'a match on the URL scheme (http/https) has no neutral form');
  const headers = headerList(o, [...at, 'headers'], r, 'header');
  if (headers.length) out.headers = headers;
  const params: Obj[] = [];
  (r.ledger.peek<Obj[]>(o, [...at, 'queryParameters']) ?? []).forEach((q, i) => {
    const p = [...at, 'queryParameters', i];
    r.rest(o, p, ['name', 'match'], 'query parameter');
    r.rest(o, [...p, 'match'], ['exact'], 'query parameter match');
    const exact = r.ledger.peek<string>(o, [...p, 'match', 'exact']);
    r.ledger.take(o, [...p, 'name']);
    if (exact !== undefined) {
      r.ledger.take(o, [...p, 'match', 'exact']);
      params.push({ name: q.name, exact });
    } else if (q.match === undefined) {
      r.changed(
        o,
        p,
        'a query parameter condition without match: AWS does not document it; imported as "present", Envoy\'s meaning for a matcher with no value',
      );
      params.push({ name: q.name, present: true });
    }
  });
  if (params.length) out.queryParams = params;
  return out;
}

/**
 * gRPC service and method -> the policy's gRPC match (protocol grpc), or the HTTP/2 path they are
 * (`/<service>/<method>`, gRPC over HTTP/2 spec) when the policy is http; metadata -> headers.
 * `atGateway`: a GatewayRoute's, whose hostname and listener port import-gateway.ts reads.
 */
export function grpcMatch(
  o: NativeObject,
  at: FieldPath,
  r: AppMeshReader,
  grpc: boolean,
  atGateway = false,
): Obj | undefined {
  const m = r.ledger.peek<Obj>(o, at);
  if (!m) return undefined;
  const known = ['serviceName', 'methodName', 'metadata', 'port'];
  r.rest(o, at, atGateway ? [...known, 'hostname'] : known, 'gRPC match');
  if (!atGateway) r.ledger.take(o, [...at, 'port']);
  const out: Obj = {};
  const service = r.ledger.take<string>(o, [...at, 'serviceName']);
  const method = r.ledger.peek<string>(o, [...at, 'methodName']);
  if (service !== undefined) {
    if (method !== undefined) r.ledger.take(o, [...at, 'methodName']);
    if (grpc) out.grpc = { service, ...(method !== undefined ? { method } : {}) };
    else out.path = method !== undefined ? { exact: `/${service}/${method}` } : { prefix: `/${service}/` };
  } else if (method !== undefined)
    r.lost(o, [...at, 'methodName'], 'a gRPC method without its service (App Mesh requires both)');
  const headers = headerList(o, [...at, 'metadata'], r, 'metadata');
  if (headers.length) out.headers = headers;
  return out;
}

/**
 * perRequest -> the rule's timeout. idle: a TCP route's is the rule's timeout of a tcp policy
 * (neutral TCP timeouts are idle timeouts, traffic-policy.ts); elsewhere it has no neutral form.
 */
function readTimeout(
  o: NativeObject,
  at: FieldPath,
  kind: RouteKind,
  tcp: boolean,
  r: AppMeshReader,
): number | undefined {
  r.rest(o, at, ['perRequest', 'idle'], 'timeout');
  if (kind === 'tcpRoute' && tcp) {
    const idle = r.durationMs(o, [...at, 'idle']);
    if (idle !== undefined) r.ledger.take(o, [...at, 'idle']);
    return idle;
  }
  r.lostIf(
    o,
    [...at, 'idle'],
    kind === 'tcpRoute'
      ? 'a TCP idle timeout on a router whose routes are not all TCP: the policy is imported as http, whose timeouts are per request (give the router one listener protocol and one route kind)'
      : 'an idle timeout (how long a connection or stream may be quiet) has no neutral form; neutral timeouts are per request',
  );
  if (kind === 'tcpRoute') return undefined;
  const ms = r.durationMs(o, [...at, 'perRequest']);
  if (ms !== undefined) r.ledger.take(o, [...at, 'perRequest']);
  return ms;
}

function readRetries(
  o: NativeObject,
  at: FieldPath,
  timeoutMs: number | undefined,
  r: AppMeshReader,
  managed: boolean,
): Obj | undefined {
  const p = r.ledger.peek<Obj>(o, at);
  if (!p) return undefined;
  r.rest(
    o,
    at,
    ['maxRetries', 'perRetryTimeout', 'httpRetryEvents', 'tcpRetryEvents', 'grpcRetryEvents'],
    'retryPolicy',
  );
  const attempts = r.ledger.peek<number>(o, [...at, 'maxRetries']);
  if (!attempts || attempts < 1) {
    r.lost(o, at, 'maxRetries 0 turns retries off; a neutral policy without retries keeps the mesh default');
    return undefined;
  }
  r.ledger.take(o, [...at, 'maxRetries']);
  const out: Obj = { attempts };
  const perTry = r.durationMs(o, [...at, 'perRetryTimeout']);
  if (perTry !== undefined) {
    r.ledger.take(o, [...at, 'perRetryTimeout']);
    // Envoy's per-try timeout defaults to the route timeout (App Mesh's default is 15s), which is
    // also what anymesh writes when a policy gives none: that value is the neutral default.
    if (perTry !== (timeoutMs ?? DEFAULT_PER_REQUEST_MS)) out.perTryTimeout = neutral(perTry);
  }
  const on = new Set<string>();
  const events = (key: string, map: (e: string) => string | undefined) =>
    (r.ledger.peek<string[]>(o, [...at, key]) ?? []).forEach((e, i) => {
      const c = map(e);
      if (c === undefined) r.lost(o, [...at, key, i], `retry event ${e} has no neutral retry condition`);
      else {
        r.ledger.take(o, [...at, key, i]);
        on.add(c);
      }
    });
  events('httpRetryEvents', (e) => HTTP_EVENTS[e]);
  events('tcpRetryEvents', (e) => (e === 'connection-error' ? 'connect-failure' : undefined));
  events('grpcRetryEvents', (e) => (GRPC_EVENTS.includes(e) ? e : undefined));
  // Events are a set in App Mesh; sorted, so the import is stable. anymesh writes gateway-error
  // and connection-error for retries without conditions (retries.ts, AM4404): in its own output
  // that pair is the policy's "no retryOn".
  const conditions = [...on].sort();
  const filled =
    managed && JSON.stringify(conditions) === JSON.stringify(['connect-failure', 'gateway-error']);
  if (conditions.length && !filled) out.retryOn = conditions;
  return out;
}
