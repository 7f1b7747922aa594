import { describe, expect, it } from 'vitest';
import { pathFields } from '../../../src/adapters/consul/security.js';
import { access, codes, compileFor, findObject, kinds, mtls } from '../../support/kit.js';

describe('Consul intentions', () => {
  it('makes an allow list exclusive with a wildcard deny source, and says service accounts are service names', () => {
    const r = compileFor(
      'consul',
      access(
        '  service: reviews\n  action: allow\n  from: [{serviceAccount: productpage}]',
        'reviews-access',
      ),
    );
    expect(r.ok).toBe(true);
    expect(kinds(r.resources)).toEqual(['ServiceIntentions/bookinfo/reviews']);
    expect(findObject(r.resources, 'ServiceIntentions').spec).toEqual({
      destination: { name: 'reviews' },
      sources: [
        {
          name: 'productpage',
          action: 'allow',
          description: 'anymesh: AccessPolicy/bookinfo/reviews-access',
        },
        {
          name: '*',
          action: 'deny',
          description: 'anymesh: callers not allowed by an allow AccessPolicy are denied',
        },
      ],
    });
    const d = r.diagnostics.find((x) => x.code === 'AM4305')!;
    expect(d.message).toContain('productpage');
    expect(r.diagnostics.find((x) => x.code === 'AM3003')!.feature).toBe('access.from.serviceAccount');
  });

  it('denies listed callers without touching anyone else', () => {
    const r = compileFor(
      'consul',
      access(
        '  service: reviews\n  action: deny\n  from: [{namespace: bookinfo, serviceAccount: batch}]',
        'reviews-access',
      ),
    );
    expect(findObject(r.resources, 'ServiceIntentions').spec.sources).toEqual([
      { name: 'batch', action: 'deny', description: 'anymesh: AccessPolicy/bookinfo/reviews-access' },
    ]);
  });

  it('turns operations into ordered L7 permissions: denies first, allows, then a final deny; and needs protocol http', () => {
    const text = `${access(
      `  service: reviews
  action: allow
  from: [{serviceAccount: web}]
  to: [{methods: [GET]}, {paths: ["/api/*", "/exact"], methods: [POST]}]`,
      'reviews-access',
    )}---
${access(
  `  service: reviews
  action: deny
  from: [{serviceAccount: web}]
  to: [{paths: ["*.php"]}]`,
  'reviews-deny',
)}`;
    const r = compileFor('consul', text);
    expect(r.ok).toBe(true);
    expect(findObject(r.resources, 'ServiceDefaults').spec).toEqual({ protocol: 'http' });
    const [web, wildcard] = findObject(r.resources, 'ServiceIntentions').spec.sources;
    expect(web.permissions).toEqual([
      { action: 'deny', http: { pathRegex: '.*\\.php' } },
      { action: 'allow', http: { methods: ['GET'] } },
      { action: 'allow', http: { pathPrefix: '/api/', methods: ['POST'] } },
      { action: 'allow', http: { pathExact: '/exact', methods: ['POST'] } },
      { action: 'deny', http: { pathPrefix: '/' } },
    ]);
    expect(web.action).toBeUndefined();
    expect(web.description).toBe(
      'anymesh: AccessPolicy/bookinfo/reviews-access, AccessPolicy/bookinfo/reviews-deny',
    );
    expect(wildcard).toMatchObject({ name: '*', action: 'deny' });
    expect(findObject(r.resources, 'ServiceIntentions').metadata.annotations).toEqual({
      'anymesh.dev/source-policies':
        'AccessPolicy/bookinfo/reviews-access,AccessPolicy/bookinfo/reviews-deny',
    });
  });

  it('leaves operations a deny-only policy does not name to the ACL default policy (no trailing permission)', () => {
    const r = compileFor(
      'consul',
      access(
        '  service: reviews\n  action: deny\n  from: [{serviceAccount: web}]\n  to: [{methods: [DELETE]}]',
        'reviews-access',
      ),
    );
    expect(findObject(r.resources, 'ServiceIntentions').spec.sources).toEqual([
      {
        name: 'web',
        permissions: [{ action: 'deny', http: { methods: ['DELETE'] } }],
        description: 'anymesh: AccessPolicy/bookinfo/reviews-access',
      },
    ]);
  });

  it('maps AccessPolicy paths to intention path fields, escaping regex metacharacters', () => {
    expect(pathFields('/x/*')).toEqual({ pathPrefix: '/x/' });
    expect(pathFields('*')).toEqual({ pathPrefix: '/' });
    expect(pathFields('*.tar.gz')).toEqual({ pathRegex: '.*\\.tar\\.gz' });
    expect(pathFields('/a+b')).toEqual({ pathExact: '/a+b' });
  });

  it('refuses a namespace-only caller on Community Edition (the matrix) and writes it as "*" in that namespace on Enterprise', () => {
    const text = access('  service: reviews\n  action: allow\n  from: [{namespace: web}]', 'reviews-access');
    const ce = compileFor('consul', text);
    expect(ce.ok).toBe(false);
    const d = ce.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.feature).toBe('access.from.namespace');
    expect(d.path).toBe('spec.from[0].namespace');
    expect(d.location?.line).toBe(7);
    const ent = compileFor('consul', text, { options: { 'consul.enterprise': 'true' } });
    expect(ent.ok).toBe(true);
    expect(findObject(ent.resources, 'ServiceIntentions').spec).toMatchObject({
      destination: { name: 'reviews', namespace: 'bookinfo' },
      sources: [
        { name: '*', namespace: 'web', action: 'allow' },
        { name: '*', namespace: '*', action: 'deny' },
      ],
    });
  });

  it('Enterprise: a deny of a whole namespace also holds for its accounts another policy allows (an exact source outranks the wildcard)', () => {
    const text = [
      access(
        '  service: reviews\n  action: deny\n  from: [{namespace: web}]\n  to: [{methods: [DELETE]}]',
        'no-web-deletes',
      ),
      access(
        '  service: reviews\n  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]',
        'frontend',
      ),
      access('  service: reviews\n  action: deny\n  from: [{namespace: ops}]', 'no-ops'),
      access(
        '  service: reviews\n  action: allow\n  from: [{namespace: ops, serviceAccount: admin}]',
        'admin',
      ),
    ].join('---\n');
    const ent = compileFor('consul', text, { options: { 'consul.enterprise': 'true' } });
    expect(ent.ok).toBe(true);
    const sources = findObject(ent.resources, 'ServiceIntentions').spec.sources as Record<string, unknown>[];
    const of = (name: string, namespace: string) =>
      sources.find((x) => x.name === name && x.namespace === namespace);
    // frontend may call, but not DELETE, which no caller of web may; admin, of ops, may not call at all.
    expect(of('frontend', 'web')).toMatchObject({
      permissions: [
        { action: 'deny', http: { methods: ['DELETE'] } },
        { action: 'allow', http: { pathPrefix: '/' } },
      ],
      // The carried deny is the namespace source's: that one names its policy.
      description: 'anymesh: AccessPolicy/bookinfo/frontend',
    });
    expect(of('admin', 'ops')).toMatchObject({ action: 'deny' });
    expect(of('*', 'ops')).toMatchObject({ action: 'deny' });
  });

  it('refuses ports (AM3001) with the position of the field', () => {
    const r = compileFor(
      'consul',
      access(
        '  service: reviews\n  action: allow\n  from: [{serviceAccount: web}]\n  to: [{ports: [9080]}]',
        'reviews-access',
      ),
    );
    const d = r.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.feature).toBe('access.to.ports');
    expect(d.location?.line).toBe(8);
    expect(r.resources).toEqual([]);
  });
});

describe('Consul mTLS', () => {
  it('sets a service permissive with ServiceDefaults and the Mesh switch, and explains it (AM4307)', () => {
    const r = compileFor('consul', mtls('  mode: permissive\n  service: legacy', 'mtls'));
    expect(r.ok).toBe(true);
    expect(kinds(r.resources)).toEqual(['Mesh/consul/mesh', 'ServiceDefaults/bookinfo/legacy']);
    expect(findObject(r.resources, 'Mesh').spec).toEqual({ allowEnablingPermissiveMutualTLS: true });
    expect(findObject(r.resources, 'ServiceDefaults').spec).toEqual({ mutualTLSMode: 'permissive' });
    expect(codes(r.diagnostics)).toEqual(expect.arrayContaining(['AM3003', 'AM4307']));
  });

  it('sets the whole mesh through ProxyDefaults global in consul.globalNamespace', () => {
    const r = compileFor('consul', mtls('  mode: strict\n  scope: mesh', 'mtls'), {
      options: { 'consul.globalNamespace': 'hashicorp' },
    });
    expect(kinds(r.resources)).toEqual(['ProxyDefaults/hashicorp/global']);
    expect(findObject(r.resources, 'ProxyDefaults').spec).toEqual({ mutualTLSMode: 'strict' });
  });

  it('merges protocol and mTLS mode into one ServiceDefaults per service, fields in CRD order', () => {
    const text = `${mtls('  mode: strict\n  service: reviews', 'mtls')}---
apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: reviews, namespace: bookinfo}
spec:
  service: reviews
  rules: [{timeout: 1s}]
`;
    const r = compileFor('consul', text);
    const sd = r.resources.filter((o) => o.kind === 'ServiceDefaults');
    expect(sd.length).toBe(1);
    expect(Object.keys(sd[0]!.spec as object)).toEqual(['protocol', 'mutualTLSMode']);
    expect(sd[0]!.metadata.annotations!['anymesh.dev/source-policies']).toBe(
      'MTLSPolicy/bookinfo/mtls,TrafficPolicy/bookinfo/reviews',
    );
  });

  it('refuses a namespace-wide mode (AM3001)', () => {
    const r = compileFor('consul', mtls('  mode: strict', 'mtls'));
    expect(r.diagnostics.find((x) => x.code === 'AM3001')!.feature).toBe('mtls.scope.namespace');
  });

  it('reports two modes for one service as a conflict', () => {
    const text = `${mtls('  mode: strict\n  service: reviews', 'a')}---\n${mtls('  mode: strict\n  service: reviews', 'b')}`;
    const r = compileFor('consul', text);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.find((x) => x.code === 'AM3014')!.policy).toBe('MTLSPolicy/bookinfo/b');
  });
});
