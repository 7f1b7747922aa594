/**
 * The behaviour tests can fail: wrong edits to a compiled output (weights swapped, a match dropped,
 * a subset inverted, an authorization path widened) run through Istio make the same hand-written
 * expectations fail, for the sidecar and the ambient output alike (a leaf Service selecting the
 * wrong pods, the waypoint binding dropped, the ztunnel guard widened, an L7 policy attached by
 * selector), for the protocol cases (a gRPC method match, a redirect code or path, a rewrite
 * prefix or host, TCP weights, a TCP idle timeout, gRPC retry conditions, attempts and per-try
 * timeouts), for source addresses (an ipBlock widened, moved or narrowed, an excepted range or a
 * caller's address dropped, the port restriction dropped) and for a split that must carry no health
 * check (the weights changed, a version dropped, a health check added by an EnvoyFilter), and for
 * HTTP/2 (the upgrade turned off or moved to another port, appProtocol h2c dropped from the leaf
 * Services). Each
 * mutation must change the output, or the proof would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { bookinfoAmbient, zeroTrustAmbient } from './ambient-expectations.js';
import { runAmbientCase } from './ambient-world.js';
import { bookinfo, healthCheckSplit, ipBlockAccess } from './expectations.js';
import { runCase } from './harness.js';
import {
  grpcRetries,
  grpcRouting,
  grpcTimeouts,
  http2Api,
  type ProtocolCase,
  redirectPaths,
  redirectPrefix,
  rewriteHost,
  rewritePrefix,
  tcpCanary,
  tcpIdleTimeout,
} from './protocol-expectations.js';
import { allowed, arrival, pod, result } from './world.js';

function mutation(from: string | RegExp, to: string) {
  return (output: string) => {
    const changed = output.replace(from, to);
    expect(changed, `the mutation ${String(from)} applies`).not.toBe(output);
    return changed;
  };
}

const ROUTING_MUTATIONS: Record<string, (o: string) => string> = {
  'weights swapped': (o) => mutation(/weight: 90([\s\S]*?)weight: 10/, 'weight: 10$1weight: 90')(o),
  'the tester header match dropped': mutation(
    /- headers:\n\s+end-user:\n\s+exact: jason\n(\s+)port: 9080/,
    '- port: 9080',
  ),
  'the testers subset inverted': mutation(/(name: reviews-canary\.testers[\s\S]*?subset: )v2/, '$1v1'),
  'the rules swapped (match order)': (o) => {
    const [head, testers, everyone] = o.split(/(?=\n {4}- name: reviews-canary\.)/);
    expect(everyone, 'two rules').toBeDefined();
    return `${head}${everyone!.replace(/\n+$/, '')}${testers}\n`;
  },
  'the timeout changed': mutation('timeout: 3s', 'timeout: 30s'),
};

describe('mutated examples/bookinfo-canary.yaml output fails its expectations', () => {
  it.each(Object.entries(ROUTING_MUTATIONS))('%s', async (_name, mutate) => {
    const run = await runCase('examples/bookinfo-canary.yaml', bookinfo, bookinfo.calls, mutate);
    expect(() => bookinfo.check(run.answer)).toThrow();
  });
});

describe('mutated examples/zero-trust.yaml output fails its expectations', () => {
  const reviews = pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' });
  const productpage = pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage');
  const world = {
    services: [{ namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.20', ports: [{ port: 9080 }] }],
    pods: [reviews, productpage],
  };
  const calls = [
    arrival('pp-get', productpage, reviews, 9080, { path: '/reviews/1' }),
    arrival('pp-other', productpage, reviews, 9080, { path: '/details/1' }),
  ];
  const check = (answer: Parameters<typeof result>[0]) => {
    expect(allowed(result(answer, 'pp-get'))).toBe(true);
    expect(allowed(result(answer, 'pp-other'))).toBe(false);
  };
  it('holds for the real output', async () =>
    check((await runCase('examples/zero-trust.yaml', world, calls)).answer));
  it.each([
    ['the path widened', mutation('- /reviews/*', '- /*')],
    ['another caller allowed', mutation('sa/bookinfo-productpage', 'sa/bookinfo-ratings')],
  ])('%s', async (_name, mutate) => {
    const run = await runCase('examples/zero-trust.yaml', world, calls, mutate);
    expect(() => check(run.answer)).toThrow();
  });
});

describe('the analyzers see the workloads', () => {
  it('reports a subset that selects no pods when the reviews-v2 pods are missing (IST0173)', async () => {
    const world = { services: bookinfo.services, pods: bookinfo.pods.filter((p) => p.name !== 'reviews-v2') };
    const run = await runCase('examples/bookinfo-canary.yaml', world, []);
    expect(run.answer.messages.map((m) => [m.code, m.resource])).toContainEqual([
      'IST0173',
      'DestinationRule bookinfo/reviews',
    ]);
  });
});

describe('mutated ambient examples/bookinfo-canary.yaml output fails its expectations', () => {
  const mutations: Record<string, (o: string) => string> = {
    'weights swapped': mutation(/weight: 90([\s\S]*?)weight: 10/, 'weight: 10$1weight: 90'),
    'the tester header match dropped': mutation(
      /- headers:\n\s+- name: end-user\n\s+type: Exact\n\s+value: jason\n/,
      '- path: {type: PathPrefix, value: /}\n',
    ),
    'the testers leaf Service inverted': mutation(/(- name: testers[\s\S]*?- name: reviews-)v2/, '$1v1'),
    'the v2 leaf Service selecting v1 pods': mutation(/(name: reviews-v2[\s\S]*?version: )v2/, '$1v1'),
    'the timeout changed': mutation('request: 3s', 'request: 30s'),
    'the waypoint binding dropped': mutation(/ {4}istio\.io\/use-waypoint: waypoint\n/, '    app: reviews\n'),
  };
  it.each(Object.entries(mutations))('%s', async (_name, mutate) => {
    const run = await runAmbientCase(
      'examples/bookinfo-canary.yaml',
      bookinfoAmbient,
      bookinfoAmbient.calls,
      mutate,
    );
    expect(() => bookinfoAmbient.check(run.answer)).toThrow();
  });
});

describe('mutated ambient examples/zero-trust.yaml output fails its expectations', () => {
  const z = zeroTrustAmbient;
  it('holds for the real output', async () =>
    z.check((await runAmbientCase('examples/zero-trust.yaml', z.world, z.calls)).answer));
  it.each([
    ['the waypoint path widened', mutation('- /reviews/*', '- /*')],
    ['another caller allowed at the waypoint', mutation('sa/bookinfo-productpage', 'sa/bookinfo-ratings')],
    [
      'the ztunnel guard admitting the caller',
      mutation(/(reviews-waypoint-only[\s\S]*?sa\/)waypoint/, '$1bookinfo-productpage'),
    ],
    ['strict mTLS made permissive', mutation('mode: STRICT', 'mode: PERMISSIVE')],
    [
      'the L7 policy attached by selector (istio/istio#61126)',
      mutation(
        /targetRefs:\n\s+- group: ""\n\s+kind: Service\n\s+name: reviews\n(\s+action: ALLOW\n\s+rules:\n\s+- from:\n\s+- source:\n\s+principals:\n\s+- cluster.local\/ns\/bookinfo\/sa\/bookinfo-productpage)/,
        'selector:\n    matchLabels:\n      app: reviews\n$1',
      ),
    ],
  ])('%s', async (_name, mutate) => {
    const run = await runAmbientCase('examples/zero-trust.yaml', z.world, z.calls, mutate);
    expect(() => z.check(run.answer)).toThrow();
  });
});

/** A wrong edit of a case's output, on the sidecar or the ambient column: [side, case, name, edit]. */
type Mutation = [string, () => ProtocolCase, string, (o: string) => string];

/** Protocol cases (issue 16): each wrong edit of the output makes the case's own expectations fail. */
const PROTOCOL_MUTATIONS: Mutation[] = [
  [
    'sidecar',
    () => grpcRouting('sidecar'),
    'the AddItem method match changed',
    mutation('exact: /shop.Cart/AddItem', 'exact: /shop.Cart/RemoveItem'),
  ],
  [
    'sidecar',
    () => grpcRouting('sidecar'),
    'the shop.Cart weights swapped',
    mutation(/weight: 90([\s\S]*?)weight: 10/, 'weight: 10$1weight: 90'),
  ],
  [
    'sidecar',
    () => grpcTimeouts('sidecar'),
    'the Checkout deadline changed',
    mutation('timeout: 10s', 'timeout: 20s'),
  ],
  [
    'sidecar',
    () => redirectPaths('sidecar'),
    'the https redirect code changed',
    mutation('redirectCode: 301', 'redirectCode: 302'),
  ],
  ['sidecar', () => redirectPaths('sidecar'), 'the https scheme dropped', mutation(/\n\s+scheme: https/, '')],
  [
    'sidecar',
    () => redirectPaths('sidecar'),
    'the help path changed',
    mutation('uri: /storefront/help', 'uri: /storefront/faq'),
  ],
  [
    'sidecar',
    () => rewriteHost('sidecar'),
    'the health path rewrite changed',
    mutation('rewrite: /status/health.jsp', 'rewrite: /status'),
  ],
  [
    'sidecar',
    () => rewriteHost('sidecar'),
    'the host rewrite dropped from the rest',
    mutation(
      /(name: legacy-rewrite\.app[\s\S]*?)\n\s+rewrite:\n\s+authority: legacy\.internal\.example\.com/,
      '$1',
    ),
  ],
  ['sidecar', () => rewritePrefix('sidecar'), 'the rewrite prefix changed', mutation('uri: /v2', 'uri: /v3')],
  [
    'sidecar',
    () => tcpCanary('sidecar'),
    'the TCP weights swapped',
    mutation(/weight: 95([\s\S]*?)weight: 5/, 'weight: 5$1weight: 95'),
  ],
  [
    'sidecar',
    () => tcpIdleTimeout(),
    'the idle timeout changed',
    mutation('idleTimeout: 1h', 'idleTimeout: 2h'),
  ],
  [
    'ambient',
    () => grpcRouting('ambient'),
    'the AddItem method match changed',
    mutation('method: AddItem', 'method: RemoveItem'),
  ],
  [
    'ambient',
    () => grpcRouting('ambient'),
    'the shop.Cart weights swapped',
    mutation(/weight: 90([\s\S]*?)weight: 10/, 'weight: 10$1weight: 90'),
  ],
  [
    'ambient',
    () => redirectPaths('ambient'),
    'the https redirect code changed',
    mutation('statusCode: 301', 'statusCode: 302'),
  ],
  [
    'ambient',
    () => redirectPrefix(),
    'the replacement prefix changed',
    mutation('replacePrefixMatch: /products', 'replacePrefixMatch: /items'),
  ],
  [
    'ambient',
    () => rewriteHost('ambient'),
    'the health path rewrite changed',
    mutation('replaceFullPath: /status/health.jsp', 'replaceFullPath: /status'),
  ],
  [
    'ambient',
    () => rewritePrefix('ambient'),
    'the rewrite prefix changed',
    mutation('replacePrefixMatch: /v2', 'replacePrefixMatch: /v3'),
  ],
  [
    'ambient',
    () => tcpCanary('ambient'),
    'the TCP weights swapped',
    mutation(/weight: 95([\s\S]*?)weight: 5/, 'weight: 5$1weight: 95'),
  ],
];

/** gRPC retries (issue 13): the retry policy Envoy gets on each rule's route. */
const GRPC_RETRY_MUTATIONS: Mutation[] = [
  [
    'sidecar',
    () => grpcRetries('sidecar'),
    'a GetOrder retryOn condition dropped',
    mutation(
      'retryOn: unavailable,resource-exhausted,deadline-exceeded',
      'retryOn: unavailable,resource-exhausted',
    ),
  ],
  [
    'sidecar',
    () => grpcRetries('sidecar'),
    'a condition added to the shop.Checkout rule',
    mutation(/retryOn: unavailable$/m, 'retryOn: unavailable,cancelled'),
  ],
  [
    'sidecar',
    () => grpcRetries('sidecar'),
    'the GetOrder attempts changed',
    mutation('attempts: 3', 'attempts: 1'),
  ],
  [
    'sidecar',
    () => grpcRetries('sidecar'),
    "the shop.Checkout retries dropped (Istio's default policy applies)",
    mutation(/\n\s+retries:\n\s+attempts: 2\n\s+retryOn: unavailable/, ''),
  ],
  [
    'sidecar',
    () => grpcRetries('sidecar'),
    'the GetOrder per-try timeout changed',
    mutation('perTryTimeout: 500ms', 'perTryTimeout: 2s'),
  ],
  [
    'ambient',
    () => grpcRetries('ambient'),
    'the GetOrder attempts changed',
    mutation('attempts: 3', 'attempts: 1'),
  ],
  [
    'ambient',
    () => grpcRetries('ambient'),
    'the GetOrder per-try timeout dropped',
    mutation(/\n\s+backendRequest: 500ms/, ''),
  ],
  [
    'ambient',
    () => grpcRetries('ambient'),
    'the shop.Checkout attempts changed',
    // Not "the retry dropped": Istio's default policy without one is 2 retries on unavailable among
    // others (route/retry/retry.go), which is what this rule asks on ambient, so nothing could tell.
    mutation('attempts: 2', 'attempts: 4'),
  ],
];

/** An EnvoyFilter giving colorteller's outbound clusters the active health check Istio has no field for. */
const HEALTH_CHECK_FILTER = `---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: colorteller-health-check, namespace: howto}
spec:
  configPatches:
    - applyTo: CLUSTER
      match:
        context: SIDECAR_OUTBOUND
        cluster: {service: colorteller.howto.svc.cluster.local}
      patch:
        operation: MERGE
        value:
          health_checks:
            - {timeout: 2s, interval: 5s, healthy_threshold: 2, unhealthy_threshold: 2, http_health_check: {path: /ping}}
`;

/** backend-health-check (issue 13): the 50/50 split, and no health check on its clusters. */
const HEALTH_CHECK_MUTATIONS: Mutation[] = [
  [
    'sidecar',
    () => healthCheckSplit('sidecar'),
    'the split changed to 80/20',
    mutation(/weight: 50([\s\S]*?)weight: 50/, 'weight: 80$1weight: 20'),
  ],
  [
    'sidecar',
    () => healthCheckSplit('sidecar'),
    'the blue half sent to white',
    mutation(
      /(- destination:\n\s+host: colorteller\.howto\.svc\.cluster\.local\n\s+subset: )blue/,
      '$1white',
    ),
  ],
  [
    'sidecar',
    () => healthCheckSplit('sidecar'),
    'an active health check added',
    (o) => `${o}${HEALTH_CHECK_FILTER}`,
  ],
  [
    'ambient',
    () => healthCheckSplit('ambient'),
    'the split changed to 80/20',
    mutation(/weight: 50([\s\S]*?)weight: 50/, 'weight: 80$1weight: 20'),
  ],
  [
    'ambient',
    () => healthCheckSplit('ambient'),
    'the blue leaf Service selecting white pods',
    mutation(/(name: colorteller-blue[\s\S]*?version: )blue/, '$1white'),
  ],
];

/** http2-api (issue 13): the HTTP/2 upgrade, the split and the search route. */
const HTTP2_MUTATIONS: Mutation[] = [
  [
    'sidecar',
    () => http2Api('sidecar'),
    'the upgrade turned off (DO_NOT_UPGRADE)',
    mutation('h2UpgradePolicy: UPGRADE', 'h2UpgradePolicy: DO_NOT_UPGRADE'),
  ],
  [
    'sidecar',
    () => http2Api('sidecar'),
    'the upgrade moved to another port',
    mutation(/(portLevelSettings:\n\s+- port:\n\s+number: )8080/, '$19090'),
  ],
  [
    'sidecar',
    () => http2Api('sidecar'),
    'the api weights swapped',
    mutation(/weight: 80([\s\S]*?)weight: 20/, 'weight: 20$1weight: 80'),
  ],
  [
    'sidecar',
    () => http2Api('sidecar'),
    'the search method match dropped',
    mutation(/\n\s+method:\n\s+exact: GET/, ''),
  ],
  [
    'sidecar',
    () => http2Api('sidecar'),
    'the search rule given retries on 5xx (it omits retries: none of a request the service saw)',
    mutation(
      /(name: catalog-h2\.search[\s\S]*?\n(\s+)timeout: 2s)/,
      '$1\n$2retries:\n$2  attempts: 3\n$2  retryOn: 5xx',
    ),
  ],
  [
    'ambient',
    () => http2Api('ambient'),
    'appProtocol removed from the leaf Services',
    (o) => mutation(/\n\s+appProtocol: kubernetes\.io\/h2c/g, '')(o),
  ],
  [
    'ambient',
    () => http2Api('ambient'),
    'the search timeout changed',
    mutation('request: 2s', 'request: 20s'),
  ],
];

function mutationsFail(title: string, mutations: Mutation[]) {
  describe(title, () => {
    it.each(
      mutations.map(
        ([side, make, name, mutate]) => [`${side} ${make().file}: ${name}`, side, make, mutate] as const,
      ),
    )('%s', async (_name, side, make, mutate) => {
      const c = make();
      const run =
        side === 'sidecar'
          ? await runCase(c.file, c, c.calls, mutate)
          : await runAmbientCase(c.file, c, c.calls, mutate);
      expect(() => c.check(run.answer)).toThrow();
    });
  });
}

mutationsFail('mutated protocol case outputs fail their expectations', PROTOCOL_MUTATIONS);
mutationsFail('mutated grpc-retries outputs fail their expectations', GRPC_RETRY_MUTATIONS);
mutationsFail('mutated backend-health-check outputs fail their expectations', HEALTH_CHECK_MUTATIONS);
mutationsFail('mutated http2-api outputs fail their expectations', HTTP2_MUTATIONS);

describe('mutated test/cases/access-ip-block.yaml output fails its expectations', () => {
  it.each([
    ['the pod network widened to every IPv4 address', mutation('- 10.0.0.0/8', '- 0.0.0.0/0')],
    ['the excepted range dropped', mutation(/\n\s+notIpBlocks:\n\s+- 10\.96\.0\.0\/12/, '')],
    ['the excepted range narrowed to a /16', mutation('- 10.96.0.0/12', '- 10.96.0.0/16')],
    ['the IPv6 range moved to fc00::/8', mutation('- fd00::/8', '- fc00::/8')],
    ['the IPv6 range widened to fc00::/7', mutation('- fd00::/8', '- fc00::/7')],
    ["batch's own address dropped", mutation(/(sa\/batch)\n\s+ipBlocks:\n\s+- 10\.20\.0\.0\/16/, '$1')],
    ['prometheus of another namespace', mutation('ns/monitoring/sa/prometheus', 'ns/shop/sa/prometheus')],
    ['the port restriction dropped', mutation(/\n\s+to:\n\s+- operation:\n\s+ports:\n\s+- "8080"/, '')],
  ])('%s', async (_name, mutate) => {
    const run = await runCase('test/cases/access-ip-block.yaml', ipBlockAccess, ipBlockAccess.calls, mutate);
    expect(() => ipBlockAccess.check(run.answer)).toThrow();
  });
});
