/**
 * Mesh-neutral builders of Gateway API HTTPRoute parts (gateway.networking.k8s.io/v1), shared by
 * every adapter that routes mesh traffic with GAMMA HTTPRoutes (Linkerd, Istio ambient): request
 * matches, header modifier filters, durations, Service parentRefs. Field names from the v1.6.1
 * CRDs in shared/crds/gateway-api.
 */

import { parseDuration } from '../../core/model/duration.js';
import type {
  GatewayT,
  HeaderMatchT,
  PathModifierT,
  RedirectT,
  RewriteT,
  RouteMatchT,
  Rule,
} from '../../core/model/schema.js';

export type Obj = Record<string, unknown>;

/** Gateway API's Duration format (GEP-2257), as in the HTTPRoute CRD's pattern. */
export const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** Escapes a literal for a regular expression (RE2 and Rust regex: the classic metacharacters). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Anchors a user's RE2 expression so it must match the whole value: the model's regex matches whole
 * values, and whether an implementation's matcher searches or matches whole values is not fixed by
 * Gateway API for headers and query parameters. An anchored expression means the same under both.
 */
export function anchored(regex: string): string {
  return `^(?:${regex})$`;
}

/**
 * A neutral header condition as a Gateway API HTTPHeaderMatch (route matches, and Linkerd's inbound
 * routes for access operations): Exact, or an anchored RegularExpression for a prefix, a regex and
 * presence (any value of a header that is there).
 */
export function gatewayHeaderMatch(h: HeaderMatchT): Obj {
  if (h.exact !== undefined) return { name: h.name, type: 'Exact', value: h.exact };
  if (h.prefix !== undefined)
    return { name: h.name, type: 'RegularExpression', value: `^${escapeRegex(h.prefix)}.*$` };
  if (h.regex !== undefined) return { name: h.name, type: 'RegularExpression', value: anchored(h.regex) };
  return { name: h.name, type: 'RegularExpression', value: '.*' };
}

/** The Gateway API form of one match entry (HTTPRoute rules[].matches[]). */
export function gatewayMatch(m: RouteMatchT): Obj {
  const out: Obj = {};
  if (m.path?.exact !== undefined) out.path = { type: 'Exact', value: m.path.exact };
  else if (m.path?.prefix !== undefined) out.path = { type: 'PathPrefix', value: m.path.prefix };
  else if (m.path?.regex !== undefined)
    out.path = { type: 'RegularExpression', value: anchored(m.path.regex) };
  if (m.headers?.length) out.headers = m.headers.map(gatewayHeaderMatch);
  if (m.queryParams?.length) {
    out.queryParams = m.queryParams.map((q) => {
      if (q.exact !== undefined) return { name: q.name, type: 'Exact', value: q.exact };
      if (q.regex !== undefined) return { name: q.name, type: 'RegularExpression', value: anchored(q.regex) };
      return { name: q.name, type: 'RegularExpression', value: '.*' };
    });
  }
  if (m.method !== undefined) out.method = m.method;
  return out;
}

/** A RequestHeaderModifier or ResponseHeaderModifier filter, or undefined without operations. */
export function headerFilter(
  type: 'RequestHeaderModifier' | 'ResponseHeaderModifier',
  ops: Rule['requestHeaders'],
): Obj | undefined {
  if (!ops) return undefined;
  const pairs = (rec: Record<string, string>) =>
    Object.entries(rec).map(([name, value]) => ({ name, value }));
  const key = type === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier';
  return {
    type,
    [key]: {
      ...(ops.set ? { set: pairs(ops.set) } : {}),
      ...(ops.add ? { add: pairs(ops.add) } : {}),
      ...(ops.remove ? { remove: ops.remove } : {}),
    },
  };
}

/** Both header filters of a rule, request first, leaving out the absent ones. */
export function headerFilters(rule: Rule): Obj[] {
  return [
    headerFilter('RequestHeaderModifier', rule.requestHeaders),
    headerFilter('ResponseHeaderModifier', rule.responseHeaders),
  ].filter((f): f is Obj => f !== undefined);
}

/**
 * A GAMMA parentRef: the Service whose calls the route governs. The group is "" (the core group as
 * Gateway API spells it).
 */
export function serviceParentRef(service: string, opts: { namespace?: string; port?: number } = {}): Obj {
  return {
    group: '',
    kind: 'Service',
    name: service,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  };
}

/**
 * The parentRefs and hostnames of a route: a policy bound to an ingress gateway (spec.gateway)
 * hangs off that Gateway, for its host names and at its listener port when one is named
 * (parentRefs[].port: the route attaches to every listener of that port); any other off its
 * Service (GAMMA), with the service's port.
 */
export function routeAttachment(
  spec: { service: string; port?: number; gateway?: GatewayT },
  namespace: string,
): Obj {
  const g = spec.gateway;
  if (!g)
    return {
      parentRefs: [serviceParentRef(spec.service, spec.port !== undefined ? { port: spec.port } : {})],
    };
  const gatewayNamespace = g.namespace !== undefined && g.namespace !== namespace ? g.namespace : undefined;
  return {
    parentRefs: [
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: g.name,
        ...(gatewayNamespace !== undefined ? { namespace: gatewayNamespace } : {}),
        ...(g.port !== undefined ? { port: g.port } : {}),
      },
    ],
    ...(g.hostnames ? { hostnames: g.hostnames } : {}),
  };
}

/** The GRPCRoute form of one match entry (GRPCRoute rules[].matches[]: method Exact, headers). */
export function grpcRouteMatch(m: RouteMatchT): Obj {
  const { headers } = gatewayMatch({ ...(m.headers ? { headers: m.headers } : {}) });
  const g = m.grpc;
  return {
    ...(g
      ? {
          method: {
            type: 'Exact',
            ...(g.service !== undefined ? { service: g.service } : {}),
            ...(g.method !== undefined ? { method: g.method } : {}),
          },
        }
      : {}),
    ...(headers !== undefined ? { headers } : {}),
  };
}

/**
 * A gRPC match entry as the HTTP match Istio itself makes of a GRPCRoute method match
 * (pilot/pkg/config/kube/gateway/conversion.go `createGRPCURIMatch`): service and method -> the
 * exact path, service alone -> the prefix /<service>/ (whole segments under Gateway API, the same
 * here: a service name has no /), method alone -> a regex.
 */
export function grpcAsHttpMatch(m: RouteMatchT): RouteMatchT {
  const g = m.grpc;
  if (!g) return m;
  const { grpc: _g, ...rest } = m;
  const path =
    g.service !== undefined && g.method !== undefined
      ? { exact: `/${g.service}/${g.method}` }
      : g.service !== undefined
        ? { prefix: `/${g.service}/` }
        : { regex: `/[^/]+/${g.method}` };
  return { ...rest, path };
}

/** Gateway API's HTTPPathModifier for the model's path change (one of its two fields is set). */
function pathModifier(p: PathModifierT): Obj {
  return p.replaceFullPath !== undefined
    ? { type: 'ReplaceFullPath', replaceFullPath: p.replaceFullPath }
    : { type: 'ReplacePrefixMatch', replacePrefixMatch: p.replacePrefixMatch };
}

/** A RequestRedirect filter; the status is always written (the model's default is Gateway API's, 302). */
export function redirectFilter(r: RedirectT): Obj {
  return {
    type: 'RequestRedirect',
    requestRedirect: {
      ...(r.scheme !== undefined ? { scheme: r.scheme } : {}),
      ...(r.host !== undefined ? { hostname: r.host } : {}),
      ...(r.path ? { path: pathModifier(r.path) } : {}),
      ...(r.port !== undefined ? { port: r.port } : {}),
      statusCode: r.statusCode ?? 302,
    },
  };
}

/** A URLRewrite filter. */
export function rewriteFilter(r: RewriteT): Obj {
  return {
    type: 'URLRewrite',
    urlRewrite: {
      ...(r.host !== undefined ? { hostname: r.host } : {}),
      ...(r.path ? { path: pathModifier(r.path) } : {}),
    },
  };
}

/**
 * A Gateway API duration (GEP-2257: up to four number-unit pairs of h, m, s, ms) in milliseconds,
 * or undefined.
 */
export function gatewayMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || !GATEWAY_DURATION.test(text)) return undefined;
  const r = parseDuration(text);
  return 'ms' in r ? r.ms : undefined;
}
