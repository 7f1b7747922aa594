/**
 * The feature families agree with the model: every field they name exists in the kind's JSON
 * Schema, every leaf field of a policy spec is either some feature's or listed below as not a
 * feature, and every fixture uses exactly its feature (and its documented companions).
 */
import { describe, expect, it } from 'vitest';
import { featuresUsed } from '../../../src/core/compiler/usage.js';
import { FAMILIES, FEATURE_DEFS, FEATURE_IDS, isFeatureId } from '../../../src/core/features/index.js';
import type { Kind } from '../../../src/core/model/schema.js';
import { load } from '../../support/kit.js';
import { explainPath, schemaFields } from '../../support/schema-fields.js';

const POLICY_KINDS: Kind[] = ['TrafficPolicy', 'AccessPolicy', 'MTLSPolicy', 'BackendPolicy'];
const FIELDS = new Set(POLICY_KINDS.flatMap((k) => schemaFields(k).map((f) => f.path)));
const EXPLAIN_FIELDS = new Set([...FIELDS].map(explainPath));

/**
 * Leaf fields of the specs that are not features: they name or select what a policy is about, or
 * only qualify a field that is a feature. Every other leaf must be claimed by a feature.
 */
const NOT_FEATURES: Record<string, string> = {
  'TrafficPolicy.spec.service': 'the destination every policy has',
  'TrafficPolicy.spec.selector': "the service's pods, for meshes that select workloads",
  'TrafficPolicy.spec.versions': 'names versions; routing to one is backends.version (explain lists it)',
  'TrafficPolicy.spec.onUnsupported': 'what to do with an unsupported feature, not a feature',
  'TrafficPolicy.spec.rules[].name': 'a name for messages and native route names',
  'TrafficPolicy.spec.rules[].matches[].headers[].name': 'which header a header condition is about',
  'AccessPolicy.spec.to[].headers[].name': 'which header an access condition is about',
  'TrafficPolicy.spec.rules[].matches[].queryParams[].name': 'which parameter a condition is about',
  'TrafficPolicy.spec.rules[].backends[].namespace':
    "qualifies backends.service: the other service's namespace",
  'TrafficPolicy.spec.rules[].backends[].port': "qualifies backends.service: the other service's port",
  'TrafficPolicy.spec.rules[].backends[].weight': 'several weights are backends.weighted (explain lists it)',
  'TrafficPolicy.spec.rules[].fault.abort.percentage': 'qualifies fault.abort.http or fault.abort.grpc',
  'AccessPolicy.spec.service': 'the service whose callers are governed',
  'AccessPolicy.spec.selector': "the service's pods, for meshes that select workloads",
  'AccessPolicy.spec.onUnsupported': 'what to do with an unsupported feature, not a feature',
  'MTLSPolicy.spec.service': 'the service covered; its presence decides the default scope (mtls.scope.*)',
  'MTLSPolicy.spec.selector': "the service's pods, for meshes that select workloads",
  'MTLSPolicy.spec.onUnsupported': 'what to do with an unsupported feature, not a feature',
  'BackendPolicy.spec.service': 'the service whose instances the settings are for',
  'BackendPolicy.spec.selector': "the service's pods, for meshes that select workloads",
  'BackendPolicy.spec.onUnsupported': 'what to do with an unsupported feature, not a feature',
};

const uses = FEATURE_DEFS.flatMap((f) => f.uses.map((u) => ({ feature: f.id, ...u })));

describe('feature families', () => {
  it('list every id once, in their family, in catalogue order', () => {
    expect(new Set(FEATURE_IDS).size).toBe(FEATURE_IDS.length);
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
    for (const family of FAMILIES)
      for (const f of family.features) expect(f.id.split('.')[0], f.id).toBe(family.name);
  });

  it.each(uses.map((u) => [u.feature, u.field, u] as const))('%s: %s is in the schema', (_f, field, u) => {
    expect(FIELDS.has(field), field).toBe(true);
    if (u.drop !== undefined) {
      expect(FIELDS.has(u.drop), u.drop).toBe(true);
      expect(field === u.drop || field.startsWith(`${u.drop}.`) || field.startsWith(`${u.drop}[]`)).toBe(
        true,
      );
    }
    if (u.drop !== undefined) expect(u.scope, 'only a field-scoped use names what it drops').toBe('field');
  });

  it.each(FEATURE_DEFS.flatMap((f) => (f.related ?? []).map((r) => [f.id, r] as const)))(
    '%s: related field %s is in the schema',
    (_f, field) => expect(FIELDS.has(field)).toBe(true),
  );

  it.each(FAMILIES.flatMap((fam) => fam.explain.map((g) => [fam.name, g.field, g] as const)))(
    '%s: explain group %s is in the schema and names features of the family',
    (name, field, g) => {
      expect(field === g.field.split('.')[0] || EXPLAIN_FIELDS.has(field)).toBe(true);
      expect(g.features === name || g.features.startsWith(`${name}.`)).toBe(true);
      expect(FEATURE_IDS.some((id) => id === g.features || id.startsWith(`${g.features}.`))).toBe(true);
    },
  );

  it('claim every leaf field of the policy specs, except the listed non-features', () => {
    // A field is a feature's when a use names it, or names a parent whose presence alone means
    // the feature (the fields of fault.delay are the delay). Related fields only configure one.
    const claimed = (leaf: string) =>
      FEATURE_DEFS.some((f) =>
        f.uses.some(
          (u) =>
            u.field === leaf ||
            (!u.when && (leaf.startsWith(`${u.field}.`) || leaf.startsWith(`${u.field}[]`))),
        ),
      );
    const leaves = POLICY_KINDS.flatMap((k) => schemaFields(k))
      .filter((f) => f.leaf && f.path.split('.')[1] === 'spec')
      .map((f) => f.path);
    expect(leaves.filter((l) => !claimed(l) && !(l in NOT_FEATURES))).toEqual([]);
    // The list stays exact: each entry is a leaf and is no feature's.
    for (const l of Object.keys(NOT_FEATURES)) {
      expect(leaves, l).toContain(l);
      expect(claimed(l), l).toBe(false);
    }
  });

  it.each(FEATURE_DEFS.map((f) => [f.id, f] as const))(
    'the %s fixture uses exactly it and its companions',
    (id, f) => {
      for (const c of f.fixture.companions) expect(isFeatureId(c), c).toBe(true);
      const { policies, diagnostics } = load(f.fixture.yaml);
      expect(diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      const used = new Set(policies.flatMap(featuresUsed).map((u) => u.feature));
      expect([...used].sort()).toEqual([...new Set([id, ...f.fixture.companions])].sort());
    },
  );
});
