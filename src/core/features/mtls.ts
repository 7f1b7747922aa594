/**
 * Mutual TLS. Both features of an MTLSPolicy come from values: its mode, and its scope (given, or
 * the default). A security policy is never half applied, so each is left out with the policy.
 */
import { mtls as fixture } from './fixtures.js';
import { defineFamily } from './types.js';

export type MtlsScope = 'mesh' | 'namespace' | 'service';

/** The scope an MTLSPolicy spec covers, with its default. */
export function mtlsScopeOf(spec: { readonly scope?: string; readonly service?: string }): MtlsScope {
  return (spec.scope as MtlsScope | undefined) ?? (spec.service !== undefined ? 'service' : 'namespace');
}

const mode = (value: string) =>
  [{ field: 'MTLSPolicy.spec.mode', scope: 'policy', when: (v: unknown) => v === value }] as const;

// A policy without `scope` uses its default scope, reported at `spec`.
const scope = (value: MtlsScope) =>
  [
    {
      field: 'MTLSPolicy.spec.scope',
      scope: 'policy',
      orDefault: true,
      when: (_v: unknown, { parent }: { parent: Readonly<Record<string, unknown>> }) =>
        mtlsScopeOf(parent) === value,
    },
  ] as const;

export const mtls = defineFamily({
  name: 'mtls',
  features: [
    {
      id: 'mtls.strict',
      description: 'Require mutual TLS for inbound traffic (plaintext refused).',
      uses: mode('strict'),
      fixture: fixture('  mode: strict', ['mtls.scope.namespace']),
    },
    {
      id: 'mtls.permissive',
      description: 'Accept both mutual TLS and plaintext inbound traffic.',
      uses: mode('permissive'),
      fixture: fixture('  mode: permissive', ['mtls.scope.namespace']),
    },
    {
      id: 'mtls.scope.mesh',
      description: 'Set the mTLS mode for the whole mesh.',
      uses: scope('mesh'),
      fixture: fixture('  mode: strict\n  scope: mesh', ['mtls.strict']),
    },
    {
      id: 'mtls.scope.namespace',
      description: 'Set the mTLS mode for one namespace.',
      uses: scope('namespace'),
      fixture: fixture('  mode: strict\n  scope: namespace', ['mtls.strict']),
    },
    {
      id: 'mtls.scope.service',
      description: 'Set the mTLS mode for one service.',
      uses: scope('service'),
      fixture: fixture('  mode: strict\n  service: cart\n  selector: {app: cart}', ['mtls.strict']),
    },
  ],
  explain: [
    { field: 'MTLSPolicy', features: 'mtls' },
    { field: 'MTLSPolicy.spec.mode', features: 'mtls' },
  ],
});
