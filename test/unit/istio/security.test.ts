import { describe, expect, it } from 'vitest';
import { codes, compileFor, policy } from '../../support/kit.js';

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
