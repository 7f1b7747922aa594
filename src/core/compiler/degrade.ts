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
  /** Rule indices (of the original policy) left out whole, with their names and why. */
  readonly droppedRules: { index: number; name: string; why: string }[];
}

/** Containers that mean "everything" when empty: never removed as a side effect of a drop. */
const MEANINGFUL_WHEN_EMPTY = new Set(['matches', 'rules', 'rule', 'sources', 'from', 'to', 'backends']);

const REMOVED = Symbol('removed');

/**
 * What is removed, as a tree of path segments (array indices as strings, as object keys are).
 * A degraded policy is rebuilt only along these paths; everything off them is the input's own
 * value, shared and never modified. Nearly every policy is degraded on Linkerd, Consul and App
 * Mesh with --allow-degraded: a deep copy of each (and the copy compact made of it) was a second
 * and third policy tree per policy, ~160 MB held at 100,000 policies and twice that made.
 */
interface Marks {
  removed?: true;
  children?: Map<string, Marks>;
}

/** Marks the value at `path` for removal (arrays are compacted afterwards, so indices stay valid). */
function mark(marks: Marks, path: FieldPath): void {
  if (path.length === 0) return;
  let node = marks;
  for (const seg of path) {
    // A removed value's fields go with it.
    if (node.removed) return;
    node.children ??= new Map();
    const key = String(seg);
    let next = node.children.get(key);
    if (!next) {
      next = {};
      node.children.set(key, next);
    }
    node = next;
  }
  node.removed = true;
}

/** True when the value at `path`, or one of its parents, is marked for removal. */
function isRemoved(marks: Marks, path: FieldPath): boolean {
  let node: Marks | undefined = marks;
  for (const seg of path) {
    if (!node || node.removed) break;
    node = node.children?.get(String(seg));
  }
  return node?.removed === true;
}

/**
 * The value without what `marks` removes; removes objects and lists left empty by that, except
 * meaningful ones. A value nothing is removed from is returned as it is (shared). One pass per
 * container on the marked paths (no filter/map/filter, no entry pairs).
 */
function compact(value: unknown, marks: Marks | undefined, key?: string | number): unknown {
  const children = marks?.children;
  if (!children) return value;
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let unmarked = 0;
    for (let i = 0; i < value.length; i++) {
      const m = children.get(String(i));
      if (m?.removed) continue;
      // An entry's key is its index among the unmarked entries (a rule is a `rule`).
      const c = compact(value[i], m, key === 'rules' ? 'rule' : unmarked);
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
      const m = children.get(k);
      if (m?.removed) continue;
      const c = compact((value as Record<string, unknown>)[k], m, k);
      if (c !== REMOVED) out[k] = c;
    }
    // Keys of `out`, not a count: a `__proto__` key assigned here is no own key (as before).
    return keys.length > 0 && Object.keys(out).length === 0 && !MEANINGFUL_WHEN_EMPTY.has(String(key))
      ? REMOVED
      : out;
  }
  return value;
}

export function degrade(policy: Policy, drops: readonly FeatureUse[]): DegradeResult {
  if (drops.length === 0) return { policy, droppedRules: [] };
  if (drops.some((d) => d.scope === 'policy')) return { policy: undefined, droppedRules: [] };
  const marks: Marks = {};
  // Kinds without rules (BackendPolicy) lose fields only.
  if (!Array.isArray((policy.spec as { rules?: unknown }).rules)) {
    for (const d of drops) mark(marks, d.drop);
    return { policy: compact(policy, marks) as Policy, droppedRules: [] };
  }
  const input = policy as TrafficPolicy;
  const droppedRules = new Set<number>();
  // Why each was left out: a feature that carries the whole rule (a redirect: without it the rule
  // would route instead), or every match entry gone.
  const why = new Map<number, string>();
  for (const d of drops) {
    if (d.scope !== 'rule') continue;
    const r = d.drop[2] as number;
    droppedRules.add(r);
    if (!why.has(r)) why.set(r, `it needs ${d.feature}, which the mesh cannot express`);
  }
  const ALL_MATCHES = 'all of its matches used features it cannot express';
  // A rule whose match entries are all dropped is dropped: an empty `matches` would match all.
  input.spec.rules.forEach((rule, r) => {
    if (droppedRules.has(r) || !rule.matches?.length) return;
    const gone = new Set(
      drops.filter((d) => d.scope === 'matchEntry' && d.drop[2] === r).map((d) => d.drop[4] as number),
    );
    if (gone.size === rule.matches.length) {
      droppedRules.add(r);
      why.set(r, ALL_MATCHES);
    }
  });
  const sourcesGone = new Set(drops.filter((d) => d.scope === 'sourceEntry').map((d) => d.drop[2] as number));
  if (input.spec.sources && sourcesGone.size === input.spec.sources.length)
    return { policy: undefined, droppedRules: [] };
  if (droppedRules.size === input.spec.rules.length) {
    return {
      policy: undefined,
      droppedRules: input.spec.rules.map((r, index) => ({
        index,
        name: r.name ?? `rule-${index}`,
        why: why.get(index) ?? ALL_MATCHES,
      })),
    };
  }
  for (const d of drops) {
    if (d.scope === 'rule') continue;
    if (d.scope === 'matchEntry' || d.scope === 'field' || d.scope === 'sourceEntry') {
      if (d.drop[0] === 'spec' && d.drop[1] === 'rules' && droppedRules.has(d.drop[2] as number)) continue;
      mark(marks, d.drop);
    }
  }
  for (const r of droppedRules) mark(marks, ['spec', 'rules', r]);
  // Retries that lost every retry condition would retry on the mesh's default conditions, i.e. on
  // failures the user did not ask to retry (non-idempotent calls repeated): leave them out whole.
  input.spec.rules.forEach((rule, r) => {
    const at = ['spec', 'rules', r, 'retries', 'retryOn'];
    const retryOn = isRemoved(marks, at) ? undefined : rule.retries?.retryOn;
    if (retryOn?.length && retryOn.every((_, i) => isRemoved(marks, [...at, i])))
      mark(marks, ['spec', 'rules', r, 'retries']);
  });
  let result = compact(input, marks) as TrafficPolicy;
  // A CORS policy that lost every allowed origin allows nothing: leave it out entirely. The rule
  // may be the input's own (shared): a copy without `cors`, never a change to the input.
  type Rule = TrafficPolicy['spec']['rules'][number];
  const corsless = (rule: Rule) => rule.cors !== undefined && !rule.cors.allowOrigins?.length;
  if (result.spec.rules.some(corsless)) {
    const rules = result.spec.rules.map((rule): Rule => {
      if (!corsless(rule)) return rule;
      const { cors: _, ...rest } = rule;
      return rest;
    });
    result = { ...result, spec: { ...result.spec, rules } };
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
        why: why.get(index) ?? ALL_MATCHES,
      })),
  };
}
