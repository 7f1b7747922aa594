/**
 * Is there a Kubernetes API server at the kubeconfig's address? One GET /version, sent once (no
 * retries) with a short deadline, before a cluster command does any work, so that a closed port,
 * a listener that never answers, a TLS failure or an HTTPS server that is not Kubernetes all give
 * the same one-line answer within a second (connection refused) or the --request-timeout, instead
 * of each request's retries and then a per-object error or, worse, an empty "nothing installed".
 *
 * `/version` is what `kubectl version` reads; the API server serves it to every caller, also
 * unauthenticated ones (the system:public-info-viewer ClusterRole), and answers JSON with
 * `gitVersion`. Refusals it makes itself (401, 403) are a `Status` document: also proof that a
 * Kubernetes API server answered.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeClient } from './client.js';

/** The fields of apimachinery's version.Info that anymesh shows. */
export interface ServerVersion {
  readonly major?: string;
  readonly minor?: string;
  readonly gitVersion: string;
  readonly platform?: string;
}

export type Reach =
  | { readonly ok: true; readonly version?: ServerVersion }
  | { readonly ok: false; readonly server: string; readonly reason: string };

export interface ProbeOptions {
  /** How long to wait for the answer, in ms. */
  readonly timeoutMs: number;
  readonly userAgent?: string;
}

// In kube-error.ts, beside KubeApiError: the CLI's failure report tells them apart without loading
// the client (and node:https) on every command.
export { ClusterUnreachableError } from './kube-error.js';

const TLS_CODE = /^(CERT_|DEPTH_ZERO|UNABLE_TO_|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH)/;

/** A transport failure in words a user can act on. */
export function transportReason(err: KubeApiError, server: string, timeoutMs: number): string {
  const errno = err.reason;
  const where = (() => {
    try {
      return new URL(server).host;
    } catch {
      return server;
    }
  })();
  if (errno === 'ECONNREFUSED') return `connection refused (nothing listens on ${where})`;
  if (errno === 'ERR_TIMEOUT' || errno === 'ETIMEDOUT')
    return `no answer within ${formatMs(timeoutMs)} (raise it with --request-timeout)`;
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') return `host not found (${where})`;
  if (errno === 'ECONNRESET') return 'the connection was closed without an answer';
  if (errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH') return `no route to ${where}`;
  if (TLS_CODE.test(errno)) return `TLS failed: ${err.message.replace(/^[A-Z_]+: /, '')}`;
  return err.message;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function isVersion(body: unknown): body is ServerVersion {
  return typeof body === 'object' && body !== null && typeof (body as ServerVersion).gitVersion === 'string';
}

function isStatus(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

export async function probeServer(config: KubeConfig, opts: ProbeOptions): Promise<Reach> {
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  let client: KubeClient;
  try {
    client = new KubeClient(config, {
      retry: { retries: 0 },
      timeoutMs: opts.timeoutMs,
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    });
  } catch (e) {
    return { ok: false, server, reason: (e as Error).message };
  }
  try {
    const r = await client.request('GET', '/version');
    if (isVersion(r.body)) return { ok: true, version: r.body };
    return {
      ok: false,
      server,
      reason: `HTTP ${r.status} without a version: it is not a Kubernetes API server (check the kubeconfig's server address)`,
    };
  } catch (e) {
    if (e instanceof KubeApiError) {
      if (e.unreachable) return { ok: false, server, reason: transportReason(e, server, opts.timeoutMs) };
      // The API server's own refusals (401 Unauthorized, 403 Forbidden) come as a Status: it is
      // there; the command's requests will say what the credentials lack.
      if (e.status && isStatus(e.status)) return { ok: true };
      return {
        ok: false,
        server,
        reason: `HTTP ${e.code} to GET /version: it is not a Kubernetes API server (check the kubeconfig's server address)`,
      };
    }
    // client-node refuses some kubeconfigs only when a request is prepared (e.g. an http:// server
    // without insecure-skip-tls-verify); that, too, means the server cannot be reached.
    return { ok: false, server, reason: (e as Error).message };
  }
}
