/**
 * The Linkerd descriptor. Routing as Gateway API HTTPRoutes with Service parents (GAMMA) and leaf
 * Services for versions, timeouts and retries as the 2.16+ route annotations, access control and
 * strict mTLS as Servers, AuthorizationPolicies, MeshTLSAuthentications and inbound HTTPRoutes.
 *
 * Minimum 2.16: the retry and timeout annotations appeared there (outbound gateway.networking.k8s.io
 * HTTPRoutes since 2.14, weighted routes since 2.13; cells carry their own minVersion). Since 2.19 the
 * Linkerd CRD chart no longer installs the Gateway API CRDs: install them (standard channel) yourself.
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { linkerdCapabilities } from './capabilities.js';
import { linkerdInstall } from './install.js';
import { LINKERD_MESSAGES } from './messages.js';
import { LINKERD_OPTIONS } from './options.js';
import { compileRouting } from './routing.js';
import { compileSecurity } from './security.js';

export const linkerdAdapter = {
  id: 'linkerd',
  displayName: 'Linkerd',
  versions: { minimum: '2.16', tested: 'edge-26.8.3 / 2.20' },
  capabilities: linkerdCapabilities,
  docs: 'https://linkerd.io/2/reference/',
  codeRange: 'AM42',
  messages: LINKERD_MESSAGES,
  options: LINKERD_OPTIONS,
  // A strict MTLSPolicy needs the container ports to cover; the examples' services listen on 9080.
  exampleOptions: { 'linkerd.serverPorts': '9080' },
  install: linkerdInstall,
  // Injection is an annotation in Linkerd (namespace or pod): enabled, or ingress for ingress pods.
  inMesh: (ns) => ['enabled', 'ingress'].includes(ns.annotations['linkerd.io/inject'] ?? ''),
  crdFolders: ['linkerd', 'gateway-api/standard'],
  compile(policies, ctx) {
    const { traffic, access, mtls, backend } = byKind(policies);
    return mergeResults(compileRouting(traffic), compileSecurity(access, mtls, ctx, backend));
  },
} satisfies MeshAdapter;
