/**
 * TrafficPolicy -> Gateway API HTTPRoute for the ambient data plane: one HTTPRoute per policy with
 * a Service parentRef (group "", kind Service; with spec.port, the port), enforced by the service's
 * waypoint (waypoint.ts binds it), plus leaf Services for versions (HTTPRoute has no subsets). A
 * policy bound to an ingress gateway (spec.gateway) hangs off that Gateway instead, with its host
 * names; the ingress gateway, an Envoy istiod programs from the same conversion, applies it.
 *
 * What Istio 1.30 does with it (pilot/pkg/config/kube/gateway/conversion.go `convertHTTPRoute`):
 * filters RequestHeaderModifier / ResponseHeaderModifier / RequestMirror / CORS; `timeouts.request`
 * is the route timeout; `retry` (experimental channel) becomes retries with attempts, backoff and
 * retryOn = connect-failure,refused-stream,unavailable,cancelled + the status codes, and with it
 * `timeouts.backendRequest` is the per-try timeout. A rule without backendRefs answers 404, so a rule
 * that goes to the service itself names it, with its port (a Service backendRef needs one). Routes of
 * a service are ordered by Gateway API precedence, not by rule order: `checkRuleOrder` refuses the
 * orders Istio would not keep. Fault injection never reaches this module (cells none).
 *
 * Never a VirtualService: mixing it with an HTTPRoute for one host is undefined behaviour.
 */
import { type CompileContext, type KubeObject, outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, Rule, TrafficPolicy } from '../../core/model/schema.js';
import {
  GATEWAY_DURATION,
  gatewayMatch,
  grpcAsHttpMatch,
  grpcRouteMatch,
  headerFilters,
  type Obj,
  redirectFilter,
  rewriteFilter,
  routeAttachment,
} from '../kit/gateway-api.js';
import { LeafServices, leafName, leafNoticeParams, SERVICE_NAME_LIMIT } from '../kit/leaf-services.js';
import { checkRuleOrder, type RuleOrderReport } from '../kit/route-order.js';
import { istioDiag } from './messages.js';

/** Gateway API allows 16 rules per HTTPRoute. */
const MAX_RULES = 16;

/** Status codes for the model's HTTP retry classes (Gateway API retries take codes only). */
const RETRY_CODES: Record<string, readonly number[]> = {
  // Envoy's 5xx is any 5xx response (its connection part Istio adds anyway), but Istio hands Envoy
  // only the codes Go's net/http names (istio/istio pilot/pkg/networking/core/route/retry/retry.go
  // parseRetryOn: http.StatusText(code) != ""); any other code lands in retry_on as an unknown
  // condition and is never retried (the behaviour tier saw it). So: the 5xx codes that work.
  '5xx': [500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511],
  'gateway-error': [502, 503, 504],
  'retriable-4xx': [409],
};

/** The Gateway API CORS origin pattern (HTTPRoute CRD v1.6.1, filters[].cors.allowOrigins[]). */
const CORS_ORIGIN = /(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)/;

const ISTIO_ORDER: RuleOrderReport = {
  moreSpecific: (p, at) => istioDiag('RuleOrder', p, at),
  acrossRoutes: (p, at) => istioDiag('RuleTie', p, at),
  regexAbovePrefix: false,
};

interface PolicyContext {
  readonly doc: PolicyDoc<TrafficPolicy>;
  readonly leaves: LeafServices;
  readonly diagnostics: Diagnostic[];
  selector?: Record<string, string>;
  readonly usedVersions: Set<string>;
}

/** A Gateway API duration, or a diagnostic when the text does not fit its format. */
function gatewayDuration(pc: PolicyContext, text: string, what: string, path: (string | number)[]) {
  const value = formatDuration(durationMs(text));
  if (GATEWAY_DURATION.test(value)) return value;
  pc.diagnostics.push(istioDiag('Duration', { what, value: text }, pc.doc.at(path)));
  return undefined;
}

/** The backendRef of one backend (a version's leaf Service, or a Service), or undefined on error. */
function backendRef(
  pc: PolicyContext,
  b: BackendT | undefined,
  path: (string | number)[],
): { name: string; namespace?: string; port: number } | undefined {
  const { doc } = pc;
  const spec = doc.policy.spec;
  if (b?.service !== undefined) {
    const port = b.port ?? spec.port;
    if (port === undefined) {
      pc.diagnostics.push(
        istioDiag(
          'PortRequired',
          {
            what: `backend service ${b.service}`,
            why: 'a Gateway API Service backendRef must name a port',
          },
          doc.at([...path, 'service']),
        ),
      );
      return undefined;
    }
    const namespace = b.namespace !== undefined && b.namespace !== doc.namespace ? b.namespace : undefined;
    return { name: b.service, ...(namespace !== undefined ? { namespace } : {}), port };
  }
  if (spec.port === undefined) {
    const what = b?.version !== undefined ? `version ${b.version}` : 'a rule that goes to the service itself';
    const why =
      b?.version !== undefined
        ? `it is routed to leaf Service ${leafName(spec.service, b.version)}, and a Service backendRef needs a port`
        : 'Istio answers 404 to a waypoint rule without backendRefs, so anymesh names the service, and a Service backendRef needs a port';
    pc.diagnostics.push(
      istioDiag('PortRequired', { what, why }, doc.at(b?.version ? [...path, 'version'] : path)),
    );
    return undefined;
  }
  if (b?.version === undefined) return { name: spec.service, port: spec.port };
  if (!pc.selector) {
    const sel = resolveSelector(doc, spec.service);
    if (sel.diagnostic) pc.diagnostics.push(sel.diagnostic);
    pc.selector = sel.labels;
  }
  const problem = pc.leaves.add(doc, b.version, pc.selector, spec.port);
  if (problem) pc.diagnostics.push(problem);
  pc.usedVersions.add(b.version);
  return { name: leafName(spec.service, b.version), port: spec.port };
}

function retry(rule: Rule): Obj | undefined {
  const r = rule.retries;
  if (!r) return undefined;
  const codes = new Set<number>();
  for (const cond of r.retryOn ?? []) {
    for (const c of RETRY_CODES[cond] ?? (/^[1-5][0-9][0-9]$/.test(cond) ? [Number(cond)] : [])) codes.add(c);
  }
  return {
    attempts: r.attempts,
    ...(codes.size ? { codes: [...codes].sort((a, b) => a - b) } : {}),
    ...(r.backoff ? { backoff: formatDuration(durationMs(r.backoff.base)) } : {}),
  };
}

function corsFilter(pc: PolicyContext, rule: Rule, r: number): Obj | undefined {
  const c = rule.cors;
  if (!c) return undefined;
  const origins: string[] = [];
  c.allowOrigins.forEach((o, i) => {
    // prefix and regex origins are refused before compile (cells none).
    const origin = o.exact!;
    // An exact origin with * would become a Gateway API wildcard, wider than the model's exact match.
    if (CORS_ORIGIN.test(origin) && !origin.includes('*')) origins.push(origin);
    else
      pc.diagnostics.push(
        istioDiag('CorsOrigin', { origin }, pc.doc.at(['spec', 'rules', r, 'cors', 'allowOrigins', i])),
      );
  });
  const maxAge = c.maxAge !== undefined ? Math.ceil(durationMs(c.maxAge) / 1000) : undefined;
  return {
    type: 'CORS',
    cors: {
      allowOrigins: origins,
      ...(c.allowMethods ? { allowMethods: c.allowMethods } : {}),
      ...(c.allowHeaders ? { allowHeaders: c.allowHeaders } : {}),
      ...(c.exposeHeaders ? { exposeHeaders: c.exposeHeaders } : {}),
      ...(maxAge !== undefined ? { maxAge } : {}),
      ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
    },
  };
}

function mirrorFilter(pc: PolicyContext, rule: Rule, r: number): Obj | undefined {
  const m = rule.mirror;
  if (!m) return undefined;
  const ref = backendRef(pc, m.backend, ['spec', 'rules', r, 'mirror', 'backend']);
  if (!ref) return undefined;
  const pct = m.percentage ?? 100;
  // percent is a whole number; a decimal share becomes a fraction (Istio: 100 * numerator / denominator).
  const share = Number.isInteger(pct)
    ? { percent: pct }
    : { fraction: { numerator: Math.round(pct * 10_000), denominator: 1_000_000 } };
  return { type: 'RequestMirror', requestMirror: { backendRef: ref, ...share } };
}

/** The backendRefs of a rule, weighted when there are several. */
function ruleBackendRefs(pc: PolicyContext, rule: Rule, r: number): Obj[] {
  const at = ['spec', 'rules', r];
  const backends: readonly (BackendT | undefined)[] = rule.backends?.length ? rule.backends : [undefined];
  return backends.flatMap((b, i) => {
    const ref = backendRef(pc, b, b ? [...at, 'backends', i] : at);
    if (!ref) return [];
    return [{ ...ref, ...(backends.length > 1 ? { weight: b?.weight ?? 0 } : {}) }];
  });
}

/** A GRPCRoute rule: gRPC method and header matches, header and mirror filters, backendRefs. */
function grpcRule(pc: PolicyContext, rule: Rule, r: number): Obj {
  const out: Obj = { name: rule.name ?? `rule-${r}` };
  if (rule.matches?.length) out.matches = rule.matches.map(grpcRouteMatch);
  const filters = [...headerFilters(rule), mirrorFilter(pc, rule, r)].filter(
    (f): f is Obj => f !== undefined,
  );
  if (filters.length) out.filters = filters;
  out.backendRefs = ruleBackendRefs(pc, rule, r);
  return out;
}

function routeRule(pc: PolicyContext, rule: Rule, r: number): Obj {
  const at = ['spec', 'rules', r];
  const out: Obj = { name: rule.name ?? `rule-${r}` };
  // gRPC matches of a policy that needs an HTTPRoute are the paths Istio itself would match.
  if (rule.matches?.length) out.matches = rule.matches.map((m) => gatewayMatch(grpcAsHttpMatch(m)));
  const filters = [
    ...headerFilters(rule),
    mirrorFilter(pc, rule, r),
    corsFilter(pc, rule, r),
    rule.redirect ? redirectFilter(rule.redirect) : undefined,
    rule.rewrite ? rewriteFilter(rule.rewrite) : undefined,
  ].filter((f): f is Obj => f !== undefined);
  if (filters.length) out.filters = filters;
  // A redirect answers the caller: Gateway API forbids backendRefs beside it.
  if (rule.redirect) return out;
  out.backendRefs = ruleBackendRefs(pc, rule, r);
  const request = rule.timeout ? gatewayDuration(pc, rule.timeout, 'timeout', [...at, 'timeout']) : undefined;
  const perTry = rule.retries?.perTryTimeout
    ? gatewayDuration(pc, rule.retries.perTryTimeout, 'perTryTimeout', [...at, 'retries', 'perTryTimeout'])
    : undefined;
  if (
    rule.timeout &&
    rule.retries?.perTryTimeout &&
    durationMs(rule.retries.perTryTimeout) > durationMs(rule.timeout)
  ) {
    pc.diagnostics.push(
      istioDiag(
        'PerTryTimeout',
        { perTry: rule.retries.perTryTimeout, timeout: rule.timeout },
        pc.doc.at([...at, 'retries', 'perTryTimeout']),
      ),
    );
  }
  if (request || perTry)
    out.timeouts = { ...(request ? { request } : {}), ...(perTry ? { backendRequest: perTry } : {}) };
  const rt = retry(rule);
  if (rt) out.retry = rt;
  return out;
}

/**
 * The Gateway API kind of a policy's route: TCPRoute for tcp; GRPCRoute for grpc unless a rule needs
 * what GRPCRoute lacks (timeouts, retry, CORS, redirects, rewrites: in Gateway API v1.6.1 they are
 * HTTPRoute only), in which case an HTTPRoute matching the same paths, as Istio converts GRPCRoutes.
 */
function routeKind(p: TrafficPolicy): 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' {
  if (p.spec.protocol === 'tcp') return 'TCPRoute';
  if (p.spec.protocol !== 'grpc') return 'HTTPRoute';
  return needsHttpRoute(p.spec.rules) ? 'HTTPRoute' : 'GRPCRoute';
}

/** Whether a gRPC policy's rules say what only an HTTPRoute can (routeKind). */
export function needsHttpRoute(
  rules: readonly Pick<Rule, 'timeout' | 'retries' | 'cors' | 'redirect' | 'rewrite'>[],
): boolean {
  return rules.some((r) => r.timeout || r.retries || r.cors || r.redirect || r.rewrite);
}

function compilePolicy(
  doc: PolicyDoc<TrafficPolicy>,
  leaves: LeafServices,
): {
  resources: KubeObject[];
  diagnostics: Diagnostic[];
} {
  const spec = doc.policy.spec;
  const pc: PolicyContext = { doc, leaves, diagnostics: [], usedVersions: new Set() };
  if (spec.rules.length > MAX_RULES) {
    pc.diagnostics.push(
      istioDiag(
        'TooManyRules',
        { what: `HTTPRoute ${doc.name}`, count: spec.rules.length, limit: MAX_RULES },
        doc.at(['spec', 'rules']),
      ),
    );
  }
  const kind = routeKind(doc.policy);
  // One route per policy: every rule is in the same route, so only precedence can reorder them
  // (GRPCRoutes too: Istio turns them into HTTP routes on their paths, ordered the same way).
  if (kind !== 'TCPRoute') {
    const asHttp = spec.rules.map((rule) =>
      rule.matches ? { ...rule, matches: rule.matches.map(grpcAsHttpMatch) } : rule,
    );
    pc.diagnostics.push(...checkRuleOrder(doc, asHttp, () => doc.name, ISTIO_ORDER));
  }
  // A TCP rule has no matches, so only a policy's first rule is ever reached (AM3012 says so).
  const rules =
    kind === 'TCPRoute'
      ? [{ name: spec.rules[0]!.name ?? 'rule-0', backendRefs: ruleBackendRefs(pc, spec.rules[0]!, 0) }]
      : spec.rules.map((rule, r) => (kind === 'GRPCRoute' ? grpcRule(pc, rule, r) : routeRule(pc, rule, r)));
  if (pc.usedVersions.size && pc.selector) {
    pc.diagnostics.push(
      istioDiag(
        'LeafServices',
        leafNoticeParams(spec, pc.usedVersions, pc.selector),
        doc.at(['spec', 'versions']),
      ),
    );
  }
  const route: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind,
    metadata: outputMetadata(doc.name, doc.namespace, [doc]),
    spec: { ...routeAttachment(spec, doc.namespace), rules },
  };
  return { resources: [route], diagnostics: pc.diagnostics };
}

export function compileAmbientRouting(
  policies: readonly PolicyDoc<TrafficPolicy>[],
  _ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const leaves = new LeafServices((name, doc, version) =>
    istioDiag(
      'NameTooLong',
      { what: 'leaf Service', name, limit: SERVICE_NAME_LIMIT, field: 'service or version name' },
      doc.at(['spec', 'versions', version], true),
    ),
  );
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const r = compilePolicy(p, leaves);
    resources.push(...r.resources);
    diagnostics.push(...r.diagnostics);
  }
  resources.push(...leaves.resources());
  return { resources, diagnostics };
}
