/**
 * Which capability column a migration plan compares from, and the steps it proposes within one
 * mesh: Istio objects written for ambient (Gateway API routes with a Service parent, waypoints)
 * are planned from the ambient column without being told; sidecar -> ambient enables the ambient
 * install profile; ambient -> sidecar keeps it (it runs sidecars too); the same column is an
 * adoption: anymesh's objects take over the native ones, and only what it does not write again
 * is deleted, never a user's Service or the objects of a policy the target refuses.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS, importSourceFor } from '../../../src/adapters/index.js';
import { loadDocuments, parseInputs } from '../../../src/core/loader/loader.js';
import { planMigration } from '../../../src/migrate/plan.js';

const istio = ADAPTERS.istio!;
const source = importSourceFor('istio')!;
const AMBIENT = { options: { 'istio.dataplane': 'ambient' } };

const ROUTES = `apiVersion: v1
kind: Service
metadata: {name: cart-v1, namespace: shop}
spec: {selector: {app: cart, version: v1}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v2, namespace: shop}
spec: {selector: {app: cart, version: v2}, ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: cart, port: 8080}]
  rules:
  - backendRefs: [{name: cart-v1, port: 8080, weight: 80}, {name: cart-v2, port: 8080, weight: 20}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart-beta, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: cart, port: 8080}]
  rules:
  - matches: [{headers: [{name: x-beta, value: "1"}]}]
    backendRefs: [{name: cart-v2, port: 8080}]
`;
const routes = () => parseInputs([{ name: 'routes.yaml', text: ROUTES }]);
const steps = (plan: ReturnType<typeof planMigration>) =>
  plan.steps.map((s) => `${s.action} ${s.command ?? ''}`);

describe('migrate plan within Istio', () => {
  it('plans Gateway API mesh routes from the ambient column, VirtualServices from the sidecar one', () => {
    expect(
      planMigration(routes(), { source, sourceMesh: istio, target: ADAPTERS.linkerd! }).source.column,
    ).toBe('Istio (ambient)');
    const vs = loadDocuments(['test/fixtures/import/istio-bookinfo.yaml']);
    expect(planMigration(vs, { source, sourceMesh: istio, target: ADAPTERS.linkerd! }).source.column).toBe(
      'Istio (sidecar)',
    );
  });
  it('sidecar -> ambient installs the ambient profile', () => {
    const vs = loadDocuments(['test/fixtures/import/istio-bookinfo.yaml']);
    const plan = planMigration(vs, { source, sourceMesh: istio, target: istio, context: AMBIENT });
    expect(steps(plan)).toContainEqual(expect.stringContaining('anymesh install istio --profile ambient'));
  });
  it('ambient -> sidecar keeps the ambient installation until the end', () => {
    const plan = planMigration(routes(), { source, sourceMesh: istio, target: istio });
    expect(plan.target.column).toBe('Istio (sidecar)');
    expect(steps(plan)).toContainEqual(
      expect.stringMatching(/^Keep the running Istio installation \(profile ambient\)/),
    );
    expect(steps(plan).join('\n')).not.toContain('anymesh install');
  });
  it('ambient -> ambient takes the objects over: the routes written again replace, the rest are deleted, Services stay', () => {
    const plan = planMigration(routes(), { source, sourceMesh: istio, target: istio, context: AMBIENT });
    // Lossy only as versions are in either ambient column: leaf Services (emulated).
    expect(plan.policies.map((p) => [p.policy, p.status])).toEqual([['TrafficPolicy/shop/cart', 'lossy']]);
    const text = steps(plan);
    expect(text).toContainEqual(expect.stringContaining('--force-conflicts'));
    // The two routes become one (named after the service): the hand-written ones are deleted,
    // the leaf Services are written again under their names, the parent Service is left alone.
    expect(text).toContainEqual(
      expect.stringContaining(
        'Delete the native objects anymesh does not write again (HTTPRoute/shop/cart-beta)',
      ),
    );
    expect(text).toContainEqual(
      expect.stringContaining('Service/shop/cart-v1, Service/shop/cart-v2 are written again'),
    );
  });
});

describe('migrate plan from a mesh to itself (one column)', () => {
  /** The plan of a Linkerd fixture back to Linkerd, with the target's options. */
  const linkerdToLinkerd = (fixture: string, options: Record<string, string> = {}) =>
    planMigration(loadDocuments([`test/import/fixtures/linkerd/${fixture}`]), {
      source: importSourceFor('linkerd')!,
      sourceMesh: ADAPTERS.linkerd!,
      target: ADAPTERS.linkerd!,
      context: { options },
    });

  it('adopts the hand-written objects instead of installing the mesh beside itself', () => {
    const plan = linkerdToLinkerd('routing.yaml');
    const text = steps(plan).join('\n');
    expect(text).toContain('--force-conflicts');
    expect(text).not.toMatch(/Install Linkerd beside/);
  });

  it("never lists the user's own objects for deletion: the Namespace whose annotation became an MTLSPolicy stays", () => {
    // The namespace default compiles once the Servers' ports are given.
    const plan = linkerdToLinkerd('security.yaml', { 'linkerd.serverPorts': '8080,8801,9990' });
    const mtls = plan.policies.find((p) => p.policy === 'MTLSPolicy/emojivoto/emojivoto-default-inbound');
    expect(mtls?.status).not.toBe('refused');
    expect(mtls?.from.some((ref) => ref.startsWith('Namespace/'))).toBe(true);
    const deletion = steps(plan).find((s) => s.startsWith('Delete the native objects'));
    expect(deletion).toContain('Server/emojivoto/web-http');
    expect(deletion).not.toMatch(/Namespace\/|Deployment\//);
  });
});
