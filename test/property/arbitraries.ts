/**
 * fast-check arbitraries for valid policies, built from the model: every value they produce must
 * pass validation (a property test checks that too), so that compile properties start from valid
 * input and any failure is the compiler's or an adapter's.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { GRPC_CODES, HTTP_METHODS, RETRY_ON } from '../../src/core/model/schema.js';

const VERSIONS = ['v1', 'v2', 'v3'] as const;
const OTHER_SERVICES = ['ratings', 'details', 'shadow'] as const;

const duration = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map((n) => `${n}ms`),
  fc.integer({ min: 1, max: 120 }).map((n) => `${n}s`),
  fc.integer({ min: 1, max: 10 }).map((n) => `${n}m`),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 59 })).map(([m, s]) => `${m}m${s}s`),
);
/** Percentages with at most two decimals, as users write them. */
const percentage = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100);
const headerName = fc.constantFrom('x-user', 'end-user', 'x-canary', 'x-request-id', 'cookie', 'x-b3-flags');
const headerValue = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const safeRegex = fc.constantFrom('/api/v[0-9]+/.*', '^/reviews/[a-z]+$', '.*\\.png', '(foo|bar)-[0-9]{1,3}');
const path = fc.constantFrom('/', '/api', '/reviews', '/v1/items', '/static/img');

const pathMatch = fc.oneof(
  path.map((p) => ({ exact: p })),
  path.map((p) => ({ prefix: p })),
  safeRegex.map((r) => ({ regex: `/${r}` })),
);

const headerMatch = (name: string) =>
  fc.oneof(
    headerValue.map((v) => ({ name, exact: v })),
    headerValue.map((v) => ({ name, prefix: v })),
    safeRegex.map((r) => ({ name, regex: r })),
    fc.constant({ name, present: true }),
  );

const queryMatch = (name: string) =>
  fc.oneof(
    headerValue.map((v) => ({ name, exact: v })),
    safeRegex.map((r) => ({ name, regex: r })),
    fc.constant({ name, present: true }),
  );

/** Optional fields: present or absent, never `undefined` in the YAML. */
function record<T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) {
  return fc.record(fields, { requiredKeys: [] });
}

const routeMatch = fc
  .tuple(
    record({ path: pathMatch, method: fc.constantFrom(...HTTP_METHODS) }),
    fc.uniqueArray(headerName, { maxLength: 2 }).chain((names) => fc.tuple(...names.map(headerMatch))),
    fc
      .uniqueArray(fc.constantFrom('q', 'engine', 'debug'), { maxLength: 2 })
      .chain((names) => fc.tuple(...names.map(queryMatch))),
  )
  .map(([base, headers, queryParams]) => ({
    ...base,
    ...(headers.length ? { headers } : {}),
    ...(queryParams.length ? { queryParams } : {}),
  }));

/** Integer weights summing to 100 over `n` backends. */
function weights(n: number): fc.Arbitrary<number[]> {
  if (n === 1) return fc.constantFrom([100]);
  return fc
    .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: n - 1, maxLength: n - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), 100];
      return sorted.slice(1).map((c, i) => c - sorted[i]!);
    });
}

const target = fc.oneof(
  fc.constantFrom(...VERSIONS).map((version) => ({ version })),
  fc.record(
    { service: fc.constantFrom(...OTHER_SERVICES), port: fc.constantFrom(80, 9080) },
    { requiredKeys: ['service'] },
  ),
);

const targetKey = (t: { version?: string; service?: string }) => t.version ?? `s:${t.service}`;

const backends = fc
  .uniqueArray(target, { minLength: 1, maxLength: 3, selector: targetKey })
  .chain((ts) =>
    fc
      .tuple(fc.constant(ts), weights(ts.length), fc.boolean())
      .map(([list, ws, omitSingleWeight]) =>
        list.map((t, i) => (list.length === 1 && omitSingleWeight ? t : { ...t, weight: ws[i]! })),
      ),
  );

/** Retry conditions; portable ones leave out what App Mesh refuses alone (reset, bare statuses). */
const retries = (portable: boolean) =>
  fc.record(
    {
      attempts: fc.integer({ min: 1, max: 10 }),
      perTryTimeout: duration,
      retryOn: fc.uniqueArray(
        portable
          ? fc.constantFrom(...RETRY_ON.filter((c) => c !== 'reset'))
          : fc.oneof(fc.constantFrom(...RETRY_ON), fc.constantFrom('503', '429')),
        { minLength: 1, maxLength: 4 },
      ),
      backoff: fc
        .tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 10 }), fc.boolean())
        .map(([base, factor, withMax]) => ({
          base: `${base}ms`,
          ...(withMax ? { max: `${base * factor}ms` } : {}),
        })),
    },
    { requiredKeys: ['attempts'] },
  );

const fault = fc
  .record(
    {
      delay: fc.record({ duration, percentage }),
      abort: fc.oneof(
        fc.record({ status: fc.constantFrom(400, 429, 500, 503), percentage }),
        fc.record({ grpcStatus: fc.constantFrom(...GRPC_CODES), percentage }),
      ),
    },
    { requiredKeys: [] },
  )
  .filter((f) => Object.keys(f).length > 0);

const headerMap = fc.dictionary(headerName, headerValue, { minKeys: 1, maxKeys: 2 });
const headerOps = record({
  set: headerMap,
  add: headerMap,
  remove: fc.uniqueArray(headerName, { minLength: 1, maxLength: 2 }),
}).filter((o) => Object.keys(o).length > 0);

const cors = fc.record(
  {
    allowOrigins: fc.array(
      fc.oneof(
        fc.constantFrom('https://shop.example.com', 'https://a.example.org').map((exact) => ({ exact })),
        fc.constant({ prefix: 'https://' }),
        fc.constant({ regex: 'https://.*\\.example\\.com' }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    allowMethods: fc.uniqueArray(fc.constantFrom(...HTTP_METHODS), { minLength: 1, maxLength: 3 }),
    allowHeaders: fc.uniqueArray(headerName, { minLength: 1, maxLength: 2 }),
    exposeHeaders: fc.uniqueArray(headerName, { minLength: 1, maxLength: 2 }),
    maxAge: duration,
    allowCredentials: fc.boolean(),
  },
  { requiredKeys: ['allowOrigins'] },
);

const mirror = fc.record({ backend: target, percentage }, { requiredKeys: ['backend'] });

/** A rule; portable ones always name their backends (App Mesh routes only to version nodes). */
const rule = (portable: boolean) =>
  fc.record(
    {
      matches: fc.array(routeMatch, { minLength: 1, maxLength: 2 }),
      backends,
      timeout: duration,
      retries: retries(portable),
      fault,
      mirror,
      requestHeaders: headerOps,
      responseHeaders: headerOps,
      cors,
    },
    { requiredKeys: portable ? ['backends'] : [] },
  );

const source = fc
  .record(
    {
      namespace: fc.constantFrom('web', 'frontend'),
      serviceAccount: fc.constantFrom('productpage', 'gateway'),
      labels: fc.constant({ app: 'caller' }),
    },
    { requiredKeys: [] },
  )
  .filter((s) => Object.keys(s).length > 0);

const PROTOCOL_OF: Record<string, 'http2' | 'grpc' | 'tcp'> = {
  catalog: 'http2',
  cart: 'grpc',
  'orders-db': 'tcp',
};

type RuleValue = Record<string, unknown> & { matches?: Record<string, unknown>[] };

/**
 * A generated rule made valid for its protocol (issue 16): a gRPC rule matches gRPC services and
 * methods (and headers) instead of paths, methods and query parameters; a TCP rule keeps only
 * backends and timeout; an HTTP rule may become a redirect (no forwarding fields) or get a rewrite
 * (a prefix rewrite under exactly one path-prefix match, else a host rewrite).
 */
function withProtocol(rule: RuleValue, protocol: string, extra: string): RuleValue {
  if (protocol === 'tcp') {
    const { backends, timeout } = rule;
    return { ...(backends ? { backends } : {}), ...(timeout ? { timeout } : {}) };
  }
  if (protocol === 'grpc') {
    const matches = rule.matches?.map((m) => ({
      grpc: { service: 'shop.Cart', ...(m.method || m.path ? { method: 'AddItem' } : {}) },
      ...(m.headers ? { headers: m.headers } : {}),
    }));
    return { ...rule, ...(matches ? { matches } : {}) };
  }
  if (extra === 'redirect') {
    const { backends: _b, rewrite: _r, mirror: _m, retries: _t, timeout: _o, ...rest } = rule;
    return { ...rest, redirect: { scheme: 'https', statusCode: 301 } };
  }
  if (extra === 'rewrite') {
    const only = rule.matches?.length === 1 ? rule.matches[0] : undefined;
    const prefix = (only?.path as { prefix?: string } | undefined)?.prefix !== undefined;
    return {
      ...rule,
      rewrite: prefix ? { path: { replacePrefixMatch: '/v2' } } : { host: 'internal.example.com' },
    };
  }
  return rule;
}

export interface TrafficPolicyValue {
  apiVersion: string;
  kind: 'TrafficPolicy';
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

export interface PolicyOptions {
  /**
   * Only inputs every mesh can take: spec.port always set (App Mesh declares listeners per port;
   * Linkerd needs a port for Service backends), backends on every rule (App Mesh routes only to
   * version nodes once versions exist), no sources (caller-scoped routing) and one namespace (Consul Community Edition has a single
   * namespace, so one service in two namespaces is one config entry). Adapters refuse the rest
   * with their own coded diagnostics.
   */
  readonly portable?: boolean;
  /**
   * Issue 16's fields in non-portable policies: cart serves gRPC, orders-db is TCP, and HTTP rules
   * may redirect or rewrite. Default: on; the import property turns it off for the importers that
   * do not read these back yet.
   */
  readonly protocols?: boolean;
  /**
   * Non-portable policies may be for catalog, which serves HTTP/2 (protocol http2, HTTP rules):
   * on even with `protocols: false`, since every importer reads protocol http2 back. Default: on.
   */
  readonly http2?: boolean;
  /**
   * Non-portable policies may be bound to an ingress gateway (spec.gateway, with or without its
   * namespace, host names and listener port; TCP ones at a listener port, without host names),
   * leaving out their sources. Default: off.
   */
  readonly gateways?: boolean;
}

const gatewayRef = fc.record(
  {
    name: fc.constantFrom('public', 'edge-gw'),
    namespace: fc.constantFrom('edge', 'shop'),
    hostnames: fc.uniqueArray(fc.constantFrom('shop.example.com', '*.example.com', 'api.shop.example.com'), {
      minLength: 1,
      maxLength: 2,
    }),
    port: fc.constantFrom(80, 8443, 31400),
  },
  { requiredKeys: ['name'] },
);

/** A valid TrafficPolicy as a plain value. */
export const trafficPolicy = (o: PolicyOptions = {}): fc.Arbitrary<TrafficPolicyValue> =>
  fc
    .record(
      {
        name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
        namespace: o.portable ? fc.constant('bookinfo') : fc.constantFrom('bookinfo', 'shop', 'default'),
        // Not portable: cart serves gRPC, orders-db is TCP and catalog HTTP/2 (issue 16), one
        // protocol per service so that policies in one file never conflict on it (AM3020).
        service: fc.constantFrom(
          'reviews',
          'productpage',
          'cart',
          ...(o.portable || o.protocols === false ? [] : ['orders-db']),
          ...(o.portable || o.http2 === false ? [] : ['catalog']),
        ),
        extras: fc.array(fc.constantFrom('none', 'none', 'redirect', 'rewrite'), {
          minLength: 3,
          maxLength: 3,
        }),
        port: o.portable
          ? fc.constantFrom(80, 8080, 9080)
          : fc.option(fc.constantFrom(80, 8080, 9080), { nil: undefined }),
        selector: fc.option(fc.constant({ app: 'svc' }), { nil: undefined }),
        // Caller-scoped routing is not portable (App Mesh has none: the whole policy is left out).
        sources: o.portable
          ? fc.constant(undefined)
          : fc.option(fc.array(source, { minLength: 1, maxLength: 2 }), { nil: undefined }),
        onUnsupported: fc.option(fc.constantFrom('reject', 'warn'), { nil: undefined }),
        rules: fc.array(rule(o.portable === true), { minLength: 1, maxLength: 3 }),
        named: fc.boolean(),
        gateway:
          o.gateways && !o.portable ? fc.option(gatewayRef, { nil: undefined }) : fc.constant(undefined),
      },
      { requiredKeys: ['name', 'namespace', 'service', 'port', 'rules', 'named', 'extras'] },
    )
    .map((p) => {
      const spec: Record<string, unknown> = { service: p.service };
      const modern = !o.portable && o.protocols !== false;
      const protocol = modern || p.service === 'catalog' ? (PROTOCOL_OF[p.service] ?? 'http') : 'http';
      if (protocol !== 'http') spec.protocol = protocol;
      const rules = p.rules.map((r, i) =>
        modern ? withProtocol(r as RuleValue, protocol, p.extras[i] ?? 'none') : r,
      );
      if (p.port !== undefined) spec.port = p.port;
      if (p.selector) spec.selector = p.selector;
      // Every version is defined, so any backend or mirror may name one.
      spec.versions = Object.fromEntries(VERSIONS.map((v) => [v, { version: v }]));
      // A gateway is the caller of a policy bound to it (AM2053): no sources there; TCP there is
      // bound to a listener port and has no host names.
      // A gateway whose rules all redirect sends nothing to the service, so Istio's output does
      // not say which service it is for (the import reports it): such a policy stays in the mesh.
      const forwards = rules.some((r) => (r as { redirect?: unknown }).redirect === undefined);
      if (p.gateway && forwards) {
        const { hostnames: _none, port, ...at } = p.gateway;
        spec.gateway = protocol === 'tcp' ? { ...at, port: port ?? 31400 } : p.gateway;
      } else if (p.sources) spec.sources = p.sources;
      if (p.onUnsupported) spec.onUnsupported = p.onUnsupported;
      spec.rules = rules.map((r, i) => (p.named ? { name: `rule-${i}`, ...r } : r));
      return {
        apiVersion: 'anymesh.dev/v1alpha1',
        kind: 'TrafficPolicy' as const,
        metadata: { name: p.name, namespace: p.namespace },
        spec,
      };
    });

/** Valid policies as one multi-document YAML file (unique names). */
export const policyFile = (o: PolicyOptions = {}): fc.Arbitrary<string> =>
  fc
    .uniqueArray(trafficPolicy(o), {
      minLength: 1,
      maxLength: 3,
      // One policy per service and namespace: several for one service is a separate question
      // (merged or refused with a conflict, per adapter), not what these properties are about.
      selector: (p) => `${p.metadata.namespace}/${p.spec.service}`,
    })
    .map((ps) =>
      ps
        .map((p) => ({ ...p, metadata: { ...p.metadata, name: `${p.spec.service}-${p.metadata.name}` } }))
        .map((p) => dump(p, { lineWidth: -1, noRefs: true }))
        .join('---\n'),
    );

/** A valid BackendPolicy spec for `service` (settings drawn at random, at least one of them). */
const backendSpec = (port: number | undefined) =>
  record({
    outlierDetection: record({
      consecutiveErrors: fc.integer({ min: 1, max: 20 }),
      consecutiveGatewayErrors: fc.integer({ min: 1, max: 20 }),
      interval: duration,
      baseEjectionTime: duration,
      maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
    }),
    connectionLimits: record({
      maxConnections: fc.integer({ min: 1, max: 10_000 }),
      maxPendingRequests: fc.integer({ min: 1, max: 10_000 }),
      maxRequests: fc.integer({ min: 1, max: 10_000 }),
      maxRequestsPerConnection: fc.integer({ min: 1, max: 100 }),
      connectTimeout: duration,
    }).filter((c) => Object.keys(c).length > 0),
    loadBalancer: fc.oneof(
      fc.constantFrom('roundRobin', 'leastRequest', 'random').map((policy) => ({ policy })),
      fc
        .oneof(
          headerName.map((header) => ({ header })),
          record({ ttl: duration, path }).map((c) => ({ cookie: { name: 'session', ...c } })),
          fc.constant({ sourceIP: true }),
        )
        .map((consistentHash) => ({ policy: 'consistentHash', consistentHash })),
    ),
    rateLimit: fc
      .tuple(
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      )
      .map(([requestsPerSecond, extra]) => ({
        requestsPerSecond,
        ...(extra !== undefined ? { burst: requestsPerSecond + extra } : {}),
      })),
    onUnsupported: fc.constantFrom('reject', 'warn'),
  })
    .filter((s) => Object.keys(s).some((k) => k !== 'onUnsupported'))
    .map((s) => ({ service: 'reviews', ...(port !== undefined ? { port } : {}), ...s }));

/**
 * A routing TrafficPolicy for reviews (the virtual nodes App Mesh carries backend settings on) and a
 * BackendPolicy for it, on the same port or none, as one YAML file.
 */
export const backendFile = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(80, 8080, 9080), fc.boolean())
    .chain(([port, withPort]) => fc.tuple(fc.constant(port), backendSpec(withPort ? port : undefined)))
    .map(([port, spec]) =>
      [
        {
          apiVersion: 'anymesh.dev/v1alpha1',
          kind: 'TrafficPolicy',
          metadata: { name: 'reviews', namespace: 'bookinfo' },
          spec: {
            service: 'reviews',
            port,
            selector: { app: 'reviews' },
            versions: { v1: { version: 'v1' } },
            rules: [{ backends: [{ version: 'v1' }], timeout: '3s' }],
          },
        },
        {
          apiVersion: 'anymesh.dev/v1alpha1',
          kind: 'BackendPolicy',
          metadata: { name: 'reviews', namespace: 'bookinfo' },
          spec: { selector: { app: 'reviews' }, ...spec },
        },
      ]
        .map((p) => dump(p, { lineWidth: -1, noRefs: true }))
        .join('---\n'),
    );
