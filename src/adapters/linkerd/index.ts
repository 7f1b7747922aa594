/**
 * The Linkerd descriptor. Routing as Gateway API HTTPRoutes with Service parents (GAMMA) and leaf
 * Services for versions, timeouts and retries as the 2.16+ route annotations, access control and
 * strict mTLS as Servers, AuthorizationPolicies, MeshTLSAuthentications (NetworkAuthentications for
 * callers by network) and inbound HTTPRoutes.
 *
 * Minimum 2.16: the retry and timeout annotations appeared there (outbound gateway.networking.k8s.io
 * HTTPRoutes since 2.14, weighted routes since 2.13; cells carry their own minVersion). Since 2.19 the
 * Linkerd CRD chart no longer installs the Gateway API CRDs: install them (standard channel) yourself.
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { linkerdCapabilities } from './capabilities.js';
import { importLinkerd } from './import.js';
import { IMPORT_KINDS } from './import-reader.js';
import { linkerdInstall } from './install.js';
import { LINKERD_MESSAGES } from './messages.js';
import { LINKERD_OPTIONS } from './options.js';
import { compileRouting } from './routing.js';
import { compileSecurity } from './security.js';
import { parseLinkerdVersion, readsRuleTimeouts } from './versions.js';

export const linkerdAdapter = {
  id: 'linkerd',
  displayName: 'Linkerd',
  versions: { minimum: '2.16', tested: 'edge-26.8.3 / 2.20' },
  // Stable and edge names (edge-26.8.3 is of the 2.20 line): the table in versions.ts.
  parseVersion: parseLinkerdVersion,
  capabilities: linkerdCapabilities,
  // linkerd2 policy-controller (main at b24cd4059, 2026-08-21): parse_timeouts and parse_http_retry
  // (k8s/index/src/outbound/index.rs, index/http.rs) give no timeout and no retry without the
  // annotations (or, on 2.20+, rules[].timeouts), and the proxy adds none of its own.
  defaults: {
    timeout: {
      behaviour: 'sets no request timeout',
      differs: 'never',
      source:
        'linkerd2 policy-controller/k8s/index/src/outbound/index.rs parse_timeouts; https://linkerd.io/2/reference/timeouts/',
    },
    retries: {
      behaviour: 'retries nothing',
      differs: 'never',
      source:
        'linkerd2 policy-controller/k8s/index/src/outbound/index/http.rs parse_http_retry; https://linkerd.io/2/reference/retries/',
    },
  },
  // Accepted, not behaviour: the policy controller that turns these objects into proxy configuration
  // is Rust, built only from the linkerd2 repository and published on no package registry, so no test
  // can run it; the CRDs' CEL rules (HTTPRoute, AuthorizationPolicy) are what the API server checks.
  evidence: {
    schema:
      'every output validates against the official Linkerd and Gateway API CRD schemas (test/conformance.test.ts)',
    accepted:
      'a real kube-apiserver with the official Linkerd and Gateway API CRDs server-side dry-runs every golden output, their OpenAPI schemas and CEL rules included (test/integration/dry-run-golden.test.ts); not behaviour: the policy controller (Rust, linkerd2 policy-controller/) is not published on a registry, so no test runs it',
  },
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
    const routing = compileRouting(traffic, { ruleTimeouts: readsRuleTimeouts(ctx.meshVersion) });
    return mergeResults(routing, compileSecurity(access, mtls, ctx, backend));
  },
  import: importLinkerd,
  importKinds: IMPORT_KINDS,
} satisfies MeshAdapter;
