/**
 * Linkerd's BackendPolicy fields -> BackendPolicy: HTTPLocalRateLimitPolicy (policy.linkerd.io
 * v1alpha1, targetRef a Server) `total.requestsPerSecond` is the neutral per-instance rateLimit
 * for the Server's service and port (each inbound proxy enforces it); `identity` and `overrides`
 * (per-caller limits) have no neutral form. Failure accrual annotations on a Service
 * (`balancer.linkerd.io/failure-accrual: consecutive`, policy-controller outbound/index.rs
 * parse_accrual_config and parse_consecutive_params: max-failures default 7, min-penalty 1s,
 * max-penalty 60s, jitter-ratio 0.5) are the neutral outlierDetection's consecutiveErrors and
 * baseEjectionTime; the rest has no neutral form.
 */
import type { ImportedPolicy, NativeObject } from '../../core/import.js';
import { formatDuration } from '../../core/model/duration.js';
import { neutralMetadata, neutralPolicy, takeMetadata } from '../kit/import-kit.js';
import type { ServiceIndex } from '../kit/import-leaves.js';
import {
  ACCRUAL,
  JITTER_RATIO,
  MAX_FAILURES,
  MAX_PENALTY,
  MIN_PENALTY,
  maxPenaltyMs,
} from './failure-accrual.js';
import { isKind, type LinkerdReader, linkerdMs, type Obj, POLICY } from './import-reader.js';
import type { ServerIR } from './import-servers.js';

/** The accrual annotations read here; other balancer.linkerd.io keys are reported. */
export const ACCRUAL_ANNOTATIONS = [ACCRUAL, MAX_FAILURES, MIN_PENALTY, MAX_PENALTY, JITTER_RATIO];

export function importRateLimits(
  objects: readonly NativeObject[],
  servers: Map<string, ServerIR>,
  r: LinkerdReader,
): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const o of objects.filter((x) => isKind(x, POLICY, 'HTTPLocalRateLimitPolicy'))) {
    const meta = takeMetadata(r.ledger, o);
    r.rest(o, ['spec'], ['targetRef', 'total', 'identity', 'overrides'], 'HTTPLocalRateLimitPolicy');
    for (const k of ['identity', 'overrides'])
      if (r.ledger.peek(o, ['spec', k]) !== undefined)
        r.lost(
          o,
          ['spec', k],
          `${k} limits per caller identity have no neutral form (the neutral rate limit is one total per instance)`,
        );
    const t = r.ledger.peek<Obj>(o, ['spec', 'targetRef']) ?? {};
    const server = t.kind === 'Server' ? servers.get(`${o.namespace}/${t.name}`) : undefined;
    const rps = r.ledger.peek<number>(o, ['spec', 'total', 'requestsPerSecond']);
    if (!server || server.port === undefined) {
      r.lost(
        o,
        ['spec'],
        `the target (${t.kind} ${t.name}) is not a Server in the input with a numbered port, so the service and port are unknown`,
      );
      continue;
    }
    if (rps === undefined || rps < 1) {
      r.lost(
        o,
        ['spec'],
        'no total.requestsPerSecond (of at least 1): the neutral rate limit is a total per instance',
      );
      continue;
    }
    r.rest(o, ['spec', 'total'], ['requestsPerSecond'], 'total');
    r.rest(o, ['spec', 'targetRef'], ['group', 'kind', 'name'], 'targetRef');
    r.ledger.take(o, ['spec', 'targetRef']);
    r.ledger.take(o, ['spec', 'total', 'requestsPerSecond']);
    const src = meta.sources?.find((s) => s.kind === 'BackendPolicy');
    const spec: Obj = {
      service: server.service,
      port: server.port,
      ...(server.selector ? { selector: server.selector } : {}),
      rateLimit: { requestsPerSecond: rps },
    };
    out.push(
      neutralPolicy(
        'BackendPolicy',
        neutralMetadata(src?.name ?? meta.name, src?.namespace ?? o.namespace, src ? undefined : meta),
        spec,
        [o.ref, server.o.ref],
      ),
    );
  }
  return out;
}

/** Services annotated for failure accrual -> BackendPolicy outlierDetection. */
export function importAccrual(services: ServiceIndex, r: LinkerdReader): ImportedPolicy[] {
  const out: ImportedPolicy[] = [];
  for (const svc of services.all()) {
    const a = svc.object.metadata.annotations ?? {};
    const mode = a[ACCRUAL];
    if (mode === undefined) continue;
    services.takeParent(svc, r);
    const at = (k: string) => ['metadata', 'annotations', k];
    if (mode !== 'consecutive') {
      r.lost(
        svc,
        at(ACCRUAL),
        `failure accrual mode ${mode} (success-rate breaking) has no neutral form; neutral outlier detection counts consecutive errors`,
      );
      continue;
    }
    const od: Obj = {};
    const max = a[MAX_FAILURES];
    if (max !== undefined && /^\d+$/.test(max.trim()) && Number(max) >= 1) {
      r.ledger.take(svc, at(MAX_FAILURES));
      od.consecutiveErrors = Number(max);
    } else if (max !== undefined)
      r.lost(svc, at(MAX_FAILURES), `${JSON.stringify(max)} is not a count of at least 1`);
    else od.consecutiveErrors = 7;
    const min = a[MIN_PENALTY];
    const ms = min === undefined ? 1000 : linkerdMs(min);
    if (ms !== undefined && ms > 0) {
      if (min !== undefined) r.ledger.take(svc, at(MIN_PENALTY));
      od.baseEjectionTime = formatDuration(ms);
    } else r.lost(svc, at(MIN_PENALTY), `${JSON.stringify(min)} is not a duration Linkerd reads`);
    // The max-penalty anymesh writes is Envoy's cap on ejection time (failure-accrual.ts): the
    // neutral meaning; any other has no neutral form.
    const maxMs = a[MAX_PENALTY] === undefined ? undefined : linkerdMs(a[MAX_PENALTY]);
    const base = od.baseEjectionTime === undefined ? undefined : ms;
    const envoyCap = maxMs !== undefined && base !== undefined && maxMs === maxPenaltyMs(base);
    if (envoyCap) r.ledger.take(svc, at(MAX_PENALTY));
    for (const k of ACCRUAL_ANNOTATIONS.slice(3))
      if (a[k] !== undefined && !(k === MAX_PENALTY && envoyCap))
        r.lost(
          svc,
          at(k),
          `${k} (Linkerd's backoff from the first penalty) has no neutral form; neutral ejection times grow by multiples of baseEjectionTime`,
        );
    r.changed(
      svc,
      at(ACCRUAL),
      "Linkerd's breaker has no check interval and no cap on ejected endpoints; the neutral outlierDetection adds the defaults interval 10s and maxEjectionPercent 10",
    );
    const name = svc.object.metadata.name;
    out.push(
      neutralPolicy(
        'BackendPolicy',
        neutralMetadata(name, svc.namespace),
        { service: name, outlierDetection: od },
        [svc.ref],
      ),
    );
  }
  return out;
}
