/**
 * `anymesh diff -f PATH... --mesh MESH [--prune] [--applyset NAME]`: what apply would change, as a
 * unified diff of YAML between each live object and the API server's dry-run of the apply.
 * Exit codes follow kubectl diff: 0 no differences, 1 differences, 2 (or more) an error.
 */
import type { Command } from 'commander';
import { diff } from '../../cluster/diff.js';
import { diagnosticsJson, type Io, printDiagnostics } from '../output.js';
import {
  addApplySetOptions,
  addClusterOptions,
  applySetRef,
  type ClusterFlags,
  fitsNamespaces,
  objectLine,
  startClusterRun,
  summaryCounts,
} from './apply.js';

/** kubectl diff's convention: anything above 1 is an error. */
const DIFF_EXIT = { same: 0, different: 1, error: 2 } as const;

export function registerDiff(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('diff')
    .description(
      'show what apply would change (server-side dry-run against the live objects); exit 1 when something would',
    );
  addApplySetOptions(addClusterOptions(cmd))
    .option('--prune', 'also show the objects apply --prune would delete')
    .option('--force-conflicts', 'diff as apply --force-conflicts would apply')
    .action(async (opts: ClusterFlags) => {
      const run = await startClusterRun(opts, io);
      if (!run) return done(DIFF_EXIT.error);
      if (!(await fitsNamespaces(run, io))) return done(DIFF_EXIT.error);
      const report = await diff(run.session, run.resources, {
        applySet: applySetRef(opts, run),
        mesh: run.adapter.id,
        prune: opts.prune === true,
        forceConflicts: opts.forceConflicts === true,
        concurrency: run.concurrency,
      });
      if (run.format === 'json') {
        io.out(
          `${JSON.stringify(
            {
              apiVersion: 'anymesh.dev/v1alpha1',
              kind: 'DiffResult',
              ok: report.ok,
              changed: report.changed,
              summary: summaryCounts(report.objects),
              objects: report.objects,
              diff: report.text,
              diagnostics: diagnosticsJson(io, [...run.diagnostics, ...report.diagnostics]),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.out(report.text);
        printDiagnostics(io, report.diagnostics);
        if (report.ok) {
          const changed = report.objects.filter((o) => o.action !== 'unchanged');
          for (const o of changed)
            io.err(objectLine(o, 'diff').replace(/ (created|configured|pruned)\n$/, ' would be $1\n'));
          io.err(
            report.changed
              ? `${changed.length} of ${report.objects.length} objects would change\n`
              : 'no differences\n',
          );
        }
      }
      done(!report.ok ? DIFF_EXIT.error : report.changed ? DIFF_EXIT.different : DIFF_EXIT.same);
    });
}
