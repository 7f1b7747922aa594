/**
 * Round trip for every golden case and every mesh that imports: import(compile(policy)) equals the
 * policy modulo defaults, and compiling the imported policies gives the same objects, byte for
 * byte. Cases a mesh refuses have no output to import; the list says how many cases each mesh
 * round-trips, and a test demands that it is not empty.
 */
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import type { MeshAdapter } from '../../src/core/adapter.js';
import type { TrafficPolicy } from '../../src/core/model/schema.js';
import { compileFiles, compileLoaded, loadPolicies } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { goldenCases } from '../support/cases.js';
import { importText, normalPolicy } from './support.js';

const importers = MESHES.filter((m): m is MeshAdapter & Required<Pick<MeshAdapter, 'import'>> => !!m.import);

function compiledCases(mesh: MeshAdapter) {
  return goldenCases().flatMap((c) => {
    const r = compileFiles([c.file], mesh);
    return r.ok ? [{ ...c, result: r }] : [];
  });
}

/**
 * Cases with a BackendPolicy: the importers do not read its native fields back yet (DestinationRule
 * trafficPolicy and the like; issue 16's import part), so for those the round trip is not claimed,
 * and what is asserted instead is that every such field is reported, none dropped silently.
 */
const withBackend = (file: string) => loadPolicies([file]).policies.some((p) => p.kind === 'BackendPolicy');

/**
 * Cases with issue 16's protocol fields (spec.protocol, gRPC matches, redirects, rewrites): the
 * importers do not read them back yet (a VirtualService tcp[] route, redirect or rewrite is reported
 * as having no neutral form; a gRPC path comes back as a path match, without the protocol), so the
 * round trip is not claimed; asserted instead: every native field is imported or reported, and
 * what imports without a report compiles back to the same objects.
 */
const withProtocol = (file: string) =>
  loadPolicies([file]).policies.some((p) => {
    if (p.kind !== 'TrafficPolicy') return false;
    const spec = (p.policy as TrafficPolicy).spec;
    return (
      spec.protocol !== undefined ||
      spec.rules.some((r) => r.redirect || r.rewrite || r.matches?.some((m) => m.grpc))
    );
  });

describe.each(importers.map((m) => [m.id, m] as const))('round trip %s', (_, mesh) => {
  const all = compiledCases(mesh);
  const cases = all.filter((c) => !withBackend(c.file) && !withProtocol(c.file));
  const backend = all.filter((c) => withBackend(c.file));
  const protocol = all.filter((c) => !withBackend(c.file) && withProtocol(c.file));
  it.each(protocol)('$name: protocol fields are imported or reported, none dropped', ({ result }) => {
    const native = renderYaml(result.resources);
    const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import.bind(mesh) };
    const imported = importText(native, source);
    // Reported by the importer's own codes, or, for fields it does not know (a DestinationRule
    // holding only a TCP idle timeout), by the ledger's AM1015, one per field.
    const generic = imported.diagnostics.filter((d) => d.code === 'AM1015');
    expect(generic.length).toBe(imported.fields.unaccounted);
    if (imported.diagnostics.some((d) => d.level !== 'info')) return;
    const again = compileLoaded(imported.loaded, mesh);
    expect(renderYaml(again.resources)).toBe(native);
  });
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
    // import(compile(p)) == p, modulo defaults
    const original = loadPolicies([file])
      .policies.filter((p) => p.kind !== 'MeshInstallation')
      .map((p) => normalPolicy(p.policy as never));
    const back = imported.loaded.policies.map((p) => normalPolicy(p.policy as never));
    expect(sortByRef(back)).toEqual(sortByRef(original));
  });
});

function sortByRef(ps: Record<string, unknown>[]) {
  const ref = (p: Record<string, unknown>) =>
    `${p.kind}/${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`;
  return [...ps].sort((a, b) => ref(a).localeCompare(ref(b)));
}
