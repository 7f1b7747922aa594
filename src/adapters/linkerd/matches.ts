/**
 * Request matches as Gateway API HTTPRoute matches (the kit's `gatewayMatch`), and the check that
 * the policy's rule order survives Linkerd's way of choosing a rule (the kit's `checkRuleOrder`,
 * with Linkerd's diagnostics). Linkerd ranks a RegularExpression path between Exact and PathPrefix
 * (linkerd2-proxy http-route crate) [U: from the proxy's route ordering, not documented].
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { Rule } from '../../core/model/schema.js';
import { checkRuleOrder as checkOrder, type RuleOrderReport } from '../kit/route-order.js';
import { linkerdDiag } from './native.js';

export { gatewayMatch } from '../kit/gateway-api.js';

const LINKERD_ORDER: RuleOrderReport = {
  moreSpecific: (p, at) => linkerdDiag('RuleOrder', p, at),
  acrossRoutes: (p, at) => linkerdDiag('RuleOrderAcrossRoutes', p, at),
  regexAbovePrefix: true,
};

/**
 * Refuses rule lists whose order Linkerd would not keep. `routeOf(i)` names the HTTPRoute rule i goes
 * to: equally specific overlapping rules keep their order only inside one route.
 */
export function checkRuleOrder(
  doc: PolicyDoc,
  rules: readonly Rule[],
  routeOf: (index: number) => string,
): Diagnostic[] {
  return checkOrder(doc, rules, routeOf, LINKERD_ORDER);
}
