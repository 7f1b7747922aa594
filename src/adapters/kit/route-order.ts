/**
 * Whether an ordered rule list survives Gateway API's way of choosing a rule, for every adapter
 * that emits HTTPRoutes.
 *
 * anymesh rules are ordered (first match wins). An HTTPRoute is not: Gateway API picks, among the
 * rules that match a request, the most specific one (exact path, then the longest prefix, then a
 * method match, then the most header matches, then the most query parameter matches), and only on a
 * tie the oldest route, then the first rule in list order (GEP-1294 / HTTPRouteRule docs). So an
 * ordered rule list compiles exactly only when no later rule is more specific than an earlier rule
 * that can match the same requests; `checkRuleOrder` refuses the other cases. A RegularExpression
 * path is ranked between Exact and PathPrefix (Linkerd's proxy; Istio's sortHTTPRoutes in
 * pilot/pkg/config/kube/gateway/route_collections.go ranks exact, prefix, regex by its getURIRank);
 * a regex is assumed to overlap anything, which can only make the check stricter.
 */
import type { Diagnostic, DiagnosticContext } from '../../core/diagnostics.js';
import type { FieldPath } from '../../core/loader/positions.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { RouteMatchT, Rule } from '../../core/model/schema.js';

/** Gateway API precedence of a match entry, compared element by element (bigger wins). */
function precedence(m: RouteMatchT | undefined, regexAbovePrefix: boolean): number[] {
  const path = m?.path;
  // No path is PathPrefix "/" (the CRD's default), as its length of 1 below says.
  const regex = regexAbovePrefix ? 2 : 1;
  const kind = path?.exact !== undefined ? 3 : path?.regex !== undefined ? regex : 3 - regex;
  const length = path?.exact?.length ?? path?.regex?.length ?? path?.prefix?.length ?? 1;
  return [
    kind,
    length,
    m?.method !== undefined ? 1 : 0,
    m?.headers?.length ?? 0,
    m?.queryParams?.length ?? 0,
  ];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Element-wise prefix match of Gateway API PathPrefix: `/api` matches `/api` and `/api/x`, not `/apix`. */
function prefixCovers(prefix: string, path: string): boolean {
  const p = prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  return p === '/' || path === p || path.startsWith(`${p}/`);
}

/** Whether some request can match both entries (conservative: true when unsure). */
function mayOverlap(a: RouteMatchT | undefined, b: RouteMatchT | undefined): boolean {
  const pa = a?.path;
  const pb = b?.path;
  if (pa?.regex === undefined && pb?.regex === undefined) {
    if (pa?.exact !== undefined && pb?.exact !== undefined && pa.exact !== pb.exact) return false;
    if (pa?.exact !== undefined && pb?.prefix !== undefined && !prefixCovers(pb.prefix, pa.exact))
      return false;
    if (pb?.exact !== undefined && pa?.prefix !== undefined && !prefixCovers(pa.prefix, pb.exact))
      return false;
    if (
      pa?.prefix !== undefined &&
      pb?.prefix !== undefined &&
      !prefixCovers(pa.prefix, pb.prefix) &&
      !prefixCovers(pb.prefix, pa.prefix)
    )
      return false;
  }
  if (a?.method !== undefined && b?.method !== undefined && a.method !== b.method) return false;
  for (const h of a?.headers ?? []) {
    const other = b?.headers?.find((o) => o.name.toLowerCase() === h.name.toLowerCase());
    if (h.exact !== undefined && other?.exact !== undefined && h.exact !== other.exact) return false;
  }
  for (const q of a?.queryParams ?? []) {
    const other = b?.queryParams?.find((o) => o.name === q.name);
    if (q.exact !== undefined && other?.exact !== undefined && q.exact !== other.exact) return false;
  }
  return true;
}

const entries = (rule: Rule): (RouteMatchT | undefined)[] =>
  rule.matches?.length ? rule.matches : [undefined];

/** The diagnostics an adapter reports for an order its mesh would not keep. */
export interface RuleOrderReport {
  /** A later rule is more specific than an earlier one that can match the same requests. */
  readonly moreSpecific: (p: { earlier: string; later: string }, at: DiagnosticContext) => Diagnostic;
  /** Equally specific overlapping rules went into different routes (ordered by creation time). */
  readonly acrossRoutes: (p: { earlier: string; later: string }, at: DiagnosticContext) => Diagnostic;
  /**
   * Whether a RegularExpression path outranks a PathPrefix: yes in Linkerd's proxy, no in Istio
   * (getURIRank: Exact > Prefix > Regex).
   */
  readonly regexAbovePrefix: boolean;
}

/**
 * Refuses rule lists whose order a Gateway API implementation would not keep. `routeOf(i)` names
 * the HTTPRoute rule i goes to: equally specific overlapping rules keep their order only inside one
 * route.
 */
export function checkRuleOrder(
  doc: PolicyDoc,
  rules: readonly Rule[],
  routeOf: (index: number) => string,
  report: RuleOrderReport,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = (i: number) => rules[i]?.name ?? `rule-${i}`;
  for (let j = 1; j < rules.length; j++) {
    let reported = false;
    for (let i = 0; i < j && !reported; i++) {
      for (const mi of entries(rules[i]!)) {
        if (reported) break;
        for (const mj of entries(rules[j]!)) {
          if (!mayOverlap(mi, mj)) continue;
          const order = compare(
            precedence(mj, report.regexAbovePrefix),
            precedence(mi, report.regexAbovePrefix),
          );
          const at: FieldPath = ['spec', 'rules', j];
          if (order > 0) {
            out.push(report.moreSpecific({ earlier: name(i), later: name(j) }, doc.at(at)));
            reported = true;
            break;
          }
          if (order === 0 && routeOf(i) !== routeOf(j)) {
            out.push(report.acrossRoutes({ earlier: name(i), later: name(j) }, doc.at(at)));
            reported = true;
            break;
          }
        }
      }
    }
  }
  return out;
}
