/** `anymesh explain KIND.field.path`: a field's description, type and default, and per-mesh support. */
import type { Command } from 'commander';
import { ADAPTERS } from '../../adapters/index.js';
import { explainField } from '../../core/model/explain.js';
import { EXIT, UsageError } from '../exit.js';
import { adapterOptions, addAdapterOption } from '../options.js';
import type { Io } from '../output.js';

export function registerExplain(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('explain <path>')
    .description('describe a field of the policy model, e.g. TrafficPolicy.spec.rules.retries');
  addAdapterOption(cmd).action((path: string, opts: { option?: string[] }) => {
    const r = explainField(path, Object.values(ADAPTERS), adapterOptions(opts.option));
    if ('error' in r) throw new UsageError(r.error);
    io.out(r.text);
    done(EXIT.ok);
  });
}
