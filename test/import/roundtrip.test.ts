/**
 * Round trip for every golden case and every mesh that imports (Istio on both data planes):
 * import(compile(policy)) equals the policy modulo defaults (and modulo what the mesh's output
 * cannot carry), and compiling the imported policies gives the same objects, byte for byte. Cases
 * a mesh refuses (or leaves out whole) have no output to import; the list says how many cases
 * each mesh round-trips, and a test demands that it is not empty.
 */
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import { type MeshAdapter, sourcesOf } from '../../src/core/adapter.js';
import { columnOf } from '../../src/core/columns.js';
import type { CompileOptions } from '../../src/core/compiler/compile.js';
import type { FieldPath } from '../../src/core/loader/positions.js';
import { compileFiles, compileLoaded, loadPolicies } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { goldenCases } from '../support/cases.js';
import {
  deletePath,
  importTargets,
  importText,
  lossyPaths,
  normalPolicy,
  uncarriedPaths,
  usesProtocolFields,
  withCallerNamespaces,
  withoutRetried,
} from './support.js';

const targets = importTargets(MESHES);

function compiledCases(mesh: MeshAdapter, options: CompileOptions) {
  return goldenCases().flatMap((c) => {
    const r = compileFiles([c.file], mesh, options);
    // A case the mesh refuses, or whose every policy it leaves out (onUnsupported: warn), has no
    // output to import.
    return r.ok && r.resources.length ? [{ ...c, result: r }] : [];
  });
}

/**
 * Cases with a BackendPolicy, for importers that do not read its native fields back (a case whose
 * BackendPolicy the mesh refuses and left out, e.g. rate limits on Istio): for those the round trip is
 * not claimed, and what is asserted instead is that every such field is reported, none dropped
 * silently. An importer that does read them back (it returns a BackendPolicy) is held to the whole
 * round trip like every other case.
 */
const withBackend = (file: string) => loadPolicies([file]).policies.some((p) => p.kind === 'BackendPolicy');

/**
 * Cases with issue 16's protocol fields (spec.protocol, gRPC matches, redirects, rewrites), for
 * importers that do not read them back yet (a VirtualService tcp[] route, redirect or rewrite is
 * reported as having no neutral form; a gRPC path comes back as a path match, without the
 * protocol): the round trip is not claimed; asserted instead: every native field is imported or
 * reported, and what imports without a report compiles back to the same objects. An importer
 * that does read them back (its import uses protocol fields) is held to the whole round trip.
 */
const withProtocol = (file: string) => loadPolicies([file]).policies.some(usesProtocolFields);

describe.each(targets.map((t) => [t.name, t] as const))('round trip %s', (_, target) => {
  const { mesh } = target;
  const options: CompileOptions = { context: { options: target.options } };
  const capabilities = columnOf(mesh, target.options);
  const all = compiledCases(mesh, options);
  const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import.bind(mesh) };
  const importOf = (result: (typeof all)[number]['result']) => {
    const native = renderYaml(result.resources);
    return { native, imported: importText(native, source) };
  };
  const readsBackend = (c: (typeof all)[number]) =>
    importOf(c.result).imported.loaded.policies.some((p) => p.kind === 'BackendPolicy');
  // An importer that reads the protocol fields back (its import of the case says them) is held to
  // the whole round trip for that case.
  const readsProtocol = (c: (typeof all)[number]) =>
    loadPolicies([c.file]).policies.filter(usesProtocolFields).length ===
      importOf(c.result).imported.loaded.policies.filter(usesProtocolFields).length &&
    importOf(c.result).imported.loaded.policies.some(usesProtocolFields);
  const protocol = all.filter((c) => withProtocol(c.file) && !readsProtocol(c));
  const cases = all.filter(
    (c) => (!withProtocol(c.file) || readsProtocol(c)) && (!withBackend(c.file) || readsBackend(c)),
  );
  const backend = all.filter(
    (c) => (!withProtocol(c.file) || readsProtocol(c)) && withBackend(c.file) && !readsBackend(c),
  );
  it.each(protocol)('$name: protocol fields are imported or reported, none dropped', ({ result }) => {
    const { native, imported } = importOf(result);
    // Reported by the importer's own codes, or, for fields it does not know (a DestinationRule
    // holding only a TCP idle timeout), by the ledger's AM1015, one per field.
    const generic = imported.diagnostics.filter((d) => d.code === 'AM1015');
    expect(generic.length).toBe(imported.fields.unaccounted);
    if (imported.diagnostics.some((d) => d.level !== 'info')) return;
    const again = compileLoaded(imported.loaded, mesh, options);
    expect(renderYaml(again.resources)).toBe(native);
  });
  it('has cases to round-trip', () => expect(cases.length).toBeGreaterThan(3));
  it.each(backend)(
    '$name: BackendPolicy fields are reported, not imported, and none is dropped',
    ({ result }) => {
      const { imported } = importOf(result);
      // Every native field is imported or reported: by the importer's own codes, or, for fields it
      // does not know yet (session affinity's consistentHash), by the ledger's AM1015, one per
      // field; a case whose BackendPolicy the mesh left out has nothing of it in the output. No
      // BackendPolicy is invented.
      const generic = imported.diagnostics.filter((d) => d.code === 'AM1015');
      expect(generic.length).toBe(imported.fields.unaccounted);
      expect(imported.loaded.policies.filter((p) => p.kind === 'BackendPolicy')).toEqual([]);
    },
  );
  // What the mesh expresses only in part (the compile warned AM3003) may come back with the
  // importer's "meaning changes" warning on it (the native form says less than the policy did,
  // e.g. Linkerd's failure accrual has no interval); nothing else may be reported.
  const changedCode = mesh.messages.ImportMeaningChanges?.code;
  const partly = (result: (typeof all)[number]['result']) =>
    result.diagnostics.some((d) => d.code === 'AM3003');
  it.each(cases)('$name', ({ file, result }) => {
    const { native, imported } = importOf(result);
    expect(
      imported.diagnostics.filter((d) => d.level !== 'info' && !(partly(result) && d.code === changedCode)),
    ).toEqual([]);
    expect(imported.fields.unaccounted).toBe(0);
    expect(imported.skipped.map((x) => x.ref).filter((ref) => !target.listed(ref))).toEqual([]);
    // compile(import(x)) == x
    const again = compileLoaded(imported.loaded, mesh, options);
    expect(again.ok, again.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(renderYaml(again.resources)).toBe(native);
    // import(compile(p)) == p, modulo defaults, modulo what the mesh does not express fully (its
    // capability cell is partial or none) and modulo what its output does not carry. A policy the
    // compile left out whole has no objects to come back from.
    const loaded = loadPolicies([file]);
    const made = new Set(result.resources.flatMap(sourcesOf));
    const byRef = new Map(imported.loaded.policies.map((p) => [p.ref, p]));
    // Objects written into the user's own (a Service holding only a mesh's annotations or label)
    // carry no source annotation: a policy imported back from them must still be one of the case's.
    const kept = loaded.policies.filter(
      (p) => p.kind !== 'MeshInstallation' && (made.has(p.ref) || byRef.has(p.ref)),
    );
    expect([...byRef.keys()].sort()).toEqual(kept.map((p) => p.ref).sort());
    for (const doc of kept) {
      const expected = withCallerNamespaces(structuredClone(doc.policy) as never);
      const back = withCallerNamespaces(structuredClone(byRef.get(doc.ref)!.policy) as never);
      // Callers are a set (a mesh may write them in another order): put both sides in one order
      // before deleting what the output cannot carry, with the paths into the original renumbered.
      const at = callersInOneOrder(expected, back);
      for (const path of uncarriedPaths(loaded, doc, mesh, native, options)) {
        deletePath(expected, at(path));
        deletePath(back, at(path));
      }
      for (const { path, dropped } of lossyPaths(doc, capabilities)) {
        deletePath(expected, at(path));
        if (!dropped) deletePath(back, at(path));
      }
      for (const p of [expected, back]) withoutRetried(p, target.alwaysRetried);
      expect(normalPolicy(back), doc.ref).toEqual(normalPolicy(expected));
    }
  });
});

/**
 * Sorts `spec.from` of both policies (whole entries, as JSON) and returns the map from a path into
 * the original policy to the same field after the sort.
 */
function callersInOneOrder(expected: Record<string, unknown>, back: Record<string, unknown>) {
  const key = (v: unknown) => JSON.stringify(v);
  const from = (p: Record<string, unknown>) => (p.spec as { from?: unknown[] }).from;
  const original = from(expected);
  if (!original) return (path: FieldPath) => path;
  const order = original.map((v, i) => ({ v, i })).sort((a, b) => key(a.v).localeCompare(key(b.v)));
  const moved = new Map(order.map(({ i }, j) => [i, j]));
  (expected.spec as { from: unknown[] }).from = order.map(({ v }) => v);
  const other = from(back);
  if (other)
    (back.spec as { from: unknown[] }).from = [...other].sort((a, b) => key(a).localeCompare(key(b)));
  return (path: FieldPath): FieldPath =>
    path[0] === 'spec' && path[1] === 'from' && typeof path[2] === 'number'
      ? ['spec', 'from', moved.get(path[2]) ?? path[2], ...path.slice(3)]
      : path;
}
