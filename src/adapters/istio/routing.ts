/**
 * TrafficPolicy -> VirtualService (routes, matches, weights, timeouts, retries, faults, mirrors,
 * headers, CORS, redirects, rewrites; gRPC matches as paths, routing-grpc.ts; TCP policies as tcp[]
 * routes, routing-tcp.ts) and DestinationRule (version subsets, TCP idle timeouts, the HTTP/2
 * upgrade of http2 policies, routing-http2.ts),
 * `networking.istio.io/v1`.
 *
 * Istio merges several VirtualServices for one host only at gateways, and then in no defined order,
 * so anymesh emits one VirtualService per service for the calls inside the mesh, and one per policy
 * bound to an ingress gateway (spec.gateway: `gateways: [<namespace>/<name>]`, hosts its host names,
 * `*` without), named `<policy>.gateway` (a Service name has no dot, so it never meets a mesh
 * VirtualService). Policies of one gateway whose rules would compete are refused by the overlap
 * analysis (AM3011), so the merge order at the gateway does not matter. Their versions are subsets
 * of the service's DestinationRule, which the gateway's proxy applies too. Several policies for one service merge in the
 * model's order: scoped policies first (sources, then port: their rules only catch their callers or
 * port), then by name. Policies whose rules would compete for the same requests are refused before
 * this point by the overlap analysis (AM3011).
 */
import { type CompileContext, type KubeObject, outputMetadata, serviceFqdn } from '../../core/adapter.js';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, RouteMatchT, Rule, SourceT, TrafficPolicy } from '../../core/model/schema.js';
import { grpcUri } from './routing-grpc.js';
import { http2TrafficPolicy, isHttp2 } from './routing-http2.js';
import { istioRedirect, istioRewrite } from './routing-redirect.js';
import { idleTimeout, idleTrafficPolicy, isTcp, tcpRoute } from './routing-tcp.js';
import { mergeTrafficPolicies } from './traffic-policy-merge.js';

type Obj = Record<string, unknown>;

function specificity(p: TrafficPolicy): number {
  return (p.spec.sources ? 2 : 0) + (p.spec.port !== undefined ? 1 : 0);
}

export function groupByService(
  policies: readonly PolicyDoc<TrafficPolicy>[],
): Map<string, PolicyDoc<TrafficPolicy>[]> {
  const groups = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  for (const p of policies) {
    const key = `${p.namespace}/${p.policy.spec.service}`;
    const list = groups.get(key) ?? [];
    list.push(p);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => specificity(b.policy) - specificity(a.policy) || a.name.localeCompare(b.name));
  }
  return groups;
}

function destination(
  b: BackendT | undefined,
  self: { service: string; namespace: string; port?: number },
  ctx: CompileContext,
): Obj {
  if (b?.service !== undefined) {
    const port = b.port;
    return {
      host: serviceFqdn(b.service, b.namespace ?? self.namespace, ctx),
      ...(port !== undefined ? { port: { number: port } } : {}),
    };
  }
  return {
    host: serviceFqdn(self.service, self.namespace, ctx),
    ...(b?.version !== undefined ? { subset: b.version } : {}),
    ...(self.port !== undefined ? { port: { number: self.port } } : {}),
  };
}

function stringMatch(m: { exact?: string; prefix?: string; regex?: string }): Obj {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex };
}

function matchRequest(
  m: RouteMatchT | undefined,
  source: SourceT | undefined,
  port: number | undefined,
): Obj {
  // (port: the service port a mesh caller calls; undefined at a gateway, whose listener port is
  // not the service's.)
  const out: Obj = {};
  if (m?.path) out.uri = stringMatch(m.path);
  if (m?.grpc) out.uri = grpcUri(m.grpc);
  if (m?.method) out.method = { exact: m.method };
  if (m?.headers?.length) {
    // Istio requires lower-case header names in matches; HTTP header names are case-insensitive.
    out.headers = Object.fromEntries(
      m.headers.map((h) => [h.name.toLowerCase(), h.present ? {} : stringMatch(h)]),
    );
  }
  if (m?.queryParams?.length) {
    out.queryParams = Object.fromEntries(
      m.queryParams.map((q) => [
        q.name,
        q.present ? { regex: '.*' } : q.exact !== undefined ? { exact: q.exact } : { regex: q.regex },
      ]),
    );
  }
  if (port !== undefined) out.port = port;
  if (source?.labels) out.sourceLabels = source.labels;
  if (source?.namespace) out.sourceNamespace = source.namespace;
  return out;
}

/** Every combination of the rule's match entries and the policy's sources (Istio ORs match[]). */
function matches(rule: Rule, p: TrafficPolicy): Obj[] | undefined {
  const entries: (RouteMatchT | undefined)[] = rule.matches?.length ? rule.matches : [undefined];
  const sources: (SourceT | undefined)[] = p.spec.sources?.length ? p.spec.sources : [undefined];
  const out: Obj[] = [];
  // At a gateway, spec.port is the port the gateway sends to (the destination's), not a condition;
  // the condition there is the gateway listener's port (Istio: the port the gateway server listens
  // on, HTTPMatchRequest.port).
  const port = p.spec.gateway ? p.spec.gateway.port : p.spec.port;
  for (const m of entries) for (const s of sources) out.push(matchRequest(m, s, port));
  return out.every((o) => Object.keys(o).length === 0) ? undefined : out;
}

const dur = (text: string) => formatDuration(durationMs(text));

function headerOps(ops: Rule['requestHeaders']): Obj | undefined {
  if (!ops) return undefined;
  return {
    ...(ops.set ? { set: ops.set } : {}),
    ...(ops.add ? { add: ops.add } : {}),
    ...(ops.remove ? { remove: ops.remove } : {}),
  };
}

function httpRoute(p: PolicyDoc<TrafficPolicy>, rule: Rule, index: number, ctx: CompileContext): Obj {
  const spec = p.policy.spec;
  const self = { service: spec.service, namespace: p.namespace, port: spec.port };
  const backends = rule.backends ?? [];
  const route: Obj[] = backends.length
    ? backends.map((b) => ({
        destination: destination(b, self, ctx),
        ...(backends.length > 1 ? { weight: b.weight } : {}),
      }))
    : [{ destination: destination(undefined, self, ctx) }];
  const out: Obj = { name: `${p.name}.${rule.name ?? `rule-${index}`}` };
  const match = matches(rule, p.policy);
  if (match) out.match = match;
  // A redirect answers the caller itself: Istio's HTTPRoute has redirect instead of route.
  if (rule.redirect) out.redirect = istioRedirect(rule.redirect);
  else out.route = route;
  if (rule.rewrite) out.rewrite = istioRewrite(rule.rewrite);
  if (rule.timeout) out.timeout = dur(rule.timeout);
  if (rule.retries) {
    const r = rule.retries;
    out.retries = {
      attempts: r.attempts,
      ...(r.perTryTimeout ? { perTryTimeout: dur(r.perTryTimeout) } : {}),
      ...(r.retryOn?.length ? { retryOn: r.retryOn.join(',') } : {}),
      ...(r.backoff ? { backoff: dur(r.backoff.base) } : {}),
    };
  }
  if (rule.fault) {
    const f = rule.fault;
    out.fault = {
      ...(f.delay
        ? { delay: { fixedDelay: dur(f.delay.duration), percentage: { value: f.delay.percentage } } }
        : {}),
      ...(f.abort
        ? {
            abort: {
              ...(f.abort.status !== undefined
                ? { httpStatus: f.abort.status }
                : { grpcStatus: f.abort.grpcStatus }),
              percentage: { value: f.abort.percentage },
            },
          }
        : {}),
    };
  }
  if (rule.mirror) {
    out.mirrors = [
      {
        destination: destination(rule.mirror.backend, self, ctx),
        percentage: { value: rule.mirror.percentage ?? 100 },
      },
    ];
  }
  const request = headerOps(rule.requestHeaders);
  const response = headerOps(rule.responseHeaders);
  if (request || response)
    out.headers = { ...(request ? { request } : {}), ...(response ? { response } : {}) };
  if (rule.cors) {
    const c = rule.cors;
    out.corsPolicy = {
      allowOrigins: c.allowOrigins.map(stringMatch),
      ...(c.allowMethods ? { allowMethods: c.allowMethods } : {}),
      ...(c.allowHeaders ? { allowHeaders: c.allowHeaders } : {}),
      ...(c.exposeHeaders ? { exposeHeaders: c.exposeHeaders } : {}),
      ...(c.maxAge ? { maxAge: dur(c.maxAge) } : {}),
      ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
    };
  }
  return out;
}

/** The VirtualService of a policy bound to an ingress gateway (spec.gateway): its own, per policy. */
function gatewayVirtualService(p: PolicyDoc<TrafficPolicy>, ctx: CompileContext): KubeObject {
  const g = p.policy.spec.gateway!;
  const self = { service: p.policy.spec.service, namespace: p.namespace, port: p.policy.spec.port };
  // TCP: the connections the gateway takes on listener port g.port (validation requires it).
  const routes = isTcp(p.policy)
    ? {
        tcp: p.policy.spec.rules.map((rule) =>
          tcpRoute(p.policy, rule, (b) => destination(b, self, ctx), g.port),
        ),
      }
    : { http: p.policy.spec.rules.map((rule, i) => httpRoute(p, rule, i, ctx)) };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: outputMetadata(`${p.name}.gateway`, p.namespace, [p]),
    spec: {
      hosts: g.hostnames ?? ['*'],
      gateways: [`${g.namespace ?? p.namespace}/${g.name}`],
      ...routes,
    },
  };
}

/** Pod labels as the diagnostics show them: `k=v,k2=v2`. */
function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function compileRouting(
  policies: readonly PolicyDoc<TrafficPolicy>[],
  ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const group of groupByService(policies).values()) {
    const first = group[0]!;
    const { service } = first.policy.spec;
    const namespace = first.namespace;
    const subsets = new Map<string, { labels: Record<string, string>; from: PolicyDoc }>();
    for (const p of group) {
      for (const [name, labels] of Object.entries(p.policy.spec.versions ?? {})) {
        const prior = subsets.get(name);
        if (prior && JSON.stringify(prior.labels) !== JSON.stringify(labels)) {
          diagnostics.push(
            diag(
              'VersionLabelsConflict',
              {
                version: name,
                service,
                labels: labelText(labels),
                otherLabels: labelText(prior.labels),
                other: prior.from.ref,
              },
              p.at(['spec', 'versions', name]),
            ),
          );
        } else if (!prior) subsets.set(name, { labels, from: p });
      }
    }
    const host = serviceFqdn(service, namespace, ctx);
    const inMesh = group.filter((p) => !p.policy.spec.gateway);
    const requests = inMesh.filter((p) => !isTcp(p.policy));
    const connections = inMesh.filter((p) => isTcp(p.policy));
    const http = requests.flatMap((p) => p.policy.spec.rules.map((rule, i) => httpRoute(p, rule, i, ctx)));
    const tcp = connections.flatMap((p) => {
      const self = { service, namespace: p.namespace, port: p.policy.spec.port };
      return p.policy.spec.rules.map((rule) => tcpRoute(p.policy, rule, (b) => destination(b, self, ctx)));
    });
    if (inMesh.length)
      resources.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: outputMetadata(service, namespace, inMesh),
        spec: { hosts: [host], ...(http.length ? { http } : {}), ...(tcp.length ? { tcp } : {}) },
      });
    for (const p of group) if (p.policy.spec.gateway) resources.push(gatewayVirtualService(p, ctx));
    const idle = idleTrafficPolicy(idleTimeout(group, ctx, diagnostics));
    const h2 = http2TrafficPolicy(group);
    const settings = idle || h2 ? mergeTrafficPolicies(idle ?? {}, h2 ?? {}) : undefined;
    if (subsets.size || settings) {
      const withSettings = group.filter(
        (p) =>
          p.policy.spec.versions || isHttp2(p.policy) || (isTcp(p.policy) && p.policy.spec.rules[0]?.timeout),
      );
      resources.push({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: outputMetadata(service, namespace, withSettings),
        spec: {
          host,
          ...(settings ? { trafficPolicy: settings } : {}),
          ...(subsets.size
            ? {
                subsets: [...subsets.entries()]
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([name, { labels }]) => ({ name, labels })),
              }
            : {}),
        },
      });
    }
  }
  return { resources, diagnostics };
}
