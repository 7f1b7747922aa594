/**
 * A VirtualNode listener's `healthCheck` -> BackendPolicy `healthCheck`, the inverse of
 * health-check.ts. HealthCheckPolicy (API reference; v1beta2 VirtualNode CRD): protocol
 * (http | http2 | grpc | tcp), path, port, intervalMillis, timeoutMillis, healthyThreshold,
 * unhealthyThreshold, of which all but path and port are required. Every field carries over as
 * written, milliseconds as neutral durations; a check missing a required field is not one App Mesh
 * runs, and is reported whole.
 */
import type { FieldPath } from '../../core/loader/positions.js';
import type { NodeInfo } from './import-nodes.js';
import { type AppMeshReader, neutral, type Obj } from './import-reader.js';

const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'];
const REQUIRED = ['protocol', 'intervalMillis', 'timeoutMillis', 'healthyThreshold', 'unhealthyThreshold'];

export function nodeHealthCheck(n: NodeInfo, at: FieldPath, r: AppMeshReader): Obj | undefined {
  const h = r.ledger.peek<Obj>(n.o, at);
  if (h === undefined) return undefined;
  r.rest(n.o, at, [...REQUIRED, 'path', 'port'], 'healthCheck');
  const missing = REQUIRED.filter((k) => h[k] === undefined);
  const count = (k: string) => Number.isInteger(h[k]) && (h[k] as number) >= 1;
  if (missing.length || !PROTOCOLS.includes(String(h.protocol)) || !REQUIRED.slice(1).every(count)) {
    r.lost(
      n.o,
      at,
      missing.length
        ? `a health check without ${missing.join(', ')}, which App Mesh requires`
        : `a health check that is not App Mesh's (protocol one of ${PROTOCOLS.join(', ')}, whole positive numbers)`,
    );
    return undefined;
  }
  for (const k of [...REQUIRED, 'path', 'port']) r.ledger.take(n.o, [...at, k]);
  return {
    protocol: h.protocol,
    ...(h.path !== undefined ? { path: h.path } : {}),
    ...(h.port !== undefined ? { port: h.port } : {}),
    interval: neutral(h.intervalMillis as number),
    timeout: neutral(h.timeoutMillis as number),
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
  };
}
