// The CRD types checked before import: the committed digest is what the official CRDs give, every
// imported kind has one, valid native objects (every golden output) pass, and wrong types are named
// at their field with what the CRD has there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  crdKind,
  defaultCrdRoot,
  digestCrds,
  SHAPES_FILE,
  shapesFileText,
} from '../../../scripts/native-shapes.js';
import { IMPORT_SOURCES } from '../../../src/adapters/index.js';
import { nativeShapeOf } from '../../../src/adapters/kit/native-shapes.js';
import { checkShape, type ObjectShape } from '../../../src/core/native-shape.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const imported = IMPORT_SOURCES.flatMap((s) => (s.kinds ?? []).map((k) => `${k.group}/${k.kind}`));

describe('native-shapes.json', () => {
  it('is the digest of the CRDs in shared/crds (run `node scripts/native-shapes.js` when they change)', () => {
    const d = digestCrds(defaultCrdRoot(), imported.filter(crdKind));
    expect(readFileSync(SHAPES_FILE, 'utf8')).toBe(shapesFileText(d));
    // Linkerd's policy.linkerd.io GRPCRoute is read when found, but no Linkerd release ships its CRD.
    expect(d.missing).toEqual(['policy.linkerd.io/GRPCRoute']);
  });

  it('types every imported kind, the core Service included', () => {
    expect(nativeShapeOf('networking.istio.io/v1', 'VirtualService')?.from).toBe(
      'VirtualService networking.istio.io/v1 CRD',
    );
    expect(nativeShapeOf('v1', 'Service')?.spec).toBeDefined();
    // A version the CRDs do not serve is checked with one they do (the first listed).
    expect(nativeShapeOf('gateway.networking.k8s.io/v1alpha2', 'HTTPRoute')?.from).toMatch(
      /^HTTPRoute gateway\.networking\.k8s\.io\/v1 CRD \(read for v1alpha2, which the CRDs here do not serve\)$/,
    );
    expect(nativeShapeOf('gateway.networking.k8s.io/v1alpha2', 'HTTPRoute')?.spec).toBe(
      nativeShapeOf('gateway.networking.k8s.io/v1', 'HTTPRoute')?.spec,
    );
    expect(nativeShapeOf('example.com/v1', 'VirtualService')).toBeUndefined();
    expect(IMPORT_SOURCES.every((s) => typeof s.shapeOf === 'function')).toBe(true);
  });
});

/** Every object of every golden output, with its file. */
function goldenObjects(): { file: string; object: Record<string, unknown> }[] {
  const dir = join(ROOT, 'test', 'golden');
  const out: { file: string; object: Record<string, unknown> }[] = [];
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (!f.endsWith('.yaml')) continue;
    for (const doc of loadAll(readFileSync(join(dir, f), 'utf8'), undefined, { schema: CORE_SCHEMA }))
      if (doc && typeof doc === 'object') out.push({ file: f, object: doc as Record<string, unknown> });
  }
  return out;
}

describe('the type check', () => {
  it('passes every object anymesh compiles (they pass the CRDs too: test/golden.test.ts)', () => {
    const objects = goldenObjects();
    let checked = 0;
    for (const { file, object } of objects) {
      const shape = nativeShapeOf(String(object.apiVersion), String(object.kind));
      if (!shape) continue;
      checked++;
      expect(checkShape(object, shape), `${file} ${object.kind}`).toEqual({
        mismatches: [],
        droppedNulls: [],
        unknownFields: [],
      });
    }
    expect(checked).toBeGreaterThan(300);
  });

  const shape: ObjectShape = {
    from: 'Thing test/v1 CRD',
    spec: {
      object: {
        hosts: { list: 'string' },
        port: 'int-or-string',
        weight: 'integer',
        ratio: 'number?',
        enabled: 'boolean',
        labels: { map: 'string' },
        free: 'any',
        loose: { anyObject: true },
        nested: { object: { timeout: 'string' } },
      },
    },
  };
  const run = (spec: unknown, metadata: unknown = { name: 'n' }) =>
    checkShape({ apiVersion: 'test/v1', kind: 'Thing', metadata, spec }, shape);
  const check = (spec: unknown, metadata?: unknown) =>
    run(spec, metadata).mismatches.map((m) => `${m.path.join('.')}: ${m.got} / ${m.want}`);

  it('accepts the types the schema gives; fields it does not list are no type error, but are found', () => {
    const spec = {
      hosts: ['a', 'b'],
      port: 'http',
      weight: 50,
      ratio: 0.5,
      enabled: false,
      labels: { a: 'b' },
      free: [{ x: 1 }],
      loose: { y: [2] },
      nested: { timeout: '1s', later: 3 },
      unknown: [1, 2],
    };
    // Unknown fields of the spec and its objects, not of maps, open objects, `any` or metadata.
    expect(run(spec, { name: 'n', uid: 'u', ownerReferences: [] })).toEqual({
      mismatches: [],
      droppedNulls: [],
      unknownFields: [
        ['spec', 'nested', 'later'],
        ['spec', 'unknown'],
      ],
    });
    expect(check(spec)).toEqual([]);
    expect(check({ port: 8080 })).toEqual([]);
  });

  it('drops the null fields the schema does not allow, as the API server does; a null list item is an error', () => {
    expect(run({ port: 8080, hosts: null, nested: null, weight: null, ratio: null, free: null })).toEqual({
      mismatches: [],
      // ratio is nullable and free has no type: the API server keeps those nulls.
      droppedNulls: [
        ['spec', 'hosts'],
        ['spec', 'nested'],
        ['spec', 'weight'],
      ],
      unknownFields: [],
    });
    expect(run({ labels: { a: null }, hosts: ['a', null] })).toEqual({
      mismatches: [{ path: ['spec', 'hosts', 1], got: 'null', want: 'a string' }],
      droppedNulls: [['spec', 'labels', 'a']],
      unknownFields: [],
    });
    expect(run(null).droppedNulls).toEqual([['spec']]);
  });

  it('names each wrong type with what is there and what the schema has', () => {
    expect(
      check(
        {
          hosts: 'a',
          port: 1.5,
          weight: '50',
          ratio: Number.POSITIVE_INFINITY,
          enabled: 'yes',
          labels: { a: 1 },
          loose: [1],
          nested: { timeout: 15 },
        },
        { name: 'n', annotations: ['x'] },
      ),
    ).toEqual([
      'metadata.annotations: a list / a mapping of names to strings',
      'spec.hosts: the string "a" / a list',
      'spec.port: the number 1.5 / an integer or a string',
      'spec.weight: the string "50" / an integer',
      'spec.ratio: the number Infinity / a number',
      'spec.enabled: the string "yes" / true or false',
      'spec.labels.a: the integer 1 / a string',
      'spec.loose: a list / a mapping',
      'spec.nested.timeout: the integer 15 / a string',
    ]);
    // One error per wrong subtree: the list items of a wrong list are not looked into.
    expect(check({ hosts: [1, ['x']] })).toEqual([
      'spec.hosts.0: the integer 1 / a string',
      'spec.hosts.1: a list / a string',
    ]);
    expect(check('x')).toEqual(['spec: the string "x" / a mapping']);
  });
});
