/**
 * The Istio descriptor: every feature of the model as `networking.istio.io/v1` and
 * `security.istio.io/v1` resources (Istio 1.22 made these APIs v1; retries.backoff needs 1.26) for
 * the sidecar data plane, or, with `istio.dataplane=ambient`, as Gateway API HTTPRoutes, waypoints
 * and AuthorizationPolicies placed at ztunnel or the waypoint (ambient.ts), with its own column
 * (ambient-capabilities.ts).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { compileAmbient } from './ambient.js';
import { istioAmbientCapabilities } from './ambient-capabilities.js';
import { applyBackendPolicies } from './backend.js';
import { istioCapabilities } from './capabilities.js';
import { istioInstall } from './install.js';
import { ISTIO_MESSAGES } from './messages.js';
import { namespaceFit, namespaceMode } from './namespace-mode.js';
import { ISTIO_OPTIONS, isAmbient } from './options.js';
import { compileRouting } from './routing.js';
import { compileAccess, compileMtls } from './security.js';
import { WAYPOINT_CLASS } from './waypoint.js';

export const istioAdapter = {
  id: 'istio',
  displayName: 'Istio',
  versions: { minimum: '1.22', tested: '1.30.3' },
  capabilities: istioCapabilities,
  capabilitiesFor: (ctx) => (isAmbient(ctx) ? istioAmbientCapabilities : istioCapabilities),
  columns: [
    { id: 'istio', title: 'Istio (sidecar)', options: { 'istio.dataplane': 'sidecar' } },
    { id: 'istio-ambient', title: 'Istio (ambient)', options: { 'istio.dataplane': 'ambient' } },
  ],
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
  namespaceFit,
  dataplanes: { modeOf: namespaceMode, waypointClass: WAYPOINT_CLASS },
  // The ambient output adds Gateway API kinds; `retry` needs the experimental-channel HTTPRoute.
  crdFolders: ['istio', 'gateway-api/experimental'],
  compile(policies, ctx) {
    const kinds = byKind(policies);
    if (isAmbient(ctx)) return compileAmbient(kinds, ctx);
    const { traffic, access, mtls, backend } = kinds;
    const routing = compileRouting(traffic, ctx);
    // Backend settings join the DestinationRule routing made for the host: one per host.
    applyBackendPolicies(routing.resources, backend, ctx);
    return mergeResults(routing, compileMtls(mtls, ctx), compileAccess(access, ctx));
  },
} satisfies MeshAdapter;
