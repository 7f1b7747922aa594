/**
 * Kubeconfig handling as kubectl does it: `--kubeconfig` wins, else `KUBECONFIG` (a list of files,
 * merged), else `~/.kube/config` (or in-cluster config); `--context` picks a context; the namespace
 * is `-n`, else the context's namespace, else `default`.
 */
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

export interface KubeTarget {
  readonly config: KubeConfig;
  /** The namespace for namespaced objects that name none. */
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
}

/** A problem with the user's kubeconfig: a usage-level error that names what to fix. */
export class KubeConfigError extends Error {}

export function loadKubeTarget(flags: KubeFlags): KubeTarget {
  const config = new KubeConfig();
  try {
    if (flags.kubeconfig) {
      if (!existsSync(flags.kubeconfig))
        throw new KubeConfigError(`--kubeconfig ${flags.kubeconfig}: no such file`);
      config.loadFromFile(flags.kubeconfig);
    } else if (process.env.KUBECONFIG) {
      loadMerged(config, process.env.KUBECONFIG);
    } else {
      config.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof KubeConfigError) throw e;
    throw new KubeConfigError(`cannot read the kubeconfig: ${(e as Error).message}`);
  }
  if (flags.context) {
    if (!config.getContextObject(flags.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `--context ${flags.context}: no such context; the kubeconfig has ${known.join(', ') || 'none'}`,
      );
    }
    config.setCurrentContext(flags.context);
  }
  const context = config.getCurrentContext();
  const cluster = config.getCurrentCluster();
  if (!context || !cluster) {
    throw new KubeConfigError(
      'no current context: set one with --context, KUBECONFIG or `kubectl config use-context`',
    );
  }
  const namespace = flags.namespace ?? config.getContextObject(context)?.namespace ?? 'default';
  return { config, namespace, context, server: cluster.server };
}

/**
 * KUBECONFIG as kubectl merges it (client-node differs on all three points): files that do not
 * exist are skipped; the first file to define a cluster, user or context name wins (later ones are
 * ignored, not an error); the first file to set current-context wins.
 */
function loadMerged(config: KubeConfig, list: string): void {
  const files = list.split(delimiter).filter((f) => f && existsSync(f));
  if (files.length === 0) throw new KubeConfigError(`KUBECONFIG=${list}: none of these files exists`);
  const clusters: KubeConfig['clusters'] = [];
  const users: KubeConfig['users'] = [];
  const contexts: KubeConfig['contexts'] = [];
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfig();
    one.loadFromFile(file); // resolves relative certificate paths against the file's directory
    const add = <T extends { name: string }>(into: T[], items: readonly T[]) => {
      for (const item of items) if (!into.some((x) => x.name === item.name)) into.push(item);
    };
    add(clusters, one.clusters);
    add(users, one.users);
    add(contexts, one.contexts);
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
  }
  config.loadFromOptions({ clusters, users, contexts, currentContext });
}
