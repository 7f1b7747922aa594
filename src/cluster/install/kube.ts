/**
 * The few raw API calls install, readiness and discovery need: JSON in, JSON out, exactly as the API
 * server sends it (no client-side model conversion), with the kubeconfig's credentials.
 */
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  retryAfterMs: number | undefined;
  constructor(method: string, path: string, status: number, body: unknown) {
    const msg = (body as { message?: string } | undefined)?.message ?? JSON.stringify(body);
    super(`${method} ${path}: HTTP ${status}: ${msg}`);
    this.status = status;
    this.body = body;
  }
}

/** Transient answers (429, 5xx) and connection resets are retried with backoff, honouring Retry-After. */
const RETRIES = 5;

export async function kubeCall(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await kubeCallOnce(kc, method, path, body, contentType);
    } catch (e) {
      const status = e instanceof KubeApiError ? e.status : undefined;
      const code = (e as NodeJS.ErrnoException).code;
      const transient =
        status === 429 ||
        (status !== undefined && status >= 500) ||
        code === 'ECONNRESET' ||
        code === 'EPIPE';
      if (!transient || attempt >= RETRIES) throw e;
      const retryAfter = e instanceof KubeApiError ? e.retryAfterMs : undefined;
      await sleep(retryAfter ?? Math.min(4000, 100 * 2 ** attempt));
    }
  }
}

async function kubeCallOnce(
  kc: KubeConfig,
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: https.RequestOptions = { method, headers: { accept: 'application/json' }, timeout: 30_000 };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'content-type': contentType };
  const transport = url.protocol === 'http:' ? await import('node:http') : https;
  const { status, text, retryAfter } = await new Promise<{
    status: number;
    text: string;
    retryAfter?: string;
  }>((done, fail) => {
    const req = transport.request(url, opts, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('error', fail);
      r.on('end', () =>
        done({
          status: r.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          ...(typeof r.headers['retry-after'] === 'string' ? { retryAfter: r.headers['retry-after'] } : {}),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', fail);
    req.end(payload);
  });
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (status >= 300) {
    const err = new KubeApiError(method, path, status, parsed);
    const secs = Number(retryAfter);
    if (retryAfter !== undefined && Number.isFinite(secs)) err.retryAfterMs = Math.min(10_000, secs * 1000);
    throw err;
  }
  return parsed;
}

/** GET that answers undefined for 404 (the object or its kind does not exist). */
export async function kubeGet<T = Record<string, unknown>>(
  kc: KubeConfig,
  path: string,
): Promise<T | undefined> {
  try {
    return (await kubeCall(kc, 'GET', path)) as T;
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** A LIST's items, [] when the kind is not served. */
export async function kubeList<T = KubeObj>(kc: KubeConfig, path: string): Promise<T[]> {
  const list = await kubeGet<{ items?: T[] }>(kc, path);
  return list?.items ?? [];
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The loosely typed object shape used by readiness and discovery. */
export interface KubeObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

export function condition(obj: KubeObj | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Path of a resource collection: core (`v1`) or grouped. */
export function collectionPath(group: string, version: string, plural: string, namespace?: string): string {
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
