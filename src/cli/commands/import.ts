/**
 * `anymesh import -f PATH... --from SOURCE [-o yaml|json] [--out-dir DIR] [--strict]`: native mesh
 * objects -> neutral policies on stdout (or one file per policy under --out-dir); every native
 * field that is not imported, and every object not imported, is reported on stderr with its
 * position. Exit 0 when nothing failed (with --strict: when nothing was lost), 1 otherwise.
 *
 * `--from-cluster` reads the objects from the API server instead (the kinds the source declares,
 * one LIST per kind in -n's namespace or, with -A, all), positioned as
 * `cluster:<kind>/<namespace>/<name>` plus the field path, through the same import pipeline, with
 * the objects of the kinds they refer to (Services, Namespaces, workloads: NativeKind `context`)
 * that a file import would find among the files.
 */
import type { Command } from 'commander';
import { adapterFor, IMPORT_SOURCES, importSourceFor } from '../../adapters/index.js';
import type { KubeObject } from '../../core/adapter.js';
import type { ImportSource } from '../../core/import.js';
import { clusterNativeObjects } from '../../core/import.js';
import { type ImportRun, importFiles, importNative } from '../../core/import-pipeline.js';
import { renderJsonList } from '../../core/render.js';
import { addConfigFlags, connectConfigFlags } from '../config-flags.js';
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

/** The flags of a command that reads native objects from files or, with --from-cluster, a cluster. */
export interface ClusterReadOpts {
  filename?: string[];
  namespace?: string;
  fromCluster?: boolean;
  allNamespaces?: boolean;
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
}

interface ImportOpts extends ClusterReadOpts {
  from?: string;
  output?: string;
  outDir?: string;
  strict?: boolean;
  clusterDomain?: string;
  trustDomain?: string;
  option?: string[];
}

/** --from-cluster, -A and the connection flags (import, migrate plan). */
export function addClusterReadFlags(cmd: Command): Command {
  cmd
    .option(
      '--from-cluster',
      'read the objects from the cluster (the kinds the source imports) instead of -f',
    )
    .option(
      '-A, --all-namespaces',
      "with --from-cluster: read every namespace (default: -n, else the context's)",
    );
  return addConfigFlags(cmd, {
    namespaceHelp:
      "with -f: namespace of objects that name none (default: default); with --from-cluster: the namespace read (default: the context's)",
  });
}

/** What the two ways of reading exclude of each other. */
export function checkClusterReadFlags(opts: ClusterReadOpts): void {
  if (opts.fromCluster && opts.filename?.length)
    throw new UsageError('--from-cluster reads the cluster: give it or -f, not both');
  if (opts.allNamespaces && !opts.fromCluster) throw new UsageError('-A needs --from-cluster');
}

/**
 * The objects of the kinds `source` imports, LISTed from the cluster of the connection flags (one
 * namespace, or all with -A), through the import pipeline.
 */
export async function importFromCluster(
  io: Io,
  source: ImportSource,
  opts: ClusterReadOpts,
  ctx: Parameters<typeof importNative>[2],
): Promise<ImportRun> {
  if (!source.kinds?.length)
    throw new UsageError(
      `--from-cluster: the ${source.displayName} importer does not say which kinds it reads; import its objects from files (kubectl get -o yaml > objects.yaml)`,
    );
  const target = await connectConfigFlags(opts);
  const namespace = opts.allNamespaces ? undefined : target.namespace;
  // Loaded only here: `import -f` never needs the cluster's REST mapping.
  const { readNativeObjects } = await import('../../cluster/native-read.js');
  const read = await readNativeObjects(target.client, source.kinds, namespace);
  if (read.unserved.length)
    io.err(`note: the cluster serves no ${read.unserved.join(', ')}: none of those were read\n`);
  for (const u of read.unreadable)
    io.err(
      `note: the cluster refused to show ${u.kind} objects (${u.reason}): ${u.context} are not known to the import\n`,
    );
  const n = read.objects.length - read.context.size;
  io.err(
    `read ${n} object${n === 1 ? '' : 's'} from ${target.server} (${namespace ? `namespace ${namespace}` : 'all namespaces'})${read.context.size ? `, and ${countByKind([...read.context])} they may refer to` : ''}\n`,
  );
  return importNative(
    clusterNativeObjects(read.objects, namespace ?? 'default', (o) => read.context.has(o)),
    source,
    ctx,
  );
}

/** `3 Deployments, 1 Namespace`: the objects by kind, as a note counts them. */
function countByKind(objects: readonly KubeObject[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return [...counts].map(([kind, c]) => `${c} ${kind}${c === 1 ? '' : 's'}`).join(', ');
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
  // No field at all has no share (100% of nothing would read as a success).
  const share = f.total ? ` (${((100 * f.imported) / f.total).toFixed(1)}%)` : '';
  return `imported ${f.imported} of ${f.total} native fields losslessly${share}, ${f.reported} reported; ${skipped} object${skipped === 1 ? '' : 's'} not imported\n`;
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
    .option(
      '--option <key=value>',
      "the source mesh's adapter options (e.g. its root namespace); repeatable",
      collect,
    );
  addClusterReadFlags(cmd).action(async (opts: ImportOpts) => {
    const source = parseSource(opts.from);
    // The source mesh's options say how to read its objects (Istio's root namespace, ...).
    const { options } = compileContext({ option: opts.option }, adapterFor(source.id));
    const format = parseFormat(opts.output, OUTPUT_FORMATS, 'yaml');
    if (opts.outDir !== undefined) checkOutDirTarget(opts.outDir);
    checkNamespaceFlag(opts.namespace);
    checkDomainFlag(opts.clusterDomain, '--cluster-domain');
    checkTrustDomainFlag(opts.trustDomain);
    checkClusterReadFlags(opts);
    const ctx = {
      clusterDomain: opts.clusterDomain ?? 'cluster.local',
      trustDomain: opts.trustDomain ?? 'cluster.local',
      defaultNamespace: opts.namespace ?? 'default',
      strict: opts.strict === true,
      options: options ?? {},
    };
    const run = opts.fromCluster
      ? await importFromCluster(io, source, opts, ctx)
      : importFiles(requireFiles(opts), source, ctx, () => io.stdin());
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
        const w = writeOutDir(opts.outDir, outDirFiles(policies, format === 'json' ? 'json' : 'yaml', false));
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
