/** `anymesh crds [-o yaml|json]`: the CustomResourceDefinitions of the policy kinds, for `kubectl apply -f -`. */
import type { Command } from 'commander';
import { policyCrds } from '../../controller/crds.js';
import type { KubeObject } from '../../core/adapter.js';
import { render } from '../../core/render.js';
import { EXIT } from '../exit.js';
import { outputOption, parseFormat } from '../options.js';
import type { Io } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['yaml', 'json'] as const;

export function registerCrds(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('crds')
    .description('print the CustomResourceDefinitions of the policy kinds (group anymesh.dev)')
    .addOption(outputOption(OUTPUT_FORMATS, 'yaml', 'yaml (documents) or json (a v1 List)'))
    .action((opts: { output?: string }) => {
      const format = parseFormat(opts.output, OUTPUT_FORMATS, 'yaml');
      io.out(render(policyCrds() as unknown as KubeObject[], format));
      done(EXIT.ok);
    });
}
