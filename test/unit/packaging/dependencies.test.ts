/**
 * What the installed package imports at run time must be in `dependencies`: `npm install
 * --omit=dev` (how users and images install anymesh) leaves devDependencies out, and a missing one
 * only shows as ERR_MODULE_NOT_FOUND on the user's machine. The reverse too: a dependency nothing
 * imports is downloaded by every user for nothing.
 *
 * The imports are read from what TypeScript emits for each file (type-only imports vanish there,
 * as they do in dist/), so `import type` from a devDependency is fine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cases.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/** The module specifiers a file loads at run time: static and dynamic imports, and `require`s. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const js = file.endsWith('.ts')
    ? ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText
    : text;
  const info = ts.preProcessFile(js, true, true);
  const specifiers = info.importedFiles.map((f) => f.fileName);
  // createRequire(...)('name') is how the CLI loads a CommonJS-only package lazily.
  for (const m of js.matchAll(/\bload\('([^']+)'\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative paths and builtins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every package the shipped code (src/ becomes dist/; bin/) imports, with one file that does. */
function shippedImports(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of [...filesUnder('src'), ...filesUnder('bin')]) {
    for (const s of runtimeImports(file)) {
      const name = packageOf(s);
      if (name && !used.has(name)) used.set(name, relative(ROOT, join(ROOT, file)));
    }
  }
  return used;
}

describe('package.json dependencies', () => {
  const used = shippedImports();

  it('finds the imports it checks (the scan itself works)', () => {
    expect(used.get('commander')).toMatch(/^src\/cli\//);
    expect(used.get('js-yaml')).toMatch(/^src\/core\//);
    expect(used.has('@kubernetes/client-node')).toBe(true);
  });

  it('declares every package the shipped code imports at run time in dependencies', () => {
    const missing = [...used].filter(([name]) => !(name in pkg.dependencies));
    expect(
      missing.map(([name, file]) =>
        name in pkg.devDependencies
          ? `${name} (imported by ${file}) is only a devDependency: --omit=dev installs lack it`
          : `${name} (imported by ${file}) is not declared at all`,
      ),
    ).toEqual([]);
  });

  it('declares nothing in dependencies that the shipped code does not import', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });
});
