/**
 * TrafficPolicy -> ServiceDefaults (protocol http, or http2 / grpc for an HTTP/2 / gRPC policy), ServiceResolver
 * (version subsets), ServiceRouter (ordered routes: matches, gRPC matches as paths, timeouts,
 * retries, headers, prefixRewrite) and ServiceSplitter (weights).
 *
 * Weighted rules. A Consul router route sends a request to one service (optionally one subset); the
 * split happens after it, in the ServiceSplitter of the service the route names (docs: "any route
 * destination that omits ServiceSubset is eligible for splitting via a service-splitter"). A
 * splitter belongs to a service name, so it cannot differ per rule. Hence:
 * - a policy whose only rule is an unconditional weighted rule without timeout or retries (the plain
 *   canary) gets a ServiceSplitter on the service itself and no router, the form Consul documents;
 * - otherwise each weighted rule routes to a virtual service `<service>-split-<rule>` that has no
 *   instances, only ServiceDefaults (protocol http) and a ServiceSplitter whose splits name the real
 *   service and subsets. Splitting the service itself would also split the rules that route to the
 *   whole service, which is not what they say.
 * Source: hashicorp/consul@v1.16.3 website/content/docs/connect/config-entries/service-router.mdx,
 * service-splitter.mdx; agent/consul/discoverychain/compile.go (route -> splitter-or-resolver node).
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendT, RouteMatchT, Rule, TrafficPolicy } from '../../core/model/schema.js';
import { grpcAsHttpMatch } from '../kit/gateway-api.js';
import type { ConsulHttpProtocol, EntrySet, Obj } from './entries.js';
import { consulMessages } from './messages.js';

/**
 * Keys Consul takes as service metadata (agent/structs/structs.go, validateMetaPair, consul v1.16.3):
 * letters, digits, underscore and dash, not starting with the reserved `consul-` prefix (and at most
 * 128 characters, which a label key without a prefix never exceeds). consul-k8s passes the
 * annotation suffix through, so Consul would refuse to register a pod whose key breaks these rules.
 */
const META_KEY = /^[A-Za-z0-9_-]+$/;
const RESERVED_META_PREFIX = 'consul-';

function validMetaKey(key: string): boolean {
  return META_KEY.test(key) && !key.startsWith(RESERVED_META_PREFIX);
}

/**
 * A bexpr selector segment is `[a-zA-Z][a-zA-Z0-9_]*` (hashicorp/go-bexpr v0.1.2 grammar.peg,
 * Identifier); any other key, such as `app-version` or `1x`, must be an index `["app-version"]`,
 * or Consul refuses the resolver ("Filter for subset ... is not a valid expression", found by the
 * behaviour tier, test/behaviour/consul).
 */
const BEXPR_IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

const SERVICE_META_ANNOTATION = 'consul.hashicorp.com/service-meta-';

/** A bexpr string literal; quoting keeps values with dots or dashes one token. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** `Service.Meta.version == "v1"`, all labels of the version ANDed. */
export function subsetFilter(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `Service.Meta${BEXPR_IDENT.test(k) ? `.${k}` : `[${quote(k)}]`} == ${quote(v)}`)
    .join(' and ');
}

function headerOps(ops: Rule['requestHeaders']): Obj | undefined {
  if (!ops) return undefined;
  return {
    ...(ops.add ? { add: ops.add } : {}),
    ...(ops.set ? { set: ops.set } : {}),
    ...(ops.remove ? { remove: ops.remove } : {}),
  };
}

function httpMatch(m: RouteMatchT): Obj | undefined {
  const http: Obj = {};
  if (m.path?.exact !== undefined) http.pathExact = m.path.exact;
  if (m.path?.prefix !== undefined) http.pathPrefix = m.path.prefix;
  if (m.path?.regex !== undefined) http.pathRegex = m.path.regex;
  if (m.method) http.methods = [m.method];
  if (m.headers?.length) {
    http.header = m.headers.map((h) => ({
      name: h.name,
      ...(h.exact !== undefined
        ? { exact: h.exact }
        : h.prefix !== undefined
          ? { prefix: h.prefix }
          : h.regex !== undefined
            ? { regex: h.regex }
            : { present: true }),
    }));
  }
  if (m.queryParams?.length) {
    http.queryParam = m.queryParams.map((q) => ({
      name: q.name,
      ...(q.exact !== undefined
        ? { exact: q.exact }
        : q.regex !== undefined
          ? { regex: q.regex }
          : { present: true }),
    }));
  }
  return Object.keys(http).length ? { http } : undefined;
}

/** Retry fields of a route destination; see messages.DefaultRetryOn for the default conditions. */
function retryFields(r: NonNullable<Rule['retries']>): Obj {
  const conditions = r.retryOn?.length ? r.retryOn : ['connect-failure', 'refused-stream'];
  const named = conditions.filter((c) => !/^[0-9]+$/.test(c) && c !== 'connect-failure');
  const codes = conditions.filter((c) => /^[0-9]+$/.test(c)).map(Number);
  return {
    numRetries: r.attempts,
    ...(conditions.includes('connect-failure') ? { retryOnConnectFailure: true } : {}),
    ...(named.length ? { retryOn: named } : {}),
    ...(codes.length ? { retryOnStatusCodes: codes } : {}),
  };
}

function ruleKey(rule: Rule, index: number): string {
  return rule.name ?? `rule-${index}`;
}

export function compileRouting(policies: readonly PolicyDoc<TrafficPolicy>[], set: EntrySet): void {
  const groups = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  for (const p of policies) {
    const key = `${p.namespace}/${p.policy.spec.service}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.name.localeCompare(b.name));
    const [first, ...rest] = sorted;
    // Consul has one router per service and no caller or port scoping (those cells are none or
    // partial), so two policies for one service would compete for the same requests.
    for (const p of rest) {
      const where = first!.at(['spec', 'service']).location;
      set.report(
        makeDiagnostic(
          consulMessages.OneRouterPerService,
          {
            policy: p.ref,
            other: first!.ref,
            where: `${where.file}:${where.line}:${where.col}`,
            service: p.policy.spec.service,
          },
          p.at(['spec', 'service']),
        ),
      );
    }
    if (rest.length) continue;
    compilePolicy(first!, set);
  }
}

function compilePolicy(p: PolicyDoc<TrafficPolicy>, set: EntrySet): void {
  const spec = p.policy.spec;
  const service = spec.service;
  const ns = p.namespace;
  const ent = set.options.enterprise;
  const at = p.at(['spec', 'service']);
  const httpServices = new Set<string>();
  // Every service of a gRPC (HTTP/2) policy's chain is a grpc (http2) service: Consul wants one
  // protocol per chain.
  const protocol: ConsulHttpProtocol =
    spec.protocol === 'grpc' || spec.protocol === 'http2' ? spec.protocol : 'http';
  const http = (name: string, namespace: string) => {
    if (set.httpService(name, namespace, p, at, protocol))
      httpServices.add(namespace === ns ? name : `${name} (namespace ${namespace})`);
  };
  http(service, ns);

  // Version subsets.
  const versions = Object.entries(spec.versions ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (versions.length) {
    let valid = true;
    for (const [version, labels] of versions) {
      for (const key of Object.keys(labels)) {
        if (!validMetaKey(key)) {
          valid = false;
          set.report(
            makeDiagnostic(
              consulMessages.MetaKey,
              { key, version },
              p.at(['spec', 'versions', version, key], true),
            ),
          );
        }
      }
    }
    const resolver = valid ? set.claim('ServiceResolver', service, ns, p, at) : undefined;
    if (resolver) {
      resolver.subsets = Object.fromEntries(
        versions.map(([v, labels]) => [v, { filter: subsetFilter(labels) }]),
      );
      const annotations = versions
        .map(
          ([v, labels]) =>
            `${v}: ${Object.entries(labels)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, val]) => `${SERVICE_META_ANNOTATION}${k}: "${val}"`)
              .join(', ')}`,
        )
        .join('; ');
      set.report(
        makeDiagnostic(consulMessages.ServiceMeta, { service, annotations }, p.at(['spec', 'versions'])),
      );
    }
  }

  const target = (b: BackendT | undefined): Obj => {
    if (b?.service !== undefined) {
      const bns = b.namespace ?? ns;
      http(b.service, bns);
      return { service: b.service, ...(ent ? { namespace: bns } : {}) };
    }
    return {
      service,
      ...(b?.version !== undefined ? { serviceSubset: b.version } : {}),
      ...(ent ? { namespace: ns } : {}),
    };
  };
  const splits = (rule: Rule, withHeaders: boolean): Obj[] =>
    (rule.backends ?? []).map((b) => {
      const request = withHeaders ? headerOps(rule.requestHeaders) : undefined;
      const response = withHeaders ? headerOps(rule.responseHeaders) : undefined;
      return {
        weight: b.weight ?? 0,
        ...target(b),
        ...(request ? { requestHeaders: request } : {}),
        ...(response ? { responseHeaders: response } : {}),
      };
    });

  const rules = spec.rules;
  const only = rules.length === 1 ? rules[0]! : undefined;
  // A rule whose matches are all empty (`matches: [{}]`) matches every request, as one without
  // matches does: the same splitter (and the same objects to import back).
  const matchesAll = !only?.matches?.length || only.matches.every((m) => Object.keys(m).length === 0);
  if (only && matchesAll && (only.backends?.length ?? 0) > 1 && !only.timeout && !only.retries) {
    // The plain canary: a splitter on the service itself, headers per split.
    const splitter = set.claim('ServiceSplitter', service, ns, p, at);
    if (splitter) splitter.splits = splits(only, true);
  } else {
    const routes: Obj[] = [];
    let retriesDefaulted = false;
    rules.forEach((rule, index) => {
      const backends = rule.backends ?? [];
      let destination: Obj;
      if (backends.length > 1) {
        const virtual = `${service}-split-${ruleKey(rule, index)}`;
        http(virtual, ns);
        const splitter = set.claim(
          'ServiceSplitter',
          virtual,
          ns,
          p,
          p.at(['spec', 'rules', index, 'backends']),
        );
        if (splitter) splitter.splits = splits(rule, false);
        destination = { service: virtual, ...(ent ? { namespace: ns } : {}) };
      } else destination = target(backends[0]);
      if (rule.timeout) destination.requestTimeout = formatDuration(durationMs(rule.timeout));
      if (rule.retries) {
        Object.assign(destination, retryFields(rule.retries));
        if (!rule.retries.retryOn?.length && !retriesDefaulted) {
          retriesDefaulted = true;
          set.report(
            makeDiagnostic(consulMessages.DefaultRetryOn, {}, p.at(['spec', 'rules', index, 'retries'])),
          );
        }
      }
      const request = headerOps(rule.requestHeaders);
      const response = headerOps(rule.responseHeaders);
      if (request) destination.requestHeaders = request;
      if (response) destination.responseHeaders = response;
      // The only rewrite Consul has (the other rewrite cells are none, so never reach here).
      const prefix = rule.rewrite?.path?.replacePrefixMatch;
      if (prefix !== undefined) destination.prefixRewrite = prefix;
      // Consul ORs nothing inside a route: each match entry of a rule becomes its own route, in order.
      const entries: (RouteMatchT | undefined)[] = rule.matches?.length ? rule.matches : [undefined];
      for (const m of entries) {
        // A gRPC match is a match on the call's path (/<service>/<method>).
        const match = m ? httpMatch(grpcAsHttpMatch(m)) : undefined;
        routes.push({ ...(match ? { match } : {}), destination: { ...destination } });
      }
    });
    // A lone catch-all route to the service itself, with no settings, is what Consul does without
    // a router (the discovery chain's default): a protocol-only policy writes just the protocol.
    const bare =
      routes.length === 1 && JSON.stringify(routes[0]) === JSON.stringify({ destination: target(undefined) });
    const router = bare ? undefined : set.claim('ServiceRouter', service, ns, p, at);
    if (router) router.routes = routes;
  }
  if (httpServices.size) {
    set.report(
      makeDiagnostic(
        protocol === 'grpc'
          ? consulMessages.GrpcProtocol
          : protocol === 'http2'
            ? consulMessages.Http2Protocol
            : consulMessages.L7Protocol,
        { services: [...httpServices].sort().join(', ') },
        p.at(['spec', 'service']),
      ),
    );
  }
}
