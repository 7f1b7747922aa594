/**
 * One outbound HTTPRoute or GRPCRoute rule -> one neutral rule: matches (import-match.ts), header
 * filters, backendRefs (versions through leaf Services, import-leaves.ts), and the rule's own
 * timeout. The route's annotations (timeouts, retries) are added by import-routing.ts.
 *
 * backendRefs (Gateway API; Linkerd http.rs convert_backend): the kind defaults to Service, the
 * namespace to the route's, the weight to 1 (weights are relative); a Service without a port fails
 * its requests. A rule without backendRefs sends its calls to the parent Service on the port
 * called (policy-controller/grpc/src/outbound/http.rs), which is the neutral default.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isDnsLabel } from '../kit/import-kit.js';
import { readFilters, readHeaderList, readMatch } from './import-match.js';
import { gatewayMs, type LinkerdReader, linkerdMs, type Obj } from './import-reader.js';

export interface Parent {
  readonly namespace: string;
  readonly service: string;
  readonly port?: number;
}

export interface RuleIR {
  readonly route: NativeObject;
  readonly index: number;
  /** The neutral rule without the route-level settings. */
  readonly rule: Obj;
  /** Backends that may be versions, resolved per policy: index in rule.backends -> leaf name. */
  readonly leafCandidates: { at: number; name: string; path: FieldPath }[];
  /** The rule's own request timeout (rules[].timeouts.request) in ms, when Linkerd reads one. */
  readonly ownTimeout?: { ms: number; text: string; path: FieldPath; read: boolean };
  /** Native matches, for the rule order. */
  readonly nativeMatches: Obj[];
}

/**
 * A GRPCRoute match -> a neutral gRPC match (the policy gets protocol grpc, import-routing.ts):
 * method type Exact (the Gateway API default) is the neutral `grpc: {service, method}`, which the
 * compile writes back as the same GRPCRoute match (kit/gateway-api.ts grpcRouteMatch). A
 * RegularExpression method match has no neutral form (neutral gRPC matches are exact), so the
 * entry is reported and left out.
 */
function grpcMatch(o: NativeObject, at: FieldPath, r: LinkerdReader): Obj[] | undefined {
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
          : `gRPC method match type ${type} is not one Linkerd reads`,
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
    const h = readHeaderList(o, [...at, 'headers'], r);
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
  r: LinkerdReader,
  opts: { grpc: boolean; own: boolean; policyGroup: boolean },
): RuleIR | undefined {
  const base: FieldPath = ['spec', 'rules', index];
  const native = r.ledger.peek<Obj>(route, base) ?? {};
  r.rest(
    route,
    base,
    ['name', 'matches', 'filters', 'backendRefs', 'timeouts'],
    opts.grpc ? 'GRPCRoute rule' : 'HTTPRoute rule',
  );
  const rule: Obj = {};
  // An empty rule sends every call to the parent, the neutral empty rule.
  if (Object.keys(native).length === 0) r.ledger.take(route, base);
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
    const got = opts.grpc ? grpcMatch(route, at, r) : readMatch(route, at, r, opts.own);
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
  // Filters.
  Object.assign(rule, readFilters(route, [...base, 'filters'], r, opts.policyGroup, opts.own));
  if (Array.isArray(native.filters) && native.filters.length === 0)
    r.ledger.take(route, [...base, 'filters']);
  // Backends.
  const refs = (native.backendRefs as Obj[] | undefined) ?? [];
  const backends: Obj[] = [];
  const weights: number[] = [];
  const leafCandidates: RuleIR['leafCandidates'] = [];
  let failed = false;
  refs.forEach((ref, i) => {
    const at = [...base, 'backendRefs', i];
    r.rest(route, at, ['group', 'kind', 'name', 'namespace', 'port', 'weight', 'filters'], 'backendRef');
    const group = (ref.group as string | undefined) ?? '';
    const kind = (ref.kind as string | undefined) ?? 'Service';
    if (!((group === '' || group === 'core') && kind === 'Service')) {
      r.lost(route, at, `a ${kind} backend has no neutral form (neutral backends are Services)`);
      failed = true;
      return;
    }
    for (const k of ['group', 'kind', 'name', 'namespace']) r.ledger.take(route, [...at, k]);
    if (ref.filters !== undefined)
      r.lost(route, [...at, 'filters'], 'per-backend filters have no neutral form');
    const port = ref.port as number | undefined;
    if (port === undefined) {
      r.lost(
        route,
        at,
        `Linkerd fails the requests of a Service backendRef without a port ("missing port for backend Service ${ref.name}")`,
      );
      failed = true;
      return;
    }
    r.ledger.take(route, [...at, 'port']);
    const weight = ref.weight as number | undefined;
    weights.push(weight ?? 1);
    if (weight !== undefined) r.ledger.take(route, [...at, 'weight']);
    const ns = (ref.namespace as string | undefined) ?? route.namespace;
    const svc = String(ref.name);
    if (ns === parent.namespace && svc === parent.service) {
      backends.push({ service: svc, ...(port !== parent.port ? { port } : {}) });
      return;
    }
    if (ns === parent.namespace && svc.startsWith(`${parent.service}-`) && port === parent.port)
      leafCandidates.push({ at: backends.length, name: svc, path: at });
    backends.push({
      service: svc,
      ...(ns !== parent.namespace ? { namespace: ns } : {}),
      ...(port !== parent.port ? { port } : {}),
    });
  });
  if (failed) {
    r.lost(
      route,
      [...base, 'backendRefs'],
      'a backend of this rule cannot be imported (above), so the rule is left out',
    );
    return undefined;
  }
  if (Array.isArray(native.backendRefs) && refs.length === 0) r.ledger.take(route, [...base, 'backendRefs']);
  if (!weightsOf(route, base, backends, weights, r)) return undefined;
  // The only backend is the parent on the port called: the neutral default.
  const lone = backends.length === 1 ? backends[0]! : undefined;
  if (!(lone && lone.service === parent.service && lone.namespace === undefined && lone.port === undefined))
    if (backends.length) rule.backends = backends;
  // The rule's own timeout.
  let ownTimeout: RuleIR['ownTimeout'];
  const timeouts = native.timeouts as Obj | undefined;
  if (timeouts) {
    const tat = [...base, 'timeouts'];
    r.rest(route, tat, ['request', 'backendRequest'], 'timeouts');
    if (timeouts.backendRequest !== undefined)
      r.lost(
        route,
        [...tat, 'backendRequest'],
        'Linkerd does not read backendRequest (only timeouts.request), so it has no effect',
      );
    if (timeouts.request !== undefined) {
      const ms = linkerdMs(timeouts.request);
      // Linkerd reads the field with its annotation parser (one integer and a unit), so a
      // compound Gateway API value such as 1m30s sets no timeout unless an annotation does.
      const gw = ms ?? gatewayMs(timeouts.request);
      if (gw === undefined)
        r.lost(route, [...tat, 'request'], `${JSON.stringify(timeouts.request)} is not a duration`);
      else
        ownTimeout = {
          ms: gw,
          text: String(timeouts.request),
          path: [...tat, 'request'],
          read: ms !== undefined,
        };
    }
  }
  return {
    route,
    index,
    rule,
    leafCandidates,
    ...(ownTimeout ? { ownTimeout } : {}),
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
  r: LinkerdReader,
): boolean {
  if (backends.length === 0) return true;
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) {
    r.lost(route, [...base, 'backendRefs'], 'every backend has weight 0, so Linkerd sends the calls nowhere');
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
