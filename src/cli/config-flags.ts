/**
 * The flags every cluster command shares, in the manner of kubectl's genericclioptions.ConfigFlags:
 * addConfigFlags puts them on a command, resolveConfigFlags turns what was given into a target (the
 * kubeconfig, context, server, namespace) and the one client the command's requests go through.
 * apply, diff, delete, status, install, uninstall and register all use it, so a new connection flag
 * (e.g. kubectl's --request-timeout) is added here once.
 */
import type { Command } from 'commander';
import { clientFor, type KubeClient } from '../cluster/client.js';
import type { HelmTarget } from '../cluster/install/helm.js';
import { KubeConfigError, type KubeTarget, loadKubeTarget } from '../cluster/kubeconfig.js';
import { UsageError } from './exit.js';
import { VERSION } from './version.js';

/** The values of the shared flags, as commander parses them. */
export interface ConfigFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface ConfigFlagOptions {
  /** What -n/--namespace means for this command (default: the namespace for policies that name none). */
  readonly namespaceHelp?: string;
}

/** kubectl's connection flags: --kubeconfig, --context, -n/--namespace. */
export function addConfigFlags(cmd: Command, opts: ConfigFlagOptions = {}): Command {
  return cmd
    .option('--kubeconfig <file>', 'the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use (default: the current context)')
    .option(
      '-n, --namespace <ns>',
      opts.namespaceHelp ?? "namespace for policies that name none (default: the context's, else default)",
    );
}

export interface ResolveOptions {
  /**
   * Whether -n is the target's namespace (default true). install and register give -n a meaning
   * of their own (where the mesh runs), so for them the target's namespace is the context's.
   */
  readonly namespaced?: boolean;
  /** Retries of a request on 429, 5xx and lost connections (default: the client's, 5). */
  readonly retries?: number;
}

/** Where a cluster command works, and the client it sends every request through. */
export interface ClusterTarget extends KubeTarget {
  readonly client: KubeClient;
}

/**
 * The cluster to talk to, from the shared flags; a kubeconfig that names no usable context is a
 * usage error (exit 2), said the way kubectl says it.
 */
export function resolveConfigFlags(flags: ConfigFlags, opts: ResolveOptions = {}): ClusterTarget {
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
  });
  return { ...target, client };
}

/** The same cluster for helm: its --kubeconfig and --kube-context. */
export function helmTarget(flags: { kubeconfig?: string }, context: string | undefined): HelmTarget {
  return { ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(context ? { context } : {}) };
}
