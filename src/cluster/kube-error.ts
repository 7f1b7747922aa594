/**
 * The one error type of the Kubernetes client: an API server's refusal (a `Status` document, or a
 * bare HTTP status) or a transport failure (code 0), with what the retry policy needs to know
 * (transient or not, `Retry-After`, attempts made).
 *
 * Status fields as the API server sends them (apimachinery's metav1.Status: kind, status, message,
 * reason, code, details with name/group/kind/causes); Retry-After as RFC 9110 §10.2.3 defines it
 * (delay-seconds or an HTTP-date).
 */

/** metav1.Status, the body of every refusal the API server sends as JSON. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { field?: string; message?: string; reason?: string }[];
  };
}

/** The API server's answer to a request it refused (or the transport's failure, with code 0). */
export class KubeApiError extends Error {
  /** HTTP status; 0 when no response came (connection refused, reset, timeout). */
  readonly code: number;
  /** The Status reason, e.g. Forbidden, Conflict, Invalid, NotFound (the errno when code is 0). */
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  /** The Status object the server sent, when it sent one. */
  readonly status?: KubeStatus;
  readonly retryAfterMs?: number;
  /** Attempts made, retries included. */
  attempts = 1;
  constructor(
    method: string,
    path: string,
    code: number,
    message: string,
    reason: string,
    status?: KubeStatus,
    retryAfterMs?: number,
  ) {
    super(message);
    this.method = method;
    this.path = path;
    this.code = code;
    this.reason = reason;
    if (status) this.status = status;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  /** True when the request never got an HTTP answer. */
  get unreachable(): boolean {
    return this.code === 0;
  }

  get notFound(): boolean {
    return this.code === 404;
  }

  /** True when trying again may succeed: see isTransient. */
  get transient(): boolean {
    return isTransient(this);
  }

  /** One line naming the request, for messages printed without other context. */
  describe(): string {
    const what = `${this.method.toUpperCase()} ${this.path}`;
    return this.code === 0
      ? `${what}: ${this.message}`
      : `${what}: HTTP ${this.code} ${this.reason}: ${this.message}`;
  }
}

/**
 * The error for a response with status >= 300. The body is a Status document for every refusal
 * the API server itself makes; a proxy or load balancer in front of it may send text or nothing.
 */
export function errorFromResponse(
  method: string,
  path: string,
  code: number,
  body: unknown,
  retryAfter?: string | readonly string[],
  now = Date.now(),
): KubeApiError {
  const st = typeof body === 'object' && body !== null ? (body as KubeStatus) : undefined;
  const header = Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter as string | undefined);
  return new KubeApiError(
    method,
    path,
    code,
    st?.message ?? (typeof body === 'string' && body ? body : `HTTP ${code}`),
    st?.reason ?? `HTTP${code}`,
    st,
    parseRetryAfter(header, now),
  );
}

/** The error for a request that got no HTTP answer; the errno becomes the reason. */
export function transportError(method: string, path: string, err: Error): KubeApiError {
  const errno = (err as NodeJS.ErrnoException).code ?? 'ERR';
  return new KubeApiError(method, path, 0, `${errno}: ${err.message}`, errno);
}

/** `Retry-After` as seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const TRANSIENT_CODES = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ERR_TIMEOUT',
]);

/** Throttling (429), server errors (5xx but 501) and lost connections are worth another attempt. */
export function isTransient(err: KubeApiError): boolean {
  if (err.code === 0) return TRANSIENT_ERRNO.has(err.reason) || err.reason === 'ERR';
  // Server-side apply answers a value of the wrong type with 500 "failed to create typed patch
  // object" (kube-apiserver 1.37), not 422: deterministic, so retrying cannot help.
  if (
    err.code === 500 &&
    /failed to create typed (patch|live) object/.test(`${err.message} ${err.status?.message ?? ''}`)
  )
    return false;
  return TRANSIENT_CODES.has(err.code);
}

/** A cluster command cannot start: nobody, or nothing Kubernetes, answers at the server's address. */
export class ClusterUnreachableError extends Error {
  readonly server: string;
  readonly reason: string;
  constructor(server: string, reason: string) {
    super(`cannot reach the API server at ${server}: ${reason}`);
    this.server = server;
    this.reason = reason;
  }
}
