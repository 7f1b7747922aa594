/**
 * Kubeconfig handling as kubectl does it: `--kubeconfig` wins, else `KUBECONFIG` (a list of files,
 * merged), else `~/.kube/config` (or in-cluster config); `--context` picks a context; the namespace
 * is `-n`, else the context's namespace, else `default`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig as KubeConfigType } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';

/**
 * @kubernetes/client-node takes about 0.6 s to load (its generated API models), which every
 * command would pay if it were imported at the top; only commands that talk to a cluster need it,
 * so it is loaded on first use (Node 24 requires ES modules synchronously).
 */
function KubeConfigClass(): typeof KubeConfigType {
  const load = createRequire(import.meta.url);
  // The CLI bundle (scripts/bundle-cli.mjs) defines this as client-node's KubeConfig in one file
  // beside it, which loads in a third of the time of the package's ~1,000 modules.
  // The library (dist/) and the tests load the package itself.
  const lib =
    typeof ANYMESH_CLIENT_NODE_BUNDLE === 'string'
      ? load(ANYMESH_CLIENT_NODE_BUNDLE)
      : load('@kubernetes/client-node');
  return (lib as typeof import('@kubernetes/client-node')).KubeConfig;
}

/** Replaced by the bundler with the path of the bundled client-node (undeclared elsewhere). */
declare const ANYMESH_CLIENT_NODE_BUNDLE: string | undefined;

export interface KubeFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

export interface KubeTarget {
  readonly config: KubeConfigType;
  /** The namespace for namespaced objects that name none. */
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
}

/** A problem with the user's kubeconfig: a usage-level error that names what to fix. */
export class KubeConfigError extends Error {}

export function loadKubeTarget(flags: KubeFlags): KubeTarget {
  const config = new (KubeConfigClass())();
  try {
    if (flags.kubeconfig) {
      if (!existsSync(flags.kubeconfig))
        throw new KubeConfigError(`--kubeconfig ${flags.kubeconfig}: no such file`);
      config.loadFromFile(flags.kubeconfig);
    } else if (process.env.KUBECONFIG) {
      loadMerged(config, process.env.KUBECONFIG);
    } else if (existsSync(defaultKubeconfig())) {
      config.loadFromFile(defaultKubeconfig());
    } else if (inCluster()) {
      config.loadFromCluster();
    } else {
      // client-node would fall back to http://localhost:8080 here, and every request would then
      // fail with an unrelated TLS message; kubectl users expect to be told there is no config.
      throw new KubeConfigError(
        `no kubeconfig found: set KUBECONFIG or --kubeconfig (looked for ${defaultKubeconfig()})`,
      );
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

/** `~/.kube/config`, the file kubectl reads when neither --kubeconfig nor KUBECONFIG is set. */
export function defaultKubeconfig(): string {
  return join(process.env.HOME || homedir(), '.kube', 'config');
}

/** Inside a pod: client-go's rest.InClusterConfig needs the service host and the token file. */
function inCluster(): boolean {
  return (
    !!process.env.KUBERNETES_SERVICE_HOST &&
    !!process.env.KUBERNETES_SERVICE_PORT &&
    existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')
  );
}

/**
 * KUBECONFIG as kubectl merges it (client-node differs on all three points): files that do not
 * exist are skipped; the first file to define a cluster, user or context name wins (later ones are
 * ignored, not an error); the first file to set current-context wins.
 */
function loadMerged(config: KubeConfigType, list: string): void {
  const files = list.split(delimiter).filter((f) => f && existsSync(f));
  if (files.length === 0) throw new KubeConfigError(`KUBECONFIG=${list}: none of these files exists`);
  const clusters: KubeConfigType['clusters'] = [];
  const users: KubeConfigType['users'] = [];
  const contexts: KubeConfigType['contexts'] = [];
  let currentContext = '';
  for (const file of files) {
    const one = new (KubeConfigClass())();
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

/**
 * The namespace `apply` would use for policies that name none (-n, else the current context's,
 * else `default`), for commands that only compile: read from the kubeconfig files directly (the
 * same files and first-wins merge as loadKubeTarget), without loading client-node, and without
 * requiring a kubeconfig at all (none: `default`).
 */
export function defaultNamespaceFor(flags: KubeFlags): string {
  if (flags.namespace) return flags.namespace;
  if (flags.kubeconfig && !existsSync(flags.kubeconfig))
    throw new KubeConfigError(`--kubeconfig ${flags.kubeconfig}: no such file`);
  const files = flags.kubeconfig
    ? [flags.kubeconfig]
    : process.env.KUBECONFIG
      ? process.env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f))
      : existsSync(defaultKubeconfig())
        ? [defaultKubeconfig()]
        : [];
  let current = flags.context ?? '';
  const contexts = new Map<string, string | undefined>();
  for (const file of files) {
    let doc: { 'current-context'?: string; contexts?: { name?: string; context?: { namespace?: string } }[] };
    try {
      doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as typeof doc;
    } catch {
      continue; // a broken kubeconfig is for cluster commands to report
    }
    if (!current && doc['current-context']) current = doc['current-context'];
    for (const c of doc.contexts ?? [])
      if (c?.name && !contexts.has(c.name)) contexts.set(c.name, c.context?.namespace);
  }
  if (flags.context && files.length && !contexts.has(flags.context)) {
    throw new KubeConfigError(
      `--context ${flags.context}: no such context; the kubeconfig has ${[...contexts.keys()].join(', ') || 'none'}`,
    );
  }
  return (current && contexts.get(current)) || 'default';
}
