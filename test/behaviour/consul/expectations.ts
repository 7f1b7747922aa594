/**
 * What each golden Consul case means, written by hand from the policy files (examples/ and
 * test/cases/), never read back from anymesh's output: the instances a cluster running the policy
 * would have, and for each service the routes a request meets (see chain-meaning.ts for the shape)
 * and who may call it (see intentions.ts).
 *
 * Instances follow the adapter's advice (AM4302): a pod of version X carries the annotation
 * consul.hashicorp.com/service-meta-<label>: X, which consul-k8s turns into Service.Meta. Each
 * versioned service also gets instances of a version the policy does not name and one without the
 * annotation, so a filter that selects too much shows.
 */
import type { BalancingMeaning, RouteMeaning } from './chain-meaning.js';
import type { Decision, Request } from './intentions.js';
import { type Instance, versioned } from './workloads.js';

export interface CaseMeaning {
  /** The protocol of the chains (ServiceDefaults): http unless the policy says grpc. */
  protocol?: 'http' | 'http2' | 'grpc';
  instances: Instance[];
  /** Subset name -> the service-meta annotations AM4302 must ask for (label -> value). */
  annotations?: Record<string, Record<string, string>>;
  /** Service -> its reachable routes. */
  chains: Record<string, RouteMeaning[]>;
  /** Service -> how its callers balance and connect (BackendPolicy), per distinct resolver node. */
  balancing?: Record<string, BalancingMeaning[]>;
  /** [source, destination, Consul's L4 check answer]. */
  connections?: [string, string, boolean][];
  /** [source, destination, request, decision]. */
  requests?: [string, string, Request, Decision][];
}

const ids = (service: string, version: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${service}-${version}-${i}`);

const get = (path: string): Request => ({ method: 'GET', path });
const post = (path: string): Request => ({ method: 'POST', path });

// examples/bookinfo-canary.yaml: jason always gets v2; everyone else 90 % v1, 10 % v2, 3 s timeout.
const bookinfo: CaseMeaning = {
  instances: versioned({ reviews: { v1: 2, v2: 1, v3: 1, '-': 1 } }),
  annotations: { v1: { version: 'v1' }, v2: { version: 'v2' } },
  chains: {
    reviews: [
      {
        match: { headers: [{ name: 'end-user', exact: 'jason' }] },
        backends: [{ weight: 100, instances: ids('reviews', 'v2', 1) }],
      },
      {
        match: 'any',
        timeoutMs: 3000,
        backends: [
          { weight: 90, instances: ids('reviews', 'v1', 2) },
          { weight: 10, instances: ids('reviews', 'v2', 1) },
        ],
      },
    ],
  },
};

// test/cases/consul-canary.yaml: 95 % v1, 5 % v2, every request gets x-canary-release: 2026-11.
const canaryHeader = { set: { 'x-canary-release': '2026-11' } };
const consulCanary: CaseMeaning = {
  instances: versioned({ ratings: { v1: 1, v2: 2, v3: 1 } }),
  annotations: { v1: { version: 'v1' }, v2: { version: 'v2' } },
  chains: {
    ratings: [
      {
        match: 'any',
        backends: [
          { weight: 95, instances: ids('ratings', 'v1', 1), requestHeaders: canaryHeader },
          { weight: 5, instances: ids('ratings', 'v2', 2), requestHeaders: canaryHeader },
        ],
      },
    ],
  },
};

// test/cases/consul-l7-routing.yaml: stable is version v1, next is v2.
const stable = ids('storefront', 'v1', 2);
const next = ids('storefront', 'v2', 1);
const testerHeaders = { add: { 'x-canary': '1' }, set: { 'x-routed-by': 'anymesh' }, remove: ['x-debug'] };
const checkoutResponse = {
  add: { 'x-served-by': 'storefront' },
  set: { 'cache-control': 'no-store' },
  remove: ['server'],
};
const checkout = {
  timeoutMs: 5000,
  retries: { attempts: 3, on: ['503', '5xx', 'connect-failure', 'gateway-error', 'reset', 'unavailable'] },
  backends: [
    { weight: 80, instances: stable, responseHeaders: checkoutResponse },
    { weight: 20, instances: next, responseHeaders: checkoutResponse },
  ],
};
const l7Routing: CaseMeaning = {
  instances: [
    ...versioned({ storefront: { v1: 2, v2: 1, v3: 1, '-': 1 } }),
    ...versioned({ 'storefront-health': { '-': 1 } }),
  ],
  annotations: { stable: { version: 'v1' }, next: { version: 'v2' } },
  chains: {
    storefront: [
      // rule testers: either match, to next, with the request header changes.
      {
        match: {
          headers: [
            { name: 'x-tester', exact: 'true' },
            { name: 'user-agent', prefix: 'Mozilla/' },
          ],
        },
        backends: [{ weight: 100, instances: next, requestHeaders: testerHeaders }],
      },
      {
        match: {
          headers: [{ name: 'x-canary-token', present: true }],
          queryParams: [{ name: 'beta', exact: '1' }],
        },
        backends: [{ weight: 100, instances: next, requestHeaders: testerHeaders }],
      },
      // rule checkout: either match, 80/20 stable/next, 5 s, 3 retries on the listed conditions.
      { match: { path: { prefix: '/api/checkout' }, methods: ['POST'] }, ...checkout },
      {
        match: {
          path: { regex: '/api/orders/[0-9]+' },
          headers: [{ name: 'x-client', regex: 'ios|android' }],
          queryParams: [
            { name: 'trace', present: true },
            { name: 'region', regex: 'eu-.*' },
          ],
        },
        ...checkout,
      },
      // rule health: the other service.
      {
        match: { path: { exact: '/healthz' } },
        backends: [{ weight: 100, instances: ids('storefront-health', 'plain', 1) }],
      },
      // rule default: stable, 15 s, 2 retries; without retryOn the Consul adapter retries on
      // connect-failure and refused-stream (AM4308: Consul's own default retries nothing).
      {
        match: 'any',
        timeoutMs: 15000,
        retries: { attempts: 2, on: ['connect-failure', 'refused-stream'] },
        backends: [{ weight: 100, instances: stable }],
      },
    ],
  },
};

// test/cases/consul-intentions.yaml.
const consulIntentions: CaseMeaning = {
  instances: versioned({ payments: { '-': 1 }, ledger: { '-': 1 } }),
  chains: {
    // No routing policy: every call reaches every payments instance.
    payments: [{ match: 'any', backends: [{ weight: 100, instances: ids('payments', 'plain', 1) }] }],
  },
  connections: [
    ['payments', 'ledger', true],
    ['checkout', 'ledger', false],
    ['batch-jobs', 'ledger', false],
    ['web', 'ledger', false],
    // L7 intentions: Consul cannot decide a connection without the request.
    ['checkout', 'payments', false],
    ['batch-jobs', 'payments', false],
    ['web', 'payments', false],
    ['ledger', 'payments', false],
    // No policy for orders: the ACL default (allow on a dev agent).
    ['web', 'orders', true],
    // auditor: L7 permissions only.
    ['auditor', 'ledger', false],
  ],
  requests: [
    // checkout: read-only, plus POST to charges and under refunds/.
    ['checkout', 'payments', get('/v1/charges'), 'allow'],
    ['checkout', 'payments', { method: 'HEAD', path: '/anything' }, 'allow'],
    ['checkout', 'payments', post('/v1/charges'), 'allow'],
    ['checkout', 'payments', post('/v1/refunds/r-1'), 'allow'],
    ['checkout', 'payments', post('/v1/refunds'), 'deny'],
    ['checkout', 'payments', post('/v1/other'), 'deny'],
    ['checkout', 'payments', { method: 'DELETE', path: '/v1/charges' }, 'deny'],
    ['checkout', 'payments', { method: 'PUT', path: '/v1/charges' }, 'deny'],
    // batch-jobs: the same allow list, and never DELETE (payments-no-deletes wins).
    ['batch-jobs', 'payments', get('/v1/charges'), 'allow'],
    ['batch-jobs', 'payments', post('/v1/refunds/r-1'), 'allow'],
    ['batch-jobs', 'payments', { method: 'DELETE', path: '/v1/charges' }, 'deny'],
    ['batch-jobs', 'payments', { method: 'DELETE', path: '/export.json' }, 'deny'],
    ['batch-jobs', 'payments', { method: 'PATCH', path: '/v1/charges' }, 'deny'],
    // everyone else: denied whatever the request.
    ['web', 'payments', get('/v1/charges'), 'deny'],
    ['ledger', 'payments', get('/'), 'deny'],
    // ledger: only payments, any request.
    ['payments', 'ledger', { method: 'DELETE', path: '/entries/1' }, 'allow'],
    ['checkout', 'ledger', get('/entries'), 'deny'],
    // disputes: only once reviewed (x-reviewed-by present, any value, any case of the name).
    ['checkout', 'payments', { ...post('/v1/disputes'), headers: { 'X-Reviewed-By': 'ops-7' } }, 'allow'],
    ['checkout', 'payments', post('/v1/disputes'), 'deny'],
    // batch-jobs as a legacy client (x-client starting with legacy-): denied whatever it asks.
    ['batch-jobs', 'payments', { ...get('/v1/charges'), headers: { 'x-client': 'legacy-cron/2' } }, 'deny'],
    ['batch-jobs', 'payments', { ...get('/v1/charges'), headers: { 'x-client': 'cron-legacy' } }, 'allow'],
    // auditor: GET with a ticket id the regular expression describes whole.
    ['auditor', 'ledger', { ...get('/entries'), headers: { 'x-audit-ticket': 'AUD-123456' } }, 'allow'],
    ['auditor', 'ledger', { ...get('/entries'), headers: { 'x-audit-ticket': 'AUD-1234567' } }, 'deny'],
    ['auditor', 'ledger', { ...post('/entries'), headers: { 'x-audit-ticket': 'AUD-123456' } }, 'deny'],
    ['auditor', 'ledger', get('/entries'), 'deny'],
  ],
};

// test/cases/consul-permissive.yaml: billing, 10 s timeout (mTLS modes are not in the chain).
const permissive: CaseMeaning = {
  instances: versioned({ billing: { '-': 2 } }),
  chains: {
    billing: [
      { match: 'any', timeoutMs: 10000, backends: [{ weight: 100, instances: ids('billing', 'plain', 2) }] },
    ],
  },
};

// test/cases/access-authenticated.yaml: every authenticated caller (the source *) may call the
// ledger but batch (its exact source outranks *); no caller may export from the archive.
const accessAuthenticated: CaseMeaning = {
  instances: versioned({ ledger: { '-': 1 }, archive: { '-': 1 } }),
  chains: {
    archive: [{ match: 'any', backends: [{ weight: 100, instances: ids('archive', 'plain', 1) }] }],
  },
  connections: [
    ['web', 'ledger', true],
    ['checkout', 'ledger', true],
    ['batch', 'ledger', false],
    // L7 permissions: Consul cannot decide a connection without the request.
    ['web', 'archive', false],
  ],
  requests: [
    ['web', 'ledger', { method: 'DELETE', path: '/entries/1' }, 'allow'],
    ['batch', 'ledger', get('/entries'), 'deny'],
    ['web', 'archive', get('/items'), 'allow'],
    ['web', 'archive', get('/export/all'), 'deny'],
    ['batch', 'archive', post('/export/now'), 'deny'],
  ],
};

// test/cases/appmesh-zero-trust.yaml: payments, 3 s; only checkout and refunds may call it.
const appmeshZeroTrust: CaseMeaning = {
  instances: versioned({ payments: { '-': 2 } }),
  chains: {
    payments: [
      { match: 'any', timeoutMs: 3000, backends: [{ weight: 100, instances: ids('payments', 'plain', 2) }] },
    ],
  },
  connections: [
    ['checkout', 'payments', true],
    ['refunds', 'payments', true],
    ['web', 'payments', false],
    ['payments', 'payments', false],
    ['payments', 'checkout', true],
  ],
  requests: [
    ['checkout', 'payments', post('/v1/charges'), 'allow'],
    ['refunds', 'payments', { method: 'DELETE', path: '/x' }, 'allow'],
    ['web', 'payments', get('/'), 'deny'],
  ],
};

// test/cases/backend-health-check.yaml: colorteller 50 % white, 50 % blue; the active health check
// is left out for Consul (AM3002: instances follow Kubernetes readiness), so only the split remains.
const healthCheck: CaseMeaning = {
  instances: versioned({ colorteller: { white: 2, blue: 1 } }),
  annotations: { white: { version: 'white' }, blue: { version: 'blue' } },
  chains: {
    colorteller: [
      {
        match: 'any',
        backends: [
          { weight: 50, instances: ids('colorteller', 'white', 2) },
          { weight: 50, instances: ids('colorteller', 'blue', 1) },
        ],
      },
    ],
  },
};

/** Golden case name -> meaning; every Consul case that compiles must be here. */
// test/cases/backend-resilience.yaml: reviews 90 % v1, 10 % v2; callers pick the least-loaded
// instance and give up connecting after 1 s (ejection and limits are per caller in Consul: refused).
const backendResilience: CaseMeaning = {
  instances: versioned({ reviews: { v1: 2, v2: 1, v3: 1 } }),
  annotations: { v1: { version: 'v1' }, v2: { version: 'v2' } },
  chains: {
    reviews: [
      {
        match: 'any',
        backends: [
          { weight: 90, instances: ids('reviews', 'v1', 2) },
          { weight: 10, instances: ids('reviews', 'v2', 1) },
        ],
      },
    ],
  },
  balancing: { reviews: [{ policy: 'least_request', connectTimeoutMs: 1000 }] },
};

// test/cases/backend-session-affinity.yaml: cart sticks by the session cookie (set for an hour on
// path /), profile by the x-user header, legacy by caller IP; catalog round robin, search random.
const sessionAffinity: CaseMeaning = {
  instances: versioned({ cart: { '-': 2 }, catalog: { '-': 2 }, profile: { '-': 1 }, legacy: { '-': 1 } }),
  chains: {
    cart: [
      { match: 'any', timeoutMs: 3000, backends: [{ weight: 100, instances: ids('cart', 'plain', 2) }] },
    ],
    catalog: [
      { match: 'any', timeoutMs: 3000, backends: [{ weight: 100, instances: ids('catalog', 'plain', 2) }] },
    ],
  },
  // No connectTimeout in the policies: Consul's default of 5 s (ServiceResolver ConnectTimeout).
  balancing: {
    cart: [
      {
        policy: 'ring_hash',
        hash: [{ field: 'cookie', fieldValue: 'session', cookieConfig: { ttlMs: 3_600_000, path: '/' } }],
        connectTimeoutMs: 5000,
      },
    ],
    profile: [
      { policy: 'ring_hash', hash: [{ field: 'header', fieldValue: 'x-user' }], connectTimeoutMs: 5000 },
    ],
    legacy: [{ policy: 'ring_hash', hash: [{ sourceIP: true }], connectTimeoutMs: 5000 }],
    catalog: [{ policy: 'round_robin', connectTimeoutMs: 5000 }],
    search: [{ policy: 'random', connectTimeoutMs: 5000 }],
  },
};

// test/cases/grpc-routing.yaml: a gRPC call is a POST to /<service>/<method>, so AddItem is the
// exact path /shop.Cart/AddItem and the shop.Cart service the prefix /shop.Cart/. AddItem -> v2;
// tenant acme's other shop.Cart calls -> v1; other shop.Cart calls 90 % v1, 10 % v2; anything else
// (no rule matches) goes to the service itself, every instance.
const cartV1 = ids('cart', 'v1', 2);
const cartV2 = ids('cart', 'v2', 1);
const grpcRouting: CaseMeaning = {
  protocol: 'grpc',
  instances: versioned({ cart: { v1: 2, v2: 1, v3: 1, '-': 1 } }),
  annotations: { v1: { version: 'v1' }, v2: { version: 'v2' } },
  chains: {
    cart: [
      { match: { path: { exact: '/shop.Cart/AddItem' } }, backends: [{ weight: 100, instances: cartV2 }] },
      {
        match: { path: { prefix: '/shop.Cart/' }, headers: [{ name: 'x-tenant', exact: 'acme' }] },
        backends: [{ weight: 100, instances: cartV1 }],
      },
      {
        match: { path: { prefix: '/shop.Cart/' } },
        backends: [
          { weight: 90, instances: cartV1 },
          { weight: 10, instances: cartV2 },
        ],
      },
      // Consul's own catch-all to the service itself, a prefix / (compile.go:700-704).
      {
        match: { path: { prefix: '/' } },
        backends: [{ weight: 100, instances: [...cartV1, ...cartV2, 'cart-plain-0', 'cart-v3-0'].sort() }],
      },
    ],
  },
};

// test/cases/grpc-timeouts.yaml: Checkout (/shop.v1.Payments/Checkout) 10 s, every other call 2 s.
const payments = ids('payments', 'plain', 2);
const grpcTimeouts: CaseMeaning = {
  protocol: 'grpc',
  instances: versioned({ payments: { '-': 2 } }),
  chains: {
    payments: [
      {
        match: { path: { exact: '/shop.v1.Payments/Checkout' } },
        timeoutMs: 10_000,
        backends: [{ weight: 100, instances: payments }],
      },
      { match: 'any', timeoutMs: 2000, backends: [{ weight: 100, instances: payments }] },
    ],
  },
};

// test/cases/rewrite-prefix.yaml: /api/v2... goes to stable (version v3) as /v2..., within 5 s; the
// rest reaches every orders instance unchanged.
const ordersStable = ids('orders', 'v3', 2);
const rewritePrefix: CaseMeaning = {
  instances: versioned({ orders: { v3: 2, v2: 1, '-': 1 } }),
  annotations: { stable: { version: 'v3' } },
  chains: {
    orders: [
      {
        match: { path: { prefix: '/api/v2' } },
        timeoutMs: 5000,
        prefixRewrite: '/v2',
        backends: [{ weight: 100, instances: ordersStable }],
      },
      // Consul's own catch-all to the service itself, a prefix / (compile.go:700-704), unrewritten.
      {
        match: { path: { prefix: '/' } },
        backends: [{ weight: 100, instances: [...ordersStable, 'orders-plain-0', 'orders-v2-0'].sort() }],
      },
    ],
  },
};

// test/cases/http2-api.yaml: the chain is compiled for http2 (ServiceDefaults protocol http2); GET
// /v1/search* -> v2 in 2 s; the rest of /v1/ 80 % v1, 20 % v2 in 5 s with 2 retries on
// gateway-error; anything else goes to the service itself, every instance (Consul's catch-all).
const catalogV1 = ids('catalog', 'v1', 2);
const catalogV2 = ids('catalog', 'v2', 1);
const http2Api: CaseMeaning = {
  protocol: 'http2',
  instances: versioned({ catalog: { v1: 2, v2: 1, '-': 1 } }),
  annotations: { v1: { version: 'v1' }, v2: { version: 'v2' } },
  chains: {
    catalog: [
      {
        match: { path: { prefix: '/v1/search' }, methods: ['GET'] },
        timeoutMs: 2000,
        backends: [{ weight: 100, instances: catalogV2 }],
      },
      {
        match: { path: { prefix: '/v1/' } },
        timeoutMs: 5000,
        retries: { attempts: 2, on: ['gateway-error'] },
        backends: [
          { weight: 80, instances: catalogV1 },
          { weight: 20, instances: catalogV2 },
        ],
      },
      {
        match: { path: { prefix: '/' } },
        backends: [{ weight: 100, instances: [...catalogV1, ...catalogV2, 'catalog-plain-0'].sort() }],
      },
    ],
  },
};

export const MEANINGS: Record<string, CaseMeaning> = {
  'case-grpc-routing': grpcRouting,
  'case-http2-api': http2Api,
  'case-grpc-timeouts': grpcTimeouts,
  'case-rewrite-prefix': rewritePrefix,
  'case-backend-resilience': backendResilience,
  'case-backend-session-affinity': sessionAffinity,
  'case-backend-health-check': healthCheck,
  'example-bookinfo-canary': bookinfo,
  'case-consul-canary': consulCanary,
  'case-consul-l7-routing': l7Routing,
  'case-consul-intentions': consulIntentions,
  'case-consul-permissive': permissive,
  'case-appmesh-zero-trust': appmeshZeroTrust,
  'case-access-authenticated': accessAuthenticated,
};
