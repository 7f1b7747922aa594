/**
 * `anymesh.yaml`: adapter options a project sets once instead of on every command line
 * (`--option linkerd.serverPorts=...`). Found in the working directory or the nearest parent that
 * has one (as .eslintrc or .prettierrc are), or named with `--config FILE`; `--option` flags win
 * over it. Every key is checked against the options the meshes declare, and a problem names the
 * file, line and column, and the key:
 *
 *   options:
 *     <mesh>.<option>: value
 *   clusterDomain: cluster.local
 *   trustDomain: cluster.local
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { MESHES } from '../adapters/index.js';
import { checkOptionValue, optionFor } from '../core/adapter-options.js';
import { UsageError } from './exit.js';

export const CONFIG_FILE = 'anymesh.yaml';

export interface ConfigFile {
  readonly file: string;
  readonly options: Readonly<Record<string, string>>;
  readonly clusterDomain?: string;
  readonly trustDomain?: string;
}

/** The nearest anymesh.yaml from `dir` upwards, if any. */
export function findConfigFile(dir: string = process.cwd()): string | undefined {
  let d = resolve(dir);
  for (;;) {
    const f = join(d, CONFIG_FILE);
    if (existsSync(f)) return f;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

const TOP_KEYS = ['options', 'clusterDomain', 'trustDomain'];

export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) throw new UsageError(`--config ${file}: no such file`);
  // `yaml` (70 modules) is loaded only when a project has a config file: most runs have none.
  const { isMap, isScalar, LineCounter, parseDocument } = createRequire(import.meta.url)(
    'yaml',
  ) as typeof import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  const at = (offset: number | undefined) => {
    const { line, col } = lines.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UsageError(`${at(e.pos[0])}: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (root === null || root === undefined) return { file, options: {} };
  if (!isMap(root))
    throw new UsageError(
      `${at(root.range?.[0])}: ${CONFIG_FILE} must be a mapping (options:, clusterDomain:, trustDomain:)`,
    );
  const options: Record<string, string> = {};
  const out: { clusterDomain?: string; trustDomain?: string } = {};
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyAt = at(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    if (!TOP_KEYS.includes(key))
      throw new UsageError(`${keyAt}: ${key}: unknown key; use ${TOP_KEYS.join(', ')}`);
    if (key === 'options') {
      if (pair.value === null) continue;
      if (!isMap(pair.value))
        throw new UsageError(`${keyAt}: options: must be a mapping of <mesh>.<option>: value`);
      for (const o of pair.value.items) {
        const k = isScalar(o.key) ? String(o.key.value) : '';
        const kAt = at(isScalar(o.key) ? o.key.range?.[0] : undefined);
        if (!isScalar(o.value) || o.value.value === null || typeof o.value.value === 'object')
          throw new UsageError(
            `${kAt}: options.${k}: give a single value (a list of ports is written 8080,9090)`,
          );
        const value = String(o.value.value);
        const mesh = MESHES.find((m) => k.startsWith(`${m.id}.`));
        if (!mesh)
          throw new UsageError(
            `${kAt}: options.${k}: not an option of any mesh (keys start with ${MESHES.map((m) => `${m.id}.`).join(', ')})`,
          );
        const spec = optionFor(mesh.options, k);
        if (!spec)
          throw new UsageError(
            `${kAt}: options.${k}: ${mesh.displayName} has no such option; known: ${mesh.options.map((s) => s.key).join(', ') || 'none'}`,
          );
        const expected = checkOptionValue(spec, value);
        if (expected)
          throw new UsageError(
            `${at(o.value.range?.[0])}: options.${k}: ${JSON.stringify(value)}: use ${expected}`,
          );
        options[k] = value;
      }
    } else {
      if (!isScalar(pair.value) || typeof pair.value.value !== 'string')
        throw new UsageError(`${keyAt}: ${key}: give a domain name`);
      out[key as 'clusterDomain' | 'trustDomain'] = pair.value.value;
    }
  }
  return { file, options, ...out };
}

/** The config file for this run: --config's, else the nearest anymesh.yaml, else none. */
export function loadConfigFile(explicit: string | undefined): ConfigFile | undefined {
  const file = explicit ?? findConfigFile();
  return file ? readConfigFile(file) : undefined;
}
