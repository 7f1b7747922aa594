/**
 * The Istio adapter: every feature of the model as `networking.istio.io/v1` and
 * `security.istio.io/v1` resources (Istio 1.22 made these APIs v1; retries.backoff needs 1.26).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import type { AccessPolicy, MTLSPolicy, TrafficPolicy } from '../../core/model/schema.js';
import type { PolicyDoc } from '../../core/model/validate.js';
import { istioCapabilities } from './capabilities.js';
import { ISTIO_MESSAGES } from './messages.js';
import { compileRouting } from './routing.js';
import { compileAccess, compileMtls } from './security.js';

function ofKind<P>(policies: readonly PolicyDoc[], kind: string): PolicyDoc<P & PolicyDoc['policy']>[] {
  return policies.filter((p) => p.kind === kind) as PolicyDoc<P & PolicyDoc['policy']>[];
}

export const istioAdapter = {
  id: 'istio',
  displayName: 'Istio',
  versions: { minimum: '1.22', tested: '1.30.3' },
  capabilities: istioCapabilities,
  docs: 'https://istio.io/latest/docs/reference/config/',
  messages: ISTIO_MESSAGES,
  options: {
    'istio.rootNamespace':
      "Istio's root namespace, where a mesh-wide PeerAuthentication goes. Default: istio-system.",
  },
  compile(policies, ctx) {
    const parts = [
      compileRouting(ofKind<TrafficPolicy>(policies, 'TrafficPolicy'), ctx),
      compileMtls(ofKind<MTLSPolicy>(policies, 'MTLSPolicy'), ctx),
      compileAccess(
        ofKind<AccessPolicy>(policies, 'AccessPolicy'),
        ctx,
        ofKind<TrafficPolicy>(policies, 'TrafficPolicy'),
      ),
    ];
    return {
      resources: parts.flatMap((p) => p.resources),
      diagnostics: parts.flatMap((p) => p.diagnostics),
    };
  },
} satisfies MeshAdapter;
