/** `anymesh schema [KIND]`: the JSON Schema of a kind, or of all kinds (for editors). */
import type { Command } from 'commander';
import { allKindsSchema, kindSchema } from '../../core/model/publish.js';
import { KINDS } from '../../core/model/schema.js';
import { EXIT, UsageError } from '../exit.js';
import type { Io } from '../output.js';

export function registerSchema(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('schema [kind]')
    .description(`print the JSON Schema of ${KINDS.join(', ')}, or of all kinds`)
    .action((kind: string | undefined) => {
      if (kind !== undefined) {
        const match = KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
        if (!match)
          throw new UsageError(`unknown kind ${JSON.stringify(kind)}: use one of ${KINDS.join(', ')}`);
        io.out(`${JSON.stringify(kindSchema(match), null, 2)}\n`);
      } else io.out(`${JSON.stringify(allKindsSchema(), null, 2)}\n`);
      done(EXIT.ok);
    });
}
