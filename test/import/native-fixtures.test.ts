/**
 * Hand-written native inputs with the awkward parts real configurations have: each part is either
 * imported or reported at its position, and a walk over every leaf of the input proves none is
 * dropped silently (the ledger's own walk is checked against an independent one here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, importSourceFor } from '../../src/adapters/index.js';
import { compilePolicies } from '../../src/core/compiler/compile.js';
import { leaves } from '../../src/core/import.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import { formatPath } from '../../src/core/loader/positions.js';
import { ROOT } from '../support/cases.js';
import { importText } from './support.js';

const fixture = (name: string) => `test/fixtures/import/${name}`;
const read = (name: string) => readFileSync(join(ROOT, fixture(name)), 'utf8');

/** `code path` of every diagnostic, for compact assertions. */
const codes = (r: ReturnType<typeof importText>) =>
  r.diagnostics.map((d) => `${d.code} ${d.policy?.split('/')[2]} ${d.path ?? ''}`);

/**
 * Every leaf of every input object is either in the imported policies' meaning (counted by the
 * ledger as imported) or under a positioned diagnostic of that object: the independent walk.
 */
function silentDrops(name: string, sourceId: string): string[] {
  const text = read(name);
  const r = importText(text, importSourceFor(sourceId)!, fixture(name));
  const reported = r.diagnostics.filter((d) => d.level !== 'info' || d.code === 'AM4118');
  const skipped = new Set(r.skipped.map((s) => s.ref));
  const docs = parseInputs([{ name, text }]).documents;
  const missing: string[] = [];
  let total = 0;
  for (const doc of docs) {
    const o = doc.value as { kind: string; metadata: { name: string; namespace?: string } };
    const ref = `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    if (skipped.has(ref)) continue;
    for (const leaf of leaves(o)) {
      total++;
      const path = formatPath(leaf);
      const covered = reported.some(
        (d) =>
          d.policy === ref &&
          (path === d.path || path.startsWith(`${d.path}.`) || path.startsWith(`${d.path}[`)),
      );
      if (!covered) missing.push(`${ref} ${path}`);
    }
  }
  // What no diagnostic covers must be exactly what the ledger counts as imported losslessly.
  expect(missing.length, missing.join('\n')).toBe(r.fields.imported);
  expect(total).toBe(r.fields.total);
  expect(r.fields.unaccounted).toBe(0);
  return missing;
}

describe('Istio native fixtures', () => {
  const istio = importSourceFor('istio')!;

  it('a route with `match: []` is the catch-all it is (found by the mutation property: it threw)', () => {
    const vs = (first: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: checkout, namespace: shop}
spec:
  hosts: [checkout]
  http:
    - ${first}
      route: [{destination: {host: checkout, subset: v2}}]
    - match: [{uri: {prefix: /cart}}]
      route: [{destination: {host: checkout, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: checkout, namespace: shop}
spec:
  host: checkout
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
`;
    const empty = importText(vs('match: []'), istio, 'empty-match.yaml');
    const none = importText(vs('name: all'), istio, 'no-match.yaml');
    expect(empty.diagnostics.filter((d) => d.level !== 'info').map((d) => d.code)).toEqual([]);
    expect(empty.fields.unaccounted).toBe(0);
    // The same rules as a route without a match.
    const rules = (r: typeof empty) =>
      (r.loaded.policies[0]!.policy.spec as { rules: { match?: unknown; backends: unknown }[] }).rules.map(
        (x) => [x.match, x.backends],
      );
    expect(rules(empty)).toEqual(rules(none));
  });

  it('bookinfo routing: every awkward part imported or reported where it is', () => {
    const r = importText(read('istio-bookinfo.yaml'), istio, fixture('istio-bookinfo.yaml'));
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4116 reviews spec.http[1].match[1].ignoreUriCase',
        'AM4116 reviews spec.http[1].retries.retryOn',
        'AM4117 reviews-debug spec.hosts',
        'AM4115 reviews-debug spec.exportTo',
        'AM4115 reviews spec.subsets[1].trafficPolicy',
        'AM4115 productpage spec.http[0]',
        'AM4115 productpage-static spec',
        'AM1014 bookinfo-gateway ',
      ]),
    );
    // Every diagnostic names the native file, line and column.
    for (const d of r.diagnostics) expect(d.location?.line, d.message).toBeGreaterThan(0);
    // The host's traffic policy is a BackendPolicy; the subset's own has no neutral form.
    expect(r.loaded.policies.find((p) => p.ref === 'BackendPolicy/bookinfo/reviews')!.policy.spec).toEqual({
      service: 'reviews',
      connectionLimits: { maxPendingRequests: 100 },
      loadBalancer: { policy: 'leastRequest' },
    });
    const reviews = r.loaded.policies.find((p) => p.ref === 'TrafficPolicy/bookinfo/reviews')!
      .policy as never as {
      spec: { versions: object; rules: { name?: string; matches?: { path?: object }[] }[] };
    };
    expect(Object.keys(reviews.spec.versions)).toEqual(['v1', 'v2', 'v3']);
    expect(reviews.spec.rules.map((x) => x.name)).toEqual(['jason', 'api-regex', undefined]);
    expect(reviews.spec.rules[1]!.matches![0]!.path).toEqual({ regex: '^/api/v[0-9]+/reviews$' });
    expect(r.skipped.map((s) => s.ref)).toEqual(['Gateway/bookinfo/bookinfo-gateway']);
    // The ingress VirtualService is a policy bound to its gateway.
    expect(
      r.loaded.policies.find((p) => p.ref === 'TrafficPolicy/bookinfo/bookinfo-ingress')!.policy.spec,
    ).toEqual({
      service: 'productpage',
      port: 9080,
      gateway: { name: 'bookinfo-gateway', hostnames: ['bookinfo.example.com'] },
      rules: [{ matches: [{ path: { exact: '/productpage' } }] }],
    });
  });

  it('ingress VirtualServices: one gateway policy per gateway (beside the mesh one with `mesh`), listener ports and callers reported', () => {
    const name = 'istio-gateways.yaml';
    const r = importText(read(name), istio, fixture(name));
    expect(r.ok).toBe(true);
    const spec = (ref: string) => r.loaded.policies.find((p) => p.ref === ref)?.policy.spec as never;
    // `*` is every host; the gateway of another namespace is named with it; the port is where it sends.
    expect(spec('TrafficPolicy/web/httpbin')).toEqual({
      service: 'httpbin',
      port: 8000,
      gateway: { name: 'public-gateway', namespace: 'istio-system' },
      rules: [{ matches: [{ path: { prefix: '/status' } }, { path: { prefix: '/delay' } }], timeout: '5s' }],
    });
    // Two gateways: a policy each, with the subsets the routes name.
    for (const [ref, gateway] of [
      ['TrafficPolicy/web/shop-public', { name: 'public', hostnames: ['shop.example.com'] }],
      [
        'TrafficPolicy/web/shop-internal',
        { name: 'internal', namespace: 'istio-system', hostnames: ['shop.example.com'] },
      ],
    ] as const) {
      expect(spec(ref), ref).toMatchObject({ service: 'shop', gateway, versions: { v1: {}, v2: {} } });
      expect((spec(ref) as { rules: unknown[] }).rules).toHaveLength(2);
    }
    // A VirtualService of istio-system routing to another namespace's Service moves there (said).
    expect(spec('TrafficPolicy/library/books')).toMatchObject({
      service: 'books',
      port: 9080,
      gateway: { name: 'public-gateway', namespace: 'istio-system', hostnames: ['books.example.com'] },
    });
    // A listener port every entry names is spec.gateway.port; tcp routes are TCP policies at theirs.
    expect(spec('TrafficPolicy/web/echo')).toEqual({
      service: 'echo',
      port: 8080,
      gateway: { name: 'public', port: 8443 },
      rules: [{ matches: [{ path: { prefix: '/admin' } }, { path: { prefix: '/metrics' } }] }],
    });
    expect(spec('TrafficPolicy/web/echo-tcp-1')).toEqual({
      service: 'echo',
      port: 9000,
      protocol: 'tcp',
      versions: { v1: { version: 'v1' } },
      gateway: { name: 'public', port: 31400 },
      rules: [{ backends: [{ version: 'v1' }] }],
    });
    expect(spec('TrafficPolicy/web/echo-tcp-2')).toMatchObject({
      protocol: 'tcp',
      gateway: { name: 'public', port: 31401 },
    });
    expect(codes(r).filter((c) => c.includes(' echo '))).toEqual([]);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4115 httpbin spec.http[0].match[0].port',
        'AM4115 shop spec.hosts[1]',
        'AM4115 shop spec.http[0].match[0].sourceLabels',
        'AM4115 shop spec.tcp[0]',
        'AM4116 books metadata.namespace',
        'AM4115 nowhere spec',
      ]),
    );
    // What it imported compiles for Istio to VirtualServices bound to the same gateways.
    const out = compilePolicies(r.loaded.policies, ADAPTERS.istio!);
    const gatewaysOf = out.resources
      .filter((o) => o.kind === 'VirtualService')
      .map(
        (o) => `${o.metadata.namespace}/${o.metadata.name} ${(o.spec as { gateways?: string[] }).gateways}`,
      );
    expect(gatewaysOf.sort()).toEqual([
      'library/books.gateway istio-system/public-gateway',
      'web/echo-tcp-1.gateway web/public',
      'web/echo-tcp-2.gateway web/public',
      'web/echo.gateway web/public',
      'web/httpbin.gateway istio-system/public-gateway',
      'web/ratings undefined',
      'web/ratings-gateway.gateway web/public',
      'web/shop-internal.gateway istio-system/internal',
      'web/shop-public.gateway web/public',
    ]);
    // The TCP policy compiles back to a tcp route at its listener port.
    const echoTcp = out.resources.find((o) => o.metadata.name === 'echo-tcp-1.gateway');
    expect(echoTcp?.spec).toMatchObject({ tcp: [{ match: [{ port: 31400 }] }] });
    // Bound to a gateway and `mesh`: the same routes twice, inside the mesh and at the gateway.
    expect(spec('TrafficPolicy/web/ratings-gateway')).toMatchObject({
      service: 'ratings',
      port: 9080,
      gateway: { name: 'public', hostnames: ['ratings'] },
      rules: [{ matches: [{ path: { prefix: '/ratings' } }], timeout: '2s' }],
    });
    expect(spec('TrafficPolicy/web/ratings')).toMatchObject({
      service: 'ratings',
      rules: [{ matches: [{ path: { prefix: '/ratings' } }], timeout: '2s' }],
    });
  });

  it('a gateway VirtualService that moves to a namespace with a mesh VirtualService of its name: both kept, apart', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: books, namespace: istio-system}
spec:
  hosts: [books.example.com]
  gateways: [public]
  http:
  - route:
    - destination: {host: books.library.svc.cluster.local, port: {number: 9080}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: books, namespace: library}
spec:
  hosts: [books]
  http:
  - route:
    - destination: {host: books}
    retries: {attempts: 3}
`;
    const r = importText(text, istio, 'books.yaml');
    expect(r.ok).toBe(true);
    const spec = (ref: string) => r.loaded.policies.find((p) => p.ref === ref)?.policy.spec as never;
    expect(spec('TrafficPolicy/library/books')).toEqual({
      service: 'books',
      rules: [{ retries: { attempts: 3 } }],
    });
    expect(spec('TrafficPolicy/library/books-gateway')).toMatchObject({
      gateway: { name: 'public', namespace: 'istio-system', hostnames: ['books.example.com'] },
      rules: [{}],
    });
  });

  it('DestinationRule traffic policies: BackendPolicies service-wide or per port, the rest reported', () => {
    const name = 'istio-traffic-policies.yaml';
    const r = importText(read(name), istio, fixture(name));
    expect(r.ok).toBe(true);
    const spec = (ref: string) => r.loaded.policies.find((p) => p.ref === ref)?.policy.spec;
    // Istio's circuit-breaking task, as a BackendPolicy.
    expect(spec('BackendPolicy/default/httpbin')).toEqual({
      service: 'httpbin',
      connectionLimits: { maxConnections: 1, maxPendingRequests: 1, maxRequestsPerConnection: 1 },
      outlierDetection: {
        consecutiveErrors: 1,
        interval: '1s',
        baseEjectionTime: '3m',
        maxEjectionPercent: 100,
      },
    });
    // Per port: one policy each; a limit of 0 is Istio's "unset".
    expect(spec('BackendPolicy/bookinfo/ratings-80')).toEqual({
      service: 'ratings',
      port: 80,
      loadBalancer: { policy: 'leastRequest' },
    });
    expect(spec('BackendPolicy/bookinfo/ratings-9080')).toEqual({
      service: 'ratings',
      port: 9080,
      connectionLimits: { connectTimeout: '250ms', maxRequests: 1000 },
    });
    // 5xx ejection turned off is not neutral; gateway errors still are.
    expect(spec('BackendPolicy/shop/cart')).toEqual({
      service: 'cart',
      outlierDetection: { consecutiveGatewayErrors: 2 },
      loadBalancer: { policy: 'consistentHash', consistentHash: { cookie: { name: 'user' } } },
    });
    expect(spec('BackendPolicy/shop/search')).toEqual({ service: 'search', outlierDetection: {} });
    expect(codes(r).sort()).toEqual(
      [
        'AM4115 ratings spec.trafficPolicy.portLevelSettings[1].connectionPool.http.maxRetries',
        'AM4115 cart spec.trafficPolicy.tls',
        'AM4116 cart spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name',
        'AM4115 cart spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize',
        'AM4115 cart spec.trafficPolicy.outlierDetection.consecutive5xxErrors',
        'AM4115 cart spec.trafficPolicy.outlierDetection.minHealthPercent',
        'AM4115 cart spec.trafficPolicy.portLevelSettings[0]',
      ].sort(),
    );
    for (const d of r.diagnostics) expect(d.location?.line, d.message).toBeGreaterThan(0);
    // The imported policies compile back (valid neutral input, no overlap between them).
    expect(r.loaded.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  });

  it('DestinationRule traffic policies: no silent drops', () => {
    expect(silentDrops('istio-traffic-policies.yaml', 'istio').length).toBeGreaterThan(20);
  });

  it('traffic policies for a Service of another namespace, and port entries with nothing to import, are reported', () => {
    const name = 'istio-traffic-policies-elsewhere.yaml';
    const r = importText(read(name), istio, fixture(name));
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual([
      'AM4115 payments-from-shop spec.host',
      'AM4115 payments-from-shop spec.trafficPolicy',
      'AM4115 legacy spec.trafficPolicy.portLevelSettings[0].port',
      'AM4115 legacy spec.trafficPolicy.portLevelSettings[0].tls',
    ]);
    // Not moved to the service's namespace, where it would hold for every caller.
    expect(r.loaded.policies.map((p) => [p.ref, p.policy.spec])).toEqual([
      ['BackendPolicy/shop/legacy', { service: 'legacy', port: 9090, loadBalancer: { policy: 'random' } }],
    ]);
    silentDrops(name, 'istio');
  });

  it("subsets no route names keep their TrafficPolicy's name when anymesh's annotation names a BackendPolicy first", () => {
    const text = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
  labels: {app.kubernetes.io/managed-by: anymesh}
  annotations: {anymesh.dev/source-policies: "BackendPolicy/bookinfo/reviews-limits,TrafficPolicy/bookinfo/reviews-canary"}
spec:
  host: reviews.bookinfo.svc.cluster.local
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 10}}
  subsets:
  - name: v1
    labels: {version: v1}
`;
    const r = importText(text, istio, 'dr.yaml');
    expect(r.loaded.policies.map((p) => p.ref).sort()).toEqual([
      'BackendPolicy/bookinfo/reviews-limits',
      'TrafficPolicy/bookinfo/reviews-canary',
    ]);
  });

  // A null the CRD does not allow is dropped, as the API server drops it, and reported (AM2051); a
  // value of another type than the CRD's is refused before import (AM2050), as the API server
  // refuses the object.
  it.each([
    ['tls: null', 'AM2051', 'spec.trafficPolicy.tls'],
    ['outlierDetection: null', 'AM2051', 'spec.trafficPolicy.outlierDetection'],
    ['loadBalancer: null', 'AM2051', 'spec.trafficPolicy.loadBalancer'],
    ['loadBalancer: {consistentHash: null}', 'AM2051', 'spec.trafficPolicy.loadBalancer.consistentHash'],
    ['loadBalancer: {consistentHash: {}}', 'AM4115', 'spec.trafficPolicy.loadBalancer.consistentHash'],
    [
      'loadBalancer: {consistentHash: {httpCookie: "session"}}',
      'AM2050',
      'spec.trafficPolicy.loadBalancer.consistentHash.httpCookie',
    ],
    ['connectionPool: null', 'AM2051', 'spec.trafficPolicy.connectionPool'],
    ['connectionPool: {tcp: [1]}', 'AM2050', 'spec.trafficPolicy.connectionPool.tcp'],
  ])(
    'a traffic policy holding %s is reported where it is (%s), not a crash or an unaccounted field',
    (field, code, path) => {
      const text = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: d, namespace: ns}
spec:
  host: d
  trafficPolicy:
    ${field}
`;
      const r = importText(text, istio, 'hostile.yaml');
      expect(r.fields.unaccounted).toBe(0);
      expect(codes(r)).toContain(`${code} d ${path}`);
      expect(r.loaded.policies).toEqual([]);
    },
  );

  it('a DestinationRule with a null host is imported without it; a pool part that is no mapping is refused with its position', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: nohost, namespace: ns}
spec:
  host: null
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: pool, namespace: ns}
spec:
  host: pool
  trafficPolicy:
    connectionPool: {tcp: "x", http: {http2MaxRequests: 7}}
`;
    const r = importText(text, istio, 'hostile.yaml');
    expect(r.fields.unaccounted).toBe(0);
    // The string where the CRD has a mapping is an error at its line; nothing is imported.
    const refused = r.diagnostics.filter((d) => d.level === 'error');
    expect(refused.map((d) => [d.code, d.path, d.location?.line, d.location?.col])).toEqual([
      ['AM2050', 'spec.trafficPolicy.connectionPool.tcp', 14, 27],
    ]);
    expect(refused[0]!.message).toContain(
      'the string "x" in DestinationRule/ns/pool, where its DestinationRule',
    );
    expect(refused[0]!.message).toContain('has a mapping');
    expect(r.ok).toBe(false);
    expect(r.policies).toEqual([]);
    // Without the bad pool part, the null host is dropped (reported), its rule names no Service
    // (reported), and the rest imports.
    const fixed = importText(text.replace('tcp: "x", ', ''), istio, 'hostile.yaml');
    expect(codes(fixed)).toEqual(['AM4115 nohost spec', 'AM2051 nohost spec.host']);
    expect(fixed.fields.unaccounted).toBe(0);
    expect(fixed.loaded.policies.map((p) => p.policy.spec)).toEqual([
      { service: 'pool', connectionLimits: { maxRequests: 7 } },
    ]);
  });

  it('bookinfo routing: no silent drops, and the share imported losslessly', () => {
    const lossless = silentDrops('istio-bookinfo.yaml', 'istio');
    expect(lossless.length).toBeGreaterThan(40);
  });

  it('security: principals and namespaces imported, the rest reported; ALLOW rules never widened', () => {
    const r = importText(read('istio-security.yaml'), istio, fixture('istio-security.yaml'));
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4115 legacy spec.portLevelMtls',
        'AM4115 ratings-viewer spec.rules[1]',
        'AM4115 deny-untrusted spec.rules[0].from[0].source.notNamespaces',
        'AM4115 allow-nothing spec',
      ]),
    );
    const refs = r.loaded.policies.map((p) => p.ref);
    // The second rule of ratings-viewer has a `when` with notValues: imported without it, it would
    // allow more.
    expect(refs).toEqual([
      'AccessPolicy/bookinfo/ratings-viewer',
      'MTLSPolicy/bookinfo/legacy',
      'MTLSPolicy/istio-system/default',
    ]);
    const mesh = r.loaded.policies.find((p) => p.ref === 'MTLSPolicy/istio-system/default')!.policy.spec;
    expect(mesh).toEqual({ mode: 'strict', scope: 'mesh' });
    silentDrops('istio-security.yaml', 'istio');
  });

  it('request header conditions are operations with headers; values are any of, rules of one caller join', () => {
    const text = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reports, namespace: shop}
spec:
  selector: {matchLabels: {app: reports}}
  rules:
    - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
      to: [{operation: {paths: [/healthz]}}]
    - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
      to: [{operation: {methods: [GET]}}]
      when:
        - {key: "request.headers[x-tenant]", values: [acme, "globex*"]}
        - {key: "request.headers[authorization]", values: ["*"]}
    - from: [{source: {namespaces: [ops]}}]
      when: [{key: "request.headers[x-trace]", values: ["*.debug"]}]
    - from: [{source: {namespaces: [audit]}}]
      when: [{key: source.ip, values: [10.0.0.1]}]
`;
    const r = importText(text, istio, 'headers.yaml');
    expect(r.loaded.policies.map((p) => [p.ref, p.policy.spec])).toEqual([
      [
        'AccessPolicy/shop/reports',
        {
          service: 'reports',
          action: 'allow',
          from: [{ namespace: 'shop', serviceAccount: 'web' }],
          to: [
            { paths: ['/healthz'] },
            {
              methods: ['GET'],
              headers: [
                { name: 'x-tenant', exact: 'acme' },
                { name: 'authorization', present: true },
              ],
            },
            {
              methods: ['GET'],
              headers: [
                { name: 'x-tenant', prefix: 'globex' },
                { name: 'authorization', present: true },
              ],
            },
          ],
        },
      ],
      [
        'AccessPolicy/shop/reports-3',
        {
          service: 'reports',
          action: 'allow',
          from: [{ namespace: 'ops' }],
          to: [{ headers: [{ name: 'x-trace', regex: '.*\\.debug' }] }],
        },
      ],
    ]);
    // The source.ip condition has no neutral form: that ALLOW rule is left out whole.
    expect(codes(r)).toEqual(['AM4115 reports spec.rules[3]']);
    expect(r.fields.unaccounted).toBe(0);
  });

  it("a source's principals and namespaces are ANDed: only the principals in those namespaces", () => {
    // Istio: every field of one source must match. Read as two callers (OR), this ALLOW would let
    // every workload of `shop` in, and the DENY would refuse it.
    const policy = (action: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-${action.toLowerCase()}, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  action: ${action}
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/shop/sa/web, cluster.local/ns/ops/sa/debug]
            namespaces: [shop, "pay*"]
`;
    for (const action of ['ALLOW', 'DENY']) {
      const r = importText(policy(action), istio, 'and.yaml');
      expect(
        r.loaded.policies.map((p) => (p.policy.spec as { from: unknown }).from),
        action,
      ).toEqual([[{ namespace: 'shop', serviceAccount: 'web' }]]);
      expect(r.fields.unaccounted).toBe(0);
    }
  });

  it('--strict makes every loss an error', () => {
    const r = importText(read('istio-security.yaml'), istio, 'x.yaml', { strict: true });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'AM4115').every((d) => d.level === 'error')).toBe(true);
  });
});

describe('SMI native fixtures', () => {
  const smi = importSourceFor('smi')!;
  it('splits, targets and route groups joined; relative weights and UDP routes reported', () => {
    const r = importText(read('smi-bookstore.yaml'), smi, fixture('smi-bookstore.yaml'));
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4902 thirds spec.backends[0].weight',
        'AM4901 bookbuyer-to-bookstore spec.rules[1]',
        'AM4901 store-api spec.matches[0]',
        'AM4902 bookbuyer-to-bookstore spec.destination.name',
      ]),
    );
    const split = r.loaded.policies.find((p) => p.name === 'bookstore-split')!.policy.spec as never as {
      rules: { matches: object[]; backends: object[] }[];
    };
    expect(split.rules[0]!.backends).toEqual([
      { service: 'bookstore-v1', weight: 75 },
      { service: 'bookstore-v2', weight: 25 },
    ]);
    expect(split.rules[0]!.matches).toEqual([
      { path: { regex: '/buy' }, method: 'POST' },
      {
        path: { regex: '/books-bought/.*' },
        headers: [{ name: 'user-agent', regex: '.*Mozilla.*' }],
        method: 'GET',
      },
    ]);
    const db = r.loaded.policies.find((p) => p.name === 'store-to-db')!.policy.spec;
    expect(db).toEqual({
      service: 'mysql',
      action: 'allow',
      from: [{ namespace: 'bookstore', serviceAccount: 'bookstore' }],
      to: [{ ports: [3306] }],
    });
    silentDrops('smi-bookstore.yaml', 'smi');
  });
});

describe('Istio ambient AuthorizationPolicies (targetRefs, waypoint guards), written by hand', () => {
  const text = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge-waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-readers, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: orders}]
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
    to: [{operation: {methods: [GET]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-via-waypoint, namespace: shop}
spec:
  selector: {matchLabels: {app: orders, tier: backend}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/edge-waypoint]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: at-the-edge, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: public}]
  rules:
  - from: [{source: {namespaces: [web]}}]
`;
  const r = importText(text, importSourceFor('istio')!, 'ambient.yaml');
  it('a policy for one Service by targetRefs governs that service; its guard is part of it, its labels the selector', () => {
    expect(r.loaded.policies.map((p) => [p.ref, p.policy.spec])).toEqual([
      [
        'AccessPolicy/shop/orders-readers',
        {
          service: 'orders',
          selector: { app: 'orders', tier: 'backend' },
          action: 'allow',
          from: [{ namespace: 'shop', serviceAccount: 'web' }],
          to: [{ methods: ['GET'] }],
        },
      ],
    ]);
  });
  it('lists the waypoint as what it is to Istio', () => {
    expect(r.skipped.find((x) => x.ref === 'Gateway/shop/edge-waypoint')?.reason).toMatch(/^a waypoint: /);
  });
  it('reports targetRefs to a Gateway (not a service of the mesh), at the field', () => {
    const lost = r.diagnostics.find((d) => d.code === 'AM4115' && d.path === 'spec.targetRefs');
    // The at-the-edge document's targetRefs line (the file's 31st).
    expect(lost?.location?.line).toBe(31);
    expect(text.split('\n')[30]).toContain('targetRefs: [{kind: Gateway');
  });
});

describe('Istio Gateway API routes (ambient waypoints, GAMMA, ingress), written by hand', () => {
  const name = 'istio-gateway-api.yaml';
  const r = importText(read(name), importSourceFor('istio')!, fixture(name));
  const spec = (policy: string) => r.loaded.policies.find((p) => p.name === policy)?.policy.spec;
  it('imports every route with a Service or Gateway parent, and lists what has no neutral form', () => {
    expect(r.loaded.policies.map((p) => p.ref)).toEqual([
      'TrafficPolicy/bookinfo/echo',
      'TrafficPolicy/bookinfo/frontend-ratings-from-frontend',
      'TrafficPolicy/bookinfo/productpage-ingress',
      'TrafficPolicy/bookinfo/reviews',
    ]);
    expect(r.skipped.map((x) => [x.ref, x.reason])).toEqual([
      ['Gateway/bookinfo/edge', expect.stringMatching(/^a Gateway API Gateway describes the gateway/)],
      ['TLSRoute/bookinfo/passthrough', expect.stringMatching(/^a TLSRoute routes TLS connections by SNI/)],
    ]);
  });
  it('joins the routes of one Service most specific first, with leaf Services as versions', () => {
    const reviews = spec('reviews') as {
      versions: object;
      rules: { matches?: object[]; backends: object[] }[];
    };
    expect(reviews.versions).toEqual({ v1: { version: 'v1' }, v2: { version: 'v2' } });
    expect(reviews.rules.map((x) => x.backends)).toEqual([
      [{ version: 'v2' }],
      [{ version: 'v1' }],
      [
        { version: 'v1', weight: 90 },
        { version: 'v2', weight: 10 },
      ],
    ]);
    // Istio matches a regular expression against the whole value (Envoy safe_regex): no report.
    expect(reviews.rules[0]!.matches).toEqual([
      { headers: [{ name: 'end-user', exact: 'jason' }] },
      { path: { regex: '/reviews/[0-9]+' }, headers: [{ name: 'user-agent', regex: '.*Mobile.*' }] },
    ]);
    expect(r.diagnostics.some((d) => d.path?.endsWith('.value'))).toBe(false);
    // Istio reads `http` in a port name as the protocol; a leaf anymesh writes declares none.
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4116 reviews-v1 spec.ports[0].name',
        'AM4116 reviews-v2 spec.ports[0].name',
      ]),
    );
    // A PathPrefix is whole segments: the exact path and the prefix below it.
    expect(reviews.rules[1]!.matches).toEqual([{ path: { exact: '/api' } }, { path: { prefix: '/api/' } }]);
  });
  it('reads retries and timeouts as istiod does', () => {
    const rules = (spec('reviews') as { rules: object[] }).rules;
    expect(rules[2]).toMatchObject({
      timeout: '10s',
      retries: {
        attempts: 3,
        perTryTimeout: '2s',
        backoff: { base: '100ms' },
        // The codes 502-504 are gateway-error; Istio always adds the four connection conditions.
        retryOn: ['gateway-error', 'connect-failure', 'refused-stream', 'unavailable', 'cancelled'],
      },
    });
    // Without a retry, backendRequest is the route timeout and request has no effect (reported).
    expect(rules[1]).toMatchObject({ timeout: '1s' });
    expect(codes(r)).toContain('AM4116 reviews-testers spec.rules[1].timeouts.request');
  });
  it('reads mirrors, header changes and CORS; a wildcard origin is reported', () => {
    expect((spec('reviews') as { rules: object[] }).rules[0]).toMatchObject({
      mirror: { backend: { version: 'v1' }, percentage: 25 },
      requestHeaders: { set: { 'x-tester': 'true' } },
    });
    expect(spec('productpage-ingress')).toEqual({
      service: 'productpage',
      port: 9080,
      gateway: { name: 'edge', port: 80, hostnames: ['bookinfo.example.com'] },
      rules: [
        {
          matches: [{ path: { exact: '/productpage' } }],
          cors: {
            allowOrigins: [{ exact: 'https://shop.example.com' }],
            allowMethods: ['GET', 'POST'],
            maxAge: '10m',
          },
        },
      ],
    });
    expect(codes(r)).toContain('AM4115 productpage-ingress spec.rules[0].filters[0].cors.allowOrigins[1]');
  });
  it("a consumer route governs its namespace's calls; a listener by name is its port; a later TCPRoute on it is never reached", () => {
    expect(spec('frontend-ratings-from-frontend')).toEqual({
      service: 'ratings',
      port: 9080,
      sources: [{ namespace: 'frontend' }],
      rules: [{ timeout: '3s' }],
    });
    expect(spec('echo')).toMatchObject({ protocol: 'tcp', gateway: { name: 'edge', port: 31400 } });
    expect(codes(r)).toEqual(
      expect.arrayContaining(['AM4115 echo-canary spec', 'AM4115 details-maintenance spec.rules[0]']),
    );
  });
  it('drops nothing silently, and the policies compile for sidecars, and for ambient but the consumer route', () => {
    silentDrops(name, 'istio');
    const errors = (options: Record<string, string>) =>
      compilePolicies(r.loaded.policies, ADAPTERS.istio!, { context: { options } })
        .diagnostics.filter((d) => d.level === 'error')
        .map((d) => `${d.policy} ${d.feature}`);
    expect(errors({})).toEqual([]);
    // A waypoint applies producer routes only (the ambient column's routing.sources cell is none).
    expect(errors({ 'istio.dataplane': 'ambient' })).toEqual([
      'TrafficPolicy/bookinfo/frontend-ratings-from-frontend routing.sources.namespace',
    ]);
  });
});

describe('Istio principals by pattern', () => {
  const policy = (principals: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - from: [{source: {principals: ${principals}}}]
`;
  const istio = importSourceFor('istio')!;
  it('<trust domain>/ns/<ns>/sa/* is every account of the namespace: a caller by namespace', () => {
    const r = importText(policy('[cluster.local/ns/web/sa/*, cluster.local/ns/ops/sa/admin]'), istio);
    expect(r.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(r.loaded.policies[0]?.policy.spec).toMatchObject({
      from: [{ namespace: 'web' }, { namespace: 'ops', serviceAccount: 'admin' }],
    });
  });
  it('other patterns (a prefix of account names, another trust domain) are reported where they are', () => {
    const r = importText(policy('[cluster.local/ns/web/sa/batch-*, other.domain/ns/web/sa/*]'), istio);
    expect(r.diagnostics.filter((d) => d.code === 'AM4115').map((d) => d.path)).toEqual(
      expect.arrayContaining([
        'spec.rules[0].from[0].source.principals[0]',
        'spec.rules[0].from[0].source.principals[1]',
      ]),
    );
  });
});
