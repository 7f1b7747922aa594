/**
 * The Istio descriptor: every feature of the model as `networking.istio.io/v1` and
 * `security.istio.io/v1` resources (Istio 1.22 made these APIs v1; retries.backoff needs 1.26).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { istioCapabilities } from './capabilities.js';
import { istioInstall } from './install.js';
import { ISTIO_MESSAGES } from './messages.js';
import { ISTIO_OPTIONS } from './options.js';
import { compileRouting } from './routing.js';
import { compileAccess, compileMtls } from './security.js';

export const istioAdapter = {
  id: 'istio',
  displayName: 'Istio',
  versions: { minimum: '1.22', tested: '1.30.3' },
  capabilities: istioCapabilities,
  // Istio 1.30.3, pilot/pkg/networking/core/route/route.go:1336-1341 (setTimeout: Notimeout unless
  // the VirtualService sets one) and route/retry/retry.go:36-37 and ConvertPolicy (no retries field:
  // the default policy, 2 retries on connect-failure,refused-stream,unavailable,cancelled,
  // retriable-status-codes; the last retries nothing without codes; unavailable and cancelled are
  // gRPC statuses, so only gRPC responses are retried).
  defaults: {
    timeout: {
      behaviour: "switches Envoy's route timeout off, so no time limit applies",
      differs: 'never',
      source: 'istio/istio 1.30.3 pilot/pkg/networking/core/route/route.go setTimeout (Notimeout)',
    },
    retries: {
      behaviour:
        'retries twice on connect-failure and refused-stream (the neutral meaning allows these) and on the gRPC statuses UNAVAILABLE and CANCELLED, which the service may have answered',
      differs: 'grpc',
      source:
        'istio/istio 1.30.3 pilot/pkg/networking/core/route/retry/retry.go (defaultNumRetries, defaultRetryOn)',
    },
  },
  evidence: {
    schema: 'every output validates against the official Istio CRD schemas (test/conformance.test.ts)',
    accepted:
      'a real kube-apiserver with the official Istio CRDs server-side dry-runs every golden output, their OpenAPI schemas and CEL rules included (test/integration/dry-run-golden.test.ts)',
  },
  docs: 'https://istio.io/latest/docs/reference/config/',
  codeRange: 'AM41',
  messages: ISTIO_MESSAGES,
  options: ISTIO_OPTIONS,
  install: istioInstall,
  // Sidecar injection by label (istio-injection, or a revision label not disabled), or ambient.
  inMesh: ({ labels: l }) =>
    l['istio-injection'] === 'enabled' ||
    (l['istio.io/rev'] !== undefined && l['istio-injection'] !== 'disabled') ||
    l['istio.io/dataplane-mode'] === 'ambient',
  crdFolders: ['istio'],
  compile(policies, ctx) {
    const { traffic, access, mtls } = byKind(policies);
    return mergeResults(compileRouting(traffic, ctx), compileMtls(mtls, ctx), compileAccess(access, ctx));
  },
} satisfies MeshAdapter;
