/**
 * The Linkerd adapter: routing as Gateway API HTTPRoutes with Service parents (GAMMA) and leaf
 * Services for versions, timeouts and retries as the 2.16+ route annotations, access control and
 * strict mTLS as Servers, AuthorizationPolicies, MeshTLSAuthentications and inbound HTTPRoutes.
 *
 * Minimum 2.16: the retry and timeout annotations appeared there (outbound gateway.networking.k8s.io
 * HTTPRoutes since 2.14, weighted routes since 2.13; cells carry their own minVersion). Since 2.19 the
 * Linkerd CRD chart no longer installs the Gateway API CRDs: install them (standard channel) yourself.
 */
import { type KubeObject, type MeshAdapter, SOURCE_ANNOTATION } from '../../core/adapter.js';
import { type Diagnostic, diag } from '../../core/diagnostics.js';
import type { AccessPolicy, MTLSPolicy, TrafficPolicy } from '../../core/model/schema.js';
import type { PolicyDoc } from '../../core/model/validate.js';
import { compileAccess } from './access.js';
import { linkerdCapabilities } from './capabilities.js';
import { LINKERD_MESSAGES } from './messages.js';
import { compileMtls, SERVER_PORTS_OPTION } from './mtls.js';
import { compileRouting } from './routing.js';
import { ServerRegistry } from './servers.js';

/**
 * Names are derived from policy, service, rule and port names, and consumer routes land in other
 * namespaces; two objects of one kind and name in one namespace would overwrite each other.
 */
function duplicateNames(resources: readonly KubeObject[]): Diagnostic[] {
  const seen = new Map<string, KubeObject>();
  const out: Diagnostic[] = [];
  for (const r of resources) {
    const key = `${r.apiVersion}/${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, r);
      continue;
    }
    const from = (o: KubeObject) => o.metadata.annotations?.[SOURCE_ANNOTATION] ?? '';
    out.push(
      diag('ObjectNameCollision', {
        object: `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`,
        policy: from(prior),
        other: from(r),
      }),
    );
  }
  return out;
}

function ofKind<P>(policies: readonly PolicyDoc[], kind: string): PolicyDoc<P & PolicyDoc['policy']>[] {
  return policies.filter((p) => p.kind === kind) as PolicyDoc<P & PolicyDoc['policy']>[];
}

export const linkerdAdapter = {
  id: 'linkerd',
  displayName: 'Linkerd',
  versions: { minimum: '2.16', tested: 'edge-26.8.3 / 2.20' },
  capabilities: linkerdCapabilities,
  docs: 'https://linkerd.io/2/reference/',
  messages: LINKERD_MESSAGES,
  options: {
    [SERVER_PORTS_OPTION]:
      'Container ports (comma-separated, e.g. 8080,9090) that a strict MTLSPolicy covers with a Server each: a Linkerd Server selects one pod port and MTLSPolicy names none. Required for strict MTLSPolicies; default: none.',
  },
  compile(policies, ctx) {
    const servers = new ServerRegistry();
    const routing = compileRouting(ofKind<TrafficPolicy>(policies, 'TrafficPolicy'));
    const access = compileAccess(ofKind<AccessPolicy>(policies, 'AccessPolicy'), servers);
    const mtls = compileMtls(ofKind<MTLSPolicy>(policies, 'MTLSPolicy'), servers, ctx);
    const resolved = servers.resolve();
    const resources = [...routing.resources, ...access.resources, ...resolved.resources];
    return {
      resources,
      diagnostics: [
        ...routing.diagnostics,
        ...access.diagnostics,
        ...mtls,
        ...resolved.diagnostics,
        ...duplicateNames(resources),
      ],
    };
  },
} satisfies MeshAdapter;
