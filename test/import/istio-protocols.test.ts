/**
 * Istio import of issue 16's protocol fields from hand-written objects in the style of Istio's docs
 * (test/fixtures/import/istio-protocols.yaml): gRPC from the Service's port name or from gRPC call
 * paths, TCP routes with weights and ports plus the DestinationRule's idle timeout, redirects
 * (redirectCode 308, derivePort) and rewrites (uri under a prefix and under an exact match). Each
 * case asserts the neutral policy and the position of every report, and the walk over every leaf
 * proves nothing is dropped silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSourceFor, MESHES } from '../../src/adapters/index.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { ROOT } from '../support/cases.js';
import { importText, unreportedLeaves } from './support.js';

const name = 'test/fixtures/import/istio-protocols.yaml';
const text = readFileSync(join(ROOT, name), 'utf8');
const istio = importSourceFor('istio')!;
const run = importText(text, istio, name);
const spec = (policy: string) =>
  run.loaded.policies.find((p) => p.name === policy)?.policy.spec as Record<string, unknown> | undefined;
/** `code name path line` of every diagnostic of one object. */
const reports = (object: string) =>
  run.diagnostics
    .filter((d) => d.policy?.split('/')[2] === object)
    .map((d) => `${d.code} ${d.path ?? ''} ${d.location?.line}`);

describe('Istio import: protocol fields written by hand', () => {
  it('imports every object but the Service, and drops nothing silently', () => {
    expect(run.ok).toBe(true);
    expect(run.loaded.policies.map((p) => p.ref).sort()).toEqual([
      'TrafficPolicy/istio-io-tcp-traffic-shifting/tcp-echo-tcp-1',
      'TrafficPolicy/istio-io-tcp-traffic-shifting/tcp-echo-tcp-2',
      'TrafficPolicy/prod/ratings-route',
      'TrafficPolicy/shop/cart',
      'TrafficPolicy/shop/payments',
    ]);
    // The Service is listed, with the port whose protocol was read.
    expect(run.skipped.map((s) => s.ref)).toEqual(['Service/shop/cart']);
    expect(run.skipped[0]!.reason).toMatch(/port 50051/);
    const walk = unreportedLeaves(text, name, run);
    expect(walk.leaves.length).toBe(run.fields.imported);
    expect(walk.total).toBe(run.fields.total);
    expect(run.fields.unaccounted).toBe(0);
    // What was imported compiles for Istio.
    const again = compileLoaded(run.loaded, MESHES.find((m) => m.id === 'istio')!);
    expect(again.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  });

  it('a Service port named grpc-*: gRPC matches and retry conditions, no note', () => {
    expect(spec('cart')).toMatchObject({ service: 'cart', port: 50051, protocol: 'grpc' });
    const rules = spec('cart')!.rules as Record<string, unknown>[];
    expect(rules.map((r) => r.matches)).toEqual([
      [{ grpc: { service: 'shop.Cart', method: 'AddItem' } }],
      [{ grpc: { service: 'cart.v1.CartService' }, headers: [{ name: 'x-tenant', exact: 'acme' }] }],
    ]);
    expect(rules[1]!.retries).toEqual({
      attempts: 3,
      retryOn: ['cancelled', 'deadline-exceeded', 'resource-exhausted', 'unavailable'],
    });
    expect(reports('cart')).toEqual(['AM1014  6']);
  });

  it('gRPC call paths without a Service: protocol grpc with an info note at the path', () => {
    expect(spec('payments')).toEqual({
      service: 'payments',
      protocol: 'grpc',
      rules: [
        { matches: [{ grpc: { service: 'payments.v1.Payments', method: 'Refund' } }], timeout: '30s' },
        { timeout: '2s' },
      ],
    });
    expect(reports('payments')).toEqual(['AM4120 spec.http[0].match[0].uri 57']);
  });

  it('tcp routes: weights and ports, the idle timeout, unreachable and IP-matched routes reported', () => {
    expect(spec('tcp-echo-tcp-1')).toEqual({
      service: 'tcp-echo',
      port: 31400,
      protocol: 'tcp',
      versions: { v1: { version: 'v1' }, v2: { version: 'v2' } },
      rules: [
        {
          backends: [
            { version: 'v1', weight: 80 },
            { version: 'v2', weight: 20 },
          ],
          timeout: '30m',
        },
      ],
    });
    expect(spec('tcp-echo-tcp-2')).toEqual({
      service: 'tcp-echo',
      port: 9000,
      protocol: 'tcp',
      rules: [{ backends: [{ service: 'mongo', namespace: 'backup', port: 5555 }], timeout: '30m' }],
    });
    expect(reports('tcp-echo')).toEqual([
      'AM4115 spec.tcp[1] 78',
      'AM4115 spec.tcp[2] 83',
      'AM4115 spec.tcp[2].match[0].destinationSubnets 85',
    ]);
    expect(reports('tcp-echo-destination')).toEqual([]);
  });

  it('redirects (redirectCode 308, derivePort, Istio default 301) and rewrites (uri, authority)', () => {
    const rules = spec('ratings-route')!.rules as Record<string, unknown>[];
    const by = (n: string) => rules.find((r) => r.name === n);
    expect(by('moved')!.redirect).toEqual({
      host: 'newratings.default.svc.cluster.local',
      path: { replaceFullPath: '/v1/bookRatings' },
      statusCode: 301,
    });
    expect(by('permanent')!.redirect).toEqual({ host: 'legacy.example.com', statusCode: 308 });
    expect(by('https')).toEqual({
      name: 'https',
      matches: [{ path: { prefix: '/secure' } }],
      redirect: { scheme: 'https', port: 8443, statusCode: 302 },
    });
    expect(by('bad-code')).toBeUndefined();
    expect(by('ratings')!.rewrite).toEqual({ path: { replacePrefixMatch: '/v1/bookRatings' } });
    expect(by('health')!.rewrite).toEqual({ host: 'ratings.internal', path: { replaceFullPath: '/status' } });
    expect(by('regex')!.rewrite).toBeUndefined();
    expect(reports('ratings-route')).toEqual([
      'AM4116 spec.http[0].redirect 116',
      'AM4115 spec.http[2].timeout 129',
      'AM4115 spec.http[3] 130',
      'AM4115 spec.http[3].redirect.redirectCode 133',
      'AM4115 spec.http[6].rewrite.uriRegexRewrite 155',
    ]);
  });
});

describe('Istio import: the protocol a Service declares', () => {
  const objects = (port: string, path: string) => `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [${port}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
    - match: [{uri: {exact: ${path}}, port: 8080}]
      route: [{destination: {host: api}}]
`;
  const imported = (port: string, path: string) => {
    const r = importText(objects(port, path), istio, 'api.yaml');
    return { r, spec: r.loaded.policies[0]!.policy.spec as Record<string, unknown> };
  };

  it('appProtocol grpc makes a gRPC policy even for an unqualified service name', () => {
    const { spec } = imported('{name: web, appProtocol: grpc, port: 8080}', '/Greeter/SayHello');
    expect(spec.protocol).toBe('grpc');
    expect((spec.rules as { matches: unknown }[])[0]!.matches).toEqual([
      { grpc: { service: 'Greeter', method: 'SayHello' } },
    ]);
  });

  it('a port named http keeps gRPC-looking paths as paths', () => {
    const { r, spec } = imported('{name: http-api, port: 8080}', '/shop.Cart/AddItem');
    expect(spec.protocol).toBeUndefined();
    expect((spec.rules as { matches: unknown }[])[0]!.matches).toEqual([
      { path: { exact: '/shop.Cart/AddItem' } },
    ]);
    expect(r.diagnostics.filter((d) => d.code === 'AM4120')).toEqual([]);
  });

  it('a gRPC port with a path that is no gRPC call: HTTP, reported at the path', () => {
    const { r, spec } = imported('{name: grpc, port: 8080}', '/healthz');
    expect(spec.protocol).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.code} ${d.path}`)).toContain('AM4116 spec.http[0].match[0].uri');
  });

  it('an unqualified gRPC-looking path without a Service stays an HTTP path', () => {
    const r = importText(objects('{name: x, port: 9}', '/v1/items').split('---\n')[1]!, istio, 'api.yaml');
    const spec = r.loaded.policies[0]!.policy.spec as Record<string, unknown>;
    expect(spec.protocol).toBeUndefined();
    expect(r.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
  });
});

describe('Istio import: the TCP idle timeout beside other DestinationRule settings', () => {
  const objects = (http: boolean) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [db]
  tcp:
    - match: [{port: 5432}]
      route: [{destination: {host: db}}]
${http ? '  http:\n    - match: [{port: 8080}]\n      route: [{destination: {host: db}}]\n' : ''}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100, idleTimeout: 1h}
    portLevelSettings:
      - port: {number: 5432}
        connectionPool:
          tcp: {idleTimeout: 5m}
`;
  it('the top-level one is the TCP policy timeout, a port-level one is reported', () => {
    const r = importText(objects(false), istio, 'db.yaml');
    const tcp = r.loaded.policies.find((p) => p.kind === 'TrafficPolicy')!.policy.spec;
    expect(tcp).toEqual({ service: 'db', port: 5432, protocol: 'tcp', rules: [{ timeout: '1h' }] });
    expect(r.diagnostics.filter((d) => d.level !== 'info').map((d) => `${d.code} ${d.path}`)).toEqual([
      'AM4115 spec.trafficPolicy.portLevelSettings[0]',
    ]);
    expect(r.fields.unaccounted).toBe(0);
  });

  it('with HTTP routes for the same service, the idle timeout is reported as also theirs', () => {
    const r = importText(objects(true), istio, 'db.yaml');
    expect(r.diagnostics.map((d) => `${d.code} ${d.path}`)).toContain(
      'AM4116 spec.trafficPolicy.connectionPool.tcp.idleTimeout',
    );
    expect(r.fields.unaccounted).toBe(0);
  });
});

describe('Istio import: a tcp route for several ports', () => {
  it('is one policy per port, callers per port, the destination port kept for each', () => {
    const r = importText(
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [db]
  tcp:
    - match: [{port: 31400}, {port: 31401, sourceNamespace: ops}]
      route: [{destination: {host: db, port: {number: 31400}}}]
`,
      istio,
      'db.yaml',
    );
    expect(r.loaded.policies.map((p) => p.policy.spec)).toEqual([
      {
        service: 'db',
        port: 31400,
        protocol: 'tcp',
        rules: [{ backends: [{ service: 'db', port: 31400 }] }],
      },
      {
        service: 'db',
        port: 31401,
        protocol: 'tcp',
        sources: [{ namespace: 'ops' }],
        rules: [{ backends: [{ service: 'db', port: 31400 }] }],
      },
    ]);
    expect(r.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(r.fields.imported).toBe(r.fields.total);
  });
});

describe('Istio import: malformed protocol fields', () => {
  it('are errors where they are (the CRD types), never a crash or a silent drop', () => {
    const r = importText(MALFORMED, istio, 'bad.yaml');
    expect(r.diagnostics.filter((d) => d.level !== 'info').map((d) => `${d.code} ${d.path}`)).toEqual([
      'AM2050 spec.tcp',
      'AM2050 spec.tcp[0].match',
      'AM2050 spec.tcp[0].route',
      'AM2050 spec.tcp[1].route',
      'AM2050 spec.http[0].redirect',
      'AM2050 spec.http[1].rewrite',
      'AM2050 spec.ports',
    ]);
    expect(r.ok).toBe(false);
    expect(r.policies).toEqual([]);
    expect(r.fields.unaccounted).toBe(0);
  });
});

const MALFORMED = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [db]
  tcp: {oops: 1}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db2, namespace: shop}
spec:
  hosts: [db2]
  tcp:
    - match: {port: 1}
      route: {destination: {host: db2}}
    - route: x
  http:
    - redirect: 7
    - rewrite: "/x"
      route: [{destination: {host: db2}}]
---
apiVersion: v1
kind: Service
metadata: {name: db2, namespace: shop}
spec: {ports: {a: 1}}
`;
