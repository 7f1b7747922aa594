// The generated CRDs are structural (what the API server demands before it serves a CRD): checked
// here node by node, so a schema change that breaks it fails fast; the integration tier installs them.
import { describe, expect, it } from 'vitest';
import { CRD_KINDS, policyCrds, structural } from '../../../src/controller/crds.js';
import { runCli } from '../../support/cli.js';

type Node = Record<string, unknown>;

/** Every node that breaks a structural-schema rule, by path. */
function problems(node: Node, path = ''): string[] {
  const out: string[] = [];
  for (const k of ['$id', '$schema', 'patternProperties', 'const', '$ref', 'anyOf', 'oneOf'])
    if (k in node) out.push(`${path}: has ${k}`);
  if (node.properties && node.additionalProperties) out.push(`${path}: properties and additionalProperties`);
  if (node.additionalProperties === false) out.push(`${path}: additionalProperties false`);
  if (!node.type && !node['x-kubernetes-int-or-string']) out.push(`${path}: no type`);
  for (const [name, p] of Object.entries((node.properties as Record<string, Node>) ?? {}))
    if (path !== '' || name !== 'metadata') out.push(...problems(p, `${path}.${name}`));
  if (node.items) out.push(...problems(node.items as Node, `${path}[]`));
  if (typeof node.additionalProperties === 'object')
    out.push(...problems(node.additionalProperties as Node, `${path}{}`));
  return out;
}

describe('anymesh crds', () => {
  const crds = policyCrds() as Node[];

  it('makes one structural CRD per policy kind, group anymesh.dev, v1alpha1, with a status subresource', () => {
    expect(crds.map((c) => (c.spec as { names: { kind: string } }).names.kind)).toEqual([...CRD_KINDS]);
    for (const crd of crds) {
      const spec = crd.spec as { group: string; versions: Node[] };
      expect(spec.group).toBe('anymesh.dev');
      const v = spec.versions[0] as {
        name: string;
        subresources: unknown;
        schema: { openAPIV3Schema: Node };
        additionalPrinterColumns: { name: string }[];
      };
      expect(v.name).toBe('v1alpha1');
      expect(v.subresources).toEqual({ status: {} });
      expect(v.additionalPrinterColumns.map((c) => c.name)).toContain('Accepted');
      expect(problems(v.schema.openAPIV3Schema)).toEqual([]);
    }
  });

  it('the structural check can fail: a raw JSON Schema map is refused', () => {
    const raw = { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } };
    expect(problems(raw)).toEqual([': has patternProperties']);
    expect(problems(structural(raw))).toEqual([]);
    expect(structural(raw).additionalProperties).toEqual({ type: 'string' });
  });

  it('carries the weights rule as CEL, with the diagnostic code', () => {
    const text = JSON.stringify(crds[0]);
    expect(text).toContain('self.backends.map(b, b.weight).sum() == 100');
    expect(text).toContain('AM2010');
  });

  it('prints YAML or a JSON List', async () => {
    const y = await runCli(['crds']);
    expect(y.code).toBe(0);
    expect(y.out).toContain('kind: CustomResourceDefinition');
    const j = await runCli(['crds', '-o', 'json']);
    expect(JSON.parse(j.out).items).toHaveLength(CRD_KINDS.length);
  });
});
