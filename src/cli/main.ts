/**
 * The `anymesh` command line. Each command lives in commands/<name>.ts and holds no business logic:
 * it parses flags, calls the core, and prints. Exit codes: 0 ok, 1 failed (invalid input, refused
 * feature, losses found), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerCapabilities } from './commands/capabilities.js';
import { registerCheck } from './commands/check.js';
import { registerCompile } from './commands/compile.js';
import { registerDelete } from './commands/delete.js';
import { registerDiff } from './commands/diff.js';
import { registerExplain } from './commands/explain.js';
import { registerImport } from './commands/import.js';
import { registerInstall } from './commands/install.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRegister } from './commands/register.js';
import { registerSchema } from './commands/schema.js';
import { registerStatus } from './commands/status.js';
import { registerUninstall } from './commands/uninstall.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, UsageError } from './exit.js';
import type { Io } from './output.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export type Register = (program: Command, io: Io, done: (code: number) => void) => void;

/** Commands in the order `anymesh --help` lists them. */
const COMMANDS: Register[] = [
  registerValidate,
  registerCompile,
  registerCapabilities,
  registerCheck,
  registerSchema,
  registerExplain,
  registerApply,
  registerDiff,
  registerDelete,
  registerInstall,
  registerUninstall,
  registerStatus,
  registerRegister,
  registerImport,
  registerMigrate,
];

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdin: () => readFileSync(0),
    interactive: process.stderr.isTTY === true,
  };
}

/** Runs one command line (without `node anymesh`) and returns its exit code. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('anymesh')
    .description('One mesh-neutral policy, compiled to Istio, Linkerd, Consul and AWS App Mesh.')
    .version(VERSION, '--version', 'print the anymesh version')
    .exitOverride()
    // Options after a command name belong to it: `capabilities --version 2.15` is the mesh
    // version, not anymesh's own --version.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const done = (c: number) => {
    code = c;
  };
  for (const register of COMMANDS) register(program, io, done);
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(
      `internal error: ${(e as Error).message ?? String(e)}\nThis is a bug in anymesh; please report it with the command line.\n`,
    );
    return EXIT.failed;
  }
}
