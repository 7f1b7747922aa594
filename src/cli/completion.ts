/**
 * Shell completion scripts for `anymesh completion bash|zsh|fish`, made from the command tree
 * itself (so a new flag completes without editing this file): subcommands, each one's flags,
 * mesh ids after --mesh, files after the flags that take a path.
 */
export interface CommandInfo {
  readonly name: string;
  readonly description: string;
  /** Long and short flags, e.g. --mesh, -o. */
  readonly flags: readonly {
    readonly names: readonly string[];
    readonly description: string;
    readonly takesValue: boolean;
  }[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const PATH_FLAGS = ['-f', '--filename', '--kubeconfig', '--out-dir', '--values', '--from', '--config'];

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(commands: readonly CommandInfo[], meshes: readonly string[], fn = '_anymesh'): string {
  const valueFlags = [
    ...new Set(commands.flatMap((c) => c.flags.filter((f) => f.takesValue).flatMap((f) => f.names))),
  ];
  const cases = commands
    .map((c) => `    ${c.name}) words=${q(c.flags.flatMap((f) => f.names).join(' '))} ;;`)
    .join('\n');
  return `# anymesh completion for bash: source <(anymesh completion bash)
${fn}() {
  local cur prev cmd words i w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  i=1
  while [ "$i" -lt "$COMP_CWORD" ]; do
    w="\${COMP_WORDS[i]}"
    case " ${valueFlags.join(' ')} " in
      *" $w "*) i=$((i + 2)); continue ;;
    esac
    case "$w" in
      -*) ;;
      *) cmd="$w"; break ;;
    esac
    i=$((i + 1))
  done
  case "$prev" in
    --mesh) COMPREPLY=($(compgen -W ${q(meshes.join(' '))} -- "$cur")); return 0 ;;
    ${PATH_FLAGS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  case "$cmd" in
    "") words=${q(`${commands.map((c) => c.name).join(' ')} --help --version --kubeconfig --context --namespace --request-timeout`)} ;;
    install|uninstall|register) if [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -W ${q(meshes.join(' '))} -- "$cur")); return 0; fi ;;&
    completion) COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return 0 ;;
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} anymesh
`;
}

function zsh(commands: readonly CommandInfo[], meshes: readonly string[]): string {
  // zsh runs the bash function through bashcompinit (shipped with zsh), so both shells complete alike.
  return `#compdef anymesh
# anymesh completion for zsh: anymesh completion zsh > "\${fpath[1]}/_anymesh" (or source it)
autoload -U +X bashcompinit && bashcompinit
${bash(commands, meshes).replace(/^# anymesh completion for bash.*\n/, '')}`;
}

function fish(commands: readonly CommandInfo[], meshes: readonly string[]): string {
  const lines = [
    '# anymesh completion for fish: anymesh completion fish > ~/.config/fish/completions/anymesh.fish',
    'complete -c anymesh -f',
  ];
  for (const c of commands)
    lines.push(
      `complete -c anymesh -n __fish_use_subcommand -a ${c.name} -d ${q(c.description.slice(0, 80))}`,
    );
  for (const c of commands) {
    for (const f of c.flags) {
      const long = f.names.find((n) => n.startsWith('--'))?.slice(2);
      const short = f.names.find((n) => /^-[A-Za-z]$/.test(n))?.slice(1);
      if (!long && !short) continue;
      const parts = [`complete -c anymesh -n '__fish_seen_subcommand_from ${c.name}'`];
      if (long) parts.push(`-l ${long}`);
      if (short) parts.push(`-s ${short}`);
      if (f.takesValue) parts.push('-r');
      if (long === 'mesh') parts.push(`-a ${q(meshes.join(' '))}`);
      else if (f.names.some((n) => PATH_FLAGS.includes(n))) parts.push('-F');
      parts.push(`-d ${q(f.description.slice(0, 80))}`);
      lines.push(parts.join(' '));
    }
  }
  lines.push(
    `complete -c anymesh -n '__fish_seen_subcommand_from install uninstall register' -a ${q(meshes.join(' '))}`,
  );
  lines.push("complete -c anymesh -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'");
  return `${lines.join('\n')}\n`;
}

export function completionScript(
  shell: Shell,
  commands: readonly CommandInfo[],
  meshes: readonly string[],
): string {
  return shell === 'bash'
    ? bash(commands, meshes)
    : shell === 'zsh'
      ? zsh(commands, meshes)
      : fish(commands, meshes);
}
