/**
 * Builders for the fixture policies of the family files: one small policy per feature id, using
 * that feature and as little else as possible. The registry test compiles each through every
 * adapter to prove the matrix says what the adapters do.
 */
import type { Fixture } from './types.js';

const base = (rule: string, extra = '') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: fixture, namespace: shop}
spec:
  service: cart
  port: 8080
  selector: {app: cart}
  versions:
    v1: {version: v1}
    v2: {version: v2}
${extra}  rules:
    - name: only
${rule}
`;

/** A TrafficPolicy with one rule (`rule`: its lines after `name`), and `extra` spec lines. */
export function traffic(rule: string, companions: readonly string[], extra = ''): Fixture {
  // Every TrafficPolicy fixture names the port: some meshes route per port.
  return { yaml: base(rule, extra), companions: ['match.port', ...companions] };
}

const ROUTED = ['backends.version'];

/** A rule routing to v1 under one match entry (`match`: the entry's flow mapping body). */
export const withMatch = (match: string): Fixture =>
  traffic(`      matches:\n        - ${match}\n      backends: [{version: v1}]`, ROUTED);

/** A rule routing to v1 with one more rule field (`field: value`). */
export const withField = (field: string, companions: readonly string[] = []): Fixture =>
  traffic(`      backends: [{version: v1}]\n      ${field}`, [...ROUTED, ...companions]);

/**
 * A gRPC policy's rule routing to v1 with one more rule field: for features some meshes express
 * only on their gRPC route kind (a cell's byProtocol says how the mesh treats them on http).
 */
export const withGrpcField = (field: string, companions: readonly string[] = []): Fixture =>
  traffic(
    `      backends: [{version: v1}]\n      ${field}`,
    [...ROUTED, 'protocol.grpc', ...companions],
    '  protocol: grpc\n',
  );

/** A rule routing to v1, with spec lines before the rules (sources). */
export const withSpec = (extra: string, companions: readonly string[] = []): Fixture =>
  traffic('      backends: [{version: v1}]', [...ROUTED, ...companions], extra);

/**
 * Security fixtures come with a plain TrafficPolicy for the same service: meshes that enforce on
 * generated workload objects (App Mesh virtual nodes) need the service's port from it.
 */
const companion = `---
apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart-routing, namespace: shop}
spec:
  service: cart
  port: 8080
  selector: {app: cart}
  rules:
    - name: all
      timeout: 5s
`;
const COMPANION_USES = ['match.port', 'timeout.request'];

/** An AccessPolicy for cart (`spec`: its lines after the selector). */
export const access = (spec: string, companions: readonly string[]): Fixture => ({
  yaml: `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: fixture, namespace: shop}
spec:
  service: cart
  selector: {app: cart}
${spec}
${companion}`,
  companions: [...companions, ...COMPANION_USES],
});

/** An MTLSPolicy (`spec`: its lines). */
export const mtls = (spec: string, companions: readonly string[]): Fixture => ({
  yaml: `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: fixture, namespace: shop}
spec:
${spec}
${companion}`,
  companions: [...companions, ...COMPANION_USES],
});

/**
 * A BackendPolicy for cart (`spec`: its lines after `service`), with the plain TrafficPolicy: App
 * Mesh carries backend settings on the virtual nodes routing plans.
 */
export const backend = (spec: string, companions: readonly string[] = []): Fixture => ({
  yaml: `apiVersion: anymesh.dev/v1alpha1
kind: BackendPolicy
metadata: {name: fixture, namespace: shop}
spec:
  service: cart
${spec}
${companion}`,
  companions: [...companions, ...COMPANION_USES],
});
