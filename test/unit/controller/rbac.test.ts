/**
 * The controller's RBAC covers everything its mesh can write: every kind in every golden output of
 * every column of the mesh (Istio's ambient column included) is granted by controllerRules with
 * the verbs apply and prune need, and is declared in the descriptor's policyResources, which the
 * rules, discovery and uninstall all read. A new kind an adapter emits fails here until declared.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../../src/adapters/index.js';
import { controllerRules, resourceOf } from '../../../src/controller/rbac.js';
import { shownColumns } from '../../../src/core/columns.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { goldenCases } from '../../support/cases.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const WRITE = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** group/kind of every object the mesh's golden outputs hold, over all its columns. */
function goldenKinds(mesh: (typeof MESHES)[number]): Map<string, { group: string; kind: string }> {
  const out = new Map<string, { group: string; kind: string }>();
  for (const column of shownColumns(mesh)) {
    const options = { ...mesh.exampleOptions, ...column.options };
    for (const c of goldenCases()) {
      const r = compileFiles([join(ROOT, c.file)], mesh, { allowDegraded: true, context: { options } });
      for (const o of r.resources) {
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
        out.set(`${group}/${o.kind}`, { group, kind: o.kind });
      }
    }
  }
  return out;
}

describe.each(MESHES.map((m) => [m.id, m] as const))('controller RBAC for %s', (_id, mesh) => {
  const kinds = goldenKinds(mesh);
  const rules = controllerRules(mesh);

  it('has golden outputs to judge', () => {
    expect(kinds.size).toBeGreaterThan(2);
  });

  it.each([...kinds.keys()].sort())('grants apply and prune of %s', (key) => {
    const { group, kind } = kinds.get(key)!;
    const declared = mesh.install.policyResources.find((r) => r.group === group && r.kind === kind);
    expect(declared, `${mesh.id} writes ${key} but its policyResources do not declare it`).toBeDefined();
    const resource = declared?.plural ?? resourceOf(kind);
    const granted = rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource));
    expect(
      WRITE.filter((v) => !granted.some((r) => r.verbs.includes(v))),
      `${mesh.id}: verbs missing on ${group}/${resource}`,
    ).toEqual([]);
  });
});
