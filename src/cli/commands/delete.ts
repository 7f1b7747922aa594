/**
 * `anymesh delete -f PATH... --mesh MESH [--wait=false] [--timeout 60s] [--dry-run=...]`: deletes
 * the objects these policies compile to, if they exist and anymesh made them (label
 * app.kubernetes.io/managed-by=anymesh and a server-side apply by field manager anymesh).
 * Exit 0 done, 1 failed, 2 usage.
 */
import type { Command } from 'commander';
import { deleteResources } from '../../cluster/delete.js';
import { parseDuration } from '../../core/model/duration.js';
import { EXIT, UsageError } from '../exit.js';
import { choiceOption } from '../options.js';
import { diagnosticsJson, type Io, nameLine, printDiagnostics } from '../output.js';
import {
  addClusterOptions,
  type ClusterFlags,
  DRY_RUN_MODES,
  objectLine,
  parseDryRun,
  progressPrinter,
  startClusterRun,
} from './apply.js';

interface DeleteFlags extends ClusterFlags {
  wait?: string | boolean;
  timeout?: string;
}

export function registerDelete(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('delete')
    .description('delete what the policies compile to (only objects anymesh applied)');
  addClusterOptions(cmd)
    .addOption(
      choiceOption(
        '--dry-run [mode]',
        'none, client or server (bare --dry-run): report what would be deleted',
        DRY_RUN_MODES,
      ),
    )
    .option('--wait [bool]', 'wait until the objects are gone (true, the default, or false)')
    .option('--timeout <duration>', 'how long --wait waits, e.g. 60s', '60s')
    .action(async (opts: DeleteFlags) => {
      const dryRun = parseDryRun(opts.dryRun);
      const wait = opts.wait === undefined || opts.wait === true || opts.wait === 'true';
      if (typeof opts.wait === 'string' && !['true', 'false'].includes(opts.wait))
        throw new UsageError(`--wait=${opts.wait}: use true or false`);
      const parsed = parseDuration(opts.timeout ?? '60s');
      if ('error' in parsed) throw new UsageError(`--timeout ${opts.timeout}: ${parsed.error}`);
      const timeoutMs = parsed.ms;
      const run = await startClusterRun(opts, io);
      if (!run) return done(EXIT.failed);
      const printer = progressPrinter(io, run.format);
      const report = await deleteResources(run.session, run.resources, {
        mesh: run.adapter.id,
        dryRun,
        wait,
        timeoutMs,
        concurrency: run.concurrency,
        ...(printer ? { onProgress: printer } : {}),
      });
      // What was deleted, not what was planned: without a dry run, a delete counts once it succeeded.
      const counts = { deleted: 0, 'not-found': 0, skipped: 0, notDeleted: 0 } as Record<string, number>;
      for (const o of report.objects) {
        const key = o.action === 'deleted' && dryRun === 'none' && !o.written ? 'notDeleted' : o.action;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      if (run.format === 'json') {
        io.out(
          `${JSON.stringify(
            {
              apiVersion: 'anymesh.dev/v1alpha1',
              kind: 'DeleteResult',
              ok: report.ok,
              dryRun,
              summary: counts,
              objects: report.objects,
              diagnostics: diagnosticsJson(io, [...run.diagnostics, ...report.diagnostics]),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        if (io.interactive) io.err('\r\x1b[K');
        for (const o of report.objects)
          if (o.action !== 'deleted' || dryRun !== 'none' || o.written)
            io.out(run.names ? nameLine(o) : objectLine(o, dryRun));
        printDiagnostics(io, report.diagnostics);
        io.err(
          `${report.ok ? '' : 'FAILED: '}${counts.deleted} deleted, ${counts['not-found']} not found, ${counts.skipped} skipped${counts.notDeleted ? `, ${counts.notDeleted} not deleted` : ''}${dryRun === 'none' ? '' : ' (dry run: nothing deleted)'}\n`,
        );
      }
      done(report.ok ? EXIT.ok : EXIT.failed);
    });
}
