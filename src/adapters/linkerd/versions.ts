/**
 * What a Linkerd version reads, where the output differs by version.
 *
 * `rules[].timeouts.request` of a gateway.networking.k8s.io HTTPRoute: Linkerd ignored it until
 * linkerd/linkerd2#14750 ("fix(policy): respect timeout field on gateway API HTTPRoutes", merged
 * 2025-11-26, commit b5d6661b9). Since then policy-controller/k8s/index/src/outbound/index/http.rs
 * `convert_gateway_rule` uses the rule's `timeouts.request` when the route has no
 * `timeout.linkerd.io/request` annotation (the annotation still wins; 0 means no timeout, GEP-1742).
 * Checked in the linkerd2 source: version-2.20 contains the commit, version-2.19 does not; edge
 * releases are named edge-YY.M.N by date, so the first edge that can contain it is edge-25.12.1
 * (anymesh assumes no edge-25.11 release has it; an earlier edge simply gets the annotations, which
 * every version reads).
 */
import { compareVersions } from '../../core/capabilities.js';

const STABLE = '2.20';
const EDGE = '25.12';

/** Whether `version` (`2.20`, `stable-2.20.1`, `edge-26.8.3`) reads `rules[].timeouts.request`. */
export function readsRuleTimeouts(version: string | undefined): boolean {
  if (!version) return false;
  const edge = /^edge-(\d+\.\d+)(?:\.\d+)?$/.exec(version);
  if (edge) return compareVersions(edge[1]!, EDGE) >= 0;
  return compareVersions(version.replace(/^stable-/, ''), STABLE) >= 0;
}
