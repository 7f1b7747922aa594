/**
 * The `anymesh` command line. Each command lives in commands/<name>.ts and holds no business logic:
 * it parses flags, calls the core, and prints. Exit codes: 0 ok, 1 failed (invalid input, refused
 * feature, losses found), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { normalizeArgv, takeDisplayFlags } from './argv.js';
import { registerApply } from './commands/apply.js';
import { registerCapabilities } from './commands/capabilities.js';
import { registerCheck } from './commands/check.js';
import { registerCompile } from './commands/compile.js';
import { registerCompletion } from './commands/completion.js';
import { registerDelete } from './commands/delete.js';
import { registerDiff } from './commands/diff.js';
import { registerExplain } from './commands/explain.js';
import { registerInstall } from './commands/install.js';
import { registerRegister } from './commands/register.js';
import { registerSchema } from './commands/schema.js';
import { registerStatus } from './commands/status.js';
import { registerUninstall } from './commands/uninstall.js';
import { registerValidate } from './commands/validate.js';
import { registerVersion } from './commands/version.js';
import { examplesHelp } from './examples.js';
import { EXIT, UsageError } from './exit.js';
import { reportFailure } from './failures.js';
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
  registerVersion,
  registerCompletion,
];

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
  const tally = { warnings: 0 };
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
    io.err(`error: ${tally.warnings} warnings, more than --max-warnings ${max}\n`);
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
  for (const register of COMMANDS) register(program, io, done);
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
    await program.parseAsync(normalizeArgv(argv), { from: 'user' });
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
