/**
 * `anymesh version [--client] [-o text|json]`: anymesh's version and Node's; the API server's
 * (GET /version, as `kubectl version` reads it) when a kubeconfig names one that answers. Exit 0
 * also when no cluster answers (the server part then says why), 2 usage.
 */
import type { Command } from 'commander';
import { ClusterUnreachableError } from '../../cluster/reachability.js';
import { addConfigFlags, type ConfigFlags, ensureReachable, resolveConfigFlags } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { outputOption, parseFormat } from '../options.js';
import type { Io } from '../output.js';
import { VERSION } from '../version.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

/** How long `version` waits for a server without --request-timeout: it is a quick question. */
const VERSION_PROBE_MS = 3_000;

interface VersionFlags extends ConfigFlags {
  client?: boolean;
  output?: string;
}

async function serverVersion(flags: VersionFlags): Promise<{ version?: object; error?: string }> {
  try {
    const target = resolveConfigFlags(flags);
    const reached = await ensureReachable(
      target.requestTimeoutMs ? target : { ...target, requestTimeoutMs: VERSION_PROBE_MS },
    );
    return reached.serverVersion ? { version: reached.serverVersion } : { error: 'the server did not say' };
  } catch (e) {
    if (e instanceof UsageError && /--request-timeout/.test(e.message)) throw e;
    if (e instanceof UsageError || e instanceof ClusterUnreachableError) return { error: e.message };
    throw e;
  }
}

export function registerVersion(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(program.command('version').description("print anymesh's version, and the API server's"))
    .option('--client', "only anymesh's version; do not ask a cluster")
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json'))
    .action(async (flags: VersionFlags) => {
      const format = parseFormat(flags.output, OUTPUT_FORMATS, 'text');
      const client = { anymesh: VERSION, node: process.versions.node };
      const server = flags.client ? undefined : await serverVersion(flags);
      if (format === 'json') {
        io.out(
          `${JSON.stringify(
            {
              clientVersion: client,
              ...(server?.version ? { serverVersion: server.version } : {}),
              ...(server?.error ? { serverError: server.error } : {}),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.out(`anymesh: ${VERSION} (Node ${client.node})\n`);
        if (server?.version)
          io.out(`Kubernetes API server: ${(server.version as { gitVersion: string }).gitVersion}\n`);
        if (server?.error) io.err(`server: ${server.error}\n`);
      }
      done(EXIT.ok);
    });
}
