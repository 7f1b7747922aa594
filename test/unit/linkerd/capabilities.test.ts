/**
 * The Linkerd column says what the adapter does, both ways: every `none` cell is refused with AM3001
 * at the field that uses it (and left out with --allow-degraded), and every other cell compiles to
 * schema-valid output. Access and strict-mTLS fixtures get the ports Linkerd needs (to[].ports,
 * linkerd.serverPorts), which the adapter otherwise asks for with AM4206 / AM4207.
 */
import { describe, expect, it } from 'vitest';
import { linkerdAdapter } from '../../../src/adapters/linkerd/index.js';
import { assertCompleteColumn, compareVersions } from '../../../src/core/capabilities.js';
import { FEATURE_IDS } from '../../../src/core/features/index.js';
import { FEATURE_FIXTURES } from '../../support/feature-fixtures.js';
import { compileFor, schemaProblems } from '../../support/kit.js';

const column = linkerdAdapter.capabilities;
const refused = FEATURE_IDS.filter((f) => column[f].support === 'none');
const expressed = FEATURE_IDS.filter((f) => column[f].support !== 'none');
const options = { context: { options: { 'linkerd.serverPorts': '8080' } } };

/** The fixture, with ports on every AccessPolicy operation (a Linkerd Server needs a port). */
function withPorts(text: string): string {
  if (!text.includes('kind: AccessPolicy') || text.includes('ports:')) return text;
  return text.includes('to: [{')
    ? text.replace('to: [{', 'to: [{ports: [8080], ')
    : `${text}  to: [{ports: [8080]}]\n`;
}

describe('Linkerd capability column', () => {
  it('has a cell for every feature, documented', () => {
    expect(() => assertCompleteColumn('linkerd', column)).not.toThrow();
    for (const f of FEATURE_IDS) {
      const c = column[f];
      expect(c.docs, f).toMatch(/^https:\/\//);
      if (c.support === 'none') expect(c.workaround?.length ?? 0, f).toBeGreaterThan(10);
      else expect(c.minVersion, f).toMatch(/^2\.\d+$/);
      if (c.support === 'partial' || c.support === 'emulated')
        expect(c.differs?.length ?? 0, f).toBeGreaterThan(20);
    }
  });

  it('names versions: minimum 2.16 (annotations), no cell above the tested 2.20', () => {
    expect(linkerdAdapter.versions).toEqual({ minimum: '2.16', tested: 'edge-26.8.3 / 2.20' });
    for (const f of expressed)
      expect(compareVersions(column[f].minVersion!, '2.20'), f).toBeLessThanOrEqual(0);
    expect(column['timeout.request'].minVersion).toBe('2.16');
    expect(column['backends.weighted'].minVersion).toBe('2.14');
  });

  it('keeps its diagnostics in AM4200-AM4299 with unique codes', () => {
    const all = Object.values(linkerdAdapter.messages).map((m) => m.code);
    expect(new Set(all).size).toBe(all.length);
    for (const c of all) expect(c).toMatch(/^AM42\d\d$/);
  });

  it.each(refused)('refuses %s with AM3001 at the field that uses it', (f) => {
    const r = compileFor(linkerdAdapter, FEATURE_FIXTURES[f], options);
    const d = r.diagnostics.find((x) => x.code === 'AM3001' && x.feature === f);
    expect(d, f).toBeDefined();
    expect(d!.location?.line).toBeGreaterThan(0);
    expect(d!.message).toContain(column[f].reason);
    expect(r.ok).toBe(false);
    expect(r.resources).toEqual([]);
  });

  it.each(refused)('leaves %s out with --allow-degraded, with AM3002', (f) => {
    const r = compileFor(linkerdAdapter, FEATURE_FIXTURES[f], { ...options, allowDegraded: true });
    expect(
      r.diagnostics.find((x) => x.code === 'AM3002' && x.feature === f),
      f,
    ).toBeDefined();
    expect(r.diagnostics.filter((x) => x.code === 'AM3001')).toEqual([]);
  });

  it.each(expressed)('compiles %s to schema-valid output', (f) => {
    const r = compileFor(linkerdAdapter, withPorts(FEATURE_FIXTURES[f]), options);
    expect(
      r.diagnostics.filter((d) => d.level === 'error'),
      f,
    ).toEqual([]);
    expect(r.ok).toBe(true);
    // permissive is Linkerd's default: nothing to write.
    if (f !== 'mtls.permissive') expect(r.resources.length, f).toBeGreaterThan(0);
    for (const o of r.resources) expect(schemaProblems(o), `${f}: ${o.kind}/${o.metadata.name}`).toEqual([]);
    const level = column[f].support;
    const warned = r.diagnostics.some((d) => d.feature === f && (d.code === 'AM3003' || d.code === 'AM3004'));
    expect(warned, `${f} is ${level}`).toBe(level === 'partial' || level === 'emulated');
  });
});
