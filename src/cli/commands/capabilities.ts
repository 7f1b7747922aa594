/**
 * `anymesh capabilities [--mesh M]... [--feature ID] [--mesh-version V] [-o table|json|markdown]`:
 * the capability matrix, whole or narrowed to meshes, a feature family, or a mesh version.
 */
import type { Command } from 'commander';
import { comparableVersion } from '../../core/capabilities.js';
import { FEATURE_IDS, selectFeatures } from '../../core/features/index.js';
import { cellDetails, matrixJson, matrixMarkdown, matrixTable } from '../../core/matrix-report.js';
import { EXIT, UsageError } from '../exit.js';
import {
  adapterOptions,
  addAdapterOption,
  checkMeshVersion,
  collect,
  outputOption,
  parseFormat,
  parseMeshes,
} from '../options.js';
import type { Io } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['table', 'json', 'markdown'] as const;

export function registerCapabilities(program: Command, io: Io, done: (code: number) => void): void {
  // `--version` after the command name is this command's (`--mesh linkerd --version 2.15`), not
  // anymesh's own: program options are only read before the command name. (Belongs in main.ts.)
  const cmd = program
    .command('capabilities')
    .description('show which features each mesh supports, how, since which version, and why not')
    .option('--mesh <mesh>', 'only this mesh; repeatable', collect)
    .option('--feature <id>', 'only this feature id or family (e.g. fault, retries.backoff)')
    .option('--mesh-version <version>', 'answer for this mesh version (with one --mesh)')
    .option('--version <version>', 'same as --mesh-version')
    .addOption(outputOption(OUTPUT_FORMATS, 'table', 'table, json or markdown'));
  addAdapterOption(cmd).action(
    (opts: {
      mesh?: string[];
      feature?: string;
      meshVersion?: string;
      version?: string;
      output?: string;
      option?: string[];
    }) => {
      const format = parseFormat(opts.output, OUTPUT_FORMATS, 'table');
      const meshes = parseMeshes(opts.mesh);
      const asked = opts.meshVersion ?? opts.version;
      if (asked && meshes.length !== 1) throw new UsageError('--mesh-version needs exactly one --mesh');
      checkMeshVersion(meshes[0], asked, opts.meshVersion !== undefined ? '--mesh-version' : '--version');
      // The cells are written in the mesh's stable versions: Linkerd's edge-26.8.3 is answered as 2.20.
      const version = asked && meshes[0] ? comparableVersion(meshes[0], asked) : undefined;
      if (asked && version !== asked)
        io.err(
          `note: ${meshes[0]!.displayName} ${asked} is answered as ${version}, the version it belongs to\n`,
        );
      let features = FEATURE_IDS;
      if (opts.feature) {
        features = selectFeatures(opts.feature);
        if (!features.length) {
          const families = [...new Set(FEATURE_IDS.map((f) => f.split('.')[0]))];
          throw new UsageError(
            `unknown feature ${JSON.stringify(opts.feature)}: use an id or one of the families ${families.join(', ')}`,
          );
        }
      }
      const options = adapterOptions(opts.option);
      const m = matrixJson({ meshes, features, options, ...(version ? { version } : {}) });
      if (format === 'json') io.out(`${JSON.stringify(m, null, 2)}\n`);
      else if (format === 'markdown') io.out(matrixMarkdown(m));
      else io.out(matrixTable(m) + (opts.feature || meshes.length === 1 ? `\n${cellDetails(m)}` : ''));
      done(EXIT.ok);
    },
  );
}
