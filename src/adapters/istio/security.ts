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
import { ISTIO_MESSAGES, istioDiag } from './messages.js';
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
 * So a DENY operation with methods, paths or headers but no ports gets the service's known ports, or a
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
    if (s.action !== 'deny' || t.ports || (!t.methods && !t.paths && !t.headers)) return t.ports;
    const at = p.at(['spec', 'to', index]);
    if (!known) {
      const callers = s.from.map((f) => callerText(f, p.namespace)).join(', ');
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

/** A neutral caller in words, for messages: `ns/account`, `namespace ns`, a network, or any identity. */
function callerText(f: AccessPolicy['spec']['from'][number], namespace: string): string {
  const who = f.serviceAccount
    ? `${f.namespace ?? namespace}/${f.serviceAccount}`
    : f.namespace !== undefined
      ? `namespace ${f.namespace}`
      : f.authenticated
        ? 'every authenticated caller'
        : undefined;
  const where = f.ipBlock ? `network ${f.ipBlock.cidr}` : undefined;
  return who && where ? `${who} on ${where}` : (who ?? where ?? 'any caller');
}

/**
 * One neutral caller as an AuthorizationPolicy source: an identity (principals, "*" for any
 * authenticated caller, or namespaces for a whole namespace) and, for a caller by network,
 * `ipBlocks` with `notIpBlocks` for the exceptions.
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
        : // Any authenticated caller: the principal "*" (authorization-policy#Source).
          f.authenticated
          ? { principals: ['*'] }
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
    const rules = accessRules(p, ctx, denyOperationPorts(p, servicePorts, diagnostics), diagnostics);
    if (!rules) continue;
    resources.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: outputMetadata(p.name, p.namespace, [p]),
      spec: {
        selector: { matchLabels: sel.labels },
        action: s.action === 'allow' ? 'ALLOW' : 'DENY',
        rules,
      },
    });
  }
  return { resources, diagnostics };
}

type Operation = NonNullable<AccessPolicy['spec']['to']>[number];
type HeaderCondition = NonNullable<Operation['headers']>[number];

/**
 * A header condition as the value Istio's HeaderMatcher reads (`*` any value, `x*` a prefix), or
 * undefined when Istio would read a `*` at its ends as a wildcard. Regular expressions never reach
 * here: the column has no cell for them.
 */
function conditionValue(h: HeaderCondition): string | undefined {
  if (h.present) return '*';
  if (h.prefix !== undefined) return h.prefix.startsWith('*') ? undefined : `${h.prefix}*`;
  const exact = h.exact ?? '';
  return exact.startsWith('*') || exact.endsWith('*') ? undefined : exact;
}

/**
 * The AuthorizationPolicy rules of one AccessPolicy. A rule's operations are any of, its `when`
 * conditions all of (authorization-policy#Rule), so operations without headers share one rule and
 * each operation with headers is a rule of its own with them as conditions: any rule matching
 * means the same as any neutral operation matching, for ALLOW and DENY alike. `ports` are the
 * operations' ports after denyOperationPorts. Undefined (and an AM4121 error) when a header
 * condition cannot be written.
 */
export function accessRules(
  p: PolicyDoc<AccessPolicy>,
  ctx: CompileContext,
  ports: readonly (readonly number[] | undefined)[],
  diagnostics: Diagnostic[],
): Record<string, unknown>[] | undefined {
  const s = p.policy.spec;
  const from = s.from.map((f) => ({ source: sourceOf(f, p.namespace, ctx) }));
  if (!s.to) return [{ from }];
  const operation = (t: Operation, i: number) => {
    const op = {
      ...(t.methods ? { methods: t.methods } : {}),
      ...(t.paths ? { paths: t.paths } : {}),
      ...(ports[i] ? { ports: ports[i].map(String) } : {}),
    };
    return Object.keys(op).length ? [{ operation: op }] : undefined;
  };
  const plain = s.to.flatMap((t, i) => (t.headers ? [] : (operation(t, i) ?? [])));
  const rules: Record<string, unknown>[] = plain.length ? [{ from, to: plain }] : [];
  let refused = false;
  s.to.forEach((t, i) => {
    if (!t.headers) return;
    const when = t.headers.map((h, j) => {
      const value = conditionValue(h);
      if (value === undefined) {
        refused = true;
        diagnostics.push(
          istioDiag(
            'HeaderWildcard',
            {
              header: h.name,
              how: h.prefix !== undefined ? 'prefix' : 'exact',
              value: JSON.stringify(h.prefix ?? h.exact),
              service: s.service,
              policy: p.ref,
            },
            p.at(['spec', 'to', i, 'headers', j]),
          ),
        );
      }
      return { key: `request.headers[${h.name}]`, values: [value] };
    });
    const to = operation(t, i);
    rules.push({ from, ...(to ? { to } : {}), when });
  });
  return refused ? undefined : rules;
}
