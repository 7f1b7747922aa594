/**
 * `anymesh import -f PATH... --from SOURCE [-o yaml|json] [--out-dir DIR] [--strict]`: native mesh
 * objects -> neutral policies on stdout (or one file per policy under --out-dir); every native
 * field that is not imported, and every object not imported, is reported on stderr with its
 * position. Exit 0 when nothing failed (with --strict: when nothing was lost), 1 otherwise.
 */
import type { Command } from 'commander';
import { adapterFor, IMPORT_SOURCES, importSourceFor } from '../../adapters/index.js';
import type { KubeObject } from '../../core/adapter.js';
import type { ImportSource } from '../../core/import.js';
import { importFiles } from '../../core/import-pipeline.js';
import { renderJsonList } from '../../core/render.js';
import { EXIT, UsageError } from '../exit.js';
import { checkDomainFlag, checkNamespaceFlag, checkTrustDomainFlag } from '../flag-values.js';
import {
  addFileOption,
  collect,
  compileContext,
  outputOption,
  parseFormat,
  requireFiles,
} from '../options.js';
import { checkOutDirTarget, OutDirError, writeOutDir } from '../out-dir.js';
import { type Io, nothingWritten, printDiagnostics } from '../output.js';
import { outDirFiles } from './compile.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['yaml', 'json'] as const;

interface ImportOpts {
  filename?: string[];
  from?: string;
  output?: string;
  outDir?: string;
  strict?: boolean;
  clusterDomain?: string;
  trustDomain?: string;
  namespace?: string;
  option?: string[];
}

export function parseSource(id: string | undefined, flag = '--from'): ImportSource {
  const ids = IMPORT_SOURCES.map((s) => s.id).join(', ');
  if (!id) throw new UsageError(`${flag} is required: one of ${ids}`);
  const source = importSourceFor(id.toLowerCase());
  if (!source) throw new UsageError(`${flag} ${JSON.stringify(id)}: use one of ${ids}`);
  return source;
}

/** One line on stderr: how much of the input became neutral, and what was not. */
export function fieldSummary(
  f: { total: number; imported: number; reported: number },
  skipped: number,
): string {
  const share = f.total ? ((100 * f.imported) / f.total).toFixed(1) : '100.0';
  return `imported ${f.imported} of ${f.total} native fields losslessly (${share}%), ${f.reported} reported; ${skipped} object${skipped === 1 ? '' : 's'} not imported\n`;
}

export function registerImport(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('import')
    .description(
      'native mesh configuration -> neutral policies, reporting every field that does not carry over',
    );
  addFileOption(cmd)
    .option('--from <source>', `where the objects come from: ${IMPORT_SOURCES.map((s) => s.id).join(', ')}`)
    .addOption(outputOption(OUTPUT_FORMATS, 'yaml', 'yaml (multi-document) or json (a v1 List)'))
    .option('--out-dir <dir>', 'write one YAML file per policy into this directory instead of stdout')
    .option('--strict', 'any native field that is not imported losslessly is an error')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain of service FQDNs', 'cluster.local')
    .option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities', 'cluster.local')
    .option('-n, --namespace <ns>', 'namespace of objects that name none', 'default')
    .option(
      '--option <key=value>',
      "the source mesh's adapter options (e.g. its root namespace); repeatable",
      collect,
    )
    .action((opts: ImportOpts) => {
      const source = parseSource(opts.from);
      // The source mesh's options say how to read its objects (Istio's root namespace, ...).
      const { options } = compileContext({ option: opts.option }, adapterFor(source.id));
      const format = parseFormat(opts.output, OUTPUT_FORMATS, 'yaml');
      if (opts.outDir !== undefined) checkOutDirTarget(opts.outDir);
      checkNamespaceFlag(opts.namespace);
      checkDomainFlag(opts.clusterDomain, '--cluster-domain');
      checkTrustDomainFlag(opts.trustDomain);
      const run = importFiles(
        requireFiles(opts),
        source,
        {
          clusterDomain: opts.clusterDomain ?? 'cluster.local',
          trustDomain: opts.trustDomain ?? 'cluster.local',
          defaultNamespace: opts.namespace ?? 'default',
          strict: opts.strict === true,
          options: options ?? {},
        },
        () => io.stdin(),
      );
      printDiagnostics(io, run.diagnostics);
      io.err(fieldSummary(run.fields, run.skipped.length));
      if (!run.ok) {
        io.err(nothingWritten(run.diagnostics));
        return done(EXIT.failed);
      }
      const policies = run.policies.map((p) => p.policy as KubeObject);
      if (opts.outDir !== undefined) {
        // The same atomic, marked folder as `compile --out-dir`.
        try {
          const w = writeOutDir(
            opts.outDir,
            outDirFiles(policies, format === 'json' ? 'json' : 'yaml', false),
          );
          io.err(`wrote ${w.written} files to ${opts.outDir}\n`);
        } catch (e) {
          if (!(e instanceof OutDirError)) throw e;
          io.err(`error: ${e.message}\nnothing was written\n`);
          return done(EXIT.failed);
        }
      } else io.out(format === 'json' ? renderJsonList(policies) : run.yaml);
      done(EXIT.ok);
    });
}
