/**
 * Retries -> `routes[].httpRoute.retryPolicy {maxRetries, perRetryTimeout, httpRetryEvents,
 * tcpRetryEvents}`, and for a gRPC policy `routes[].grpcRoute.retryPolicy`, which also takes
 * grpcRetryEvents (cancelled, deadline-exceeded, internal, resource-exhausted, unavailable: the
 * model's names; AWS API reference GrpcRetryPolicy, VirtualRouter CRD enum).
 *
 * App Mesh requires maxRetries and perRetryTimeout and at least one retry event; it has no backoff
 * setting. Events are classes, not status codes (AWS API reference HttpRetryPolicy):
 *   server-error  = HTTP 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511
 *   gateway-error = HTTP 502, 503, 504
 *   client-error  = HTTP 409
 *   stream-error  = retry on refused stream
 *   connection-error (tcp) = the upstream cannot be reached, before any processing
 * and "both server-error and gateway-error include the Envoy reset policy".
 * Docs: https://docs.aws.amazon.com/app-mesh/latest/APIReference/API_HttpRetryPolicy.html
 */
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { durationMs, formatDuration } from '../../core/model/duration.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { Rule } from '../../core/model/schema.js';
import { APPMESH_MESSAGES } from './messages.js';
import { DEFAULT_PER_REQUEST_MS, meshDuration, type Obj } from './plan.js';

const HTTP_EVENTS = ['server-error', 'gateway-error', 'client-error', 'stream-error'] as const;

/** Model retry conditions App Mesh has an event for. */
const EVENT_OF: Record<string, { http?: (typeof HTTP_EVENTS)[number]; tcp?: 'connection-error' }> = {
  '5xx': { http: 'server-error' },
  'gateway-error': { http: 'gateway-error' },
  // Envoy's retriable-4xx is 409 only, which is App Mesh's client-error.
  'retriable-4xx': { http: 'client-error' },
  'refused-stream': { http: 'stream-error' },
  'connect-failure': { tcp: 'connection-error' },
};

const GRPC_EVENTS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

export function retryPolicy(
  rule: Rule,
  doc: PolicyDoc,
  at: FieldPath,
  diagnostics: Diagnostic[],
  grpc = false,
): Obj | undefined {
  const r = rule.retries;
  if (!r) return undefined;
  let perTryMs: number;
  if (r.perTryTimeout !== undefined) perTryMs = durationMs(r.perTryTimeout);
  else {
    // Envoy's own default per-try timeout is the route timeout; keep that meaning.
    perTryMs = rule.timeout !== undefined ? durationMs(rule.timeout) : DEFAULT_PER_REQUEST_MS;
    diagnostics.push(
      makeDiagnostic(
        APPMESH_MESSAGES.RetryPerTryDefaulted,
        {
          value: formatDuration(perTryMs),
          why:
            rule.timeout !== undefined
              ? "the rule's timeout, as Envoy does by default"
              : "App Mesh's default request timeout",
        },
        doc.at([...at, 'retries']),
      ),
    );
  }
  const http = new Set<string>();
  const tcp = new Set<string>();
  const grpcEvents = new Set<string>();
  if (!r.retryOn?.length) {
    http.add('gateway-error');
    tcp.add('connection-error');
    diagnostics.push(makeDiagnostic(APPMESH_MESSAGES.RetryEventsDefaulted, {}, doc.at([...at, 'retries'])));
  }
  const listed = new Set(r.retryOn ?? []);
  /** A condition another listed one already covers: App Mesh's server-error and gateway-error events include resets. */
  const covered = (cond: string): boolean =>
    (cond === 'reset' && (listed.has('5xx') || listed.has('gateway-error'))) ||
    (/^5\d\d$/.test(cond) && listed.has('5xx')) ||
    (['502', '503', '504'].includes(cond) && listed.has('gateway-error'));
  r.retryOn?.forEach((cond, i) => {
    const ev = EVENT_OF[cond];
    // On an http policy the compiler refused gRPC conditions before (the cell's byProtocol).
    if (grpc && GRPC_EVENTS.includes(cond)) grpcEvents.add(cond);
    else if (ev?.http) http.add(ev.http);
    else if (ev?.tcp) tcp.add(ev.tcp);
    else if (covered(cond)) {
      // Nothing to add and nothing lost: the broader event already listed retries it.
    } else {
      const why =
        cond === 'reset'
          ? 'App Mesh has no event for resets alone; server-error and gateway-error include resets, so use gateway-error (502, 503, 504 and resets)'
          : /^\d+$/.test(cond)
            ? 'App Mesh retries on classes of status, not single codes: server-error (5xx), gateway-error (502, 503, 504) or client-error (409); use 5xx, gateway-error or retriable-4xx'
            : 'App Mesh has no such retry event';
      diagnostics.push(
        makeDiagnostic(
          APPMESH_MESSAGES.RetryConditionUnmapped,
          { got: JSON.stringify(cond), why },
          doc.at([...at, 'retries', 'retryOn', i]),
        ),
      );
    }
  });
  const httpEvents = HTTP_EVENTS.filter((e) => http.has(e));
  return {
    maxRetries: r.attempts,
    perRetryTimeout: meshDuration(perTryMs),
    ...(httpEvents.length ? { httpRetryEvents: httpEvents } : {}),
    ...(tcp.size ? { tcpRetryEvents: ['connection-error'] } : {}),
    ...(grpcEvents.size ? { grpcRetryEvents: GRPC_EVENTS.filter((e) => grpcEvents.has(e)) } : {}),
  };
}
