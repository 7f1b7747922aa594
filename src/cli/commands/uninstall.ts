/**
 * `anymesh uninstall MESH [--force]`: refuses while anymesh-managed policies of the
 * mesh's API groups exist (exit 1, listing them) unless --force; then removes the mesh's Helm
 * releases in reverse install order. A mesh installed by hand is left alone. `uninstall anymesh`
 * removes the controller's release (its CRDs and the policies stay: Helm keeps a chart's crds/).
 */
import type { Command } from 'commander';
import { isInstallable } from '../../cluster/install/catalogue.js';
import { uninstall } from '../../cluster/install/uninstall.js';
import { addConfigFlags, type ConfigFlags, connectConfigFlags, helmTarget } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { componentById, installTargetIds } from '../install-targets.js';
import { meshById, outputOption, parseFormat } from '../options.js';
import { type Io, printDiagnostics } from '../output.js';
import { reportClusterError } from './status.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

export function registerUninstall(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(
    program
      .command('uninstall <mesh>')
      .description('remove a mesh installed with Helm; refuses while anymesh policies still use it'),
  )
    .option('--force', 'uninstall even though anymesh-managed policies still exist')
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json'))
    .action(async (mesh: string, flags: ConfigFlags & { force?: boolean; output?: string }) => {
      const format = parseFormat(flags.output, OUTPUT_FORMATS, 'text');
      const found = meshById(mesh) ?? componentById(mesh);
      if (found && !isInstallable(found))
        throw new UsageError(
          `${found.displayName} is not installed by anymesh, so it is not uninstalled either`,
        );
      if (!found)
        throw new UsageError(
          `unknown mesh ${JSON.stringify(mesh)}: use one of ${installTargetIds().join(', ')}`,
        );
      const m = found.id;
      const target = await connectConfigFlags(flags);
      try {
        const r = await uninstall(target.config, found, {
          helm: helmTarget(flags, target.context),
          ...(flags.force ? { force: true } : {}),
          progress: (l) => io.err(`${l}\n`),
        });
        printDiagnostics(io, r.diagnostics);
        if (r.refused) io.err(`${m}: nothing removed\n`);
        else io.err(`${m}: removed ${r.removed.length ? r.removed.join(', ') : 'nothing'}\n`);
        if (format === 'json') io.out(`${JSON.stringify(r, null, 2)}\n`);
        done(r.ok ? EXIT.ok : EXIT.failed);
      } catch (e) {
        if (reportClusterError(io, e)) return done(EXIT.failed);
        throw e;
      }
    });
}
