/**
 * `anymesh apply -f PATH... --mesh MESH [--dry-run=none|client|server] [--prune] [--applyset NAME]
 *   [--force-conflicts] [--kubeconfig F] [--context C] [-n NS] [-o text|json] [--concurrency N]`:
 * compiles, validates everything against the cluster (server-side dry-run), then server-side applies
 * with field manager `anymesh`. Exit 0 applied, 1 failed (nothing written unless it says otherwise),
 * 2 usage. The shared flag handling of apply, diff and delete lives here too.
 */
import type { Command } from 'commander';
import { MESH_IDS } from '../../adapters/index.js';
import { type ApplyReport, apply } from '../../cluster/apply.js';
import { APPLYSET_NAME_PATTERN, type ApplySetRef, defaultApplySetName } from '../../cluster/applyset.js';
import { compileForCluster } from '../../cluster/compile.js';
import { namespaceMisfits } from '../../cluster/namespace-fit.js';
import type { DryRun, ObjectResult, ProgressEvent } from '../../cluster/results.js';
import { type Session, session } from '../../cluster/session.js';
import {
  type CompileContext,
  DEFAULT_CONTEXT,
  type KubeObject,
  type MeshAdapter,
} from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import {
  addConfigFlags,
  type ConfigFlags,
  ensureReachable,
  type ReachedTarget,
  resolveConfigFlags,
  retryPrinter,
} from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import {
  addCompileOptions,
  addFileOption,
  type CompileFlags,
  choiceOption,
  compileContext,
  outputOption,
  parseFormat,
  parseMesh,
  requireFiles,
} from '../options.js';
import {
  diagnosticsJson,
  type Io,
  nameLine,
  nothingWritten,
  printDiagnostics,
  skippedNote,
} from '../output.js';
import { VERSION } from '../version.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json', 'name'] as const;

export interface ClusterFlags extends CompileFlags, ConfigFlags {
  filename?: string[];
  mesh?: string;
  output?: string;
  concurrency?: string;
  retries?: string;
  applyset?: string;
  applysetNamespace?: string;
  dryRun?: string | boolean;
  prune?: boolean;
  forceConflicts?: boolean;
  strictKinds?: boolean;
}

/** Flags of apply, diff and delete: input, compile options, kubeconfig, output, concurrency. */
export function addClusterOptions(cmd: Command): Command {
  return addConfigFlags(addCompileOptions(addFileOption(cmd)))
    .option('--mesh <mesh>', `the target mesh: ${MESH_IDS.join(', ')}`)
    .addOption(
      outputOption(
        OUTPUT_FORMATS,
        'text',
        'text (one line per object), name (kind.group/name per object) or json (one summary document)',
      ),
    )
    .option(
      '--concurrency <n>',
      'the most requests in flight at once; fewer while the API server answers 429 (starts at 8, doubling each window of answers until the first 429)',
      '32',
    )
    .option('--retries <n>', 'retries of a request on 429, 5xx and connection errors (with backoff)', '5');
}

export function addApplySetOptions(cmd: Command): Command {
  return cmd
    .option('--applyset <name>', 'the ApplySet (KEP-3659) these objects belong to (default: anymesh-<mesh>)')
    .option(
      '--applyset-namespace <ns>',
      'namespace of the ApplySet parent Secret (default: the target namespace)',
    );
}

function positiveInt(value: string | undefined, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} ${value}: give an integer >= ${min}`);
  return n;
}

/** The values of --dry-run (kubectl's), for the check, the help and completion. */
export const DRY_RUN_MODES: readonly DryRun[] = ['none', 'client', 'server'];

export function parseDryRun(value: string | boolean | undefined): DryRun {
  if (value === undefined || value === false) return 'none';
  if (value === true) return 'server';
  if (!(DRY_RUN_MODES as readonly string[]).includes(value))
    throw new UsageError(`--dry-run=${value}: use none, client or server`);
  return value as DryRun;
}

export interface ClusterRun {
  readonly adapter: MeshAdapter;
  readonly target: ReachedTarget;
  readonly session: Session;
  readonly resources: KubeObject[];
  /** The compile context, for checks that depend on the options (the namespace's data plane). */
  readonly context: CompileContext;
  readonly format: 'text' | 'json';
  /** -o name: object lines as kubectl's `kind.group/name` (the rest as text). */
  readonly names: boolean;
  readonly concurrency: number;
  /** The compiler's warnings and notes: printed at once as text, carried into the `-o json` document. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses the shared flags, loads the kubeconfig (no kubeconfig: a usage error before any work),
 * compiles, then checks that the API server answers (ClusterUnreachableError when not). Returns
 * undefined (after printing the diagnostics) when compilation failed.
 */
export async function startClusterRun(opts: ClusterFlags, io: Io): Promise<ClusterRun | undefined> {
  const adapter = parseMesh(opts.mesh);
  const output = parseFormat(opts.output, OUTPUT_FORMATS, 'text');
  const format = output === 'name' ? 'text' : output;
  const concurrency = positiveInt(opts.concurrency, '--concurrency', 32);
  const retries = positiveInt(opts.retries, '--retries', 5, 0);
  const files = requireFiles(opts);
  const target = resolveConfigFlags(opts, {
    retries,
    maxInFlight: concurrency,
    ...(io.interactive ? { onRetry: retryPrinter((t) => io.err(t)) } : {}),
  });
  const context = { ...DEFAULT_CONTEXT, ...compileContext(opts, adapter) };
  const r = compileForCluster(
    files,
    adapter,
    {
      allowDegraded: opts.allowDegraded === true,
      context,
      defaultNamespace: target.namespace,
      ...(opts.strictKinds ? { strictKinds: true } : {}),
    },
    () => io.stdin(),
  );
  if (!r.ok) {
    if (format === 'json') {
      io.out(
        `${JSON.stringify({ ok: false, objects: [], diagnostics: diagnosticsJson(io, r.diagnostics) }, null, 2)}\n`,
      );
    } else printDiagnostics(io, r.diagnostics);
    io.err(nothingWritten(r.diagnostics));
    return undefined;
  }
  if (format === 'text') {
    printDiagnostics(io, r.diagnostics);
    io.err(skippedNote(r.skipped));
  }
  const reached = await ensureReachable(target);
  return {
    adapter,
    target: reached,
    session: session(target.client, target.namespace),
    resources: r.resources,
    context,
    format,
    names: output === 'name',
    concurrency,
    diagnostics: r.diagnostics,
  };
}

/**
 * Whether the output fits every target namespace (the mesh's `namespaceFit`); prints the refusals
 * and returns false when not, before anything is dry-run or written.
 */
export async function fitsNamespaces(run: ClusterRun, io: Io): Promise<boolean> {
  const misfits = await namespaceMisfits(run.session, run.resources, run.adapter, run.context);
  if (!misfits.length) return true;
  if (run.format === 'json') {
    io.out(
      `${JSON.stringify({ ok: false, objects: [], diagnostics: diagnosticsJson(io, [...run.diagnostics, ...misfits]) }, null, 2)}\n`,
    );
  } else printDiagnostics(io, misfits);
  io.err(nothingWritten(misfits));
  return false;
}

export function applySetRef(opts: ClusterFlags, run: ClusterRun): ApplySetRef {
  const name = opts.applyset ?? defaultApplySetName(run.adapter.id);
  if (!APPLYSET_NAME_PATTERN.test(name) || name.length > 244) {
    throw new UsageError(
      `--applyset ${name}: use lower-case letters, digits and '-' (a Secret name without the applyset- prefix)`,
    );
  }
  return { name, namespace: opts.applysetNamespace ?? run.target.namespace };
}

/** `VirtualService bookinfo/reviews created`, one line per object, as kubectl prints them. */
export function objectLine(o: ObjectResult, dryRun: DryRun | 'diff'): string {
  const suffix = dryRun === 'none' || dryRun === 'diff' ? '' : ` (${dryRun} dry run)`;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} ${o.action}${suffix}\n`;
}

/** Progress on an interactive stderr: one line rewritten in place. */
export function progressPrinter(io: Io, format: 'text' | 'json'): ((e: ProgressEvent) => void) | undefined {
  if (!io.interactive) return undefined;
  return (e) => {
    const what = e.object
      ? ` ${e.object.kind} ${e.object.namespace ? `${e.object.namespace}/` : ''}${e.object.name}`
      : '';
    io.err(`\r\x1b[K[${e.done}/${e.total}] ${e.phase}${what}`);
    if (e.done === e.total && format === 'text') io.err('\r\x1b[K');
  };
}

export function summaryCounts(objects: readonly ObjectResult[]): Record<string, number> {
  const counts: Record<string, number> = { created: 0, configured: 0, unchanged: 0, pruned: 0 };
  for (const o of objects) counts[o.action] = (counts[o.action] ?? 0) + 1;
  return counts;
}

/**
 * What an apply did, not what it planned: an object counts as created, configured or pruned only
 * once its write succeeded (an unchanged one needed none); planned changes that were not made are
 * `notWritten`. A dry run writes nothing, so its counts are the plan.
 */
export function appliedCounts(report: ApplyReport): Record<string, number> {
  if (report.dryRun !== 'none') return summaryCounts(report.objects);
  const counts: Record<string, number> = {
    created: 0,
    configured: 0,
    unchanged: 0,
    pruned: 0,
    notWritten: 0,
  };
  for (const o of report.objects) {
    if (o.action === 'unchanged' || o.written) counts[o.action] = (counts[o.action] ?? 0) + 1;
    else counts.notWritten = (counts.notWritten ?? 0) + 1;
  }
  return counts;
}

export function printApplyReport(io: Io, report: ApplyReport, run: ClusterRun): void {
  const c = appliedCounts(report);
  const planned = summaryCounts(report.objects);
  if (run.format === 'json') {
    io.out(
      `${JSON.stringify(
        {
          apiVersion: 'anymesh.dev/v1alpha1',
          kind: 'ApplyResult',
          ok: report.ok,
          dryRun: report.dryRun,
          mesh: run.adapter.id,
          context: run.target.context,
          server: run.target.server,
          applySet: report.applySet,
          summary: c,
          planned,
          objects: report.objects,
          requests: report.requests,
          diagnostics: diagnosticsJson(io, [...run.diagnostics, ...report.diagnostics]),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (io.interactive) io.err('\r\x1b[K');
  // A line per object that is as it says: written, unchanged, or (dry run) as it would be.
  for (const o of report.objects)
    if (report.dryRun !== 'none' || o.written || o.action === 'unchanged')
      io.out(run.names ? nameLine(o) : objectLine(o, report.dryRun));
  printDiagnostics(io, report.diagnostics);
  const notWritten = c.notWritten
    ? `, ${c.notWritten} not written (of ${planned.created! + planned.configured! + planned.pruned!} planned changes)`
    : '';
  io.err(
    `${report.ok ? '' : 'FAILED: '}${c.created} created, ${c.configured} configured, ${c.unchanged} unchanged, ${c.pruned} pruned${notWritten}` +
      `${report.dryRun === 'none' ? '' : ` (--dry-run=${report.dryRun}: nothing written)`}; ${report.requests.writes} write${report.requests.writes === 1 ? '' : 's'}; ` +
      `ApplySet ${report.applySet.parent}\n`,
  );
}

export function registerApply(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('apply')
    .description('server-side apply the compiled resources to a cluster (field manager anymesh)');
  addApplySetOptions(addClusterOptions(cmd))
    .addOption(
      choiceOption(
        '--dry-run [mode]',
        'none, client (compile and read only) or server (the API server validates; bare --dry-run)',
        DRY_RUN_MODES,
      ),
    )
    .option('--prune', 'delete objects of this ApplySet that the policies no longer produce')
    .option('--force-conflicts', 'take over fields another field manager owns')
    .action(async (opts: ClusterFlags) => {
      const dryRun = parseDryRun(opts.dryRun);
      const run = await startClusterRun(opts, io);
      if (!run) return done(EXIT.failed);
      if (!(await fitsNamespaces(run, io))) return done(EXIT.failed);
      const report = await apply(run.session, run.resources, {
        applySet: applySetRef(opts, run),
        tooling: `anymesh/${VERSION}`,
        mesh: run.adapter.id,
        dryRun,
        prune: opts.prune === true,
        forceConflicts: opts.forceConflicts === true,
        concurrency: run.concurrency,
        ...(progressPrinter(io, run.format) ? { onProgress: progressPrinter(io, run.format)! } : {}),
      });
      printApplyReport(io, report, run);
      done(report.ok ? EXIT.ok : EXIT.failed);
    });
}
