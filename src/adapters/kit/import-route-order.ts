/**
 * The order of imported rules. Meshes do not try Gateway API route rules in list order: among the
 * rules of every route of one parent they pick the most specific match (Gateway API precedence:
 * exact path, then the longest prefix, then a method, then the most headers, then the most query
 * parameters; a RegularExpression path ranks above every PathPrefix in Linkerd and below in Istio
 * (pilot/pkg/config/kube/gateway/conversion.go getURIRank), see kit/route-order.ts), on a tie the
 * oldest route, then the route's name, then list order (GEP-1294). Neutral rules are tried in
 * order, first match wins, so the rules of all routes are merged most specific first; the rules of
 * one route keep their relative order (the compiler refuses a list whose order the mesh would not
 * keep, so what anymesh wrote comes back as it was).
 */
import type { NativeObject } from '../../core/import.js';
import type { RouteDialect } from './import-route-dialect.js';
import type { RuleIR } from './import-route-rule.js';
import type { NativeReader, Obj } from './native-reader.js';

/** Gateway API precedence of one native match entry, compared element by element (bigger wins). */
export function nativeRank(m: Obj | undefined, regexAbovePrefix: boolean): number[] {
  const path = m?.path as Obj | undefined;
  const type = (path?.type as string | undefined) ?? 'PathPrefix';
  const value = String(path?.value ?? '/');
  const kind = type === 'Exact' ? 3 : type === 'RegularExpression' ? (regexAbovePrefix ? 2 : 0) : 1;
  return [
    kind,
    value.length,
    m?.method !== undefined ? 1 : 0,
    ((m?.headers as unknown[] | undefined) ?? []).length,
    ((m?.queryParams as unknown[] | undefined) ?? []).length,
  ];
}

/** The rank of a rule: that of its most specific match entry (no entry: every request). */
export function ruleRank(nativeMatches: readonly Obj[], regexAbovePrefix: boolean): number[] {
  return nativeMatches.length
    ? nativeMatches
        .map((m) => nativeRank(m, regexAbovePrefix))
        .reduce((a, b) => (compareRank(a, b) >= 0 ? a : b))
    : nativeRank(undefined, regexAbovePrefix);
}

export function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface Ordered<T> {
  readonly item: T;
  readonly route: NativeObject;
  /** The rule's most specific match. */
  readonly rank: number[];
  /** Where the rule must go (its name says it: `rule-<n>`), when known. */
  readonly pin?: number;
}

/** Route age, then name, as Gateway API breaks ties between routes. */
export function routeKey(o: NativeObject): string {
  const created = (o.object.metadata as { creationTimestamp?: string }).creationTimestamp ?? '';
  return `${created}\u0000${o.namespace}/${o.object.metadata.name}`;
}

/**
 * Merges the rule lists of several routes (each in list order) into one neutral order: at each
 * step the rule pinned to this index, else the most specific head (not pinned further on).
 */
export function mergeRules<T>(lists: readonly (readonly Ordered<T>[])[]): Ordered<T>[] {
  const queues = lists.map((l) => [...l]).filter((l) => l.length);
  const total = queues.reduce((n, q) => n + q.length, 0);
  const out: Ordered<T>[] = [];
  while (out.length < total) {
    const k = out.length;
    const heads = queues.filter((q) => q.length).map((q) => q[0]!);
    const pinned = heads.find((h) => h.pin === k);
    const free = heads.filter((h) => h.pin === undefined || h.pin < k);
    const pick =
      pinned ??
      (free.length
        ? free.reduce((best, h) => {
            const c = compareRank(h.rank, best.rank);
            return c > 0 || (c === 0 && routeKey(h.route) < routeKey(best.route)) ? h : best;
          })
        : heads.reduce((best, h) => ((h.pin ?? 0) < (best.pin ?? 0) ? h : best)));
    const q = queues.find((x) => x[0] === pick)!;
    q.shift();
    out.push(pick);
  }
  return out;
}

/** Gateway API PathPrefix semantics: whole segments, a trailing `/` ignored. */
function prefixCovers(prefix: string, path: string): boolean {
  const p = prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  return p === '/' || path === p || path.startsWith(`${p}/`);
}

/** Whether some request can match both native entries (conservative: true when unsure). */
export function mayOverlap(a: Obj | undefined, b: Obj | undefined): boolean {
  const pa = a?.path as Obj | undefined;
  const pb = b?.path as Obj | undefined;
  const ta = (pa?.type as string | undefined) ?? 'PathPrefix';
  const tb = (pb?.type as string | undefined) ?? 'PathPrefix';
  const va = String(pa?.value ?? '/');
  const vb = String(pb?.value ?? '/');
  if (ta === 'Exact' && tb === 'Exact' && va !== vb) return false;
  if (ta === 'Exact' && tb === 'PathPrefix' && !prefixCovers(vb, va)) return false;
  if (tb === 'Exact' && ta === 'PathPrefix' && !prefixCovers(va, vb)) return false;
  if (ta === 'PathPrefix' && tb === 'PathPrefix' && !prefixCovers(va, vb) && !prefixCovers(vb, va))
    return false;
  if (a?.method !== undefined && b?.method !== undefined && a.method !== b.method) return false;
  for (const h of (a?.headers as Obj[] | undefined) ?? []) {
    const o = ((b?.headers as Obj[] | undefined) ?? []).find(
      (x) => String(x.name).toLowerCase() === String(h.name).toLowerCase(),
    );
    const exact = (m: Obj) => (m.type ?? 'Exact') === 'Exact';
    if (o && exact(h) && exact(o) && o.value !== h.value) return false;
  }
  return true;
}

/**
 * The mesh picks the most specific match of all rules, neutral rules are tried in order: the merge
 * puts each rule at its most specific entry, so a rule with a less specific entry too can come
 * before a rule the mesh would pick for some requests. Such entries are reported.
 */
export function checkOrder(rules: readonly RuleIR[], r: NativeReader, d: RouteDialect): void {
  const entries = (x: RuleIR) => (x.nativeMatches.length ? x.nativeMatches : [undefined]);
  const done = new Set<string>();
  for (let j = 1; j < rules.length; j++)
    for (let i = 0; i < j; i++)
      entries(rules[i]!).forEach((mi) =>
        entries(rules[j]!).forEach((mj, k) => {
          if (
            !mayOverlap(mi, mj) ||
            compareRank(nativeRank(mj, d.regexAbovePrefix), nativeRank(mi, d.regexAbovePrefix)) <= 0 ||
            done.has(`${j}/${k}`)
          )
            return;
          done.add(`${j}/${k}`);
          const later = rules[j]!;
          const earlier = rules[i]!;
          r.changed(
            later.route,
            later.nativeMatches.length
              ? ['spec', 'rules', later.index, 'matches', k]
              : ['spec', 'rules', later.index],
            `${d.mesh} prefers this more specific match over rule ${earlier.index} of ${earlier.route.object.metadata.name} for requests both match; the imported rules are tried in order, and that rule comes first for its other, more specific match`,
          );
        }),
      );
}
