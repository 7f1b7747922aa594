/** `anymesh validate -f PATH...`: exit 0 valid, 1 invalid input, 2 usage error. */
import type { Command } from 'commander';
import { loadPolicies } from '../../core/pipeline.js';
import { EXIT } from '../exit.js';
import { addFileOption, outputOption, parseFormat, requireFiles } from '../options.js';
import { diagnosticsJson, type Io, printDiagnostics, skippedNote } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

export function registerValidate(program: Command, io: Io, done: (code: number) => void): void {
  addFileOption(
    program.command('validate').description('check policy files against the model; nothing is compiled'),
  )
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json'))
    .action((opts: { filename?: string[]; output?: string; strictKinds?: boolean }) => {
      const format = parseFormat(opts.output, OUTPUT_FORMATS, 'text');
      const r = loadPolicies(
        requireFiles(opts),
        () => io.stdin(),
        opts.strictKinds ? { strictKinds: true } : {},
      );
      if (format === 'json') {
        io.out(
          `${JSON.stringify({ valid: r.ok, policies: r.policies.map((p) => p.ref), skipped: r.skipped, diagnostics: diagnosticsJson(io, r.diagnostics) }, null, 2)}\n`,
        );
      } else {
        printDiagnostics(io, r.diagnostics);
        io.err(skippedNote(r.skipped));
        if (r.ok) io.err(`${r.policies.length} polic${r.policies.length === 1 ? 'y' : 'ies'} valid\n`);
      }
      done(r.ok ? EXIT.ok : EXIT.failed);
    });
}
