/**
 * AuthorizationPolicy `when` conditions -> neutral header conditions of access operations.
 *
 * Istio's reference (security/authorization-policy/#Condition, and pilot/pkg/security/authz/matcher
 * HeaderMatcher): a rule's conditions must all hold; a condition holds when the attribute matches
 * any of its `values`; a value is exact, `x*` a prefix, `*x` a suffix, `*` any value (the header is
 * present). Only `request.headers[<name>]` (one condition per header) with `values` has a neutral form: a neutral operation's
 * `headers` are conditions that must all hold, each with one value, so a condition with several
 * values becomes one operation per value (the same requests match). A suffix is the whole-value
 * regular expression `.*<escaped suffix>`.
 */
import type { NativeObject } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { isHttpToken } from '../../core/model/semantic.js';
import { escapeRegex } from '../kit/gateway-api.js';
import type { IstioReader } from './import-reader.js';

type Obj = Record<string, unknown>;

/** More alternatives than this (the product of the conditions' value counts) are not imported. */
const MAX_ALTERNATIVES = 16;

const HEADER_KEY = /^request\.headers\[([^\]]+)\]$/;

/** A condition value as Istio reads it, in neutral form. */
function headerMatch(name: string, value: string): Obj {
  if (value === '*') return { name, present: true };
  if (value.startsWith('*')) return { name, regex: `.*${escapeRegex(value.slice(1))}` };
  if (value.endsWith('*')) return { name, prefix: value.slice(0, -1) };
  return { name, exact: value };
}

/** Whether a condition is a request header with values only, which the neutral model can say. */
function isHeaderCondition(c: unknown): c is { key: string; values: string[] } {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Obj;
  return (
    typeof o.key === 'string' &&
    HEADER_KEY.test(o.key) &&
    isHttpToken(HEADER_KEY.exec(o.key)![1]!) &&
    Array.isArray(o.values) &&
    o.values.length > 0 &&
    o.values.every((v) => typeof v === 'string') &&
    Object.keys(o).every((k) => k === 'key' || k === 'values')
  );
}

/** Whether every condition of a rule has a neutral form (an ALLOW rule is left out otherwise). */
export function conditionsExpressible(when: unknown): boolean {
  if (when === undefined) return true;
  if (!Array.isArray(when) || !when.every(isHeaderCondition)) return false;
  const names = when.map((c) => HEADER_KEY.exec(c.key)![1]!.toLowerCase());
  if (new Set(names).size !== names.length) return false;
  return when.reduce((n, c) => n * c.values.length, 1) <= MAX_ALTERNATIVES;
}

/**
 * The alternatives a rule's conditions allow (any of them; each a list of header conditions that
 * must all hold), or undefined without conditions. Conditions without a neutral form are reported
 * and left out: only a DENY rule keeps them out (it then denies more), an ALLOW rule with one is
 * left out whole before this is asked.
 */
export function headerAlternatives(o: NativeObject, at: FieldPath, r: IstioReader): Obj[][] | undefined {
  const when = r.ledger.peek<unknown[]>(o, at);
  if (when === undefined) return undefined;
  let alternatives: Obj[][] = [[]];
  const taken: number[] = [];
  const seen = new Set<string>();
  when.forEach((c, i) => {
    if (!isHeaderCondition(c)) {
      r.lost(
        o,
        [...at, i],
        'a condition other than request.headers[...] with values (notValues, source or destination attributes, JWT claims) has no neutral form; the DENY rule is kept without it, so it denies more',
      );
      return;
    }
    const name = HEADER_KEY.exec(c.key)![1]!;
    if (seen.has(name.toLowerCase())) {
      r.lost(
        o,
        [...at, i],
        `a second condition on header ${name}: a neutral operation has one condition per header; the DENY rule is kept without it, so it denies more`,
      );
      return;
    }
    seen.add(name.toLowerCase());
    alternatives = alternatives.flatMap((a) => c.values.map((v) => [...a, headerMatch(name, v)]));
    taken.push(i);
  });
  if (alternatives.length > MAX_ALTERNATIVES) {
    for (const i of taken)
      r.lost(
        o,
        [...at, i],
        `the conditions' values give ${alternatives.length} combinations, more than the ${MAX_ALTERNATIVES} operations anymesh writes for one rule; the DENY rule is kept without them, so it denies more`,
      );
    return undefined;
  }
  for (const i of taken) r.ledger.take(o, [...at, i]);
  return alternatives.some((a) => a.length) ? alternatives : undefined;
}
