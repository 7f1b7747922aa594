/**
 * Random valid TrafficPolicies compile through every adapter (with --allow-degraded) to output the
 * meshes' own CRD schemas accept, deterministically.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { compilePolicies } from '../../src/core/compiler/compile.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { formatDiagnostic } from '../../src/core/diagnostics.js';
import { parseInput } from '../../src/core/loader/loader.js';
import { validateDocuments } from '../../src/core/model/validate.js';
import { render } from '../../src/core/render.js';
import { policyFile } from './arbitraries.js';

/** Kubernetes core kinds (e.g. Linkerd's leaf Services) have no CRD. */
const CORE_GROUPS = new Set(['v1', 'apps/v1']);

let crds: CrdCatalog;
beforeAll(() => {
  crds = new CrdCatalog();
});

function validated(text: string) {
  const parsed = parseInput({ name: 'random.yaml', text });
  const v = validateDocuments(parsed.documents);
  const diagnostics = [...parsed.diagnostics, ...v.diagnostics];
  return { policies: v.policies, diagnostics };
}

describe('random valid TrafficPolicies', () => {
  it('are valid (the arbitraries agree with the validator)', () => {
    fc.assert(
      fc.property(policyFile(), (text) => {
        const { diagnostics, policies } = validated(text);
        expect(diagnostics.map(formatDiagnostic), text).toEqual([]);
        expect(policies.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  // Each adapter may refuse inputs its mesh cannot take with its own coded diagnostics (AM4xxx:
  // App Mesh wants backends on rules once versions exist, Linkerd refuses equally specific rules
  // with different timeouts, ...). Whatever it accepts must be CRD-valid and deterministic, and it
  // must accept a fair share of random input, so that the property is not vacuous.
  for (const adapter of Object.values(ADAPTERS)) {
    it(`compile for ${adapter.id} with allowDegraded: CRD-valid, deterministic, or refused with the adapter's codes`, () => {
      let compiled = 0;
      let runs = 0;
      fc.assert(
        fc.property(policyFile({ portable: true }), (text) => {
          runs++;
          const { policies } = validated(text);
          const r = compilePolicies(policies, adapter, { allowDegraded: true });
          const errors = r.diagnostics.filter((d) => d.level === 'error');
          // An adapter crash would surface as AM3006 "internal error"; core refusals are not
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
          const again = compilePolicies(validated(text).policies, adapter, { allowDegraded: true });
          expect(render(again.resources, 'yaml')).toBe(render(r.resources, 'yaml'));
          expect(render(again.resources, 'json')).toBe(render(r.resources, 'json'));
          expect(again.diagnostics).toEqual(r.diagnostics);
        }),
        { numRuns: 150 },
      );
      expect(
        compiled,
        `${adapter.id} compiled ${compiled} of ${runs} random valid policy files`,
      ).toBeGreaterThanOrEqual(runs / 5);
    });
  }

  for (const adapter of Object.values(ADAPTERS)) {
    it(`any valid policy, on ${adapter.id}, compiles or is refused with the adapter's own codes, never an exception`, () => {
      fc.assert(
        fc.property(policyFile(), (text) => {
          const { policies } = validated(text);
          const r = compilePolicies(policies, adapter, { allowDegraded: true });
          const errors = r.diagnostics.filter((d) => d.level === 'error');
          for (const e of errors) expect(e.code, formatDiagnostic(e)).toMatch(/^AM4\d{3}$/);
          expect(r.ok).toBe(errors.length === 0);
          if (!r.ok) expect(r.resources).toEqual([]);
        }),
        { numRuns: 100 },
      );
    });
  }
});
