/**
 * Overlap analysis, before anything is compiled or applied:
 *
 * - **Conflicts** (AM3011, error): two TrafficPolicies for the same namespace and service whose
 *   scopes overlap (the same port, or neither has one; sources that can name the same caller, or
 *   neither has sources: a more specific policy takes precedence over a less specific one, which is
 *   not a conflict) have rules that surely catch the same request and set different things
 *   (backends, timeout, retries, fault, mirror, headers, CORS). Meshes resolve such overlaps in
 *   different ways (random pick, merge by specificity, creation time), so the outcome is not
 *   portable. Two MTLSPolicies for the same scope with different modes conflict too, and so do two
 *   BackendPolicies for one service whose ports overlap (the same port, or either has none): each
 *   mesh keeps one set of backend settings per service and port (Istio one DestinationRule per
 *   host, Consul one ServiceResolver), so which would win is not portable.
 * - **Shadowed rules** (AM3012, warning) and **shadowed match entries** (AM3013, warning): inside one
 *   policy, where the first matching rule wins, a rule (or one of its entries) that an earlier rule
 *   always catches is never reached. See `match.ts` for the conservative meaning of "always".
 *
 * Overlaps that cannot be decided (a regex against a prefix or another regex) are not reported.
 * AccessPolicies are not compared: allow and deny policies compose by design.
 */

import { mtlsScope } from '../compiler/usage.js';
import { type Diagnostic, diag, type SourceLocation } from '../diagnostics.js';
import type { FieldPath } from '../loader/positions.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import type {
  BackendPolicy,
  BackendT,
  MTLSPolicy,
  RouteMatchT,
  Rule,
  TrafficPolicy,
} from '../model/schema.js';
import { catches, describeMatch, overlap, ruleEntries } from './match.js';

export type FindingKind = 'conflict' | 'shadowed-rule' | 'shadowed-match';

export interface FindingSite {
  readonly policy: string;
  /** Dotted field path, e.g. `spec.rules[1].matches[0]`. */
  readonly path: string;
  readonly location: SourceLocation;
}

export interface OverlapFinding {
  readonly kind: FindingKind;
  /** The diagnostic, positioned at the later site. */
  readonly diagnostic: Diagnostic;
  /** The earlier site: the other policy's rule (conflict) or the catching rule (shadowing). */
  readonly other: FindingSite;
  /** For conflicts: the settings that differ, e.g. `backends`, `timeout`. */
  readonly fields?: readonly string[];
}

const ruleName = (rule: Rule, index: number) => rule.name ?? `rule-${index}`;

const where = (l: SourceLocation) => `${l.file}:${l.line}:${l.col}`;

function site(p: PolicyDoc, path: FieldPath): FindingSite {
  const at = p.at(path);
  return { policy: at.policy, path: at.path, location: at.location };
}

/** The path of a rule's entry, or of the rule when it has no matches. */
function entryPath(rule: Rule, r: number, e: number): FieldPath {
  return rule.matches?.length ? ['spec', 'rules', r, 'matches', e] : ['spec', 'rules', r];
}

// ---------------------------------------------------------------------------------------------
// Shadowing inside one policy.

function shadowing(p: PolicyDoc<TrafficPolicy>): OverlapFinding[] {
  const out: OverlapFinding[] = [];
  const rules = p.policy.spec.rules;
  rules.forEach((rule, r) => {
    const entries = ruleEntries(rule);
    const caught = entries.map((entry) => {
      for (let i = 0; i < r; i++) {
        const earlier = ruleEntries(rules[i]!);
        const e = earlier.findIndex((w) => catches(w, entry));
        if (e >= 0) return { rule: i, entry: e };
      }
      return undefined;
    });
    const by = (c: { rule: number; entry: number }) => {
      const rr = rules[c.rule]!;
      const label = rr.matches?.length
        ? `rule ${ruleName(rr, c.rule)} (match ${describeMatch(rr.matches[c.entry]!)})`
        : `rule ${ruleName(rr, c.rule)} (no matches: every request)`;
      return { label, site: site(p, entryPath(rr, c.rule, c.entry)) };
    };
    if (caught.every((c) => c !== undefined)) {
      const first = by(caught[0]!);
      const d = diag(
        'ShadowedRule',
        {
          rule: ruleName(rule, r),
          by: first.label,
          where: where(first.site.location),
          earlier: ruleName(rules[caught[0]!.rule]!, caught[0]!.rule),
        },
        p.at(rule.matches?.length ? ['spec', 'rules', r, 'matches'] : ['spec', 'rules', r]),
      );
      out.push({ kind: 'shadowed-rule', diagnostic: d, other: first.site });
      return;
    }
    caught.forEach((c, e) => {
      if (!c) return;
      const b = by(c);
      const d = diag(
        'ShadowedMatch',
        {
          entry: `${e} (${describeMatch(entries[e]!)})`,
          rule: ruleName(rule, r),
          by: b.label,
          where: where(b.site.location),
        },
        p.at(['spec', 'rules', r, 'matches', e]),
      );
      out.push({ kind: 'shadowed-match', diagnostic: d, other: b.site });
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conflicts between policies.

type Sources = TrafficPolicy['spec']['sources'];

function sourcesOverlap(a: Sources, b: Sources): boolean {
  if (!a?.length || !b?.length) return true;
  return a.some((s) =>
    b.some((t) => {
      if (s.namespace !== undefined && t.namespace !== undefined && s.namespace !== t.namespace) return false;
      if (
        s.serviceAccount !== undefined &&
        t.serviceAccount !== undefined &&
        s.serviceAccount !== t.serviceAccount
      )
        return false;
      for (const [k, v] of Object.entries(s.labels ?? {})) {
        const other = t.labels?.[k];
        if (other !== undefined && other !== v) return false;
      }
      return true;
    }),
  );
}

/**
 * Whether two policies compete for the same calls. A policy scoped to some callers takes
 * precedence over an unscoped one for those callers, and one for a port over one for every port
 * (the model defines that order; see docs/policy-model.md), so policies of different specificity
 * never conflict: the usual "override for these callers, default for the rest" pattern.
 */
function scopesOverlap(a: TrafficPolicy, b: TrafficPolicy): boolean {
  // At a gateway the requests are told apart by listener port and host name; spec.port is where
  // they go. A policy for one listener port meets one for every port (no precedence between them).
  if (a.spec.gateway || b.spec.gateway) {
    const [pa, pb] = [a.spec.gateway?.port, b.spec.gateway?.port];
    if (pa !== undefined && pb !== undefined && pa !== pb) return false;
    return hostnamesMeet(a.spec.gateway?.hostnames, b.spec.gateway?.hostnames);
  }
  if (a.spec.port !== undefined && b.spec.port !== undefined && a.spec.port !== b.spec.port) return false;
  if (Boolean(a.spec.sources?.length) !== Boolean(b.spec.sources?.length)) return false;
  if ((a.spec.port === undefined) !== (b.spec.port === undefined)) return false;
  return sourcesOverlap(a.spec.sources, b.spec.sources);
}

/**
 * Whether two host name lists can name the same request's host: either takes every host, or a name
 * equals one of the other's or falls under its wildcard (Gateway API: *.example.com is a suffix
 * match, test.example.com and foo.test.example.com, not example.com). A specific name beside a
 * wildcard counts as meeting: gateways resolve it by host precedence, which the model leaves open.
 */
function hostnamesMeet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return true;
  const under = (name: string, wildcard: string) =>
    wildcard.startsWith('*.') && name.endsWith(wildcard.slice(1));
  return a.some((x) => b.some((y) => x === y || under(x, y) || under(y, x)));
}

/** JSON with sorted keys, so equal settings compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}

/** A backend as what it means: versions resolved to their pod labels, defaults filled in. */
function resolveBackend(p: PolicyDoc<TrafficPolicy>, b: BackendT, single: boolean): unknown {
  const spec = p.policy.spec;
  const weight = b.weight ?? (single ? 100 : undefined);
  if (b.version !== undefined)
    return { service: spec.service, labels: spec.versions?.[b.version] ?? { version: b.version }, weight };
  return {
    service: b.service,
    namespace: b.namespace ?? p.namespace,
    port: b.port ?? spec.port,
    weight,
  };
}

const SETTINGS = [
  'backends',
  'timeout',
  'retries',
  'fault',
  'mirror',
  'requestHeaders',
  'responseHeaders',
  'cors',
  'redirect',
  'rewrite',
] as const;

function settings(p: PolicyDoc<TrafficPolicy>, rule: Rule): Record<string, string> {
  const backends = rule.backends?.length
    ? rule.backends.map((b) => resolveBackend(p, b, rule.backends!.length === 1))
    : [{ service: p.policy.spec.service, labels: null, weight: 100 }];
  const mirror = rule.mirror
    ? { backend: resolveBackend(p, rule.mirror.backend, true), percentage: rule.mirror.percentage ?? 100 }
    : undefined;
  const values: Record<string, unknown> = { ...rule, backends, mirror };
  return Object.fromEntries(SETTINGS.map((k) => [k, canonical(values[k] ?? null)]));
}

function differingSettings(
  p: PolicyDoc<TrafficPolicy>,
  a: Rule,
  q: PolicyDoc<TrafficPolicy>,
  b: Rule,
): string[] {
  const sa = settings(p, a);
  const sb = settings(q, b);
  return SETTINGS.filter((k) => sa[k] !== sb[k]);
}

/** True when an earlier rule of the policy catches the entry, so the request never reaches `rule`. */
function caughtBefore(rules: readonly Rule[], before: number, entry: RouteMatchT): boolean {
  for (let i = 0; i < before; i++) if (ruleEntries(rules[i]!).some((w) => catches(w, entry))) return true;
  return false;
}

function routeName(p: PolicyDoc<TrafficPolicy>, q: PolicyDoc<TrafficPolicy>): string {
  const g = p.policy.spec.gateway;
  if (g) return `requests at gateway ${g.namespace ?? p.namespace}/${g.name}`;
  const port = p.policy.spec.port ?? q.policy.spec.port;
  return `calls to ${p.namespace}/${p.policy.spec.service}${port !== undefined ? `:${port}` : ''}`;
}

function region(a: RouteMatchT, b: RouteMatchT): string {
  if (catches(a, b)) return describeMatch(b);
  if (catches(b, a)) return describeMatch(a);
  return `${describeMatch(a)} and ${describeMatch(b)}`;
}

function conflictsBetween(p: PolicyDoc<TrafficPolicy>, q: PolicyDoc<TrafficPolicy>): OverlapFinding[] {
  const out: OverlapFinding[] = [];
  const pr = p.policy.spec.rules;
  const qr = q.policy.spec.rules;
  qr.forEach((b, j) => {
    pr.forEach((a, i) => {
      let hit: { ea: RouteMatchT; eb: RouteMatchT; ia: number; ib: number } | undefined;
      ruleEntries(a).forEach((ea, ia) => {
        ruleEntries(b).forEach((eb, ib) => {
          if (hit || overlap(ea, eb) !== 'yes') return;
          // The shared requests never reach these rules when an earlier rule of either policy
          // already catches one whole side of the overlap.
          for (const e of [ea, eb]) if (caughtBefore(pr, i, e) || caughtBefore(qr, j, e)) return;
          hit = { ea, eb, ia, ib };
        });
      });
      if (!hit) return;
      const fields = differingSettings(p, a, q, b);
      if (!fields.length) return;
      const other = site(p, entryPath(a, i, hit.ia));
      const d = diag(
        'OverlapConflict',
        {
          subject: `rule ${ruleName(b, j)} of ${q.ref}`,
          other: `rule ${ruleName(a, i)} of ${p.ref}`,
          where: where(other.location),
          route: `${routeName(p, q)} (${region(hit.ea, hit.eb)})`,
          what: fields.join(', '),
          hint: 'merge them into one policy, or make their matches, ports or sources disjoint',
        },
        q.at(entryPath(b, j, hit.ib)),
      );
      out.push({ kind: 'conflict', diagnostic: d, other, fields });
    });
  });
  return out;
}

function mtlsTarget(p: PolicyDoc<MTLSPolicy>): string {
  const scope = mtlsScope(p.policy);
  if (scope === 'mesh') return 'mTLS of the whole mesh';
  if (scope === 'namespace') return `mTLS of namespace ${p.namespace}`;
  return `mTLS of service ${p.namespace}/${p.policy.spec.service ?? ''}`;
}

function mtlsConflicts(policies: readonly PolicyDoc<MTLSPolicy>[]): OverlapFinding[] {
  const out: OverlapFinding[] = [];
  const first = new Map<string, PolicyDoc<MTLSPolicy>>();
  for (const p of policies) {
    const key = mtlsTarget(p);
    const prior = first.get(key);
    if (!prior) {
      first.set(key, p);
      continue;
    }
    if (prior.policy.spec.mode === p.policy.spec.mode) continue;
    const other = site(prior, ['spec', 'mode']);
    out.push({
      kind: 'conflict',
      diagnostic: diag(
        'OverlapConflict',
        {
          subject: p.ref,
          other: prior.ref,
          where: where(other.location),
          route: key,
          what: 'mode',
          hint: 'keep one of them',
        },
        p.at(['spec', 'mode']),
      ),
      other,
      fields: ['mode'],
    });
  }
  return out;
}

const BACKEND_SETTINGS = ['outlierDetection', 'connectionLimits', 'loadBalancer', 'rateLimit'] as const;

function backendConflicts(policies: readonly PolicyDoc<BackendPolicy>[]): OverlapFinding[] {
  const out: OverlapFinding[] = [];
  policies.forEach((q, y) => {
    for (const p of policies.slice(0, y)) {
      const a = p.policy.spec;
      const b = q.policy.spec;
      if (p.namespace !== q.namespace || a.service !== b.service || p.ref === q.ref) continue;
      if (a.port !== undefined && b.port !== undefined && a.port !== b.port) continue;
      const fields = BACKEND_SETTINGS.filter((f) => a[f] !== undefined || b[f] !== undefined);
      const port = a.port ?? b.port;
      const other = site(p, ['spec', 'service']);
      out.push({
        kind: 'conflict',
        diagnostic: diag(
          'OverlapConflict',
          {
            subject: q.ref,
            other: p.ref,
            where: where(other.location),
            route: `calls to ${q.namespace}/${b.service}${port !== undefined ? ` port ${port}` : ''}`,
            what: fields.join(', '),
            hint: 'merge them into one BackendPolicy, or give each its own port',
          },
          q.at(['spec', 'service']),
        ),
        other,
        fields,
      });
      break;
    }
  });
  return out;
}

/**
 * Two policies for one service whose ports can meet (the same port, or either has none) and whose
 * protocols differ (AM3020): a mesh decides a port's protocol once, for every caller, so sources
 * do not separate them.
 */
function protocolConflicts(group: readonly PolicyDoc<TrafficPolicy>[]): OverlapFinding[] {
  const out: OverlapFinding[] = [];
  const protocol = (p: PolicyDoc<TrafficPolicy>) => p.policy.spec.protocol ?? 'http';
  group.forEach((q, y) => {
    const b = q.policy.spec;
    const p = group
      .slice(0, y)
      .find(
        (o) =>
          o.ref !== q.ref &&
          protocol(o) !== protocol(q) &&
          (o.policy.spec.port === undefined || b.port === undefined || o.policy.spec.port === b.port),
      );
    if (!p) return;
    const port = b.port ?? p.policy.spec.port;
    const at: FieldPath = b.protocol !== undefined ? ['spec', 'protocol'] : ['spec', 'service'];
    const other = site(p, p.policy.spec.protocol !== undefined ? ['spec', 'protocol'] : ['spec', 'service']);
    out.push({
      kind: 'conflict',
      diagnostic: diag(
        'ProtocolConflict',
        {
          policy: q.ref,
          route: `${q.namespace}/${b.service}${port !== undefined ? ` port ${port}` : ''}`,
          protocol: protocol(q),
          other: p.ref,
          where: where(other.location),
          otherProtocol: protocol(p),
        },
        q.at(at),
      ),
      other,
      fields: ['protocol'],
    });
  });
  return out;
}

/** Every conflict and shadowed rule among the policies, in input order. */
export function analyzeOverlaps(policies: readonly PolicyDoc[]): OverlapFinding[] {
  const traffic = policies.filter((p): p is PolicyDoc<TrafficPolicy> => p.kind === 'TrafficPolicy');
  const out: OverlapFinding[] = [];
  for (const p of traffic) out.push(...shadowing(p));
  const byService = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  // Rules compete for the calls to one service, or for the requests at one gateway (spec.gateway).
  const byRequests = new Map<string, PolicyDoc<TrafficPolicy>[]>();
  for (const p of traffic) {
    const key = `${p.namespace}/${p.policy.spec.service}`;
    byService.set(key, [...(byService.get(key) ?? []), p]);
    const g = p.policy.spec.gateway;
    const requests = g ? `gateway ${g.namespace ?? p.namespace}/${g.name}` : key;
    byRequests.set(requests, [...(byRequests.get(requests) ?? []), p]);
  }
  for (const group of byService.values()) out.push(...protocolConflicts(group));
  for (const group of byRequests.values()) {
    for (let x = 0; x < group.length; x++) {
      for (let y = x + 1; y < group.length; y++) {
        const p = group[x]!;
        const q = group[y]!;
        if (p.ref === q.ref || !scopesOverlap(p.policy, q.policy)) continue;
        out.push(...conflictsBetween(p, q));
      }
    }
  }
  out.push(...mtlsConflicts(policies.filter((p): p is PolicyDoc<MTLSPolicy> => p.kind === 'MTLSPolicy')));
  out.push(
    ...backendConflicts(policies.filter((p): p is PolicyDoc<BackendPolicy> => p.kind === 'BackendPolicy')),
  );
  return out;
}

/** The findings as plain diagnostics (for `validate`/`compile` wiring and for text output). */
export function overlapDiagnostics(policies: readonly PolicyDoc[]): Diagnostic[] {
  return analyzeOverlaps(policies).map((f) => f.diagnostic);
}
