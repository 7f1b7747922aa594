/**
 * Helpers for the Linkerd unit tests: compile through the real pipeline and check every output object
 * against its official schema (CRDs; core v1 Services against the Service API's rules that matter).
 */
import { expect } from 'vitest';
import type { KubeObject } from '../../../src/core/adapter.js';
import type { CompileOptions } from '../../../src/core/compiler/compile.js';
import { CrdCatalog } from '../../support/crd-schema.js';
import { compileText } from '../../support/compile.js';

const catalog = new CrdCatalog();

export type Native = KubeObject & { spec: Record<string, any> };

/** Core Services have no CRD: check the fields and rules of the v1 Service API that leaf Services use. */
export function serviceProblems(o: KubeObject): string[] {
  const problems: string[] = [];
  const spec = (o as Native).spec;
  if (o.apiVersion !== 'v1') problems.push(`apiVersion ${o.apiVersion}`);
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name) || o.metadata.name.length > 63)
    problems.push(`name ${o.metadata.name} is not a DNS-1035 label`);
  if (!o.metadata.namespace) problems.push('no namespace');
  const allowed = new Set(['selector', 'ports']);
  for (const k of Object.keys(spec)) if (!allowed.has(k)) problems.push(`unexpected spec.${k}`);
  if (!spec.selector || Object.keys(spec.selector).length === 0) problems.push('empty selector');
  if (!Array.isArray(spec.ports) || spec.ports.length === 0) problems.push('no ports');
  for (const p of spec.ports ?? []) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) problems.push(`port ${p.port}`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || p.name.length > 15 || !/[a-z]/.test(p.name))
      problems.push(`port name ${p.name} is not an IANA_SVC_NAME`);
    if (p.protocol !== 'TCP') problems.push(`protocol ${p.protocol}`);
  }
  return problems;
}

export function validate(o: KubeObject): string[] {
  return o.apiVersion === 'v1' && o.kind === 'Service' ? serviceProblems(o) : catalog.validate(o);
}

/** Compiles for Linkerd and asserts every output object is schema-valid. */
export function linkerd(text: string, options: CompileOptions = {}) {
  const r = compileText(text, 'linkerd', options);
  for (const res of r.resources) expect(validate(res), `${res.kind}/${res.metadata.name}`).toEqual([]);
  return r;
}

export const find = (rs: readonly KubeObject[], kind: string, name?: string) =>
  rs.find((r) => r.kind === kind && (name === undefined || r.metadata.name === name)) as Native | undefined;

export const all = (rs: readonly KubeObject[], kind: string) => rs.filter((r) => r.kind === kind) as Native[];

export const traffic = (spec: string, name = 'reviews', ns = 'bookinfo') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

export const access = (spec: string, name = 'readers', ns = 'bookinfo') => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

export const mtls = (spec: string, name = 'strict', ns = 'bookinfo') => `apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;
