/** `anymesh completion bash|zsh|fish`: a shell completion script on stdout (see --help for set-up). */
import type { Command } from 'commander';
import { MESH_IDS } from '../../adapters/index.js';
import { type CommandInfo, completionScript, SHELLS, type Shell } from '../completion.js';
import { EXIT, UsageError } from '../exit.js';
import type { Io } from '../output.js';

/** The command tree as the completion scripts need it. */
export function commandTree(program: Command): CommandInfo[] {
  return program.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    flags: [
      ...c.options.map((o) => ({
        names: [o.short, o.long].filter((n): n is string => !!n),
        description: o.description,
        takesValue: o.required || o.optional,
      })),
      { names: ['--help', '-h'], description: 'help for this command', takesValue: false },
    ],
  }));
}

export function registerCompletion(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('completion <shell>')
    .description('print a shell completion script: bash, zsh or fish')
    .action((shell: string) => {
      if (!SHELLS.includes(shell as Shell))
        throw new UsageError(`completion ${shell}: use one of ${SHELLS.join(', ')}`);
      io.out(completionScript(shell as Shell, commandTree(program), MESH_IDS));
      done(EXIT.ok);
    });
}
