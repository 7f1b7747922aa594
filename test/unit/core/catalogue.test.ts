/**
 * The diagnostic catalogue as a contract: one code per meaning, each in its range, each documented,
 * and template parameters checked by the compiler (the `@ts-expect-error` lines below fail
 * `tsc --noEmit` if a missing or misspelt argument ever compiles again).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { APPMESH_MESSAGES } from '../../../src/adapters/appmesh/messages.js';
import { ADAPTERS, allMessages, IMPORT_ONLY_SECTIONS } from '../../../src/adapters/index.js';
import { linkerdDiag } from '../../../src/adapters/linkerd/native.js';
import { compilePolicies } from '../../../src/core/compiler/compile.js';
import {
  CORE_MESSAGES,
  diag,
  makeDiagnostic,
  RETIRED_CODES,
  type TemplateParams,
  templateParams,
} from '../../../src/core/diagnostics.js';
import { catalogueSections, diagnosticsMarkdown } from '../../../src/core/diagnostics-report.js';
import { load } from '../../support/kit.js';

const meshes = Object.values(ADAPTERS);

describe('diagnostic catalogue', () => {
  it('every code is unique, and no live code reuses a retired one', () => {
    const seen = new Map<string, string>();
    for (const m of allMessages()) {
      expect(seen.get(m.code), `${m.code} is ${seen.get(m.code)} and ${m.name}`).toBeUndefined();
      seen.set(m.code, m.name);
    }
    for (const retired of Object.keys(RETIRED_CODES)) expect(seen.has(retired), retired).toBe(false);
  });

  it('every name is unique (names are headings and `explain` keys)', () => {
    const names = allMessages().map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('core codes are AM1, AM2, AM3 or AM5; every adapter code is in its own mesh range', () => {
    for (const m of Object.values(CORE_MESSAGES)) expect(m.code, m.name).toMatch(/^AM[1235]\d{3}$/);
    expect(new Set(meshes.map((m) => m.codeRange)).size, 'one range per mesh').toBe(meshes.length);
    for (const mesh of meshes) {
      const range = mesh.codeRange;
      expect(range, mesh.id).toMatch(/^AM4[1-9]$/);
      for (const m of Object.values(mesh.messages))
        expect(m.code, `${mesh.id} ${m.name}`).toMatch(new RegExp(`^${range}\\d{2}$`));
    }
  });

  it('AM3000 is the internal error, and the only message with that meaning', () => {
    expect(CORE_MESSAGES.InternalError.code).toBe('AM3000');
    const internal = allMessages().filter((m) => /internal error/i.test(m.template));
    expect(internal.map((m) => m.code)).toEqual(['AM3000']);
  });

  it('every message says what it means, how to fix it and what triggers it', () => {
    for (const m of allMessages()) {
      expect(m.description.length, `${m.code} description`).toBeGreaterThan(30);
      expect(m.fix.length, `${m.code} fix`).toBeGreaterThan(10);
      expect(m.example.length, `${m.code} example`).toBeGreaterThan(5);
      // A description that only repeats the template says nothing more.
      expect(m.description, m.code).not.toBe(m.template);
    }
  });

  it('docs/diagnostics.md has one entry per code, in its section, and every retired code', () => {
    const md = diagnosticsMarkdown(catalogueSections(meshes, IMPORT_ONLY_SECTIONS));
    for (const m of allMessages()) expect(md.split(`\n### ${m.code} `).length - 1, m.code).toBe(1);
    for (const code of Object.keys(RETIRED_CODES)) expect(md).toContain(`**${code} `);
    const linkerd = md.slice(md.indexOf('## Linkerd'), md.indexOf('## Consul'));
    expect(linkerd).toContain('### AM4216 ');
    expect(linkerd).not.toContain('### AM4310 ');
  });
});

describe('typed template parameters', () => {
  it('the parameters of a template are its {word} placeholders, at run time and in the type', () => {
    const t = CORE_MESSAGES.MtlsScopeConflict.template;
    expect(templateParams(t)).toEqual(['policy', 'scope', 'other']);
    expectTypeOf<TemplateParams<typeof t>>().toEqualTypeOf<'policy' | 'scope' | 'other'>();
    // Braces that are not a placeholder (YAML in the text) are not parameters.
    const yaml = APPMESH_MESSAGES.VersionsNeedBackends.template;
    expect(templateParams(yaml)).toEqual(['first']);
    expectTypeOf<TemplateParams<typeof yaml>>().toEqualTypeOf<'first'>();
    expectTypeOf<TemplateParams<'no parameters'>>().toEqualTypeOf<never>();
  });

  it('a call with every parameter fills the template', () => {
    const d = diag('MtlsScopeConflict', {
      policy: 'MTLSPolicy/a/b',
      scope: 'namespace',
      other: 'MTLSPolicy/a/a',
    });
    expect(d).toMatchObject({ code: 'AM3014', level: 'error' });
    expect(d.message).toBe('MTLSPolicy/a/b sets mTLS for the same namespace as MTLSPolicy/a/a; keep one');
    expect(linkerdDiag('BadOption', { option: 'o', value: 'v', reason: 'r' }).code).toBe('AM4214');
    expect(makeDiagnostic(APPMESH_MESSAGES.AcmOneWayTls).code).toBe('AM4416');
  });

  it('a missing, misspelt or unexpected parameter does not compile', () => {
    const made = [
      // @ts-expect-error scope is missing
      diag('MtlsScopeConflict', { policy: 'p', other: 'o' }),
      // @ts-expect-error polcy is misspelt
      diag('MtlsScopeConflict', { polcy: 'p', scope: 's', other: 'o' }),
      // @ts-expect-error BinaryInput has no parameters
      diag('BinaryInput', { what: 'x' }),
      // @ts-expect-error a parameter-taking message needs its parameters
      diag('WeightsSum'),
      // @ts-expect-error reason is not a parameter of the Linkerd name message
      linkerdDiag('NameTooLong', { what: 'w', name: 'n', limit: 63, reason: 'r' }),
      // @ts-expect-error service is missing
      makeDiagnostic(APPMESH_MESSAGES.PortRequired, {}),
    ];
    // At run time the placeholders simply stay visible.
    expect(made[0]!.message).toContain('{scope}');
  });
});

describe('AM3000 InternalError', () => {
  it('an adapter that throws ends in AM3000 naming the mesh, and nothing is compiled', () => {
    // A deliberately broken adapter: no real input makes a shipped adapter throw (the property
    // tests assert as much), so the crash path needs one that does.
    const broken = {
      ...ADAPTERS.istio!,
      compile: () => {
        throw new Error('boom');
      },
    };
    const { policies } = load(
      'apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: r, namespace: shop}\nspec:\n  service: reviews\n  rules: [{timeout: 1s}]\n',
    );
    const r = compilePolicies(policies, broken);
    expect(r.ok).toBe(false);
    expect(r.resources).toEqual([]);
    const d = r.diagnostics.find((x) => x.code === 'AM3000')!;
    expect(d.message).toContain('Istio');
    expect(d.message).toContain('boom');
  });
});
