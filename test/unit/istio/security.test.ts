import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { checkPortability } from '../../../src/core/portability/index.js';
import { codes, compileFor, load, policy } from '../../support/kit.js';

const doc = (kind: string, name: string, ns: string, spec: string) =>
  `apiVersion: anymesh.dev/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

/** Compiles for Istio through the kit (which checks every object against its CRD). */
const istio = (text: string, options = {}) => compileFor('istio', text, options);

describe('Istio mTLS', () => {
  it('maps scopes to PeerAuthentication placement and selectors', () => {
    const r = compileFor(
      'istio',
      [
        policy('MTLSPolicy', '  mode: strict\n  scope: mesh', { name: 'm', namespace: 'anywhere' }),
        policy('MTLSPolicy', '  mode: permissive', { name: 'n', namespace: 'shop' }),
        policy('MTLSPolicy', '  mode: strict\n  service: pay\n  selector: {app: payments}', {
          name: 's',
          namespace: 'shop',
        }),
      ].join('---\n'),
    );
    const pas = r.resources.map((x) => [x.metadata.namespace, x.metadata.name, x.spec]);
    expect(pas).toEqual([
      ['istio-system', 'default', { mtls: { mode: 'STRICT' } }],
      ['shop', 'n', { mtls: { mode: 'PERMISSIVE' } }],
      ['shop', 's', { selector: { matchLabels: { app: 'payments' } }, mtls: { mode: 'STRICT' } }],
    ]);
  });
  it('puts mesh-wide policy in a configured root namespace', () => {
    const r = compileFor(
      'istio',
      policy('MTLSPolicy', '  mode: strict\n  scope: mesh', { name: 'm', namespace: 'x' }),
      {
        context: { options: { 'istio.rootNamespace': 'mesh-root' } },
      },
    );
    expect(r.resources[0]!.metadata.namespace).toBe('mesh-root');
  });
  it('says when it assumed the app label', () => {
    const r = compileFor(
      'istio',
      policy('MTLSPolicy', '  mode: strict\n  service: pay', { name: 's', namespace: 'shop' }),
    );
    expect(codes(r.diagnostics)).toContain('AM3005');
    expect(r.resources[0]!.spec).toMatchObject({ selector: { matchLabels: { app: 'pay' } } });
  });
  it('refuses two policies for the same scope', () => {
    const r = compileFor(
      'istio',
      [
        policy('MTLSPolicy', '  mode: strict', { name: 'a', namespace: 'shop' }),
        policy('MTLSPolicy', '  mode: strict', { name: 'b', namespace: 'shop' }),
      ].join('---\n'),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM3014');
  });
});

describe('Istio access control', () => {
  it('maps identities to principals and namespaces, and operations with string ports', () => {
    const r = compileFor(
      'istio',
      policy(
        'AccessPolicy',
        `  service: reviews
  action: allow
  from: [{namespace: bookinfo, serviceAccount: productpage}, {serviceAccount: local}, {namespace: monitoring}]
  to: [{methods: [GET, HEAD], paths: ["/reviews/*"], ports: [9080]}]`,
        { name: 'readers', namespace: 'bookinfo' },
      ),
      { context: { trustDomain: 'prod.example' } },
    );
    expect(r.resources[0]!.spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      action: 'ALLOW',
      rules: [
        {
          from: [
            { source: { principals: ['prod.example/ns/bookinfo/sa/productpage'] } },
            { source: { principals: ['prod.example/ns/bookinfo/sa/local'] } },
            { source: { namespaces: ['monitoring'] } },
          ],
          to: [{ operation: { methods: ['GET', 'HEAD'], paths: ['/reviews/*'], ports: ['9080'] } }],
        },
      ],
    });
  });
  it('supports deny', () => {
    const r = compileFor(
      'istio',
      policy(
        'AccessPolicy',
        '  service: pay\n  selector: {app: pay}\n  action: deny\n  from: [{namespace: sandbox}]',
        { name: 'no', namespace: 'shop' },
      ),
    );
    expect(r.resources[0]!.spec).toMatchObject({ action: 'DENY' });
  });
});

describe('Istio DENY rules with only HTTP attributes (IST0133)', () => {
  const deny = (to: string) =>
    doc(
      'AccessPolicy',
      'block',
      'shop',
      `  service: payments\n  selector: {app: payments}\n  action: deny\n  from: [{namespace: sandbox}]\n  to: ${to}`,
    );
  const routing = (port: number, name = 'payments-routing') =>
    doc('TrafficPolicy', name, 'shop', `  service: payments\n  port: ${port}\n  rules: [{timeout: 1s}]`);
  const operations = (r: ReturnType<typeof istio>) =>
    (r.resources.find((x) => x.kind === 'AuthorizationPolicy')!.spec as { rules: { to: unknown[] }[] })
      .rules[0]!.to;

  it('warns that Istio would refuse every TCP connection when no port of the service is known', () => {
    const r = istio(deny('[{methods: [POST], paths: ["/admin/*"]}]'));
    expect(r.ok).toBe(true);
    expect(codes(r.diagnostics)).toEqual(['AM4113']);
    const d = r.diagnostics[0]!;
    expect([d.level, d.path, d.location?.line]).toEqual(['warning', 'spec.to[0]', 9]);
    expect(operations(r)).toEqual([{ operation: { methods: ['POST'], paths: ['/admin/*'] } }]);
  });
  it('limits the operation to the ports the service’s TrafficPolicies name', () => {
    const r = istio(
      [deny('[{methods: [POST]}, {ports: [9000]}]'), routing(8443), routing(8080, 'other')].join('---\n'),
    );
    expect(codes(r.diagnostics)).toEqual(['AM4114']);
    expect(operations(r)).toEqual([
      { operation: { methods: ['POST'], ports: ['8080', '8443'] } },
      { operation: { ports: ['9000'] } },
    ]);
  });
  it('leaves operations with ports, deny without operations, and allow rules alone', () => {
    const none = istio(deny('[{paths: ["/x"], ports: [8080]}]'));
    expect(codes(none.diagnostics)).toEqual([]);
    const l4 = istio(
      doc(
        'AccessPolicy',
        'l4',
        'shop',
        '  service: p\n  selector: {app: p}\n  action: deny\n  from: [{namespace: sandbox}]',
      ),
    );
    expect(codes(l4.diagnostics)).toEqual([]);
    const allow = istio(
      doc(
        'AccessPolicy',
        'a',
        'shop',
        '  service: p\n  selector: {app: p}\n  action: allow\n  from: [{namespace: web}]\n  to: [{methods: [GET]}]',
      ),
    );
    expect(codes(allow.diagnostics)).toEqual([]);
  });
  it('makes `check` call the policy lossy on Istio when it warns', () => {
    const loaded = load(deny('[{methods: [DELETE]}]'));
    const report = checkPortability(loaded.policies, [ADAPTERS.istio!]);
    const result = report.policies[0]!.results.istio!;
    expect(result.status).toBe('lossy');
    expect(result.losses.map((l) => [l.code, l.kind, l.path])).toEqual([['AM4113', 'adapter', 'spec.to[0]']]);
  });
});
