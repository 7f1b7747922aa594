/**
 * Keeps the capability matrix honest: complete, matching what each adapter really does (both
 * ways), covered by golden cases, and in sync with docs/capabilities.md and the published schemas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, allMessages, IMPORT_ONLY_SECTIONS } from '../src/adapters/index.js';
import { DEFAULT_CONTEXT } from '../src/core/adapter.js';
import { assertCompleteColumn } from '../src/core/capabilities.js';
import { featuresUsed } from '../src/core/compiler/usage.js';
import { catalogueSections, diagnosticsMarkdown } from '../src/core/diagnostics-report.js';
import { FEATURE_IDS } from '../src/core/features/index.js';
import { matrixJson, matrixMarkdown } from '../src/core/matrix-report.js';
import { modelMarkdown, publishedSchemas } from '../src/core/model/publish.js';
import { compileFiles, loadPolicies } from '../src/core/pipeline.js';
import { goldenCases } from './support/cases.js';
import { testColumns } from './support/columns.js';
import { FEATURE_FIXTURES, FIXTURE_OPTIONS } from './support/feature-fixtures.js';
import { compileFor, load } from './support/kit.js';

const ROOT = join(import.meta.dirname, '..');
const meshes = Object.values(ADAPTERS);
/** Every column proven: each mesh's default one and its option-dependent ones (Istio ambient). */
const columns = testColumns();
const column = (id: string) => columns.find((c) => c.id === id)!;

describe('capability matrix', () => {
  it.each(columns.map((c) => [c.id, c] as const))('%s has a cell for every feature and no other', (id, c) => {
    expect(() => assertCompleteColumn(id, c.cells)).not.toThrow();
  });

  it.each(columns.flatMap((c) => FEATURE_IDS.map((f) => [c.id, f] as const)))(
    '%s cell %s is documented',
    (id, f) => {
      const c = column(id).cells[f];
      expect(c.reason.length).toBeGreaterThan(10);
      if (c.support === 'partial' || c.support === 'emulated')
        expect(c.differs?.length ?? 0).toBeGreaterThan(10);
      if (c.support !== 'none') expect(c.docs).toMatch(/^https:\/\//);
    },
  );

  it('every feature has a fixture that really uses it', () => {
    for (const f of FEATURE_IDS) {
      const { policies, diagnostics } = load(FEATURE_FIXTURES[f]);
      expect(
        diagnostics.filter((d) => d.level === 'error'),
        f,
      ).toEqual([]);
      expect(
        policies.flatMap(featuresUsed).map((u) => u.feature),
        f,
      ).toContain(f);
    }
  });

  // Both ways: a `none` cell is refused with AM3001 naming the feature; any other cell compiles.
  it.each(columns.flatMap((c) => FEATURE_IDS.map((f) => [c.id, f] as const)))(
    '%s really does what its %s cell says',
    (id, f) => {
      const { adapter, cells, options } = column(id);
      const mesh = adapter.id;
      const cell = cells[f];
      const r = compileFor(adapter, FEATURE_FIXTURES[f], {
        context: { options: { ...FIXTURE_OPTIONS[mesh], ...options } },
      });
      const refused = r.diagnostics.filter((d) => d.code === 'AM3001' && d.feature === f);
      if (cell.support === 'none') {
        expect(refused.length, `${mesh} should refuse ${f}`).toBeGreaterThan(0);
        expect(r.ok).toBe(false);
        expect(r.resources).toEqual([]);
      } else {
        expect(refused, `${mesh} claims ${f} but refused it`).toEqual([]);
        // The fixture may use other features the mesh lacks (e.g. spec.port); only when it does not
        // must the compile succeed and produce output.
        const blocked = r.diagnostics.filter((d) => d.code === 'AM3001');
        if (blocked.length === 0) {
          expect(
            r.diagnostics.filter((d) => d.level === 'error'),
            `${mesh} ${f}`,
          ).toEqual([]);
          // Output is expected, unless the mesh expresses the feature by its default behaviour, which
          // its cell must then say (a partial or emulated cell warns with what differs).
          const saidSo = r.diagnostics.some(
            (d) => d.feature === f && (d.code === 'AM3003' || d.code === 'AM3004'),
          );
          expect(r.resources.length > 0 || saidSo, `${mesh} ${f} made nothing and did not say why`).toBe(
            true,
          );
        }
      }
    },
  );

  // A cell that differs by protocol proves its other protocols too: the fixture recompiled with
  // that spec.protocol must be refused (none) or compile (any other level), as the variant says.
  const variants = columns.flatMap((c) =>
    FEATURE_IDS.flatMap((f) =>
      Object.keys(c.cells[f].byProtocol ?? {}).map((protocol) => [c.id, f, protocol] as const),
    ),
  );
  it('some cells differ by protocol (Linkerd and App Mesh gRPC retries)', () => {
    expect(variants.map(([c, f, p]) => `${c} ${f} ${p}`)).toEqual(
      expect.arrayContaining(['linkerd retries.on.grpc http', 'appmesh retries.on.grpc http']),
    );
  });
  it.each(variants)('%s really does what its %s cell says for protocol %s', (id, f, protocol) => {
    const { adapter, cells, options } = column(id);
    const variant = cells[f].byProtocol![protocol as 'http']!;
    const fixture = FEATURE_FIXTURES[f];
    const yaml = /\n {2}protocol: \w+\n/.test(fixture)
      ? fixture.replace(/\n {2}protocol: \w+\n/, `\n  protocol: ${protocol}\n`)
      : fixture.replace('\n  port: 8080\n', `\n  port: 8080\n  protocol: ${protocol}\n`);
    expect(yaml).toContain(`protocol: ${protocol}`);
    const r = compileFor(adapter, yaml, {
      context: { options: { ...FIXTURE_OPTIONS[adapter.id], ...options } },
    });
    const refused = r.diagnostics.filter((d) => d.code === 'AM3001' && d.feature === f);
    if (variant.support === 'none') {
      expect(refused.length, `${id} should refuse ${f} on ${protocol}`).toBeGreaterThan(0);
      expect(refused[0]!.message).toContain(variant.reason);
      expect(r.resources).toEqual([]);
    } else {
      expect(refused).toEqual([]);
    }
  });

  it('every feature a mesh supports is exercised by a golden case', () => {
    const used = new Set<string>();
    for (const c of goldenCases()) {
      for (const p of loadPolicies([join(ROOT, c.file)]).policies)
        for (const u of featuresUsed(p)) used.add(u.feature);
    }
    const supportedSomewhere = FEATURE_IDS.filter((f) => columns.some((c) => c.cells[f].support !== 'none'));
    expect(supportedSomewhere.filter((f) => !used.has(f))).toEqual([]);
  });

  // An option-dependent column must prove its cells on its own: each supported feature is used by a
  // golden case that this column compiles without errors (so the golden file shows its output).
  it.each(columns.filter((c) => c.id !== c.adapter.id).map((c) => [c.id, c] as const))(
    'every feature column %s supports compiles in one of its golden cases',
    (_id, c) => {
      const shown = new Set<string>();
      for (const g of goldenCases()) {
        const r = compileFiles([join(ROOT, g.file)], c.adapter, { context: { options: c.options } });
        if (!r.ok) continue;
        for (const p of loadPolicies([join(ROOT, g.file)]).policies)
          for (const u of featuresUsed(p)) shown.add(u.feature);
      }
      expect(FEATURE_IDS.filter((f) => c.cells[f].support !== 'none' && !shown.has(f))).toEqual([]);
    },
  );

  it('docs/capabilities.md is generated from the data (run `npm run docs` after changing cells)', () => {
    const expected = matrixMarkdown(matrixJson({ meshes, allColumns: true }));
    expect(readFileSync(join(ROOT, 'docs', 'capabilities.md'), 'utf8')).toBe(expected);
  });

  it('docs/diagnostics.md is generated from the diagnostic catalogue (run `npm run docs`)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8')).toBe(
      diagnosticsMarkdown(catalogueSections(meshes, IMPORT_ONLY_SECTIONS)),
    );
  });

  it('docs/policy-model.md is generated from the schema (run `npm run docs`)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'policy-model.md'), 'utf8')).toBe(modelMarkdown(meshes));
  });

  it('schemas/ holds the published JSON Schemas (run `npm run docs` after changing the model)', () => {
    for (const [file, content] of Object.entries(publishedSchemas())) {
      expect(readFileSync(join(ROOT, 'schemas', file), 'utf8'), file).toBe(content);
    }
  });
});

describe('diagnostic catalogue', () => {
  it('has unique codes, each with a level, a name and a template', () => {
    const all = allMessages();
    const seen = new Map<string, string>();
    for (const m of all) {
      expect(m.code).toMatch(/^AM[1-5]\d{3}$/);
      expect(seen.has(m.code), `code ${m.code} used by ${seen.get(m.code)} and ${m.name}`).toBe(false);
      seen.set(m.code, m.name);
      expect(['error', 'warning', 'info']).toContain(m.level);
      expect(m.template.length).toBeGreaterThan(5);
    }
  });
});

describe('option-dependent columns', () => {
  it('Consul Enterprise names whole namespaces of callers; Community Edition refuses them', () => {
    const fixture = FEATURE_FIXTURES['access.from.namespace'];
    const ce = compileFor('consul', fixture);
    expect(ce.diagnostics.find((d) => d.code === 'AM3001')?.feature).toBe('access.from.namespace');
    const ent = compileFor('consul', fixture, { context: { options: { 'consul.enterprise': 'true' } } });
    expect(
      ent.diagnostics.filter((d) => d.feature === 'access.from.namespace' && d.level === 'error'),
    ).toEqual([]);
  });
});

describe('Istio data plane columns', () => {
  const sidecar = column('istio');
  const ambient = column('istio-ambient');
  it('the ambient column is what capabilitiesFor returns for istio.dataplane=ambient', () => {
    expect(
      ADAPTERS.istio!.capabilitiesFor!({ ...DEFAULT_CONTEXT, options: { 'istio.dataplane': 'ambient' } }),
    ).toBe(ambient.cells);
    expect(sidecar.cells).toBe(ADAPTERS.istio!.capabilities);
  });
  it('every cell that differs from the sidecar column says it is about ambient', () => {
    for (const f of FEATURE_IDS) {
      if (JSON.stringify(ambient.cells[f]) === JSON.stringify(sidecar.cells[f])) continue;
      expect(ambient.cells[f].reason, f).toMatch(/^ambient: /);
    }
  });
  it('the docs name the mode of each Istio column', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'capabilities.md'), 'utf8');
    expect(doc).toMatch(/\| feature \| Istio \(sidecar\) \| Istio \(ambient\) \|/);
  });
});
