/**
 * Relations between route match entries, decided conservatively:
 *
 * - `overlap(a, b)` says whether some request satisfies both entries: `yes` only when one surely
 *   exists, `no` only when none can, `maybe` when it cannot be decided cheaply (a regex against a
 *   prefix or another regex).
 * - `catches(earlier, later)` is true only when every request `later` accepts is surely accepted by
 *   `earlier` too (earlier is a superset). Anything undecidable is "does not catch", so a shadowed-
 *   rule warning is never a false alarm.
 *
 * Semantics follow the model: a path prefix is a string prefix (`/api` also matches `/apiary`),
 * a regex matches the whole value (RE2), header names compare case-insensitively, query parameter
 * names case-sensitively, and an entry without conditions matches every request.
 */
import { RE2JS } from 're2js';
import type { RouteMatchT, Rule } from '../model/schema.js';

export type Tri = 'yes' | 'no' | 'maybe';

/** One condition on one value: the path, a header or a query parameter. */
export interface Condition {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
  readonly present?: boolean;
}

/** The entries of a rule; a rule without matches (or with an empty list) matches every request. */
export function ruleEntries(rule: Rule): readonly RouteMatchT[] {
  return rule.matches?.length ? rule.matches : [{}];
}

/**
 * The path condition of an entry. A gRPC match is one on the path too (a call is a POST to
 * /<service>/<method>), so gRPC entries compare as their paths: service and method exact, service
 * alone a prefix `/<service>/`, method alone the regex `/[^/]+/<method>` (as Istio converts GRPCRoute
 * matches). The model never has both on one entry (AM2040).
 */
export function pathOf(m: RouteMatchT): Condition | undefined {
  const g = m.grpc;
  if (!g) return m.path;
  if (g.service !== undefined && g.method !== undefined) return { exact: `/${g.service}/${g.method}` };
  if (g.service !== undefined) return { prefix: `/${g.service}/` };
  return { regex: `/[^/]+/${g.method ?? ''}` };
}

/** True when the entry has no conditions: it matches every request. */
export function matchesAll(m: RouteMatchT): boolean {
  return pathOf(m) === undefined && m.method === undefined && !m.headers?.length && !m.queryParams?.length;
}

function fullMatch(regex: string, value: string): boolean {
  try {
    return RE2JS.matches(regex, value);
  } catch {
    return false;
  }
}

/** Whether some value satisfies both conditions. */
function conditionsOverlap(a: Condition, b: Condition): Tri {
  if (a.present || b.present) return 'yes';
  if (a.exact !== undefined && b.exact !== undefined) return a.exact === b.exact ? 'yes' : 'no';
  if (a.exact !== undefined || b.exact !== undefined) {
    const [x, other] = a.exact !== undefined ? [a.exact, b] : [b.exact!, a];
    if (other.prefix !== undefined) return x.startsWith(other.prefix) ? 'yes' : 'no';
    if (other.regex !== undefined) return fullMatch(other.regex, x) ? 'yes' : 'no';
    return 'maybe';
  }
  if (a.prefix !== undefined && b.prefix !== undefined)
    return a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix) ? 'yes' : 'no';
  if (a.regex !== undefined && a.regex === b.regex) return 'yes';
  return 'maybe';
}

/** Whether every value satisfying `narrow` surely satisfies `wide`. */
function conditionImplies(narrow: Condition, wide: Condition): boolean {
  if (wide.present) return true;
  if (wide.exact !== undefined) return narrow.exact === wide.exact;
  if (wide.prefix !== undefined) {
    if (narrow.exact !== undefined) return narrow.exact.startsWith(wide.prefix);
    if (narrow.prefix !== undefined) return narrow.prefix.startsWith(wide.prefix);
    return false;
  }
  if (wide.regex !== undefined) {
    if (narrow.exact !== undefined) return fullMatch(wide.regex, narrow.exact);
    return narrow.regex === wide.regex;
  }
  return false;
}

function combine(results: Iterable<Tri>): Tri {
  let out: Tri = 'yes';
  for (const r of results) {
    if (r === 'no') return 'no';
    if (r === 'maybe') out = 'maybe';
  }
  return out;
}

/** Named conditions (headers or query parameters) of one entry, keyed by their compared name. */
function named(
  list: readonly (Condition & { name: string })[] | undefined,
  caseInsensitive: boolean,
): Map<string, Condition[]> {
  const out = new Map<string, Condition[]>();
  for (const c of list ?? []) {
    const key = caseInsensitive ? c.name.toLowerCase() : c.name;
    out.set(key, [...(out.get(key) ?? []), c]);
  }
  return out;
}

function* pairwise(conditions: readonly Condition[]): Generator<Tri> {
  for (let i = 0; i < conditions.length; i++)
    for (let j = i + 1; j < conditions.length; j++) yield conditionsOverlap(conditions[i]!, conditions[j]!);
}

function namedOverlap(a: Map<string, Condition[]>, b: Map<string, Condition[]>): Tri {
  const results: Tri[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    results.push(combine(pairwise([...(a.get(key) ?? []), ...(b.get(key) ?? [])])));
  }
  return combine(results);
}

/** Whether some request satisfies both match entries. */
export function overlap(a: RouteMatchT, b: RouteMatchT): Tri {
  if (a.method !== undefined && b.method !== undefined && a.method !== b.method) return 'no';
  const parts: Tri[] = [];
  const pa = pathOf(a);
  const pb = pathOf(b);
  if (pa && pb) parts.push(conditionsOverlap(pa, pb));
  parts.push(namedOverlap(named(a.headers, true), named(b.headers, true)));
  parts.push(namedOverlap(named(a.queryParams, false), named(b.queryParams, false)));
  return combine(parts);
}

function namedCaught(wide: Map<string, Condition[]>, narrow: Map<string, Condition[]>): boolean {
  for (const [key, conditions] of wide) {
    const given = narrow.get(key) ?? [];
    if (!conditions.every((w) => given.some((n) => conditionImplies(n, w)))) return false;
  }
  return true;
}

/** Whether every request `later` accepts is surely accepted by `earlier` (earlier ⊇ later). */
export function catches(earlier: RouteMatchT, later: RouteMatchT): boolean {
  if (earlier.method !== undefined && earlier.method !== later.method) return false;
  const wide = pathOf(earlier);
  const narrow = pathOf(later);
  if (wide !== undefined && (narrow === undefined || !conditionImplies(narrow, wide))) return false;
  return (
    namedCaught(named(earlier.headers, true), named(later.headers, true)) &&
    namedCaught(named(earlier.queryParams, false), named(later.queryParams, false))
  );
}

function describeCondition(c: Condition): string {
  if (c.present) return 'present';
  if (c.exact !== undefined) return `= ${JSON.stringify(c.exact)}`;
  if (c.prefix !== undefined) return `prefix ${JSON.stringify(c.prefix)}`;
  return `~ ${JSON.stringify(c.regex ?? '')}`;
}

/** A short human description of a match entry, e.g. `GET path prefix "/api", header x-user present`. */
export function describeMatch(m: RouteMatchT): string {
  if (matchesAll(m)) return 'every request';
  const parts: string[] = [];
  if (m.method) parts.push(m.method);
  if (m.grpc?.service !== undefined) parts.push(`gRPC service ${m.grpc.service}`);
  if (m.grpc?.method !== undefined) parts.push(`gRPC method ${m.grpc.method}`);
  if (m.path) parts.push(`path ${describeCondition(m.path)}`);
  for (const h of m.headers ?? []) parts.push(`header ${h.name} ${describeCondition(h)}`);
  for (const q of m.queryParams ?? []) parts.push(`query ${q.name} ${describeCondition(q)}`);
  return parts.join(', ');
}
