/**
 * One small policy per feature id, using that feature (and as little else as possible). The
 * registry test compiles each through every adapter to prove the matrix says what the adapters do.
 */
import type { FeatureId } from '../../src/core/features.js';

const traffic = (rule: string, extra = '') => `apiVersion: anymesh.dev/v1alpha1
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

const withMatch = (match: string) =>
  traffic(`      matches:\n        - ${match}\n      backends: [{version: v1}]`);
const withField = (field: string) => traffic(`      backends: [{version: v1}]\n      ${field}`);

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

const access = (spec: string) => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: fixture, namespace: shop}
spec:
  service: cart
  selector: {app: cart}
${spec}
${companion}`;

const mtls = (spec: string) => `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: fixture, namespace: shop}
spec:
${spec}
${companion}`;

export const FEATURE_FIXTURES: Record<FeatureId, string> = {
  'match.path.exact': withMatch('path: {exact: /cart}'),
  'match.path.prefix': withMatch('path: {prefix: /cart}'),
  'match.path.regex': withMatch('path: {regex: "/cart/[0-9]+"}'),
  'match.method': withMatch('method: POST'),
  'match.headers.exact': withMatch('headers: [{name: x-user, exact: jason}]'),
  'match.headers.prefix': withMatch('headers: [{name: x-user, prefix: jas}]'),
  'match.headers.regex': withMatch('headers: [{name: x-user, regex: "j.*"}]'),
  'match.headers.present': withMatch('headers: [{name: x-debug, present: true}]'),
  'match.queryParams.exact': withMatch('queryParams: [{name: beta, exact: "1"}]'),
  'match.queryParams.regex': withMatch('queryParams: [{name: beta, regex: "[01]"}]'),
  'match.queryParams.present': withMatch('queryParams: [{name: beta, present: true}]'),
  'match.port': traffic('      backends: [{version: v1}]'),
  'backends.version': traffic('      backends: [{version: v2}]'),
  'backends.weighted': traffic('      backends: [{version: v1, weight: 80}, {version: v2, weight: 20}]'),
  'backends.service': traffic('      backends: [{service: cart-next, port: 8080}]'),
  'routing.sources.namespace': traffic('      backends: [{version: v1}]', '  sources: [{namespace: web}]\n'),
  'routing.sources.serviceAccount': traffic(
    '      backends: [{version: v1}]',
    '  sources: [{namespace: web, serviceAccount: frontend}]\n',
  ),
  'routing.sources.labels': traffic(
    '      backends: [{version: v1}]',
    '  sources: [{labels: {app: frontend}}]\n',
  ),
  'timeout.request': withField('timeout: 2s'),
  'retries.attempts': withField('retries: {attempts: 2}'),
  'retries.perTryTimeout': withField('retries: {attempts: 2, perTryTimeout: 500ms}'),
  'retries.on.http': withField('retries: {attempts: 2, retryOn: [5xx]}'),
  'retries.on.connection': withField('retries: {attempts: 2, retryOn: [connect-failure]}'),
  'retries.on.grpc': withField('retries: {attempts: 2, retryOn: [unavailable]}'),
  'retries.backoff': withField('retries: {attempts: 2, backoff: {base: 50ms}}'),
  'retries.backoff.max': withField('retries: {attempts: 2, backoff: {base: 50ms, max: 1s}}'),
  'fault.delay': withField('fault: {delay: {duration: 2s, percentage: 10}}'),
  'fault.abort.http': withField('fault: {abort: {status: 503, percentage: 5}}'),
  'fault.abort.grpc': withField('fault: {abort: {grpcStatus: UNAVAILABLE, percentage: 5}}'),
  mirror: withField('mirror: {backend: {version: v2}}'),
  'mirror.percentage': withField('mirror: {backend: {version: v2}, percentage: 25}'),
  'headers.request.set': withField('requestHeaders: {set: {x-env: prod}}'),
  'headers.request.add': withField('requestHeaders: {add: {x-trace: "1"}}'),
  'headers.request.remove': withField('requestHeaders: {remove: [x-debug]}'),
  'headers.response.set': withField('responseHeaders: {set: {cache-control: no-store}}'),
  'headers.response.add': withField('responseHeaders: {add: {x-served-by: cart}}'),
  'headers.response.remove': withField('responseHeaders: {remove: [server]}'),
  cors: withField('cors: {allowOrigins: [{exact: "https://shop.example.com"}], allowMethods: [GET]}'),
  'cors.allowOrigins.prefix': withField('cors: {allowOrigins: [{prefix: "https://shop."}]}'),
  'cors.allowOrigins.regex': withField('cors: {allowOrigins: [{regex: "https://.*\\\\.example\\\\.com"}]}'),
  'mtls.strict': mtls('  mode: strict'),
  'mtls.permissive': mtls('  mode: permissive'),
  'mtls.scope.mesh': mtls('  mode: strict\n  scope: mesh'),
  'mtls.scope.namespace': mtls('  mode: strict\n  scope: namespace'),
  'mtls.scope.service': mtls('  mode: strict\n  service: cart\n  selector: {app: cart}'),
  // Access fixtures name the port: Linkerd builds authorization on per-port Servers.
  'access.allow': access(
    '  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{ports: [8080]}]',
  ),
  'access.deny': access('  action: deny\n  from: [{namespace: web, serviceAccount: frontend}]'),
  'access.from.namespace': access('  action: allow\n  from: [{namespace: web}]\n  to: [{ports: [8080]}]'),
  'access.from.serviceAccount': access(
    '  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{ports: [8080]}]',
  ),
  'access.to.methods': access(
    '  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{methods: [GET], ports: [8080]}]',
  ),
  'access.to.paths': access(
    '  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{paths: ["/cart/*"], ports: [8080]}]',
  ),
  'access.to.ports': access(
    '  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{ports: [8080]}]',
  ),
};

/**
 * Adapter options the fixtures compile with, for meshes that need facts a policy does not carry
 * (Linkerd's strict mTLS needs the ports to cover with Servers).
 */
export const FIXTURE_OPTIONS: Record<string, Record<string, string>> = {
  linkerd: { 'linkerd.serverPorts': '8080' },
  // App Mesh mTLS needs a certificate source; SPIRE through SDS is the common one.
  appmesh: {
    'appmesh.tls.certificate': 'sds',
    'appmesh.tls.sdsSecretName': 'spiffe://cluster.local/ns/{namespace}/sa/{service}',
  },
};
