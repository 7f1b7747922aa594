/**
 * Rules that hold the same whatever the mesh, enforced once by the compiler instead of by each
 * adapter (where they existed in three forms, and not at all in Linkerd): one mTLS mode per scope,
 * and never two outputs of one name.
 */
import { type KubeObject, SOURCE_ANNOTATION, SOURCE_COUNT_ANNOTATION } from '../adapter.js';
import { type Diagnostic, diag } from '../diagnostics.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import type { MTLSPolicy } from '../model/schema.js';
import { mtlsScope } from './usage.js';

/**
 * A diagnostic for every object whose apiVersion, kind, namespace and name an earlier one has.
 * Seen objects are kept in maps nested by those four fields rather than under one joined key: a
 * joined key per object was 100 MB of strings for the 600,000 objects of 100,000 policies on App
 * Mesh, made at the end of compiling when the heap is at its fullest (and a joined key could not
 * tell a cluster-scoped object from one in a namespace named `undefined`).
 */
export function duplicateNames(resources: readonly KubeObject[]): Diagnostic[] {
  const seen = new Map<string, Map<string, Map<string | undefined, Map<string, KubeObject>>>>();
  const out: Diagnostic[] = [];
  for (const r of resources) {
    const byKind = getOrAdd(seen, r.apiVersion, () => new Map());
    const byNamespace = getOrAdd(byKind, r.kind, () => new Map());
    const byName = getOrAdd(byNamespace, r.metadata.namespace, () => new Map());
    const prior = byName.get(r.metadata.name);
    if (!prior) {
      byName.set(r.metadata.name, r);
      continue;
    }
    const from = (o: KubeObject) =>
      o.metadata.annotations?.[SOURCE_ANNOTATION] ??
      `${o.metadata.annotations?.[SOURCE_COUNT_ANNOTATION] ?? 0} policies`;
    out.push(
      diag('ObjectNameCollision', {
        object: `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`,
        policy: from(prior),
        other: from(r),
      }),
    );
  }
  return out;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
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
