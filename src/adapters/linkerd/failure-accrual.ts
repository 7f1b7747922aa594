/**
 * BackendPolicy `outlierDetection` -> Linkerd failure accrual: annotations on the destination's
 * own Service (reference/circuit-breaking; linkerd2 policy-controller/k8s/index/src/outbound/
 * index.rs parse_accrual_config and parse_consecutive_params read them from the parent Service and
 * apply them to its routes' backends): `balancer.linkerd.io/failure-accrual: consecutive`, with
 * `-consecutive-max-failures` (consecutiveErrors) and `-consecutive-min-penalty`
 * (baseEjectionTime). Linkerd backs an endpoint off exponentially from min-penalty up to
 * max-penalty (default 60s); Envoy's ejection time grows by baseEjectionTime per ejection up to
 * max_ejection_time (300s, or baseEjectionTime when that is longer), so max-penalty is written as
 * that cap. Linkerd has no check interval and no cap on ejected endpoints (the cell says so).
 *
 * The Service is the user's: as for the ambient waypoint binding (istio/waypoint.ts), the output is a
 * `v1 Service` holding only name, namespace and these annotations, with no managed-by label, so that
 * server-side apply makes field manager anymesh own exactly those annotations, an absent Service is
 * not created (the dry run fails: a Service needs ports), and prune and delete never touch it.
 */
import type { KubeObject } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { durationMs } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { type BackendPolicy, outlierDetection } from '../../core/model/schema.js';
import { linkerdDiag, linkerdDuration } from './native.js';

export const ACCRUAL = 'balancer.linkerd.io/failure-accrual';
export const MAX_FAILURES = `${ACCRUAL}-consecutive-max-failures`;
export const MIN_PENALTY = `${ACCRUAL}-consecutive-min-penalty`;
export const MAX_PENALTY = `${ACCRUAL}-consecutive-max-penalty`;
export const JITTER_RATIO = `${ACCRUAL}-consecutive-jitter-ratio`;

/** Envoy's max_ejection_time default (envoy.config.cluster.v3.OutlierDetection). */
const ENVOY_MAX_EJECTION_MS = 300_000;

/** The max-penalty that stands for Envoy's cap on ejection time, for a base ejection time. */
export function maxPenaltyMs(baseMs: number): number {
  return Math.max(ENVOY_MAX_EJECTION_MS, baseMs);
}

/** The annotations of one policy's outlier detection. */
function accrualAnnotations(
  od: NonNullable<BackendPolicy['spec']['outlierDetection']>,
): Record<string, string> {
  const full = outlierDetection(od);
  const base = durationMs(full.baseEjectionTime);
  return {
    [ACCRUAL]: 'consecutive',
    [MAX_FAILURES]: String(full.consecutiveErrors),
    [MIN_PENALTY]: linkerdDuration(base),
    [MAX_PENALTY]: linkerdDuration(maxPenaltyMs(base)),
  };
}

/**
 * One annotated Service per service with outlier detection. Two policies for one service (on
 * different ports: the overlap analysis refuses the rest) share its annotations, which hold for
 * every port: they must agree, or the later one is refused.
 */
export function compileFailureAccrual(policies: readonly PolicyDoc<BackendPolicy>[]): {
  resources: KubeObject[];
  diagnostics: Diagnostic[];
} {
  const byService = new Map<string, { p: PolicyDoc<BackendPolicy>; annotations: Record<string, string> }>();
  const diagnostics: Diagnostic[] = [];
  for (const p of [...policies].sort((a, b) => a.ref.localeCompare(b.ref))) {
    const od = p.policy.spec.outlierDetection;
    if (!od) continue;
    const key = `${p.namespace}/${p.policy.spec.service}`;
    const annotations = accrualAnnotations(od);
    const seen = byService.get(key);
    if (!seen) byService.set(key, { p, annotations });
    else if (JSON.stringify(seen.annotations) !== JSON.stringify(annotations))
      diagnostics.push(
        linkerdDiag(
          'AccrualDiffers',
          { service: p.policy.spec.service, other: seen.p.ref },
          p.at(['spec', 'outlierDetection']),
        ),
      );
  }
  const resources: KubeObject[] = [...byService.entries()].map(([key, { annotations }]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, annotations } };
  });
  return { resources, diagnostics };
}
