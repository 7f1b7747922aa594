/** `anymesh explain KIND.field.path`: a field's description, type and default, and per-mesh support. */
import type { Command } from 'commander';
import { ADAPTERS } from '../../adapters/index.js';
import { explainField } from '../../core/model/explain.js';
import { EXIT, UsageError } from '../exit.js';
import type { Io } from '../output.js';

export function registerExplain(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('explain <path>')
    .description('describe a field of the policy model, e.g. TrafficPolicy.spec.rules.retries')
    .action((path: string) => {
      const r = explainField(path, Object.values(ADAPTERS));
      if ('error' in r) throw new UsageError(r.error);
      io.out(r.text);
      done(EXIT.ok);
    });
}
