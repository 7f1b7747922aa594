/**
 * `anymesh completion zsh` is a native zsh completion (`#compdef`, `_arguments`, `_describe`),
 * made from the command tree and the registries. Its structure is checked (bash parses the same
 * syntax), then zsh parses the script and drives it through zsh's own completion system in a
 * pseudo-terminal (test/support/zsh-complete.zsh). zsh is a test prerequisite (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_SOURCES, MESH_IDS } from '../../src/adapters/index.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'anymesh-zsh-'));
const fpath = join(tmp, 'functions');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let script = '';
let commands: string[] = [];
beforeAll(async () => {
  script = (await runCli(['completion', 'zsh'])).out;
  mkdirSync(fpath);
  writeFileSync(join(fpath, '_anymesh'), script);
  // The commands as `anymesh --help` lists them: the script must cover the same ones.
  const help = (await runCli(['--help'])).out;
  const from = help.indexOf('Commands:');
  const section = help.slice(from, help.indexOf('\n\n', from));
  commands = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
});

/** The body of the zsh function of a command path, e.g. `compile` or `migrate_plan`. */
function body(path: string): string {
  const start = script.indexOf(`_anymesh_${path}() {\n`);
  expect(start, `no function for ${path}`).toBeGreaterThanOrEqual(0);
  return script.slice(start, script.indexOf('\n}\n', start));
}

describe('the zsh script, structurally', () => {
  it('is native: #compdef, _arguments and _describe, no bashcompinit, registered or autoloaded', () => {
    expect(script.startsWith('#compdef anymesh\n')).toBe(true);
    expect(script).not.toContain('bashcompinit');
    expect(script).not.toContain('COMPREPLY');
    expect(script).toContain("_describe -t commands 'anymesh command' commands");
    expect(script).toMatch(/compdef _anymesh anymesh\nfi\n$/);
    // bash reads this syntax too, so a quoting slip fails here even without zsh.
    expect(spawnSync('bash', ['-n', join(fpath, '_anymesh')]).status).toBe(0);
  });

  it('has a function and a _describe entry for every command and subcommand', () => {
    expect(commands.length).toBeGreaterThan(15);
    for (const c of commands) {
      expect(body(c)).toContain('_arguments');
      expect(script).toContain(`        ${c}) _anymesh_${c} ;;`);
      expect(script).toMatch(new RegExp(`^ {4}'${c}:[^']`, 'm'));
    }
    expect(body('migrate')).toContain("'plan:");
    expect(body('migrate_plan')).toContain("'--to=[the mesh to move to]:mesh:(");
  });

  it('takes the values of --mesh, --from and -o from the registries and the commands themselves', () => {
    const meshes = `(${MESH_IDS.join(' ')})`;
    expect(body('compile')).toContain(`'--mesh=[the target mesh: ${MESH_IDS.join(', ')}]:mesh:${meshes}'`);
    expect(body('check')).toContain(`'*--mesh=[`);
    expect(body('import')).toContain(`:source:(${IMPORT_SOURCES.map((s) => s.id).join(' ')})'`);
    expect(body('migrate_plan')).toContain(`:source:(${IMPORT_SOURCES.map((s) => s.id).join(' ')})'`);
    // install --from is a file, not a source: the placeholder decides.
    expect(body('install')).toMatch(/'--from=\[[^\]]*\]:file:_files'/);
    expect(body('status')).toContain(":format:(table wide json)'");
    expect(body('compile')).toContain(":format:(yaml json name)'");
    expect(body('apply')).toContain("'--dry-run=-[");
    expect(body('apply')).toContain('::mode:(none client server)');
    expect(body('completion')).toContain("'1:shell:(bash zsh fish)'");
    // -f repeats; -o does not, and its two spellings exclude each other.
    expect(body('compile')).toContain(`'*'{'-f+','--filename='}`);
    expect(body('compile')).toContain(`'(-o --output)'{'-o+','--output='}`);
    // Display flags are read anywhere on the line, so every command offers them.
    for (const c of commands) expect(body(c)).toContain("'--max-warnings=[");
  });

  it('escapes what zsh would read as syntax in descriptions', () => {
    // The compile -n help has an apostrophe; an _arguments explanation ends at an unescaped ].
    expect(body('compile')).toContain("context'\\''s");
    for (const line of script.split('\n').filter((l) => /^\s+'.*\[/.test(l)))
      expect(line.replace(/\\./g, '').match(/\[/g)?.length ?? 0).toBe(
        line.replace(/\\./g, '').match(/\]/g)?.length ?? 0,
      );
  });
});

const zsh = spawnSync('zsh', ['--version']).status === 0;

/** What zsh's completion offers at the end of `line`, in order, without repeats. */
function complete(line: string): string[] {
  const out = execFileSync('zsh', ['-f', join('test', 'support', 'zsh-complete.zsh'), fpath, line], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return [...new Set(out.split(/[\r\n]+/).filter(Boolean))];
}

// zsh is one of the system tools the tests need (.ci/run installs it, as it does openssl): without
// it these fail, saying so, rather than being skipped.
describe("the zsh script in zsh's own completion system", () => {
  it('zsh is installed, and parses the script', () => {
    expect(zsh, 'zsh is not installed: apt-get install zsh (as .ci/run does)').toBe(true);
    expect(spawnSync('zsh', ['-n', join(fpath, '_anymesh')]).status).toBe(0);
  });

  it('completes commands, flags, their values and subcommands', () => {
    expect(complete('anymesh comp')).toEqual(['compile', 'completion']);
    expect(complete('anymesh ')).toEqual(commands);
    expect(complete('anymesh compile --ou')).toEqual(['--output', '--out-dir']);
    expect(complete('anymesh compile --mesh ')).toEqual([...MESH_IDS]);
    expect(complete('anymesh compile -f x --mesh=')).toEqual([...MESH_IDS]);
    expect(complete('anymesh status -o ')).toEqual(['table', 'wide', 'json']);
    expect(complete('anymesh import --from ')).toEqual(IMPORT_SOURCES.map((s) => s.id));
    expect(complete('anymesh apply --dry-run=')).toEqual(['none', 'client', 'server']);
    expect(complete('anymesh migrate ')).toEqual(['plan']);
    expect(complete('anymesh migrate plan --to ')).toEqual([...MESH_IDS]);
    expect(complete('anymesh completion ')).toEqual(['bash', 'zsh', 'fish']);
    // Connection flags before the command, then the command.
    expect(complete('anymesh --kubeconfig k sta')).toEqual(['status']);
    // A flag already given is not offered again, unless it repeats.
    expect(complete('anymesh validate -o json -')).not.toContain('--output');
    expect(complete('anymesh validate -f a -')).toContain('--filename');
  });

  it('completes files after the flags that take a path', () => {
    writeFileSync(join(tmp, 'policy-one.yaml'), 'x: 1\n');
    expect(complete(`anymesh validate -f ${tmp}/policy-o`)).toContain('policy-one.yaml');
    expect(complete(`anymesh compile --out-dir ${tmp}/func`)).toContain('functions');
  });
});
