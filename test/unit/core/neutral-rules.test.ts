/**
 * Rules that hold the same on every mesh, enforced once by the compiler rather than by each
 * adapter: one mTLS mode per scope (Linkerd had no such check before it moved here), and never two
 * outputs of one name.
 */
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../../src/adapters/index.js';
import { SOURCE_ANNOTATION } from '../../../src/core/adapter.js';
import { duplicateNames } from '../../../src/core/compiler/neutral-rules.js';
import { codes, compileFor } from '../../support/kit.js';

const twoForOneService = `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: a-strict, namespace: shop}
spec: {mode: strict, service: cart, selector: {app: cart}}
---
apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: b-strict, namespace: shop}
spec: {mode: strict, service: cart, selector: {app: cart}}
---
apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  port: 8080
  selector: {app: cart}
  rules: [{name: all, timeout: 5s}]
`;

const options = {
  'linkerd.serverPorts': '8080',
  'appmesh.tls.certificate': 'sds',
  'appmesh.tls.sdsSecretName': 'spiffe://cluster.local/ns/{namespace}/sa/{service}',
};

describe('mesh-neutral rules in the compiler', () => {
  for (const mesh of MESHES) {
    it(`${mesh.id}: a second MTLSPolicy for one service is refused at its mode, nothing compiled`, () => {
      const r = compileFor(mesh, twoForOneService, { allowDegraded: true, options });
      expect(r.ok).toBe(false);
      expect(r.resources).toEqual([]);
      const conflict = r.diagnostics.filter((d) => d.policy === 'MTLSPolicy/shop/b-strict');
      expect(conflict.map((d) => [d.level, d.path])).toContainEqual(['error', 'spec.mode']);
    });
  }

  it('one MTLSPolicy per service compiles on every mesh that has service-scoped mTLS', () => {
    const one = twoForOneService
      .split('---\n')
      .filter((_, i) => i !== 1)
      .join('---\n');
    for (const mesh of MESHES) {
      const r = compileFor(mesh, one, { allowDegraded: true, options });
      expect(codes(r.diagnostics.filter((d) => d.level === 'error')), mesh.id).toEqual([]);
    }
  });
});

describe('never two outputs of one name', () => {
  const obj = (apiVersion: string, kind: string, name: string, namespace?: string, source = 'p') => ({
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      annotations: { [SOURCE_ANNOTATION]: source },
    },
  });

  it('reports each later object with the apiVersion, kind, namespace and name of an earlier one', () => {
    const ds = duplicateNames([
      obj('v1', 'Service', 'cart', 'shop', 'TrafficPolicy/shop/a'),
      obj('v1', 'Service', 'cart', 'shop', 'TrafficPolicy/shop/b'),
      obj('v1', 'Service', 'cart', 'shop', 'TrafficPolicy/shop/c'),
    ]);
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      [
        'AM3016',
        expect.stringMatching(
          /^Service shop\/cart would be written for TrafficPolicy\/shop\/a and for TrafficPolicy\/shop\/b;/,
        ),
      ],
      [
        'AM3016',
        expect.stringMatching(
          /^Service shop\/cart would be written for TrafficPolicy\/shop\/a and for TrafficPolicy\/shop\/c;/,
        ),
      ],
    ]);
  });

  it('tells apart objects that differ in any of the four, a cluster-scoped one from a namespace named undefined', () => {
    expect(
      duplicateNames([
        obj('v1', 'Service', 'cart', 'shop'),
        obj('v2', 'Service', 'cart', 'shop'),
        obj('v1', 'ConfigMap', 'cart', 'shop'),
        obj('v1', 'Service', 'cart', 'shop2'),
        obj('v1', 'Service', 'cart2', 'shop'),
        obj('v1', 'Service', 'cart'),
        obj('v1', 'Service', 'cart', 'undefined'),
        // Fields joined with `/` collided: apiVersion `a/b` + kind `c` against `a` + `b/c`.
        obj('a/b', 'c', 'n', 'ns'),
        obj('a', 'b/c', 'n', 'ns'),
      ]),
    ).toEqual([]);
  });
});
