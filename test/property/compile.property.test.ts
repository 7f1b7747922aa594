/**
 * Random valid TrafficPolicies compile through every adapter (with --allow-degraded) to output the
 * meshes' own CRD schemas accept, deterministically.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import type { MeshAdapter } from '../../src/core/adapter.js';
import { formatDiagnostic } from '../../src/core/diagnostics.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { render } from '../../src/core/render.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { load } from '../support/kit.js';
import { backendFile, policyFile } from './arbitraries.js';
import { runs } from './settings.js';

/** Kubernetes core kinds (e.g. Linkerd's leaf Services) have no CRD. */
const CORE_GROUPS = new Set(['v1', 'apps/v1']);

let crds: CrdCatalog;
beforeAll(() => {
  crds = new CrdCatalog();
});

/** Loads as `anymesh compile` does, overlap analysis included. */
const validated = (text: string) => load([{ name: 'random.yaml', text }]);

/** Compiles as `anymesh compile --allow-degraded` does. */
const compileRandom = (text: string, adapter: MeshAdapter) =>
  compileLoaded(validated(text), adapter, { allowDegraded: true });

describe('random valid TrafficPolicies', () => {
  it('are valid (the arbitraries agree with the validator)', () => {
    let tried = 0;
    fc.assert(
      fc.property(policyFile(), (text) => {
        tried++;
        // The model's rules only: random rules may shadow each other, which the overlap analysis
        // rightly warns about (the compile properties below run it).
        const { diagnostics, policies } = load([{ name: 'random.yaml', text }], { overlaps: false });
        expect(diagnostics.map(formatDiagnostic), text).toEqual([]);
        expect(policies.length).toBeGreaterThan(0);
      }),
      runs(200),
    );
    expect(tried).toBe(200);
  });

  it('a property interrupted by its time limit fails instead of passing quietly', () => {
    const slow = fc.property(fc.nat(), () => {
      const until = Date.now() + 5;
      while (Date.now() < until) {
        // busy: each run takes 5 ms, so 1000 runs cannot finish in 50 ms
      }
    });
    expect(() => fc.assert(slow, runs(1000, 50))).toThrow(/interrupted after \d+ tests/);
    // fast-check's own default, for contrast: the same run passes quietly.
    expect(() => fc.assert(slow, { numRuns: 1000, plugins: [fc.interruptAfterTimeLimit(50)] })).not.toThrow();
  });

  // Each adapter may refuse inputs its mesh cannot take with its own coded diagnostics (AM4xxx:
  // App Mesh wants backends on rules once versions exist, Linkerd refuses equally specific rules
  // with different timeouts, ...). Whatever it accepts must be CRD-valid and deterministic, and it
  // must accept a fair share of random input, so that the property is not vacuous.
  for (const adapter of Object.values(ADAPTERS)) {
    it(`compile for ${adapter.id} with allowDegraded: CRD-valid, deterministic, or refused with the adapter's codes`, () => {
      let compiled = 0;
      let tried = 0;
      fc.assert(
        fc.property(policyFile({ portable: true }), (text) => {
          tried++;
          const r = compileRandom(text, adapter);
          const errors = r.diagnostics.filter((d) => d.level === 'error');
          // An adapter crash would surface as AM3000 InternalError; core refusals are not
          // expected with allowDegraded.
          for (const e of errors) expect(e.code, `${formatDiagnostic(e)}\n${text}`).toMatch(/^AM4\d{3}$/);
          expect(r.ok).toBe(errors.length === 0);
          if (!r.ok) {
            expect(r.resources).toEqual([]);
            return;
          }
          // (Zero resources is possible: --allow-degraded may leave a whole policy out, reported.)
          if (r.resources.length > 0) compiled++;
          for (const res of r.resources) {
            if (CORE_GROUPS.has(res.apiVersion)) continue;
            expect(crds.validate(res), `${text}\n---\n${render([res], 'yaml')}`).toEqual([]);
          }
          // Deterministic: a second compile of freshly loaded input renders byte-identical output.
          const again = compileRandom(text, adapter);
          expect(render(again.resources, 'yaml')).toBe(render(r.resources, 'yaml'));
          expect(render(again.resources, 'json')).toBe(render(r.resources, 'json'));
          expect(again.diagnostics).toEqual(r.diagnostics);
        }),
        runs(150),
      );
      // Every run happened (an interrupted run fails above), and a fair share compiled.
      expect(tried).toBe(150);
      expect(
        compiled,
        `${adapter.id} compiled ${compiled} of ${tried} random valid policy files`,
      ).toBeGreaterThanOrEqual(tried / 5);
    });
  }

  for (const adapter of Object.values(ADAPTERS)) {
    it(`any valid policy, on ${adapter.id}, compiles or is refused with the adapter's own codes, never an exception`, () => {
      let tried = 0;
      let compiled = 0;
      fc.assert(
        fc.property(policyFile(), (text) => {
          tried++;
          const r = compileRandom(text, adapter);
          if (r.ok && r.resources.length > 0) compiled++;
          const errors = r.diagnostics.filter((d) => d.level === 'error');
          for (const e of errors) expect(e.code, formatDiagnostic(e)).toMatch(/^AM4\d{3}$/);
          expect(r.ok).toBe(errors.length === 0);
          if (!r.ok) expect(r.resources).toEqual([]);
        }),
        runs(100),
      );
      // Not vacuous: any input may be refused, but not all of it (sources, portless rules and the
      // like are refused by some meshes). App Mesh compiles about one in ten random inputs, so the
      // floor is a few per hundred: high enough to catch a generator that nothing compiles from,
      // low enough that a random run does not fail by chance (about 1 in 2,000 at p = 0.1).
      expect(tried).toBe(100);
      expect(compiled, `${adapter.id} compiled ${compiled} of ${tried}`).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('random valid BackendPolicies', () => {
  it('are valid (the arbitraries agree with the validator)', () => {
    fc.assert(
      fc.property(backendFile(), (text) => {
        expect(validated(text).diagnostics.map(formatDiagnostic), text).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  // Whatever an adapter accepts is CRD-valid and deterministic; what it refuses, it refuses with its
  // own codes (Linkerd needs a port for a rate limit), never with an exception.
  for (const adapter of Object.values(ADAPTERS)) {
    it(`compile for ${adapter.id} with allowDegraded: CRD-valid, deterministic, or refused with the adapter's codes`, () => {
      let compiled = 0;
      fc.assert(
        fc.property(backendFile(), (text) => {
          const r = compileRandom(text, adapter);
          if (r.ok) compiled++;
          const errors = r.diagnostics.filter((d) => d.level === 'error');
          for (const e of errors) expect(e.code, `${formatDiagnostic(e)}\n${text}`).toMatch(/^AM4\d{3}$/);
          expect(r.ok).toBe(errors.length === 0);
          for (const res of r.resources) {
            if (CORE_GROUPS.has(res.apiVersion)) continue;
            expect(crds.validate(res), `${text}\n---\n${render([res], 'yaml')}`).toEqual([]);
          }
          const again = compileRandom(text, adapter);
          expect(render(again.resources, 'yaml')).toBe(render(r.resources, 'yaml'));
        }),
        { numRuns: 100 },
      );
      // Not vacuous: most random policies compile (degraded where the mesh lacks a setting).
      expect(compiled, `${adapter.id} compiled ${compiled} of 100`).toBeGreaterThanOrEqual(20);
    });
  }
});
