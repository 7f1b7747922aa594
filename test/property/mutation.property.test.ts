/**
 * Random mutations of valid files (a key deleted, a type changed, garbage inserted, the text cut
 * short, a key duplicated) give diagnostics, never exceptions; and every diagnostic has a code from
 * the catalogue and, when the file has content, a location with a line.
 */
import fc from 'fast-check';
import { dump, load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, allMessages } from '../../src/adapters/index.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { parseInput } from '../../src/core/loader/loader.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { load } from '../support/kit.js';
import { policyFile } from './arbitraries.js';
import { runs } from './settings.js';

const CODES = new Set(allMessages().map((m) => m.code));

/** Loads as `anymesh validate` does, and whatever is valid compiles as `anymesh compile` does. */
function run(text: string): Diagnostic[] {
  const loaded = load([{ name: 'mutated.yaml', text }]);
  const diagnostics = [...loaded.diagnostics];
  // Whatever validates must also compile (or be refused) without an exception.
  if (loaded.ok) {
    for (const adapter of Object.values(ADAPTERS))
      diagnostics.push(...compileLoaded(loaded, adapter).diagnostics);
  }
  return diagnostics;
}

/** Every diagnostic is from the catalogue and, for a non-empty file, placed on a real line. */
function wellFormed(text: string, diagnostics: readonly Diagnostic[]): void {
  const lines = text.split('\n').length;
  for (const d of diagnostics) {
    expect(CODES.has(d.code), `${d.code} is in the catalogue`).toBe(true);
    expect(['error', 'warning', 'info']).toContain(d.level);
    if (
      d.location &&
      text.trim() !== '' &&
      d.code !== 'AM1003' &&
      d.code !== 'AM1004' &&
      d.code !== 'AM1011'
    ) {
      expect(d.location.file).toBe('mutated.yaml');
      expect(d.location.line, `${d.code} ${d.path} ${d.message}`).toBeGreaterThanOrEqual(1);
      expect(d.location.line).toBeLessThanOrEqual(lines);
      expect(d.location.col).toBeGreaterThanOrEqual(1);
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** All paths to values inside a parsed document. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...at, i])));
  else if (v && typeof v === 'object')
    for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...at, k]));
  return out;
}

function edit(
  root: Json,
  path: (string | number)[],
  f: (parent: Record<string | number, Json>, key: string | number) => void,
) {
  let parent = root as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, Json>;
  f(parent, path[path.length - 1]!);
}

const REPLACEMENTS: Json[] = [
  null,
  0,
  -1,
  1.5,
  65536,
  '',
  'x y',
  true,
  [],
  {},
  ['a'],
  { a: 1 },
  '1d',
  '(?<=a)',
  'UPPER_case',
];

/** A structural mutation of the first document: delete a key, or replace a value with another type. */
const structural = fc
  .tuple(policyFile(), fc.nat(), fc.nat({ max: REPLACEMENTS.length }), fc.boolean())
  .map(([text, pick, with_, del]) => {
    const docs = text.split(/^---$/m).map((t) => loadYaml(t) as Json);
    const first = docs[0]!;
    const all = paths(first);
    const path = all[pick % all.length]!;
    edit(first, path, (parent, key) => {
      if (del || with_ === REPLACEMENTS.length) {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
      } else parent[key] = structuredClone(REPLACEMENTS[with_]!);
    });
    return docs.map((d) => dump(d, { lineWidth: -1 })).join('---\n');
  });

const GARBAGE = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ':',
  '- ',
  '&a',
  '*a',
  '!!',
  '%',
  '@',
  '`',
  '"',
  "'",
  '\t',
  '\n',
  '#',
  '|',
  '>',
  '---',
  '...',
  '\u00e9',
  '\uFFFD',
  '<<: *x',
);

/** A textual mutation: insert garbage, cut the text short, or repeat a line (duplicating a key). */
const textual = fc
  .tuple(policyFile(), fc.nat(), fc.nat(), GARBAGE, fc.constantFrom('insert', 'truncate', 'duplicate'))
  .map(([text, a, b, junk, how]) => {
    const at = a % (text.length + 1);
    if (how === 'insert') return text.slice(0, at) + junk + text.slice(at);
    if (how === 'truncate') return text.slice(0, at);
    const lines = text.split('\n');
    const i = b % lines.length;
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  });

describe('mutations of valid files', () => {
  it('structural mutations (a key deleted, a value of another type) give diagnostics, never exceptions', () => {
    fc.assert(
      fc.property(structural, (text) => {
        const ds = run(text);
        wellFormed(text, ds);
      }),
      runs(200),
    );
  });

  it('a deleted required key or a wrong type is always reported as an error', () => {
    const required = fc
      .tuple(policyFile(), fc.constantFrom('service', 'rules', 'metadata', 'apiVersion', 'kind'))
      .map(([text, key]) => {
        const docs = text.split(/^---$/m).map((t) => loadYaml(t) as Record<string, Record<string, unknown>>);
        if (key === 'service' || key === 'rules') delete docs[0]!.spec![key];
        else delete docs[0]![key];
        return docs.map((d) => dump(d, { lineWidth: -1 })).join('---\n');
      });
    fc.assert(
      fc.property(required, (text) => {
        const ds = run(text);
        wellFormed(text, ds);
        expect(ds.some((d) => d.level === 'error')).toBe(true);
      }),
      runs(100),
    );
  });

  it('textual mutations (garbage, truncation, duplicated lines) give diagnostics, never exceptions', () => {
    fc.assert(
      fc.property(textual, (text) => {
        const ds = run(text);
        wellFormed(text, ds);
      }),
      runs(200),
    );
  });

  it('a duplicated mapping line is a DuplicateKey error at the second occurrence', () => {
    const dup = fc.tuple(policyFile(), fc.nat()).map(([text, n]) => {
      const lines = text.split('\n');
      // Only plain `key: value` lines of a block mapping, so the copy is a sibling key.
      const candidates = lines.flatMap((l, i) =>
        /^\s*[A-Za-z]+: \S/.test(l) && !/^\s*-/.test(l) ? [i] : [],
      );
      const i = candidates[n % candidates.length]!;
      lines.splice(i + 1, 0, lines[i]!);
      return { text: lines.join('\n'), line: i + 2 };
    });
    fc.assert(
      fc.property(dup, ({ text, line }) => {
        const ds = run(text);
        expect(ds.map((d) => d.code)).toEqual(['AM1012']);
        expect(ds[0]!.location?.line).toBe(line);
      }),
      runs(100),
    );
  });

  it('arbitrary text and bytes never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        (text) => {
          wellFormed(text, run(text));
        },
      ),
      runs(300),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseInput({ name: 'mutated.yaml', text: Buffer.from(bytes) });
        for (const d of r.diagnostics) expect(CODES.has(d.code)).toBe(true);
      }),
      runs(200),
    );
  });
});
