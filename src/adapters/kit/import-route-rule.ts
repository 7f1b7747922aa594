/**
 * One HTTPRoute or GRPCRoute rule with a Service parent -> one neutral rule: matches
 * (import-route-match.ts), filters, backendRefs (versions through leaf Services,
 * import-leaves.ts). What the meshes read differently (timeouts, retries) is read by the mesh's
 * importer from the fields `extraFields` names; the rest differs by RouteDialect.
 *
 * backendRefs (Gateway API; Linkerd http.rs convert_backend, Istio conversion.go
 * buildHTTPDestination): the kind defaults to Service, the namespace to the route's, the weight to
 * 1 (weights are relative); a Service without a port fails its requests. A rule without
 * backendRefs sends its calls to the parent Service on the port called in Linkerd
 * (policy-controller/grpc/src/outbound/http.rs), which is the neutral default; Istio answers 500
 * (RouteDialect.withoutBackends).
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isDnsLabel } from './import-kit.js';
import type { RouteDialect } from './import-route-dialect.js';
import { readFilters, readHeaderList, readMatch } from './import-route-match.js';
import type { NativeReader, Obj } from './native-reader.js';

export interface Parent {
  readonly namespace: string;
  readonly service: string;
  readonly port?: number;
}

/** A backend that may be a version: where it is in the rule, and the leaf Service it names. */
export interface LeafCandidate {
  /** rule.backends[at], or the rule's mirror backend. */
  readonly at: number | 'mirror';
  readonly name: string;
  readonly path: FieldPath;
}

export interface RuleIR {
  readonly route: NativeObject;
  readonly index: number;
  /** The neutral rule without what the mesh reads itself (timeouts, retries). */
  readonly rule: Obj;
  /** Backends that may be versions, resolved per policy. */
  readonly leafCandidates: LeafCandidate[];
  /** Native matches, for the rule order. */
  readonly nativeMatches: Obj[];
}

export interface RuleOptions {
  readonly dialect: RouteDialect;
  readonly grpc: boolean;
  /** anymesh produced the route: its forms come back as they were written from. */
  readonly own: boolean;
  /** A policy.linkerd.io route. */
  readonly policyGroup: boolean;
  /** Rule fields the mesh's importer reads itself (Linkerd: timeouts; Istio: timeouts, retry). */
  readonly extraFields: readonly string[];
}

/**
 * A GRPCRoute match -> a neutral gRPC match (the policy gets protocol grpc, import-routing.ts):
 * method type Exact (the Gateway API default) is the neutral `grpc: {service, method}`, which the
 * compile writes back as the same GRPCRoute match (kit/gateway-api.ts grpcRouteMatch). A
 * RegularExpression method match has no neutral form (neutral gRPC matches are exact), so the
 * entry is reported and left out.
 */
function grpcMatch(o: NativeObject, at: FieldPath, r: NativeReader, d: RouteDialect): Obj[] | undefined {
  r.rest(o, at, ['method', 'headers'], 'GRPCRoute match');
  const m = r.ledger.peek<Obj>(o, at)!;
  const out: Obj = {};
  if (m.method !== undefined) {
    const mat = [...at, 'method'];
    r.rest(o, mat, ['type', 'service', 'method'], 'gRPC method match');
    const mm = m.method as Obj;
    const type = (mm.type as string | undefined) ?? 'Exact';
    const svc = mm.service as string | undefined;
    const method = mm.method as string | undefined;
    if (type !== 'Exact') {
      r.lost(
        o,
        mat,
        type === 'RegularExpression'
          ? 'a RegularExpression gRPC method match has no neutral form (neutral gRPC matches are exact)'
          : `gRPC method match type ${type} is not one ${d.mesh} reads`,
      );
      return undefined;
    }
    const grpc: Obj = {
      ...(svc !== undefined ? { service: svc } : {}),
      ...(method !== undefined ? { method } : {}),
    };
    if (Object.keys(grpc).length) out.grpc = grpc;
    r.ledger.take(o, mat);
  }
  if (m.headers !== undefined) {
    // Header matches are the same in both route kinds.
    const h = readHeaderList(o, [...at, 'headers'], r, d);
    if (!h) {
      r.lost(o, at, 'a header condition of this match has no neutral form, so the match entry is left out');
      return undefined;
    }
    if (h.length) out.headers = h;
    else r.ledger.take(o, [...at, 'headers']);
  }
  r.ledger.take(o, at);
  return [out];
}

export function readRule(
  route: NativeObject,
  index: number,
  parent: Parent,
  r: NativeReader,
  opts: RuleOptions,
): RuleIR | undefined {
  const base: FieldPath = ['spec', 'rules', index];
  const d = opts.dialect;
  const native = r.ledger.peek<Obj>(route, base) ?? {};
  r.rest(
    route,
    base,
    ['name', 'matches', 'filters', 'backendRefs', ...opts.extraFields],
    opts.grpc ? 'GRPCRoute rule' : 'HTTPRoute rule',
  );
  const rule: Obj = {};
  // An empty rule sends every call to the parent, the neutral empty rule (unless the mesh says otherwise, below).
  if (Object.keys(native).length === 0 && !d.withoutBackends) r.ledger.take(route, base);
  const name = native.name as string | undefined;
  if (name !== undefined) {
    if (isDnsLabel(name)) {
      r.ledger.take(route, [...base, 'name']);
      rule.name = name;
    } else
      r.changed(
        route,
        [...base, 'name'],
        `rule name ${name} is not a DNS-1123 label; the rule takes the default name`,
      );
  }
  // Matches.
  const nativeMatches = (native.matches as Obj[] | undefined) ?? [];
  const matches: Obj[] = [];
  let droppedAll = nativeMatches.length > 0;
  nativeMatches.forEach((_, i) => {
    const at = [...base, 'matches', i];
    const got = opts.grpc ? grpcMatch(route, at, r, d) : readMatch(route, at, r, d, opts.own);
    if (got) {
      droppedAll = false;
      for (const m of got)
        if (opts.own || !matches.some((x) => JSON.stringify(x) === JSON.stringify(m))) matches.push(m);
    }
  });
  if (droppedAll) {
    r.lost(route, base, 'no match entry of this rule has a neutral form, so the rule is left out');
    return undefined;
  }
  if (nativeMatches.length === 0 && native.matches !== undefined) r.ledger.take(route, [...base, 'matches']);
  // An empty entry matches every request, as no matches do; anymesh's own entries come back as written.
  if (matches.length && (opts.own || !matches.some((m) => Object.keys(m).length === 0)))
    rule.matches = matches;
  // Backends (of the rule and of its mirror).
  const leafCandidates: LeafCandidate[] = [];
  const toBackend = (ref: Obj, at: FieldPath, where: number | 'mirror'): Obj | undefined => {
    r.rest(route, at, ['group', 'kind', 'name', 'namespace', 'port', 'weight', 'filters'], 'backendRef');
    const group = (ref.group as string | undefined) ?? '';
    const kind = (ref.kind as string | undefined) ?? 'Service';
    if (!((group === '' || group === 'core') && kind === 'Service')) {
      r.lost(route, at, `a ${kind} backend has no neutral form (neutral backends are Services)`);
      return undefined;
    }
    for (const k of ['group', 'kind', 'name', 'namespace']) r.ledger.take(route, [...at, k]);
    if (ref.filters !== undefined)
      r.lost(route, [...at, 'filters'], 'per-backend filters have no neutral form');
    const port = ref.port as number | undefined;
    if (port === undefined) {
      r.lost(route, at, d.missingPort(String(ref.name)));
      return undefined;
    }
    r.ledger.take(route, [...at, 'port']);
    const ns = (ref.namespace as string | undefined) ?? route.namespace;
    const svc = String(ref.name);
    if (ns === parent.namespace && svc === parent.service)
      return { service: svc, ...(port !== parent.port ? { port } : {}) };
    if (ns === parent.namespace && svc.startsWith(`${parent.service}-`) && port === parent.port)
      leafCandidates.push({ at: where, name: svc, path: at });
    return {
      service: svc,
      ...(ns !== parent.namespace ? { namespace: ns } : {}),
      ...(port !== parent.port ? { port } : {}),
    };
  };
  // Filters.
  Object.assign(
    rule,
    readFilters(route, [...base, 'filters'], r, {
      dialect: d,
      swapsResponse: opts.policyGroup,
      ownPrefix: opts.own,
      backend: (ref, at) => toBackend(ref, at, 'mirror'),
    }),
  );
  if (Array.isArray(native.filters) && native.filters.length === 0)
    r.ledger.take(route, [...base, 'filters']);
  const refs = (native.backendRefs as Obj[] | undefined) ?? [];
  const backends: Obj[] = [];
  const weights: number[] = [];
  let failed = false;
  refs.forEach((ref, i) => {
    const at = [...base, 'backendRefs', i];
    const b = toBackend(ref, at, backends.length);
    if (!b) {
      failed = true;
      return;
    }
    const weight = ref.weight as number | undefined;
    weights.push(weight ?? 1);
    if (weight !== undefined) r.ledger.take(route, [...at, 'weight']);
    backends.push(b);
  });
  if (failed) {
    r.lost(
      route,
      [...base, 'backendRefs'],
      'a backend of this rule cannot be imported (above), so the rule is left out',
    );
    return undefined;
  }
  if (!refs.length && !rule.redirect && d.withoutBackends) {
    r.lost(route, base, d.withoutBackends);
    return undefined;
  }
  if (Array.isArray(native.backendRefs) && refs.length === 0) r.ledger.take(route, [...base, 'backendRefs']);
  if (!weightsOf(route, base, backends, weights, r, d)) return undefined;
  // The only backend is the parent on the port called: the neutral default.
  const lone = backends.length === 1 ? backends[0]! : undefined;
  if (!(lone && lone.service === parent.service && lone.namespace === undefined && lone.port === undefined))
    if (backends.length) rule.backends = backends;
  return {
    route,
    index,
    rule,
    leafCandidates,
    nativeMatches: opts.grpc ? nativeMatches.map(grpcAsPathMatch) : nativeMatches,
  };
}

/**
 * A GRPCRoute match entry as the HTTPRoute match of the same calls, for the rule order
 * (import-order.ts ranks and overlaps HTTP matches): a gRPC call is a POST to /<service>/<method>,
 * so service and method is the exact path, the service alone the prefix /<service>/ and the method
 * alone a regular expression. Gateway API ranks GRPCRoute matches by the characters of the service,
 * then of the method, then the header count (GRPCRoute spec.rules precedence), which this keeps:
 * an exact path outranks a prefix, a longer service a shorter one. The compile orders gRPC rules
 * the same way (linkerd/routing.ts, kit/gateway-api.ts grpcAsHttpMatch).
 */
function grpcAsPathMatch(m: Obj): Obj {
  const method = m.method as Obj | undefined;
  const svc = method?.service as string | undefined;
  const name = method?.method as string | undefined;
  const path =
    svc !== undefined && name !== undefined
      ? { type: 'Exact', value: `/${svc}/${name}` }
      : svc !== undefined
        ? { type: 'PathPrefix', value: `/${svc}/` }
        : name !== undefined
          ? { type: 'RegularExpression', value: `/[^/]+/${name}` }
          : undefined;
  return { ...(path ? { path } : {}), ...(m.headers !== undefined ? { headers: m.headers } : {}) };
}

/** Relative weights -> neutral percentages (sum 100); false when the rule cannot be imported. */
function weightsOf(
  route: NativeObject,
  base: FieldPath,
  backends: Obj[],
  weights: number[],
  r: NativeReader,
  d: RouteDialect,
): boolean {
  if (backends.length === 0) return true;
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) {
    r.lost(
      route,
      [...base, 'backendRefs'],
      `every backend has weight 0, so ${d.mesh} sends the calls nowhere`,
    );
    return false;
  }
  if (backends.length === 1) {
    if (weights[0] === 0) return false;
    return true;
  }
  const exact = weights.map((w) => (w * 100) / total);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  // Largest remainder, earlier backends first on a tie.
  const order = exact.map((e, i) => [e - floors[i]!, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  backends.forEach((b, i) => {
    b.weight = floors[i];
  });
  if (exact.some((e, i) => e !== floors[i]))
    r.changed(
      route,
      [...base, 'backendRefs'],
      `relative weights ${weights.join('/')} are not whole percentages; imported as ${floors.join('/')}`,
    );
  return true;
}
