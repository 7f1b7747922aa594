/** Shared helpers of the Consul unit tests: compile YAML through the real pipeline, check every output against the CRDs. */
import { expect } from 'vitest';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import type { KubeObject } from '../../../src/core/adapter.js';
import type { CompileOptions } from '../../../src/core/compiler/compile.js';
import { CrdCatalog } from '../../support/crd-schema.js';
import { compileText } from '../../support/compile.js';

const catalog = new CrdCatalog();

export const traffic = (spec: string, name = 'reviews', ns = 'bookinfo') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

export const access = (
  spec: string,
  name = 'reviews-access',
  ns = 'bookinfo',
) => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

export const mtls = (spec: string, name = 'mtls', ns = 'bookinfo') => `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

export const opts = (options: Record<string, string>, rest: CompileOptions = {}): CompileOptions => ({
  ...rest,
  context: { ...rest.context, options },
});

/** Compiles for Consul and checks every resource against the consul-k8s v2.0.3 CRD schemas. */
export function consul(text: string, options: CompileOptions = {}) {
  const r = compileText(text, consulAdapter, options);
  for (const res of r.resources)
    expect(catalog.validate(res), `${res.kind}/${res.metadata.name}`).toEqual([]);
  return r;
}

export type Native = KubeObject & { spec: Record<string, any> };

export const find = (rs: readonly KubeObject[], kind: string, name?: string) =>
  rs.find((r) => r.kind === kind && (name === undefined || r.metadata.name === name)) as Native | undefined;

export const kinds = (rs: readonly KubeObject[]) =>
  rs.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`);
