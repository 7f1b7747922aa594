/**
 * `anymesh migrate plan -f PATH... --from M1 --to M2 [--option k=v]... [-o text|json] [--strict]`:
 * per policy what moves losslessly and what is lost or changes (import positions in the native
 * input, target reasons from its capability cells), the capability columns side by side, the
 * target's objects and the cut-over steps. Exit 0 when lossless, 1 when anything would be lost.
 * `--from-cluster [-n NS | -A]` plans the move of what the cluster runs, read as `import
 * --from-cluster` reads it.
 */
import type { Command } from 'commander';
import { adapterFor } from '../../adapters/index.js';
import { formatDiagnostic } from '../../core/diagnostics.js';
import { loadDocuments } from '../../core/loader/loader.js';
import { renderYaml } from '../../core/render.js';
import { type ImportLoss, type MigrationPlan, planImport, planMigration } from '../../migrate/plan.js';
import { EXIT } from '../exit.js';
import { checkNamespaceFlag } from '../flag-values.js';
import {
  addCompileOptions,
  addFileOption,
  type CompileFlags,
  compileContext,
  outputOption,
  parseFormat,
  parseMesh,
  requireFiles,
} from '../options.js';
import { countWarnings, type Io } from '../output.js';
import {
  addClusterReadFlags,
  type ClusterReadOpts,
  checkClusterReadFlags,
  fieldSummary,
  importFromCluster,
  parseSource,
} from './import.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

interface PlanOpts extends CompileFlags, ClusterReadOpts {
  from?: string;
  to?: string;
  output?: string;
  strict?: boolean;
}

const where = (l: ImportLoss) => (l.file ? `${l.file}${l.line ? `:${l.line}:${l.column}` : ''}: ` : '');

// A column's title names the mesh already (`Istio (ambient)`).
const columnName = (m: MigrationPlan['source']) => m.column ?? m.displayName;

export function planText(plan: MigrationPlan): string {
  const out: string[] = [`migrate plan: ${columnName(plan.source)} -> ${columnName(plan.target)}`];
  // Between two columns of one mesh every different reason is news; between meshes, only support.
  const sameMesh = plan.source.id === plan.target.id;
  out.push(fieldSummary(plan.fields, plan.skipped.length).trimEnd(), '');
  for (const p of plan.policies) {
    out.push(`${p.policy}: ${p.status}  (from ${p.from.join(', ') || 'nothing'})`);
    for (const l of p.importLosses)
      out.push(`  import  ${where(l)}${l.level} ${l.code}: ${l.path ?? ''}: ${l.message}`);
    for (const l of p.targetLosses)
      out.push(
        `  target  ${l.feature ?? l.code} (${l.support ?? l.level})${l.path ? ` at ${l.path}` : ''}: ${l.reason}`,
      );
    for (const f of p.features)
      out.push(
        `  feature ${f.feature}: ${f.source ? `${f.source.support} -> ` : ''}${f.target.support}${f.changed || (sameMesh && f.source && f.source.reason !== f.target.reason) ? `  (${f.changed ? 'changes' : 'now'}: ${f.target.reason})` : ''}`,
      );
  }
  if (plan.skipped.length) {
    out.push('', 'not imported:');
    for (const s of plan.skipped) out.push(`  ${s.location.file}: ${s.ref}: ${s.reason}`);
  }
  if (plan.unattached.length) {
    out.push('', 'lost, not tied to a policy:');
    for (const l of plan.unattached)
      out.push(`  ${where(l)}${l.level} ${l.code}: ${l.path ?? ''}: ${l.message}`);
  }
  if (plan.errors.length) {
    out.push('', 'errors:');
    for (const d of plan.errors) out.push(`  ${formatDiagnostic(d)}`);
  }
  // Steps and objects of an input that did not import would plan a cut-over of nothing.
  if (plan.errors.some((d) => d.level === 'error'))
    return `${out.join('\n')}\n\nnothing planned: fix the errors above and plan again\n`;
  out.push('', 'cut-over steps:');
  for (const s of plan.steps) {
    out.push(`  ${s.step}. ${s.action}`);
    if (s.command) out.push(`     $ ${s.command}`);
    if (s.rollback) out.push(`     rollback: ${s.rollback}`);
  }
  out.push('', `${plan.target.displayName} objects (${plan.objects.length}):`);
  return `${out.join('\n')}\n${renderYaml(plan.objects)}`;
}

export function registerMigrate(program: Command, io: Io, done: (code: number) => void): void {
  const migrate = program
    .command('migrate')
    .description('move native configuration from one mesh to another');
  const cmd = migrate
    .command('plan')
    .description('what moves losslessly, what is lost, the target objects and the cut-over steps');
  addCompileOptions(addFileOption(cmd))
    .option('--from <source>', 'the mesh (or SMI) the native objects are for')
    .option('--to <mesh>', 'the mesh to move to')
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json'))
    .option('--strict', 'any native field that is not imported losslessly is an error');
  addClusterReadFlags(cmd).action(async (opts: PlanOpts) => {
    const source = parseSource(opts.from);
    const target = parseMesh(opts.to);
    const format = parseFormat(opts.output, OUTPUT_FORMATS, 'text');
    checkNamespaceFlag(opts.namespace);
    checkClusterReadFlags(opts);
    const context = {
      ...compileContext(opts, target),
      ...(opts.namespace ? { defaultNamespace: opts.namespace } : {}),
    };
    const options = {
      source,
      ...(adapterFor(source.id) ? { sourceMesh: adapterFor(source.id)! } : {}),
      target,
      context,
      strict: opts.strict === true,
    };
    const plan = opts.fromCluster
      ? planImport(await importFromCluster(io, source, opts, { ...context, strict: options.strict }), options)
      : planMigration(
          loadDocuments(requireFiles(opts), () => io.stdin(), source.format),
          options,
        );
    // The plan's warnings (import and target losses) count for --max-warnings in either format.
    countWarnings(io, [
      ...plan.policies.flatMap((p) => [...p.importLosses, ...p.targetLosses]),
      ...plan.unattached,
      ...plan.errors,
    ]);
    io.out(format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : planText(plan));
    done(plan.ok ? EXIT.ok : EXIT.failed);
  });
  migrate.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const c of migrate.commands)
    c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
}
