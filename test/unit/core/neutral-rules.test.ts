/**
 * Rules that hold the same on every mesh, enforced once by the compiler rather than by each
 * adapter: one mTLS mode per scope (Linkerd had no such check before it moved here).
 */
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../../src/adapters/index.js';
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
