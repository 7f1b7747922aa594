/** `anymesh completion bash|zsh|fish`: a shell completion script on stdout (see --help for set-up). */
import type { Command, Option } from 'commander';
import { IMPORT_SOURCES, MESH_IDS } from '../../adapters/index.js';
import {
  type ArgInfo,
  type CommandInfo,
  completionScript,
  type FlagInfo,
  type GlobalFlags,
  SHELLS,
  type Shell,
  type ValueCompletion,
} from '../completion.js';
import { CONFIG_FLAGS_WITH_VALUE } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { collect } from '../options.js';
import type { Io } from '../output.js';

/**
 * What a value completes to, from what the command declares: the option's own closed values
 * (`choiceOption`: -o formats, --dry-run modes), else its placeholder's meaning: `<mesh>` the
 * registered meshes, `<source>` the import sources, `<file>`/`<path>` files, `<dir>` folders.
 */
function valueFor(
  placeholder: string | undefined,
  choices: readonly string[] | undefined,
): ValueCompletion | undefined {
  if (choices?.length) return { kind: 'words', words: choices };
  switch (placeholder) {
    case 'mesh':
      return { kind: 'words', words: MESH_IDS };
    case 'source':
      return { kind: 'words', words: IMPORT_SOURCES.map((s) => s.id) };
    case 'shell':
      return { kind: 'words', words: SHELLS };
    case 'file':
    case 'path':
      return { kind: 'files' };
    case 'dir':
      return { kind: 'dirs' };
    default:
      return undefined;
  }
}

function flagInfo(o: Option): FlagInfo {
  const valueName = /[<[]([\w-]+)/.exec(o.flags)?.[1];
  const value = valueFor(valueName, o.argChoices);
  return {
    names: [o.short, o.long].filter((n): n is string => !!n),
    description: o.description,
    takesValue: o.required || o.optional,
    ...(o.optional ? { optionalValue: true } : {}),
    ...(o.parseArg === collect ? { repeatable: true } : {}),
    ...(valueName ? { valueName } : {}),
    ...(value ? { value } : {}),
  };
}

const HELP: FlagInfo = { names: ['--help', '-h'], description: 'help for this command', takesValue: false };

function commandInfo(c: Command): CommandInfo {
  const args: ArgInfo[] = c.registeredArguments.map((a) => {
    const value = valueFor(a.name(), a.argChoices);
    return { name: a.name(), required: a.required, ...(value ? { value } : {}) };
  });
  const subcommands = c.commands.map(commandInfo);
  return {
    name: c.name(),
    description: c.description(),
    flags: [...c.options.map(flagInfo), HELP],
    ...(args.length ? { args } : {}),
    ...(subcommands.length ? { subcommands } : {}),
  };
}

/** The command tree as the completion scripts need it. */
export function commandTree(program: Command): CommandInfo[] {
  return program.commands.map(commandInfo);
}

/**
 * The program's own flags: display flags (read anywhere on the line), --version and --help, and
 * the connection flags that may come before a command, as a cluster command declares them.
 */
export function globalFlags(program: Command): GlobalFlags {
  const connection = new Map<string, FlagInfo>();
  // A cluster command's wording (the one with --request-timeout), not compile's narrower one.
  const cluster = [...program.commands].sort(
    (a, b) =>
      Number(b.options.some((o) => o.long === '--request-timeout')) -
      Number(a.options.some((o) => o.long === '--request-timeout')),
  );
  for (const c of cluster)
    for (const o of c.options)
      if (CONFIG_FLAGS_WITH_VALUE.includes(o.long ?? '') && !connection.has(o.long!))
        connection.set(o.long!, flagInfo(o));
  const own = program.options.map(flagInfo);
  return {
    display: own.filter((f) => !f.names.includes('--version')),
    program: [...own.filter((f) => f.names.includes('--version')), HELP],
    connection: [...connection.values()],
  };
}

export function registerCompletion(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('completion <shell>')
    .description('print a shell completion script: bash, zsh or fish')
    .action((shell: string) => {
      if (!SHELLS.includes(shell as Shell))
        throw new UsageError(`completion ${shell}: use one of ${SHELLS.join(', ')}`);
      io.out(completionScript(shell as Shell, commandTree(program), MESH_IDS, globalFlags(program)));
      done(EXIT.ok);
    });
}
