/**
 * Hand-written App Mesh inputs (test/import/fixtures/appmesh/, laid out as the App Mesh controller
 * walkthroughs lay applications out) with the awkward parts real configurations have: prioritised
 * routes and one without a priority, relative weights, header suffix and inverted matches, gRPC
 * and TCP routes, a VirtualService whose provider is a node, gateways, Cloud Map, awsName, meshRef,
 * listener TLS with SANs, backends. Each part is imported or reported where it is; an independent
 * walk over every leaf proves nothing is dropped silently; `migrate plan` to every other mesh gives
 * objects that pass the target's CRDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapterFor, importSourceFor, MESHES } from '../../src/adapters/index.js';
import { leaves } from '../../src/core/import.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import { formatPath } from '../../src/core/loader/positions.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { planMigration } from '../../src/migrate/plan.js';
import { ROOT } from '../support/cases.js';
import { runCli } from '../support/cli.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { importText } from './support.js';

const SOURCE = 'appmesh';
const fixture = (name: string) => `test/import/fixtures/appmesh/${name}`;
const read = (name: string) => readFileSync(join(ROOT, fixture(name)), 'utf8');
const run = (name: string, ctx = {}) => importText(read(name), importSourceFor(SOURCE)!, fixture(name), ctx);
const codes = (r: ReturnType<typeof run>) =>
  r.diagnostics.map((d) => `${d.code} ${d.policy?.split('/')[2]} ${d.path ?? ''}`);
const policy = (r: ReturnType<typeof run>, kind: string, name: string) =>
  r.loaded.policies.find((p) => p.kind === kind && p.name === name)?.policy as never as {
    metadata: { annotations?: Record<string, string> };
    spec: Record<string, unknown> & { rules?: Record<string, unknown>[] };
  };

/** Leaves no warning (or renaming note) covers: must be exactly what the ledger counts as imported. */
function silentDrops(name: string): void {
  const r = run(name);
  const reported = r.diagnostics.filter((d) => d.level !== 'info' || d.code === 'AM4467');
  const skipped = new Set(r.skipped.map((s) => s.ref));
  let uncovered = 0;
  let total = 0;
  for (const doc of parseInputs([{ name, text: read(name) }]).documents) {
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
      if (!covered) uncovered++;
    }
  }
  expect(uncovered).toBe(r.fields.imported);
  expect(total).toBe(r.fields.total);
  expect(r.fields.unaccounted).toBe(0);
}

describe('App Mesh native fixtures', () => {
  it('shop: routes by priority, versions from the nodes, every awkward part imported or reported', () => {
    const r = run('shop.yaml');
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4460 shop-mesh spec.egressFilter.type',
        // Imported, but the BackendPolicy holds for catalog-v2 too, which has no health check.
        'AM4461 catalog-v1 spec.listeners[0].healthCheck',
        'AM4460 catalog-v2 spec.listeners[0].timeout.http.idle',
        'AM4460 catalog-v2 spec.serviceDiscovery.dns.responseType',
        'AM4466 catalog-router ',
        'AM4467 catalog-router spec.routes[2].name',
        'AM4460 catalog-router spec.routes[2].httpRoute.match.headers[0]',
        'AM4460 catalog-router spec.routes[2].httpRoute.match.headers[1]',
        'AM4461 catalog-router spec.routes[2].httpRoute.action.weightedTargets[0].weight',
        'AM4460 catalog-router spec.routes[3].httpRoute.match.scheme',
        'AM4461 catalog-router spec.routes[1].httpRoute.match.headers[1]',
        'AM4461 catalog-router spec.routes[2].httpRoute.match.queryParameters[0]',
        'AM4460 payments-provider spec',
        'AM4464 shop-gateway spec',
        'AM1014 catalog-v1 ',
      ]),
    );
    for (const d of r.diagnostics) expect(d.location?.line, d.message).toBeGreaterThan(0);
    // The gateway route: a policy bound to the gateway, its prefix rewritten to /.
    expect(policy(r, 'TrafficPolicy', 'shop-gateway').spec).toEqual({
      service: 'catalog',
      gateway: { name: 'shop-gateway' },
      rules: [
        {
          name: 'catalog-from-outside',
          matches: [{ path: { prefix: '/catalog/' } }],
          rewrite: { path: { replacePrefixMatch: '/' } },
        },
      ],
    });
    // The listener health check, milliseconds as durations.
    expect(policy(r, 'BackendPolicy', 'catalog').spec).toEqual({
      service: 'catalog',
      healthCheck: {
        protocol: 'http',
        path: '/healthz',
        interval: '5s',
        timeout: '2s',
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    });
    // The per-version Services are joined into the policy, the Deployment is listed.
    expect(r.skipped.map((s) => s.ref)).toEqual(['Deployment/shop/catalog-v1']);
    const tp = policy(r, 'TrafficPolicy', 'catalog');
    expect(tp.spec.versions).toEqual({ v1: { version: 'v1' }, v2: { version: 'v2' } });
    expect(tp.spec.port).toBe(8080);
    // Priority 10, 20, 30, then the route without one; 3:1 is exactly 75:25, 2:1 is rounded.
    expect(tp.spec.rules!.map((x) => x.name ?? '-')).toEqual(['beta-testers', '-', 'everyone', 'legacy']);
    expect(tp.spec.rules![0]!.matches).toEqual([
      {
        headers: [
          { name: 'x-beta', exact: 'yes' },
          { name: 'x-session', present: true },
        ],
      },
    ]);
    expect(tp.spec.rules![0]!.timeout).toBe('30s');
    expect(tp.spec.rules![2]!.backends).toEqual([
      { version: 'v1', weight: 75 },
      { version: 'v2', weight: 25 },
    ]);
    expect(tp.spec.rules![2]!.retries).toEqual({
      attempts: 2,
      perTryTimeout: '2s',
      retryOn: ['5xx', 'connect-failure', 'gateway-error'],
    });
    const joined = r.policies.find((p) => p.policy.metadata.name === 'catalog')!.from;
    expect(joined).toEqual(
      expect.arrayContaining([
        'VirtualService/shop/catalog',
        'VirtualRouter/shop/catalog-router',
        'VirtualNode/shop/catalog-v1',
        'Service/shop/catalog-v2',
      ]),
    );
  });

  it('protocols: gRPC by service and method, TCP split, node provider, TLS and callers, backend settings', () => {
    const r = run('protocols.yaml');
    expect(r.ok).toBe(true);
    // The gRPC and TCP listeners and the TCP idle timeout are the policies' protocol and timeout.
    expect(codes(r).filter((c) => /inventory|orders-db/.test(c))).toEqual([]);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4460 frontend spec.listeners[0].tls.validation.subjectAlternativeNames.match.exact[2]',
        'AM4463 frontend spec.backends',
        'AM4460 frontend spec.logging',
        'AM4460 ledger spec',
        'AM4462 ledger spec.awsName',
        'AM4462 ledger spec.serviceDiscovery.awsCloudMap',
        'AM4461 billing spec.awsName',
        'AM4462 billing spec.serviceDiscovery.awsCloudMap',
      ]),
    );
    // A Cloud Map name of the service keeps its routing, for the Kubernetes Service of that name.
    expect(policy(r, 'TrafficPolicy', 'billing').spec).toEqual({
      service: 'billing',
      port: 8080,
      rules: [{ name: 'default' }],
    });
    const inventory = policy(r, 'TrafficPolicy', 'inventory');
    expect(inventory.spec.protocol).toBe('grpc');
    expect(inventory.spec.rules![0]!.matches).toEqual([
      {
        grpc: { service: 'shop.inventory.v1.Inventory', method: 'Reserve' },
        headers: [{ name: 'x-tenant', prefix: 'eu-' }],
      },
    ]);
    expect(inventory.spec.rules![1]!.matches).toEqual([{ grpc: { service: 'shop.inventory.v1.Inventory' } }]);
    expect(inventory.spec.rules![0]!.retries).toEqual({
      attempts: 3,
      perTryTimeout: '250ms',
      retryOn: ['refused-stream', 'resource-exhausted', 'unavailable'],
    });
    const db = policy(r, 'TrafficPolicy', 'orders-db');
    expect(db.spec.protocol).toBe('tcp');
    expect(db.spec.rules![0]!.timeout).toBe('10m');
    expect(db.spec.versions).toEqual({
      primary: { role: 'primary' },
      replica: { role: 'replica' },
    });
    expect(policy(r, 'TrafficPolicy', 'frontend').spec.rules).toEqual([{ name: 'default' }]);
    const mtls = policy(r, 'MTLSPolicy', 'frontend');
    expect(mtls.spec).toEqual({ mode: 'strict', service: 'frontend' });
    expect(mtls.metadata.annotations).toEqual({
      'appmesh.tls.certificate': 'sds',
      'appmesh.tls.sdsSecretName': 'spiffe://cluster.local/ns/shop/sa/frontend',
    });
    expect(policy(r, 'AccessPolicy', 'frontend').spec.from).toEqual([
      { namespace: 'edge', serviceAccount: 'shop-gateway' },
      { namespace: 'shop', serviceAccount: 'checkout' },
    ]);
    expect(policy(r, 'BackendPolicy', 'frontend').spec).toEqual({
      service: 'frontend',
      outlierDetection: {
        consecutiveErrors: 3,
        interval: '5s',
        baseEjectionTime: '1m',
        maxEjectionPercent: 50,
      },
      connectionLimits: { maxConnections: 200, maxPendingRequests: 100 },
    });
    expect(policy(r, 'BackendPolicy', 'orders-db').spec.connectionLimits).toEqual({ maxConnections: 50 });
  });

  it.each(['shop.yaml', 'protocols.yaml'])('%s: no field dropped silently (independent walk)', (name) =>
    silentDrops(name),
  );

  it('ingress: GatewayRoutes are policies bound to their VirtualGateway, in priority order, with App Mesh rewrites', () => {
    const r = run('ingress.yaml');
    expect(r.ok).toBe(true);
    silentDrops('ingress.yaml');
    // The gateway takes the routes by its namespace and route selectors; priority orders them.
    expect(policy(r, 'TrafficPolicy', 'ingress-gw').spec).toEqual({
      service: 'storefront',
      port: 8080,
      gateway: { name: 'ingress-gw' },
      rules: [
        {
          name: 'legacy-help',
          matches: [{ path: { exact: '/help' } }],
          rewrite: { path: { replaceFullPath: '/docs/help' } },
        },
        {
          name: 'api',
          matches: [{ path: { prefix: '/api/' } }],
          // App Mesh's default: the matched prefix becomes /.
          rewrite: { path: { replacePrefixMatch: '/' } },
          backends: [{ service: 'catalog', port: 9090 }],
        },
        { name: 'pages', matches: [{ headers: [{ name: 'x-region', exact: 'eu' }] }] },
      ],
    });
    // A gRPC gateway route: a protocol grpc policy of its own, its service name a gRPC match.
    expect(policy(r, 'TrafficPolicy', 'ingress-gw-3').spec).toEqual({
      service: 'cart',
      port: 50051,
      protocol: 'grpc',
      gateway: { name: 'ingress-gw' },
      rules: [
        {
          name: 'cart-grpc',
          matches: [{ grpc: { service: 'shop.Cart' }, headers: [{ name: 'x-client', prefix: 'mobile-' }] }],
        },
      ],
    });
    // A host name suffix starting with "." is a wildcard host name: a policy of its own, at the
    // listener port its match names.
    expect(policy(r, 'TrafficPolicy', 'ingress-gw-2').spec).toMatchObject({
      gateway: { name: 'ingress-gw', hostnames: ['*.partners.example.com'], port: 8088 },
      rules: [{ name: 'partners', rewrite: { path: { replacePrefixMatch: '/b2b/' } } }],
    });
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4464 ingress-gw spec',
        // The default Host rewrite, where it is left on.
        'AM4461 pages spec.httpRoute.action.target.virtualService.virtualServiceRef',
      ]),
    );
    // The move: the imported ingress compiles for Istio, bound to a gateway of the same name.
    const out = compileLoaded(r.loaded, adapterFor('istio')!);
    expect(out.ok).toBe(true);
    expect(
      out.resources
        .filter((o) => o.kind === 'VirtualService')
        .map((o) => (o.spec as { gateways?: string[] }).gateways)
        .filter(Boolean),
    ).toEqual([['shop/ingress-gw'], ['shop/ingress-gw'], ['shop/ingress-gw']]);
  });

  it('a gateway named like a VirtualService of its namespace: its policy takes another name', () => {
    const text = `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualGateway
metadata: {name: web, namespace: shop}
spec:
  listeners: [{portMapping: {port: 8088, protocol: http}}]
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: all, namespace: shop}
spec:
  httpRoute:
    match: {prefix: /}
    action: {target: {virtualService: {virtualServiceRef: {name: web}}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  provider: {virtualNode: {virtualNodeRef: {name: web}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  serviceDiscovery: {dns: {hostname: web.shop.svc.cluster.local}}
`;
    const r = importText(text, importSourceFor(SOURCE)!, 'web.yaml');
    expect(r.ok).toBe(true);
    expect(r.loaded.policies.filter((p) => p.kind === 'TrafficPolicy').map((p) => p.name)).toEqual([
      'web',
      'web-2',
    ]);
    expect(policy(r, 'TrafficPolicy', 'web-2').spec.gateway).toEqual({ name: 'web' });
  });

  it('--strict makes every loss an error', () => {
    const r = run('shop.yaml', { strict: true });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'AM4460').every((d) => d.level === 'error')).toBe(true);
  });

  it('the trust domain decides which SANs name callers', () => {
    const r = run('protocols.yaml', { trustDomain: 'prod.example.org' });
    expect(policy(r, 'AccessPolicy', 'frontend')).toBeUndefined();
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4460 frontend spec.listeners[0].tls.validation.subjectAlternativeNames.match.exact[0]',
      ]),
    );
  });
});

describe('App Mesh listener health checks', () => {
  const node = (name: string, check: string) => `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: ${name}, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cart, version: ${name}}}
  listeners:
    - portMapping: {port: 8080, protocol: http}
${check}
  serviceDiscovery: {dns: {hostname: ${name}.shop.svc.cluster.local}}
`;
  const routed = (...nodes: string[]) =>
    [
      ...nodes,
      `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: cart, namespace: shop}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  routes:
    - name: split
      httpRoute:
        match: {prefix: /}
        action:
          weightedTargets: [{virtualNodeRef: {name: v1}, weight: 50}, {virtualNodeRef: {name: v2}, weight: 50}]
`,
      `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  provider: {virtualRouter: {virtualRouterRef: {name: cart}}}
`,
    ].join('---\n');
  const check = (extra = '') =>
    `      healthCheck: {protocol: tcp, port: 8080, intervalMillis: 10000, timeoutMillis: 3000, healthyThreshold: 3, unhealthyThreshold: 2${extra}}`;
  const imported = (text: string) => importText(text, importSourceFor(SOURCE)!, 'hc.yaml');

  it('the same check on every version is the BackendPolicy healthCheck, lossless', () => {
    const r = imported(routed(node('v1', check()), node('v2', check())));
    expect(codes(r).filter((c) => c.includes('healthCheck'))).toEqual([]);
    expect(policy(r, 'BackendPolicy', 'cart').spec).toEqual({
      service: 'cart',
      healthCheck: {
        protocol: 'tcp',
        port: 8080,
        interval: '10s',
        timeout: '3s',
        healthyThreshold: 3,
        unhealthyThreshold: 2,
      },
    });
  });

  it('a check one version lacks, one that differs, one missing a required field: each reported', () => {
    const lacking = imported(routed(node('v1', check()), node('v2', '')));
    expect(codes(lacking)).toContain('AM4461 v1 spec.listeners[0].healthCheck');
    const differing = imported(routed(node('v1', check()), node('v2', check(', path: /x'))));
    expect(codes(differing)).toContain('AM4460 v2 spec.listeners[0].healthCheck');
    const broken = imported(
      routed(node('v1', '      healthCheck: {protocol: http, path: /ping}'), node('v2', '')),
    );
    expect(codes(broken)).toContain('AM4460 v1 spec.listeners[0].healthCheck');
    expect(policy(broken, 'BackendPolicy', 'cart')).toBeUndefined();
    for (const r of [lacking, differing, broken]) expect(r.fields.unaccounted).toBe(0);
  });
});

describe('App Mesh versions whose pods share no label', () => {
  // aws-app-mesh-examples' bulkhead blog: price-read-node and price-write-node select app:
  // price-read and app: price-write; an empty neutral selector would be refused (AM2007).
  const node = (name: string) => `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: price-${name}-node, namespace: shop}
spec:
  podSelector: {matchLabels: {app: price-${name}}}
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  serviceDiscovery: {dns: {hostname: price-${name}.shop.svc.cluster.local}}
`;
  const text = [
    node('read'),
    node('write'),
    `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: price-service, namespace: shop}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  routes:
    - name: reads
      httpRoute:
        match: {prefix: /, method: GET}
        action: {weightedTargets: [{virtualNodeRef: {name: price-read-node}, weight: 1}]}
    - name: writes
      httpRoute:
        match: {prefix: /}
        action: {weightedTargets: [{virtualNodeRef: {name: price-write-node}, weight: 1}]}
`,
    `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: price-service, namespace: shop}
spec:
  provider: {virtualRouter: {virtualRouterRef: {name: price-service}}}
`,
  ].join('---\n');

  it('import a valid policy: the neutral default selector, said to change meaning; each version its own labels', () => {
    const r = importText(text, importSourceFor(SOURCE)!, 'bulkhead.yaml');
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(codes(r)).toContain('AM4461 price-read-node spec.podSelector');
    const tp = r.loaded.policies.find((p) => p.policy.kind === 'TrafficPolicy')!.policy.spec as Record<
      string,
      unknown
    >;
    expect(tp.selector).toBeUndefined();
    expect(tp.versions).toEqual({
      'price-read-node': { app: 'price-read' },
      'price-write-node': { app: 'price-write' },
    });
    // Compiled back, each version's node selects the pods it did.
    const back = compileLoaded(r.loaded, adapterFor(SOURCE)!);
    const selectors = back.resources
      .filter((o) => o.kind === 'VirtualNode')
      .map((o) => (o.spec as { podSelector: { matchLabels: unknown } }).podSelector.matchLabels);
    expect(selectors).toEqual(expect.arrayContaining([{ app: 'price-read' }, { app: 'price-write' }]));
  });
});

describe('migrate plan from App Mesh', () => {
  let crds: CrdCatalog;
  beforeAll(() => {
    crds = new CrdCatalog();
  });
  const targets = MESHES.filter((m) => m.id !== SOURCE);
  for (const target of targets)
    for (const name of ['shop.yaml', 'protocols.yaml', 'ingress.yaml'])
      it(`${name} -> ${target.id}: every target object passes the target's CRDs`, () => {
        const loaded = parseInputs([{ name: fixture(name), text: read(name) }]);
        const plan = planMigration(loaded, {
          source: importSourceFor(SOURCE)!,
          sourceMesh: adapterFor(SOURCE)!,
          target,
          context: { options: { ...(target.exampleOptions ?? {}) } },
        });
        expect(plan.errors).toEqual([]);
        expect(plan.policies.length).toBeGreaterThan(0);
        // A target that cannot express a policy refuses it (and says why); the rest move.
        if (!plan.objects.length) expect(plan.policies.some((p) => p.status === 'refused')).toBe(true);
        for (const o of plan.objects) {
          if (o.apiVersion === 'v1' || o.apiVersion === 'apps/v1') continue;
          expect(crds.validate(o), JSON.stringify(o)).toEqual([]);
        }
        expect(plan.steps.some((s) => /rollback point/.test(s.rollback ?? ''))).toBe(true);
      });

  it('ingress.yaml -> istio: the steps create the gateway the routes are bound to and shift clients to it', () => {
    const loaded = parseInputs([{ name: fixture('ingress.yaml'), text: read('ingress.yaml') }]);
    const plan = planMigration(loaded, {
      source: importSourceFor(SOURCE)!,
      sourceMesh: adapterFor(SOURCE)!,
      target: adapterFor('istio')!,
    });
    const actions = plan.steps.map((s) => s.action);
    const create = actions.findIndex((a) =>
      a.includes('ingress gateways the policies are bound to (shop/ingress-gw)'),
    );
    const apply = actions.findIndex((a) => a.startsWith('Apply the Istio objects'));
    const shift = actions.findIndex((a) => a.startsWith('Shift clients'));
    // The gateway before the objects bound to it; clients after the workloads moved, undoable.
    expect(create).toBeGreaterThan(0);
    expect(apply).toBe(create + 1);
    expect(shift).toBeGreaterThan(apply);
    expect(plan.steps[shift]!.rollback).toMatch(/shift the clients back/);
    const vs = plan.objects.filter((o) => o.kind === 'VirtualService');
    expect(vs.map((o) => (o.spec as { gateways: string[] }).gateways)).toEqual([
      ['shop/ingress-gw'],
      ['shop/ingress-gw'],
      ['shop/ingress-gw'],
    ]);
  });
});

describe('anymesh import --from appmesh', () => {
  it('options of the App Mesh adapter say how its objects were made: a custom SPIFFE pattern', () => {
    const text = read('protocols.yaml').replaceAll(
      'spiffe://cluster.local/ns/',
      'spiffe://cluster.local/k8s/ns/',
    );
    const plain = importText(text, importSourceFor(SOURCE)!, 'custom.yaml');
    expect(plain.loaded.policies.find((p) => p.kind === 'AccessPolicy')).toBeUndefined();
    const custom = importText(text, importSourceFor(SOURCE)!, 'custom.yaml', {
      options: { 'appmesh.spiffeId': 'spiffe://{trustDomain}/k8s/ns/{namespace}/sa/{serviceAccount}' },
    });
    expect(
      (custom.loaded.policies.find((p) => p.kind === 'AccessPolicy')!.policy.spec as { from: unknown }).from,
    ).toEqual([
      { namespace: 'edge', serviceAccount: 'shop-gateway' },
      { namespace: 'shop', serviceAccount: 'checkout' },
    ]);
  });

  it('prints policies, positioned losses and the share; exit 0', async () => {
    const r = await runCli(['import', '-f', fixture('shop.yaml'), '--from', SOURCE]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/kind: TrafficPolicy/);
    expect(r.err).toMatch(/shop.yaml:\d+:\d+: warning AM4464: spec: /);
    expect(r.err).toMatch(
      /imported \d+ of \d+ native fields losslessly \(\d+\.\d%\), \d+ reported; 1 object not imported/,
    );
    const strict = await runCli(['import', '-f', fixture('shop.yaml'), '--from', SOURCE, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.out).toBe('');
  });
});
