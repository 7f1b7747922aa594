// The CRD check before import (src/core/native-shape.ts) says what the API server would do with a
// native object: refuse a wrong type (AM2050), drop a null its schema does not allow (AM2051),
// prune a field its schema does not list (AM2052). Here the real kube-apiserver, with the official
// CRDs, judges the same mutated objects: every golden output of every mesh, with values of its
// spec replaced by other types or nulls, or an unknown field added, is dry-run created twice
// (fieldValidation=Ignore, as the server stores objects; Strict, as `kubectl apply` sends them).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { nativeShapeOf } from '../../src/adapters/kit/native-shapes.js';
import { KubeApiError, type KubeClient } from '../../src/cluster/client.js';
import { type ResourceInfo, RestMapper, resourcePath } from '../../src/cluster/resources.js';
import { valueAt } from '../../src/core/import.js';
import type { FieldPath } from '../../src/core/loader/positions.js';
import { checkShape, type ObjectShape } from '../../src/core/native-shape.js';
import { client, ensureNamespace } from './apply-support.js';
import { attachCluster } from './harness.js';

const NS = 'native-shape-check';
type Obj = Record<string, unknown>;

interface Sample {
  readonly object: Obj;
  readonly shape: ObjectShape;
  readonly info: ResourceInfo;
}

let c: KubeClient;
const samples: Sample[] = [];

beforeAll(async () => {
  const cluster = attachCluster(inject('kubeconfig'));
  c = client(cluster.kubeConfig);
  await ensureNamespace(cluster.kubeConfig, NS);
  const mapper = new RestMapper(c);
  const dir = join(import.meta.dirname, '..', 'golden');
  const seen = new Set<string>();
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (!f.endsWith('.yaml')) continue;
    for (const doc of loadAll(readFileSync(join(dir, f), 'utf8'), undefined, { schema: CORE_SCHEMA })) {
      const o = doc as Obj & { apiVersion: string; kind: string; metadata: Obj; spec?: unknown };
      if (!o?.spec || typeof o.spec !== 'object') continue;
      const shape = nativeShapeOf(o.apiVersion, o.kind);
      // One object per kind and spec layout is enough variety; kinds this cluster serves only.
      const key = `${o.apiVersion}/${o.kind}/${Object.keys(o.spec).sort().join(',')}`;
      if (!shape || seen.has(key)) continue;
      const info = await mapper.find(o.apiVersion, o.kind);
      // CRD kinds only: the core Service's few typed fields are an open subset, not its schema.
      if (!info?.namespaced || info.group === '') continue;
      seen.add(key);
      const sample = { object: { ...o, metadata: { name: 'checked', namespace: NS } }, shape, info };
      // Only objects this cluster's CRDs take as they are: it serves Gateway API's standard
      // channel, while the digest (and some ambient outputs) read the experimental one.
      if ((await dryRun(sample, sample.object, 'Strict')).refused) continue;
      samples.push(sample);
    }
  }
});

/** Paths to every value under spec (list items and fields). */
function specPaths(v: unknown, at: FieldPath = ['spec']): FieldPath[] {
  const out: FieldPath[] = at.length > 1 ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...specPaths(x, [...at, i])));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...specPaths(x, [...at, k]));
  return out;
}

/** JSON-safe values of every type (the server reads JSON: no Infinity). */
const REPLACEMENTS = [null, 0, -1, 1.5, '', 'x', '7', true, [], {}, ['a'], { a: 1 }, [{}]];
const UNKNOWN = 'anymeshNoSuchField';

/** Past the replacements, a mutation adds a field the schema does not list to a mapping. */
const HOW = REPLACEMENTS.length + 4;

function mutate(object: Obj, edits: readonly [number, number][]): Obj {
  const copy = structuredClone(object);
  for (const [pick, how] of edits) {
    const all = specPaths(copy.spec);
    if (how >= REPLACEMENTS.length) {
      const mappings = [['spec'], ...all].filter((p) => {
        const v = valueAt(copy, p);
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      (valueAt(copy, mappings[pick % mappings.length]!) as Obj)[UNKNOWN] = 1;
      continue;
    }
    if (!all.length) break;
    const path = all[pick % all.length]!;
    const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
    parent[path[path.length - 1]!] = structuredClone(REPLACEMENTS[how]);
  }
  return copy;
}

/** A dry-run create: the object the server would store, or its refusal. */
async function dryRun(
  s: Sample,
  object: Obj,
  validation: 'Ignore' | 'Strict',
): Promise<{ stored?: Obj; refused?: string }> {
  const q = new URLSearchParams({ dryRun: 'All', fieldValidation: validation });
  try {
    const r = await c.request<Obj>('POST', `${resourcePath(s.info, NS)}?${q}`, object);
    return { stored: r.body };
  } catch (err) {
    if (err instanceof KubeApiError && (err.code === 422 || err.code === 400))
      return { refused: `${err.code} ${err.message}` };
    throw err;
  }
}

describe('the CRD check before import, judged by the API server', () => {
  it('has objects of every mesh to mutate', () => {
    const groups = new Set(samples.map((s) => s.info.group));
    expect(samples.length).toBeGreaterThan(15);
    expect(groups.size).toBeGreaterThanOrEqual(4);
  });

  it('wrong types are refused, dropped nulls and unknown fields are what the server drops', async () => {
    const seen = { refused: 0, dropped: 0, unknown: 0, clean: 0 };

    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        // A null (replacement 0) a quarter of the time or more: drawn uniformly, 4 to 10 of 250 runs
        // landed a null where the server drops it, against the count of more than 5 below (about
        // 45 now).
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(
              { arbitrary: fc.constant(0), weight: 1 },
              { arbitrary: fc.nat({ max: HOW - 1 }), weight: 3 },
            ),
          ),
          { minLength: 1, maxLength: 2 },
        ),
        async (which, edits) => {
          const s = samples[which % samples.length]!;
          const object = mutate(s.object, edits);
          const check = checkShape(object, s.shape);
          const asStored = await dryRun(s, object, 'Ignore');
          const what = `${s.object.kind} ${JSON.stringify(object.spec)}\n${JSON.stringify(check)}\n${asStored.refused ?? ''}`;
          // A type error the server names is one the check names too, and the other way round.
          if (check.mismatches.length) {
            seen.refused++;
            expect(asStored.refused, what).toBeDefined();
            return;
          }
          if (asStored.refused) {
            // Refused for another reason than types (an enum, a pattern, a CEL rule, a required
            // field): the importers' to report, not the type check's.
            expect(asStored.refused, what).not.toMatch(/must be of type/);
            return;
          }
          const stored = asStored.stored!;
          for (const path of check.droppedNulls) {
            seen.dropped++;
            // Dropped, or (a field with a default) defaulted: never stored as null.
            expect(valueAt(stored, path), `${what}\n${path.join('.')}`).not.toBeNull();
          }
          for (const path of check.unknownFields) {
            seen.unknown++;
            expect(valueAt(stored, path), `${what}\n${path.join('.')}`).toBeUndefined();
          }
          // Strict validation (kubectl's default) refuses exactly the objects with unknown fields.
          const strict = await dryRun(s, object, 'Strict');
          if (check.unknownFields.length) expect(strict.refused, what).toMatch(/unknown field|not declared/);
          else {
            seen.clean++;
            expect(strict.refused, what).toBeUndefined();
          }
        },
      ),
      { numRuns: 250 },
    );
    // Every kind of verdict was met (the run cannot pass by meeting none of them).
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.dropped).toBeGreaterThan(5);
    expect(seen.unknown).toBeGreaterThan(5);
    expect(seen.clean).toBeGreaterThan(5);
  }, 120_000);
});
