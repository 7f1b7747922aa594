import { describe, expect, it } from 'vitest';
import type { CompileResult } from '../../../src/core/compiler/compile.js';
import { APPMESH_SDS, codes, compileFor, findObject, policy, traffic } from '../../support/kit.js';

const PAYMENTS = traffic(
  '  service: payments\n  port: 8443\n  selector: {app: payments}\n  rules:\n    - timeout: 2s',
  'payments',
  'shop',
);
const CHECKOUT = traffic(
  '  service: checkout\n  port: 8080\n  selector: {app: checkout}\n  rules:\n    - timeout: 2s',
  'checkout',
  'shop',
);
const STRICT_PAYMENTS = policy('MTLSPolicy', '  mode: strict\n  service: payments', {
  name: 'payments-strict',
  namespace: 'shop',
});

const listenerTls = (r: CompileResult, node: string) =>
  findObject(r.resources, 'VirtualNode', node).spec.listeners[0].tls;

describe('App Mesh mTLS', () => {
  it('sets STRICT listener TLS with SDS certificate and trust bundle', () => {
    const r = compileFor('appmesh', [PAYMENTS, STRICT_PAYMENTS].join('---\n'), {
      context: { trustDomain: 'prod.example' },
      options: APPMESH_SDS,
    });
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments')).toEqual({
      mode: 'STRICT',
      certificate: { sds: { secretName: 'spiffe://prod.example/ns/shop/sa/payments' } },
      validation: { trust: { sds: { secretName: 'spiffe://prod.example' } } },
    });
    expect(findObject(r.resources, 'VirtualNode', 'payments').metadata.annotations).toEqual({
      'anymesh.dev/source-policies': 'MTLSPolicy/shop/payments-strict,TrafficPolicy/shop/payments',
    });
    expect(codes(r.diagnostics)).toContain('AM4419');
  });

  it('uses file certificates with per-service placeholders', () => {
    const r = compileFor('appmesh', [PAYMENTS, STRICT_PAYMENTS].join('---\n'), {
      options: {
        'appmesh.tls.certificate': 'file',
        'appmesh.tls.certificateChain': '/certs/{service}/chain.pem',
        'appmesh.tls.privateKey': '/certs/{service}/key.pem',
        'appmesh.tls.trustChain': '/certs/ca.pem',
      },
    });
    expect(listenerTls(r, 'payments')).toEqual({
      mode: 'STRICT',
      certificate: {
        file: { certificateChain: '/certs/payments/chain.pem', privateKey: '/certs/payments/key.pem' },
      },
      validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } },
    });
  });

  it('uses ACM on the server, warns that TLS is then one-way, and gives clients ACM PCA trust', () => {
    const r = compileFor('appmesh', [PAYMENTS, CHECKOUT, STRICT_PAYMENTS].join('---\n'), {
      options: {
        'appmesh.tls.certificate': 'acm',
        'appmesh.tls.acmCertificateArn': 'arn:aws:acm:eu-west-1:111122223333:certificate/{service}',
        'appmesh.tls.acmCertificateAuthorityArns':
          'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/ca1',
        'appmesh.backends.shop.checkout': 'payments',
      },
    });
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments')).toEqual({
      mode: 'STRICT',
      certificate: { acm: { certificateARN: 'arn:aws:acm:eu-west-1:111122223333:certificate/payments' } },
    });
    expect(codes(r.diagnostics)).toContain('AM4416');
    expect(findObject(r.resources, 'VirtualNode', 'checkout').spec.backends).toEqual([
      {
        virtualService: {
          virtualServiceRef: { name: 'payments' },
          clientPolicy: {
            tls: {
              enforce: true,
              validation: {
                trust: {
                  acm: {
                    certificateAuthorityARNs: [
                      'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/ca1',
                    ],
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('refuses TLS without a certificate source, naming the options', () => {
    const r = compileFor('appmesh', [PAYMENTS, STRICT_PAYMENTS].join('---\n'));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4414')!;
    expect(d.message).toMatch(/appmesh\.tls\.certificate=file/);
    expect(d.message).toMatch(/appmesh\.tls\.sdsSecretName/);
    expect(d.path).toBe('spec.mode');
  });

  it('names what is missing for a chosen source', () => {
    const r = compileFor('appmesh', [PAYMENTS, STRICT_PAYMENTS].join('---\n'), {
      options: {
        'appmesh.tls.certificate': 'file',
        'appmesh.tls.privateKey': '/k',
      },
    });
    expect(r.diagnostics.find((x) => x.code === 'AM4414')?.message).toMatch(
      /appmesh\.tls\.certificateChain, appmesh\.tls\.trustChain/,
    );
  });

  it('takes the certificate source from the policy annotations, over the command line', () => {
    const annotated = policy('MTLSPolicy', '  mode: permissive\n  service: payments', {
      name: 'payments-strict',
      namespace: 'shop',
      annotations: {
        'appmesh.tls.certificate': 'sds',
        'appmesh.tls.sdsSecretName': 'spiffe://corp/payments',
      },
    });
    const r = compileFor('appmesh', [PAYMENTS, annotated].join('---\n'), {
      options: { 'appmesh.tls.certificate': 'acm' },
    });
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments')).toMatchObject({
      mode: 'PERMISSIVE',
      certificate: { sds: { secretName: 'spiffe://corp/payments' } },
    });
  });

  it('applies the most specific policy: service over namespace over mesh', () => {
    const r = compileFor(
      'appmesh',
      [
        PAYMENTS,
        CHECKOUT,
        traffic('  service: search\n  port: 80\n  rules:\n    - timeout: 1s', 'search', 'web'),
        policy('MTLSPolicy', '  mode: strict\n  scope: mesh', { name: 'mesh', namespace: 'x' }),
        policy('MTLSPolicy', '  mode: permissive', { name: 'shop', namespace: 'shop' }),
        STRICT_PAYMENTS,
      ].join('---\n'),
      { options: APPMESH_SDS },
    );
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments').mode).toBe('STRICT');
    expect(listenerTls(r, 'checkout').mode).toBe('PERMISSIVE');
    expect(listenerTls(r, 'search').mode).toBe('STRICT');
    expect(r.diagnostics.find((d) => d.feature === 'mtls.scope.namespace')?.code).toBe('AM3004');
  });

  it('refuses a policy that covers no generated VirtualNode', () => {
    const r = compileFor(
      'appmesh',
      policy('MTLSPolicy', '  mode: strict', { name: 's', namespace: 'shop' }),
      { options: APPMESH_SDS },
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4415');
  });

  it('refuses two policies for the same scope', () => {
    const r = compileFor(
      'appmesh',
      [
        PAYMENTS,
        policy('MTLSPolicy', '  mode: strict', { name: 'a', namespace: 'shop' }),
        policy('MTLSPolicy', '  mode: strict', { name: 'b', namespace: 'shop' }),
      ].join('---\n'),
      { options: APPMESH_SDS },
    );
    expect(codes(r.diagnostics)).toContain('AM3014');
  });

  it('sets client TLS on generated callers that list the service as a backend', () => {
    const r = compileFor('appmesh', [PAYMENTS, CHECKOUT, STRICT_PAYMENTS].join('---\n'), {
      options: {
        ...APPMESH_SDS,
        'appmesh.backends.shop.checkout': 'payments,ledger.finance',
      },
    });
    expect(r.ok).toBe(true);
    expect(findObject(r.resources, 'VirtualNode', 'checkout').spec.backends).toEqual([
      {
        virtualService: {
          virtualServiceRef: { name: 'payments' },
          clientPolicy: {
            tls: {
              enforce: true,
              certificate: { sds: { secretName: 'spiffe://prod.example/ns/shop/sa/checkout' } },
              validation: {
                trust: { sds: { secretName: 'spiffe://cluster.local' } },
                // SPIRE certificates carry SPIFFE IDs, not DNS names: the client checks those.
                subjectAlternativeNames: { match: { exact: ['spiffe://prod.example/ns/shop/sa/payments'] } },
              },
            },
          },
        },
      },
      { virtualService: { virtualServiceRef: { name: 'ledger', namespace: 'finance' } } },
    ]);
  });
});

describe('App Mesh access control', () => {
  const ALLOW = policy(
    'AccessPolicy',
    '  service: payments\n  action: allow\n  from: [{namespace: shop, serviceAccount: checkout}, {serviceAccount: refunds}]',
    { name: 'payments-callers', namespace: 'shop' },
  );

  it('allow-lists callers by SPIFFE ID on a STRICT listener', () => {
    const r = compileFor('appmesh', [PAYMENTS, ALLOW].join('---\n'), {
      context: { trustDomain: 'prod.example' },
      options: APPMESH_SDS,
    });
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments')).toEqual({
      mode: 'STRICT',
      certificate: { sds: { secretName: 'spiffe://prod.example/ns/shop/sa/payments' } },
      validation: {
        trust: { sds: { secretName: 'spiffe://prod.example' } },
        subjectAlternativeNames: {
          match: {
            exact: ['spiffe://prod.example/ns/shop/sa/checkout', 'spiffe://prod.example/ns/shop/sa/refunds'],
          },
        },
      },
    });
    const warned = r.diagnostics.filter((d) => d.code === 'AM3004').map((d) => d.feature);
    expect(warned).toEqual(expect.arrayContaining(['access.allow', 'access.from.serviceAccount']));
  });

  it('adds the allow-list to a listener a strict MTLSPolicy set, and unions several allow policies', () => {
    const more = policy(
      'AccessPolicy',
      '  service: payments\n  action: allow\n  from: [{namespace: ops, serviceAccount: auditor}]',
      { name: 'ops', namespace: 'shop' },
    );
    const r = compileFor('appmesh', [PAYMENTS, STRICT_PAYMENTS, ALLOW, more].join('---\n'), {
      options: {
        ...APPMESH_SDS,
        'appmesh.spiffeId': 'spiffe://{trustDomain}/{namespace}/{serviceAccount}',
      },
    });
    expect(r.ok).toBe(true);
    expect(listenerTls(r, 'payments').validation.subjectAlternativeNames.match.exact).toEqual([
      'spiffe://cluster.local/ops/auditor',
      'spiffe://cluster.local/shop/checkout',
      'spiffe://cluster.local/shop/refunds',
    ]);
  });

  it('refuses a namespace without a service account (exact names only), through the matrix', () => {
    const r = compileFor(
      'appmesh',
      [
        PAYMENTS,
        policy('AccessPolicy', '  service: payments\n  action: allow\n  from: [{namespace: web}]', {
          name: 'a',
          namespace: 'shop',
        }),
      ].join('---\n'),
      { options: APPMESH_SDS },
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM3001');
    expect(d?.feature).toBe('access.from.namespace');
    expect(d?.path).toBe('spec.from[0].namespace');
  });

  it('refuses an allow-list under a permissive MTLSPolicy, which plaintext would bypass', () => {
    const r = compileFor(
      'appmesh',
      [
        PAYMENTS,
        policy('MTLSPolicy', '  mode: permissive\n  service: payments', { name: 'p', namespace: 'shop' }),
        ALLOW,
      ].join('---\n'),
      { options: APPMESH_SDS },
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4418');
  });

  it('refuses an allow-list with ACM certificates (no client certificates to check)', () => {
    const r = compileFor('appmesh', [PAYMENTS, ALLOW].join('---\n'), {
      options: {
        'appmesh.tls.certificate': 'acm',
        'appmesh.tls.acmCertificateArn': 'arn:a',
        'appmesh.tls.acmCertificateAuthorityArns': 'arn:b',
      },
    });
    expect(codes(r.diagnostics)).toContain('AM4418');
  });

  it('refuses an allow-list for a service without a generated VirtualNode, and one without certificates', () => {
    expect(codes(compileFor('appmesh', ALLOW, { options: APPMESH_SDS }).diagnostics)).toContain('AM4415');
    expect(codes(compileFor('appmesh', [PAYMENTS, ALLOW].join('---\n')).diagnostics)).toContain('AM4414');
  });
  it('accepts to-ports that name the listener port, and refuses others', () => {
    const withPorts = (ports: string) =>
      policy(
        'AccessPolicy',
        `  service: payments\n  action: allow\n  from: [{serviceAccount: checkout}]\n  to: [{ports: [${ports}]}]`,
        { name: 'a', namespace: 'shop' },
      );
    const ok = compileFor('appmesh', [PAYMENTS, withPorts('8443, 9000')].join('---\n'), {
      options: APPMESH_SDS,
    });
    expect(ok.ok).toBe(true);
    expect(listenerTls(ok, 'payments').validation.subjectAlternativeNames.match.exact).toEqual([
      'spiffe://cluster.local/ns/shop/sa/checkout',
    ]);
    expect(ok.diagnostics.find((d) => d.feature === 'access.to.ports')?.code).toBe('AM3003');
    const bad = compileFor('appmesh', [PAYMENTS, withPorts('9000')].join('---\n'), { options: APPMESH_SDS });
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.find((d) => d.code === 'AM4425')?.path).toBe('spec.to');
  });
});
