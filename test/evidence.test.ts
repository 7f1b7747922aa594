/**
 * Keeps the evidence level of every capability cell honest (core/evidence.ts): a cell claims
 * `behaviour` exactly when a behaviour tier (test/behaviour/<mesh>/coverage.ts) observes that feature
 * in a case it runs on that mesh, and `accepted` only when every golden output that carries the
 * feature is stored by the real component the mesh names (the integration tier's server-side
 * dry-run or agent write of every golden case).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, MESHES } from '../src/adapters/index.js';
import type { MeshEvidence } from '../src/core/evidence.js';
import { cellEvidence } from '../src/core/evidence.js';
import { FEATURE_IDS } from '../src/core/features/index.js';
import { matrixJson } from '../src/core/matrix-report.js';
import { coverage as consulCoverage } from './behaviour/consul/coverage.js';
import { ambientCoverage as istioAmbientCoverage } from './behaviour/istio/ambient-coverage.js';
import { coverage as istioCoverage } from './behaviour/istio/coverage.js';
import { type BehaviourCoverage, exercised, featuresInGoldenOutput } from './support/evidence.js';

const BEHAVIOUR = join(import.meta.dirname, 'behaviour');

/** Every behaviour tier's declaration; a tier folder without one fails below. */
const TIERS: readonly BehaviourCoverage[] = [consulCoverage, istioCoverage, istioAmbientCoverage];

describe('evidence levels', () => {
  it('every behaviour tier folder declares its coverage, for a known mesh', () => {
    const folders = readdirSync(BEHAVIOUR).filter((n) => statSync(join(BEHAVIOUR, n)).isDirectory());
    expect(folders.sort()).toEqual([...new Set(TIERS.map((t) => t.mesh))].sort());
    for (const t of TIERS) expect(ADAPTERS[t.mesh], t.mesh).toBeDefined();
  });

  it.each(MESHES.map((m) => [m.id, m] as const))(
    '%s claims behaviour for exactly the features its behaviour tier observes',
    (id, m) => {
      const tier = TIERS.find((t) => t.mesh === id && t.column === undefined);
      const claimed = [...(m.evidence.behaviour?.features ?? [])].sort();
      expect(claimed).toEqual(tier ? exercised(tier) : []);
      // A tier that observes nothing is no evidence: the descriptor then names no judge either.
      expect(m.evidence.behaviour === undefined).toBe(claimed.length === 0);
      for (const f of claimed) expect(m.capabilities[f].support, `${id} ${f}`).not.toBe('none');
    },
  );

  const otherColumns = MESHES.flatMap((m) => (m.columns ?? []).slice(1).map((c) => [c.id, m, c] as const));
  it.each(otherColumns)(
    'column %s claims behaviour for exactly the features its tier observes',
    (id, m, c) => {
      const tier = TIERS.find((t) => t.mesh === m.id && t.column === id);
      const claimed = [...(c.evidence?.behaviour?.features ?? [])].sort();
      expect(claimed).toEqual(tier ? exercised(tier) : []);
      expect(c.evidence?.behaviour === undefined).toBe(claimed.length === 0);
      const cells = m.capabilitiesFor?.({
        clusterDomain: 'cluster.local',
        trustDomain: 'cluster.local',
        options: c.options,
      });
      for (const f of claimed) expect(cells?.[f].support, `${id} ${f}`).not.toBe('none');
    },
  );

  it('every tier of another column names a column of its mesh', () => {
    for (const t of TIERS.filter((x) => x.column !== undefined))
      expect(
        otherColumns.map(([id]) => id),
        t.column,
      ).toContain(t.column);
  });

  it.each(MESHES.filter((m) => m.evidence.accepted).map((m) => [m.id, m] as const))(
    '%s: every supported feature reaches a golden output the accepting component stores',
    (id, m) => {
      const stored = featuresInGoldenOutput(m);
      const missing = FEATURE_IDS.filter((f) => m.capabilities[f].support !== 'none' && !stored.has(f));
      expect(missing, `${id} cells that could only claim schema`).toEqual([]);
    },
  );

  it('the level follows from the sources: behaviour over accepted over schema, none for none', () => {
    const cell = ADAPTERS[MESHES[0]!.id]!.capabilities['timeout.request'];
    const refused = { ...cell, support: 'none' as const };
    const schemaOnly: MeshEvidence = { schema: 's' };
    const acceptedToo: MeshEvidence = { schema: 's', accepted: 'a' };
    const judged: MeshEvidence = { ...acceptedToo, behaviour: { judge: 'j', features: ['timeout.request'] } };
    expect(cellEvidence(schemaOnly, 'timeout.request', cell)).toBe('schema');
    expect(cellEvidence(acceptedToo, 'timeout.request', cell)).toBe('accepted');
    expect(cellEvidence(judged, 'timeout.request', cell)).toBe('behaviour');
    expect(cellEvidence(judged, 'retries.attempts', cell)).toBe('accepted');
    expect(cellEvidence(judged, 'timeout.request', refused)).toBeUndefined();
  });

  it('the check can fail: a tier observing one more feature disagrees with the descriptor', () => {
    const one = { ...consulCoverage, observes: [...consulCoverage.observes, 'match.port' as const] };
    const fewer = { ...consulCoverage, observes: consulCoverage.observes.slice(1) };
    const claimed = [...(ADAPTERS[consulCoverage.mesh]!.evidence.behaviour?.features ?? [])].sort();
    // match.port is in a case the tier runs (consul-l7-routing) but not observed: adding it changes the set.
    expect(exercised(one)).not.toEqual(claimed);
    expect(exercised(fewer)).not.toEqual(claimed);
  });

  it('capabilities -o json carries the level on every cell that compiles, and each mesh its sources', () => {
    const m = matrixJson({ meshes: MESHES });
    for (const x of m.meshes) {
      expect(x.evidence.schema.length).toBeGreaterThan(10);
      for (const f of FEATURE_IDS) {
        const c = m.matrix[x.id]![f]!;
        if (c.support === 'none') expect(c.evidence).toBeUndefined();
        else expect(['behaviour', 'accepted', 'schema'], `${x.id} ${f}`).toContain(c.evidence);
      }
    }
  });
});
