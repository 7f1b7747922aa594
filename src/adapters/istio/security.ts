/**
 * MTLSPolicy -> PeerAuthentication and AccessPolicy -> AuthorizationPolicy (`security.istio.io/v1`).
 *
 * Caller identities become SPIFFE-style principals `<trust domain>/ns/<namespace>/sa/<account>`;
 * a caller given only by namespace becomes `source.namespaces`. Both need mutual TLS, which Istio
 * turns on automatically between sidecars (auto mTLS).
 */
import type { CompileContext, KubeObject } from '../../core/adapter.js';
import { outputMetadata } from '../../core/adapter.js';
import { resolveSelector } from '../../core/compiler/selector.js';
import { mtlsScope } from '../../core/compiler/usage.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy } from '../../core/model/schema.js';
import { rootNamespace } from './options.js';

export function compileMtls(
  policies: readonly PolicyDoc<MTLSPolicy>[],
  ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  // One mTLS mode per scope is a mesh-neutral rule the compiler has already enforced.
  for (const p of policies) {
    const scope = mtlsScope(p.policy);
    const namespace = scope === 'mesh' ? rootNamespace(ctx) : p.namespace;
    const spec: Record<string, unknown> = {};
    if (scope === 'service') {
      const sel = resolveSelector(p, p.policy.spec.service!);
      if (sel.diagnostic) diagnostics.push(sel.diagnostic);
      spec.selector = { matchLabels: sel.labels };
    }
    spec.mtls = { mode: p.policy.spec.mode === 'strict' ? 'STRICT' : 'PERMISSIVE' };
    const name = scope === 'mesh' ? 'default' : p.name;
    resources.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: outputMetadata(name, namespace, [p]),
      spec,
    });
  }
  return { resources, diagnostics };
}

export function principal(namespace: string, serviceAccount: string, ctx: CompileContext): string {
  return `${ctx.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

export function compileAccess(
  policies: readonly PolicyDoc<AccessPolicy>[],
  ctx: CompileContext,
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of policies) {
    const s = p.policy.spec;
    const sel = resolveSelector(p, s.service);
    if (sel.diagnostic) diagnostics.push(sel.diagnostic);
    const from = s.from.map((f) =>
      f.serviceAccount !== undefined
        ? { source: { principals: [principal(f.namespace ?? p.namespace, f.serviceAccount, ctx)] } }
        : { source: { namespaces: [f.namespace] } },
    );
    const to = s.to?.map((t) => ({
      operation: {
        ...(t.methods ? { methods: t.methods } : {}),
        ...(t.paths ? { paths: t.paths } : {}),
        ...(t.ports ? { ports: t.ports.map(String) } : {}),
      },
    }));
    resources.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: outputMetadata(p.name, p.namespace, [p]),
      spec: {
        selector: { matchLabels: sel.labels },
        action: s.action === 'allow' ? 'ALLOW' : 'DENY',
        rules: [{ from, ...(to ? { to } : {}) }],
      },
    });
  }
  return { resources, diagnostics };
}
