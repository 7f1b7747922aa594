/**
 * Runs the Istio behaviour driver (test/behaviour/istio/driver, built by
 * scripts/build-istio-driver.sh): istiod's own xDS generation, request simulation and config
 * analyzers, asked what a compiled anymesh output does with a list of calls.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../support/cases.js';
import { gatewayApiBundleVersions } from './crd-defaults.js';

export interface Workload {
  namespace: string;
  name?: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  ip?: string;
}

export interface Call {
  id: string;
  /**
   * outbound/inbound: through the caller's or the server's sidecar; ambient: from the caller to a
   * Service (through its waypoint when it has one) and on to pod `to`'s ztunnel; ztunnel: straight
   * to pod `to` (around any waypoint).
   */
  mode: 'outbound' | 'inbound' | 'gateway' | 'ambient' | 'ztunnel';
  from: Workload;
  plaintext?: boolean;
  to?: Workload;
  host?: string;
  address?: string;
  port: number;
  /** http: HTTP/1.1 (default); http2: h2c; grpc: h2c POST with content-type application/grpc. */
  protocol?: 'http' | 'http2' | 'grpc' | 'tcp';
  method?: string;
  path?: string;
  headers?: Record<string, string[]>;
  /** Ambient: the container port reached at pod `to` (default `port`). */
  targetPort?: number;
}

export interface HeaderOp {
  name: string;
  value?: string;
  action: string;
}

export interface Route {
  name: string;
  clusters: { cluster: string; weight: number }[];
  timeoutMs?: number;
  retry?: {
    retryOn: string;
    numRetries: number;
    perTryTimeoutMs?: number;
    backoffBaseMs?: number;
    backoffMaxMs?: number;
    retriableStatusCodes?: number[];
  };
  fault?: {
    delayMs?: number;
    delayPercent?: number;
    abortHttpStatus?: number;
    abortGrpcStatus?: number;
    abortPercent?: number;
  };
  mirrors?: { cluster: string; percent: number }[];
  requestHeaders?: HeaderOp[];
  responseHeaders?: HeaderOp[];
  cors?: {
    allowOrigins: string[];
    allowMethods?: string;
    allowHeaders?: string;
    exposeHeaders?: string;
    maxAge?: string;
    allowCredentials?: boolean;
  };
  extra?: Record<string, boolean>;
  /** The route's consistent-hash keys (sidecar). */
  hashPolicies?: {
    cookie?: string;
    cookiePath?: string;
    cookieTtlMs?: number;
    header?: string;
    sourceIp?: boolean;
  }[];
  /** Per routed cluster, its BackendPolicy-relevant Envoy settings. */
  clusterSettings?: Record<string, ClusterSettings>;
  /** A redirect route's action and the Location it answers this request with (no clusters). */
  redirect?: {
    scheme?: string;
    host?: string;
    port?: number;
    path?: string;
    prefixRewrite?: string;
    stripQuery?: boolean;
    responseCode: number;
    location: string;
  };
  /** A forwarding route's URL rewrite and the :path the upstream receives for this request. */
  rewrite?: {
    prefixRewrite?: string;
    regexPattern?: string;
    regexSubstitution?: string;
    host?: string;
    path: string;
  };
}

/** The tcp_proxy a TCP connection meets. */
export interface TcpProxy {
  clusters: { cluster: string; weight: number }[];
  /** tcp_proxy's idle_timeout; absent when unset (Envoy's default: 1 hour). */
  idleTimeoutMs?: number;
  clusterSettings?: Record<string, ClusterSettings>;
}

export interface ClusterSettings {
  lbPolicy: string;
  connectTimeoutMs?: number;
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
  maxRequestsPerConnection?: number;
  outlier?: {
    consecutive5xx?: number;
    consecutiveGatewayFailure?: number;
    enforcing5xx?: number;
    enforcingGateway?: number;
    intervalMs?: number;
    baseEjectionMs?: number;
    maxEjectionPercent?: number;
  };
  /** What the cluster speaks to its endpoints: http2, http1, downstream or auto. */
  upstreamProtocol?: string;
  /** The cluster's common HTTP protocol idle timeout. */
  idleTimeoutMs?: number;
  /** The cluster's active health checks (`http <path> every <n>ms`, `tcp every <n>ms`, ...); absent when none. */
  healthChecks?: string[];
}

export interface Result {
  id: string;
  error?: string;
  listener?: string;
  filterChain?: string;
  routeConfig?: string;
  virtualHost?: string;
  route?: Route;
  cluster?: string;
  authz?: {
    allowed: boolean;
    filters: { filter: string; action: string; matched: string[]; policies: string[]; allowed: boolean }[];
  };
  /** Ambient: the waypoint Service host the call went through, and the identity its pod presents. */
  waypoint?: string;
  waypointIdentity?: string;
  /** Ambient: ztunnel's L4 decision at the destination pod. */
  ztunnel?: { allowed: boolean; source: string; policies: string[]; matched: string[]; reason: string };
  /** Ambient: the endpoints istiod sends the waypoint per routed or mirrored cluster. */
  endpoints?: Record<string, string[]>;
  /** The tcp_proxy a TCP call met (sidecar outbound, waypoint). */
  tcp?: TcpProxy;
  /**
   * Inbound: the server sidecar's cluster to the application; its upstreamProtocol is what the pod
   * receives (absent: HTTP/1.1, Envoy's default).
   */
  inboundCluster?: ClusterSettings;
}

export interface AnalyzerMessage {
  code: string;
  level: string;
  text: string;
  resource?: string;
}

export interface Answer {
  results: Result[];
  messages: AnalyzerMessage[];
  analyzers?: string[];
}

// Asynchronous on purpose: a worker blocked for seconds in a synchronous child process misses
// vitest's RPC heartbeats ("Timeout calling onTaskUpdate").
const run = promisify(execFile);
let binary: Promise<string> | undefined;

/** The driver binary: built once (minutes cold), then found in the cache in milliseconds. */
export function driverBinary(): Promise<string> {
  binary ??= run('bash', [join(ROOT, 'scripts', 'build-istio-driver.sh')], {
    encoding: 'utf8',
    timeout: 60 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  }).then((r) => r.stdout.trim());
  return binary;
}

/**
 * Asks Istio what `config` (anymesh output plus the Kubernetes world) does with `calls`. `ambient`
 * runs istiod as its ambient profile does (PILOT_ENABLE_AMBIENT=true); sidecar runs never inherit it.
 */
export async function askIstio(
  config: string,
  calls: readonly Call[],
  analyze = true,
  ambient = false,
): Promise<Answer> {
  const dir = mkdtempSync(join(tmpdir(), 'anymesh-istio-'));
  try {
    const input = join(dir, 'input.json');
    const output = join(dir, 'output.json');
    const crdBundleVersions = ambient ? gatewayApiBundleVersions() : undefined;
    writeFileSync(input, JSON.stringify({ config, calls, analyze, ambient, crdBundleVersions }));
    const { PILOT_ENABLE_AMBIENT: _inherited, ...env } = process.env;
    try {
      await run(
        await driverBinary(),
        ['-test.run', '^TestDriver$', '-test.count', '1', '-test.timeout', '5m'],
        {
          env: {
            ...env,
            ...(ambient ? { PILOT_ENABLE_AMBIENT: 'true' } : {}),
            ANYMESH_ISTIO_INPUT: input,
            ANYMESH_ISTIO_OUTPUT: output,
          },
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        },
      );
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      // Istio logs a lot; the test's own failure lines are what matters.
      const tail = (s = '') => s.split('\n').slice(-60).join('\n');
      throw new Error(`Istio driver failed: ${err.message}\n${tail(err.stdout)}\n${tail(err.stderr)}`);
    }
    const answer = JSON.parse(readFileSync(output, 'utf8')) as Answer;
    if (answer.results.length !== calls.length) {
      throw new Error(`driver answered ${answer.results.length} calls of ${calls.length}`);
    }
    return answer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
