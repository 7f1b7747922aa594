/**
 * Linkerd versions as users name them, and what a version reads where the output differs.
 *
 * Names: stable releases are `stable-2.X.Y` (open source up to 2.14), `version-2.X` (the code tag
 * of a stable version since 2.15), `enterprise-2.X.Y` (Buoyant's distribution) or plain `2.X[.Y]`;
 * edge releases are `edge-YY.M.N` (year, month, N-th release of the month). Since 2.15 a stable
 * version is a designation of one edge release, and later edges belong to that version until the
 * next one: "edge-24.11.8 is part of Linkerd 2.17, so data planes running this version should be
 * compatible with edge releases within 2.17 or 2.18" (linkerd/website
 * linkerd.io/content/2-edge/tasks/upgrade.md, "Versions and releases"). The table below is the "corresponding edge
 * release" of each version, from linkerd/website `linkerd.io/data/versions.yaml` (commit 93f0017,
 * 2026-08-20), which the Releases and Versions page (linkerd.io/releases) is built from.
 *
 * `rules[].timeouts.request` of a gateway.networking.k8s.io HTTPRoute: Linkerd ignored it until
 * linkerd/linkerd2#14750 ("fix(policy): respect timeout field on gateway API HTTPRoutes", merged
 * 2025-11-26, commit b5d6661b9). Since then policy-controller/k8s/index/src/outbound/index/http.rs
 * `convert_gateway_rule` uses the rule's `timeouts.request` when the route has no
 * `timeout.linkerd.io/request` annotation (the annotation still wins; 0 means no timeout, GEP-1742).
 * Checked in the linkerd2 source: version-2.20 contains the commit, version-2.19 does not; edge
 * releases are named by date, so the first edge that can contain it is edge-25.12.1 (anymesh
 * assumes no edge-25.11 release has it; an earlier edge simply gets the annotations, which every
 * version reads). That edge is still of the 2.19 line by the table, hence its own check.
 */
import { compareVersions } from '../../core/capabilities.js';

/** Each stable version with its corresponding edge release (linkerd.io/data/versions.yaml). */
export const EDGE_OF_STABLE: readonly (readonly [stable: string, edge: string])[] = [
  ['2.15', '24.2.4'],
  ['2.16', '24.8.2'],
  ['2.17', '24.11.8'],
  ['2.18', '25.4.4'],
  ['2.19', '25.10.7'],
  ['2.20', '26.6.3'],
];

const STABLE_TIMEOUTS = '2.20';
const EDGE_TIMEOUTS = '25.12.1';

const EDGE = /^edge-(\d{2})\.(\d{1,2})\.(\d{1,2})$/;
const STABLE = /^(?:stable-|version-|enterprise-|v)?(2\.\d{1,3}(?:\.\d{1,3})?)$/;

export type ParsedVersion = { readonly version: string; readonly edge?: string } | { readonly error: string };

/**
 * A version as the user named it -> the stable version its features are those of (`edge-26.8.3`
 * -> `2.20`), which the capability cells' minVersion compare with; an error for anything else.
 */
export function parseLinkerdVersion(text: string): ParsedVersion {
  const t = text.trim();
  const stable = STABLE.exec(t);
  if (stable) return { version: stable[1]! };
  const edge = EDGE.exec(t);
  if (!edge) {
    return {
      error: `not a version; use a stable version (2.20, stable-2.14.10, version-2.19, enterprise-2.20.1) or an edge release (edge-YY.M.N, e.g. edge-26.8.3)`,
    };
  }
  const [, yy, m] = edge;
  if (Number(m) < 1 || Number(m) > 12)
    return { error: `edge-YY.M.N names a month in M: ${m} is not one (1-12)` };
  const name = `${Number(yy)}.${Number(m)}.${Number(edge[3])}`;
  const line = [...EDGE_OF_STABLE].reverse().find(([, e]) => compareVersions(name, e) >= 0);
  if (!line)
    return {
      error: `edge-${name} is older than edge-${EDGE_OF_STABLE[0]![1]} (Linkerd ${EDGE_OF_STABLE[0]![0]}), the first edge release with a stable version; give the stable version it runs as (e.g. 2.14)`,
    };
  return { version: line[0], edge: name };
}

/** Whether `version` (`2.20`, `stable-2.20.1`, `edge-26.8.3`) reads `rules[].timeouts.request`. */
export function readsRuleTimeouts(version: string | undefined): boolean {
  if (!version) return false;
  const parsed = parseLinkerdVersion(version);
  if ('error' in parsed) return false;
  if (parsed.edge) return compareVersions(parsed.edge, EDGE_TIMEOUTS) >= 0;
  return compareVersions(parsed.version, STABLE_TIMEOUTS) >= 0;
}
