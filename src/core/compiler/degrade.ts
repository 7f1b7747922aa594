/**
 * Leaves features out of a policy (for `--allow-degraded` and `onUnsupported: warn`) without ever
 * widening what the policy does; the scopes are in `features/types.ts`, the reasons in `usage.ts`.
 */
import type { FieldPath } from '../loader/positions.js';
import type { Policy, TrafficPolicy } from '../model/schema.js';
import type { FeatureUse } from './usage.js';

export interface DegradeResult {
  /** The policy without the dropped features, or undefined when the whole policy is left out. */
  readonly policy: Policy | undefined;
  /** Rule indices (of the original policy) left out whole, with their names. */
  readonly droppedRules: { index: number; name: string }[];
}

/** Containers that mean "everything" when empty: never removed as a side effect of a drop. */
const MEANINGFUL_WHEN_EMPTY = new Set(['matches', 'rules', 'rule', 'sources', 'from', 'to', 'backends']);

const REMOVED = Symbol('removed');

function getAt(root: unknown, path: FieldPath): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Marks the value at `path` for removal (arrays are compacted afterwards, so indices stay valid). */
function mark(root: unknown, path: FieldPath): void {
  if (path.length === 0) return;
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (parent && typeof parent === 'object') (parent as Record<string | number, unknown>)[last] = REMOVED;
}

/**
 * Removes marked values; removes objects and lists left empty by that, except meaningful ones.
 * One pass per container (no filter/map/filter, no entry pairs): nearly every policy is degraded
 * on Linkerd, Consul and App Mesh with --allow-degraded.
 */
function compact(value: unknown, key?: string | number): unknown {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let unmarked = 0;
    for (const v of value) {
      if (v === REMOVED) continue;
      // An entry's key is its index among the unmarked entries (a rule is a `rule`).
      const c = compact(v, key === 'rules' ? 'rule' : unmarked);
      unmarked++;
      if (c !== REMOVED) kept.push(c);
    }
    const emptied = unmarked === 0 && value.length > 0;
    return emptied && !MEANINGFUL_WHEN_EMPTY.has(String(key)) ? REMOVED : kept;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === REMOVED) continue;
      const c = compact(v, k);
      if (c !== REMOVED) out[k] = c;
    }
    // Keys of `out`, not a count: a `__proto__` key assigned here is no own key (as before).
    return keys.length > 0 && Object.keys(out).length === 0 && !MEANINGFUL_WHEN_EMPTY.has(String(key))
      ? REMOVED
      : out;
  }
  return value;
}

/**
 * A deep copy of a parsed policy (plain objects, arrays and scalars: js-yaml's core schema makes
 * nothing else). structuredClone serializes and was 5% of compiling 10,000 policies for Linkerd,
 * where nearly every policy is degraded.
 */
function cloneTree(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneTree);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const c = cloneTree((v as Record<string, unknown>)[k]);
      // A `__proto__` key (YAML allows it) stays a key, as structuredClone kept it.
      if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true });
      else out[k] = c;
    }
    return out;
  }
  return v;
}

export function degrade(policy: Policy, drops: readonly FeatureUse[]): DegradeResult {
  if (drops.length === 0) return { policy, droppedRules: [] };
  if (drops.some((d) => d.scope === 'policy')) return { policy: undefined, droppedRules: [] };
  // Kinds without rules (BackendPolicy) lose fields only.
  if (!Array.isArray((policy.spec as { rules?: unknown }).rules)) {
    const copy = cloneTree(policy) as Policy;
    for (const d of drops) mark(copy, d.drop);
    return { policy: compact(copy) as Policy, droppedRules: [] };
  }
  const copy = cloneTree(policy) as TrafficPolicy;
  const droppedRules = new Set<number>();
  for (const d of drops) {
    if (d.scope === 'rule') droppedRules.add(d.drop[2] as number);
  }
  // A rule whose match entries are all dropped is dropped: an empty `matches` would match all.
  copy.spec.rules.forEach((rule, r) => {
    if (droppedRules.has(r) || !rule.matches?.length) return;
    const gone = new Set(
      drops.filter((d) => d.scope === 'matchEntry' && d.drop[2] === r).map((d) => d.drop[4] as number),
    );
    if (gone.size === rule.matches.length) droppedRules.add(r);
  });
  const sourcesGone = new Set(drops.filter((d) => d.scope === 'sourceEntry').map((d) => d.drop[2] as number));
  if (copy.spec.sources && sourcesGone.size === copy.spec.sources.length)
    return { policy: undefined, droppedRules: [] };
  if (droppedRules.size === copy.spec.rules.length) {
    return {
      policy: undefined,
      droppedRules: copy.spec.rules.map((r, index) => ({ index, name: r.name ?? `rule-${index}` })),
    };
  }
  for (const d of drops) {
    if (d.scope === 'rule') continue;
    if (d.scope === 'matchEntry' || d.scope === 'field' || d.scope === 'sourceEntry') {
      if (d.drop[0] === 'spec' && d.drop[1] === 'rules' && droppedRules.has(d.drop[2] as number)) continue;
      mark(copy, d.drop);
    }
  }
  for (const r of droppedRules) mark(copy, ['spec', 'rules', r]);
  // Retries that lost every retry condition would retry on the mesh's default conditions, i.e. on
  // failures the user did not ask to retry (non-idempotent calls repeated): leave them out whole.
  copy.spec.rules.forEach((rule, r) => {
    const retryOn = (rule as unknown) === REMOVED ? undefined : rule.retries?.retryOn;
    if (retryOn?.length && retryOn.every((c) => (c as unknown) === REMOVED))
      mark(copy, ['spec', 'rules', r, 'retries']);
  });
  const result = compact(copy) as TrafficPolicy;
  // A CORS policy that lost every allowed origin allows nothing: leave it out entirely.
  for (const rule of result.spec.rules) {
    if (rule.cors && !rule.cors.allowOrigins?.length) delete rule.cors;
  }
  return {
    policy: result,
    droppedRules: [...droppedRules]
      .sort((a, b) => a - b)
      .map((index) => ({
        index,
        name:
          policy.kind === 'TrafficPolicy'
            ? ((policy as TrafficPolicy).spec.rules[index]?.name ?? `rule-${index}`)
            : `rule-${index}`,
      })),
  };
}
