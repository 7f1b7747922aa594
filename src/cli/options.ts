/**
 * Options several commands share, parsed the same way everywhere.
 */
import { type Command, Option } from 'commander';
import { adapterFor, MESH_IDS, MESHES } from '../adapters/index.js';
import type { CompileContext, MeshAdapter } from '../core/adapter.js';
import { checkOptionValue, optionFor } from '../core/adapter-options.js';
import { readMeshVersion } from '../core/capabilities.js';
import { loadConfigFile } from './config-file.js';
import { UsageError } from './exit.js';
import { checkDomainFlag, checkTrustDomainFlag } from './flag-values.js';

/** A flag's value only when the user gave it: the flags' own defaults must not hide anymesh.yaml. */
function given(flags: CompileFlags, key: 'clusterDomain' | 'trustDomain'): string | undefined {
  const v = flags[key];
  return v === undefined || v === 'cluster.local' ? undefined : v;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addFileOption(cmd: Command): Command {
  return cmd
    .option(
      '-f, --filename <path>',
      'a policy file, a directory (every *.yaml/*.yml below it, sorted) or - for stdin; repeatable',
      collect,
    )
    .option(
      '--strict-kinds',
      'refuse documents of other API groups (default: skip and count them, e.g. ConfigMaps in a GitOps folder)',
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

/** The registered mesh of an id as a user typed it (any case), if any. */
export function meshById(id: string): MeshAdapter | undefined {
  return adapterFor(id.toLowerCase());
}

export function parseMeshes(ids: readonly string[] | undefined): MeshAdapter[] {
  if (!ids?.length) return [...MESHES];
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

/**
 * A flag with a closed set of values, declared on the option itself (commander's `argChoices`), so
 * the help lists them and the completion scripts offer them from the same list the command checks.
 * commander's own `.choices()` is not used: the actions check values with anymesh's own messages
 * and usage exit code, which its parser would pre-empt.
 */
export function choiceOption(
  flags: string,
  description: string,
  values: readonly string[],
  fallback?: string,
): Option {
  const option = new Option(flags, description);
  if (fallback !== undefined) option.default(fallback);
  if (values.length) option.argChoices = [...values];
  return option;
}

/** `-o, --output <format>` with its formats declared (see choiceOption), checked by parseFormat. */
export function outputOption(formats: readonly string[], fallback: string, description: string): Option {
  return choiceOption('-o, --output <format>', description, formats, fallback);
}

export function addCompileOptions(cmd: Command): Command {
  cmd
    .option('--allow-degraded', 'leave out what the mesh cannot express, with a warning, instead of failing')
    .option('--mesh-version <version>', 'compile for this mesh version (features it lacks are refused)')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain for service FQDNs', 'cluster.local')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .option(
      '--option <key=value>',
      'an adapter option (see `anymesh capabilities --mesh M -o json`); repeatable; wins over anymesh.yaml',
      collect,
    )
    .option(
      '--config <file>',
      'adapter options from this file (default: anymesh.yaml here or in a parent folder)',
    );
  // Shorthand flags some meshes declare for their most used options (e.g. an output format).
  for (const spec of MESHES.flatMap((m) => m.options)) {
    const flag = spec.flag;
    // An enum option's values go on its flag too (help, completion); compileContext checks them.
    if (flag !== undefined)
      cmd.addOption(choiceOption(flag.name, flag.description, flag.flagValue ? [] : (spec.values ?? [])));
  }
  return cmd;
}

/** The commander property a shorthand flag lands in: `--consul-format <f>` -> consulFormat. */
function flagProperty(flag: string): string {
  const long = /--([a-z0-9-]+)/.exec(flag)?.[1] ?? '';
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `--mesh-version V` as the mesh names its releases: a version it cannot read (a typo, Linkerd's
 * `edge-26.13.1`) is a usage error naming the flag, never a version that compares as 0.
 */
export function checkMeshVersion(
  adapter: MeshAdapter | undefined,
  text: string | undefined,
  flag = '--mesh-version',
): void {
  if (text === undefined) return;
  const r = readMeshVersion(adapter ?? {}, text);
  if ('error' in r)
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: ${adapter ? `${adapter.displayName}: ` : ''}${r.error}`,
    );
}

export interface CompileFlags {
  allowDegraded?: boolean;
  meshVersion?: string;
  clusterDomain?: string;
  trustDomain?: string;
  option?: string[];
  config?: string;
  /** Shorthand flags of adapter options, by commander property name. */
  [shorthand: string]: unknown;
}

export function compileContext(flags: CompileFlags, adapter?: MeshAdapter): Partial<CompileContext> {
  checkMeshVersion(adapter, flags.meshVersion);
  checkDomainFlag(flags.clusterDomain, '--cluster-domain');
  checkTrustDomainFlag(flags.trustDomain);
  const file = loadConfigFile(flags.config);
  const options: Record<string, string> = { ...file?.options };
  for (const kv of flags.option ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option ${JSON.stringify(kv)}: write key=value`);
    options[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  for (const spec of MESHES.flatMap((m) => m.options)) {
    const flag = spec.flag;
    if (!flag) continue;
    const given = flags[flagProperty(flag.name)];
    if (given === undefined || given === false) continue;
    const value = given === true ? (flag.flagValue ?? 'true') : String(given);
    const expected = checkOptionValue(spec, value);
    if (expected) throw new UsageError(`${flag.name.split(' ')[0]} ${value}: use ${expected}`);
    options[spec.key] = value;
  }
  // A declared option's value is checked whatever the command (`istio.dataplane=ambinet` is a typo).
  for (const [key, value] of Object.entries(options)) {
    const spec = optionFor(
      MESHES.flatMap((m) => m.options),
      key,
    );
    const expected = spec && checkOptionValue(spec, value);
    if (expected) throw new UsageError(`--option ${key}=${value}: use ${expected}`);
  }
  if (adapter) {
    for (const key of Object.keys(options)) {
      const meshPrefix = key.split('.')[0];
      if (meshPrefix === adapter.id && !optionFor(adapter.options, key)) {
        const known = adapter.options.map((o) => o.key);
        throw new UsageError(
          `--option ${key}: ${adapter.displayName} has no such option; known: ${known.join(', ') || 'none'}`,
        );
      }
    }
  }
  return {
    clusterDomain: given(flags, 'clusterDomain') ?? file?.clusterDomain ?? 'cluster.local',
    trustDomain: given(flags, 'trustDomain') ?? file?.trustDomain ?? 'cluster.local',
    ...(flags.meshVersion ? { meshVersion: flags.meshVersion } : {}),
    options,
  };
}

/** `--option key=value` of commands that do not compile (capabilities, explain). */
export function addAdapterOption(cmd: Command): Command {
  return cmd.option(
    '--option <key=value>',
    'an adapter option that selects a column (see `anymesh capabilities --mesh M -o json`); repeatable',
    collect,
  );
}

/** The adapter options of `--option`, checked as for compile. */
export function adapterOptions(option: string[] | undefined): Record<string, string> {
  return { ...compileContext({ option: option ?? [] }).options };
}
