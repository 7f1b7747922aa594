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
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy, TrafficPolicy } from '../../core/model/schema.js';
import { ISTIO_MESSAGES } from './messages.js';
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

/**
 * The ports of each service (`namespace/service`) that its TrafficPolicies name in spec.port, with
 * the policies that name them.
 */
export function knownPorts(
  traffic: readonly PolicyDoc<TrafficPolicy>[],
): Map<string, { ports: number[]; origins: string[] }> {
  const out = new Map<string, { ports: number[]; origins: string[] }>();
  for (const t of traffic) {
    const port = t.policy.spec.port;
    if (port === undefined) continue;
    const key = `${t.namespace}/${t.policy.spec.service}`;
    const entry = out.get(key) ?? { ports: [], origins: [] };
    if (!entry.ports.includes(port)) entry.ports.push(port);
    entry.origins.push(t.ref);
    out.set(key, entry);
  }
  for (const e of out.values()) e.ports.sort((a, b) => a - b);
  return out;
}

/**
 * Istio builds a TCP filter chain's RBAC from the same rules, without the HTTP-only attributes; in a
 * DENY rule an operation left with nothing matches every connection (IST0133, "configured
 * AuthorizationPolicy will deny all traffic to TCP ports under its scope", pkg/config/validation).
 * So a DENY operation with methods or paths but no ports gets the service's known ports, or a
 * warning when none are known.
 */
export function denyOperationPorts(
  p: PolicyDoc<AccessPolicy>,
  ports: ReturnType<typeof knownPorts>,
  diagnostics: Diagnostic[],
): (number[] | undefined)[] {
  const s = p.policy.spec;
  const known = ports.get(`${p.namespace}/${s.service}`);
  return (s.to ?? []).map((t, index) => {
    if (s.action !== 'deny' || t.ports || (!t.methods && !t.paths)) return t.ports;
    const at = p.at(['spec', 'to', index]);
    if (!known) {
      const callers = s.from
        .map((f) =>
          f.serviceAccount ? `${f.namespace ?? p.namespace}/${f.serviceAccount}` : `namespace ${f.namespace}`,
        )
        .join(', ');
      diagnostics.push(
        makeDiagnostic(ISTIO_MESSAGES.DenyHttpOnly, { callers, service: s.service, index }, at),
      );
      return undefined;
    }
    diagnostics.push(
      makeDiagnostic(
        ISTIO_MESSAGES.DenyPortsAdded,
        { index, ports: known.ports.join(', '), service: s.service, origin: known.origins.join(', ') },
        at,
      ),
    );
    return known.ports;
  });
}

/**
 * One neutral caller as an AuthorizationPolicy source: an identity (principals, or namespaces for a
 * whole namespace) and, for a caller by network, `ipBlocks` with `notIpBlocks` for the exceptions.
 * The fields of one source must all hold (authorization-policy#Source), as the neutral entry means.
 */
export function sourceOf(
  f: AccessPolicy['spec']['from'][number],
  namespace: string,
  ctx: CompileContext,
): Record<string, unknown> {
  return {
    ...(f.serviceAccount !== undefined
      ? { principals: [principal(f.namespace ?? namespace, f.serviceAccount, ctx)] }
      : f.namespace !== undefined
        ? { namespaces: [f.namespace] }
        : {}),
    ...(f.ipBlock ? { ipBlocks: [f.ipBlock.cidr] } : {}),
    ...(f.ipBlock?.except ? { notIpBlocks: f.ipBlock.except } : {}),
  };
}

export function compileAccess(
  policies: readonly PolicyDoc<AccessPolicy>[],
  ctx: CompileContext,
  traffic: readonly PolicyDoc<TrafficPolicy>[] = [],
): { resources: KubeObject[]; diagnostics: Diagnostic[] } {
  const resources: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const servicePorts = knownPorts(traffic);
  for (const p of policies) {
    const s = p.policy.spec;
    const sel = resolveSelector(p, s.service);
    if (sel.diagnostic) diagnostics.push(sel.diagnostic);
    const from = s.from.map((f) => ({ source: sourceOf(f, p.namespace, ctx) }));
    const ports = denyOperationPorts(p, servicePorts, diagnostics);
    const to = s.to?.map((t, i) => ({
      operation: {
        ...(t.methods ? { methods: t.methods } : {}),
        ...(t.paths ? { paths: t.paths } : {}),
        ...(ports[i] ? { ports: ports[i].map(String) } : {}),
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
