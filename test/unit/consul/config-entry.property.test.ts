/**
 * Random valid policies, rendered as Consul config entries: every entry has a known Kind and a Name,
 * every field name Consul reads is PascalCase (only user map keys keep their spelling), the HCL
 * rendering has one chunk per entry, and the JSON rendering is deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configEntries } from '../../../src/adapters/consul/config-entry.js';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import type { CompileContext } from '../../../src/core/adapter.js';
import { policyFile } from '../../property/arbitraries.js';
import { compileFor } from '../../support/kit.js';

const KINDS = [
  'mesh',
  'proxy-defaults',
  'service-defaults',
  'service-resolver',
  'service-splitter',
  'service-router',
  'service-intentions',
];
const USER_MAPS = new Set(['Subsets', 'Add', 'Set', 'Meta']);

/** Field names outside user maps, with their path. */
function fieldNames(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldNames(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = [`${path}.${k}`];
    if (USER_MAPS.has(k) && v && typeof v === 'object')
      return [
        ...here,
        ...Object.entries(v as object).flatMap(([mk, mv]) => fieldNames(mv, `${path}.${k}.${mk}`)),
      ];
    return [...here, ...fieldNames(v, `${path}.${k}`)];
  });
}

const ctx: CompileContext = {
  clusterDomain: 'cluster.local',
  trustDomain: 'cluster.local',
  options: { 'consul.format': 'config-entry' },
};

describe('random policies as Consul config entries', () => {
  it('have known kinds, names and PascalCase field names; HCL has one chunk per entry; JSON is stable', () => {
    let compiled = 0;
    fc.assert(
      fc.property(policyFile({ portable: true }), (text) => {
        const r = compileFor(consulAdapter, text, { allowDegraded: true });
        if (!r.ok) return;
        compiled++;
        const entries = configEntries(r.resources, false);
        expect(entries.length).toBe(r.resources.length);
        for (const e of entries) {
          expect(KINDS).toContain(e.Kind);
          expect(typeof e.Name).toBe('string');
          for (const f of fieldNames(e).filter((x) => !/\.(Subsets|Add|Set|Meta)\./.test(x)))
            expect(f.split('.').pop(), f).toMatch(/^[A-Z]/);
        }
        const json = consulAdapter.render(r.resources, ctx, 'json')!;
        expect(JSON.parse(json)).toEqual(entries);
        expect(consulAdapter.render(r.resources, ctx, 'json')).toBe(json);
        const hcl = consulAdapter.render(r.resources, ctx, 'yaml')!;
        expect(hcl.split(/^(?=# --- )/m).length).toBe(entries.length);
      }),
      { numRuns: 150 },
    );
    // Portable policies compile on Consul; a run where none did would have checked nothing.
    expect(compiled).toBeGreaterThan(100);
  });
});
