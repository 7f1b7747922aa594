/**
 * BackendPolicy -> the listener of every VirtualNode of the service (`outlierDetection`,
 * `connectionPool` of the listener's protocol: pool.ts, `healthCheck`: health-check.ts), on the
 * plans routing built. App Mesh requires all four outlier fields
 * (maxServerErrors, interval, baseEjectionDuration, maxEjectionPercent: the v1beta2 CRD lists them
 * as required), so the model's defaults (Envoy's) fill the ones a policy leaves out.
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import { durationMs } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { type BackendPolicy, outlierDetection } from '../../core/model/schema.js';
import { listenerHealthCheck } from './health-check.js';
import { APPMESH_MESSAGES } from './messages.js';
import { meshDuration, type ServicePlan, serviceKey } from './plan.js';
import { hasPoolLimits, listenerPool } from './pool.js';

export function compileBackend(
  policies: readonly PolicyDoc<BackendPolicy>[],
  plans: ReadonlyMap<string, ServicePlan>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const p of policies) {
    const s = p.policy.spec;
    const wantsPool = hasPoolLimits(s.connectionLimits);
    const od = s.outlierDetection ? outlierDetection(s.outlierDetection) : undefined;
    const outlier = od
      ? {
          maxServerErrors: od.consecutiveErrors,
          interval: meshDuration(durationMs(od.interval)),
          baseEjectionDuration: meshDuration(durationMs(od.baseEjectionTime)),
          maxEjectionPercent: od.maxEjectionPercent,
        }
      : undefined;
    // Nothing App Mesh writes (a round-robin policy, or settings left out): no node is needed.
    if (!wantsPool && !outlier && !s.healthCheck) continue;
    const plan = plans.get(serviceKey(p.namespace, s.service));
    if (!plan) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.NoVirtualNode,
          { what: `${p.ref} (backend settings)`, target: `${s.service} in ${p.namespace}` },
          p.at(['spec', 'service']),
        ),
      );
      continue;
    }
    if (s.port !== undefined && s.port !== plan.port) {
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.BackendPortMismatch,
          { port: s.port, service: s.service, listener: plan.port },
          p.at(['spec', 'port']),
        ),
      );
      continue;
    }
    // The pool is the listener protocol's (the service's TrafficPolicy spec.protocol).
    const pool = wantsPool ? listenerPool(p, plan, diagnostics) : undefined;
    if (wantsPool && !pool) continue;
    const health = s.healthCheck ? listenerHealthCheck(p, plan.port, diagnostics) : undefined;
    if (s.healthCheck && !health) continue;
    for (const n of plan.nodes) {
      if (pool) n.listenerPool = pool;
      if (outlier) n.listenerOutlier = outlier;
      if (health) n.listenerHealthCheck = health;
      if (!n.sources.includes(p)) n.sources.push(p);
    }
  }
  return diagnostics;
}
