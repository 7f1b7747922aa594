/**
 * The `anymesh` command line. Each command lives in commands/<name>.ts and holds no business logic:
 * it parses flags, calls the core, and prints. Exit codes: 0 ok, 1 failed (invalid input, refused
 * feature, losses found), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './exit.js';
import type { Io } from './output.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export type Register = (program: Command, io: Io, done: (code: number) => void) => void;

/**
 * Commands in the order `anymesh --help` lists them, each loaded only when needed: a command's
 * module pulls in the core, the adapters, ajv's schemas or the cluster client, and loading all of
 * them before parsing the arguments made `anymesh --version` ten times slower than `node -e 0`.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register>])[] = [
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['compile', async () => (await import('./commands/compile.js')).registerCompile],
  ['capabilities', async () => (await import('./commands/capabilities.js')).registerCapabilities],
  ['check', async () => (await import('./commands/check.js')).registerCheck],
  ['schema', async () => (await import('./commands/schema.js')).registerSchema],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['apply', async () => (await import('./commands/apply.js')).registerApply],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['delete', async () => (await import('./commands/delete.js')).registerDelete],
  ['install', async () => (await import('./commands/install.js')).registerInstall],
  ['uninstall', async () => (await import('./commands/uninstall.js')).registerUninstall],
  ['status', async () => (await import('./commands/status.js')).registerStatus],
  ['register', async () => (await import('./commands/register.js')).registerRegister],
];

/**
 * The commands this command line needs: the one it names, none for a bare `--version`, and all of
 * them otherwise (`--help`, no command, an unknown one: the help lists them and a typo gets a
 * suggestion). The program's own options come before the command (positional options) and take
 * no value, so the command is the first argument that is not an option.
 */
function commandsFor(argv: readonly string[]): (typeof COMMANDS)[number][] {
  const first = argv.findIndex((a) => !a.startsWith('-'));
  const named = first < 0 ? undefined : COMMANDS.find(([name]) => name === argv[first]);
  if (named) return [named];
  const globals = first < 0 ? argv : argv.slice(0, first);
  if (globals.includes('--version') && !globals.some((a) => a === '--help' || a === '-h')) return [];
  return [...COMMANDS];
}

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
  const registers = await Promise.all(commandsFor(argv).map(([, load]) => load()));
  for (const register of registers) register(program, io, done);
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
