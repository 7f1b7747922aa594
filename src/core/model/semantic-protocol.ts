/**
 * Semantic checks of a TrafficPolicy's protocol, gRPC matches, redirects and rewrites (issue 16),
 * in Gateway API's terms: what each protocol's rules may hold, and the rules the HTTPRoute CRD
 * enforces with CEL (gateway-api v1.6.1 config/crd/standard/gateway.networking.k8s.io_httproutes.yaml:
 * "RequestRedirect filter must not be used together with backendRefs", "May specify either
 * httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both", "When using
 * RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be
 * specified", statusCode enum 301, 302, 303, 307, 308) and GRPCRoute's (method match: "One or both
 * of 'service' or 'method' must be specified", and the service and method patterns below).
 */
import type { FieldPath } from '../loader/positions.js';
import { REDIRECT_CODES, type Rule, type TrafficPolicy } from './schema.js';
import type { Checker } from './semantic.js';

/** GRPCRoute's CEL patterns for an Exact method match (gateway-api v1.6.1 grpcroutes CRD). */
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/** Rule fields a TCP proxy cannot act on: it sees connections, not requests. */
const NOT_TCP = [
  'matches',
  'retries',
  'fault',
  'mirror',
  'requestHeaders',
  'responseHeaders',
  'cors',
  'redirect',
  'rewrite',
] as const;

/** Rule fields about forwarding, which a redirect (answered by the proxy) never reaches. */
const NOT_WITH_REDIRECT = ['backends', 'rewrite', 'mirror', 'retries', 'timeout'] as const;

export function checkProtocol(c: Checker, p: TrafficPolicy): void {
  const protocol = p.spec.protocol ?? 'http';
  p.spec.rules.forEach((rule, r) => {
    const at = (...rest: FieldPath): FieldPath => ['spec', 'rules', r, ...rest];
    if (protocol === 'tcp') {
      for (const field of NOT_TCP) {
        if (rule[field] === undefined) continue;
        c.report(
          'ProtocolField',
          {
            field,
            protocol,
            hint: 'a TCP rule has only backends (weighted) and timeout (the idle timeout); set protocol http or grpc for request routing',
          },
          at(field),
          true,
        );
      }
      return;
    }
    rule.matches?.forEach((m, i) => {
      const entry = (...rest: FieldPath) => at('matches', i, ...rest);
      if ((protocol === 'http' || protocol === 'http2') && m.grpc !== undefined)
        c.report(
          'ProtocolField',
          { field: 'grpc', protocol, hint: 'set spec.protocol: grpc to match gRPC services and methods' },
          entry('grpc'),
          true,
        );
      if (protocol === 'grpc') {
        for (const field of ['path', 'method', 'queryParams'] as const) {
          if (m[field] === undefined) continue;
          c.report(
            'ProtocolField',
            {
              field,
              protocol,
              hint: 'every gRPC call is a POST to /<service>/<method>: match it with grpc: {service, method}',
            },
            entry(field),
            true,
          );
        }
      }
      const g = m.grpc;
      if (!g) return;
      if (g.service === undefined && g.method === undefined) c.report('GrpcMatchEmpty', {}, entry('grpc'));
      if (g.service !== undefined && !GRPC_SERVICE.test(g.service))
        c.report(
          'BadName',
          {
            got: JSON.stringify(g.service),
            what: 'gRPC service',
            rule: 'a package-qualified name such as shop.Cart: letters, digits and _, separated by dots',
          },
          entry('grpc', 'service'),
        );
      if (g.method !== undefined && !GRPC_METHOD.test(g.method))
        c.report(
          'BadName',
          {
            got: JSON.stringify(g.method),
            what: 'gRPC method',
            rule: 'letters, digits and _, starting with a letter or _',
          },
          entry('grpc', 'method'),
        );
    });
    // A gRPC client does not follow an HTTP redirect: a 3xx answer fails the call with UNKNOWN
    // (grpc/grpc doc/http-grpc-status-mapping.md), and Gateway API's GRPCRoute has no
    // RequestRedirect filter (grpcroutes CRD v1.6.1, filters[].type enum).
    if (rule.redirect && protocol === 'grpc')
      c.report(
        'ProtocolField',
        {
          field: 'redirect',
          protocol,
          hint: 'gRPC clients fail on a redirect (GRPCRoute has none); route with backends instead',
        },
        at('redirect'),
        true,
      );
    else if (rule.redirect) checkRedirect(c, rule, at);
    if (rule.rewrite) {
      if (rule.rewrite.host !== undefined)
        c.dnsSubdomain(rule.rewrite.host, at('rewrite', 'host'), 'host name');
      if (rule.rewrite.path) checkPath(c, rule, at('rewrite', 'path'));
    }
  });
}

function checkRedirect(c: Checker, rule: Rule, at: (...rest: FieldPath) => FieldPath): void {
  const rd = rule.redirect!;
  for (const field of NOT_WITH_REDIRECT) {
    if (rule[field] !== undefined) c.report('RedirectForwards', { field }, at(field), true);
  }
  if (rd.host !== undefined) c.dnsSubdomain(rd.host, at('redirect', 'host'), 'host name');
  if (rd.path) checkPath(c, rule, at('redirect', 'path'));
  if (rd.statusCode !== undefined && !(REDIRECT_CODES as readonly number[]).includes(rd.statusCode))
    c.report(
      'RedirectCode',
      { got: String(rd.statusCode), expected: REDIRECT_CODES.join(', ') },
      at('redirect', 'statusCode'),
    );
  if (rd.scheme === undefined && rd.host === undefined && rd.port === undefined && rd.path === undefined)
    c.report('RedirectLoop', {}, at('redirect'));
}

function checkPath(c: Checker, rule: Rule, path: FieldPath): void {
  const modifier = (path[path.length - 2] === 'redirect' ? rule.redirect?.path : rule.rewrite?.path) ?? {};
  const given = (['replaceFullPath', 'replacePrefixMatch'] as const).filter((k) => modifier[k] !== undefined);
  if (given.length !== 1) {
    c.report('PathModifierKind', {}, path);
    return;
  }
  const field = given[0]!;
  const value = modifier[field]!;
  if (!value.startsWith('/'))
    c.report('BadPath', { got: JSON.stringify(value), reason: 'a path starts with /' }, [...path, field]);
  if (field !== 'replacePrefixMatch') return;
  const entries = rule.matches ?? [];
  if (entries.length !== 1 || entries[0]!.path?.prefix === undefined) {
    const got =
      entries.length === 0
        ? 'this rule has no matches'
        : entries.length > 1
          ? `this rule has ${entries.length} match entries`
          : 'its match entry has no path.prefix';
    c.report('PrefixNeedsPrefixMatch', { got }, [...path, field]);
  }
}
