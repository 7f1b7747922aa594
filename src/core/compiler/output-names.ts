/**
 * The guard against two outputs of one name: names are derived from policy, service, rule and port
 * names, and some objects land in other namespaces than their policy's, so two policies can ask
 * for the same object; written as-is, one would silently overwrite the other.
 */
import { type KubeObject, SOURCE_ANNOTATION } from '../adapter.js';
import { type Diagnostic, diag } from '../diagnostics.js';

/** A diagnostic for every object whose apiVersion, kind, namespace and name an earlier one has. */
export function duplicateNames(resources: readonly KubeObject[]): Diagnostic[] {
  const seen = new Map<string, KubeObject>();
  const out: Diagnostic[] = [];
  for (const r of resources) {
    const key = `${r.apiVersion}/${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, r);
      continue;
    }
    const from = (o: KubeObject) => o.metadata.annotations?.[SOURCE_ANNOTATION] ?? '';
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
