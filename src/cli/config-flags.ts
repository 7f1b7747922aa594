/**
 * The flags every cluster command shares, in the manner of kubectl's genericclioptions.ConfigFlags:
 * addConfigFlags puts them on a command, resolveConfigFlags turns what was given into a target (the
 * kubeconfig, context, server, namespace) and the one client the command's requests go through.
 * apply, diff, delete, status, install, uninstall and register all use it, so a new connection flag
 * (e.g. kubectl's --request-timeout) is added here once.
 */
import type { Command } from 'commander';
import { clientFor, type KubeClient, type RetryEvent } from '../cluster/client.js';
import type { HelmTarget } from '../cluster/install/helm.js';
import { KubeConfigError, type KubeTarget, loadKubeTarget } from '../cluster/kubeconfig.js';
import { ClusterUnreachableError, probeServer, type ServerVersion } from '../cluster/reachability.js';
import { parseDuration } from '../core/model/duration.js';
import { UsageError } from './exit.js';
import { checkNamespaceFlag } from './flag-values.js';
import { VERSION } from './version.js';

/** How long the up-front reachability check waits when --request-timeout is not given. */
export const DEFAULT_REACH_TIMEOUT_MS = 10_000;

/** The values of the shared flags, as commander parses them. */
export interface ConfigFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  requestTimeout?: string;
}

export interface ConfigFlagOptions {
  /** What -n/--namespace means for this command (default: the namespace for policies that name none). */
  readonly namespaceHelp?: string;
}

export { CONFIG_FLAGS_WITH_VALUE } from './config-flag-names.js';

/** kubectl's connection flags: --kubeconfig, --context, -n/--namespace, --request-timeout. */
export function addConfigFlags(cmd: Command, opts: ConfigFlagOptions = {}): Command {
  return cmd
    .option('--kubeconfig <file>', 'the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use (default: the current context)')
    .option(
      '-n, --namespace <ns>',
      opts.namespaceHelp ?? "namespace for policies that name none (default: the context's, else default)",
    )
    .option(
      '--request-timeout <duration>',
      'how long to wait for each answer of the API server, e.g. 5s, 1m (0, the default: 10s to reach it, 30s per request)',
    );
}

/**
 * --request-timeout as kubectl reads it: a duration with a unit (1s, 2m, 1h), a bare integer as
 * seconds, 0 for the defaults.
 */
export function parseRequestTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) === 0 ? undefined : Number(t) * 1000;
  const d = parseDuration(t);
  if ('error' in d) throw new UsageError(`--request-timeout ${text}: ${d.error} (e.g. 5s, 1m)`);
  return d.ms === 0 ? undefined : d.ms;
}

export interface ResolveOptions {
  /**
   * Whether -n is the target's namespace (default true). install and register give -n a meaning
   * of their own (where the mesh runs), so for them the target's namespace is the context's.
   */
  readonly namespaced?: boolean;
  /** Retries of a request on 429, 5xx and lost connections (default: the client's, 5). */
  readonly retries?: number;
  /** Told before each retry (a terminal shows it as progress). */
  readonly onRetry?: (event: RetryEvent) => void;
  /** The most requests in flight at once (--concurrency); fewer while the server throttles. */
  readonly maxInFlight?: number;
}

/** Where a cluster command works, and the client it sends every request through. */
export interface ClusterTarget extends KubeTarget {
  readonly client: KubeClient;
  /** --request-timeout in ms, when given. */
  readonly requestTimeoutMs?: number;
}

/** A target whose API server answered the reachability check. */
export interface ReachedTarget extends ClusterTarget {
  /** What GET /version answered (absent when the server refused it with a Status). */
  readonly serverVersion?: ServerVersion;
}

/**
 * The cluster to talk to, from the shared flags; a kubeconfig that names no usable context is a
 * usage error (exit 2), said the way kubectl says it.
 */
export function resolveConfigFlags(flags: ConfigFlags, opts: ResolveOptions = {}): ClusterTarget {
  checkNamespaceFlag(flags.namespace);
  const requestTimeoutMs = parseRequestTimeout(flags.requestTimeout);
  let target: KubeTarget;
  try {
    target = loadKubeTarget({
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context ? { context: flags.context } : {}),
      ...(flags.namespace && opts.namespaced !== false ? { namespace: flags.namespace } : {}),
    });
  } catch (e) {
    if (e instanceof KubeConfigError) throw new UsageError(e.message);
    throw e;
  }
  // clientFor makes this the kubeconfig's client: install, readiness and discovery, handed the
  // kubeconfig, send their requests through it too.
  const client = clientFor(target.config, {
    userAgent: `anymesh/${VERSION}`,
    ...(opts.retries !== undefined ? { retry: { retries: opts.retries } } : {}),
    ...(requestTimeoutMs !== undefined ? { timeoutMs: requestTimeoutMs } : {}),
    ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
    ...(opts.maxInFlight !== undefined
      ? { concurrency: { max: opts.maxInFlight, initial: Math.min(8, opts.maxInFlight) } }
      : {}),
  });
  return { ...target, client, ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}) };
}

/**
 * Checks, once and before any work, that a Kubernetes API server answers at the target's address;
 * throws ClusterUnreachableError (main.ts prints it and exits EXIT.unreachable) when none does.
 */
export async function ensureReachable(target: ClusterTarget): Promise<ReachedTarget> {
  const reach = await probeServer(target.config, {
    timeoutMs: target.requestTimeoutMs ?? DEFAULT_REACH_TIMEOUT_MS,
    userAgent: `anymesh/${VERSION}`,
  });
  if (!reach.ok) throw new ClusterUnreachableError(reach.server, reach.reason);
  return { ...target, ...(reach.version ? { serverVersion: reach.version } : {}) };
}

/** resolveConfigFlags, then ensureReachable: what a cluster command does first. */
export async function connectConfigFlags(
  flags: ConfigFlags,
  opts: ResolveOptions = {},
): Promise<ReachedTarget> {
  return ensureReachable(resolveConfigFlags(flags, opts));
}

/** On a terminal, one line per retry while the server is away: a wait is not a hang. */
export function retryPrinter(err: (text: string) => void): (e: RetryEvent) => void {
  return (e) => {
    const why = (e.error as { message?: string })?.message ?? String(e.error);
    err(
      `\r\x1b[Kretrying ${e.method.toUpperCase()} ${e.path} (attempt ${e.attempt + 1} of ${e.attempt + e.retriesLeft}): ${why.slice(0, 120)}\n`,
    );
  };
}

/** The same cluster for helm: its --kubeconfig and --kube-context. */
export function helmTarget(flags: { kubeconfig?: string }, context: string | undefined): HelmTarget {
  return { ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(context ? { context } : {}) };
}
