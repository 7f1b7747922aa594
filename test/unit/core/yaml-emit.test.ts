/**
 * The fast YAML writer must write every document byte for byte as js-yaml's dump does with the
 * options output uses: on every golden output, on generated objects full of strings js-yaml
 * quotes, and on the values it hands to js-yaml (which must still come out the same).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DUMP_OPTIONS, dumpYaml, fastYaml } from '../../../src/core/yaml-emit.js';
import { runs } from '../../property/settings.js';

const GOLDEN = join(import.meta.dirname, '../../golden');

function goldenDocuments(): { file: string; doc: unknown }[] {
  const out: { file: string; doc: unknown }[] = [];
  for (const mesh of readdirSync(GOLDEN)) {
    for (const f of readdirSync(join(GOLDEN, mesh)).filter((f) => f.endsWith('.yaml'))) {
      const file = join(mesh, f);
      for (const doc of loadAll(readFileSync(join(GOLDEN, file), 'utf8'))) if (doc) out.push({ file, doc });
    }
  }
  return out;
}

describe('fast YAML writer', () => {
  it('writes every golden output document as js-yaml does, without handing any to js-yaml', () => {
    const docs = goldenDocuments();
    expect(docs.length).toBeGreaterThan(250);
    for (const { file, doc } of docs) {
      expect(fastYaml(doc), file).toBe(dump(doc, DUMP_OPTIONS));
    }
  });

  it('quotes what js-yaml quotes', () => {
    const strings = [
      'null',
      'Null',
      'NULL',
      'true',
      'False',
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      'n',
      '~',
      '',
      ' ',
      '80',
      '0x1F',
      '1e3',
      '.inf',
      '-.5',
      '1_000',
      '12:30',
      '2026-12-02',
      '<<',
      '-',
      '- a',
      '? a',
      'a: b',
      'a:b',
      'a #b',
      'a#b',
      '#a',
      '*a',
      '&a',
      '!a',
      '%a',
      '@a',
      '`a',
      '"a"',
      "'a'",
      'a ',
      ' a',
      '[a]',
      '{a}',
      'a,b',
      'é',
      'a\rb',
      'a\tb',
      '\u2028',
      'a\u0085b',
      'trueish',
      'nullable',
      'GET',
      'https://shop.example.com',
      'https://.*\\.example\\.com',
      'x-env',
      '5xx',
      'v1.2.3',
    ];
    for (const s of strings) {
      const doc = { [s]: s, list: [s, { [s]: [s] }] };
      expect(dumpYaml(doc), JSON.stringify(s)).toBe(dump(doc, DUMP_OPTIONS));
    }
  });

  it('hands js-yaml what it does not write itself, with the same result', () => {
    const outside: unknown[] = [
      { a: 'two\nlines' },
      { a: 'trailing\n' },
      { a: [1, undefined, 2] },
      { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: -0, d: 1e21, e: 5e-7 },
      { a: { [`k${'x'.repeat(1100)}`]: 1 } },
      { 'key\nbreak': 1 },
    ];
    for (const doc of outside) {
      expect(fastYaml(doc)).toBeUndefined();
      expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
    }
    expect(() => dumpYaml({ a: () => 1 })).toThrow(/unacceptable kind/);
  });

  it('writes generated objects as js-yaml does', () => {
    const text = fc.string({
      unit: fc.constantFrom(
        'a',
        'Z',
        '0',
        '9',
        '.',
        '-',
        '_',
        '/',
        ' ',
        ':',
        '#',
        '"',
        "'",
        '\n',
        '[',
        '{',
        ',',
        '*',
        'é',
        '\t',
      ),
      maxLength: 8,
    });
    const word = fc.oneof(text, fc.constantFrom('true', 'no', 'null', '0o17', '3.5', 'svc-1', ''));
    const leaf = fc.oneof(
      word,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const tree = fc.letrec((t) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, t('array'), t('object')),
      array: fc.array(t('node'), { maxLength: 4 }),
      object: fc.dictionary(word, t('node'), { maxKeys: 4 }),
    })).node;
    fc.assert(
      fc.property(tree, (doc) => {
        expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
      }),
      runs(3000),
    );
  });
});
