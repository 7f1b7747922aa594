/** `anymesh explain`: the field's description and default from the schema, per-mesh support from the matrix. */

import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { selectFeatures } from '../../../src/core/features/index.js';
import { explainField, featuresForField } from '../../../src/core/model/explain.js';
import { runCli } from '../../support/cli.js';

const cli = (args: string[]) => runCli(args);

/** The SUPPORT block -> feature -> mesh -> cell text. */
function supportBlock(text: string): { meshes: string[]; rows: Map<string, string[]> } {
  const lines = text.split('\n');
  const start = lines.indexOf('SUPPORT:');
  expect(start).toBeGreaterThan(0);
  const head = lines[start + 1]!.trim().split(/\s{2,}/);
  expect(head[0]).toBe('feature');
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (!line.trim()) break;
    const parts = line.trim().split(/\s{2,}/);
    rows.set(parts[0]!, parts.slice(1));
  }
  return { meshes: head.slice(1), rows };
}

describe('anymesh explain', () => {
  it('TrafficPolicy.spec.rules.retries: description, default, fields and per-mesh support of every retries feature', async () => {
    const r = await cli(['explain', 'TrafficPolicy.spec.rules.retries']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('FIELD:    spec.rules.retries <object>');
    expect(r.out).toMatch(/DESCRIPTION:\n {4}Retry failed requests\. Default: /);
    expect(r.out).toMatch(/attempts\t<integer> -required-/);
    const s = supportBlock(r.out);
    const meshes = Object.values(ADAPTERS);
    expect(s.meshes).toEqual(meshes.map((a) => a.id));
    expect([...s.rows.keys()]).toEqual(selectFeatures('retries'));
    for (const [f, cells] of s.rows) {
      meshes.forEach((a, i) => {
        const c = a.capabilities[f as 'retries.attempts'];
        expect(cells[i], `${f} on ${a.id}`).toBe(
          `${c.support}${c.minVersion && c.support !== 'none' ? ` ${c.minVersion}+` : ''}`,
        );
      });
    }
  });

  it('says what differs for every partial or emulated cell', async () => {
    const r = await cli(['explain', 'TrafficPolicy.spec.rules.matches']);
    expect(r.code).toBe(0);
    for (const a of Object.values(ADAPTERS))
      for (const f of selectFeatures('match')) {
        const c = a.capabilities[f];
        if (c.support === 'partial' || c.support === 'emulated')
          expect(r.out).toContain(`${a.id} ${f} (${c.support}): ${c.differs ?? c.reason}`);
      }
  });

  it('maps fields to feature ids, longest prefix first', () => {
    expect(featuresForField('TrafficPolicy', ['spec', 'rules', 'fault', 'delay'])).toEqual(['fault.delay']);
    expect(featuresForField('TrafficPolicy', ['spec', 'rules', 'retries', 'backoff'])).toEqual([
      'retries.backoff',
      'retries.backoff.max',
    ]);
    expect(featuresForField('MTLSPolicy', ['spec', 'mode'])).toEqual(selectFeatures('mtls'));
    expect(featuresForField('MeshInstallation', ['spec'])).toEqual([]);
  });

  it('without adapters there is no SUPPORT block', () => {
    const r = explainField('TrafficPolicy.spec.rules.timeout', []);
    expect('text' in r && r.text).not.toContain('SUPPORT:');
  });

  it.each([['Nope.spec'], ['TrafficPolicy.spec.nope']])('%s: exit 2 with a hint', async (path) => {
    const r = await cli(['explain', path]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: /);
  });
});
