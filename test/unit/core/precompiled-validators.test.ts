/**
 * The CLI bundle validates with validators compiled at build time (ajv standalone code in
 * dist/core/model/precompiled-validators.js); tests and the library compile them at run
 * time. Both must judge every document alike, errors included (the diagnostics are made from them):
 * here on every policy in the repository and on mutants of each (a field removed, a value of the
 * wrong type, an unknown field), so that a divergence in any keyword shows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { loadAll } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { KIND_SCHEMAS, KINDS, type Kind } from '../../../src/core/model/schema.js';
import { AJV_OPTIONS } from '../../../src/core/model/validate.js';
import { ensureBuilt, ROOT } from '../../support/bin.js';

const asData = (v: unknown) => JSON.parse(JSON.stringify(v ?? null));

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(f) ? [p] : [];
  });

/** Every document of a known kind in the examples, the golden cases and the bad-input fixtures. */
function corpus(): { kind: Kind; doc: Record<string, unknown> }[] {
  const out: { kind: Kind; doc: Record<string, unknown> }[] = [];
  for (const dir of ['examples', 'test/cases', 'test/fixtures/bad']) {
    for (const f of yamlFiles(join(ROOT, dir))) {
      let docs: unknown[];
      try {
        docs = loadAll(readFileSync(f, 'utf8'));
      } catch {
        continue; // unparsable on purpose (the loader's tests own those)
      }
      for (const doc of docs) {
        const kind = (doc as { kind?: unknown } | null)?.kind;
        if (KINDS.includes(kind as Kind))
          out.push({ kind: kind as Kind, doc: doc as Record<string, unknown> });
      }
    }
  }
  return out;
}

/** The document, then one mutant per field: removed, given a value of the wrong type, joined by an unknown sibling. */
function* mutants(doc: unknown): Generator<unknown> {
  yield doc;
  const clone = () => structuredClone(doc) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length) paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  for (const path of paths) {
    const at = (root: Record<string, unknown>) =>
      path
        .slice(0, -1)
        .reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string, unknown>, root);
    const last = path.at(-1) as string | number;
    for (const wrong of [undefined, 'not-a-number', 7, true, [], {}]) {
      const m = clone();
      const parent = at(m);
      if (wrong === undefined) {
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
      } else parent[last] = wrong;
      yield m;
    }
    const parent = at(clone());
    if (!Array.isArray(parent)) yield { ...clone(), unknownTopLevelField: 1 };
  }
}

describe('validators compiled at build time', () => {
  let precompiled: Record<Kind, Validate>;
  const ajv = new Ajv(AJV_OPTIONS);
  const atRunTime = Object.fromEntries(
    KINDS.map((k) => [k, ajv.compile(KIND_SCHEMAS[k]) as Validate]),
  ) as Record<Kind, Validate>;

  beforeAll(async () => {
    ensureBuilt();
    const file = join(ROOT, 'dist', 'core', 'model', 'precompiled-validators.js');
    precompiled = (await import(file)).PRECOMPILED;
  }, 180_000);

  it('exist for every kind', () => {
    expect(Object.keys(precompiled).sort()).toEqual([...KINDS].sort());
  });

  it('accept and refuse what the run-time ones do, with the same errors', () => {
    const docs = corpus();
    expect(docs.length).toBeGreaterThan(30);
    let compared = 0;
    let refused = 0;
    for (const { kind, doc } of docs) {
      for (const m of mutants(doc)) {
        const want = atRunTime[kind](m);
        const got = precompiled[kind](m);
        expect(got).toBe(want);
        // As data: the run-time schemas also carry TypeBox's symbol keys, which no diagnostic reads.
        expect(asData(precompiled[kind].errors)).toEqual(asData(atRunTime[kind].errors));
        compared++;
        if (!want) refused++;
      }
    }
    // Most mutants are refused, and some documents pass: both sides of the judgement are exercised.
    expect(refused).toBeGreaterThan(compared / 2);
    expect(compared - refused).toBeGreaterThan(docs.length / 2);
  });

  it('would notice a divergence (a validator of another kind judges differently)', () => {
    const { doc } = corpus().find((d) => d.kind === 'TrafficPolicy')!;
    expect(precompiled.AccessPolicy(doc)).not.toBe(atRunTime.TrafficPolicy(doc));
  });
});
