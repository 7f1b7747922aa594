/**
 * The golden cases compiled for Consul through the CLI's pipeline (compileFiles, as `anymesh compile
 * --mesh consul`), rendered as the config entries `--consul-format config-entry -o json` prints.
 */
import { join } from 'node:path';
import { renderConfigEntries } from '../../../src/adapters/consul/config-entry.js';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../../support/cases.js';
import type { ConsulEntry } from '../../support/consul-agent.js';

export interface CompiledCase {
  name: string;
  file: string;
  entries: ConsulEntry[];
  diagnostics: readonly Diagnostic[];
}

/** Every golden case that compiles to at least one Consul entry. */
export function compiledConsulCases(): CompiledCase[] {
  return goldenCases().flatMap((c) => {
    const r = compileFiles([join(ROOT, c.file)], consulAdapter);
    if (!r.ok || r.resources.length === 0) return [];
    const entries = JSON.parse(renderConfigEntries(r.resources, false, 'json')) as ConsulEntry[];
    return [{ ...c, entries, diagnostics: r.diagnostics }];
  });
}
