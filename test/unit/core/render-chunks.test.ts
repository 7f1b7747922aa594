/**
 * The command line writes its output in pieces as they are made (renderChunks): the pieces must
 * join into exactly what render makes whole, for YAML and for the JSON List, on real compiled
 * output large enough to need several pieces, and on nothing at all.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { policies } from '../../../bench/generate.js';
import type { KubeObject } from '../../../src/core/adapter.js';
import { render, renderChunks } from '../../../src/core/render.js';
import { compileFor } from '../../support/kit.js';

describe('output in pieces', () => {
  // ~2,000 App Mesh objects: a few MB of YAML, several pieces.
  const resources = compileFor('appmesh', [...policies(400)].join('---\n'), {
    allowDegraded: true,
  }).resources;

  for (const format of ['yaml', 'json'] as const) {
    it(`joins into render's ${format}, byte for byte`, () => {
      const pieces = [...renderChunks(resources, format)];
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.join('')).toBe(render(resources, format));
      // Whole documents per piece (a piece ends where a document ends).
      if (format === 'yaml') for (const p of pieces) expect(p.startsWith('---\n')).toBe(true);
    });

    it(`is render's ${format} for one object and for none`, () => {
      for (const rs of [[], resources.slice(0, 1)] as KubeObject[][])
        expect([...renderChunks(rs, format)].join('')).toBe(render(rs, format));
    });
  }

  it('writes in the JSON List what JSON writes, strings with line breaks and quotes included', () => {
    const odd = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a\nb', annotations: { 'x"y': '  two\n  lines\t' } },
        data: { empty: '', list: [], nested: [{ a: [1, 2, { b: null }] }], none: undefined },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    ] as unknown as KubeObject[];
    expect([...renderChunks(odd, 'json')].join('')).toBe(render(odd, 'json'));
  });
});
