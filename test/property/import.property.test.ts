/**
 * Round trip as a property over random valid policies (test/property/arbitraries.ts): for every
 * mesh that imports, whatever it compiles imports back to the same policies (modulo defaults), and
 * compiling those gives the same objects, byte for byte, with nothing reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import { SOURCE_ANNOTATION } from '../../src/core/adapter.js';
import { formatDiagnostic } from '../../src/core/diagnostics.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { deletePath, deletePruned, importText, lossyPaths, normalPolicy } from '../import/support.js';
import { load } from '../support/kit.js';
import { policyFile } from './arbitraries.js';

const importers = MESHES.filter((m) => m.import !== undefined);

describe('import(compile(p)) over random valid policies', () => {
  it('some mesh imports', () => expect(importers.length).toBeGreaterThan(0));
  for (const mesh of importers) {
    it(`${mesh.id}: round trip, byte-identical recompile, nothing lost`, () => {
      const source = { id: mesh.id, displayName: mesh.displayName, import: mesh.import!.bind(mesh) };
      let compiled = 0;
      fc.assert(
        fc.property(policyFile(), (text) => {
          const loaded = load([{ name: 'random.yaml', text }]);
          const r = compileLoaded(loaded, mesh);
          if (!r.ok) return;
          compiled++;
          const native = renderYaml(r.resources);
          const back = importText(native, source);
          expect(back.diagnostics.filter((d) => d.level !== 'info').map(formatDiagnostic), native).toEqual(
            [],
          );
          expect(back.fields.imported).toBe(back.fields.total);
          const again = compileLoaded(back.loaded, mesh);
          expect(renderYaml(again.resources), `${text}\n---\n${back.yaml}`).toBe(native);
          // Equal modulo defaults and modulo what the mesh does not express fully (deleted from both).
          const byRef = new Map(back.loaded.policies.map((p) => [p.ref, p]));
          // A policy the compile left out whole (reported) has no objects to come back from.
          const made = new Set(
            r.resources.flatMap((o) => (o.metadata.annotations?.[SOURCE_ANNOTATION] ?? '').split(',')),
          );
          const kept = loaded.policies.filter((p) => made.has(p.ref));
          expect([...byRef.keys()].sort()).toEqual(kept.map((p) => p.ref).sort());
          for (const original of kept) {
            const imported = structuredClone(byRef.get(original.ref)!.policy);
            const expected = structuredClone(original.policy);
            // Several features can share a drop path (a source's serviceAccount and labels both
            // drop the entry): each path once, deepest and last first so indexes stay valid.
            const lossy = lossyPaths(original, mesh).filter(
              (l, i, all) => all.findIndex((x) => JSON.stringify(x) === JSON.stringify(l)) === i,
            );
            const gone = new Set(lossy.filter((l) => l.dropped).map((l) => JSON.stringify(l.path)));
            for (const { path, dropped } of lossy) {
              if (dropped) deletePruned(expected, path);
              else {
                // A list entry that may come back changed (a retry condition Linkerd rewrites) can
                // also shift the entries after it: the whole list is compared no further.
                const at = typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
                deletePath(expected, at);
                deletePath(imported, at);
              }
            }
            leftOutWhole(expected as never, original.policy as never, gone);
            // A selector the mesh's output does not carry (it compiles the same without) cannot come back.
            if (original.kind === 'TrafficPolicy' && carriesNothing(text, original.ref, mesh, native)) {
              delete (expected.spec as { selector?: unknown }).selector;
              delete (imported.spec as { selector?: unknown }).selector;
            }
            // Versions no rule routes or mirrors to route nothing; a mesh that writes versions per
            // route (Linkerd's leaf Services) does not carry them, so they are compared only where used.
            const reference = structuredClone(expected);
            for (const p of [expected, imported]) dropUnusedVersions(p as never, reference as never);
            expect(normalPolicy(imported as never), text).toEqual(normalPolicy(expected as never));
          }
        }),
        // Linkerd refuses many random policies (no fault, mirror or CORS), so more runs keep enough compiled.
        { numRuns: 300 },
      );
      expect(compiled).toBeGreaterThan(30);
    });
  }
});

/** Whether the policy's spec.selector changes nothing in the mesh's output. */
function carriesNothing(text: string, ref: string, mesh: (typeof MESHES)[number], native: string): boolean {
  const loaded = load([{ name: 'random.yaml', text }]);
  const policies = loaded.policies.map((p) => {
    if (p.ref !== ref) return p;
    const { selector: _, ...spec } = p.policy.spec as Record<string, unknown>;
    return { ...p, policy: { ...p.policy, spec } as never };
  });
  return renderYaml(compileLoaded({ ...loaded, policies }, mesh).resources) === native;
}

/** Deletes from `p` the versions that no rule of `original` (as the mesh keeps it) names in a backend or mirror. */
function dropUnusedVersions(
  p: { spec: { versions?: Record<string, unknown> } },
  original: {
    spec: { rules?: { backends?: { version?: string }[]; mirror?: { backend?: { version?: string } } }[] };
  },
): void {
  if (!p.spec.versions) return;
  const used = new Set(
    (original.spec.rules ?? []).flatMap((r) => [
      ...(r.backends ?? []).map((b) => b.version),
      r.mirror?.backend?.version,
    ]),
  );
  for (const v of Object.keys(p.spec.versions)) if (!used.has(v)) delete p.spec.versions[v];
  if (!Object.keys(p.spec.versions).length) delete p.spec.versions;
}

/**
 * What the compiler leaves out whole once its parts are gone (core/compiler/degrade.ts): retries
 * whose every retry condition the mesh left out (`gone`: the dropped paths), CORS that lost every
 * allowed origin.
 */
function leftOutWhole(
  expected: {
    spec: { rules?: { retries?: unknown; cors?: { allowOrigins?: unknown[] } }[] };
  },
  original: { spec: { rules?: { retries?: { retryOn?: unknown[] } }[] } },
  gone: ReadonlySet<string>,
): void {
  (expected.spec.rules ?? []).forEach((rule, i) => {
    const on = original.spec.rules?.[i]?.retries?.retryOn ?? [];
    if (
      on.length &&
      on.every((_, k) => gone.has(JSON.stringify(['spec', 'rules', i, 'retries', 'retryOn', k])))
    )
      delete rule.retries;
    if (rule.cors && !rule.cors.allowOrigins?.length) delete rule.cors;
  });
}
