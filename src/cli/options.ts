/**
 * Options several commands share, parsed the same way everywhere.
 */
import type { Command } from 'commander';
import { ADAPTERS, adapterFor } from '../adapters/index.js';
import type { CompileContext, MeshAdapter } from '../core/adapter.js';
import { MESH_IDS } from '../core/model/schema.js';
import { UsageError } from './exit.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addFileOption(cmd: Command): Command {
  return cmd.option(
    '-f, --filename <path>',
    'a policy file, a directory (every *.yaml/*.yml below it, sorted) or - for stdin; repeatable',
    collect,
  );
}

export function requireFiles(opts: { filename?: string[] }): string[] {
  if (!opts.filename?.length)
    throw new UsageError('no input: give -f PATH (a file, a directory or - for stdin)');
  return opts.filename;
}

export function parseMesh(id: string | undefined): MeshAdapter {
  if (!id) throw new UsageError(`--mesh is required: one of ${MESH_IDS.join(', ')}`);
  const adapter = adapterFor(id.toLowerCase());
  if (!adapter) throw new UsageError(`unknown mesh ${JSON.stringify(id)}: use one of ${MESH_IDS.join(', ')}`);
  return adapter;
}

export function parseMeshes(ids: readonly string[] | undefined): MeshAdapter[] {
  if (!ids?.length) return Object.values(ADAPTERS);
  return ids
    .flatMap((i) => i.split(','))
    .filter(Boolean)
    .map(parseMesh);
}

export function parseFormat<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = (value ?? fallback) as T;
  if (!allowed.includes(v)) throw new UsageError(`-o ${value}: use one of ${allowed.join(', ')}`);
  return v;
}

export function addCompileOptions(cmd: Command): Command {
  return cmd
    .option('--allow-degraded', 'leave out what the mesh cannot express, with a warning, instead of failing')
    .option('--mesh-version <version>', 'compile for this mesh version (features it lacks are refused)')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain for service FQDNs', 'cluster.local')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .option(
      '--option <key=value>',
      'an adapter option (see `anymesh capabilities --mesh M -o json`); repeatable',
      collect,
    )
    .option(
      '--consul-format <format>',
      'Consul output: crd (consul-k8s CRDs) or config-entry (for consul config write)',
    )
    .option('--consul-enterprise', 'Consul Enterprise: emit namespace fields');
}

export interface CompileFlags {
  allowDegraded?: boolean;
  meshVersion?: string;
  clusterDomain?: string;
  trustDomain?: string;
  option?: string[];
  consulFormat?: string;
  consulEnterprise?: boolean;
}

export function compileContext(flags: CompileFlags, adapter?: MeshAdapter): Partial<CompileContext> {
  const options: Record<string, string> = {};
  for (const kv of flags.option ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option ${JSON.stringify(kv)}: write key=value`);
    options[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (flags.consulFormat !== undefined) {
    if (!['crd', 'config-entry'].includes(flags.consulFormat)) {
      throw new UsageError(`--consul-format ${flags.consulFormat}: use crd or config-entry`);
    }
    options['consul.format'] = flags.consulFormat;
  }
  if (flags.consulEnterprise) options['consul.enterprise'] = 'true';
  if (adapter) {
    const known = Object.keys(adapter.options ?? {});
    // Documented keys may hold placeholders, e.g. appmesh.backends.<namespace>.<service>.
    const patterns = known.map(
      (k) => new RegExp(`^${k.replace(/\./g, '\\.').replace(/<[^>]+>/g, '[^.]+')}$`),
    );
    for (const key of Object.keys(options)) {
      const meshPrefix = key.split('.')[0];
      if (meshPrefix === adapter.id && !patterns.some((p) => p.test(key))) {
        throw new UsageError(
          `--option ${key}: ${adapter.displayName} has no such option; known: ${known.join(', ') || 'none'}`,
        );
      }
    }
  }
  return {
    clusterDomain: flags.clusterDomain ?? 'cluster.local',
    trustDomain: flags.trustDomain ?? 'cluster.local',
    ...(flags.meshVersion ? { meshVersion: flags.meshVersion } : {}),
    options,
  };
}
