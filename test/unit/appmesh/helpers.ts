/** Shared helpers for the App Mesh unit tests: compile YAML and check every output against the CRDs. */
import { expect } from 'vitest';
import type { KubeObject } from '../../../src/core/adapter.js';
import { CrdCatalog } from '../../support/crd-schema.js';
import { compileText } from '../../support/compile.js';

const catalog = new CrdCatalog();

export const doc = (
  kind: string,
  name: string,
  ns: string,
  spec: string,
  annotations?: Record<string, string>,
) =>
  `apiVersion: anymesh.dev/v1alpha1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}${
    annotations ? `, annotations: ${JSON.stringify(annotations)}` : ''
  }}\nspec:\n${spec}\n`;

/** A TrafficPolicy for `service` in `ns` with the given rules (YAML, indented by 2). */
export const traffic = (name: string, ns: string, spec: string) => doc('TrafficPolicy', name, ns, spec);

/** Every App Mesh object must pass the controller's CRD schema; core v1 Services have no CRD. */
export function expectConformant(resources: readonly KubeObject[]): void {
  for (const r of resources) {
    if (r.apiVersion === 'v1') {
      expect(r.kind).toBe('Service');
      continue;
    }
    expect(catalog.validate(r), `${r.kind} ${r.metadata.name}`).toEqual([]);
  }
}

export function appmesh(
  text: string,
  options: Record<string, string> = {},
  extra: { allowDegraded?: boolean; trustDomain?: string } = {},
) {
  const r = compileText(text, 'appmesh', {
    ...(extra.allowDegraded ? { allowDegraded: true } : {}),
    context: { options, ...(extra.trustDomain ? { trustDomain: extra.trustDomain } : {}) },
  });
  expectConformant(r.resources);
  return r;
}

export function find(
  resources: readonly KubeObject[],
  kind: string,
  name: string,
  namespace?: string,
): KubeObject {
  const found = resources.find(
    (r) =>
      r.kind === kind &&
      r.metadata.name === name &&
      (namespace === undefined || r.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(
      `no ${kind} ${name} in ${resources.map((r) => `${r.kind}/${r.metadata.name}`).join(', ')}`,
    );
  return found;
}

export const spec = (o: KubeObject): any => o.spec;

export const SDS = {
  'appmesh.tls.certificate': 'sds',
  'appmesh.tls.sdsSecretName': 'spiffe://prod.example/ns/{namespace}/sa/{service}',
};
