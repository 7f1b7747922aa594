/**
 * BackendPolicy -> HTTPLocalRateLimitPolicy (`policy.linkerd.io/v1alpha1`, Linkerd 2.17+), whose
 * targetRef is the Server of the service's port (the registry in servers.ts makes or shares it).
 * `total.requestsPerSecond` is enforced by each inbound proxy the Server selects, i.e. per
 * instance, which is what the model's rateLimit means. The CRD (shared/crds/linkerd
 * http-local-ratelimit-policy.yaml) has no burst: the column refuses it. Outlier detection is
 * failure accrual (failure-accrual.ts); nothing else of a BackendPolicy is written for Linkerd
 * (see backend-capabilities.ts).
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendPolicy } from '../../core/model/schema.js';
import { linkerdDiag } from './native.js';
import { type ServerRegistry, serverName } from './servers.js';

const POLICY_GROUP = 'policy.linkerd.io';

export function compileBackend(
  policies: readonly PolicyDoc<BackendPolicy>[],
  servers: ServerRegistry,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of policies) {
    const s = p.policy.spec;
    if (!s.rateLimit) continue;
    if (s.port === undefined) {
      diagnostics.push(
        linkerdDiag('RateLimitNeedsPort', { service: s.service }, p.at(['spec', 'rateLimit'])),
      );
      continue;
    }
    const sel = resolveSelector(p, s.service);
    if (sel.diagnostic) diagnostics.push(sel.diagnostic);
    servers.request({
      doc: p,
      namespace: p.namespace,
      port: s.port,
      purpose: 'rateLimit',
      service: s.service,
      selector: sel.labels,
    });
    const server = serverName(s.service, s.port);
    resources.push({
      apiVersion: `${POLICY_GROUP}/v1alpha1`,
      kind: 'HTTPLocalRateLimitPolicy',
      metadata: outputMetadata(server, p.namespace, [p]),
      spec: {
        targetRef: { group: POLICY_GROUP, kind: 'Server', name: server },
        total: { requestsPerSecond: s.rateLimit.requestsPerSecond },
      },
    });
  }
  return { resources, diagnostics };
}
