/**
 * The `anymesh` command line. Each command lives in commands/<name>.ts and holds no business logic:
 * it parses flags, calls the core, and prints. Exit codes: 0 ok, 1 failed (invalid input, refused
 * feature, losses found), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { normalizeArgv, takeDisplayFlags } from './argv.js';
import { examplesHelp } from './examples.js';
import { EXIT, UsageError } from './exit.js';
import { reportFailure } from './failures.js';
import { type Io, newTally } from './output.js';
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
  ['version', async () => (await import('./commands/version.js')).registerVersion],
  ['completion', async () => (await import('./commands/completion.js')).registerCompletion],
  ['crds', async () => (await import('./commands/crds.js')).registerCrds],
  ['controller', async () => (await import('./commands/controller.js')).registerController],
  ['import', async () => (await import('./commands/import.js')).registerImport],
  ['migrate', async () => (await import('./commands/migrate.js')).registerMigrate],
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
  // `completion` describes every command, so it needs them all.
  if (named && named[0] !== 'completion') return [named];
  const globals = first < 0 ? argv : argv.slice(0, first);
  if (globals.includes('--version') && !globals.some((a) => a === '--help' || a === '-h')) return [];
  return [...COMMANDS];
}

export function processIo(): Io {
  const tty = process.stderr.isTTY === true;
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdin: () => readFileSync(0),
    interactive: tty,
    // https://no-color.org: a NO_COLOR that is set and not empty turns colour off.
    display: {
      color: tty && !process.env.NO_COLOR,
      ...(tty && process.stderr.columns ? { width: process.stderr.columns } : {}),
    },
  };
}

/** Runs one command line (without `node anymesh`) and returns its exit code. */
export async function run(rawArgv: readonly string[], baseIo: Io = processIo()): Promise<number> {
  const taken = takeDisplayFlags(rawArgv);
  const argv = taken.argv;
  const tally = newTally();
  const io: Io = {
    ...baseIo,
    display: {
      ...baseIo.display,
      ...(taken.flags.quiet ? { quiet: true } : {}),
      ...(taken.flags.color !== undefined ? { color: taken.flags.color } : {}),
      ...(taken.flags.maxWarnings !== undefined ? { maxWarnings: taken.flags.maxWarnings } : {}),
      tally,
    },
  };
  if (taken.error) {
    io.err(`error: ${taken.error}\n`);
    return EXIT.usage;
  }
  const code = await runParsed(argv, io);
  const max = taken.flags.maxWarnings;
  if (max !== undefined && tally.warnings > max && code === EXIT.ok) {
    io.err(
      `error: ${tally.warnings} warning${tally.warnings === 1 ? '' : 's'}, more than --max-warnings ${max}\n`,
    );
    return EXIT.failed;
  }
  return code;
}

async function runParsed(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('anymesh')
    .description('One mesh-neutral policy, compiled to Istio, Linkerd, Consul and AWS App Mesh.')
    .version(VERSION, '--version', 'print the anymesh version')
    // Read by run() before commander, anywhere on the line; listed here for --help.
    .option('-q, --quiet', 'print errors only (warnings and notes are still counted)')
    .option('--max-warnings <n>', 'exit 1 when more than n warnings were printed, as eslint')
    .option('--no-color', 'no colour (default: colour on a terminal unless NO_COLOR is set)')
    .exitOverride()
    // Options after a command name belong to it: `capabilities --version 2.15` is the mesh
    // version, not anymesh's own --version.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const done = (c: number) => {
    code = c;
  };
  // Global flags before the command (`anymesh --kubeconfig K status`) are moved after it first, so
  // the command named is the first argument that is not an option.
  const normalized = normalizeArgv(argv);
  const registers = await Promise.all(commandsFor(normalized).map(([, load]) => load()));
  for (const register of registers) register(program, io, done);
  for (const cmd of program.commands)
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
      .addHelpText('after', examplesHelp(cmd.name()));
  program.addHelpText('after', examplesHelp('anymesh'));
  if (argv.length === 0) {
    // No arguments: the overview, on stdout and with exit 0 (kubectl, helm and git do the same).
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(normalized, { from: 'user' });
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
    const known = reportFailure(io, e);
    if (known !== undefined) return known;
    io.err(
      `internal error: ${(e as Error).message ?? String(e)}\nThis is a bug in anymesh; please report it with the command line.\n`,
    );
    return EXIT.failed;
  }
}
