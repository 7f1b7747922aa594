/**
 * The Consul adapter: the model as consul-k8s CRDs (`consul.hashicorp.com/v1alpha1`, schemas of
 * consul-k8s v2.0.3), or, with consul.format=config-entry, as Consul config entries for
 * `consul config write` (see config-entry.ts). Minimum Consul 1.16 (mutualTLSMode / permissive mTLS);
 * the integration test writes every entry to a real Consul 1.16.3 agent (the newest MPL-licensed
 * release; later ones are BUSL).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { assertCompleteColumn } from '../../core/capabilities.js';
import type { AccessPolicy, MTLSPolicy, TrafficPolicy } from '../../core/model/schema.js';
import type { PolicyDoc } from '../../core/model/validate.js';
import { consulCapabilities, consulEnterpriseCapabilities } from './capabilities.js';
import { renderConfigEntries } from './config-entry.js';
import { EntrySet, OPTION_DOCS, parseOptions } from './entries.js';
import { consulMessages } from './messages.js';
import { compileRouting } from './routing.js';
import { compileAccess, compileMtls } from './security.js';

assertCompleteColumn('consul', consulCapabilities);

function ofKind<P>(policies: readonly PolicyDoc[], kind: string): PolicyDoc<P & PolicyDoc['policy']>[] {
  return policies.filter((p) => p.kind === kind) as PolicyDoc<P & PolicyDoc['policy']>[];
}

export const consulAdapter = {
  id: 'consul',
  displayName: 'Consul',
  versions: { minimum: '1.16', tested: '1.16.3' },
  capabilities: consulCapabilities,
  capabilitiesFor: (ctx) =>
    ctx.options['consul.enterprise'] === 'true' ? consulEnterpriseCapabilities : consulCapabilities,
  docs: 'https://developer.hashicorp.com/consul/docs/connect/config-entries',
  messages: consulMessages,
  options: OPTION_DOCS,
  compile(policies, ctx) {
    const { options, diagnostics } = parseOptions(ctx);
    if (diagnostics.length) return { resources: [], diagnostics };
    const set = new EntrySet(options);
    compileRouting(ofKind<TrafficPolicy>(policies, 'TrafficPolicy'), set);
    compileMtls(ofKind<MTLSPolicy>(policies, 'MTLSPolicy'), set);
    compileAccess(ofKind<AccessPolicy>(policies, 'AccessPolicy'), set);
    return { resources: set.resources(), diagnostics: set.diagnostics };
  },
  render(resources, ctx, format) {
    const { options, diagnostics } = parseOptions(ctx);
    if (diagnostics.length || options.format !== 'config-entry') return undefined;
    return renderConfigEntries(resources, options.enterprise, format);
  },
} satisfies MeshAdapter;
