/**
 * What a TrafficPolicy rule means when it omits `timeout` or `retries`, the same on every mesh, and
 * what each mesh does instead when it cannot produce that meaning.
 *
 * The neutral meaning (docs/policy-model.md, "Omitted timeout and retries"):
 * - no `timeout`: no time limit; a request takes as long as the service takes;
 * - no `retries`: a request the service may have seen is never sent again. Retrying a connection
 *   that failed before the request was written (connect-failure, refused-stream) is allowed: it
 *   cannot run the request twice.
 *
 * Why these: they are what the policy says when it says nothing, the only choice that is safe for
 * non-idempotent requests, and what two of the four meshes do with no configuration at all, so most
 * output stays as it is. The other choice, making every adapter write an explicit value, would
 * rewrite every reviewed golden file and still cannot give Consul or App Mesh "no limit" (neither
 * has a value that disables Envoy's 15 s route timeout). Each mesh therefore declares, in its
 * descriptor (`defaults`), what it does with an omitted field given the output anymesh writes, with
 * the source; where that is not the neutral meaning, `anymesh check` reports every rule that omits
 * the field as lossy on that mesh (AM3017, `defaultDifferences`). `compile` does not warn: the output
 * is what the mesh's users already get, and the check is where portability is judged.
 */
import type { MeshAdapter } from './adapter.js';
import { featuresUsed } from './compiler/usage.js';
import { type Diagnostic, diag } from './diagnostics.js';
import type { FeatureId } from './features/index.js';
import type { PolicyDoc } from './model/policy-doc.js';

export type DefaultedField = 'timeout' | 'retries';

export const DEFAULTED_FIELDS: readonly DefaultedField[] = ['timeout', 'retries'];

/** The neutral meaning of each omitted field, as docs and diagnostics say it. */
export const NEUTRAL_DEFAULTS: Readonly<Record<DefaultedField, string>> = {
  timeout: 'no time limit; a request takes as long as the service takes',
  retries:
    'no retries of a request the service may have seen (a connection that failed before the request was sent may be retried)',
};

/** The capability cell a default belongs to, for the docs link of a reported difference. */
const FEATURE_OF: Readonly<Record<DefaultedField, FeatureId>> = {
  timeout: 'timeout.request',
  retries: 'retries.attempts',
};

export interface MeshDefault {
  /** What the mesh does when a rule omits the field, with the output anymesh writes. */
  readonly behaviour: string;
  /**
   * For which rules that differs from the neutral meaning: `never` (the mesh produces it), `always`,
   * or `grpc` (only for gRPC services; a policy counts as gRPC when it uses a gRPC-only feature,
   * `spec.protocol: grpc` among them).
   */
  readonly differs: 'never' | 'always' | 'grpc';
  /** Where the behaviour is stated: the mesh's source or documentation. */
  readonly source: string;
}

export type MeshDefaults = Readonly<Record<DefaultedField, MeshDefault>>;

/** A policy uses gRPC when any of its features is gRPC-only (`*.grpc`). */
function usesGrpc(p: PolicyDoc): boolean {
  return featuresUsed(p).some((u) => u.feature.endsWith('.grpc'));
}

/**
 * One AM3017 warning per rule that omits a field the mesh gives another meaning: what `anymesh
 * check` counts as a loss on that mesh.
 */
export function defaultDifferences(policies: readonly PolicyDoc[], adapter: MeshAdapter): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of policies) {
    if (p.kind !== 'TrafficPolicy') continue;
    const rules = ((p.policy.spec as { rules?: Record<string, unknown>[] }).rules ?? []) as Record<
      string,
      unknown
    >[];
    // A TCP policy's rules see connections, not requests: request timeouts and retries do not apply
    // (its timeout is an idle timeout, protocol.tcp.idleTimeout).
    if ((p.policy.spec as { protocol?: string }).protocol === 'tcp') continue;
    const grpc = usesGrpc(p);
    rules.forEach((rule, i) => {
      // A redirect is answered by the proxy: nothing is forwarded, timed or retried.
      if (rule.redirect !== undefined) return;
      for (const field of DEFAULTED_FIELDS) {
        const d = adapter.defaults[field];
        if (rule[field] !== undefined || d.differs === 'never' || (d.differs === 'grpc' && !grpc)) continue;
        out.push(
          diag(
            'DefaultDiffers',
            {
              mesh: adapter.displayName,
              rule: typeof rule.name === 'string' ? rule.name : `rule-${i}`,
              field,
              meaning: NEUTRAL_DEFAULTS[field],
              behaviour: d.behaviour,
            },
            { ...p.at(['spec', 'rules', i]), feature: FEATURE_OF[field] },
          ),
        );
      }
    });
  }
  return out;
}
