/**
 * Round trip for every golden case and every mesh that imports: import(compile(policy)) equals the
 * policy modulo defaults, and compiling the imported policies gives the same objects, byte for
 * byte. Cases a mesh refuses have no output to import; the list says how many cases each mesh
 * round-trips, and a test demands that it is not empty.
 */
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import { type MeshAdapter, SOURCE_ANNOTATION } from '../../src/core/adapter.js';
import { compileFiles, compileLoaded, loadPolicies } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { goldenCases } from '../support/cases.js';
import { deletePath, importText, lossyPaths, normalPolicy } from './support.js';

const importers = MESHES.filter((m): m is MeshAdapter & Required<Pick<MeshAdapter, 'import'>> => !!m.import);

function compiledCases(mesh: MeshAdapter) {
  return goldenCases().flatMap((c) => {
    const r = compileFiles([c.file], mesh);
    return r.ok ? [{ ...c, result: r }] : [];
  });
}

/**
 * Cases with a BackendPolicy: an importer that does not read its native fields back (DestinationRule
 * trafficPolicy and the like; issue 16's import part) is not claimed to round-trip them, and what is
 * asserted instead is that every such field is reported, none dropped silently. Where the importer
 * does give BackendPolicies back (Linkerd's rate limits), the full round trip is claimed.
 */
const withBackend = (file: string) => loadPolicies([file]).policies.some((p) => p.kind === 'BackendPolicy');

function importsBackend(mesh: MeshAdapter & Required<Pick<MeshAdapter, 'import'>>, native: string): boolean {
  const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import.bind(mesh) };
  return importText(native, source).loaded.policies.some((p) => p.kind === 'BackendPolicy');
}

describe.each(importers.map((m) => [m.id, m] as const))('round trip %s', (_, mesh) => {
  const all = compiledCases(mesh);
  const reportsBackend = (c: (typeof all)[number]) =>
    withBackend(c.file) && !importsBackend(mesh, renderYaml(c.result.resources));
  const cases = all.filter((c) => !reportsBackend(c));
  const backend = all.filter(reportsBackend);
  it('has cases to round-trip', () => expect(cases.length).toBeGreaterThan(3));
  it.each(backend)(
    '$name: BackendPolicy fields are reported, not imported, and none is dropped',
    ({ result }) => {
      const native = renderYaml(result.resources);
      const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import.bind(mesh) };
      const imported = importText(native, source);
      // Every native field is imported or reported: by the importer's own codes, or, for fields it
      // does not know yet (session affinity's consistentHash), by the ledger's AM1015, one per
      // field; a case whose BackendPolicy the mesh left out has nothing of it in the output. No
      // BackendPolicy is invented.
      const generic = imported.diagnostics.filter((d) => d.code === 'AM1015');
      expect(generic.length).toBe(imported.fields.unaccounted);
      expect(imported.loaded.policies.filter((p) => p.kind === 'BackendPolicy')).toEqual([]);
    },
  );
  it.each(cases)('$name', ({ file, result }) => {
    const native = renderYaml(result.resources);
    const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import.bind(mesh) };
    const imported = importText(native, source);
    expect(imported.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(imported.fields.unaccounted).toBe(0);
    expect(imported.skipped).toEqual([]);
    // compile(import(x)) == x
    const again = compileLoaded(imported.loaded, mesh);
    expect(again.ok, again.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(renderYaml(again.resources)).toBe(native);
    // import(compile(p)) == p, modulo defaults. A policy the output does not carry (Linkerd emits
    // nothing for a permissive MTLSPolicy, its default) cannot come back, nor a rule name that
    // appears nowhere in the output (Linkerd's HTTPRoute rules carry no names).
    const made = new Set(
      result.resources.flatMap((o) => (o.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',')),
    );
    const carried = (p: Record<string, unknown>) => {
      const copy = structuredClone(p) as { spec: { rules?: { name?: string }[] } };
      for (const rule of copy.spec.rules ?? [])
        if (rule.name !== undefined && !native.includes(rule.name)) delete rule.name;
      return copy as never;
    };
    // What the mesh cannot express at all (a `none` cell the policy let the compile leave out,
    // e.g. Linkerd's rate limit burst) is not in the output either.
    const original = loadPolicies([file])
      .policies.filter((p) => p.kind !== 'MeshInstallation' && made.has(p.ref))
      .map((p) => {
        const expected = structuredClone(p.policy);
        for (const { path, dropped } of lossyPaths(p, mesh)) if (dropped) deletePath(expected, path);
        return normalPolicy(carried(expected as never));
      });
    const back = imported.loaded.policies.map((p) => normalPolicy(carried(p.policy as never)));
    expect(sortByRef(back)).toEqual(sortByRef(original));
  });
});

function sortByRef(ps: Record<string, unknown>[]) {
  const ref = (p: Record<string, unknown>) =>
    `${p.kind}/${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`;
  return [...ps].sort((a, b) => ref(a).localeCompare(ref(b)));
}
