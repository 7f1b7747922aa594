/**
 * `anymesh check -f PATH... [--mesh MESH]... [-o table|json] [--allow-degraded]`: for every policy
 * and mesh, lossless / lossy / refused, with each loss positioned and explained, plus overlapping
 * and shadowed rules. Exit 0 when every named mesh (all when none is named) is lossless for every
 * policy and no policies conflict; 1 otherwise (and for invalid input); 2 usage error.
 */
import type { Command } from 'commander';
import { loadPolicies } from '../../core/pipeline.js';
import { checkPortability, portabilityJson, portabilityTable } from '../../core/portability/index.js';
import { EXIT, UsageError } from '../exit.js';
import {
  addCompileOptions,
  addFileOption,
  type CompileFlags,
  collect,
  compileContext,
  outputOption,
  parseFormat,
  parseMeshes,
  requireFiles,
} from '../options.js';
import { countWarnings, type Io, printDiagnostics, skippedNote } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['table', 'json'] as const;

interface CheckOpts extends CompileFlags {
  filename?: string[];
  mesh?: string[];
  output?: string;
  strictKinds?: boolean;
}

export function registerCheck(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('check')
    .description('portability: what each policy keeps, loses or cannot do on each mesh (CI gate)');
  addCompileOptions(addFileOption(cmd))
    .option(
      '--mesh <mesh>',
      'a mesh to check against (repeatable, or comma-separated); default: all',
      collect,
    )
    .addOption(outputOption(OUTPUT_FORMATS, 'table', 'table or json'))
    .action((opts: CheckOpts) => {
      const format = parseFormat(opts.output, OUTPUT_FORMATS, 'table');
      const meshes = parseMeshes(opts.mesh);
      if (opts.meshVersion && meshes.length !== 1)
        throw new UsageError('--mesh-version needs exactly one --mesh');
      const files = requireFiles(opts);
      // Parse the context for every mesh first, so a bad --option is a usage error before any work.
      const contexts = new Map(meshes.map((m) => [m.id, compileContext(opts, m)]));
      const allowDegraded = opts.allowDegraded === true;
      const loaded = loadPolicies(files, () => io.stdin(), {
        overlaps: false,
        ...(opts.strictKinds ? { strictKinds: true } : {}),
      });
      if (format !== 'json') io.err(skippedNote(loaded.skipped));
      // The JSON document carries the input's diagnostics: they count for --max-warnings there too.
      if (format === 'json') countWarnings(io, loaded.diagnostics);
      if (!loaded.ok) {
        if (format === 'json')
          io.out(
            `${JSON.stringify(portabilityJson(undefined, { allowDegraded, diagnostics: loaded.diagnostics }), null, 2)}\n`,
          );
        printDiagnostics(io, loaded.diagnostics);
        io.err('nothing was checked: fix the input errors above\n');
        return done(EXIT.failed);
      }
      const report = checkPortability(loaded.policies, meshes, {
        allowDegraded,
        context: (a) => contexts.get(a.id) ?? {},
      });
      if (format === 'json') {
        io.out(
          `${JSON.stringify(portabilityJson(report, { allowDegraded, diagnostics: loaded.diagnostics }), null, 2)}\n`,
        );
      } else {
        printDiagnostics(io, loaded.diagnostics);
        io.out(portabilityTable(report));
      }
      done(report.ok ? EXIT.ok : EXIT.failed);
    });
}
