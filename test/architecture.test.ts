/**
 * The shape the code keeps so that a fifth mesh costs one folder and one registry line:
 * - no file outside src/adapters spells a mesh id in its code (every mesh list is derived from the
 *   registry); comments may name meshes, strings and identifiers may not;
 * - every mesh folder has the same file names for the same jobs, and its descriptor's id is the
 *   folder's name;
 * - the floors hold: core imports neither adapters, cluster, migrate nor cli; adapters, cluster and
 *   migrate never import cli or each other; the controller sits on cluster and core, below cli.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../src/adapters/index.js';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

/** The code of a file with its comments blanked out (line numbers kept). */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** `file:line: text` for every string literal or identifier that holds one of the words. */
function spellings(files: readonly string[], words: readonly string[]): string[] {
  const found: string[] = [];
  // Ids are lowercase; prose that names a mesh ("compiled to Istio") is not an id.
  const word = new RegExp(`\\b(${words.join('|')})\\b`);
  const constant = new RegExp(`\\b(${words.map((w) => w.toUpperCase()).join('|')})_`);
  for (const file of files) {
    const code = codeOf(file);
    const lines = code.split('\n');
    lines.forEach((line, i) => {
      // Identifiers such as istioCapabilities or ISTIO_REPO hold the id inside a longer word.
      const inIdentifier = new RegExp(`(^|[^A-Za-z0-9])(${words.join('|')})[A-Z_]`);
      if (word.test(line) || constant.test(line) || inIdentifier.test(line))
        found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('architecture', () => {
  const ids = MESHES.map((m) => m.id);
  const outside = [
    ...tsFiles(join(SRC, 'core')),
    ...tsFiles(join(SRC, 'cluster')),
    ...tsFiles(join(SRC, 'cli')),
    ...tsFiles(join(SRC, 'controller')),
    ...tsFiles(join(SRC, 'migrate')),
    join(SRC, 'index.ts'),
  ];

  it('no file outside src/adapters spells a mesh id in its code', () => {
    expect(spellings(outside, ids)).toEqual([]);
  });

  it('the check finds a mesh id where one is spelled (it can fail)', () => {
    const here = join(ROOT, 'test', 'fixtures', 'architecture');
    const files = [...tsFiles(here)];
    expect(spellings(files, ids).map((l) => l.split(': ')[0])).toEqual([
      'test/fixtures/architecture/spells-mesh.ts:3',
      'test/fixtures/architecture/spells-mesh.ts:4',
      'test/fixtures/architecture/spells-mesh.ts:5',
    ]);
  });

  it('every mesh folder has the same skeleton, and its descriptor id is the folder name', () => {
    const folders = readdirSync(join(SRC, 'adapters')).filter(
      (n) => statSync(join(SRC, 'adapters', n)).isDirectory() && n !== 'kit',
    );
    expect(folders.sort()).toEqual([...ids].sort());
    const skeleton = [
      'capabilities.ts',
      'index.ts',
      'install.ts',
      'messages.ts',
      'options.ts',
      'routing.ts',
      'security.ts',
    ];
    for (const id of ids) {
      const files = readdirSync(join(SRC, 'adapters', id));
      expect(
        skeleton.filter((f) => !files.includes(f)),
        `src/adapters/${id} lacks`,
      ).toEqual([]);
    }
  });

  it('imports go down the floors only (cli -> adapters, cluster -> core)', () => {
    const allowed: Record<string, readonly string[]> = {
      core: ['core'],
      adapters: ['core', 'adapters'],
      cluster: ['core', 'cluster'],
      // The controller is handed its mesh (a MeshAdapter) by the CLI, like apply is.
      controller: ['core', 'cluster', 'controller'],
      migrate: ['core', 'migrate'],
      cli: ['core', 'adapters', 'cluster', 'controller', 'migrate', 'cli'],
    };
    const bad: string[] = [];
    for (const [floor, may] of Object.entries(allowed)) {
      for (const file of tsFiles(join(SRC, floor))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
          const target = relative(SRC, join(file, '..', m[1]!)).split('/')[0]!;
          if (!may.includes(target)) bad.push(`${relative(ROOT, file)} imports ${m[1]}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
