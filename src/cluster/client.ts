/**
 * A small Kubernetes REST client: the kubeconfig's credentials (client-node's KubeConfig applies TLS,
 * tokens and exec plugins), bodies sent and received as plain JSON, and p-retry around every request
 * for transient failures (429, 5xx, connection refused/reset, timeouts), honouring `Retry-After`.
 *
 * Why not client-node's typed clients: they pass bodies through their ObjectSerializer (which keeps
 * only the fields its models name) and hide response headers (`Retry-After`). Apply needs the
 * object exactly as compiled, and the retry policy needs the headers.
 */
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import pRetry, { AbortError } from 'p-retry';

export interface RetryPolicy {
  /** Retries after the first attempt (default 5). */
  readonly retries: number;
  /** First backoff in ms (default 200), doubled each time up to maxTimeoutMs (default 5000). */
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** Longest Retry-After honoured, in ms (default 30000). */
  readonly maxRetryAfterMs: number;
}

const DEFAULT_RETRY: RetryPolicy = {
  retries: 5,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/** The API server's answer to a request it refused (or the transport's failure, with code 0). */
export class KubeApiError extends Error {
  /** HTTP status; 0 when no response came (connection refused, reset, timeout). */
  readonly code: number;
  /** The Status reason, e.g. Forbidden, Conflict, Invalid, NotFound. */
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
}

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

export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Counts of requests actually sent, by method (retries included): what tests and `-o json` report. */
export interface RequestStats {
  readonly byMethod: Record<string, number>;
  /** PATCH/POST/PUT/DELETE without dryRun: requests that may change the cluster. */
  writes: number;
  /** Same, with dryRun=All. */
  dryRuns: number;
  retries: number;
  /** Of the retries, those after a 429 (the server throttling us). */
  throttled: number;
}

export interface ClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout in ms (default 30000). */
  readonly timeoutMs?: number;
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

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class KubeClient {
  readonly config: KubeConfig;
  readonly server: string;
  readonly stats: RequestStats = { byMethod: {}, writes: 0, dryRuns: 0, retries: 0, throttled: 0 };
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(config: KubeConfig, options: ClientOptions = {}) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.config = config;
    this.server = cluster.server;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** One request, retried on transient failures; throws KubeApiError for any status >= 300. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse<T>> {
    let attempts = 0;
    try {
      return await pRetry(
        async () => {
          attempts++;
          try {
            return await this.once<T>(method, path, body, contentType);
          } catch (err) {
            if (err instanceof KubeApiError && !isTransient(err)) throw new AbortError(err);
            throw err;
          }
        },
        {
          retries: this.retry.retries,
          minTimeout: this.retry.minTimeoutMs,
          maxTimeout: this.retry.maxTimeoutMs,
          factor: 2,
          randomize: true,
          onFailedAttempt: async ({ error, retriesLeft }) => {
            if (retriesLeft <= 0) return;
            this.stats.retries++;
            if ((error as KubeApiError).code === 429) this.stats.throttled++;
            const after = (error as KubeApiError).retryAfterMs;
            // Honour Retry-After: wait what the server asked (bounded) before p-retry's own backoff.
            if (after !== undefined) await sleep(Math.min(after, this.retry.maxRetryAfterMs));
          },
        },
      );
    } catch (err) {
      const e = err instanceof KubeApiError ? err : (err as { originalError?: unknown }).originalError;
      if (e instanceof KubeApiError) {
        e.attempts = attempts;
        throw e;
      }
      throw err;
    }
  }

  private async once<T>(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
  ): Promise<KubeResponse<T>> {
    const url = new URL(path, this.server);
    const opts: https.RequestOptions = {
      method,
      headers: { accept: 'application/json' },
      timeout: this.timeoutMs,
    };
    await this.config.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) opts.headers = { ...opts.headers, 'content-type': contentType };
    const m = method.toUpperCase();
    this.stats.byMethod[m] = (this.stats.byMethod[m] ?? 0) + 1;
    if (m !== 'GET') {
      if (url.searchParams.get('dryRun') === 'All') this.stats.dryRuns++;
      else this.stats.writes++;
    }
    const requester = url.protocol === 'http:' ? (await import('node:http')).request : https.request;
    return new Promise<KubeResponse<T>>((done, fail) => {
      const req = requester(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(transportError(method, path, err)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const parsed = parseJson(Buffer.concat(chunks).toString('utf8'));
          if (status < 300) return done({ status, body: parsed as T });
          const st = typeof parsed === 'object' && parsed !== null ? (parsed as KubeStatus) : undefined;
          const header = res.headers['retry-after'];
          fail(
            new KubeApiError(
              method,
              path,
              status,
              st?.message ?? (typeof parsed === 'string' && parsed ? parsed : `HTTP ${status}`),
              st?.reason ?? `HTTP${status}`,
              st,
              parseRetryAfter(Array.isArray(header) ? header[0] : header),
            ),
          );
        });
      });
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`timed out after ${this.timeoutMs} ms`), { code: 'ERR_TIMEOUT' }),
        ),
      );
      req.on('error', (err) => fail(transportError(method, path, err)));
      req.end(payload);
    });
  }
}

function transportError(method: string, path: string, err: Error): KubeApiError {
  const errno = (err as NodeJS.ErrnoException).code ?? 'ERR';
  return new KubeApiError(method, path, 0, `${errno}: ${err.message}`, errno);
}

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
