import { describe, expect, it } from 'vitest';
import { appmeshAdapter } from '../../../src/adapters/appmesh/index.js';
import { APPMESH_OPTIONS } from '../../../src/adapters/appmesh/options.js';
import { FEATURE_IDS } from '../../../src/core/features/index.js';
import { FEATURE_FIXTURES } from '../../support/feature-fixtures.js';
import { codes, compileFor, findObject, traffic } from '../../support/kit.js';

const column = appmeshAdapter.capabilities;
const refused = FEATURE_IDS.filter((f) => column[f].support === 'none');

describe('App Mesh capability column', () => {
  it('marks the mesh as past its end of support, with migration advice', () => {
    expect(appmeshAdapter.endOfSupport.date).toBe('2026-09-30');
    expect(appmeshAdapter.endOfSupport.advice).toMatch(/VPC Lattice/);
    expect(appmeshAdapter.endOfSupport.advice).toMatch(/ECS Service Connect/);
    expect(appmeshAdapter.versions).toEqual({ minimum: '1.13.3', tested: '1.13.3' });
  });

  it('explains every cell: differs for partial and emulated, a workaround for none', () => {
    for (const f of FEATURE_IDS) {
      const c = column[f];
      if (c.support === 'partial' || c.support === 'emulated') expect(c.differs, f).toMatch(/\w{4}/);
      if (c.support === 'none') expect(c.workaround, f).toMatch(/\w{4}/);
      else expect(c.minVersion, f).toBe('1.13.3');
    }
  });

  it('refuses what App Mesh cannot express', () => {
    expect(refused).toEqual(
      expect.arrayContaining([
        'routing.sources.namespace',
        'retries.backoff',
        'fault.delay',
        'mirror',
        'headers.request.set',
        'cors',
        'access.deny',
        'access.to.methods',
        'access.to.paths',
        'match.queryParams.regex',
        'match.queryParams.present',
      ]),
    );
  });

  it.each(refused)('refuses %s with AM3001 at the position of the feature', (feature) => {
    const r = compileFor('appmesh', FEATURE_FIXTURES[feature]);
    expect(r.ok).toBe(false);
    expect(r.resources).toEqual([]);
    const d = r.diagnostics.find((x) => x.code === 'AM3001' && x.feature === feature);
    expect(d, feature).toBeDefined();
    expect(d!.location!.line).toBeGreaterThan(0);
    expect(d!.message).toMatch(/Instead: /);
  });

  // That each non-none cell really compiles is proven for every mesh by test/registry.test.ts,
  // with the certificate options App Mesh needs (FIXTURE_OPTIONS).

  it('points at the exact field of a refused feature', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 8080\n  rules:\n    - name: r\n      requestHeaders: {set: {x-env: prod}}',
        'p',
        'shop',
      ),
    );
    const d = r.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.path).toBe('spec.rules[0].requestHeaders.set');
    expect(d.location).toMatchObject({ file: 'test.yaml', line: 9, col: 29 });
  });

  it('leaves refused features out with --allow-degraded, and still compiles the rest', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 8080\n  rules:\n    - name: r\n      timeout: 2s\n      fault: {delay: {duration: 1s, percentage: 5}}',
        'p',
        'shop',
      ),
      { allowDegraded: true },
    );
    expect(r.ok).toBe(true);
    expect(codes(r.diagnostics)).toContain('AM3002');
    expect(findObject(r.resources, 'VirtualRouter', 'cart').spec.routes[0].httpRoute.timeout).toEqual({
      perRequest: { value: 2, unit: 's' },
    });
  });

  it('retries gRPC statuses on a gRPC policy (grpcRetryEvents) and refuses them on http', () => {
    const spec = (protocol: string) =>
      traffic(
        `  service: cart\n  port: 8080\n  protocol: ${protocol}\n  rules:\n    - name: r\n      retries: {attempts: 2, perTryTimeout: 1s, retryOn: [unavailable, 5xx, internal]}`,
        'p',
        'shop',
      );
    const grpc = compileFor('appmesh', spec('grpc'));
    expect(grpc.ok).toBe(true);
    expect(findObject(grpc.resources, 'VirtualRouter', 'cart').spec.routes[0].grpcRoute.retryPolicy).toEqual({
      maxRetries: 2,
      perRetryTimeout: { value: 1, unit: 's' },
      httpRetryEvents: ['server-error'],
      grpcRetryEvents: ['internal', 'unavailable'],
    });
    const http = compileFor('appmesh', spec('http'));
    expect(http.ok).toBe(false);
    const refusals = http.diagnostics.filter((d) => d.code === 'AM3001');
    expect(refusals.map((d) => [d.feature, d.path])).toEqual([
      ['retries.on.grpc', 'spec.rules[0].retries.retryOn[0]'],
      ['retries.on.grpc', 'spec.rules[0].retries.retryOn[2]'],
    ]);
    expect(refusals[0]!.message).toContain('give the policy protocol: grpc');
  });

  it('documents every fixed option it reads', () => {
    for (const key of [
      'appmesh.mesh',
      'appmesh.emitMesh',
      'appmesh.egressFilter',
      'appmesh.tls.certificate',
      'appmesh.tls.sdsSecretName',
      'appmesh.tls.acmCertificateArn',
      'appmesh.tls.certificateChain',
      'appmesh.tls.privateKey',
    ])
      expect(
        APPMESH_OPTIONS.find((o) => o.key === key),
        key,
      ).toBeDefined();
    expect(appmeshAdapter.options).toBe(APPMESH_OPTIONS);
  });

  it('keeps its diagnostic codes in AM4400-AM4499, unique', () => {
    const all = Object.values(appmeshAdapter.messages).map((m) => m.code);
    for (const c of all) expect(c).toMatch(/^AM44\d\d$/);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('App Mesh options', () => {
  const CART = traffic(
    '  service: cart\n  port: 8080\n  versions: {v1: {v: "1"}}\n  rules:\n    - backends: [{version: v1}]',
    'p',
    'shop',
  );

  it('names the mesh, its namespace label and egress filter', () => {
    const r = compileFor('appmesh', CART, {
      options: {
        'appmesh.mesh': 'prod',
        'appmesh.namespaceLabel': 'appmesh.k8s.aws/mesh',
        'appmesh.egressFilter': 'ALLOW_ALL',
      },
    });
    expect(findObject(r.resources, 'Mesh', 'prod').spec).toEqual({
      namespaceSelector: { matchLabels: { 'appmesh.k8s.aws/mesh': 'prod' } },
      egressFilter: { type: 'ALLOW_ALL' },
    });
  });

  it('leaves an existing Mesh alone when asked', () => {
    const r = compileFor('appmesh', CART, { options: { 'appmesh.emitMesh': 'false' } });
    expect(r.resources.some((o) => o.kind === 'Mesh')).toBe(false);
  });

  it('uses a custom version hostname and then emits no Service for it', () => {
    const r = compileFor('appmesh', CART, {
      options: { 'appmesh.versionHostname': 'cart-{version}.shop.example.internal' },
    });
    expect(findObject(r.resources, 'VirtualNode', 'cart-v1').spec.serviceDiscovery).toEqual({
      dns: { hostname: 'cart-v1.shop.example.internal' },
    });
    expect(r.resources.some((o) => o.kind === 'Service')).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4420');
  });

  it('emits no version Services when told the user provides them', () => {
    const r = compileFor('appmesh', CART, { options: { 'appmesh.versionServices': 'false' } });
    expect(r.resources.some((o) => o.kind === 'Service')).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4420');
  });

  it('refuses a version Service name longer than 63 characters', () => {
    const long = 'v'.repeat(60);
    const r = compileFor(
      'appmesh',
      traffic(
        `  service: cart\n  port: 8080\n  versions: {${long}: {v: "1"}}\n  rules:\n    - backends: [{version: ${long}}]`,
        'p',
        'shop',
      ),
    );
    expect(codes(r.diagnostics)).toContain('AM4423');
  });

  it('lists declared backends on the VirtualNodes, and says when there are none', () => {
    const r = compileFor('appmesh', CART, {
      options: { 'appmesh.backends.shop.cart': 'pricing, ledger.finance' },
    });
    expect(findObject(r.resources, 'VirtualNode', 'cart-v1').spec.backends).toEqual([
      { virtualService: { virtualServiceRef: { name: 'pricing' } } },
      { virtualService: { virtualServiceRef: { name: 'ledger', namespace: 'finance' } } },
    ]);
    expect(codes(r.diagnostics)).not.toContain('AM4412');
    expect(codes(compileFor('appmesh', CART).diagnostics)).toContain('AM4412');
  });

  it('refuses unknown and malformed options', () => {
    const r = compileFor('appmesh', CART, {
      options: {
        'appmesh.meshh': 'x',
        'appmesh.egressFilter': 'SOME',
        'appmesh.backends.shop': 'x',
        'appmesh.tls.certificate': 'vault',
        'istio.rootNamespace': 'ignored-here',
      },
    });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'AM4413')).toHaveLength(4);
  });
});
