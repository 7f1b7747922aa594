/**
 * `anymesh register appmesh [--namespace N] [--dry-run]`: App Mesh is not installed by anymesh (AWS
 * ends support on 2026-09-30); an existing controller is verified and recorded so `status` reports it
 * as registered. Exit 0 registered, 1 not found or unhealthy, 2 usage.
 */
import type { Command } from 'commander';
import { registerAppMesh } from '../../cluster/install/register.js';
import { addConfigFlags, type ConfigFlags, resolveConfigFlags } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { parseFormat } from '../options.js';
import type { Io } from '../output.js';
import { reportClusterError } from './status.js';

export function registerRegister(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(
    program
      .command('register <mesh>')
      .description('record an existing mesh controller anymesh does not install (App Mesh)'),
    { namespaceHelp: 'where the App Mesh controller runs (default: found in any namespace)' },
  )
    .option('--dry-run', 'verify only; record nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (mesh: string, flags: ConfigFlags & { dryRun?: boolean; output?: string }) => {
      const format = parseFormat(flags.output, ['text', 'json'] as const, 'text');
      if (mesh.toLowerCase() !== 'appmesh') {
        throw new UsageError(
          `register is for App Mesh only; install ${mesh} with \`anymesh install ${mesh}\` (status finds hand-made installs too)`,
        );
      }
      const target = resolveConfigFlags(flags, { namespaced: false });
      let r: Awaited<ReturnType<typeof registerAppMesh>>;
      try {
        r = await registerAppMesh(target.config, {
          ...(flags.namespace ? { namespace: flags.namespace } : {}),
          ...(flags.dryRun ? { dryRun: true } : {}),
        });
      } catch (e) {
        if (reportClusterError(io, e)) return done(EXIT.failed);
        throw e;
      }
      io.err(`warning: ${r.advice}\n`);
      if (r.problem) io.err(`error: ${r.problem}\n`);
      for (const c of r.readiness.filter((x) => !x.ready))
        io.err(`  not ready: ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}: ${c.reason}\n`);
      if (r.ok)
        io.err(
          `App Mesh controller ${r.namespace} ${r.version ?? ''} ${flags.dryRun ? 'verified' : 'registered'}\n`,
        );
      if (format === 'json') io.out(`${JSON.stringify(r, null, 2)}\n`);
      done(r.ok ? EXIT.ok : EXIT.failed);
    });
}
