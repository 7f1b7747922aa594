/**
 * The one Kubernetes REST client of anymesh: the kubeconfig's credentials (client-node's KubeConfig
 * applies TLS, tokens and exec plugins), bodies sent and received as plain JSON, and one request
 * path that carries the retry policy: p-retry around every request for transient failures (429,
 * 5xx, connection refused/reset, timeouts), honouring `Retry-After`. Apply, diff, delete, install,
 * readiness, discovery and preflight all send their requests through it, so per-request concerns
 * (User-Agent, timeouts, request counters, later label-selected LISTs and watches) live here only.
 *
 * Why not client-node's typed clients: they pass bodies through their ObjectSerializer (which keeps
 * only the fields its models name) and hide response headers (`Retry-After`). Apply needs the
 * object exactly as compiled, and the retry policy needs the headers. client-node is imported as a
 * type only: kubeconfig.ts loads it on first use (it costs ~0.6 s at start).
 */
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import pRetry, { AbortError } from 'p-retry';
import { AdaptiveLimit, type AdaptiveLimitOptions, type Outcome } from './adaptive-limit.js';
import { errorFromResponse, KubeApiError, transportError } from './kube-error.js';
import type { KubeObj } from './kube-shapes.js';

export {
  errorFromResponse,
  isTransient,
  KubeApiError,
  type KubeStatus,
  parseRetryAfter,
} from './kube-error.js';
export { type Condition, collectionPath, condition, type KubeObj } from './kube-shapes.js';

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

export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Counts of requests actually sent, by method (retries included): what tests and `-o json` report. */
export interface RequestStats {
  readonly byMethod: Record<string, number>;
  /**
   * PATCH/POST/PUT/DELETE without dryRun that the server accepted (2xx): writes made, not
   * attempts, so a refused or retried write is not counted as one.
   */
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
  /** The User-Agent header, e.g. `anymesh/0.1.0` (kubectl sends `kubectl/<version> ...`). */
  readonly userAgent?: string;
  /** Told before each retry, e.g. to show progress on a terminal while the server is away. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Requests in flight at once, tuned to the server's answers (src/cluster/adaptive-limit.ts). */
  readonly concurrency?: AdaptiveLimitOptions;
}

/** A failed attempt that will be tried again. */
export interface RetryEvent {
  readonly method: string;
  readonly path: string;
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly retriesLeft: number;
  readonly error: unknown;
}

export interface ListOptions {
  /** A label selector, e.g. `app.kubernetes.io/managed-by=anymesh` (sent URL-encoded). */
  readonly labelSelector?: string;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class KubeClient {
  readonly config: KubeConfig;
  readonly server: string;
  readonly stats: RequestStats = { byMethod: {}, writes: 0, dryRuns: 0, retries: 0, throttled: 0 };
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string | undefined;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;
  /**
   * Every request of this client, whoever sends it, goes through one limit: callers fan out as
   * wide as they like (up to `inFlight.max`) and the server's answers decide how many are sent.
   */
  readonly inFlight: AdaptiveLimit;

  constructor(config: KubeConfig, options: ClientOptions = {}) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.config = config;
    this.server = cluster.server;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent;
    this.onRetry = options.onRetry;
    this.inFlight = new AdaptiveLimit(options.concurrency);
  }

  /** One attempt under the in-flight limit; a 429 halves it, a window of answers raises it. */
  private async limited<T>(send: () => Promise<T>): Promise<T> {
    const ticket = await this.inFlight.acquire();
    let outcome: Outcome = 'ok';
    try {
      return await send();
    } catch (err) {
      outcome = err instanceof KubeApiError && err.code === 429 ? 'overloaded' : 'failed';
      // An answer that is not about load (404, 409, 422) says the server is doing fine.
      if (err instanceof KubeApiError && err.code > 0 && err.code < 500 && err.code !== 429) outcome = 'ok';
      throw err;
    } finally {
      this.inFlight.release(ticket, outcome);
    }
  }

  private agent: { agent: https.Agent; tls: readonly string[] } | undefined;

  /**
   * One keep-alive agent for every request of this client. client-node's applyToHTTPSOptions
   * makes a new agent on every call (client-node 1.x/2.x, config.js createAgent), so each request
   * paid a TCP and TLS handshake: on 2 cores that was most of a 1,000-object apply. The agent is
   * made again only if the TLS material changes (an exec plugin handing out a new certificate).
   */
  private agentFor(opts: https.RequestOptions): https.Agent {
    // Compared by content: client-node reads the certificates into new Buffers on every call.
    const tls = [
      opts.ca,
      opts.cert,
      opts.key,
      opts.pfx,
      opts.passphrase,
      opts.rejectUnauthorized,
      opts.servername,
    ].map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : JSON.stringify(v)));
    if (!this.agent || this.agent.tls.some((v, i) => v !== tls[i])) {
      // Requests in flight keep their sockets: the old agent is closed once they are done.
      const old = this.agent?.agent;
      if (old) setTimeout(() => old.destroy(), this.timeoutMs).unref();
      const agent = new https.Agent({
        keepAlive: true,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
        ...(opts.key !== undefined ? { key: opts.key } : {}),
        ...(opts.pfx !== undefined ? { pfx: opts.pfx } : {}),
        ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}),
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      });
      this.agent = { agent, tls };
    }
    return this.agent.agent;
  }

  /** One request, retried on transient failures; throws KubeApiError for any status >= 300. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    accept = 'application/json',
  ): Promise<KubeResponse<T>> {
    let attempts = 0;
    try {
      return await pRetry(
        async () => {
          attempts++;
          try {
            return await this.limited(() => this.once<T>(method, path, body, contentType, accept));
          } catch (err) {
            if (err instanceof KubeApiError && !err.transient) throw new AbortError(err);
            throw err;
          }
        },
        {
          retries: this.retry.retries,
          minTimeout: this.retry.minTimeoutMs,
          maxTimeout: this.retry.maxTimeoutMs,
          factor: 2,
          randomize: true,
          onFailedAttempt: async ({ error, retriesLeft, attemptNumber }) => {
            if (retriesLeft <= 0) return;
            this.stats.retries++;
            this.onRetry?.({ method, path, attempt: attemptNumber, retriesLeft, error });
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

  /** GET that answers undefined for 404 (the object, or its kind, does not exist). */
  async get<T = KubeObj>(path: string): Promise<T | undefined> {
    try {
      return (await this.request<T>('GET', path)).body;
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return undefined;
      throw err;
    }
  }

  /** A LIST's items, [] when the kind is not served. */
  async list<T = KubeObj>(collection: string, opts: ListOptions = {}): Promise<T[]> {
    const query = opts.labelSelector ? `?labelSelector=${encodeURIComponent(opts.labelSelector)}` : '';
    const list = await this.get<{ items?: T[] }>(`${collection}${query}`);
    return list?.items ?? [];
  }

  /**
   * The names in a collection, from a metadata-only LIST (PartialObjectMetadataList: the server
   * leaves out spec and status; a list of CRDs is otherwise megabytes of OpenAPI schemas). Servers
   * that cannot answer that way answer the plain list, which has the names too.
   */
  async listNames(collection: string): Promise<string[]> {
    const accept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
    const list = await this.request<{ items?: { metadata: { name: string } }[] }>(
      'GET',
      collection,
      undefined,
      undefined,
      accept,
    );
    return (list.body.items ?? []).map((i) => i.metadata.name);
  }

  /**
   * A streaming GET (a watch): calls `onLine` with each newline-delimited JSON document until the
   * server ends the stream, `signal` aborts it, or the connection fails. Not retried: a watch is
   * resumed by its caller from the last resourceVersion it saw. Resolves when the stream ends;
   * rejects with KubeApiError for a refusal (e.g. 410 Gone) or a transport failure.
   */
  async stream(path: string, onLine: (doc: unknown) => void, signal?: AbortSignal): Promise<void> {
    const url = new URL(path, this.server);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    const opts: https.RequestOptions = { method: 'GET', headers, ...(signal ? { signal } : {}) };
    await this.config.applyToHTTPSOptions(opts);
    this.stats.byMethod.WATCH = (this.stats.byMethod.WATCH ?? 0) + 1;
    const requester = url.protocol === 'http:' ? (await import('node:http')).request : https.request;
    return new Promise<void>((done, fail) => {
      const req = requester(url, opts, (res) => {
        const status = res.statusCode ?? 0;
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          if (status >= 300) return;
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) onLine(parseJson(line));
          }
        });
        res.on('error', (err) => fail(transportError('GET', path, err)));
        res.on('end', () => {
          if (status >= 300)
            return fail(errorFromResponse('GET', path, status, parseJson(buffered), undefined));
          done();
        });
        res.on('close', () => done());
      });
      req.on('error', (err) => (signal?.aborted ? done() : fail(transportError('GET', path, err))));
      req.end();
    });
  }

  private async once<T>(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
    accept: string,
  ): Promise<KubeResponse<T>> {
    const url = new URL(path, this.server);
    const headers: Record<string, string> = { accept };
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    const opts: https.RequestOptions = { method, headers, timeout: this.timeoutMs };
    await this.config.applyToHTTPSOptions(opts);
    if (url.protocol === 'https:') opts.agent = this.agentFor(opts);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    // Content-Length always: Node sends a DELETE's body unframed (no chunked encoding for DELETE),
    // which on a kept-alive connection the server reads as the start of the next request.
    if (payload !== undefined)
      opts.headers = {
        ...opts.headers,
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(payload)),
      };
    const m = method.toUpperCase();
    this.stats.byMethod[m] = (this.stats.byMethod[m] ?? 0) + 1;
    const countSuccess = () => {
      if (m === 'GET') return;
      if (url.searchParams.get('dryRun') === 'All') this.stats.dryRuns++;
      else this.stats.writes++;
    };
    const requester = url.protocol === 'http:' ? (await import('node:http')).request : https.request;
    return new Promise<KubeResponse<T>>((done, fail) => {
      const req = requester(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(transportError(method, path, err)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const parsed = parseJson(Buffer.concat(chunks).toString('utf8'));
          if (status < 300) {
            countSuccess();
            return done({ status, body: parsed as T });
          }
          fail(errorFromResponse(method, path, status, parsed, res.headers['retry-after']));
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

// ---------------------------------------------------------------------------------------------------
// One client per kubeconfig

/**
 * Install, readiness and discovery are handed the kubeconfig (`KubeConfig`), not a client. They
 * reach the client through clientFor, so a command's requests all go through the one client it
 * made with its flags (retries, User-Agent), and code that never made one (tests, libraries) gets
 * a default client, made once per kubeconfig.
 */
const clients = new WeakMap<KubeConfig, KubeClient>();

/** The client of this kubeconfig: the one made before (options then ignored), else a new one. */
export function clientFor(config: KubeConfig, options: ClientOptions = {}): KubeClient {
  let c = clients.get(config);
  if (!c) {
    c = new KubeClient(config, options);
    clients.set(config, c);
  }
  return c;
}

/** What install, readiness and discovery pass around: a kubeconfig or a client. */
export type KubeHandle = KubeConfig | KubeClient;

function clientOf(k: KubeHandle): KubeClient {
  return k instanceof KubeClient ? k : clientFor(k);
}

/** A request's body (retried as every request is); KubeApiError for a status >= 300. */
export async function kubeCall(
  k: KubeHandle,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<unknown> {
  return (await clientOf(k).request(method, path, body, contentType)).body;
}

/** GET that answers undefined for 404 (the object or its kind does not exist). */
export function kubeGet<T = Record<string, unknown>>(k: KubeHandle, path: string): Promise<T | undefined> {
  return clientOf(k).get<T>(path);
}

/** The names of a collection's objects (a metadata-only LIST). */
export function kubeListNames(k: KubeHandle, path: string): Promise<string[]> {
  return clientOf(k).listNames(path);
}

/** A LIST's items, [] when the kind is not served. */
export function kubeList<T = KubeObj>(k: KubeHandle, path: string, opts: ListOptions = {}): Promise<T[]> {
  return clientOf(k).list<T>(path, opts);
}
