// The Helm chart stays derived from the code: its per-mesh RBAC rules are what controllerRules
// derives from each adapter's output (every resource named exists as a plural in the official
// CRDs, or is a core kind), and its crds/ file is exactly `anymesh crds`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../../src/adapters/index.js';
import { policyCrds } from '../../../src/controller/crds.js';
import { controllerRules } from '../../../src/controller/rbac.js';
import { renderYaml } from '../../../src/core/render.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHART = join(ROOT, 'deploy', 'chart', 'anymesh');
const CRDS = process.env.ANYMESH_CRDS ?? join(ROOT, '..', 'shared', 'crds');

function* yamlFiles(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* yamlFiles(p);
    else if (/\.ya?ml$/.test(n)) yield p;
  }
}

describe('deploy/chart/anymesh', () => {
  const values = load(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as {
    meshRules: Record<string, unknown>;
  };

  it('has, per mesh, exactly the RBAC rules derived from what the adapter produces', () => {
    expect(Object.keys(values.meshRules).sort()).toEqual(MESHES.map((m) => m.id).sort());
    for (const m of MESHES) expect(values.meshRules[m.id], m.id).toEqual(controllerRules(m));
  });

  it('names only resources the official CRDs (or the core API) define', () => {
    const plurals = new Set<string>();
    for (const f of yamlFiles(CRDS)) {
      const m = readFileSync(f, 'utf8').matchAll(/^\s+plural: (\S+)$/gm);
      for (const x of m) plurals.add(x[1]!);
    }
    const core = new Set(['secrets', 'namespaces', 'events', 'leases', 'services', 'configmaps']);
    for (const m of MESHES)
      for (const r of controllerRules(m))
        for (const res of r.resources) {
          const base = res.split('/')[0]!;
          if (r.apiGroups[0] === 'anymesh.dev' || core.has(base)) continue;
          expect(plurals.has(base), `${m.id}: ${res}`).toBe(true);
        }
  });

  it('ships the CRDs exactly as `anymesh crds` prints them', () => {
    expect(readFileSync(join(CHART, 'crds', 'policies.yaml'), 'utf8')).toBe(
      renderYaml(policyCrds() as never),
    );
  });
});
