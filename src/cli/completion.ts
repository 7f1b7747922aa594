/**
 * Shell completion scripts for `anymesh completion bash|zsh|fish`, made from the command tree
 * itself (so a new flag completes without editing this file): subcommands, each one's flags,
 * mesh ids after --mesh, files after the flags that take a path.
 */

/** What a flag's value or a positional argument completes to. */
export type ValueCompletion =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'files' }
  | { readonly kind: 'dirs' };

export interface FlagInfo {
  /** Long and short flags, e.g. --mesh, -o. */
  readonly names: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  /** `--dry-run [mode]`: the value is optional (and then only after `=`). */
  readonly optionalValue?: boolean;
  /** The flag may be given more than once (`-f a -f b`). */
  readonly repeatable?: boolean;
  /** The value's placeholder (`format` of `<format>`), for the shells that show it. */
  readonly valueName?: string;
  readonly value?: ValueCompletion;
}

export interface ArgInfo {
  readonly name: string;
  readonly required: boolean;
  readonly value?: ValueCompletion;
}

export interface CommandInfo {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly FlagInfo[];
  readonly args?: readonly ArgInfo[];
  /** `migrate plan`: commands below this one. */
  readonly subcommands?: readonly CommandInfo[];
}

/** The program's own flags: display flags (valid anywhere), its own (--version), connection flags (before a command). */
export interface GlobalFlags {
  readonly display: readonly FlagInfo[];
  readonly program: readonly FlagInfo[];
  readonly connection: readonly FlagInfo[];
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

/** Text inside a zsh `_arguments` explanation (`[...]`): brackets and backslashes escaped. */
const zshExplain = (s: string) => s.replace(/[\\[\]]/g, (c) => `\\${c}`);

/** A zsh completion action for a value: `(a b c)`, `_files` or `_files -/`; a space is no completion. */
function zshAction(v: ValueCompletion | undefined): string {
  if (!v) return ' ';
  if (v.kind === 'files') return '_files';
  if (v.kind === 'dirs') return '_files -/';
  return `(${v.words.map((w) => w.replace(/[\\() :]/g, (c) => `\\${c}`)).join(' ')})`;
}

/**
 * One `_arguments` spec per flag, as zshcompsys(1) writes them: `(-o --output)` keeps a flag from
 * being offered twice, a leading `*` lets it repeat, `-o+`/`--output=` take the value in the same
 * word or the next one, `--dry-run=-` only after `=` (optional value, `::`).
 */
function zshFlagSpec(f: FlagInfo): string {
  const names = [...f.names].sort((a, b) => a.length - b.length);
  const suffix = (n: string) =>
    !f.takesValue ? '' : f.optionalValue ? (n.startsWith('--') ? '=-' : '+') : n.startsWith('--') ? '=' : '+';
  const exclusion = f.repeatable ? '*' : names.length > 1 ? `(${names.join(' ')})` : '';
  const explanation = `[${zshExplain(f.description)}]`;
  const value = f.takesValue
    ? `${f.optionalValue ? '::' : ':'}${zshExplain(f.valueName ?? 'value')}:${zshAction(f.value)}`
    : '';
  const nameSpecs = names.map((n) => `${n}${suffix(n)}`);
  if (nameSpecs.length === 1) return q(`${exclusion}${nameSpecs[0]}${explanation}${value}`);
  return `${exclusion ? q(exclusion) : ''}{${nameSpecs.map(q).join(',')}}${q(`${explanation}${value}`)}`;
}

/** The zsh function name of a command path: `_anymesh_migrate_plan`. */
const zshFn = (path: readonly string[]) => ['_anymesh', ...path].join('_').replace(/[^A-Za-z0-9_]/g, '_');

function zshFunction(
  path: readonly string[],
  flags: readonly FlagInfo[],
  c: CommandInfo | undefined,
  commands: readonly CommandInfo[],
  display: readonly FlagInfo[],
): string[] {
  const specs = [...flags, ...(c ? display : [])].map((f) => `    ${zshFlagSpec(f)}`);
  const fn = zshFn(path);
  if (!commands.length) {
    (c?.args ?? []).forEach((a, i) =>
      specs.push(`    ${q(`${i + 1}:${a.required ? '' : ':'}${zshExplain(a.name)}:${zshAction(a.value)}`)}`),
    );
    if (!specs.length) return [`${fn}() {`, '  _arguments -S', '}', ''];
    return [`${fn}() {`, '  _arguments -S \\', specs.join(' \\\n'), '}', ''];
  }
  const what = ['anymesh', ...path].join(' ');
  return [
    `${fn}() {`,
    '  local curcontext="$curcontext" state line',
    '  typeset -A opt_args',
    '  local -a commands',
    '  commands=(',
    ...commands.map((s) => `    ${q(`${s.name}:${s.description}`)}`),
    '  )',
    '  _arguments -C -S \\',
    ...specs.map((s) => `${s} \\`),
    `    ${q('1: :->command')} \\`,
    `    ${q('*:: :->args')} && return`,
    '  case $state in',
    `    command) _describe -t commands ${q(`${what} command`)} commands ;;`,
    '    args)',
    '      case $words[1] in',
    ...commands.map((s) => `        ${s.name}) ${zshFn([...path, s.name])} ;;`),
    '      esac',
    '      ;;',
    '  esac',
    '}',
    '',
  ];
}

/**
 * A native zsh completion (`#compdef`, `_arguments`, `_describe`): one function per command, with
 * each flag's description, its value's completion (formats, meshes and import sources from the
 * registries, files for paths) and the positional arguments; the program's display flags are
 * offered everywhere, its connection flags before the command, as the parser accepts them.
 */
function zsh(commands: readonly CommandInfo[], globals: GlobalFlags): string {
  const out = [
    '#compdef anymesh',
    `# anymesh completion for zsh. Installed: anymesh completion zsh > "\${fpath[1]}/_anymesh"`,
    '# (a folder on $fpath; compinit then finds it). One session: source <(anymesh completion zsh)',
    '',
  ];
  const walk = (path: readonly string[], c: CommandInfo) => {
    for (const s of c.subcommands ?? []) walk([...path, s.name], s);
    out.push(...zshFunction(path, c.flags, c, c.subcommands ?? [], globals.display));
  };
  for (const c of commands) walk([c.name], c);
  out.push(
    ...zshFunction(
      [],
      [...globals.program, ...globals.display, ...globals.connection],
      undefined,
      commands,
      [],
    ),
  );
  // Autoloaded from $fpath the file is the function's body; sourced, it registers the function.
  out.push(
    `if [[ "\${funcstack[1]}" == _anymesh ]]; then`,
    '  _anymesh "$@"',
    'else',
    '  compdef _anymesh anymesh',
    'fi',
    '',
  );
  return out.join('\n');
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
  globals: GlobalFlags = { display: [], program: [], connection: [] },
): string {
  return shell === 'bash'
    ? bash(commands, meshes)
    : shell === 'zsh'
      ? zsh(commands, globals)
      : fish(commands, meshes);
}
