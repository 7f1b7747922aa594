/**
 * The Istio descriptor: every feature of the model as `networking.istio.io/v1` and
 * `security.istio.io/v1` resources (Istio 1.22 made these APIs v1; retries.backoff needs 1.26).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { applyBackendPolicies } from './backend.js';
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
    const { traffic, access, mtls, backend } = byKind(policies);
    const routing = compileRouting(traffic, ctx);
    // Backend settings join the DestinationRule routing made for the host: one per host.
    applyBackendPolicies(routing.resources, backend, ctx);
    return mergeResults(routing, compileMtls(mtls, ctx), compileAccess(access, ctx));
  },
} satisfies MeshAdapter;
