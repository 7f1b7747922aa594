/**
 * The Consul descriptor. The model as consul-k8s CRDs (`consul.hashicorp.com/v1alpha1`, schemas of
 * consul-k8s v2.0.3), or, with consul.format=config-entry, as Consul config entries for
 * `consul config write` (see config-entry.ts). Minimum Consul 1.16 (mutualTLSMode / permissive mTLS);
 * the integration test writes every entry to a real Consul 1.16.3 agent (the newest MPL-licensed
 * release; later ones are BUSL).
 */
import type { MeshAdapter } from '../../core/adapter.js';
import { byKind } from '../kit/policies.js';
import { compileBackend } from './backend.js';
import { consulCapabilities, consulEnterpriseCapabilities } from './capabilities.js';
import { renderConfigEntries } from './config-entry.js';
import { EntrySet } from './entries.js';
import { consulInstall } from './install.js';
import { consulMessages } from './messages.js';
import { CONSUL_OPTIONS, parseOptions } from './options.js';
import { compileRouting } from './routing.js';
import { compileAccess, compileMtls } from './security.js';

export const consulAdapter = {
  id: 'consul',
  displayName: 'Consul',
  versions: { minimum: '1.16', tested: '1.16.3' },
  capabilities: consulCapabilities,
  capabilitiesFor: (ctx) =>
    ctx.options['consul.enterprise'] === 'true' ? consulEnterpriseCapabilities : consulCapabilities,
  docs: 'https://developer.hashicorp.com/consul/docs/connect/config-entries',
  codeRange: 'AM43',
  messages: consulMessages,
  options: CONSUL_OPTIONS,
  install: consulInstall,
  // consul-k8s reads the connect-inject annotation, and the same key as a namespace label.
  inMesh: (ns) =>
    (ns.annotations['consul.hashicorp.com/connect-inject'] ??
      ns.labels['consul.hashicorp.com/connect-inject']) === 'true',
  crdFolders: ['consul'],
  compile(policies, ctx) {
    const { options, diagnostics } = parseOptions(ctx);
    if (diagnostics.length) return { resources: [], diagnostics };
    const { traffic, access, mtls, backend } = byKind(policies);
    // One entry set: ServiceDefaults for a service is shared by routing, mTLS and access.
    const set = new EntrySet(options);
    compileRouting(traffic, set);
    compileBackend(backend, set);
    compileMtls(mtls, set);
    compileAccess(access, set);
    return { resources: set.resources(), diagnostics: set.diagnostics };
  },
  render(resources, ctx, format) {
    const { options, diagnostics } = parseOptions(ctx);
    if (diagnostics.length || options.format !== 'config-entry') return undefined;
    return renderConfigEntries(resources, options.enterprise, format);
  },
} satisfies MeshAdapter;
