// What npm publishes: an exports map that points at built files, a repository, the Apache-2.0
// licence text, no source maps without their sources, and the editor modeline in every example.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('package', () => {
  it('exports the library entry (types first), the schemas and package.json', () => {
    expect(pkg.exports['.']).toEqual({
      types: './dist/index.d.ts',
      import: './dist/index.js',
      default: './dist/index.js',
    });
    expect(pkg.exports['./schemas/*']).toBe('./schemas/*');
    expect(pkg.types).toBe('./dist/index.d.ts'.slice(2));
  });

  it('names its repository and ships the Apache-2.0 licence text it declares', () => {
    expect(pkg.repository?.type).toBe('git');
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(pkg.license).toBe('Apache-2.0');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toContain('Apache License');
    expect(text).toContain('Version 2.0, January 2004');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
    expect(pkg.files).toContain('LICENSE');
  });

  it('no source maps without sources: the build emits none unless src/ is published', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    const maps = build.compilerOptions.sourceMap !== false || build.compilerOptions.declarationMap === true;
    expect(!maps || pkg.files.includes('src')).toBe(true);
  });

  it('every file of examples/ starts with the yaml-language-server modeline', () => {
    const files = readdirSync(join(ROOT, 'examples')).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(ROOT, 'examples', f), 'utf8');
      expect(text.split('\n')[0], f).toBe('# yaml-language-server: $schema=../schemas/all.json');
      // Every document of a multi-document file carries it too (the language server reads it per document).
      for (const doc of text.split(/^---$/m).slice(1))
        expect(doc.trimStart().split('\n')[0], `${f}, a later document`).toBe(
          '# yaml-language-server: $schema=../schemas/all.json',
        );
    }
  });
});
