import { describe, expect, it } from 'vitest';
import { CrdCatalog } from '../../support/crd-schema.js';
import { codes, compileText } from '../../support/compile.js';

const catalog = new CrdCatalog();
const doc = (kind: string, name: string, ns: string, spec: string) =>
  `apiVersion: anymesh.dev/v1alpha1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}\n`;

function istio(text: string, options = {}) {
  const r = compileText(text, 'istio', options);
  for (const res of r.resources) expect(catalog.validate(res)).toEqual([]);
  return r;
}

describe('Istio mTLS', () => {
  it('maps scopes to PeerAuthentication placement and selectors', () => {
    const r = istio(
      [
        doc('MTLSPolicy', 'm', 'anywhere', '  mode: strict\n  scope: mesh'),
        doc('MTLSPolicy', 'n', 'shop', '  mode: permissive'),
        doc('MTLSPolicy', 's', 'shop', '  mode: strict\n  service: pay\n  selector: {app: payments}'),
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
    const r = istio(doc('MTLSPolicy', 'm', 'x', '  mode: strict\n  scope: mesh'), {
      context: { options: { 'istio.rootNamespace': 'mesh-root' } },
    });
    expect(r.resources[0]!.metadata.namespace).toBe('mesh-root');
  });
  it('says when it assumed the app label', () => {
    const r = istio(doc('MTLSPolicy', 's', 'shop', '  mode: strict\n  service: pay'));
    expect(codes(r.diagnostics)).toContain('AM3005');
    expect(r.resources[0]!.spec).toMatchObject({ selector: { matchLabels: { app: 'pay' } } });
  });
  it('refuses two policies for the same scope', () => {
    const r = istio(
      [
        doc('MTLSPolicy', 'a', 'shop', '  mode: strict'),
        doc('MTLSPolicy', 'b', 'shop', '  mode: permissive'),
      ].join('---\n'),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM3006');
  });
});

describe('Istio access control', () => {
  it('maps identities to principals and namespaces, and operations with string ports', () => {
    const r = istio(
      doc(
        'AccessPolicy',
        'readers',
        'bookinfo',
        `  service: reviews
  action: allow
  from: [{namespace: bookinfo, serviceAccount: productpage}, {serviceAccount: local}, {namespace: monitoring}]
  to: [{methods: [GET, HEAD], paths: ["/reviews/*"], ports: [9080]}]`,
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
    const r = istio(
      doc(
        'AccessPolicy',
        'no',
        'shop',
        '  service: pay\n  selector: {app: pay}\n  action: deny\n  from: [{namespace: sandbox}]',
      ),
    );
    expect(r.resources[0]!.spec).toMatchObject({ action: 'DENY' });
  });
});
