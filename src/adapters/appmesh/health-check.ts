/**
 * BackendPolicy `healthCheck` -> VirtualNode `listeners[].healthCheck` (HealthCheckPolicy:
 * protocol http | http2 | grpc | tcp, path, port, intervalMillis 5000-300000, timeoutMillis
 * 2000-60000, healthyThreshold and unhealthyThreshold 2-10, the port "must match the port defined
 * in the PortMapping for the listener"; the VirtualNode CRD of controller v1.13.3 has the same
 * bounds). The callers' Envoys run the probes (aws/aws-app-mesh-roadmap#105).
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_HealthCheckPolicy.html
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import { durationMs } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendPolicy } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import type { Obj } from './plan.js';

type HealthCheckT = NonNullable<BackendPolicy['spec']['healthCheck']>;

/** The listener's healthCheck, or undefined (with AM4471 in `diagnostics`) when App Mesh cannot take it. */
export function listenerHealthCheck(
  p: PolicyDoc<BackendPolicy>,
  listenerPort: number,
  diagnostics: Diagnostic[],
): Obj | undefined {
  const h = p.policy.spec.healthCheck as HealthCheckT;
  const at = ['spec', 'healthCheck'];
  const interval = durationMs(h.interval);
  const timeout = durationMs(h.timeout);
  const checks: [keyof HealthCheckT, number, number, number, string][] = [
    ['interval', interval, 5000, 300000, '5s to 300s'],
    ['timeout', timeout, 2000, 60000, '2s to 60s'],
    ['healthyThreshold', h.healthyThreshold, 2, 10, '2 to 10'],
    ['unhealthyThreshold', h.unhealthyThreshold, 2, 10, '2 to 10'],
  ];
  let ok = true;
  const refuse = (field: string, range: string, got: unknown) => {
    ok = false;
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.HealthCheckOutOfRange,
        { field, range, got: JSON.stringify(got) },
        p.at([...at, field]),
      ),
    );
  };
  for (const [field, v, min, max, range] of checks)
    if (!Number.isInteger(v) || v < min || v > max) refuse(field, range, h[field]);
  if (h.port !== undefined && h.port !== listenerPort)
    refuse('port', `${listenerPort} (the listener port)`, h.port);
  if (!ok) return undefined;
  return {
    protocol: h.protocol,
    ...(h.path !== undefined ? { path: h.path } : {}),
    ...(h.port !== undefined ? { port: h.port } : {}),
    intervalMillis: interval,
    timeoutMillis: timeout,
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
  };
}
