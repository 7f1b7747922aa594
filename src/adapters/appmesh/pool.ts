/**
 * BackendPolicy `connectionLimits` -> the VirtualNode listener's `connectionPool`, in the pool of
 * the listener's own protocol. App Mesh's VirtualNodeConnectionPool is a union with one member per
 * protocol, "the same protocol as the one chosen under port mapping" (AWS API reference,
 * API_VirtualNodeConnectionPool), and each member has its own limits (controller v1.13.3 CRD,
 * shared/crds/appmesh, listeners[].connectionPool):
 *   tcp   {maxConnections}                       (required)
 *   http  {maxConnections, maxPendingRequests}   (maxConnections required)
 *   http2 {maxRequests}                          (required)
 *   grpc  {maxRequests}                          (required)
 * A limit the listener's pool lacks is refused (AM4472), never written under another protocol's
 * pool, which App Mesh rejects. An http pool without maxConnections gets Envoy's default of 1024
 * (envoy.config.cluster.v3 CircuitBreakers.Thresholds max_connections).
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { BackendPolicy, Protocol } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import type { Obj, ServicePlan } from './plan.js';

type Limits = NonNullable<BackendPolicy['spec']['connectionLimits']>;
type PoolField = 'maxConnections' | 'maxPendingRequests' | 'maxRequests';

const ENVOY_MAX_CONNECTIONS = 1024;
const POOL_FIELDS: readonly PoolField[] = ['maxConnections', 'maxPendingRequests', 'maxRequests'];

/** The limits each listener protocol's pool holds (http2 is App Mesh's own listener protocol). */
const HOLDS: Readonly<Record<Protocol, readonly PoolField[]>> = {
  http: ['maxConnections', 'maxPendingRequests'],
  tcp: ['maxConnections'],
  http2: ['maxRequests'],
  grpc: ['maxRequests'],
};

/** Whether a policy sets any limit that lives in an App Mesh connection pool. */
export function hasPoolLimits(cl: Limits | undefined): boolean {
  return cl !== undefined && POOL_FIELDS.some((f) => cl[f] !== undefined);
}

/**
 * The listener's connectionPool for `p`'s limits, or undefined (with AM4472 in `diagnostics` for
 * every limit the listener's protocol has no place for).
 */
export function listenerPool(
  p: PolicyDoc<BackendPolicy>,
  plan: Pick<ServicePlan, 'protocol' | 'service'>,
  diagnostics: Diagnostic[],
): Obj | undefined {
  const cl = p.policy.spec.connectionLimits as Limits;
  const { protocol } = plan;
  const holds = HOLDS[protocol];
  const misplaced = POOL_FIELDS.filter((f) => cl[f] !== undefined && !holds.includes(f));
  for (const field of misplaced)
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.PoolFieldNotOnListener,
        { field, protocol, holds: holds.join(', '), service: plan.service },
        p.at(['spec', 'connectionLimits', field]),
      ),
    );
  if (misplaced.length) return undefined;
  switch (protocol) {
    case 'http':
      return {
        http: {
          maxConnections: cl.maxConnections ?? ENVOY_MAX_CONNECTIONS,
          ...(cl.maxPendingRequests !== undefined ? { maxPendingRequests: cl.maxPendingRequests } : {}),
        },
      };
    case 'tcp':
      return { tcp: { maxConnections: cl.maxConnections } };
    default:
      return { [protocol]: { maxRequests: cl.maxRequests } };
  }
}
