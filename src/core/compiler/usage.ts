import { type DropScope, FEATURE_DEFS, type FeatureId, type FieldUse } from '../features/index.js';
import { mtlsScopeOf } from '../features/mtls.js';
import type { FieldPath } from '../loader/positions.js';
import type { PolicyDoc } from '../model/policy-doc.js';
import type { MTLSPolicy } from '../model/schema.js';

export type { DropScope } from '../features/index.js';
export { retryConditionFeature } from '../features/retries.js';

export interface FeatureUse {
  readonly feature: FeatureId;
  /** Where the feature is used, for the diagnostic's position. */
  readonly path: FieldPath;
  readonly scope: DropScope;
  /** What to remove when the feature is left out. */
  readonly drop: FieldPath;
}

/** One field use of one feature, ready for the walk. */
interface Entry {
  readonly feature: FeatureId;
  readonly use: FieldUse;
  /** How many leading segments of the use's path make the path to drop. */
  readonly dropLength: number;
}

/** The family data as a tree of schema field segments (`[]` for list entries), per kind. */
interface Node {
  readonly entries: Entry[];
  /** Uses of a field's default, by the name of the field, when it is absent. */
  readonly defaults: Map<string, Entry[]>;
  readonly children: Map<string, Node>;
}

const node = (): Node => ({ entries: [], defaults: new Map(), children: new Map() });

/** `spec.rules[].matches[]` -> spec, rules, [], matches, []. */
function segments(path: string): string[] {
  return path.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]));
}

/** The list entry a scope drops: its name in the path, and the entry index after it. */
const SCOPE_CONTAINER: Partial<Record<DropScope, string>> = {
  matchEntry: 'matches',
  rule: 'rules',
  sourceEntry: 'sources',
};

function dropLength(feature: string, use: FieldUse, path: readonly string[]): number {
  if (use.scope === 'policy') return 0;
  if (use.scope === 'field') {
    if (use.drop === undefined) return path.length;
    const [, ...drop] = segments(use.drop);
    if (drop.some((s, i) => s !== path[i]))
      throw new Error(`${feature}: drop ${use.drop} is not a parent of ${use.field}`);
    return drop.length;
  }
  const at = path.indexOf(SCOPE_CONTAINER[use.scope] ?? '');
  if (at < 0 || path[at + 1] !== '[]')
    throw new Error(`${feature}: scope ${use.scope} needs ${SCOPE_CONTAINER[use.scope]}[] in ${use.field}`);
  return at + 2;
}

/** Built once from the family files: kind -> tree. */
const TREES: ReadonlyMap<string, Node> = (() => {
  const trees = new Map<string, Node>();
  for (const def of FEATURE_DEFS) {
    for (const use of def.uses) {
      const [kind = '', ...path] = segments(use.field);
      const entry: Entry = { feature: def.id, use, dropLength: dropLength(def.id, use, path) };
      let at = trees.get(kind) ?? node();
      trees.set(kind, at);
      let parent = at;
      for (const seg of path) {
        parent = at;
        const next = at.children.get(seg) ?? node();
        at.children.set(seg, next);
        at = next;
      }
      at.entries.push(entry);
      if (use.orDefault) {
        const key = path[path.length - 1] ?? '';
        parent.defaults.set(key, [...(parent.defaults.get(key) ?? []), entry]);
      }
    }
  }
  return trees;
})();

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Finds every capability feature a policy uses, with the field path that uses it, and says what
 * leaving the feature out would remove, from the family data in `features/`. Uses come in document
 * order (a field before the fields inside it); a field's default comes after the fields beside it.
 *
 * Leaving a feature out must never widen what a policy does. Dropping a match condition would send
 * more traffic down a rule, so an unsupported condition drops its whole match entry (and a rule
 * whose entries are all gone is dropped); dropping a source would apply a rule to more callers, so
 * it drops the source entry (and a policy with none left); security policies are dropped whole.
 */
export function featuresUsed(doc: PolicyDoc): FeatureUse[] {
  const tree = TREES.get(doc.kind);
  const out: FeatureUse[] = [];
  if (!tree || !isRecord(doc.policy)) return out;
  // One path stack for the whole walk, copied only when a use is emitted: most fields visited use
  // no feature, and a fresh path per field was most of this walk's garbage on large inputs.
  const path: (string | number)[] = [];
  const emit = (e: Entry) => {
    const at = path.slice();
    out.push({ feature: e.feature, path: at, scope: e.use.scope, drop: at.slice(0, e.dropLength) });
  };
  const walk = (value: unknown, at: Node, parent: Record<string, unknown>) => {
    if (at.entries.length) {
      const ctx = { parent };
      for (const e of at.entries) if (!e.use.when || e.use.when(value, ctx)) emit(e);
    }
    if (Array.isArray(value)) {
      const each = at.children.get('[]');
      if (!each) return;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i], each, parent);
        path.pop();
      }
    } else if (isRecord(value)) {
      if (at.children.size) {
        for (const key in value) {
          const next = at.children.get(key);
          const v = value[key];
          if (!next || v === undefined) continue;
          path.push(key);
          walk(v, next, value);
          path.pop();
        }
      }
      if (at.defaults.size) {
        const ctx = { parent: value };
        for (const [key, entries] of at.defaults) {
          if (value[key] !== undefined) continue;
          for (const e of entries) if (!e.use.when || e.use.when(undefined, ctx)) emit(e);
        }
      }
    }
  };
  walk(doc.policy, tree, doc.policy);
  return out;
}

/** The scope an MTLSPolicy covers, with its default. */
export function mtlsScope(p: MTLSPolicy): 'mesh' | 'namespace' | 'service' {
  return mtlsScopeOf(p.spec);
}
