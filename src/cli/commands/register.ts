/**
 * `anymesh register MESH [--namespace N] [--dry-run]`: for a mesh anymesh does not install (App
 * Mesh: AWS ended support on 2026-09-30), an existing controller is verified and recorded so
 * `status` reports it as registered. Exit 0 registered, 1 not found or unhealthy, 2 usage.
 */
import type { Command } from 'commander';
import { MESHES } from '../../adapters/index.js';
import { isRegisterOnly } from '../../cluster/install/catalogue.js';
import { registerMesh } from '../../cluster/install/register.js';
import { addConfigFlags, type ConfigFlags, connectConfigFlags } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { meshById, outputOption, parseFormat } from '../options.js';
import type { Io } from '../output.js';
import { reportClusterError } from './status.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

export function registerRegister(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(
    program
      .command('register <mesh>')
      .description('record an existing mesh controller anymesh does not install (App Mesh)'),
    { namespaceHelp: 'where the App Mesh controller runs (default: found in any namespace)' },
  )
    .option('--dry-run', 'verify only; record nothing')
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json'))
    .action(async (mesh: string, flags: ConfigFlags & { dryRun?: boolean; output?: string }) => {
      const format = parseFormat(flags.output, OUTPUT_FORMATS, 'text');
      const found = meshById(mesh);
      if (!found || !isRegisterOnly(found)) {
        const which = MESHES.filter(isRegisterOnly).map((m) => m.displayName);
        throw new UsageError(
          `register is for meshes anymesh does not install (${which.join(', ')}); install ${mesh} with \`anymesh install ${mesh}\` (status finds hand-made installs too)`,
        );
      }
      const target = await connectConfigFlags(flags, { namespaced: false });
      let r: Awaited<ReturnType<typeof registerMesh>>;
      try {
        r = await registerMesh(target.config, found, {
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
          `${found.displayName} controller ${r.namespace} ${r.version ?? ''} ${flags.dryRun ? 'verified' : 'registered'}\n`,
        );
      if (format === 'json') io.out(`${JSON.stringify(r, null, 2)}\n`);
      done(r.ok ? EXIT.ok : EXIT.failed);
    });
}
