/** `anymesh crds [-o yaml|json]`: the CustomResourceDefinitions of the policy kinds, for `kubectl apply -f -`. */
import type { Command } from 'commander';
import { policyCrds } from '../../controller/crds.js';
import type { KubeObject } from '../../core/adapter.js';
import { render } from '../../core/render.js';
import { EXIT } from '../exit.js';
import { parseFormat } from '../options.js';
import type { Io } from '../output.js';

export function registerCrds(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('crds')
    .description('print the CustomResourceDefinitions of the policy kinds (group anymesh.dev)')
    .option('-o, --output <format>', 'yaml (documents) or json (a v1 List)', 'yaml')
    .action((opts: { output?: string }) => {
      const format = parseFormat(opts.output, ['yaml', 'json'] as const, 'yaml');
      io.out(render(policyCrds() as unknown as KubeObject[], format));
      done(EXIT.ok);
    });
}
