/**
 * Finds every capability feature a policy uses, with the field path that uses it, and says what
 * leaving the feature out would remove.
 *
 * Leaving a feature out must never widen what a policy does. Dropping a match condition would send
 * more traffic down a rule, so an unsupported condition drops its whole match entry (and a rule
 * whose entries are all gone is dropped); dropping a source would apply a rule to more callers, so
 * it drops the source entry (and a policy with none left); security policies are dropped whole.
 */
import { type Diagnostic, diag } from '../diagnostics.js';
import type { FeatureId } from '../features.js';
import type { FieldPath } from '../loader/positions.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import type { AccessPolicy, MTLSPolicy, RouteMatchT, TrafficPolicy } from '../model/schema.js';

/** What is removed when the feature is left out. */
export type DropScope =
  /** The field at `drop` (and parents left empty). */
  | 'field'
  /** The match entry at `drop`; the rule too when no entry is left. */
  | 'matchEntry'
  /** The rule at `drop`. */
  | 'rule'
  /** The source entry at `drop`; the whole policy when none is left. */
  | 'sourceEntry'
  /** The whole policy. */
  | 'policy';

export interface FeatureUse {
  readonly feature: FeatureId;
  /** Where the feature is used, for the diagnostic's position. */
  readonly path: FieldPath;
  readonly scope: DropScope;
  /** What to remove when the feature is left out. */
  readonly drop: FieldPath;
}

const RETRY_FAMILY: Record<string, FeatureId> = {
  '5xx': 'retries.on.http',
  'gateway-error': 'retries.on.http',
  'retriable-4xx': 'retries.on.http',
  reset: 'retries.on.connection',
  'connect-failure': 'retries.on.connection',
  'refused-stream': 'retries.on.connection',
  cancelled: 'retries.on.grpc',
  'deadline-exceeded': 'retries.on.grpc',
  internal: 'retries.on.grpc',
  'resource-exhausted': 'retries.on.grpc',
  unavailable: 'retries.on.grpc',
};

/** The feature a retry condition belongs to; bare status codes are HTTP conditions. */
export function retryConditionFeature(cond: string): FeatureId {
  return RETRY_FAMILY[cond] ?? 'retries.on.http';
}

export function featuresUsed(doc: PolicyDoc): FeatureUse[] {
  switch (doc.kind) {
    case 'TrafficPolicy':
      return trafficFeatures(doc.policy as TrafficPolicy);
    case 'AccessPolicy':
      return accessFeatures(doc.policy as AccessPolicy);
    case 'MTLSPolicy':
      return mtlsFeatures(doc.policy as MTLSPolicy);
    default:
      return [];
  }
}

function matchFeatures(m: RouteMatchT, at: FieldPath): FeatureUse[] {
  const out: FeatureUse[] = [];
  const use = (feature: FeatureId, path: FieldPath) =>
    out.push({ feature, path, scope: 'matchEntry', drop: at });
  if (m.path?.exact !== undefined) use('match.path.exact', [...at, 'path', 'exact']);
  if (m.path?.prefix !== undefined) use('match.path.prefix', [...at, 'path', 'prefix']);
  if (m.path?.regex !== undefined) use('match.path.regex', [...at, 'path', 'regex']);
  if (m.method !== undefined) use('match.method', [...at, 'method']);
  m.headers?.forEach((h, i) => {
    const kind =
      h.exact !== undefined
        ? 'exact'
        : h.prefix !== undefined
          ? 'prefix'
          : h.regex !== undefined
            ? 'regex'
            : 'present';
    use(`match.headers.${kind}`, [...at, 'headers', i, kind]);
  });
  m.queryParams?.forEach((q, i) => {
    const kind = q.exact !== undefined ? 'exact' : q.regex !== undefined ? 'regex' : 'present';
    use(`match.queryParams.${kind}`, [...at, 'queryParams', i, kind]);
  });
  return out;
}

function trafficFeatures(p: TrafficPolicy): FeatureUse[] {
  const out: FeatureUse[] = [];
  const s = p.spec;
  if (s.port !== undefined)
    out.push({ feature: 'match.port', path: ['spec', 'port'], scope: 'policy', drop: [] });
  s.sources?.forEach((src, i) => {
    const at: FieldPath = ['spec', 'sources', i];
    if (src.namespace !== undefined)
      out.push({
        feature: 'routing.sources.namespace',
        path: [...at, 'namespace'],
        scope: 'sourceEntry',
        drop: at,
      });
    if (src.serviceAccount !== undefined)
      out.push({
        feature: 'routing.sources.serviceAccount',
        path: [...at, 'serviceAccount'],
        scope: 'sourceEntry',
        drop: at,
      });
    if (src.labels !== undefined)
      out.push({
        feature: 'routing.sources.labels',
        path: [...at, 'labels'],
        scope: 'sourceEntry',
        drop: at,
      });
  });
  s.rules.forEach((rule, r) => {
    const at = (...rest: FieldPath): FieldPath => ['spec', 'rules', r, ...rest];
    rule.matches?.forEach((m, i) => out.push(...matchFeatures(m, at('matches', i))));
    const backends = rule.backends ?? [];
    const ruleUse = (feature: FeatureId, path: FieldPath) =>
      out.push({ feature, path, scope: 'rule', drop: at() });
    backends.forEach((b, i) => {
      if (b.version !== undefined) ruleUse('backends.version', at('backends', i, 'version'));
      if (b.service !== undefined) ruleUse('backends.service', at('backends', i, 'service'));
    });
    if (backends.length > 1) ruleUse('backends.weighted', at('backends'));
    const field = (feature: FeatureId, path: FieldPath, drop: FieldPath = path) =>
      out.push({ feature, path, scope: 'field', drop });
    if (rule.timeout !== undefined) field('timeout.request', at('timeout'));
    if (rule.retries) {
      const rt = rule.retries;
      field('retries.attempts', at('retries', 'attempts'), at('retries'));
      if (rt.perTryTimeout !== undefined) field('retries.perTryTimeout', at('retries', 'perTryTimeout'));
      rt.retryOn?.forEach((cond, i) => field(retryConditionFeature(cond), at('retries', 'retryOn', i)));
      if (rt.backoff) {
        field('retries.backoff', at('retries', 'backoff', 'base'), at('retries', 'backoff'));
        if (rt.backoff.max !== undefined) field('retries.backoff.max', at('retries', 'backoff', 'max'));
      }
    }
    if (rule.fault?.delay) field('fault.delay', at('fault', 'delay'));
    if (rule.fault?.abort?.status !== undefined)
      field('fault.abort.http', at('fault', 'abort', 'status'), at('fault', 'abort'));
    if (rule.fault?.abort?.grpcStatus !== undefined)
      field('fault.abort.grpc', at('fault', 'abort', 'grpcStatus'), at('fault', 'abort'));
    if (rule.mirror) {
      field('mirror', at('mirror'));
      if (rule.mirror.percentage !== undefined && rule.mirror.percentage !== 100)
        field('mirror.percentage', at('mirror', 'percentage'), at('mirror'));
      const b = rule.mirror.backend;
      if (b.version !== undefined)
        field('backends.version', at('mirror', 'backend', 'version'), at('mirror'));
      if (b.service !== undefined)
        field('backends.service', at('mirror', 'backend', 'service'), at('mirror'));
    }
    for (const [which, family] of [
      ['requestHeaders', 'request'],
      ['responseHeaders', 'response'],
    ] as const) {
      const ops = rule[which];
      if (ops?.set) field(`headers.${family}.set`, at(which, 'set'));
      if (ops?.add) field(`headers.${family}.add`, at(which, 'add'));
      if (ops?.remove) field(`headers.${family}.remove`, at(which, 'remove'));
    }
    if (rule.cors) {
      field('cors', at('cors'));
      rule.cors.allowOrigins.forEach((o, i) => {
        if (o.prefix !== undefined)
          field(
            'cors.allowOrigins.prefix',
            at('cors', 'allowOrigins', i, 'prefix'),
            at('cors', 'allowOrigins', i),
          );
        if (o.regex !== undefined)
          field(
            'cors.allowOrigins.regex',
            at('cors', 'allowOrigins', i, 'regex'),
            at('cors', 'allowOrigins', i),
          );
      });
    }
  });
  return out;
}

function accessFeatures(p: AccessPolicy): FeatureUse[] {
  const out: FeatureUse[] = [];
  const use = (feature: FeatureId, path: FieldPath) => out.push({ feature, path, scope: 'policy', drop: [] });
  use(p.spec.action === 'allow' ? 'access.allow' : 'access.deny', ['spec', 'action']);
  p.spec.from.forEach((f, i) => {
    // A namespace with a service account only qualifies the account; on its own it means every
    // workload of the namespace, which is what access.from.namespace is about.
    if (f.namespace !== undefined && f.serviceAccount === undefined)
      use('access.from.namespace', ['spec', 'from', i, 'namespace']);
    if (f.serviceAccount !== undefined)
      use('access.from.serviceAccount', ['spec', 'from', i, 'serviceAccount']);
  });
  p.spec.to?.forEach((t, i) => {
    if (t.methods) use('access.to.methods', ['spec', 'to', i, 'methods']);
    if (t.paths) use('access.to.paths', ['spec', 'to', i, 'paths']);
    if (t.ports) use('access.to.ports', ['spec', 'to', i, 'ports']);
  });
  return out;
}

/** The scope an MTLSPolicy covers, with its default. */
export function mtlsScope(p: MTLSPolicy): 'mesh' | 'namespace' | 'service' {
  return p.spec.scope ?? (p.spec.service !== undefined ? 'service' : 'namespace');
}

function mtlsFeatures(p: MTLSPolicy): FeatureUse[] {
  const scope = mtlsScope(p);
  return [
    { feature: `mtls.${p.spec.mode}`, path: ['spec', 'mode'], scope: 'policy', drop: [] },
    {
      feature: `mtls.scope.${scope}`,
      path: p.spec.scope ? ['spec', 'scope'] : ['spec'],
      scope: 'policy',
      drop: [],
    },
  ];
}

/**
 * The first MTLSPolicy for each scope (the mesh, a namespace, a service), and a conflict diagnostic
 * for every other one: a mesh has one mTLS mode per scope, and which of two it applies is up to
 * the mesh (Istio takes the oldest), so a second policy is refused rather than guessed at.
 */
export function onePerMtlsScope<P extends PolicyDoc>(
  policies: readonly P[],
): { kept: P[]; diagnostics: Diagnostic[] } {
  const kept: P[] = [];
  const diagnostics: Diagnostic[] = [];
  const taken = new Map<string, P>();
  for (const p of policies) {
    const policy = p.policy as MTLSPolicy;
    const scope = mtlsScope(policy);
    const key =
      scope === 'mesh'
        ? 'mesh'
        : scope === 'namespace'
          ? `ns/${p.namespace}`
          : `svc/${p.namespace}/${policy.spec.service}`;
    const prior = taken.get(key);
    if (prior) {
      diagnostics.push(
        diag('MtlsScopeConflict', { policy: p.ref, scope, other: prior.ref }, p.at(['spec', 'mode'])),
      );
      continue;
    }
    taken.set(key, p);
    kept.push(p);
  }
  return { kept, diagnostics };
}
