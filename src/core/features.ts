/**
 * The feature catalogue: every capability a policy can use, with a stable hierarchical id.
 *
 * Ids are a contract (CI pipelines gate on them through `anymesh capabilities -o json`), so they are
 * only ever added, never renamed. Each adapter declares a cell for every id here
 * (see `capabilities.ts`); the registry test fails if one is missing.
 */

export const FEATURES = {
  'match.path.exact': 'Match the request path exactly.',
  'match.path.prefix': 'Match a path prefix.',
  'match.path.regex': 'Match the path with an RE2 regular expression.',
  'match.method': 'Match the HTTP method.',
  'match.headers.exact': 'Match a request header value exactly.',
  'match.headers.prefix': 'Match a request header value prefix.',
  'match.headers.regex': 'Match a request header value with an RE2 regular expression.',
  'match.headers.present': 'Match on the presence of a request header.',
  'match.queryParams.exact': 'Match a query parameter value exactly.',
  'match.queryParams.regex': 'Match a query parameter value with an RE2 regular expression.',
  'match.queryParams.present': 'Match on the presence of a query parameter.',
  'match.port': 'Restrict a policy to calls to one port of the service (spec.port).',
  'backends.version': 'Route to one named version (subset) of the service.',
  'backends.weighted': 'Split traffic between several backends by weight (traffic shifting).',
  'backends.service': 'Route to a different service than the destination.',
  'routing.sources.namespace': 'Apply routing rules only to callers in a given namespace.',
  'routing.sources.serviceAccount': 'Apply routing rules only to callers with a given service account.',
  'routing.sources.labels': 'Apply routing rules only to callers whose pods carry given labels.',
  'timeout.request': 'A timeout for the whole request, retries included.',
  'retries.attempts': 'Retry failed requests a number of times.',
  'retries.perTryTimeout': 'A timeout for each attempt.',
  'retries.on.http': 'Retry on HTTP status conditions (5xx, gateway-error, retriable-4xx, a status code).',
  'retries.on.connection': 'Retry on connection failures (connect-failure, reset, refused-stream).',
  'retries.on.grpc': 'Retry on gRPC status conditions (cancelled, deadline-exceeded, unavailable, ...).',
  'retries.backoff': 'The base interval of exponential backoff between attempts.',
  'retries.backoff.max': 'The maximum interval of exponential backoff between attempts.',
  'fault.delay': 'Delay a percentage of requests (fault injection).',
  'fault.abort.http': 'Abort a percentage of requests with an HTTP status (fault injection).',
  'fault.abort.grpc': 'Abort a percentage of requests with a gRPC status (fault injection).',
  mirror: 'Send a copy of the traffic to another backend (shadowing).',
  'mirror.percentage': 'Mirror only a percentage of the traffic.',
  'headers.request.set': 'Set (overwrite) request headers.',
  'headers.request.add': 'Add (append) request headers.',
  'headers.request.remove': 'Remove request headers.',
  'headers.response.set': 'Set (overwrite) response headers.',
  'headers.response.add': 'Add (append) response headers.',
  'headers.response.remove': 'Remove response headers.',
  cors: 'Answer CORS preflight requests and add CORS headers (exact origins, methods, headers, max age, credentials).',
  'cors.allowOrigins.prefix': 'CORS allowed origins given by prefix.',
  'cors.allowOrigins.regex': 'CORS allowed origins given by an RE2 regular expression.',
  'mtls.strict': 'Require mutual TLS for inbound traffic (plaintext refused).',
  'mtls.permissive': 'Accept both mutual TLS and plaintext inbound traffic.',
  'mtls.scope.mesh': 'Set the mTLS mode for the whole mesh.',
  'mtls.scope.namespace': 'Set the mTLS mode for one namespace.',
  'mtls.scope.service': 'Set the mTLS mode for one service.',
  'access.allow': 'Allow calls to a service only from listed identities.',
  'access.deny': 'Deny calls to a service from listed identities.',
  'access.from.namespace': 'Identify callers by namespace alone: every workload of a namespace.',
  'access.from.serviceAccount': 'Identify callers by service account.',
  'access.to.methods': 'Restrict access rules to HTTP methods (L7).',
  'access.to.paths': 'Restrict access rules to request paths (L7).',
  'access.to.ports': 'Restrict access rules to ports.',
} as const satisfies Record<string, string>;

export type FeatureId = keyof typeof FEATURES;

export const FEATURE_IDS: readonly FeatureId[] = Object.keys(FEATURES) as FeatureId[];

/** The family of a feature id is its first segment: `retries.on.http` belongs to `retries`. */
export function featureFamily(id: FeatureId): string {
  return id.split('.')[0] ?? id;
}

export function isFeatureId(value: string): value is FeatureId {
  return Object.hasOwn(FEATURES, value);
}

/**
 * Feature ids selected by a user's `--feature` argument: an exact id, or every id under a prefix
 * (`fault` selects `fault.delay`, `fault.abort.http`, `fault.abort.grpc`).
 */
export function selectFeatures(query: string): FeatureId[] {
  return FEATURE_IDS.filter((id) => id === query || id.startsWith(`${query}.`));
}
