/**
 * Hostile native input for `anymesh import`: random mutations of real native files (every golden
 * output of each mesh, and the hand-written import fixtures), one to three values replaced with a
 * value of another type or deleted, give diagnostics, never an exception and never an importer
 * that cannot read its object (AM2048: the CRD type check before import names such values at their
 * field instead). Every diagnostic is from the catalogue, and every error is placed on a line of
 * the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, dump, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { allMessages, IMPORT_SOURCES } from '../../src/adapters/index.js';
import type { ImportSource } from '../../src/core/import.js';
import { importText } from '../import/support.js';
import { runs } from './settings.js';

const CODES = new Set(allMessages().map((m) => m.code));
const TEST = join(import.meta.dirname, '..');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The YAML files under `dir` (none when it does not exist). */
function yamlUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  } catch {
    return [];
  }
}

/** Native inputs of a source: its golden outputs and import fixtures, as lists of documents. */
function inputsOf(source: ImportSource): Json[][] {
  const fixtures = join(TEST, 'fixtures', 'import');
  const texts = [
    // Every column's output of the mesh (golden/istio and golden/istio-ambient).
    ...readdirSync(join(TEST, 'golden'))
      .filter((d) => d === source.id || d.startsWith(`${source.id}-`))
      .flatMap((d) => yamlUnder(join(TEST, 'golden', d))),
    ...yamlUnder(join(TEST, 'import', 'fixtures', source.id)),
    ...readdirSync(fixtures)
      .filter((f) => f.startsWith(`${source.id}-`))
      .map((f) => readFileSync(join(fixtures, f), 'utf8')),
  ];
  return texts
    .map((t) => (loadAll(t, undefined, { schema: CORE_SCHEMA }) as Json[]).filter((d) => d !== null))
    .filter((docs) => docs.length > 0);
}

/** Paths to every value below a document's apiVersion/kind (those decide what the object is). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = at.length > 1 ? [at] : [];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...at, i])));
  else if (v && typeof v === 'object')
    for (const [k, c] of Object.entries(v))
      if (at.length || (k !== 'apiVersion' && k !== 'kind')) out.push(...paths(c, [...at, k]));
  return out;
}

const REPLACEMENTS: Json[] = [null, 0, -1, 1.5, 65536, '', 'x', true, [], {}, ['a'], { a: 1 }, [{}], 'null'];

/** One mutation: a value somewhere replaced (or, past the replacements, deleted). */
const mutation = fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: REPLACEMENTS.length }));

function mutate(docs: Json[], edits: readonly [number, number, number][]): string {
  const copy = structuredClone(docs);
  for (const [which, pick, replacement] of edits) {
    const doc = copy[which % copy.length]!;
    const all = paths(doc);
    if (!all.length) continue;
    const path = all[pick % all.length]!;
    let parent = doc as Record<string | number, Json>;
    for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, Json>;
    const key = path[path.length - 1]!;
    if (replacement === REPLACEMENTS.length) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else parent[key] = structuredClone(REPLACEMENTS[replacement]!);
  }
  return copy.map((d) => dump(d, { lineWidth: -1 })).join('---\n');
}

describe('import of mutated native files', () => {
  for (const source of IMPORT_SOURCES) {
    const inputs = inputsOf(source);
    it(`${source.id}: diagnostics at their lines, never an exception or an unreadable object`, () => {
      expect(inputs.length, `native inputs of ${source.id}`).toBeGreaterThan(0);
      fc.assert(
        fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (file, edits) => {
          const text = mutate(inputs[file % inputs.length]!, edits);
          const lines = text.split('\n').length;
          const r = importText(text, source, 'mutated.yaml');
          for (const d of r.diagnostics) {
            expect(CODES.has(d.code), `${d.code} is in the catalogue`).toBe(true);
            expect(d.code, `${d.message}\n${text}`).not.toBe('AM2048');
            if (d.level !== 'error' || d.location?.file === '<imported>') continue;
            expect(d.location?.file, `${d.code} ${d.message}`).toBe('mutated.yaml');
            expect(d.location?.line).toBeGreaterThanOrEqual(1);
            expect(d.location?.line).toBeLessThanOrEqual(lines);
          }
        }),
        runs(150),
      );
    });
  }
});
